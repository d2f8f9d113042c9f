//! terraform-provider-posit: a Terraform/OpenTofu provider for Posit Connect.
//!
//! Three layers, one direction: [`tfplugin`] speaks Terraform's plugin protocol and knows nothing
//! of Connect; [`connect`] is an HTTP client for Connect's API and knows nothing of Terraform;
//! [`resources`], [`data_sources`] and [`actions`] are where the two meet, sharing
//! [`provider_data`] (what configure hands every operation), [`connect_diagnostics`] (Connect's
//! errors as diagnostics), [`content_diagnostics`] (what the content resources say of their content), [`list_cache`] and [`template_catalogue`]. [`provider`] ties them
//! together.

pub mod actions;
pub mod connect;
pub mod connect_diagnostics;
pub mod content_diagnostics;
pub mod data_sources;
pub mod list_cache;
pub mod logging;
pub mod provider;
pub mod provider_data;
pub mod resources;
pub mod template_catalogue;
pub use tfplugin;
pub mod untrusted;
