//! Resources: each maps its Terraform values to Connect API calls and back, one file (or one
//! small folder) per resource type.

pub mod content_access;
pub mod content_environment;
pub mod content_oauth_integrations;
pub mod content_vanity_url;
pub mod oauth_integration;
