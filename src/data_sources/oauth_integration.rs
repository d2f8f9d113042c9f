//! `data "posit_connect_oauth_integration"`: one integration, looked up by guid or by name.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value as Json;

use crate::connect::{Client, Integration};
use crate::connect_diagnostics::diagnostic;
use crate::provider_data::ProviderData;
use tfplugin::diag::{AttributePath, Diagnostic};
use tfplugin::model::{Attr, Model};
use tfplugin::resource::{DataReadRequest, DataReadResponse, DataSource, ValidateRequest, ValidateResponse};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::validators::NotBlank;
use tfplugin::value::Value;

use super::Summary;

/// Config keys shown (the fields of [`ConfigSummary`]); secrets are never returned by Connect.
const CONFIG_KEYS: &[&str] = ConfigSummary::ATTRIBUTES;

/// `data "posit_connect_oauth_integration"`, for
/// [`PositProvider`](crate::provider::PositProvider)'s list of data sources.
#[derive(Debug)]
pub struct OAuthIntegrationData {
    schema: Schema,
}

impl Default for OAuthIntegrationData {
    fn default() -> Self {
        Self::new()
    }
}

impl OAuthIntegrationData {
    /// The data source, its schema built once.
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
impl DataSource<ProviderData> for OAuthIntegrationData {
    fn type_name(&self) -> &'static str {
        "posit_connect_oauth_integration"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, req: &ValidateRequest, resp: &mut ValidateResponse) {
        // The data source's two arguments, read by name (one of them is the lookup).
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

    async fn read(&self, connect: &ProviderData, req: DataReadRequest, resp: &mut DataReadResponse) {
        match find(&connect.client, &req.config).await {
            Ok(i) => resp.state = state(&i),
            Err(d) => resp.diagnostics.push(d),
        }
    }
}

/// The integration the configuration names: by `guid`, else by `name` (its two arguments, read by
/// name; `validate` made sure exactly one is set).
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
    let mut matching: Vec<Integration> = all.into_iter().filter(|i| i.name.as_deref() == Some(name)).collect();
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

tfplugin::model! {
    /// The integration's configuration, without secrets (Connect never returns them).
    struct ConfigSummary {
        auth_type: Attr<String>,
        tenant_id: Attr<String>,
        client_id: Attr<String>,
        auth_mode: Attr<String>,
        scopes: Attr<String>,
    }
}

/// The data source's state: the integration found, as the list data source shows each one
/// ([`Summary`]), with its `id` and non-secret `config`.
fn state(i: &Integration) -> Value {
    let config_str = |k: &str| Attr::from_option(i.config.get(k).and_then(Json::as_str).map(str::to_string));
    let config = ConfigSummary {
        auth_type: config_str("auth_type"),
        tenant_id: config_str("tenant_id"),
        client_id: config_str("client_id"),
        auth_mode: config_str("auth_mode"),
        scopes: config_str("scopes"),
    };
    let mut state = Model::to_value(&Summary::of(i));
    if let Value::Object(attrs) = &mut state {
        attrs.insert("id".into(), Value::string(&i.guid));
        attrs.insert("config".into(), Model::to_value(&config));
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::schema::AttributeKind;

    #[test]
    fn the_models_have_the_schemas_attributes() {
        let schema = OAuthIntegrationData::new().schema;
        // The summary's attributes, `id` and `config`: nothing more, nothing less.
        let mut names: Vec<&str> = Summary::ATTRIBUTES.iter().copied().chain(["id", "config"]).collect();
        let mut attributes: Vec<&str> = schema.block.attributes.iter().map(|a| a.name.as_str()).collect();
        names.sort_unstable();
        attributes.sort_unstable();
        assert_eq!(names, attributes);
        let Some(AttributeKind::Single(config)) = schema.block.attribute("config").map(|a| &a.kind) else {
            panic!("config is a nested object")
        };
        assert_eq!(ConfigSummary::check_schema(config), Ok(()));
    }
}
