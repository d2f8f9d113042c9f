//! The `posit` provider: its configuration block, how it builds the Connect client, and the list
//! of resources it serves.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::connect::{Client, ClientConfig, Error, Secret};
use crate::resources::api::ConnectHandle;
use crate::resources::data::oauth_integration::OAuthIntegrationData;
use crate::resources::data::oauth_integrations::OAuthIntegrationsData;
use crate::resources::data::server::ServerData;
use crate::resources::oauth_integration::OAuthIntegration;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::resource::{DataSource, Provider, Resource};
use crate::tfplugin::schema::{Attribute, Block, Schema};
use crate::tfplugin::value::Value;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// One provider setting: its attribute and the environment variable it falls back to.
struct Setting {
    attribute: &'static str,
    env: &'static str,
}

const SERVER: Setting = Setting { attribute: "connect_server", env: "CONNECT_SERVER" };
const API_KEY: Setting = Setting { attribute: "connect_api_key", env: "CONNECT_API_KEY" };

impl Setting {
    /// The configured value, else the environment's; `Err` when the configuration's value is
    /// unknown (it depends on something not yet created).
    fn resolve(&self, config: &Value) -> Result<Option<String>, ()> {
        match config.get(self.attribute) {
            Value::Unknown => Err(()),
            Value::String(s) if !s.is_empty() => Ok(Some(s.clone())),
            _ => Ok(std::env::var(self.env).ok().filter(|v| !v.is_empty())),
        }
    }

    fn missing(&self) -> Diagnostic {
        Diagnostic::error(
            format!("Missing {}", self.attribute),
            format!(
                "The posit provider needs {attr} to talk to Posit Connect: set {attr} in the provider block or the \
                 {env} environment variable.",
                attr = self.attribute,
                env = self.env
            ),
        )
        .at(AttributePath::root(self.attribute))
    }

    fn unknown(&self) -> Diagnostic {
        Diagnostic::error(
            format!("{} is not known yet", self.attribute),
            format!(
                "{} depends on a value known only after apply, and this operation needs to reach Connect now.",
                self.attribute
            ),
        )
        .at(AttributePath::root(self.attribute))
    }
}

pub struct PositProvider {
    schema: Schema,
    connect: Arc<ConnectHandle>,
}

impl Default for PositProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl PositProvider {
    pub fn new() -> Self {
        PositProvider { schema: schema(), connect: Arc::new(ConnectHandle::default()) }
    }
}

fn schema() -> Schema {
    Schema::new(0, Block::new(
        "Manages Posit Connect: OAuth integrations with Microsoft Azure and more.",
        vec![
            Attribute::string("connect_server").optional().describe(
                "The Connect server's base URL, e.g. `https://connect.example.org` (the provider adds `/__api__`). Falls back to the `CONNECT_SERVER` environment variable.",
            ),
            Attribute::string("connect_api_key").optional().sensitive().describe(
                "An administrator's Connect API key. Falls back to the `CONNECT_API_KEY` environment variable.",
            ),
        ],
    ))
}

#[async_trait]
impl Provider for PositProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    async fn configure(&self, config: &Value, terraform_version: &str) -> Diagnostics {
        let client = build_client(config, terraform_version);
        let diags = match &client {
            Err(NoClient::Invalid(d)) => d.clone().into(),
            _ => Diagnostics::new(),
        };
        self.connect.set(client.map_err(|(NoClient::Invalid(d) | NoClient::Missing(d))| d));
        diags
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(OAuthIntegration::new(self.connect.clone()))]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![
            Arc::new(OAuthIntegrationData::new(self.connect.clone())),
            Arc::new(OAuthIntegrationsData::new(self.connect.clone())),
            Arc::new(ServerData::new(self.connect.clone())),
        ]
    }
}

/// Why there is no client: a setting that is wrong (an error at configure time), or one that is
/// missing or unknown, which only matters to operations that need the API.
enum NoClient {
    Invalid(Diagnostic),
    Missing(Diagnostic),
}

fn build_client(config: &Value, terraform_version: &str) -> Result<Client, NoClient> {
    let get = |s: &Setting| match s.resolve(config) {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(NoClient::Missing(s.missing())),
        Err(()) => Err(NoClient::Missing(s.unknown())),
    };
    let (server, key) = (get(&SERVER)?, get(&API_KEY)?);
    Client::new(ClientConfig {
        server_url: server,
        api_key: Secret::new(key),
        user_agent: format!("terraform-provider-posit/{VERSION} Terraform/{terraform_version}"),
        timeout: Duration::from_secs(60),
    })
    .map_err(|e| {
        let setting = if matches!(e, Error::InvalidApiKey { .. }) { &API_KEY } else { &SERVER };
        NoClient::Invalid(
            Diagnostic::error(format!("Invalid {}", setting.attribute), e.to_string())
                .at(AttributePath::root(setting.attribute)),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfplugin::codec;
    use crate::tfplugin::proto::tfplugin6 as pb;
    use crate::tfplugin::proto::tfplugin6::provider_server::Provider as _;
    use crate::tfplugin::server::ProviderService;

    /// Calls ValidateResourceConfig as a core would, with or without the write-only capability.
    async fn validate(write_only_allowed: Option<bool>) -> Vec<pb::Diagnostic> {
        let service = ProviderService::new(PositProvider::new());
        let resource = OAuthIntegration::new(Arc::new(ConnectHandle::default()));
        let ty = resource.schema().value_type();
        let config = Value::object([
            ("template", Value::string("msgraph")),
            ("name", Value::string("n")),
            (
                "config",
                Value::object([
                    ("tenant_id", Value::string("11111111-2222-3333-4444-555555555555")),
                    ("client_id", Value::string("11111111-2222-3333-4444-555555555555")),
                    ("client_secret_wo", Value::string("s")),
                ]),
            ),
        ]);
        let req = pb::validate_resource_config::Request {
            type_name: "posit_connect_oauth_integration".into(),
            config: Some(pb::DynamicValue { msgpack: codec::to_msgpack(&config, &ty).unwrap(), json: vec![] }),
            client_capabilities: write_only_allowed
                .map(|w| pb::ClientCapabilities { write_only_attributes_allowed: w, deferral_allowed: false }),
        };
        service.validate_resource_config(tonic::Request::new(req)).await.unwrap().into_inner().diagnostics
    }

    #[tokio::test]
    async fn write_only_needs_the_core_capability() {
        for caps in [None, Some(false)] {
            let diags = validate(caps).await;
            assert_eq!(diags.len(), 1, "{diags:?}");
            let d = &diags[0];
            assert_eq!(d.severity, pb::diagnostic::Severity::Error as i32);
            assert!(d.summary.contains("config.client_secret_wo") && d.summary.contains("1.11"), "{}", d.summary);
            assert!(d.detail.contains("OpenTofu 1.11"), "{}", d.detail);
        }
        assert!(validate(Some(true)).await.is_empty());
    }
}
