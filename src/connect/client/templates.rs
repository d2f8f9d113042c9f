//! Template definitions: the fields a server's OAuth template accepts, with their validation
//! patterns and which are secret, so that callers can check a configuration before sending it.

use reqwest::Method;
use serde::Deserialize;

use super::Client;
use crate::connect::Error;

/// A template as `GET /v1/oauth/templates/{id}` describes it.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct TemplateDefinition {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub fields: Vec<TemplateField>,
    #[serde(default)]
    pub options: Vec<TemplateOption>,
}

/// One config key of a template.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct TemplateField {
    pub name: String,
    #[serde(default)]
    pub label: Option<String>,
    /// A regular expression the value must match; empty or absent when any value goes.
    #[serde(default)]
    pub validation: Option<String>,
    #[serde(default)]
    pub secret: bool,
}

/// A choice the template offers (e.g. `auth_type`), also a config key.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct TemplateOption {
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
