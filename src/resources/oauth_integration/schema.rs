//! The schema of `posit_connect_oauth_integration`: every attribute users write or read, with its
//! default, plan modifiers and validators.

use crate::resources::templates::TEMPLATE_IDS;
use crate::tfplugin::schema::{Attribute, Block, IdentityAttribute, IdentitySchema, PlanModifier, Schema};
use crate::tfplugin::validators::{Guid, NotBlank, OneOf};
use crate::tfplugin::value::Type;
use crate::tfplugin::value::Value;

pub const AUTH_TYPES: &[&str] = &["Viewer", "Service Account"];
pub const AUTH_MODES: &[&str] = &["Confidential", "Public"];

pub fn schema() -> Schema {
    Schema::new(0, Block::new(
        "An OAuth integration on Posit Connect, connecting content to Microsoft Azure through an application registered in Microsoft Entra ID.",
        vec![
            Attribute::string("id")
                .computed()
                .modifier(PlanModifier::UseStateForUnknown)
                .describe("The integration's guid (the same value as `guid`)."),
            Attribute::string("guid")
                .computed()
                .modifier(PlanModifier::UseStateForUnknown)
                .describe("The integration's guid, assigned by Connect."),
            Attribute::string("template")
                .required()
                .modifier(PlanModifier::RequiresReplace)
                .validate(OneOf(TEMPLATE_IDS))
                .describe("The Connect template: `azure`, `azure-openai`, `msgraph` or `sharepoint`. Changing it replaces the integration."),
            Attribute::string("name")
                .required()
                .validate(NotBlank)
                .describe("The name publishers see when choosing an integration."),
            Attribute::string("description")
                .default(Value::string(""))
                .describe("A description for publishers. Defaults to the empty string."),
            Attribute::single("config", config_block())
                .required()
                .describe("The template's configuration, from the Azure application registration."),
            Attribute::string("created_time").computed().modifier(PlanModifier::UseStateForUnknown)
                .describe("When the integration was created (RFC 3339)."),
            Attribute::string("updated_time").computed()
                .describe("When the integration was last changed (RFC 3339)."),
        ],
    ))
}

fn config_block() -> Block {
    Block::new(
        "",
        vec![
            Attribute::string("auth_type")
                .default(Value::string("Viewer"))
                .validate(OneOf(AUTH_TYPES))
                .describe("`Viewer` (each visitor signs in; the default) or `Service Account` (client credentials; needs `client_secret`)."),
            Attribute::string("tenant_id")
                .required()
                .validate(Guid)
                .describe("The Microsoft Entra ID tenant (directory) id, a GUID."),
            Attribute::string("client_id")
                .required()
                .validate(Guid)
                .describe("The application (client) id of the Entra ID app registration, a GUID."),
            Attribute::string("client_secret")
                .optional()
                .sensitive()
                .describe("The app registration's client secret. Required for `Service Account`; omit it for a Public Viewer application. Connect never returns it, so it cannot be imported or checked for drift."),
            Attribute::string("client_secret_wo")
                .optional()
                .sensitive()
                .write_only()
                .describe("Write-only alternative to `client_secret` (Terraform 1.11+, OpenTofu 1.11+): sent to Connect but never stored in state or plan files. Sent on create, and on update only when `client_secret_wo_version` changes. Conflicts with `client_secret`."),
            Attribute::number("client_secret_wo_version")
                .optional()
                .describe("Any number; change it to send `client_secret_wo` again (to rotate the secret). Goes with `client_secret_wo`."),
            Attribute::string("auth_mode")
                .optional()
                .computed()
                .validate(OneOf(AUTH_MODES))
                .describe("`Confidential` or `Public`. Defaults to `Confidential` when a client secret is given (always for `Service Account`), `Public` otherwise."),
            Attribute::string("scopes")
                .optional()
                .computed()
                .validate(NotBlank)
                .describe("Space-separated scopes. Defaults to the template's scopes (required for `azure`). Compared as a set: order and spacing are not changes. Viewer integrations need `offline_access` for a refresh token."),
        ],
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
            description: "The integration's guid.".into(),
        }],
    }
}

/// The templates this resource manages, which `terraform query` lists (others are skipped).
pub const TEMPLATE_FILTER: &[&str] = TEMPLATE_IDS;

/// The configuration of a `list "posit_connect_oauth_integration"` block (`terraform query`).
pub fn list_schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "Lists the OAuth integrations on Connect, to adopt them with `terraform query -generate-config-out`.",
            vec![
                Attribute::string("template").optional().validate(OneOf(TEMPLATE_IDS)).describe("Only integrations of this template."),
                Attribute::string("name_pattern")
                    .optional()
                    .describe("Only integrations whose name matches this pattern: `*` matches any run of characters, `?` any one."),
            ],
        ),
    )
}
