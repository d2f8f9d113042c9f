//! `data "posit_connect_oauth_integrations"`: every integration, optionally of one template.

use async_trait::async_trait;

use super::Summary;
use crate::connect_diagnostics::diagnostic;
use crate::provider_data::ProviderData;
use crate::template_catalogue::TEMPLATE_IDS;
use tfplugin::model::{Attr, Model};
use tfplugin::resource::{DataReadRequest, DataReadResponse, DataSource};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::validators::OneOf;
use tfplugin::value::Type;

tfplugin::model! {
    /// The data source's state: the integrations of one template, or all.
    struct Listing {
        id: Attr<String>,
        template: Attr<String>,
        integrations: Attr<Vec<Summary>>,
    }
}

/// `data "posit_connect_oauth_integrations"`, for
/// [`PositProvider`](crate::provider::PositProvider)'s list of data sources.
#[derive(Debug)]
pub struct OAuthIntegrationsData {
    schema: Schema,
}

impl Default for OAuthIntegrationsData {
    fn default() -> Self {
        Self::new()
    }
}

impl OAuthIntegrationsData {
    /// The data source, its schema built once.
    pub fn new() -> Self {
        let item = Block::new("", super::summary_attributes()).value_type();
        let schema = Schema::new(
            0,
            Block::new(
                "All OAuth integrations on Connect, optionally only those of one template.",
                vec![
                    Attribute::string("id").computed().describe("A fixed identifier for this listing."),
                    // As the resource's: a mistyped filter fails at plan instead of matching nothing.
                    Attribute::string("template")
                        .optional()
                        .validate(OneOf(TEMPLATE_IDS))
                        .describe("Only integrations of this template, e.g. `msgraph`; without it, every integration."),
                    Attribute::of_type("integrations", Type::List(Box::new(item))).computed().describe(
                        "Every integration (whatever its template), in the server's order, each with the \
                         fields of the `posit_connect_oauth_integration` data source: `guid`, `name`, \
                         `description`, `template` (the Connect template id), `auth_type` (`Viewer`, `Service \
                         Account` or `Visitor API Key`; null when the server does not say), and `created_time` \
                         and `updated_time` (RFC 3339).",
                    ),
                ],
            ),
        );
        OAuthIntegrationsData { schema }
    }
}

#[async_trait]
impl DataSource<ProviderData> for OAuthIntegrationsData {
    fn type_name(&self) -> &'static str {
        "posit_connect_oauth_integrations"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn read(&self, connect: &ProviderData, req: DataReadRequest, resp: &mut DataReadResponse) {
        let config = req.config;
        let all = match connect.client.list_integrations().await {
            Ok(all) => all,
            Err(e) => return resp.diagnostics.push(diagnostic("Could not list OAuth integrations", &e)),
        };
        // The data source's one argument, read by name.
        let template = config.get("template").as_str();
        let listing = Listing {
            id: Attr::known(template.map_or("all".to_string(), |t| format!("template:{t}"))),
            template: Attr::from_option(template.map(str::to_string)),
            integrations: Attr::known(
                all.iter()
                    .filter(|i| template.is_none_or(|t| i.template.as_deref() == Some(t)))
                    .map(Summary::of)
                    .collect(),
            ),
        };
        resp.state = Model::to_value(&listing);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::value::Value;

    #[test]
    fn the_model_has_the_schemas_attributes() {
        assert_eq!(Listing::check_schema(&OAuthIntegrationsData::new().schema.block), Ok(()));
    }

    #[test]
    fn the_template_filter_takes_the_resources_templates() {
        let schema = OAuthIntegrationsData::new().schema;
        let template = schema.block.attributes.iter().find(|a| a.name == "template").unwrap();
        let check = |value: &str| {
            let mut d = tfplugin::diag::Diagnostics::new();
            let path = tfplugin::diag::AttributePath::root("template");
            template.validators.iter().for_each(|v| v.validate(&path, &Value::string(value), &mut d));
            d
        };
        assert!(check("msgraph").is_empty());
        let d = check("ms-graph");
        assert_eq!(d.0.len(), 1);
        assert!(d.0[0].detail.contains("\"sharepoint\"") && d.0[0].detail.ends_with("Did you mean \"msgraph\"?"));
    }
}
