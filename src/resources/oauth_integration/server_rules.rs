//! The server's own template rules, checked at plan when Connect can be asked: the fields a
//! template has (so an `extra` key the server would refuse fails at plan) and their validation
//! patterns. Best effort: a server that cannot be asked, or that does not describe the template,
//! leaves the checks to apply time, where Connect's own error is shown.

use std::collections::HashMap;
use std::sync::Arc;

use regex::Regex;
use tokio::sync::Mutex;

use super::model::IntegrationState;
use super::schema::{SECRET_KEYS, SERVER_FILLED_KEYS};
use crate::connect::{Client, TemplateDefinition};
use crate::untrusted::{server_text, MAX_MESSAGE_CHARS};
use tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::value::Value;

/// Template definitions fetched in this provider process, by template id (`None`: the server
/// does not describe it). A Terraform run plans many integrations of few templates: one GET each.
#[derive(Debug, Default)]
pub(crate) struct TemplateRules {
    definitions: Mutex<HashMap<String, Option<Arc<Rules>>>>,
}

/// A template definition with its validation patterns compiled once.
#[derive(Debug)]
struct Rules {
    def: TemplateDefinition,
    /// Field name to compiled pattern; fields without one, or whose pattern this engine cannot
    /// compile (the server's business, checked at apply), are absent.
    patterns: HashMap<String, Regex>,
}

impl Rules {
    fn new(def: TemplateDefinition) -> Self {
        let patterns = def
            .fields
            .iter()
            .filter_map(|f| {
                let p = f.validation.as_deref().filter(|p| !p.is_empty())?;
                Some((f.name.clone(), Regex::new(p).ok()?))
            })
            .collect();
        Rules { def, patterns }
    }
}

impl TemplateRules {
    async fn definition(&self, client: &Client, template: &str) -> Option<Arc<Rules>> {
        let mut cache = self.definitions.lock().await;
        if let Some(known) = cache.get(template) {
            return known.clone();
        }
        match client.template_definition(template).await {
            Ok(def) => {
                let rules = def.map(|d| Arc::new(Rules::new(d)));
                cache.insert(template.to_string(), rules.clone());
                rules
            }
            Err(e) => {
                tracing::debug!(template, error = %e, "template definition not available; skipping server-side checks");
                None
            }
        }
    }

    /// Checks a planned integration's known config values against the server's template.
    pub(crate) async fn check(&self, client: &Client, planned: &IntegrationState, diags: &mut Diagnostics) {
        let Some(template) = planned.template.as_str() else { return };
        let Some(rules) = self.definition(client, template).await else { return };
        // The server's fields are matched to config attributes by name: walked as a value.
        check_against(&rules, client.server_url(), &planned.config.to_value(), diags);
    }
}

fn check_against(rules: &Rules, server: &str, cfg: &Value, diags: &mut Diagnostics) {
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
        let Some(re) = rules.patterns.get(&key) else { continue };
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
    use crate::connect::TemplateField;

    fn def() -> TemplateDefinition {
        TemplateDefinition {
            id: "snowflake".into(),
            fields: vec![
                TemplateField {
                    name: "account_url".into(),
                    label: Some("Account URL".into()),
                    validation: Some("^https://.+$".into()),
                    secret: false,
                },
                TemplateField {
                    name: "client_secret".into(),
                    label: None,
                    validation: Some("^.{8,}$".into()),
                    secret: true,
                },
            ],
            options: vec![],
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
        check_against(&Rules::new(def()), "https://c", &cfg, &mut d);
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
            check_against(&Rules::new(def), "https://c", &cfg, &mut d);
            assert_eq!(d.0.len(), 1, "{key}: the pattern is still checked");
            assert!(!d.0[0].detail.contains("short"), "{key}: {}", d.0[0].detail);
        }
    }

    #[test]
    fn good_values_pass() {
        let cfg = Value::object([("account_url", Value::string("https://acme.snowflakecomputing.com"))]);
        let mut d = Diagnostics::new();
        check_against(&Rules::new(def()), "https://c", &cfg, &mut d);
        assert!(d.is_empty());
    }
}
