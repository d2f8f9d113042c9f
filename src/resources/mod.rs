//! Resources: the one place that knows both Terraform and Connect. Each resource maps its
//! Terraform values to Connect API calls and back.

pub mod api;
pub mod cache;
pub mod content_oauth_integrations;
pub mod data;
pub mod oauth_integration;
pub mod templates;
