//! What Connect accepts in an integration, and the config keys it adds on its own.
//!
//! Kept apart from the HTTP layer so the rules can be read (and changed) in one place. The rules
//! follow Connect's as `docs/resources/connect_oauth_integration.md` describes them: strict for
//! the Azure family, whose behaviour is documented, and permissive for the other templates, which
//! only need to round-trip for now.

use serde_json::{Map, Value};

use crate::errors::ApiError;

/// The template ids Connect knows (posit-sdk-py `OAuthIntegrationType`).
pub(crate) const TEMPLATES: [&str; 15] = [
    "aws",
    "azure",
    "azure-openai",
    "connect",
    "custom",
    "databricks",
    "github",
    "bigquery",
    "drive",
    "sheets",
    "vertex-ai",
    "msgraph",
    "salesforce",
    "sharepoint",
    "snowflake",
];

/// Templates that share the Microsoft Entra ID configuration (tenant, client, secret, scopes).
pub(crate) const AZURE_FAMILY: [&str; 4] = ["azure", "azure-openai", "msgraph", "sharepoint"];

pub(crate) const VIEWER: &str = "Viewer";
pub(crate) const SERVICE_ACCOUNT: &str = "Service Account";
pub(crate) const VISITOR_API_KEY: &str = "Visitor API Key";
pub(crate) const CONFIDENTIAL: &str = "Confidential";
pub(crate) const PUBLIC: &str = "Public";

/// The config key that is stored apart and never sent back.
pub(crate) const SECRET_KEY: &str = "client_secret";

pub(crate) fn is_known_template(template: &str) -> bool {
    TEMPLATES.contains(&template)
}

pub(crate) fn is_azure(template: &str) -> bool {
    AZURE_FAMILY.contains(&template)
}

/// The scopes the Connect docs give as a template's default (the seed page's, for the Azure
/// family; `azure` has none).
pub(crate) fn default_scopes(template: &str) -> Option<&'static str> {
    match template {
        "azure-openai" => Some("https://cognitiveservices.azure.com/.default offline_access"),
        "msgraph" => Some("https://graph.microsoft.com/.default offline_access"),
        "sharepoint" => Some("00000003-0000-0ff1-ce00-000000000000/.default offline_access"),
        _ => None,
    }
}

/// Checks one config value sent by a client: Connect's config values are strings, with a few
/// booleans (`use_pkce`); arrays and objects have no meaning there.
fn check_value(key: &str, value: &Value) -> Result<(), ApiError> {
    match value {
        Value::String(_) | Value::Bool(_) | Value::Number(_) => Ok(()),
        _ => Err(ApiError::bad_config(format!("The config key {key} must be a string"))),
    }
}

/// Reads a secret value; an empty string is refused so a client cannot hold an empty secret by
/// accident (a null in a PATCH is the way to remove it).
fn read_secret(value: &Value) -> Result<String, ApiError> {
    match value {
        Value::String(s) if !s.is_empty() => Ok(s.clone()),
        Value::String(_) => Err(ApiError::bad_config(format!("The config key {SECRET_KEY} must not be empty"))),
        _ => Err(ApiError::bad_config(format!("The config key {SECRET_KEY} must be a string"))),
    }
}

/// Splits a POST's `config` into the stored (echoed) part and the secret. Null values are
/// treated as absent.
pub(crate) fn split_config(config: &Map<String, Value>) -> Result<(Map<String, Value>, Option<String>), ApiError> {
    let mut stored = Map::new();
    let mut secret = None;
    for (key, value) in config {
        if value.is_null() {
            continue;
        }
        if key == SECRET_KEY {
            secret = Some(read_secret(value)?);
        } else {
            check_value(key, value)?;
            stored.insert(key.clone(), value.clone());
        }
    }
    Ok((stored, secret))
}

/// Merges a PATCH's `config` into a stored config: a key with a value replaces, a key with null
/// removes, keys not named stay. The secret follows the same rules.
pub(crate) fn merge_config(
    stored: &mut Map<String, Value>,
    secret: &mut Option<String>,
    patch: &Map<String, Value>,
) -> Result<(), ApiError> {
    for (key, value) in patch {
        if key == SECRET_KEY {
            *secret = if value.is_null() { None } else { Some(read_secret(value)?) };
        } else if value.is_null() {
            stored.remove(key);
        } else {
            check_value(key, value)?;
            stored.insert(key.clone(), value.clone());
        }
    }
    Ok(())
}

fn string_key<'a>(config: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, ApiError> {
    match config.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::bad_config(format!("The config key {key} must be a string"))),
    }
}

fn required_key(config: &Map<String, Value>, key: &str) -> Result<(), ApiError> {
    match string_key(config, key)? {
        Some(s) if !s.trim().is_empty() => Ok(()),
        _ => Err(ApiError::bad_config(format!("The config key {key} is required"))),
    }
}

fn one_of(config: &Map<String, Value>, key: &str, allowed: &[&str]) -> Result<(), ApiError> {
    match string_key(config, key)? {
        Some(s) if !allowed.contains(&s) => {
            Err(ApiError::bad_config(format!("The config key {key} must be one of ({})", allowed.join(", "))))
        }
        _ => Ok(()),
    }
}

/// Checks a whole config (after a create or a merged patch) against its template's rules.
pub(crate) fn check_config(template: &str, config: &Map<String, Value>, secret: Option<&str>) -> Result<(), ApiError> {
    one_of(config, "auth_mode", &[CONFIDENTIAL, PUBLIC])?;
    if template == "connect" {
        one_of(config, "max_role", &[VIEWER, "Publisher", "Admin"])?;
    }
    if !is_azure(template) {
        return Ok(());
    }
    one_of(config, "auth_type", &[VIEWER, SERVICE_ACCOUNT])?;
    required_key(config, "tenant_id")?;
    required_key(config, "client_id")?;
    if template == "azure" {
        required_key(config, "scopes")?;
    } else {
        string_key(config, "scopes")?;
    }
    if let Some(v) = config.get("use_pkce") {
        if !v.is_boolean() {
            return Err(ApiError::bad_config("The config key use_pkce must be a boolean"));
        }
    }
    if auth_type(template, config) == SERVICE_ACCOUNT && secret.is_none() {
        return Err(ApiError::bad_config(format!(
            "The config key {SECRET_KEY} is required for a {SERVICE_ACCOUNT} integration"
        )));
    }
    Ok(())
}

/// The integration's auth type: the config's `auth_type` when given, else the template's default
/// (`Visitor API Key` for the `connect` template, as a real 2025.07.0 answer shows; `Viewer`
/// otherwise, the only kind older servers had).
pub(crate) fn auth_type<'a>(template: &str, config: &'a Map<String, Value>) -> &'a str {
    match config.get("auth_type") {
        Some(Value::String(s)) => s,
        _ if template == "connect" => VISITOR_API_KEY,
        _ => VIEWER,
    }
}

/// The config as GET returns it: what clients sent (never the secret), plus the keys the server
/// derives itself. Derived keys are computed at read time from the current state, so they follow
/// later changes to the secret or auth type, unless a client set them explicitly.
pub(crate) fn render_config(template: &str, stored: &Map<String, Value>, has_secret: bool) -> Map<String, Value> {
    let mut config = stored.clone();
    if template == "connect" {
        // A real `connect` integration comes back with only the keys that were sent.
        return config;
    }
    if !config.contains_key("auth_mode") {
        let confidential = has_secret || auth_type(template, stored) == SERVICE_ACCOUNT;
        let mode = if confidential { CONFIDENTIAL } else { PUBLIC };
        config.insert("auth_mode".into(), Value::from(mode));
    }
    if is_azure(template) && !config.contains_key("use_pkce") {
        let public = config.get("auth_mode").and_then(Value::as_str) == Some(PUBLIC);
        config.insert("use_pkce".into(), Value::Bool(public));
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn derived_keys_follow_the_secret() {
        let c = map(json!({"auth_type": "Viewer", "tenant_id": "t", "client_id": "c"}));
        let public = render_config("msgraph", &c, false);
        assert_eq!(public["auth_mode"], "Public");
        assert_eq!(public["use_pkce"], true);
        let conf = render_config("msgraph", &c, true);
        assert_eq!(conf["auth_mode"], "Confidential");
        assert_eq!(conf["use_pkce"], false);
    }

    #[test]
    fn explicit_keys_are_kept() {
        let c = map(json!({"auth_mode": "Public", "use_pkce": false}));
        let r = render_config("azure", &c, true);
        assert_eq!(r["auth_mode"], "Public");
        assert_eq!(r["use_pkce"], false);
    }

    #[test]
    fn service_account_is_confidential_and_needs_a_secret() {
        let c = map(json!({"auth_type": "Service Account", "tenant_id": "t", "client_id": "c"}));
        assert_eq!(render_config("azure-openai", &c, false)["auth_mode"], "Confidential");
        assert!(check_config("azure-openai", &c, None).is_err());
        assert!(check_config("azure-openai", &c, Some("s")).is_ok());
    }

    #[test]
    fn connect_template_is_left_alone() {
        let c = map(json!({"max_role": "Publisher"}));
        assert_eq!(render_config("connect", &c, false), c);
        assert_eq!(auth_type("connect", &c), VISITOR_API_KEY);
        let bad = map(json!({"max_role": "Owner"}));
        let err = check_config("connect", &bad, None).unwrap_err();
        assert_eq!(err.message, "The config key max_role must be one of (Viewer, Publisher, Admin)");
        assert_eq!(err.code, 228);
    }

    #[test]
    fn merge_removes_null_keys_and_replaces_the_secret() {
        let mut stored = map(json!({"a": "1", "b": "2"}));
        let mut secret = Some("old".to_string());
        merge_config(&mut stored, &mut secret, &map(json!({"a": null, "c": "3", "client_secret": "new"}))).unwrap();
        assert_eq!(Value::Object(stored), json!({"b": "2", "c": "3"}));
        assert_eq!(secret.as_deref(), Some("new"));
    }
}
