//! A client for Posit Connect's HTTP API. Knows nothing of Terraform.

mod client;
mod error;
mod secret;
mod types;

pub use client::{Client, ClientConfig};
pub use error::Error;
pub use secret::Secret;
pub use types::{Config, Deleted, Integration, IntegrationUpdate, NewIntegration};

#[cfg(test)]
mod client_tests;
#[cfg(test)]
mod fake_tests;
#[cfg(test)]
mod test_server;
