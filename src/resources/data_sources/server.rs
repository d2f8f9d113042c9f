//! `data "posit_connect_server"`: the Connect server the provider talks to, with the values an
//! Azure application registration needs (the OAuth redirect URI).

use async_trait::async_trait;

use crate::resources::configured::Connect;
use tfplugin::resource::{DataReadRequest, DataReadResponse, DataSource};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::Value;

pub struct ServerData {
    schema: Schema,
}

impl Default for ServerData {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerData {
    pub fn new() -> Self {
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
        ServerData { schema }
    }
}

#[async_trait]
impl DataSource<Connect> for ServerData {
    fn type_name(&self) -> &'static str {
        "posit_connect_server"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The version is the one configure read (null when the server did not say).
    async fn read(&self, connect: &Connect, _req: DataReadRequest, resp: &mut DataReadResponse) {
        let url = connect.client.server_url().to_string();
        let version = Value::opt_string(connect.server.version_text.as_deref());
        resp.state = Value::object([
            ("id", Value::string(&url)),
            ("oauth_redirect_uri", Value::string(format!("{url}/__oauth__/integrations/callback"))),
            ("url", Value::string(url)),
            ("version", version),
        ]);
    }
}
