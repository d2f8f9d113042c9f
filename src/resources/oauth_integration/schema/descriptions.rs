//! The long descriptions of `posit_connect_oauth_integration`'s attributes, kept out of
//! [`schema`](super::schema) so that it stays short (and rustfmt formats it). docgen writes them
//! into the docs' Schema section; `terraform providers schema -json` and editors show them too.
//!
//! What a validator accepts is not repeated here: docgen appends each validator's own
//! description (`Must be one of ...`), and the template's facts come from the catalogue.

use crate::template_catalogue::TEMPLATES;

// The resource and its attributes (`schema`).

pub(super) const RESOURCE: &str = "\
    An OAuth integration on Posit Connect: how content reaches an external service (Microsoft Azure through an \
    application registered in Microsoft Entra ID, or one of the other Connect templates listed under `template`) \
    on behalf of its viewers or a service account.";

pub(super) const TEMPLATE: &str =
    "The Connect template. **Changing it replaces the integration** (Connect cannot change a template).";

pub(super) const CONFIG: &str = "\
    The template's configuration, e.g. from the Azure application registration. Each template requires some of \
    these keys: they are checked at plan, and the plan names any that is missing. Every `config` change updates \
    the integration in place.";

pub(super) const PERMISSIONS: &str = "\
    Who may use the integration: the users and groups allowed, by guid (see the `posit_connect_user` and \
    `posit_connect_group` data sources). Left out, it is not managed: never sent, and the state shows what Connect \
    has. Set, it is authoritative: Connect is given exactly these users and groups, a change made in the dashboard \
    shows in the next plan, and apply restores the configuration. Compared as sets, so order and letter case make \
    no change. An empty list would open the integration to every publisher: ask for that with `all_publishers = \
    true`. Needs a Connect with permissions on integrations: a server without them makes a configured \
    `permissions` an error.";

// `permissions` (`permissions_block`).

pub(super) const ALL_PUBLISHERS: &str = "\
    `true` to let every publisher use the integration (Connect's empty list), without users or groups; it is then \
    `true` in state whenever Connect's list is empty. Left out, it is derived.";

// `config` (`config_block`).

pub(super) const AUTH_TYPE: &str = "\
    `Viewer` (each visitor signs in) or `Service Account` (client credentials; needs a client secret) for every \
    template but `connect`, whose only type is `Visitor API Key`. When left out, the template's default is sent: \
    `Viewer`, or `Visitor API Key` for `connect`.";

pub(super) const TENANT_ID: &str = "\
    The Microsoft Entra ID tenant (directory) id, a GUID. Required for the Azure templates (`azure`, \
    `azure-openai`, `msgraph`, `sharepoint`).";

pub(super) const CLIENT_ID: &str = "\
    The OAuth application's client id (for the Azure templates, the Entra ID application id, a GUID). Required by \
    every template but `aws` and `connect`.";

pub(super) const CLIENT_SECRET: &str = "\
    The app registration's client secret. Required for `Service Account` and for `snowflake` (or give \
    `client_secret_wo`); omit it for a Public Viewer application. Connect never returns it, so it cannot be \
    imported or checked for drift.";

pub(super) const CLIENT_SECRET_WO: &str = "\
    Write-only alternative to `client_secret` (Terraform 1.11+, OpenTofu 1.11+): sent to Connect but never stored \
    in state or plan files. Sent on create, and on update only when `client_secret_wo_version` changes (or when it \
    replaces `client_secret`). Conflicts with `client_secret`.";

pub(super) const CLIENT_SECRET_WO_VERSION: &str = "\
    Any number; change it to send `client_secret_wo` again (to rotate the secret). Only with `client_secret_wo`.";

pub(super) const AUTH_MODE: &str = "\
    The OAuth client type. When left out, Connect decides it (known after apply; typically `Confidential` \
    with a client secret or for `Service Account`, `Public` otherwise) and the provider neither sends nor predicts \
    it.";

pub(super) const TOKEN_ENDPOINT_AUTH_METHOD: &str = "\
    How the client authenticates to the token endpoint (`custom`), e.g. `client_secret_basic` or \
    `client_secret_post`. Connect fills it in when left out.";

pub(super) const EXTRA: &str = "\
    Config keys this schema does not name, as strings, for templates' other fields. Drift is tracked for the keys \
    given here only; after an import it holds every unnamed key the server returned.";

pub(super) const EXTRA_SENSITIVE: &str = "\
    Config keys this schema does not name whose values are secret (fields the template marks secret, such as a \
    signing key), sent as strings. Terraform hides them in plans; like `client_secret`, Connect never returns \
    them, so they are sent when they change here and cannot be checked for drift. When Connect can be asked at \
    plan, a secret field put in `extra` is refused with a pointer to `extra_sensitive`.";

/// `scopes`, with each template's default scopes and the templates that require them, from the
/// catalogue.
pub(super) fn scopes() -> String {
    let defaults: Vec<String> =
        TEMPLATES.iter().filter_map(|t| Some(format!("`{}`: `{}`", t.id, t.default_scopes?))).collect();
    let required: Vec<String> =
        TEMPLATES.iter().filter(|t| t.required.contains(&"scopes")).map(|t| format!("`{}`", t.id)).collect();
    format!(
        "Space-separated scopes. When left out, the template's default ({}) and, for a template without one, what \
         Connect fills in. Required for {}. Compared as a set: the same scopes in another order or spacing are not a \
         change. A Viewer integration without `offline_access` gets a warning, since Entra ID then issues no \
         refresh token.",
        defaults.join("; "),
        and_list(&required),
    )
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [rest @ .., last] if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => items.join(""),
    }
}

// The list resource's configuration (`list_schema`).

pub(super) const LIST_TEMPLATE: &str = "\
    Only integrations of this template, e.g. `msgraph`. Without it, integrations of every template \
    `posit_connect_oauth_integration` accepts.";

pub(super) const LIST_NAME_PATTERN: &str = "\
    Only integrations whose name matches this pattern: `*` matches any run of characters, `?` any one character; \
    everything else matches itself, case included.";

pub(super) const CONTENT_COUNT: &str = "How many content items use the integration (their associations), as Connect \
    counts them for an administrator's key; null when the server does not say. Destroying or replacing an \
    integration whose count is 0 needs no look at its associations.";

pub(super) const ENVIRONMENT_VARIABLES: &str = "The names of the environment variables the integration gives the \
    content that uses it; null when the server does not say.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_name_the_catalogues_defaults() {
        let text = scopes();
        for t in TEMPLATES {
            if let Some(default) = t.default_scopes {
                assert!(text.contains(&format!("`{}`: `{default}`", t.id)), "{text}");
            }
        }
        assert!(text.contains(" Required for `azure`. "), "{text}");
        assert_eq!(and_list(&["`a`".into(), "`b`".into(), "`c`".into()]), "`a`, `b` and `c`");
    }
}
