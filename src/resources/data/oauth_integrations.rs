//! `data "posit_connect_oauth_integrations"`: every integration, optionally of one template.

use std::sync::Arc;

use async_trait::async_trait;

use crate::resources::api::{diagnostic, ConnectHandle};
use tfplugin::diag::Diagnostics;
use tfplugin::resource::DataSource;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::{Type, Value};

pub struct OAuthIntegrationsData {
    schema: Schema,
    connect: Arc<ConnectHandle>,
}

impl OAuthIntegrationsData {
    pub fn new(connect: Arc<ConnectHandle>) -> Self {
        let item = Block::new("", super::summary_attributes()).value_type();
        let schema = Schema::new(
            0,
            Block::new(
                "All OAuth integrations on Connect, optionally only those of one template.",
                vec![
                    Attribute::string("id").computed().describe("A fixed identifier for this listing."),
                    Attribute::string("template")
                        .optional()
                        .describe("Only integrations of this template, e.g. `msgraph`."),
                    Attribute::of_type("integrations", Type::List(Box::new(item))).computed().describe(
                        "The integrations, in the server's order, each with the fields of the \
                         `posit_connect_oauth_integration` data source: `guid`, `name`, `description`, `template` (the \
                         Connect template id), `auth_type` (`Viewer`, `Service Account` or `Visitor API Key`), and \
                         `created_time` and `updated_time` (RFC 3339).",
                    ),
                ],
            ),
        );
        OAuthIntegrationsData { schema, connect }
    }
}

#[async_trait]
impl DataSource for OAuthIntegrationsData {
    fn type_name(&self) -> &'static str {
        "posit_connect_oauth_integrations"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    async fn read(&self, config: Value) -> (Value, Diagnostics) {
        let client = match self.connect.client() {
            Ok(c) => c,
            Err(d) => return (Value::Null, d.into()),
        };
        let all = match client.list_integrations().await {
            Ok(all) => all,
            Err(e) => return (Value::Null, diagnostic("Could not list OAuth integrations", &e).into()),
        };
        let template = config.get("template").as_str();
        let items = all.iter().filter(|i| template.is_none_or(|t| i.template == t)).map(super::summary).collect();
        let state = Value::object([
            ("id", Value::string(template.map_or("all".to_string(), |t| format!("template:{t}")))),
            ("template", config.get("template").clone()),
            ("integrations", Value::List(items)),
        ]);
        (state, Diagnostics::new())
    }
}
