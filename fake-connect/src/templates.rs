//! The OAuth templates `GET /v1/oauth/templates` describes.
//!
//! Only the Azure family is described: it is the only one whose fields are documented
//! (`shared/seeds/000_*.txt`). The shape follows a recorded answer (rsconnect-python's test data):
//! `fields[]` with `name` (the config key), `label`, `default`, `validation` (a regex) and
//! `secret`, and `options[]` with `name`, `label`, `type`, `default`.

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

fn field(name: &str, label: &str, default: &str, validation: &str, secret: bool) -> Value {
    json!({"name": name, "label": label, "default": default, "validation": validation, "secret": secret})
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
    })
}

/// All described templates.
pub fn all() -> Vec<Value> {
    AZURE.iter().map(|(id, name, description, scopes)| azure_template(id, name, description, scopes)).collect()
}

/// One template by id.
pub fn get(id: &str) -> Option<Value> {
    all().into_iter().find(|t| t["id"] == id)
}
