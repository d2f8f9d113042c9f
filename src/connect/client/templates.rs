//! Template definitions: the fields a server's OAuth templates accept, with their defaults,
//! validation patterns, which are secret and when each applies, so that callers can check a
//! configuration before sending it.

use reqwest::Method;
use serde::Deserialize;

use super::Client;
use crate::connect::Error;

/// A template as `GET /v1/oauth/templates` (and `GET /v1/oauth/templates/{id}`) describes it.
/// Every part but the id may be missing: older servers answer with less.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct TemplateDefinition {
    /// The id integrations name it by (`azure`, `custom`...).
    #[serde(default)]
    pub id: String,
    /// Its display name ("Microsoft Azure").
    #[serde(default)]
    pub name: Option<String>,
    /// What it is for.
    #[serde(default)]
    pub description: Option<String>,
    /// The config keys it takes; empty when the server lists none, so nothing can be checked.
    #[serde(default)]
    pub fields: Vec<TemplateField>,
    /// Keys it also accepts, as choices rather than fields (`auth_type`).
    #[serde(default)]
    pub options: Vec<TemplateOption>,
    /// The environment variables an integration of this template gives content.
    #[serde(default)]
    pub environment_variables: Vec<String>,
}

/// One config key of a template.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct TemplateField {
    /// The config key.
    pub name: String,
    /// What Connect's dashboard calls it ("Account URL"), for messages a user recognises.
    #[serde(default)]
    pub label: Option<String>,
    /// What it is.
    #[serde(default)]
    pub description: Option<String>,
    /// The value Connect uses when none is given; empty or absent when there is none.
    #[serde(default, deserialize_with = "text")]
    pub default: Option<String>,
    /// A regular expression the value must match; empty or absent when any value goes.
    #[serde(default)]
    pub validation: Option<String>,
    /// Whether Connect keeps the value secret: never returned, and never to be shown.
    #[serde(default)]
    pub secret: bool,
    /// When the field applies (which option values show it); `None`: always.
    #[serde(default)]
    pub visibility_expression: Option<VisibilityExpression>,
}

/// A choice the template offers (e.g. `auth_type`), also a config key.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct TemplateOption {
    /// The config key.
    pub name: String,
    /// What Connect's dashboard calls it.
    #[serde(default)]
    pub label: Option<String>,
    /// `select`, `bool`...
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// The values it takes (a `select`'s choices); empty when the server does not list them.
    #[serde(default)]
    pub values: Vec<String>,
    /// The value Connect uses when none is given: a string or a boolean, as JSON.
    #[serde(default)]
    pub default: Option<serde_json::Value>,
    /// When the option applies; `None`: always.
    #[serde(default)]
    pub visibility_expression: Option<VisibilityExpression>,
}

impl TemplateOption {
    /// The default as text (`"Viewer"`, `"true"`), when there is one.
    pub fn default_text(&self) -> Option<String> {
        match self.default.as_ref()? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

/// When a field or option applies, as Connect's template describes it: a comparison of another
/// option's (or field's) value (`name`, `operator`, `value`), or `and`/`or`/`not` of `operands`.
/// Posit's API description gives the shape but not the operators: the provider reads the usual
/// spellings and leaves any other undecided (see `oauth_integration::server_rules`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct VisibilityExpression {
    /// The config key compared.
    #[serde(default)]
    pub name: Option<String>,
    /// The value compared with (a string, a boolean, or a list of them).
    #[serde(default)]
    pub value: Option<serde_json::Value>,
    /// `eq`, `ne`, `in`, `and`, `or`, `not`...; absent on a comparison: equality.
    #[serde(default)]
    pub operator: Option<String>,
    /// The expressions an `and`, `or` or `not` combines.
    #[serde(default)]
    pub operands: Vec<VisibilityExpression>,
}

/// A field's default: a string, or another scalar written as text; null and objects as none.
fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::String(s)) => Some(s),
        Some(v @ (serde_json::Value::Bool(_) | serde_json::Value::Number(_))) => Some(v.to_string()),
        _ => None,
    })
}

impl Client {
    /// `GET /v1/oauth/templates`: every template the server offers; `None` when the server has
    /// no such endpoint (Connect before the templates API answers 404).
    pub async fn list_templates(&self) -> Result<Option<Vec<TemplateDefinition>>, Error> {
        let url = self.endpoint(&["v1", "oauth", "templates"]);
        templates_or_none(self.send(Method::GET, url, None).await?)
    }

    /// [`Client::list_templates`] sent beside the check of the server at configure, as its
    /// requests are: a connection that cannot be made is reported at once, not retried (the
    /// check reports it).
    pub(crate) async fn list_templates_at_configure(&self) -> Result<Option<Vec<TemplateDefinition>>, Error> {
        let url = self.endpoint(&["v1", "oauth", "templates"]);
        templates_or_none(self.send_checked(Method::GET, url).await?)
    }

    /// `GET /v1/oauth/templates/{id}`; `None` when the server does not describe that template.
    pub async fn template_definition(&self, id: &str) -> Result<Option<TemplateDefinition>, Error> {
        if matches!(id, "" | "." | "..") {
            return Ok(None);
        }
        let url = self.endpoint(&["v1", "oauth", "templates", id]);
        let answer = self.send(Method::GET, url, None).await?;
        if answer.is_not_found() {
            return Ok(None);
        }
        answer.json().map(Some)
    }
}

/// The templates of a list answer. Any 404, Connect's JSON or a page from outside the API, is
/// `None`: the configure check has shown that the URL reaches a Connect, so this one lacks the
/// endpoint.
fn templates_or_none(answer: super::transport::Answer) -> Result<Option<Vec<TemplateDefinition>>, Error> {
    if answer.not_found().is_some() {
        return Ok(None);
    }
    answer.json().map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_template_reads_with_whatever_the_server_leaves_out() {
        let t: TemplateDefinition = serde_json::from_value(json!({
            "id": "github", "name": "GitHub",
            "fields": [
                {"name": "client_id", "validation": "^\\S+$"},
                {"name": "app_id", "default": 7, "visibility_expression":
                    {"name": "auth_type", "operator": "eq", "value": "Service Account"}},
                {"name": "x", "default": null, "visibility_expression": null, "secret": true},
            ],
            "options": [{"name": "auth_type", "type": "select", "default": "Viewer",
                         "values": ["Viewer", "Service Account"]},
                        {"name": "use_pkce", "type": "bool", "default": true}],
            "environment_variables": ["GITHUB_TOKEN"],
            "sections": [{"id": 1, "order": 1, "name": "s", "description": ""}],
        }))
        .unwrap();
        assert_eq!(t.fields[0].default, None);
        assert_eq!(t.fields[1].default.as_deref(), Some("7"));
        assert_eq!(t.fields[1].visibility_expression.as_ref().unwrap().name.as_deref(), Some("auth_type"));
        assert!(t.fields[2].secret && t.fields[2].visibility_expression.is_none());
        assert_eq!(t.options[0].default_text().as_deref(), Some("Viewer"));
        assert_eq!(t.options[1].default_text().as_deref(), Some("true"));
        assert_eq!(t.environment_variables, ["GITHUB_TOKEN"]);
        let bare: TemplateDefinition = serde_json::from_value(json!({"id": "aws"})).unwrap();
        assert!(bare.fields.is_empty() && bare.name.is_none());
    }
}
