//! Data sources: read-only views of Connect for use in other configuration.

pub mod oauth_integration;
pub mod oauth_integrations;
pub mod server;

use crate::connect::Integration;
use tfplugin::schema::Attribute;
use tfplugin::value::Value;

/// The non-secret fields of an integration as a data source shows them.
pub(crate) fn summary_attributes() -> Vec<Attribute> {
    vec![
        Attribute::string("guid").computed().describe("The integration's guid."),
        Attribute::string("name").computed().describe("The integration's name."),
        Attribute::string("description").computed().describe("The integration's description."),
        Attribute::string("template").computed().describe("The Connect template id, e.g. `azure-openai`."),
        Attribute::string("auth_type").computed().describe("`Viewer`, `Service Account` or `Visitor API Key`."),
        Attribute::string("created_time").computed().describe("When the integration was created (RFC 3339)."),
        Attribute::string("updated_time").computed().describe("When the integration was last changed (RFC 3339)."),
    ]
}

pub(crate) fn summary(i: &Integration) -> Value {
    let auth_type =
        i.auth_type.clone().or_else(|| i.config.get("auth_type").and_then(|v| v.as_str()).map(String::from));
    Value::object([
        ("guid", Value::string(&i.guid)),
        ("name", Value::string(&i.name)),
        ("description", Value::string(&i.description)),
        ("template", Value::string(&i.template)),
        ("auth_type", Value::opt_string(auth_type)),
        ("created_time", Value::opt_string(i.created_time.clone())),
        ("updated_time", Value::opt_string(i.updated_time.clone())),
    ])
}
