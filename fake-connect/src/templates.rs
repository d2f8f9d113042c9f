//! The OAuth templates `GET /v1/oauth/templates` describes.
//!
//! The Azure family (its fields and default scopes are in
//! `docs/resources/connect_oauth_integration.md` and `docs/guides/azure.md`) and `custom`,
//! `snowflake`, `github` and `connect`, whose fields the provider's tests use. The shape follows a
//! recorded answer (rsconnect-python's test data): `fields[]` with `name` (the config key),
//! `label`, `default`, `validation` (a regex) and `secret`, and `options[]` with `name`, `label`,
//! `type`, `default`; and Posit's API description: a field's `visibility_expression` says which
//! option values make it apply (`{"name", "operator", "value"}`, or `{"operator": "and"|"or",
//! "operands": [...]}`; the description names the parts, not the operators: `eq` is this fake's).
//!
//! Two templates carry facts the provider's built-in catalogue lacks, as a newer Connect's do:
//! `github` has a GitHub Enterprise Server hostname and, for its Service Account (GitHub App)
//! type, an App ID that must be given; `snowflake` has default scopes. The provider's tests show
//! these facts winning over the catalogue at plan.

use serde_json::{json, Value};

/// (id, display name, description, default scopes)
const AZURE: [(&str, &str, &str, &str); 4] = [
    ("azure", "Microsoft Azure", "Any Azure API, with the scopes the Azure administrator chose.", ""),
    (
        "azure-openai",
        "Azure OpenAI",
        "Azure OpenAI through Microsoft Cognitive Services.",
        "https://cognitiveservices.azure.com/.default offline_access",
    ),
    ("msgraph", "Microsoft Graph", "The Microsoft Graph API.", "https://graph.microsoft.com/.default offline_access"),
    ("sharepoint", "SharePoint", "SharePoint Online.", "00000003-0000-0ff1-ce00-000000000000/.default offline_access"),
];

/// The environment variables an integration of `template` gives content, as the fake's template
/// lists them. Which names a real Connect uses is not recorded: these are stand-ins, so that a
/// client can be seen to read the list, and no client may rely on them.
pub(crate) fn environment_variables(template: &str) -> Value {
    get(template).map_or_else(|| json!([]), |t| t.get("environment_variables").cloned().unwrap_or_else(|| json!([])))
}

fn field(name: &str, label: &str, default: &str, validation: &str, secret: bool) -> Value {
    json!({"name": name, "label": label, "default": default, "validation": validation, "secret": secret})
}

/// A field that applies only when the option `option` is `value`.
fn field_when(option: &str, value: &str, mut field: Value) -> Value {
    field["visibility_expression"] = json!({"name": option, "operator": "eq", "value": value});
    field
}

fn azure_template(id: &str, name: &str, description: &str, scopes: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "description": description,
        "fields": [
            field("tenant_id", "Tenant ID", "", r"^\S+$", false),
            field("client_id", "Client ID", "", r"^\S+$", false),
            field("client_secret", "Client Secret", "", "", true),
            field("scopes", "Scopes", scopes, r"^.+$", false),
        ],
        "options": [
            {"name": "auth_type", "label": "Authentication Type", "type": "select",
             "default": "Viewer", "values": ["Viewer", "Service Account"]},
        ],
        "environment_variables": ["AZURE_TENANT_ID", "AZURE_CLIENT_ID"],
    })
}

/// Templates beyond Azure whose fields the provider's tests exercise. Their patterns are
/// plausible stand-ins (no real server's are recorded), strict enough to refuse bad input.
fn other_templates() -> Vec<Value> {
    let viewer_or_service = json!([{"name": "auth_type", "label": "Authentication Type", "type": "select",
        "default": "Viewer", "values": ["Viewer", "Service Account"]}]);
    vec![
        json!({
            "id": "custom", "name": "Custom", "description": "Any OAuth 2.0 provider.",
            "fields": [
                field("client_id", "Client ID", "", r"^\S+$", false),
                field("client_secret", "Client Secret", "", "", true),
                field("authorization_uri", "Authorization URI", "", r"^https?://\S+$", false),
                field("token_uri", "Token URI", "", r"^https?://\S+$", false),
                field("token_endpoint_auth_method", "Token Endpoint Auth Method", "client_secret_basic",
                      "^(client_secret_basic|client_secret_post)$", false),
                field("use_pkce", "Use PKCE", "", "", false),
                field("scopes", "Scopes", "", "", false),
                field("audience", "Audience", "", "", false),
                field("signing_key", "Signing Key", "", "", true),
            ],
            "options": viewer_or_service,
        }),
        json!({
            "id": "snowflake", "name": "Snowflake", "description": "Snowflake, Confidential applications only.",
            "fields": [
                field("account_url", "Account URL", "", r"^https://\S+$", false),
                field("client_id", "Client ID", "", r"^\S+$", false),
                field("client_secret", "Client Secret", "", "", true),
                field("scopes", "Scopes", "refresh_token session:role-any", "", false),
            ],
            "options": viewer_or_service,
            "environment_variables": ["SNOWFLAKE_ACCOUNT"],
        }),
        json!({
            "id": "github", "name": "GitHub", "description": "GitHub and GitHub Enterprise Server.",
            "fields": [
                field("client_id", "Client ID", "", r"^\S+$", false),
                field("client_secret", "Client Secret", "", "", true),
                field("github_enterprise_server", "GitHub Enterprise Server", "", r"^$|^[A-Za-z0-9.-]+$", false),
                field_when("auth_type", "Viewer", field("scopes", "Scopes", "", "", false)),
                field_when("auth_type", "Service Account", field("app_id", "App ID", "", r"^[0-9]+$", false)),
            ],
            "options": viewer_or_service,
            "environment_variables": ["GITHUB_TOKEN"],
        }),
        json!({
            "id": "connect", "name": "Posit Connect", "description": "Connect's own API, with a visitor's API key.",
            "fields": [field("max_role", "Max Role", "Viewer", "^(Viewer|Publisher|Admin)$", false)],
            "options": [{"name": "auth_type", "label": "Authentication Type", "type": "select",
                "default": "Visitor API Key", "values": ["Visitor API Key"]}],
        }),
    ]
}

/// All described templates.
pub(crate) fn all() -> Vec<Value> {
    let mut all: Vec<Value> =
        AZURE.iter().map(|(id, name, description, scopes)| azure_template(id, name, description, scopes)).collect();
    all.extend(other_templates());
    all
}

/// One template by id.
pub(crate) fn get(id: &str) -> Option<Value> {
    all().into_iter().find(|t| t["id"] == id)
}
