//! `data "posit_connect_oauth_templates"`: the OAuth integration templates the server offers,
//! as `GET /v1/oauth/templates` describes them (read once per provider process, shared with the
//! plans of `posit_connect_oauth_integration`: `Client::templates`).

use async_trait::async_trait;

use crate::connect::{describe, Listing, ServerTemplate};
use crate::connect_diagnostics::diagnostic;
use crate::provider_data::ProviderData;
use tfplugin::diag::Diagnostic;
use tfplugin::model::{Attr, Model};
use tfplugin::resource::{DataReadRequest, DataReadResponse, DataSource};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::Type;

tfplugin::model! {
    /// The data source's state.
    struct TemplatesState {
        id: Attr<String>,
        templates: Attr<Vec<TemplateSummary>>,
    }
}

tfplugin::model! {
    /// One template as the data source shows it.
    struct TemplateSummary {
        id: Attr<String>,
        name: Attr<String>,
        description: Attr<String>,
        auth_types: Attr<Vec<String>>,
        default_auth_type: Attr<String>,
        options: Attr<Vec<OptionSummary>>,
        fields: Attr<Vec<FieldSummary>>,
        environment_variables: Attr<Vec<String>>,
    }
}

tfplugin::model! {
    /// One option of a template.
    struct OptionSummary {
        name: Attr<String>,
        label: Attr<String>,
        values: Attr<Vec<String>>,
        default: Attr<String>,
    }
}

tfplugin::model! {
    /// One field of a template.
    struct FieldSummary {
        name: Attr<String>,
        label: Attr<String>,
        required: Attr<bool>,
        secret: Attr<bool>,
        default: Attr<String>,
        validation: Attr<String>,
        applies_when: Attr<String>,
    }
}

/// `data "posit_connect_oauth_templates"`, for
/// [`PositProvider`](crate::provider::PositProvider)'s list of data sources.
#[derive(Debug)]
pub struct OAuthTemplatesData {
    schema: Schema,
}

impl Default for OAuthTemplatesData {
    fn default() -> Self {
        Self::new()
    }
}

fn strings() -> Type {
    Type::List(Box::new(Type::String))
}

impl OAuthTemplatesData {
    /// The data source, its schema built once.
    pub fn new() -> Self {
        let field = Block::new(
            "",
            vec![
                Attribute::string("name").computed(),
                Attribute::string("label").computed(),
                Attribute::bool("required").computed(),
                Attribute::bool("secret").computed(),
                Attribute::string("default").computed(),
                Attribute::string("validation").computed(),
                Attribute::string("applies_when").computed(),
            ],
        );
        let option = Block::new(
            "",
            vec![
                Attribute::string("name").computed(),
                Attribute::string("label").computed(),
                Attribute::of_type("values", strings()).computed(),
                Attribute::string("default").computed(),
            ],
        );
        let template = Block::new(
            "",
            vec![
                Attribute::string("id").computed(),
                Attribute::string("name").computed(),
                Attribute::string("description").computed(),
                Attribute::of_type("auth_types", strings()).computed(),
                Attribute::string("default_auth_type").computed(),
                Attribute::of_type("options", Type::List(Box::new(option.value_type()))).computed(),
                Attribute::of_type("fields", Type::List(Box::new(field.value_type()))).computed(),
                Attribute::of_type("environment_variables", strings()).computed(),
            ],
        );
        let schema = Schema::new(
            0,
            Block::new(
                "The OAuth integration templates the Connect server offers, as it describes them: what each \
                 template's integrations take, for the server the provider is configured for.",
                vec![
                    Attribute::string("id").computed().describe("The server's URL."),
                    Attribute::of_type("templates", Type::List(Box::new(template.value_type()))).computed().describe(
                        "Every template, in the server's order. Each has `id` (what \
                         `posit_connect_oauth_integration`'s `template` takes), `name`, `description`, \
                         `auth_types` (the values of its `auth_type` option; empty when it has none) and \
                         `default_auth_type` (null when none), `options` (the choices it offers: `name`, \
                         `label`, `values`, `default`), `fields` (its config keys: `name`, `label`, `required`, \
                         `secret`, `default`, `validation`, the pattern a value must match, and `applies_when`, \
                         the option values that make the field apply, e.g. `auth_type = \"Service Account\"`, \
                         null when it always applies) and `environment_variables` (the names of the environment \
                         variables its integrations give content). A field is `required` when it has no default \
                         and its pattern refuses an empty value: it must be set wherever it applies.",
                    ),
                ],
            ),
        );
        OAuthTemplatesData { schema }
    }
}

/// A template as the data source shows it.
fn summary(t: &ServerTemplate) -> TemplateSummary {
    let def = &t.def;
    let (auth_types, default_auth_type) = match t.auth_types() {
        Some((values, default)) => (values.to_vec(), default),
        None => (Vec::new(), None),
    };
    TemplateSummary {
        id: Attr::known(def.id.clone()),
        name: Attr::from_option(def.name.clone()),
        description: Attr::from_option(def.description.clone()),
        auth_types: Attr::known(auth_types),
        default_auth_type: Attr::from_option(default_auth_type),
        options: Attr::known(
            def.options
                .iter()
                .map(|o| OptionSummary {
                    name: Attr::known(o.name.clone()),
                    label: Attr::from_option(o.label.clone()),
                    values: Attr::known(o.values.clone()),
                    default: Attr::from_option(o.default_text()),
                })
                .collect(),
        ),
        fields: Attr::known(
            def.fields
                .iter()
                .map(|f| FieldSummary {
                    name: Attr::known(f.name.clone()),
                    label: Attr::from_option(f.label.clone()),
                    required: Attr::known(t.required(f)),
                    secret: Attr::known(f.secret),
                    default: Attr::from_option(f.default.clone().filter(|d| !d.is_empty())),
                    validation: Attr::from_option(f.validation.clone().filter(|v| !v.is_empty())),
                    applies_when: Attr::from_option(f.visibility_expression.as_ref().map(describe)),
                })
                .collect(),
        ),
        environment_variables: Attr::known(def.environment_variables.clone()),
    }
}

#[async_trait]
impl DataSource<ProviderData> for OAuthTemplatesData {
    fn type_name(&self) -> &'static str {
        "posit_connect_oauth_templates"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn read(&self, connect: &ProviderData, _req: DataReadRequest, resp: &mut DataReadResponse) {
        let client = &connect.client;
        let all = match client.templates().await {
            Listing::Listed(all) => all,
            Listing::Failed(e) => return resp.diagnostics.push(diagnostic("Could not list OAuth templates", &e)),
            Listing::Absent => {
                return resp.diagnostics.push(Diagnostic::error(
                    "Connect does not list its OAuth templates",
                    format!(
                        "The server at {} answered 404 to GET /__api__/v1/oauth/templates: it predates the templates \
                         API. posit_connect_oauth_integration still plans with the provider's built-in catalogue \
                         there; remove this data source, or upgrade Connect.",
                        client.server_url()
                    ),
                ))
            }
        };
        let state = TemplatesState {
            id: Attr::known(client.server_url().to_string()),
            templates: Attr::known(all.all().iter().map(|t| summary(t)).collect()),
        };
        resp.state = Model::to_value(&state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::ServerTemplate;
    use serde_json::json;

    #[test]
    fn the_model_has_the_schemas_attributes() {
        assert_eq!(TemplatesState::check_schema(&OAuthTemplatesData::new().schema.block), Ok(()));
    }

    #[test]
    fn a_template_is_shown_as_the_server_describes_it() {
        let t = ServerTemplate::new(
            serde_json::from_value(json!({
                "id": "github", "name": "GitHub",
                "fields": [
                    {"name": "client_id", "label": "Client ID", "default": "", "validation": "^\\S+$"},
                    {"name": "client_secret", "secret": true, "validation": ""},
                    {"name": "app_id", "validation": "^[0-9]+$",
                     "visibility_expression": {"name": "auth_type", "operator": "eq", "value": "Service Account"}},
                ],
                "options": [{"name": "auth_type", "default": "Viewer", "values": ["Viewer", "Service Account"]}],
                "environment_variables": ["GITHUB_TOKEN"],
            }))
            .unwrap(),
        );
        let s = summary(&t);
        assert_eq!(s.auth_types.get().map(Vec::len), Some(2));
        assert_eq!(s.default_auth_type.as_str(), Some("Viewer"));
        assert!(s.description.is_null());
        let fields = s.fields.get().unwrap();
        assert_eq!(fields[0].required.get(), Some(&true));
        assert!(fields[0].default.is_null(), "an empty default is none");
        assert_eq!((fields[1].required.get(), fields[1].secret.get()), (Some(&false), Some(&true)));
        assert!(fields[1].validation.is_null());
        assert_eq!(fields[2].applies_when.as_str(), Some("auth_type = \"Service Account\""));
        // The whole state converts to a value of the schema's type.
        let state = TemplatesState { id: Attr::known("u".into()), templates: Attr::known(vec![s]) };
        let ty = OAuthTemplatesData::new().schema.block.value_type();
        tfplugin::codec::to_msgpack(&Model::to_value(&state), &ty).expect("encodes as the schema's type");
    }
}
