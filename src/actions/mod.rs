//! Actions (Terraform 1.14+): steps a configuration runs on demand or around a resource's
//! lifecycle, touching no state.

pub mod oauth_integration_verify;
