//! Resources: the one place that knows both Terraform and Connect. Each resource maps its
//! Terraform values to Connect API calls and back.

pub mod cache;
pub mod configured;
pub mod content_oauth_integrations;
pub mod data_sources;
pub mod errors;
pub mod oauth_integration;
pub mod oauth_integration_verify;
pub mod template_catalogue;
