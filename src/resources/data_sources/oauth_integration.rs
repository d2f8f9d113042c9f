//! `data "posit_connect_oauth_integration"`: one integration, looked up by guid or by name.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value as Json;

use crate::connect::{Client, Integration};
use crate::resources::configured::Connect;
use crate::resources::errors::diagnostic;
use tfplugin::diag::{AttributePath, Diagnostic};
use tfplugin::resource::{DataReadRequest, DataReadResponse, DataSource, ValidateRequest, ValidateResponse};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::validators::NotBlank;
use tfplugin::value::Value;

/// Config keys shown; secrets (client_secret) are never returned by Connect anyway.
const CONFIG_KEYS: &[&str] = &["auth_type", "tenant_id", "client_id", "auth_mode", "scopes"];

pub struct OAuthIntegrationData {
    schema: Schema,
}

impl Default for OAuthIntegrationData {
    fn default() -> Self {
        Self::new()
    }
}

impl OAuthIntegrationData {
    pub fn new() -> Self {
        let mut attributes = super::summary_attributes();
        for a in attributes.iter_mut().filter(|a| a.name == "guid" || a.name == "name") {
            a.optional = true;
            a.validators.push(Arc::new(NotBlank));
            a.description = match a.name.as_str() {
                "guid" => "The integration's guid. Conflicts with `name`.",
                _ => "The integration's name, compared exactly. Conflicts with `guid`.",
            }
            .into();
        }
        attributes.insert(0, Attribute::string("id").computed().describe("The integration's guid."));
        attributes.push(
            Attribute::single(
                "config",
                Block::new(
                    "",
                    CONFIG_KEYS
                        .iter()
                        .map(|k| Attribute::string(k).computed().describe(&format!("The config's `{k}`.")))
                        .collect(),
                ),
            )
            .computed()
            .describe("The integration's configuration, without secrets (Connect never returns them)."),
        );
        let schema = Schema::new(
            0,
            Block::new(
                "One OAuth integration on Connect, found by `guid` or by `name` (exactly one of them).",
                attributes,
            ),
        );
        OAuthIntegrationData { schema }
    }
}

#[async_trait]
impl DataSource<Connect> for OAuthIntegrationData {
    fn type_name(&self) -> &'static str {
        "posit_connect_oauth_integration"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, req: &ValidateRequest, resp: &mut ValidateResponse) {
        let (guid, name) = (req.config.get("guid"), req.config.get("name"));
        if guid.is_unknown() || name.is_unknown() {
            return;
        }
        if guid.is_null() == name.is_null() {
            resp.diagnostics.attr_error(
                AttributePath::root("guid"),
                "Exactly one of guid or name",
                "Look the integration up by guid or by name: set exactly one of them.",
            );
        }
    }

    async fn read(&self, connect: &Connect, req: DataReadRequest, resp: &mut DataReadResponse) {
        match find(&connect.client, &req.config).await {
            Ok(i) => resp.state = state(&i),
            Err(d) => resp.diagnostics.push(d),
        }
    }
}

async fn find(client: &Client, config: &Value) -> Result<Integration, Diagnostic> {
    if let Some(guid) = config.get("guid").as_str() {
        return match client.get_integration(guid).await {
            Ok(Some(i)) => Ok(i),
            Ok(None) => Err(Diagnostic::error(
                "OAuth integration not found",
                format!("Connect at {} has no OAuth integration with guid {guid:?}.", client.server_url()),
            )
            .at(AttributePath::root("guid"))),
            Err(e) => Err(diagnostic(&format!("Could not read OAuth integration {guid}"), &e)),
        };
    }
    let name = config.get("name").as_str().unwrap_or_default();
    let all = client.list_integrations().await.map_err(|e| diagnostic("Could not list OAuth integrations", &e))?;
    let mut matching: Vec<Integration> = all.into_iter().filter(|i| i.name == name).collect();
    match matching.len() {
        1 => Ok(matching.remove(0)),
        n => Err(Diagnostic::error(
            if n == 0 { "OAuth integration not found" } else { "OAuth integration name is ambiguous" },
            format!(
                "{n} OAuth integrations on {} are named {name:?}; exactly one must be. {}",
                client.server_url(),
                if n == 0 { "Check the name (it is compared exactly)." } else { "Look it up by guid instead." }
            ),
        )
        .at(AttributePath::root("name"))),
    }
}

fn state(i: &Integration) -> Value {
    let Value::Object(mut attrs) = super::summary(i) else { unreachable!("summary is an object") };
    attrs.insert("id".into(), Value::string(&i.guid));
    let config = CONFIG_KEYS
        .iter()
        .map(|k| (k.to_string(), Value::opt_string(i.config.get(*k).and_then(Json::as_str))))
        .collect();
    attrs.insert("config".into(), Value::Object(config));
    Value::Object(attrs)
}
