//! Mapping between the resource's Terraform values and Connect's integration objects.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::connect::{same_scopes, Config, Integration, IntegrationUpdate, NewIntegration, Secret};
use tfplugin::model::{Attr, Model};
use tfplugin::value::{Number, Value};

use super::schema::{is_named_key, STRING_KEYS};
use super::secret::{desired_secret, secret_to_send, SecretChange};

tfplugin::model! {
    /// The resource's state.
    pub struct IntegrationState {
        id: Attr<String>,
        guid: Attr<String>,
        template: Attr<String>,
        name: Attr<String>,
        description: Attr<String>,
        config: Attr<ConfigState>,
        created_time: Attr<String>,
        updated_time: Attr<String>,
    }
}

tfplugin::model! {
    /// The `config` attribute of the state.
    pub struct ConfigState {
        auth_type: Attr<String>,
        tenant_id: Attr<String>,
        client_id: Attr<String>,
        client_secret: Attr<String>,
        client_secret_wo: Attr<String>,
        client_secret_wo_version: Attr<Number>,
        auth_mode: Attr<String>,
        authorization_uri: Attr<String>,
        token_uri: Attr<String>,
        token_endpoint_auth_method: Attr<String>,
        use_pkce: Attr<bool>,
        account_url: Attr<String>,
        max_role: Attr<String>,
        extra: Attr<BTreeMap<String, String>>,
        extra_sensitive: Attr<BTreeMap<String, String>>,
        scopes: Attr<String>,
    }
}

/// The Terraform state of an integration as Connect returns it. What Connect never returns (the
/// client secret) is carried over from `known` (prior or planned state), and so is the exact
/// scopes string when the server's holds the same set.
///
/// `known` stays a [`Value`]: a plan's may hold values known only after apply, which count as
/// nothing known here.
pub fn to_state(i: &Integration, known: &Value) -> Value {
    let known_cfg = known.get("config");
    let server_str = |key: &str| Attr::from_option(i.config.get(key).and_then(Json::as_str).map(str::to_string));
    let or_known = |server: Attr<String>, key: &str| if server.is_null() { string(known_cfg.get(key)) } else { server };

    let auth_type = server_str("auth_type");
    let auth_type = if auth_type.is_null() { Attr::from_option(i.auth_type.clone()) } else { auth_type };
    let scopes = match (server_str("scopes"), known_cfg.get("scopes").as_str()) {
        (Attr::Known(s), Some(k)) if same_scopes(&s, k) => Attr::known(k.to_string()),
        (s, _) => s,
    };
    let config = ConfigState {
        auth_type: or_known(auth_type, "auth_type"),
        tenant_id: server_str("tenant_id"),
        client_id: server_str("client_id"),
        client_secret: string(known_cfg.get("client_secret")),
        client_secret_wo: Attr::Null,
        client_secret_wo_version: match known_cfg.get("client_secret_wo_version") {
            Value::Number(n) => Attr::known(*n),
            _ => Attr::Null,
        },
        auth_mode: or_known(server_str("auth_mode"), "auth_mode"),
        authorization_uri: server_str("authorization_uri"),
        token_uri: server_str("token_uri"),
        token_endpoint_auth_method: server_str("token_endpoint_auth_method"),
        use_pkce: Attr::from_option(i.config.get("use_pkce").and_then(Json::as_bool)),
        account_url: server_str("account_url"),
        max_role: server_str("max_role"),
        extra: extra_state(i, known.is_null(), known_cfg.get("extra")),
        // Secret values are never returned: what was last sent is what the state knows.
        extra_sensitive: strings(known_cfg.get("extra_sensitive")),
        scopes,
    };
    let state = IntegrationState {
        id: Attr::known(i.guid.clone()),
        guid: Attr::known(i.guid.clone()),
        // Connect cannot change a template, so one the server does not name is the one known.
        template: Attr::from_option(i.template.clone()).or_else(|| string(known.get("template"))),
        // A name the server lost is drift: the next plan sets it again.
        name: Attr::from_option(i.name.clone()),
        description: Attr::known(i.description.clone()),
        config: Attr::known(config),
        created_time: Attr::from_option(i.created_time.clone()).or_else(|| string(known.get("created_time"))),
        updated_time: Attr::from_option(i.updated_time.clone()).or_else(|| string(known.get("updated_time"))),
    };
    Model::to_value(&state)
}

/// A known string value; null for anything else (null, or known only after apply).
fn string(v: &Value) -> Attr<String> {
    Attr::from_option(v.as_str().map(str::to_string))
}

/// A known map of strings; null for anything else.
fn strings(v: &Value) -> Attr<BTreeMap<String, String>> {
    match v {
        Value::Map(m) => {
            Attr::known(m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
        }
        _ => Attr::Null,
    }
}

/// The keys of `extra` the configuration manages, with the server's values (as strings); keys
/// the server lacks are left out, so the next plan puts them back. With nothing known (an
/// import), every key the schema does not name, so that an import sees the whole config.
fn extra_state(i: &Integration, importing: bool, known: &Value) -> Attr<BTreeMap<String, String>> {
    let as_string = |v: &Json| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    match known {
        Value::Map(keys) => {
            Attr::known(keys.keys().filter_map(|k| Some((k.clone(), as_string(i.config.get(k)?)))).collect())
        }
        _ if importing => {
            let unnamed: BTreeMap<String, String> =
                i.config.iter().filter(|(k, _)| !is_named_key(k)).map(|(k, v)| (k.clone(), as_string(v))).collect();
            if unnamed.is_empty() {
                Attr::Null
            } else {
                Attr::known(unnamed)
            }
        }
        _ => Attr::Null,
    }
}

/// The POST body for a planned integration. The write-only secret is only in the configuration.
pub fn new_request(planned: &Value, config: &Value) -> NewIntegration {
    NewIntegration {
        template: str_of(planned.get("template")),
        name: str_of(planned.get("name")),
        description: str_of(planned.get("description")),
        config: config_request(
            planned.get("config"),
            config.get("config"),
            desired_secret(planned, config).map_or(SecretChange::Keep, SecretChange::Send),
        ),
    }
}

/// The PATCH body taking `prior` to `planned`: only what changed, and the whole config when any
/// of it changed (Connect merges config keys, so a partial config could leave stale ones). The
/// secret is sent only when [`secret_to_send`] says so; other updates leave it alone.
pub fn update_request(prior: &Value, planned: &Value, config: &Value) -> IntegrationUpdate {
    let changed = |k: &str| prior.get(k) != planned.get(k);
    let (p_cfg, n_cfg) = (prior.get("config"), planned.get("config"));
    let secret = secret_to_send(prior, planned, config);
    let sensitive_changed = p_cfg.get("extra_sensitive") != n_cfg.get("extra_sensitive");
    let config_changed = secret != SecretChange::Keep
        || sensitive_changed
        || STRING_KEYS.iter().chain(["use_pkce", "extra"].iter()).any(|k| p_cfg.get(k) != n_cfg.get(k));
    IntegrationUpdate {
        name: changed("name").then(|| str_of(planned.get("name"))),
        description: changed("description").then(|| str_of(planned.get("description"))),
        config: config_changed.then(|| {
            let mut c = config_request(n_cfg, config.get("config"), secret);
            // Like the client secret, secret extra values are only sent when they change.
            if !sensitive_changed {
                c.secrets.retain(|k, _| k == "client_secret");
            }
            c
        }),
    }
}

/// The config to send: the keys the configuration sets (`configured`), with their planned values,
/// plus the auth type and scopes the provider planned from the template. Never a key only the
/// server filled in (`auth_mode`, `use_pkce`...): a server may refuse keys its template does not
/// define, and what it decides is its own.
fn config_request(cfg: &Value, configured: &Value, secret: SecretChange<'_>) -> Config {
    let mut out = Config::new();
    let sent = |key: &str| matches!(key, "auth_type" | "scopes") || !configured.get(key).is_null();
    for key in STRING_KEYS.iter().filter(|k| sent(k)) {
        if let Some(s) = cfg.get(key).as_str() {
            out.values.insert(key.to_string(), Json::String(s.to_string()));
        }
    }
    if let Some(b) = cfg.get("use_pkce").as_bool().filter(|_| sent("use_pkce")) {
        out.values.insert("use_pkce".into(), Json::Bool(b));
    }
    if let Value::Map(extra) = cfg.get("extra") {
        for (k, v) in extra {
            if let Some(s) = v.as_str() {
                out.values.insert(k.clone(), Json::String(s.to_string()));
            }
        }
    }
    if let Value::Map(sensitive) = cfg.get("extra_sensitive") {
        for (k, v) in sensitive {
            if let Some(s) = v.as_str() {
                out.secrets.insert(k.clone(), Secret::new(s));
            }
        }
    }
    match secret {
        SecretChange::Send(s) => {
            out.secrets.insert("client_secret".into(), Secret::new(s));
        }
        // Never `null`: Posit's document wants a string for every template field, and no way to
        // drop a config key is documented, so a plan that removes the secret replaces the
        // integration and no update ever carries a removal.
        SecretChange::Remove | SecretChange::Keep => {}
    }
    out
}

fn str_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_models_have_the_schemas_attributes() {
        let schema = super::super::schema::schema();
        assert_eq!(IntegrationState::check_schema(&schema.block), Ok(()));
        let Some(tfplugin::schema::AttributeKind::Single(config)) = schema.block.attribute("config").map(|a| &a.kind)
        else {
            panic!("config is a nested object")
        };
        assert_eq!(ConfigState::check_schema(config), Ok(()));
    }

    fn integration(config: Json) -> Integration {
        serde_json::from_value(json!({
            "id": "7", "guid": "g-1", "name": "n", "description": "d", "template": "azure",
            "auth_type": "Viewer", "created_time": "2025-01-01T00:00:00Z", "updated_time": "2025-01-02T00:00:00Z",
            "config": config,
        }))
        .unwrap()
    }

    fn known(secret: Value, scopes: &str) -> Value {
        Value::object([("config", Value::object([("client_secret", secret), ("scopes", Value::string(scopes))]))])
    }

    #[test]
    fn state_carries_secret_and_scopes_string_and_ignores_server_keys() {
        let i = integration(json!({"auth_type": "Viewer", "tenant_id": "t", "client_id": "c",
            "auth_mode": "Confidential", "scopes": "b a", "use_pkce": false, "added_by_server": "x"}));
        let s = to_state(&i, &known(Value::string("sec"), "a  b"));
        let c = s.get("config");
        assert_eq!(c.get("client_secret").as_str(), Some("sec"));
        assert_eq!(c.get("scopes").as_str(), Some("a  b"));
        assert_eq!(c.get("auth_mode").as_str(), Some("Confidential"));
        assert_eq!(c.get("use_pkce"), &Value::Bool(false));
        assert!(c.as_object().unwrap().get("added_by_server").is_none());
        assert!(c.get("extra").is_null(), "unmanaged keys stay out of extra");
        assert_eq!(s.get("id"), s.get("guid"));
    }

    #[test]
    fn extra_tracks_the_managed_keys_only() {
        let i = integration(json!({"region": "eu", "flag": true, "other": "x"}));
        let known = Value::object([(
            "config",
            Value::object([(
                "extra",
                Value::Map(
                    [("region".to_string(), Value::string("us")), ("flag".to_string(), Value::string("false"))].into(),
                ),
            )]),
        )]);
        let extra = to_state(&i, &known).get("config").get("extra").clone();
        assert_eq!(
            extra,
            Value::Map(
                [("region".to_string(), Value::string("eu")), ("flag".to_string(), Value::string("true"))].into()
            )
        );
    }

    #[test]
    fn drifted_scopes_show_server_value() {
        let i = integration(json!({"scopes": "a c"}));
        assert_eq!(to_state(&i, &known(Value::Null, "a b")).get("config").get("scopes").as_str(), Some("a c"));
    }

    #[test]
    fn update_sends_only_changes_and_secret_only_when_changed() {
        let i = integration(json!({"auth_type": "Viewer", "tenant_id": "t", "client_id": "c", "scopes": "a"}));
        let prior = to_state(&i, &known(Value::string("old"), "a"));
        let mut planned = prior.clone();
        if let Value::Object(m) = &mut planned {
            m.insert("description".into(), Value::string("new"));
        }
        let u = update_request(&prior, &planned, &planned);
        assert_eq!(serde_json::to_value(&u).unwrap(), json!({"description": "new"}));

        let mut planned2 = prior.clone();
        if let Value::Object(m) = &mut planned2 {
            if let Some(Value::Object(c)) = m.get_mut("config") {
                c.insert("client_secret".into(), Value::string("new-secret"));
            }
        }
        let body = serde_json::to_value(update_request(&prior, &planned2, &planned2)).unwrap();
        assert_eq!(body["config"]["client_secret"], "new-secret");
        assert_eq!(body["config"]["tenant_id"], "t");
        assert!(body.get("name").is_none());
    }

    #[test]
    fn create_body_has_secret_but_debug_does_not() {
        let planned = Value::object([
            ("template", Value::string("msgraph")),
            ("name", Value::string("n")),
            ("description", Value::string("")),
            (
                "config",
                Value::object([
                    ("auth_type", Value::string("Viewer")),
                    ("client_secret", Value::string("hunter2")),
                    ("scopes", Value::string("s")),
                ]),
            ),
        ]);
        let req = new_request(&planned, &planned);
        assert_eq!(serde_json::to_value(&req).unwrap()["config"]["client_secret"], "hunter2");
        assert!(!format!("{req:?}").contains("hunter2"));
    }
}
