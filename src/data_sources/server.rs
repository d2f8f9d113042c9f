//! `data "posit_connect_server"`: the Connect server the provider talks to, with the values an
//! Azure application registration needs (the OAuth redirect URI).

use async_trait::async_trait;

use crate::provider_data::ProviderData;
use tfplugin::model::{Attr, Model};
use tfplugin::resource::{DataReadRequest, DataReadResponse, DataSource};
use tfplugin::schema::{Attribute, Block, Schema};

tfplugin::model! {
    /// The data source's state.
    struct Server {
        id: Attr<String>,
        url: Attr<String>,
        version: Attr<String>,
        oauth_redirect_uri: Attr<String>,
    }
}

/// `data "posit_connect_server"`, for [`PositProvider`](crate::provider::PositProvider)'s list
/// of data sources.
#[derive(Debug)]
pub struct ServerData {
    schema: Schema,
}

impl Default for ServerData {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerData {
    /// The data source, its schema built once.
    pub fn new() -> Self {
        let schema = Schema::new(
            0,
            Block::new(
                "The Connect server the provider is configured for.",
                vec![
                    Attribute::string("id").computed().describe("The server's URL."),
                    Attribute::string("url").computed().describe("The server's base URL, without a trailing slash."),
                    Attribute::string("version").computed().describe(
                        "Connect's version, as its settings endpoint gave it when the provider was configured; null \
                         when the server does not say.",
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
impl DataSource<ProviderData> for ServerData {
    fn type_name(&self) -> &'static str {
        "posit_connect_server"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The version is the one configure read (null when the server did not say).
    async fn read(&self, connect: &ProviderData, _req: DataReadRequest, resp: &mut DataReadResponse) {
        let url = connect.client.server_url().to_string();
        let server = Server {
            id: Attr::known(url.clone()),
            oauth_redirect_uri: Attr::known(format!("{url}/__oauth__/integrations/callback")),
            url: Attr::known(url),
            version: Attr::from_option(connect.server.version_text.clone()),
        };
        resp.state = Model::to_value(&server);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_has_the_schemas_attributes() {
        assert_eq!(Server::check_schema(&ServerData::new().schema.block), Ok(()));
    }
}
