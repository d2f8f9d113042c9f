//! A client for Posit Connect's HTTP API. Knows nothing of Terraform.

mod client;
mod error;
mod retry;
mod secret;
mod tls;
mod types;

pub use client::associations::Association;
pub use client::server::{ServerInfo, Version};
pub use client::templates::{TemplateDefinition, TemplateField};
pub use client::{Client, ClientConfig, TlsOptions, CREATE_GRACE, DEFAULT_TIMEOUT};
pub use error::{Error, GiveUp};
pub use retry::{RetryPolicy, DEFAULT_MAX_RETRIES};
pub use secret::Secret;
pub use tokio_util::sync::CancellationToken;
pub use types::{Config, Deleted, Integration, IntegrationUpdate, NewIntegration};

#[cfg(test)]
mod client_tests;
#[cfg(test)]
mod fake_tests;
#[cfg(test)]
mod reliability_tests;
#[cfg(test)]
mod test_server;
#[cfg(test)]
mod types_tests;
