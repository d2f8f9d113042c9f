//! The server's own template facts, used at plan when Connect lists its templates
//! (`GET /v1/oauth/templates`, read once per process: `Client::templates`): the template's
//! defaults (its auth type, its scopes), the auth types it offers, the fields it requires where
//! they apply (a field's visibility expression says for which option values), fields set where
//! they do not apply, an `extra` key the server would refuse, and the fields' validation
//! patterns. What the server says wins over the built-in catalogue (`template_catalogue`), which
//! stays the rule for a server without the list, and at validate, where no server is asked; a
//! server that cannot say leaves the checks to apply time, where Connect's own error is shown.

use std::sync::Arc;

use super::model::IntegrationState;
use super::schema::{is_named_key, SECRET_KEYS, SERVER_FILLED_KEYS};
use crate::connect::{describe, holds, same_scopes, Client, ServerTemplate, Setting};
use crate::untrusted::{server_text, MAX_MESSAGE_CHARS};
use tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::resource::{PlanRequest, PlanResponse};
use tfplugin::suggest::did_you_mean;
use tfplugin::value::Value;

/// Plans the server's defaults into `resp.planned` and checks the planned integration against
/// the server's template; nothing when the server does not list that template.
pub(crate) async fn check(client: &Client, req: &PlanRequest, resp: &mut PlanResponse, planned: &IntegrationState) {
    let Some(template) = planned.template.as_str() else { return };
    let Some(t) = client.templates().await.find(template) else { return };
    let creating = req.prior.is_null() || req.prior.get("template") != resp.planned.get("template");
    plan_defaults(&t, req, &mut resp.planned, creating);
    let facts = Facts { template: &t, server: client.server_url(), config: req.config.get("config"), creating };
    facts.check(resp.planned.get("config"), &mut resp.diagnostics);
}

/// What the configuration leaves out and the server's template gives: the auth type of a new
/// integration (its `auth_type` option's default), and scopes (its `scopes` field's default,
/// where the field applies), planned as the prior state's string when they hold the same set.
fn plan_defaults(t: &ServerTemplate, req: &PlanRequest, planned: &mut Value, creating: bool) {
    let configured = req.config.get("config");
    let Value::Object(attrs) = planned else { return };
    let Some(Value::Object(cfg)) = attrs.get_mut("config") else { return };
    if creating && configured.get("auth_type").is_null() {
        if let Some((_, Some(default))) = t.auth_types() {
            cfg.insert("auth_type".into(), Value::string(default));
        }
    }
    let Some(field) = t.field("scopes") else { return };
    let Some(default) = field.default.as_deref().filter(|d| !d.trim().is_empty()) else { return };
    if !configured.get("scopes").is_null() {
        return;
    }
    let cfg_value = Value::Object(cfg.clone());
    let applies = field.visibility_expression.as_ref().map_or(Some(true), |e| holds(e, &|k| setting(&cfg_value, k)));
    if applies == Some(false) {
        return;
    }
    let prior = if creating { &Value::Null } else { req.prior.get("config").get("scopes") };
    let scopes = match prior.as_str() {
        Some(p) if same_scopes(p, default) => Value::string(p),
        _ => Value::string(default),
    };
    cfg.insert("scopes".into(), scopes);
}

/// A config value by key, as the server's expressions compare it: a named attribute, else an
/// `extra` or `extra_sensitive` entry.
fn setting(cfg: &Value, key: &str) -> Setting {
    let one = |v: &Value| match v {
        Value::Null => Setting::Absent,
        Value::String(s) => Setting::Text(s.clone()),
        Value::Bool(b) => Setting::Text(b.to_string()),
        Value::Unknown => Setting::Unknown,
        other => Setting::Text(format!("{other:?}")),
    };
    if is_named_key(key) {
        return one(cfg.get(key));
    }
    for map in ["extra", "extra_sensitive"] {
        match cfg.get(map) {
            Value::Unknown => return Setting::Unknown,
            Value::Map(m) => {
                if let Some(v) = m.get(key) {
                    return one(v);
                }
            }
            _ => {}
        }
    }
    Setting::Absent
}

/// The server's template and what the plan is judged with.
struct Facts<'a> {
    template: &'a Arc<ServerTemplate>,
    server: &'a str,
    /// The configuration's `config`, as written (the plan also holds defaults).
    config: &'a Value,
    /// A new integration: required fields are checked (an existing one may hold a field the
    /// configuration never set, kept by the server).
    creating: bool,
}

impl Facts<'_> {
    fn check(&self, planned: &Value, diags: &mut Diagnostics) {
        let t = self.template;
        let (id, server) = (&t.def.id, self.server);
        // Values as sent: the plan's, with a write-only secret from the configuration.
        let lookup = |key: &str| match (key, setting(planned, key)) {
            ("client_secret", Setting::Absent) => setting(self.config, "client_secret_wo"),
            (_, s) => s,
        };
        if let Some((offered, _)) = t.auth_types() {
            let configured = !self.config.get("auth_type").is_null();
            if let (true, Setting::Text(a)) = (configured || self.creating, lookup("auth_type")) {
                if !offered.contains(&a) {
                    let offered: Vec<&str> = offered.iter().map(String::as_str).collect();
                    let list = server_text(
                        &offered.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", "),
                        MAX_MESSAGE_CHARS,
                    );
                    diags.attr_error(
                        AttributePath::dotted("config.auth_type"),
                        "Invalid config.auth_type",
                        format!(
                            "config.auth_type is {a:?}; the {id:?} template on {server} offers: {list}.{}",
                            did_you_mean(&a, &offered)
                        ),
                    );
                }
            }
        }
        for f in &t.def.fields {
            let applies = f.visibility_expression.as_ref().map_or(Some(true), |e| holds(e, &lookup));
            let label = server_text(f.label.as_deref().unwrap_or(&f.name), 100);
            let when = f.visibility_expression.as_ref().map(|e| server_text(&describe(e), 200));
            let key = &f.name;
            let path = where_key_goes(key, f.secret);
            // A secret the server shows whatever the options may still be left out (a Public
            // application has none), which the list cannot say: only one it ties to options is
            // required here.
            let judged_required = self.creating && t.required(f) && (!f.secret || when.is_some());
            if judged_required && applies == Some(true) && lookup(key) == Setting::Absent {
                let when = when.as_deref().map_or(String::new(), |w| format!(" when {w}"));
                let put = match (is_named_key(key), f.secret) {
                    (true, _) => String::new(),
                    (false, false) => " Set it in config.extra.".to_string(),
                    (false, true) => " Set it in config.extra_sensitive.".to_string(),
                };
                diags.push(
                    Diagnostic::error(
                        format!("Missing config.{key}"),
                        format!("The {id:?} template on {server} requires {label} ({key}){when}.{put}"),
                    )
                    .at(path.clone()),
                );
            }
            let set_by_configuration = !matches!(setting(self.config, key), Setting::Absent);
            if let (Some(false), true, Some(when)) = (applies, set_by_configuration, &when) {
                diags.push(
                    Diagnostic::warning(
                        format!("config.{key} does not apply here"),
                        format!(
                            "The {id:?} template on {server} uses {label} ({key}) only when {when}, which this                              configuration is not: the value has no use. Remove it, or change the configuration."
                        ),
                    )
                    .at(path),
                );
            }
        }
        check_against(t, server, planned, diags);
    }
}

/// Where a config key is written: its attribute, or the `extra` map (`extra_sensitive` for a
/// secret).
fn where_key_goes(key: &str, secret: bool) -> AttributePath {
    match (is_named_key(key), secret) {
        (true, _) => AttributePath::dotted(&format!("config.{key}")),
        (false, false) => AttributePath::dotted("config.extra"),
        (false, true) => AttributePath::dotted("config.extra_sensitive"),
    }
}

/// An `extra` key the template has no field for, a secret in `extra`, a value its pattern refuses.
fn check_against(rules: &ServerTemplate, server: &str, cfg: &Value, diags: &mut Diagnostics) {
    let def = &rules.def;
    if def.fields.is_empty() {
        return;
    }
    let template = &def.id;
    // Named keys and `extra` keys, with where each sits in the configuration.
    let mut given: Vec<(String, AttributePath, String)> = Vec::new();
    if let Value::Object(attrs) = cfg {
        for (k, v) in attrs {
            if let Some(s) = v.as_str() {
                given.push((k.clone(), AttributePath::dotted(&format!("config.{k}")), s.to_string()));
            }
        }
    }
    for (map, is_sensitive) in [("extra", false), ("extra_sensitive", true)] {
        let Value::Map(extra) = cfg.get(map) else { continue };
        for (k, v) in extra {
            let path = AttributePath::dotted(&format!("config.{map}"));
            let field = def.fields.iter().find(|f| &f.name == k);
            if field.is_some_and(|f| f.secret) && !is_sensitive {
                diags.push(
                    Diagnostic::error(
                        format!("Secret config key {k:?} in config.extra"),
                        format!(
                            "The {template:?} template on {server} marks {k:?} secret: put it in \
                             config.extra_sensitive, which Terraform hides and Connect never returns."
                        ),
                    )
                    .at(path.clone()),
                );
            }
            let known = def.fields.iter().any(|f| &f.name == k)
                || def.options.iter().any(|o| &o.name == k)
                || SERVER_FILLED_KEYS.contains(&k.as_str());
            if !known {
                let names: Vec<&str> = def.fields.iter().map(|f| f.name.as_str()).collect();
                let names = server_text(&names.join(", "), MAX_MESSAGE_CHARS);
                diags.push(
                    Diagnostic::error(
                        format!("Unknown config key {k:?}"),
                        format!(
                            "config.{map} holds {k:?}, but the {template:?} template on {server} has no such field; \
                             its fields are: {names}."
                        ),
                    )
                    .at(path.clone()),
                );
            }
            // Secret values are not pattern-checked: an error must not echo them.
            if let (Some(s), false) = (v.as_str(), is_sensitive) {
                given.push((k.clone(), path, s.to_string()));
            }
        }
    }
    for (key, path, value) in given {
        let Some(field) = def.fields.iter().find(|f| f.name == key) else { continue };
        let Some(re) = rules.pattern(&key) else { continue };
        let pattern = re.as_str();
        if !re.is_match(&value) {
            // The server's words: bounded and without control characters.
            let label = server_text(field.label.as_deref().unwrap_or(&key), 100);
            let pattern = server_text(pattern, 200);
            let secret = field.secret || SECRET_KEYS.contains(&key.as_str());
            let shown = if secret { "The value".to_string() } else { format!("{value:?}") };
            diags.push(
                Diagnostic::error(
                    format!("Invalid config key {key}"),
                    format!(
                        "{shown} does not match what the {template:?} template on {server} accepts for {label} \
                         ({key}): the pattern {pattern}."
                    ),
                )
                .at(path),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::{TemplateDefinition, TemplateField};
    use serde_json::json;

    fn def() -> TemplateDefinition {
        TemplateDefinition {
            id: "snowflake".into(),
            fields: vec![
                TemplateField {
                    name: "account_url".into(),
                    label: Some("Account URL".into()),
                    validation: Some("^https://.+$".into()),
                    ..Default::default()
                },
                TemplateField {
                    name: "client_secret".into(),
                    validation: Some("^.{8,}$".into()),
                    secret: true,
                    ..Default::default()
                },
            ],
            ..Default::default()
        }
    }

    #[test]
    fn patterns_and_unknown_extra_keys() {
        let cfg = Value::object([
            ("account_url", Value::string("acme")),
            ("client_secret", Value::string("short")),
            ("extra", Value::Map([("warehouse".to_string(), Value::string("x"))].into())),
        ]);
        let mut d = Diagnostics::new();
        check_against(&ServerTemplate::new(def()), "https://c", &cfg, &mut d);
        let text: Vec<String> = d.0.iter().map(|d| format!("{} {}", d.summary, d.detail)).collect();
        assert_eq!(d.0.len(), 3, "{text:?}");
        assert!(text.iter().any(|t| t.contains("\"acme\"") && t.contains("^https://.+$")));
        assert!(text.iter().any(|t| t.contains("client_secret") && !t.contains("short")), "secrets are not shown");
        assert!(text.iter().any(|t| t.contains("warehouse") && t.contains("account_url, client_secret")));
    }

    #[test]
    fn our_secret_keys_are_never_quoted() {
        // A server whose template does not mark client_secret secret still gets no echo of it.
        let mut def = def();
        def.fields[1].secret = false;
        for key in SECRET_KEYS.iter() {
            let cfg = Value::object([(*key, Value::string("short"))]);
            let mut def = def.clone();
            def.fields[1].name = key.to_string();
            let mut d = Diagnostics::new();
            check_against(&ServerTemplate::new(def), "https://c", &cfg, &mut d);
            assert_eq!(d.0.len(), 1, "{key}: the pattern is still checked");
            assert!(!d.0[0].detail.contains("short"), "{key}: {}", d.0[0].detail);
        }
    }

    #[test]
    fn good_values_pass() {
        let cfg = Value::object([("account_url", Value::string("https://acme.snowflakecomputing.com"))]);
        let mut d = Diagnostics::new();
        check_against(&ServerTemplate::new(def()), "https://c", &cfg, &mut d);
        assert!(d.is_empty());
    }

    /// A GitHub template as a newer Connect describes it: an App ID for its Service Account
    /// (GitHub App) type only, scopes for Viewer only, default scopes the catalogue lacks.
    fn github() -> Arc<ServerTemplate> {
        Arc::new(ServerTemplate::new(
            serde_json::from_value(json!({
                "id": "github",
                "fields": [
                    {"name": "client_id", "validation": "^\\S+$"},
                    {"name": "client_secret", "secret": true},
                    {"name": "scopes", "default": "repo read:user",
                     "visibility_expression": {"name": "auth_type", "operator": "eq", "value": "Viewer"}},
                    {"name": "app_id", "validation": "^[0-9]+$",
                     "visibility_expression": {"name": "auth_type", "operator": "eq", "value": "Service Account"}},
                ],
                "options": [{"name": "auth_type", "type": "select", "default": "Viewer",
                             "values": ["Viewer", "Service Account"]}],
            }))
            .unwrap(),
        ))
    }

    fn config(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (*k, v.clone())))
    }

    fn judged(config: &Value, creating: bool) -> Vec<String> {
        let t = github();
        let facts = Facts { template: &t, server: "https://c", config, creating };
        let mut d = Diagnostics::new();
        facts.check(config, &mut d);
        d.0.iter().map(|d| format!("{:?} {}: {}", d.severity, d.summary, d.detail)).collect()
    }

    #[test]
    fn required_where_it_applies_and_offered_auth_types() {
        let sa = |extra: Value| {
            config(&[
                ("auth_type", Value::string("Service Account")),
                ("client_id", Value::string("c")),
                ("client_secret", Value::string("s")),
                ("extra", extra),
            ])
        };
        let said = judged(&sa(Value::Null), true);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].contains("Missing config.app_id") && said[0].contains("auth_type = \"Service Account\""));
        assert!(said[0].contains("Set it in config.extra."), "{}", said[0]);
        // Given, or known only after apply: nothing to say. An existing integration: not judged.
        let given = Value::Map([("app_id".to_string(), Value::string("42"))].into());
        assert!(judged(&sa(given), true).is_empty());
        assert!(judged(&sa(Value::Unknown), true).is_empty());
        assert!(judged(&sa(Value::Null), false).is_empty());
        // A Viewer needs no App ID; one set anyway does not apply, said in a warning.
        let viewer = config(&[
            ("auth_type", Value::string("Viewer")),
            ("client_id", Value::string("c")),
            ("extra", Value::Map([("app_id".to_string(), Value::string("42"))].into())),
        ]);
        let said = judged(&viewer, true);
        assert!(said.len() == 1 && said[0].starts_with("Warning config.app_id does not apply here"), "{said:?}");
        // An auth type this server's template does not offer.
        let app = config(&[("auth_type", Value::string("GitHub App")), ("client_id", Value::string("c"))]);
        let said = judged(&app, true);
        assert!(said.len() == 1 && said[0].contains("offers: \"Viewer\", \"Service Account\""), "{said:?}");
    }

    fn request(prior: Value, cfg: &Value) -> PlanRequest {
        PlanRequest {
            prior,
            config: Value::object([("config", cfg.clone())]),
            private: vec![],
            caps: Default::default(),
        }
    }

    #[test]
    fn the_servers_defaults_are_planned() {
        let t = github();
        let cfg = config(&[("auth_type", Value::Null), ("client_id", Value::string("c")), ("scopes", Value::Null)]);
        let req = request(Value::Null, &cfg);
        let mut planned = Value::object([("config", cfg.clone())]);
        plan_defaults(&t, &req, &mut planned, true);
        assert_eq!(planned.get("config").get("auth_type").as_str(), Some("Viewer"));
        assert_eq!(planned.get("config").get("scopes").as_str(), Some("repo read:user"));
        // The same set in the state's spelling stays as it is.
        let prior = Value::object([("config", config(&[("scopes", Value::string("read:user  repo"))]))]);
        let req = request(prior, &cfg);
        let mut planned =
            Value::object([("config", config(&[("auth_type", Value::string("Viewer")), ("scopes", Value::Unknown)]))]);
        plan_defaults(&t, &req, &mut planned, false);
        assert_eq!(planned.get("config").get("scopes").as_str(), Some("read:user  repo"));
        // Configured scopes, or a Service Account (where scopes do not apply): left alone.
        let sa = config(&[("auth_type", Value::string("Service Account")), ("scopes", Value::Null)]);
        let req = request(Value::Null, &sa);
        let mut planned = Value::object([("config", sa)]);
        plan_defaults(&t, &req, &mut planned, true);
        assert!(planned.get("config").get("scopes").is_null());
    }
}
