//! The schema of `posit_connect_oauth_integration`: every attribute users write or read, with its
//! default, plan modifiers and validators.

use std::sync::LazyLock;

use super::scopes::{DefaultScopes, ScopeSetEquality};
use crate::resources::template_catalogue::TEMPLATE_IDS;
use tfplugin::plan_modifiers::{RequiresReplace, UseStateForUnknown};
use tfplugin::schema::{Attribute, Block, IdentityAttribute, IdentitySchema, Schema};
use tfplugin::validators::{NotBlank, OneOf};
use tfplugin::value::Type;
use tfplugin::value::Value;

/// Every template's auth types together, for a configuration whose template is not known.
pub const AUTH_TYPES: &[&str] = &["Viewer", "Service Account", "Visitor API Key"];
pub const MAX_ROLES: &[&str] = &["Viewer", "Publisher", "Admin"];

/// The `config` block, built once for the key lists derived from it.
static CONFIG_BLOCK: LazyLock<Block> = LazyLock::new(config_block);

/// Config keys with a string value that the schema names, besides the secrets.
pub static STRING_KEYS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let strings = CONFIG_BLOCK.attributes.iter().filter(|a| a.value_type() == Type::String);
    strings.filter(|a| !a.sensitive && !a.write_only).map(|a| a.name.as_str()).collect()
});

/// Config keys Connect fills in by itself when they are not sent: planned unknown on create
/// (and when the config changes) unless configured, so they are never a perpetual change.
pub const SERVER_FILLED_KEYS: &[&str] = &["token_endpoint_auth_method", "use_pkce"];

/// Config keys holding a secret (sensitive or write-only; `extra_sensitive` aside): no message
/// may quote their values, whatever the server's template says of the field.
pub static SECRET_KEYS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let strings = CONFIG_BLOCK.attributes.iter().filter(|a| a.value_type() == Type::String);
    strings.filter(|a| a.sensitive || a.write_only).map(|a| a.name.as_str()).collect()
});
pub const AUTH_MODES: &[&str] = &["Confidential", "Public"];

pub fn schema() -> Schema {
    Schema::new(0, Block::new(
        "An OAuth integration on Posit Connect: how content reaches an external service (Microsoft Azure through an application registered in Microsoft Entra ID, or one of the other Connect templates listed under `template`) on behalf of its viewers or a service account.",
        vec![
            Attribute::string("id")
                .computed()
                .plan_modifier(UseStateForUnknown)
                .describe("The integration's guid (the same value as `guid`)."),
            Attribute::string("guid")
                .computed()
                .plan_modifier(UseStateForUnknown)
                .describe("The integration's guid, assigned by Connect."),
            Attribute::string("template")
                .required()
                .plan_modifier(RequiresReplace)
                .validate(OneOf(TEMPLATE_IDS))
                .describe("The Connect template: `azure`, `azure-openai`, `msgraph`, `sharepoint`, `aws`, `connect`, `custom`, `databricks`, `github`, `bigquery`, `drive`, `sheets`, `vertex-ai`, `salesforce` or `snowflake`; any other value is an error at plan. **Changing it replaces the integration** (Connect cannot change a template)."),
            Attribute::string("name")
                .required()
                .validate(NotBlank)
                .describe("The name publishers see when choosing an integration. Must not be empty. Updates in place."),
            Attribute::string("description")
                .default(Value::string(""))
                .describe("A description for publishers. Defaults to the empty string. Updates in place."),
            Attribute::single("config", config_block())
                .required()
                .describe("The template's configuration, e.g. from the Azure application registration. Each template requires some of these keys: they are checked at plan, and the plan names any that is missing. Every `config` change updates the integration in place."),
            Attribute::single("permissions", permissions_block())
                .optional()
                .computed()
                .describe("Who may use the integration: the users and groups allowed, by guid (see the `posit_connect_user` and `posit_connect_group` data sources). Left out, it is not managed: never sent, and the state shows what Connect has. Set, it is authoritative: Connect is given exactly these users and groups, a change made in the dashboard shows in the next plan, and apply restores the configuration. Compared as sets, so order and letter case make no change. An empty list would open the integration to every publisher: ask for that with `all_publishers = true`. Needs a Connect with permissions on integrations: a server without them makes a configured `permissions` an error."),
            Attribute::string("created_time").computed().plan_modifier(UseStateForUnknown)
                .describe("When the integration was created (RFC 3339)."),
            Attribute::string("updated_time").computed()
                .describe("When the integration was last changed (RFC 3339)."),
        ],
    ))
}

fn permissions_block() -> Block {
    Block::new(
        "",
        vec![
            Attribute::of_type("users", Type::Set(Box::new(Type::String)))
                .optional()
                .computed()
                .describe("The guids of the users allowed to use the integration."),
            Attribute::of_type("groups", Type::Set(Box::new(Type::String)))
                .optional()
                .computed()
                .describe("The guids of the groups whose members may use the integration."),
            Attribute::bool("all_publishers")
                .optional()
                .computed()
                .describe("`true` to let every publisher use the integration (Connect's empty list), without users or groups; it is then `true` in state whenever Connect's list is empty. Left out, it is derived."),
        ],
    )
}

fn config_block() -> Block {
    Block::new(
        "",
        vec![
            // Checked in `plan::validate`, against the template's own auth types.
            Attribute::string("auth_type")
                .optional()
                .computed()
                .describe("`Viewer` (each visitor signs in) or `Service Account` (client credentials; needs a client secret) for every template but `connect`, whose only type is `Visitor API Key`. When left out, the template's default is sent: `Viewer`, or `Visitor API Key` for `connect`."),
            Attribute::string("tenant_id")
                .optional()
                .describe("The Microsoft Entra ID tenant (directory) id, a GUID. Required for the Azure templates (`azure`, `azure-openai`, `msgraph`, `sharepoint`)."),
            Attribute::string("client_id")
                .optional()
                .describe("The OAuth application's client id (for the Azure templates, the Entra ID application id, a GUID). Required by every template but `aws` and `connect`."),
            Attribute::string("client_secret")
                .optional()
                .sensitive()
                .describe("The app registration's client secret. Required for `Service Account` and for `snowflake` (or give `client_secret_wo`); omit it for a Public Viewer application. Connect never returns it, so it cannot be imported or checked for drift."),
            // Write-only, not also sensitive: the value never reaches plan or state (Terraform
            // prints "(write-only attribute)" in its place), while a sensitive flag would add a
            // path to every integration's `sensitive_attributes`, which Terraform re-marshals on
            // each state write and walks on each refresh (~10% of `apply` at 500 integrations).
            // tests/e2e/secrets.rs checks a non-sensitive variable given here shows nowhere.
            Attribute::string("client_secret_wo")
                .optional()
                .write_only()
                .describe("Write-only alternative to `client_secret` (Terraform 1.11+, OpenTofu 1.11+): sent to Connect but never stored in state or plan files. Sent on create, and on update only when `client_secret_wo_version` changes (or when it replaces `client_secret`). Conflicts with `client_secret`."),
            Attribute::number("client_secret_wo_version")
                .optional()
                .describe("Any number; change it to send `client_secret_wo` again (to rotate the secret). Only with `client_secret_wo`."),
            Attribute::string("auth_mode")
                .optional()
                .computed()
                .validate(OneOf(AUTH_MODES))
                .describe("`Confidential` or `Public`. When left out, Connect decides it (known after apply; typically `Confidential` with a client secret or for `Service Account`, `Public` otherwise) and the provider neither sends nor predicts it."),
            Attribute::string("authorization_uri")
                .optional()
                .describe("The OAuth authorization endpoint (`custom`; required there)."),
            Attribute::string("token_uri").optional().describe("The OAuth token endpoint (`custom`; required there)."),
            Attribute::string("token_endpoint_auth_method")
                .optional()
                .computed()
                .describe("How the client authenticates to the token endpoint (`custom`), e.g. `client_secret_basic` or `client_secret_post`. Connect fills it in when left out."),
            Attribute::bool("use_pkce")
                .optional()
                .computed()
                .describe("Whether the authorization-code flow uses PKCE. Connect fills it in when left out."),
            Attribute::string("account_url")
                .optional()
                .describe("The account URL (`snowflake`, required there: `https://<account>.snowflakecomputing.com`)."),
            Attribute::string("max_role")
                .optional()
                .validate(OneOf(MAX_ROLES))
                .describe("The highest role a visitor's API key gets (`connect`, required there): `Viewer`, `Publisher` or `Admin`."),
            Attribute::of_type("extra", Type::Map(Box::new(Type::String)))
                .optional()
                .describe("Config keys this schema does not name, as strings, for templates' other fields. Drift is tracked for the keys given here only; after an import it holds every unnamed key the server returned."),
            Attribute::of_type("extra_sensitive", Type::Map(Box::new(Type::String)))
                .optional()
                .sensitive()
                .describe("Config keys this schema does not name whose values are secret (fields the template marks secret, such as a signing key), sent as strings. Terraform hides them in plans; like `client_secret`, Connect never returns them, so they are sent when they change here and cannot be checked for drift. When Connect can be asked at plan, a secret field put in `extra` is refused with a pointer to `extra_sensitive`."),
            Attribute::string("scopes")
                .optional()
                .computed()
                .validate(NotBlank)
                .plan_modifier(DefaultScopes)
                .plan_modifier(ScopeSetEquality)
                .describe("Space-separated scopes. When left out, the template's default (`azure-openai`: `https://cognitiveservices.azure.com/.default offline_access`; `msgraph`: `https://graph.microsoft.com/.default offline_access`; `sharepoint`: `00000003-0000-0ff1-ce00-000000000000/.default offline_access`) and, for a template without one, what Connect fills in. Required for `azure`. Compared as a set: the same scopes in another order or spacing are not a change. A Viewer integration without `offline_access` gets a warning, since Entra ID then issues no refresh token."),
        ],
    )
}

/// Whether a config key has its own attribute (so it cannot also be in `extra`).
pub fn is_named_key(key: &str) -> bool {
    STRING_KEYS.contains(&key)
        || matches!(
            key,
            "client_secret"
                | "client_secret_wo"
                | "client_secret_wo_version"
                | "use_pkce"
                | "extra"
                | "extra_sensitive"
        )
}

/// The identity of an integration: its guid, which never changes.
pub fn identity_schema() -> IdentitySchema {
    IdentitySchema {
        version: 0,
        attributes: vec![IdentityAttribute {
            name: "guid".into(),
            ty: Type::String,
            required_for_import: true,
            description: "The integration's guid, which never changes.".into(),
        }],
    }
}

/// The configuration of a `list "posit_connect_oauth_integration"` block (`terraform query`).
pub fn list_schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "Lists the OAuth integrations on Connect, to adopt them with `terraform query -generate-config-out`.",
            vec![
                Attribute::string("template").optional().validate(OneOf(TEMPLATE_IDS)).describe("Only integrations of this template, one of those `posit_connect_oauth_integration` accepts, e.g. `msgraph`. Without it, integrations of every such template."),
                Attribute::string("name_pattern")
                    .optional()
                    .describe("Only integrations whose name matches this pattern: `*` matches any run of characters, `?` any one character; everything else matches itself, case included."),
            ],
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_lists_follow_the_schema() {
        assert_eq!(*SECRET_KEYS, ["client_secret", "client_secret_wo"]);
        let mut strings = STRING_KEYS.clone();
        strings.sort_unstable();
        assert_eq!(
            strings,
            [
                "account_url",
                "auth_mode",
                "auth_type",
                "authorization_uri",
                "client_id",
                "max_role",
                "scopes",
                "tenant_id",
                "token_endpoint_auth_method",
                "token_uri"
            ]
        );
    }
}
