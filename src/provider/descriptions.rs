//! The descriptions of the provider block's attributes, kept out of [`schema`](super::schema) so
//! that it stays short (and rustfmt formats it). docgen writes them into the Schema section of
//! `docs/index.md`.

pub(super) const CONNECT_SERVER: &str = "\
    The Connect server's base URL, e.g. `https://connect.example.org`, with or without a trailing slash (the \
    provider adds `/__api__`). An `http://` URL to another machine earns a warning: the API key would travel \
    unencrypted. Falls back to the `CONNECT_SERVER` environment variable.";

pub(super) const CONNECT_API_KEY: &str = "\
    An administrator's Connect API key. Falls back to the `CONNECT_API_KEY` environment variable, the usual way to \
    keep the key out of configuration (and out of plan files).";

pub(super) const CONNECT_CA_CERTIFICATE: &str = "\
    Certificate(s) of a private certificate authority to trust besides Mozilla's and the system's (the system's \
    not on macOS: see Platforms and TLS trust), for a Connect server whose TLS certificate it signed, or the \
    server's own self-signed certificate: PEM text (`-----BEGIN CERTIFICATE-----`...) or the path of a PEM file. \
    Falls back to the `CONNECT_CA_CERTIFICATE` environment variable.";

pub(super) const CONNECT_INSECURE: &str = "\
    Skip verifying Connect's TLS certificate (default `false`). For test servers only: anyone on the network path \
    could pose as Connect and read the API key. Prefer `connect_ca_certificate`. Falls back to the \
    `CONNECT_INSECURE` environment variable (`true` or `false`).";

pub(super) const CONNECT_REQUEST_TIMEOUT: &str = "\
    Seconds one request to Connect may take, connecting included, from 1 to 3600 (default 60); a request that \
    times out is retried (a create only after checking it made nothing). Falls back to the \
    `CONNECT_REQUEST_TIMEOUT` environment variable.";

pub(super) const CONNECT_MAX_RETRIES: &str = "\
    How many times a failed request is tried again, from 0 to 100 (default 5): on 429, 502, 503 and 504 answers \
    and connection errors, with exponential backoff and jitter, honouring `Retry-After`. A create is retried only \
    when Connect surely did not act on it, or after checking it made nothing. Falls back to the \
    `CONNECT_MAX_RETRIES` environment variable.";

pub(super) const CONNECT_OPERATION_TIMEOUT: &str = "\
    Seconds one operation may take in all, every attempt and wait between retries included, from 1 to 86400 \
    (default 300): an attempt gets at most the time left, and a wait (backoff or `Retry-After`) that would end \
    later fails the operation at once. Falls back to the `CONNECT_OPERATION_TIMEOUT` environment variable.";

pub(super) const PROTECT_USED_INTEGRATIONS: &str = "\
    Refuse to delete a `posit_connect_oauth_integration` that content still uses (default `false`). Connect \
    removes an integration's content associations when it deletes the integration, so that content loses access \
    until it is associated again. Either way a plan that destroys or replaces such an integration shows a warning \
    naming the content. With `true`, apply asks Connect again right before the delete and, if content still uses \
    the integration, fails with an error naming it and keeps the integration: associations that Terraform removes \
    earlier in the same apply (a `posit_connect_content_oauth_integrations` referring to the integration) no \
    longer count, so destroying both goes through. Remove the other associations first (or set this back to \
    `false`) to proceed.";
