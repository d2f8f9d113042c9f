//! What a plan or an apply does to the client secret: which secret the configuration asks for
//! (plain, kept in state, or write-only, in the configuration only) and whether a change sends
//! it, keeps it, or takes it away. Shared by planning (a removal replaces) and the requests.

use tfplugin::value::Value;

/// The secret the configuration asks for: the plain one (kept in state) or the write-only one
/// (in the configuration only). `None` means no secret (a Public application).
pub(super) fn desired_secret<'a>(planned: &'a Value, config: &'a Value) -> Option<&'a str> {
    planned
        .get("config")
        .get("client_secret")
        .as_str()
        .or_else(|| config.get("config").get("client_secret_wo").as_str())
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
pub(super) fn secret_to_send<'a>(prior: &Value, planned: &'a Value, config: &'a Value) -> SecretChange<'a> {
    let (p, n) = (prior.get("config"), planned.get("config"));
    let plain_changed = p.get("client_secret") != n.get("client_secret");
    let version_changed = p.get("client_secret_wo_version") != n.get("client_secret_wo_version");
    let uses_wo = !config.get("config").get("client_secret_wo").is_null();
    let send =
        if uses_wo { version_changed || !p.get("client_secret").is_null() } else { plain_changed || version_changed };
    if send {
        desired_secret(planned, config).map_or(SecretChange::Remove, SecretChange::Send)
    } else {
        SecretChange::Keep
    }
}
