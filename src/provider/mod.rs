//! The `posit` provider: its configuration block, the check of the server at configure, and the
//! list of resources it serves. How each setting is read, checked and turned into a client is in
//! `settings.rs`.

mod descriptions;
mod settings;

use std::sync::Arc;

use async_trait::async_trait;

use crate::actions::oauth_integration_verify::OAuthIntegrationVerify;
use crate::connect::{CancellationToken, Client, Error, ServerInfo, Version};
use crate::connect_diagnostics::diagnostic;
use crate::data_sources::content::ContentData;
use crate::data_sources::oauth_integration::OAuthIntegrationData;
use crate::data_sources::oauth_integrations::OAuthIntegrationsData;
use crate::data_sources::oauth_templates::OAuthTemplatesData;
use crate::data_sources::principals::{GroupData, UserData};
use crate::data_sources::server::ServerData;
use crate::provider_data::ProviderData;
use crate::resources::content_access::ContentAccess;
use crate::resources::content_environment::ContentEnvironment;
use crate::resources::content_oauth_integrations::ContentOAuthIntegrations;
use crate::resources::content_vanity_url::ContentVanityUrl;
use crate::resources::oauth_integration::OAuthIntegration;
use settings::{build_client, protect_used_integrations, NoClient, PROTECT_USED_INTEGRATIONS, SERVER};
use tfplugin::action::Action;
use tfplugin::diag::{AttributePath, Diagnostic};
use tfplugin::handshake::Plugin;
use tfplugin::resource::{
    ConfigureRequest, ConfigureResponse, DataSource, Provider, Resource, ValidateRequest, ValidateResponse,
};
use tfplugin::schema::{Attribute, Block, Schema};

/// This build's version (`Cargo.toml`'s), which the user agent gives Connect.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The provider as Terraform and people know it outside the protocol.
pub const PLUGIN: Plugin = Plugin {
    name: "posit",
    source: "posit-dev/posit",
    address: "registry.terraform.io/posit-dev/posit",
    transport_env: "POSIT_PROVIDER_TRANSPORT",
};

/// The provider [`tfplugin`] serves: its configuration block, resources and data sources.
/// `main` hands one to [`tfplugin::run::run`]; docgen builds one to read the schemas.
#[derive(Debug)]
pub struct PositProvider {
    schema: Schema,
    /// Cancelled by StopProvider; every client the provider builds listens to it.
    stop: CancellationToken,
}

impl Default for PositProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl PositProvider {
    /// An unconfigured provider: its schema, and no client until Terraform configures it.
    pub fn new() -> Self {
        PositProvider { schema: schema(), stop: CancellationToken::new() }
    }
}

fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "Manages Posit Connect: OAuth integrations with Microsoft Azure and more.",
            vec![
                Attribute::string("connect_server").optional().describe(descriptions::CONNECT_SERVER),
                Attribute::string("connect_api_key").optional().sensitive().describe(descriptions::CONNECT_API_KEY),
                Attribute::string("connect_ca_certificate").optional().describe(descriptions::CONNECT_CA_CERTIFICATE),
                Attribute::bool("connect_insecure").optional().describe(descriptions::CONNECT_INSECURE),
                Attribute::number("connect_request_timeout").optional().describe(descriptions::CONNECT_REQUEST_TIMEOUT),
                Attribute::number("connect_max_retries").optional().describe(descriptions::CONNECT_MAX_RETRIES),
                Attribute::number("connect_operation_timeout")
                    .optional()
                    .describe(descriptions::CONNECT_OPERATION_TIMEOUT),
                Attribute::bool(PROTECT_USED_INTEGRATIONS).optional().describe(descriptions::PROTECT_USED_INTEGRATIONS),
            ],
        ),
    )
}

#[async_trait]
impl Provider for PositProvider {
    type Data = ProviderData;

    fn type_name(&self) -> &'static str {
        PLUGIN.name
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Bad transport settings (in the configuration or their environment variables) fail
    /// here, at plan time, each naming the attribute and what it allows; `connect_insecure`
    /// and an `http://` server other than this machine earn a warning.
    fn validate(&self, req: &ValidateRequest, resp: &mut ValidateResponse) {
        settings::validate(&req.config, &mut resp.diagnostics);
    }

    /// Builds the client and, when every setting is known, checks the server once for this
    /// process (`check_server`): a missing or wrong URL or key, or a Connect too old, fails
    /// here, at plan time, whatever the plan holds. Settings known only after apply defer the
    /// check to the operations that need the API. `terraform validate` never configures a
    /// provider, so it stays offline.
    async fn configure(&self, req: ConfigureRequest, resp: &mut ConfigureResponse<ProviderData>) {
        let built = build_client(&req.config, &req.terraform_version, &self.stop)
            .and_then(|client| Ok((client, protect_used_integrations(&req.config)?)));
        resp.data = match built {
            Err(NoClient::Invalid(d)) => {
                resp.diagnostics.push(d.clone());
                Err(d)
            }
            Err(NoClient::Unknown(d)) => Err(d),
            Ok((client, protect_used_integrations)) => match check_server(&client).await {
                Ok(server) => {
                    Ok(ProviderData { client, server, protect_used_integrations, planned_removals: Default::default() })
                }
                Err(d) => {
                    resp.diagnostics.push(d.clone());
                    Err(d)
                }
            },
        };
    }

    /// StopProvider: every request in flight ends now, each operation returning what it has.
    async fn stop(&self) {
        tracing::debug!("StopProvider: cancelling requests to Connect");
        self.stop.cancel();
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<ProviderData>>> {
        vec![
            Arc::new(OAuthIntegration::new()),
            Arc::new(ContentOAuthIntegrations::new()),
            Arc::new(ContentAccess::new()),
            Arc::new(ContentVanityUrl::new()),
            Arc::new(ContentEnvironment::new()),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<ProviderData>>> {
        vec![
            Arc::new(OAuthIntegrationData::new()),
            Arc::new(OAuthIntegrationsData::new()),
            Arc::new(OAuthTemplatesData::new()),
            Arc::new(ServerData::new()),
            Arc::new(UserData::new()),
            Arc::new(GroupData::new()),
            Arc::new(ContentData::new()),
        ]
    }

    /// The actions served (Terraform 1.14+; older cores and OpenTofu never ask for them).
    fn actions(&self) -> Vec<Arc<dyn Action<ProviderData>>> {
        vec![Arc::new(OAuthIntegrationVerify::new())]
    }

    /// Every sensitive value Terraform sends (client secrets, `extra_sensitive` values, the API
    /// key), from configuration and from state alike, is masked in this process's logs and
    /// diagnostics from then on, even when a server echoes it in an escaped form.
    fn sensitive_value(&self, value: &str) {
        crate::untrusted::register_secret(value);
    }

    /// The last net under every diagnostic: secrets masked, terminal control sequences removed.
    fn scrub(&self, text: &str) -> String {
        crate::untrusted::printable(&crate::untrusted::scrub(text)).into_owned()
    }
}

/// The one check of the server at configure: one request for its version (refused below
/// [`Version::OAUTH_API`]) and one that needs the key (a wrong key fails here, even for a plan
/// that only creates). A connection that cannot be made is reported at once, without the
/// retries that a working server's hiccups get (see `Client::check_server`).
async fn check_server(client: &Client) -> Result<ServerInfo, Diagnostic> {
    // The templates list, which plans use, goes out beside the check: its round trip is shared.
    client.prefetch_templates();
    let info = client.check_server().await.map_err(|e| {
        let d = diagnostic(&format!("Could not use Connect at {}", client.server_url()), &e);
        match e.last_attempt() {
            // Not at connect_api_key: Terraform would quote that line of the configuration,
            // which may hold the key itself. The detail names the setting.
            Error::Unauthorized { .. } | Error::Forbidden { .. } => d,
            _ => d.at(AttributePath::root(SERVER.attribute)),
        }
    })?;
    tracing::debug!(version = ?info.version_text, role = ?info.user_role, "Connect server checked");
    match &info.version {
        Some(v) if !v.at_least(Version::OAUTH_API) => Err(Diagnostic::error(
            format!("Connect {v} is too old for the posit provider"),
            format!(
                "The server at {} reports version {v}; the posit provider needs Connect {} or later, the first \
                 with the OAuth integrations API. Upgrade Connect, or point connect_server at a newer server.",
                client.server_url(),
                Version::name(Version::OAUTH_API)
            ),
        )
        .at(AttributePath::root(SERVER.attribute))),
        _ => Ok(info),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::codec;
    use tfplugin::proto::tfplugin6 as pb;
    use tfplugin::proto::tfplugin6::provider_server::Provider as _;
    use tfplugin::server::ProviderService;
    use tfplugin::value::Value;

    /// Calls ValidateResourceConfig as a core would, with or without the write-only capability.
    async fn validate(write_only_allowed: Option<bool>) -> Vec<pb::Diagnostic> {
        let service = ProviderService::new(PositProvider::new());
        let resource = OAuthIntegration::new();
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
