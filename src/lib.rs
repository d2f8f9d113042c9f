//! terraform-provider-posit: a Terraform/OpenTofu provider for Posit Connect.
//!
//! Three layers, one direction: [`tfplugin`] speaks Terraform's plugin protocol and knows nothing
//! of Connect; [`connect`] is an HTTP client for Connect's API and knows nothing of Terraform;
//! [`resources`] is where the two meet, and [`provider`] ties them together.

pub mod connect;
pub mod logging;
pub mod provider;
pub mod resources;
pub use tfplugin;
pub mod untrusted;
