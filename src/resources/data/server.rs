//! `data "posit_connect_server"`: the Connect server the provider talks to, with the values an
//! Azure application registration needs (the OAuth redirect URI).

use std::sync::Arc;

use async_trait::async_trait;

use crate::resources::api::{diagnostic, ConnectHandle};
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::resource::DataSource;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::Value;

pub struct ServerData {
    schema: Schema,
    connect: Arc<ConnectHandle>,
}

impl ServerData {
    pub fn new(connect: Arc<ConnectHandle>) -> Self {
        let schema = Schema::new(
            0,
            Block::new(
                "The Connect server the provider is configured for.",
                vec![
                    Attribute::string("id").computed().describe("The server's URL."),
                    Attribute::string("url").computed().describe("The server's base URL, without a trailing slash."),
                    Attribute::string("version").computed().describe(
                        "Connect's version, from its settings endpoint; null when the server does not say, or (with a \
                         warning) cannot be asked.",
                    ),
                    Attribute::string("oauth_redirect_uri").computed().describe(
                        "The redirect (callback) URI to register on OAuth applications for Viewer integrations: \
                         `<url>/__oauth__/integrations/callback`.",
                    ),
                ],
            ),
        );
        ServerData { schema, connect }
    }
}

#[async_trait]
impl DataSource for ServerData {
    fn type_name(&self) -> &'static str {
        "posit_connect_server"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    async fn read(&self, _config: Value) -> (Value, Diagnostics) {
        let client = match self.connect.client() {
            Ok(c) => c,
            Err(d) => return (Value::Null, d.into()),
        };
        let url = client.server_url().to_string();
        let mut diags = Diagnostics::new();
        // Read once at configure; asked again only when configure could not ask.
        let known = self.connect.server().map(|s| Value::opt_string(s.version_text.as_deref()));
        let version = match known {
            Some(v) => v,
            None => match client.server_settings().await {
                Ok(settings) => Value::opt_string(settings.get("version").and_then(|v| v.as_str())),
                Err(e) => {
                    let d = diagnostic("Could not read Connect's version", &e);
                    diags.push(Diagnostic::warning(d.summary, d.detail));
                    Value::Null
                }
            },
        };
        let state = Value::object([
            ("id", Value::string(&url)),
            ("oauth_redirect_uri", Value::string(format!("{url}/__oauth__/integrations/callback"))),
            ("url", Value::string(url)),
            ("version", version),
        ]);
        (state, diags)
    }
}
