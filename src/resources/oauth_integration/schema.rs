//! The schema of `posit_connect_oauth_integration`: every attribute users write or read, with its
//! default, plan modifiers and validators.

mod descriptions;

use std::sync::LazyLock;

use super::scopes::{DefaultScopes, ScopeSetEquality};
use crate::template_catalogue::TEMPLATE_IDS;
use tfplugin::plan_modifiers::{RequiresReplace, UseStateForUnknown};
use tfplugin::schema::{Attribute, Block, IdentityAttribute, IdentitySchema, Schema};
use tfplugin::validators::{NotBlank, OneOf};
use tfplugin::value::Type;
use tfplugin::value::Value;

/// Every template's auth types together, for a configuration whose template is not known.
pub const AUTH_TYPES: &[&str] = &["Viewer", "Service Account", "Visitor API Key"];
/// What `config.max_role` accepts (the `connect` template): the highest role a visitor's API key
/// gets.
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
/// What `config.auth_mode` accepts: a Confidential client authenticates with its secret, a Public
/// one has none.
pub const AUTH_MODES: &[&str] = &["Confidential", "Public"];

/// Version 1 writes `config` as a nested block (`config { ... }`), so that Terraform refuses a
/// misspelled key; version 0 had it as a nested attribute (`config = { ... }`), which drops one
/// without a word. The stored state is the same object either way, so upgrading a version 0
/// state changes nothing in it (the framework reads stored states with the current schema).
pub const SCHEMA_VERSION: i64 = 1;

/// The resource's attributes with their defaults, plan modifiers and validators, at
/// [`SCHEMA_VERSION`]; [`OAuthIntegration::new`](super::OAuthIntegration::new) builds it once.
pub fn schema() -> Schema {
    Schema::new(
        SCHEMA_VERSION,
        Block::new(
            descriptions::RESOURCE,
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
                    .describe(descriptions::TEMPLATE),
                Attribute::string("name")
                    .required()
                    .validate(NotBlank)
                    .describe("The name publishers see when choosing an integration. Updates in place."),
                Attribute::string("description")
                    .default(Value::string(""))
                    .describe("A description for publishers. Defaults to the empty string. Updates in place."),
                Attribute::block("config", config_block()).required().describe(descriptions::CONFIG),
                Attribute::single("permissions", permissions_block())
                    .optional()
                    .computed()
                    .describe(descriptions::PERMISSIONS),
                Attribute::number("content_count")
                    .computed()
                    .plan_modifier(UseStateForUnknown)
                    .describe(descriptions::CONTENT_COUNT),
                Attribute::of_type("environment_variables", Type::List(Box::new(Type::String)))
                    .computed()
                    .plan_modifier(UseStateForUnknown)
                    .describe(descriptions::ENVIRONMENT_VARIABLES),
                Attribute::string("created_time")
                    .computed()
                    .plan_modifier(UseStateForUnknown)
                    .describe("When the integration was created (RFC 3339)."),
                Attribute::string("updated_time")
                    .computed()
                    .describe("When the integration was last changed (RFC 3339)."),
            ],
        ),
    )
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
            Attribute::bool("all_publishers").optional().computed().describe(descriptions::ALL_PUBLISHERS),
        ],
    )
}

fn config_block() -> Block {
    Block::new(
        "",
        vec![
            // Checked in `plan::validate`, against the template's own auth types.
            Attribute::string("auth_type").optional().computed().describe(descriptions::AUTH_TYPE),
            Attribute::string("tenant_id").optional().describe(descriptions::TENANT_ID),
            Attribute::string("client_id").optional().describe(descriptions::CLIENT_ID),
            Attribute::string("client_secret").optional().sensitive().describe(descriptions::CLIENT_SECRET),
            // Write-only, not also sensitive: the value never reaches plan or state (Terraform
            // prints "(write-only attribute)" in its place), while a sensitive flag would add a
            // path to every integration's `sensitive_attributes`, which Terraform re-marshals on
            // each state write and walks on each refresh (~10% of `apply` at 500 integrations).
            // tests/e2e/secrets.rs checks a non-sensitive variable given here shows nowhere.
            Attribute::string("client_secret_wo").optional().write_only().describe(descriptions::CLIENT_SECRET_WO),
            Attribute::number("client_secret_wo_version").optional().describe(descriptions::CLIENT_SECRET_WO_VERSION),
            Attribute::string("auth_mode")
                .optional()
                .computed()
                .validate(OneOf(AUTH_MODES))
                .describe(descriptions::AUTH_MODE),
            Attribute::string("authorization_uri")
                .optional()
                .describe("The OAuth authorization endpoint (`custom`; required there)."),
            Attribute::string("token_uri").optional().describe("The OAuth token endpoint (`custom`; required there)."),
            Attribute::string("token_endpoint_auth_method")
                .optional()
                .computed()
                .describe(descriptions::TOKEN_ENDPOINT_AUTH_METHOD),
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
                .describe("The highest role a visitor's API key gets (`connect`, required there)."),
            Attribute::of_type("extra", Type::Map(Box::new(Type::String))).optional().describe(descriptions::EXTRA),
            Attribute::of_type("extra_sensitive", Type::Map(Box::new(Type::String)))
                .optional()
                .sensitive()
                .describe(descriptions::EXTRA_SENSITIVE),
            Attribute::string("scopes")
                .optional()
                .computed()
                .validate(NotBlank)
                .plan_modifier(DefaultScopes)
                .plan_modifier(ScopeSetEquality)
                .describe(&descriptions::scopes()),
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
                Attribute::string("template")
                    .optional()
                    .validate(OneOf(TEMPLATE_IDS))
                    .describe(descriptions::LIST_TEMPLATE),
                Attribute::string("name_pattern").optional().describe(descriptions::LIST_NAME_PATTERN),
            ],
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The client shows in a logged body only the config keys it knows are not secret: those are
    /// exactly the schema's named keys that are neither sensitive nor write-only (`extra`'s
    /// keys, which may be anything, stay masked).
    #[test]
    fn the_clients_plain_keys_are_the_schemas_plain_keys() {
        let plain: std::collections::BTreeSet<&str> = CONFIG_BLOCK
            .attributes
            .iter()
            .filter(|a| matches!(a.value_type(), Type::String | Type::Bool) && !a.sensitive && !a.write_only)
            .map(|a| a.name.as_str())
            .collect();
        let client: std::collections::BTreeSet<&str> = crate::connect::PLAIN_CONFIG_KEYS.iter().copied().collect();
        assert_eq!(plain, client);
    }

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
