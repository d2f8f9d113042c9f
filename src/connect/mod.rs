//! A client for Posit Connect's HTTP API. Knows nothing of Terraform.
