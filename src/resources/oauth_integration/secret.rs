//! What a plan or an apply does to the client secret: which secret the configuration asks for
//! (plain, kept in state, or write-only, in the configuration only) and whether a change sends
//! it, keeps it, or takes it away, read from the config of the prior state, the plan and the
//! configuration. Shared by planning (a removal replaces) and the requests.

use super::model::ConfigState;

/// The secret the configuration asks for: the plain one (kept in state) or the write-only one
/// (in the configuration only). `None` means no secret (a Public application).
pub(super) fn desired_secret<'a>(planned: &'a ConfigState, config: &'a ConfigState) -> Option<&'a str> {
    planned.client_secret.as_str().or_else(|| config.client_secret_wo.as_str())
}

/// What a change does to the client secret on the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SecretChange<'a> {
    /// Leaves the server's secret alone (or, on create, sends none).
    Keep,
    /// Sends this secret.
    Send(&'a str),
    /// Takes the secret away (the application becomes a Public one). No request can say so:
    /// the plan replaces the integration instead (see `plan::removed_config_keys`).
    Remove,
}

/// Whether an update sends the secret, and which. The plain secret is sent when it changed; the
/// write-only one, which Terraform cannot compare, when its version changed or when it replaces
/// a plain one.
pub(super) fn secret_to_send<'a>(
    prior: &ConfigState,
    planned: &'a ConfigState,
    config: &'a ConfigState,
) -> SecretChange<'a> {
    let plain_changed = prior.client_secret != planned.client_secret;
    let version_changed = prior.client_secret_wo_version != planned.client_secret_wo_version;
    let send = if config.client_secret_wo.is_null() {
        plain_changed || version_changed
    } else {
        version_changed || !prior.client_secret.is_null()
    };
    if send {
        desired_secret(planned, config).map_or(SecretChange::Remove, SecretChange::Send)
    } else {
        SecretChange::Keep
    }
}
