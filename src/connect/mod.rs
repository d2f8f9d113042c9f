//! A client for Posit Connect's HTTP API. Knows nothing of Terraform.
//!
//! `client` holds the [`Client`] and its calls (with its settings, one HTTP attempt, and one file
//! per part of the API beside it), `retry` when and how long to wait before trying again, `types`
//! the request and answer bodies, `error` what can go wrong, `tls` which servers are trusted, and
//! `secret` a string that never prints. The tests that drive the client over HTTP sit here too.

mod client;
mod error;
mod retry;
mod secret;
mod server_templates;
mod tls;
mod types;

pub use client::associations::{Association, IntegrationUse};
pub use client::content::{
    Content, ContentItem, ContentPermission, Vanity, PROHIBITED_VANITY_PATH, VANITY_PATH_IN_USE,
};
pub use client::principals::{Group, User};
pub use client::server::{ServerInfo, Version};
pub use client::templates::{TemplateDefinition, TemplateField, TemplateOption, VisibilityExpression};
pub use client::{
    Client, ClientConfig, SecretHook, TlsOptions, CREATE_GRACE, DEFAULT_OPERATION_TIMEOUT, DEFAULT_TIMEOUT,
};
pub use error::{Error, GiveUp};
pub use retry::{RetryPolicy, DEFAULT_MAX_RETRIES};
pub use secret::{Secret, MASK};
pub use server_templates::{describe, holds, Listing, ServerTemplate, ServerTemplates, Setting, Templates};
pub use tokio_util::sync::CancellationToken;
pub use types::{
    same_scopes, Config, Deleted, Integration, IntegrationUpdate, NewIntegration, Permission, PLAIN_CONFIG_KEYS,
};

#[cfg(test)]
mod client_tests;
#[cfg(test)]
mod content_tests;
#[cfg(test)]
mod fake_tests;
#[cfg(test)]
mod reliability_tests;
#[cfg(test)]
mod test_server;
#[cfg(test)]
mod types_tests;
