//! Template definitions: the fields a server's OAuth template accepts, with their validation
//! patterns and which are secret, so that callers can check a configuration before sending it.

use reqwest::Method;
use serde::Deserialize;

use super::Client;
use crate::connect::Error;

/// A template as `GET /v1/oauth/templates/{id}` describes it.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct TemplateDefinition {
    /// The id integrations name it by (`azure`, `custom`...).
    #[serde(default)]
    pub id: String,
    /// The config keys it takes; empty when the server lists none, so nothing can be checked.
    #[serde(default)]
    pub fields: Vec<TemplateField>,
    /// Keys it also accepts, as choices rather than fields.
    #[serde(default)]
    pub options: Vec<TemplateOption>,
}

/// One config key of a template.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct TemplateField {
    /// The config key.
    pub name: String,
    /// What Connect's dashboard calls it ("Account URL"), for messages a user recognises.
    #[serde(default)]
    pub label: Option<String>,
    /// A regular expression the value must match; empty or absent when any value goes.
    #[serde(default)]
    pub validation: Option<String>,
    /// Whether Connect keeps the value secret: never returned, and never to be shown.
    #[serde(default)]
    pub secret: bool,
}

/// A choice the template offers (e.g. `auth_type`), also a config key.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct TemplateOption {
    /// The config key.
    pub name: String,
}

impl Client {
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
