//! `posit_connect_content_environment`: environment variables of one content item, in one file
//! as a resource can be: its schema and plan rules, the resource, and the Connect calls behind
//! each operation.
//!
//! Connect returns the names of a content item's variables, never their values. So:
//!
//! - The values are given in one of two forms, exactly one: `variables_wo`, write-only (never in
//!   plan or state; Terraform 1.11+), sent on create, when `variables_wo_version` changes, and
//!   for a name that is new or missing on the server; or `variables`, sensitive and kept in
//!   state (for older cores), sent whenever one of them changes. The same choice, and the same
//!   rules, as `posit_connect_oauth_integration`'s `client_secret_wo` and `client_secret`.
//! - `names` is what Connect tells: the names of this resource's variables that the content
//!   has, planned from the configuration's keys (`ConfiguredNames`), so a variable deleted
//!   outside Terraform is a planned change, and its apply sends that value again.
//! - The resource owns only the names its configuration gives (Connect's PATCH, a `null` value
//!   deleting one): variables others set (a deploy tool's `rsconnect deploy -E`, the dashboard)
//!   are left alone; a name removed from the configuration is deleted on apply, every owned
//!   name on destroy.
//! - Import (by content guid) records every name the content has, and owns none of them yet:
//!   the first apply sends the configured values and leaves every other variable as it is.
//!
//! Values are secrets: each reaches the client as a [`Secret`], which hands it to the secret
//! registry before sending (and Terraform's own copies, sensitive or write-only, are registered
//! by the framework at every call); no diagnostic here quotes a value, only names.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use crate::connect::{Client, Error, Secret};
use crate::connect_diagnostics::hint;
use crate::content_diagnostics::{may_not_change, no_such_content, not_a_content_guid};
use crate::provider_data::ProviderData;

use tfplugin::diag::{AttributePath, Diagnostic, Diagnostics, PathStep};
use tfplugin::model::{Attr, Model};
use tfplugin::plan_modifiers::{AttributePlan, PlanModifier, RequiresReplace, UseStateForUnknown};
use tfplugin::resource::{
    CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, GenerateConfigRequest, GenerateConfigResponse,
    ImportRequest, ImportResponse, ReadRequest, ReadResponse, Resource, UpdateRequest, UpdateResponse, ValidateRequest,
    ValidateResponse,
};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::{Number, Type, Value};

const RESOURCE: &str = "\
    Environment variables of one content item on Connect. Manages only the variables it names: others (set by a \
    deploy tool such as `rsconnect deploy -E`, or in the dashboard) are left alone. A name removed from the \
    configuration is deleted on apply; destroying the resource deletes the variables it manages.";

const VARIABLES: &str = "\
    The variables, name to value, kept in state (sensitive: hidden in plan output, but stored in plain text in state \
    and plan files). For Terraform before 1.11; prefer `variables_wo`. Exactly one of `variables` and `variables_wo`. \
    A changed value is sent on apply. Updates in place.";

const VARIABLES_WO: &str = "\
    Write-only alternative to `variables` (Terraform 1.11+, OpenTofu 1.11+): the variables, name to value, sent to \
    Connect but never stored in state or plan files. Every value is sent on create and when `variables_wo_version` \
    changes (to rotate them); a name added, or one deleted outside Terraform, is sent on the next apply; a changed \
    value alone is not (Terraform cannot see it): change `variables_wo_version` too. Needs `variables_wo_version`.";

const VARIABLES_WO_VERSION: &str = "\
    Any number; required with `variables_wo`. Change it to send every value of `variables_wo` again (to rotate them).";

const NAMES: &str = "\
    The names of this resource's variables that the content has, as Connect reports them (Connect never returns \
    values). A variable deleted outside Terraform drops out of it, which the next plan shows as a change that sends the \
    value again. Right after an import: every variable the content has.";

/// The attributes: the content item (changing it replaces the resource), the variables in one
/// of two forms, and the names Connect reports.
fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            RESOURCE,
            vec![
                Attribute::string("id")
                    .computed()
                    .plan_modifier(UseStateForUnknown)
                    .describe("The content item's guid."),
                Attribute::string("content_guid").required().plan_modifier(RequiresReplace).describe(
                    "The guid of the content item (in the content's URL on Connect, or its Info panel). **Changing it \
                     replaces the resource**: the variables are deleted from the old content and set on the new.",
                ),
                Attribute::of_type("variables", string_map()).optional().sensitive().describe(VARIABLES),
                // Write-only and not also sensitive, as `client_secret_wo` (see the integration's
                // schema for why): the values never reach plan or state either way.
                Attribute::of_type("variables_wo", string_map()).optional().write_only().describe(VARIABLES_WO),
                Attribute::number("variables_wo_version").optional().describe(VARIABLES_WO_VERSION),
                Attribute::of_type("names", Type::Set(Box::new(Type::String)))
                    .computed()
                    .plan_modifier(ConfiguredNames)
                    .describe(NAMES),
            ],
        ),
    )
}

fn string_map() -> Type {
    Type::Map(Box::new(Type::String))
}

/// `names` is planned as the keys of the configured map (`variables` or `variables_wo`): known
/// at plan even for write-only values, so a name added, removed or deleted outside Terraform
/// is a planned change that shows which; unknown while the map is.
#[derive(Clone, Copy, Debug)]
struct ConfiguredNames;

impl PlanModifier for ConfiguredNames {
    fn modify(&self, req: &AttributePlan<'_>, planned: &mut Value, _diags: &mut Diagnostics) {
        *planned = configured_names(req.resource_config);
    }

    fn plans_value(&self) -> bool {
        true
    }
}

/// The names a configuration gives, as a set value (cty orders a set of strings).
fn configured_names(config: &Value) -> Value {
    let map = match (config.get("variables"), config.get("variables_wo")) {
        (Value::Null, wo) => wo,
        (plain, _) => plain,
    };
    match map {
        Value::Map(m) => Value::Set(m.keys().map(Value::string).collect()),
        Value::Null => Value::Null,
        _ => Value::Unknown,
    }
}

tfplugin::model! {
    /// One content item's managed variables, as Terraform holds them. Map elements are `Attr`s:
    /// a configuration's map may hold values known only at apply.
    struct Environment {
        id: Attr<String>,
        content_guid: Attr<String>,
        variables: Attr<BTreeMap<String, Attr<String>>>,
        variables_wo: Attr<BTreeMap<String, Attr<String>>>,
        variables_wo_version: Attr<Number>,
        names: Attr<BTreeSet<String>>,
    }
}

impl Environment {
    fn content(&self) -> &str {
        self.content_guid.as_str().unwrap_or_default()
    }

    /// Which attribute holds the values: `variables_wo` when it is set, `variables` otherwise.
    fn values_attribute(&self) -> &'static str {
        if self.variables_wo.is_null() {
            "variables"
        } else {
            "variables_wo"
        }
    }

    /// The configured values (at apply, all known), from whichever attribute holds them.
    fn values(&self) -> BTreeMap<&str, &str> {
        let map = if self.variables_wo.is_null() { &self.variables } else { &self.variables_wo };
        map.get()
            .map(|m| m.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v))).collect())
            .unwrap_or_default()
    }

    fn names(&self) -> BTreeSet<String> {
        self.names.get().cloned().unwrap_or_default()
    }

    /// The names this state owns: its `names`, except for a state that was only imported (no
    /// values in either form recorded yet), which owns none.
    fn owned(&self) -> BTreeSet<String> {
        if self.variables.is_null() && self.variables_wo_version.is_null() {
            BTreeSet::new()
        } else {
            self.names()
        }
    }

    /// The state an apply leaves: the configuration (known at apply) with its names, and no
    /// write-only values.
    fn applied(config: &Environment) -> Environment {
        let names = config.values().keys().map(|k| k.to_string()).collect();
        Environment {
            id: Attr::known(config.content().to_string()),
            content_guid: Attr::known(config.content().to_string()),
            variables: config.variables.clone(),
            variables_wo: Attr::Null,
            variables_wo_version: config.variables_wo_version.clone(),
            names: Attr::known(names),
        }
    }

    /// A state that holds the content's names and no values (an import).
    fn imported(content: &str, names: Vec<String>) -> Environment {
        Environment {
            id: Attr::known(content.to_string()),
            content_guid: Attr::known(content.to_string()),
            variables: Attr::Null,
            variables_wo: Attr::Null,
            variables_wo_version: Attr::Null,
            names: Attr::known(names.into_iter().collect()),
        }
    }
}

/// The configuration's rules, at validate: exactly one form of values, the version only (and
/// always) with the write-only form, and no empty names or null values.
fn validate(config: &Environment, diags: &mut Diagnostics) {
    if let Some(d) = config.content_guid.as_str().and_then(|c| not_a_content_guid(c, "content_guid")) {
        diags.push(d.at(AttributePath::root("content_guid")));
    }
    let (plain, wo, version) = (&config.variables, &config.variables_wo, &config.variables_wo_version);
    match (plain.is_null(), wo.is_null()) {
        (false, false) => diags.attr_error(
            AttributePath::root("variables_wo"),
            "Conflicting variables",
            "variables and variables_wo cannot both be set: use variables_wo (with variables_wo_version) to keep the \
             values out of state, or variables on Terraform versions before 1.11.",
        ),
        (true, true) => diags.attr_error(
            AttributePath::root("variables_wo"),
            "Missing variables",
            "Give the content's environment variables in variables_wo (write-only, with variables_wo_version; \
             Terraform 1.11+) or in variables (kept in state). An empty map manages no variable.",
        ),
        _ => {}
    }
    if !version.is_null() && wo.is_null() {
        diags.attr_error(
            AttributePath::root("variables_wo_version"),
            "variables_wo_version without variables_wo",
            "variables_wo_version says when to send variables_wo again; set variables_wo too, or remove the version.",
        );
    }
    if version.is_null() && !wo.is_null() {
        diags.attr_error(
            AttributePath::root("variables_wo_version"),
            "Missing variables_wo_version",
            "variables_wo_version is required with variables_wo: set it to any number (such as 1), and change it \
             to send the values again. Terraform records the version, never the values, so it is how this resource \
             knows the values in variables_wo are its own.",
        );
    }
    for (attr, map) in [("variables", plain), ("variables_wo", wo)] {
        let Some(map) = map.get() else { continue };
        for (name, value) in map {
            let at = AttributePath(vec![PathStep::Attribute(attr.into()), PathStep::ElementKeyString(name.clone())]);
            if name.trim().is_empty() {
                diags.attr_error(
                    at,
                    "Empty environment variable name",
                    format!(
                        "{attr} has a variable named {name:?}: a name must not be empty (Connect refuses it, code \
                         266, EmptyEnvironmentVariableName)."
                    ),
                );
            } else if value.is_null() {
                diags.attr_error(
                    at,
                    "Null environment variable value",
                    format!(
                        "{attr}[{name:?}] is null: give the variable a value, or remove it from {attr} (which \
                         deletes it on apply)."
                    ),
                );
            }
        }
    }
}

/// What an apply sends: the names to set with their values, and the names to delete.
#[derive(Debug, Default, PartialEq)]
struct Changes {
    set: Vec<(String, Secret)>,
    delete: Vec<String>,
}

impl Changes {
    fn is_empty(&self) -> bool {
        self.set.is_empty() && self.delete.is_empty()
    }

    /// The PATCH body: each value to set, then a null for each name to delete.
    fn body(self) -> Vec<(String, Option<Secret>)> {
        let set = self.set.into_iter().map(|(n, v)| (n, Some(v)));
        set.chain(self.delete.into_iter().map(|n| (n, None))).collect()
    }
}

/// What an update (or, with `prior` null, a create) sends. Deleted: the owned names the
/// configuration no longer gives. Set: with `variables`, each value that changed or whose name
/// the content lacks; with `variables_wo`, every value when the version changed or when it
/// replaces `variables` (as `client_secret_wo` does), and otherwise only the names the content
/// lacks (new ones, and ones deleted outside Terraform).
fn changes(prior: Option<&Environment>, config: &Environment) -> Changes {
    let values = config.values();
    let Some(prior) = prior else {
        return Changes { set: values.iter().map(|(k, v)| (k.to_string(), Secret::new(*v))).collect(), delete: vec![] };
    };
    let present = prior.names();
    let send_all = !config.variables_wo.is_null()
        && (prior.variables_wo_version != config.variables_wo_version || !prior.variables.is_null());
    let prior_plain = prior.variables.get();
    let set = values
        .iter()
        .filter(|(name, value)| {
            send_all
                || !present.contains(**name)
                || (config.variables_wo.is_null()
                    && prior_plain.and_then(|m| m.get(**name)).and_then(Attr::as_str) != Some(**value))
        })
        .map(|(k, v)| (k.to_string(), Secret::new(*v)))
        .collect();
    let delete = prior.owned().into_iter().filter(|n| !values.contains_key(n.as_str())).collect();
    Changes { set, delete }
}

/// A 404 from Connect's API itself (not a path it does not serve): perhaps the content item is
/// gone; the caller asks for it before saying so.
fn maybe_missing_content(err: &Error) -> bool {
    err.status() == Some(404) && !err.is_missing_api()
}

/// Connect's error as a diagnostic, with its own words: a refusal of the key's rights says who
/// may change a content item's variables and points at `content_guid`; another refusal of the
/// request (a name Connect does not take) points at the attribute holding the variables.
fn connect_error(action: &str, err: &Error, values_attribute: &str) -> Diagnostic {
    match err.last_attempt() {
        Error::Forbidden { .. } => {
            Diagnostic::error(action.to_string(), may_not_change(err, "its environment variables"))
                .at(AttributePath::root("content_guid"))
        }
        Error::Api { status: 400, .. } => Diagnostic::error(action.to_string(), format!("{err}{}", hint(err)))
            .at(AttributePath::root(values_attribute)),
        _ => Diagnostic::error(action.to_string(), format!("{err}{}", hint(err))),
    }
}

/// `resource "posit_connect_content_environment"`, for
/// [`PositProvider`](crate::provider::PositProvider)'s list of resources.
#[derive(Debug)]
pub struct ContentEnvironment {
    schema: Schema,
}

impl Default for ContentEnvironment {
    fn default() -> Self {
        Self::new()
    }
}

impl ContentEnvironment {
    /// The resource, its schema built once.
    pub fn new() -> Self {
        ContentEnvironment { schema: schema() }
    }
}

#[async_trait]
impl Resource<ProviderData> for ContentEnvironment {
    fn type_name(&self) -> &'static str {
        "posit_connect_content_environment"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, req: &ValidateRequest, resp: &mut ValidateResponse) {
        match Environment::read(&req.config) {
            Ok(config) => validate(&config, &mut resp.diagnostics),
            Err(d) => resp.diagnostics.push(d),
        }
    }

    async fn create(&self, connect: &ProviderData, req: CreateRequest, resp: &mut CreateResponse) {
        match Environment::read(&req.config) {
            Ok(config) => match api::apply(&connect.client, None, &config).await {
                Ok(state) => resp.new_state = state,
                Err(d) => resp.diagnostics.push(d),
            },
            Err(d) => resp.diagnostics.push(d),
        }
    }

    async fn read(&self, connect: &ProviderData, req: ReadRequest, resp: &mut ReadResponse) {
        match Environment::read(&req.current) {
            Ok(current) => api::read(&connect.client, current, resp).await,
            Err(d) => resp.diagnostics.push(d),
        }
    }

    async fn update(&self, connect: &ProviderData, req: UpdateRequest, resp: &mut UpdateResponse) {
        match (Environment::read(&req.prior), Environment::read(&req.config)) {
            (Ok(prior), Ok(config)) => match api::apply(&connect.client, Some(&prior), &config).await {
                Ok(state) => resp.new_state = state,
                Err(d) => resp.diagnostics.push(d),
            },
            (Err(d), _) | (_, Err(d)) => resp.diagnostics.push(d),
        }
    }

    async fn delete(&self, connect: &ProviderData, req: DeleteRequest, resp: &mut DeleteResponse) {
        match Environment::read(&req.prior) {
            Ok(prior) => api::delete(&connect.client, &prior, resp).await,
            Err(d) => resp.diagnostics.push(d),
        }
    }

    async fn import(&self, connect: &ProviderData, req: ImportRequest, resp: &mut ImportResponse) {
        if let Some(d) = not_a_content_guid(&req.id, "The import ID") {
            return resp.diagnostics.push(d);
        }
        api::import(&connect.client, &req.id, resp).await
    }

    /// Connect never returns values: the generated configuration has none (the framework leaves
    /// `variables` null), and a warning names the content's variables and what to write.
    fn generate_config(&self, req: &GenerateConfigRequest, resp: &mut GenerateConfigResponse) {
        let names: Vec<String> = match req.state.get("names") {
            Value::Set(names) => names.iter().filter_map(|n| n.as_str().map(|n| format!("{n:?}"))).collect(),
            _ => vec![],
        };
        resp.diagnostics.push(Diagnostic::warning(
            "Environment variable values must be written by hand",
            format!(
                "Connect never returns environment variable values, so the generated configuration has none. The \
                 content's variables are: {}. Give the ones to manage, with their values, in variables_wo (and \
                 variables_wo_version) or variables; the first apply sends them, and leaves the others alone.",
                if names.is_empty() { "none".to_string() } else { names.join(", ") }
            ),
        ));
    }
}

/// The Connect calls: one GET to read or import, one PATCH to create, update or delete.
mod api {
    use super::*;

    /// Refresh: `names` keeps the names the content still has; content that no longer exists
    /// drops the resource from state.
    pub(crate) async fn read(client: &Client, mut current: Environment, resp: &mut ReadResponse) {
        let content = current.content().to_string();
        match client.content_environment_names(&content).await {
            Ok(on_server) => {
                let on_server: BTreeSet<String> = on_server.into_iter().collect();
                let kept = current.names().intersection(&on_server).cloned().collect();
                current.names = Attr::known(kept);
                resp.new_state = Model::to_value(&current);
            }
            Err(e) if maybe_missing_content(&e) && matches!(client.content_item(&content).await, Ok(None)) => {
                resp.new_state = Value::Null;
                resp.diagnostics.push(
                    Diagnostic::warning(
                        format!("Content {content} was deleted outside Terraform"),
                        format!(
                            "Connect at {} no longer has the content item {content}, so its environment variables \
                             are gone too. Terraform plans to set them again, which fails until content_guid names \
                             content that exists: point content_guid at the content's new guid if it was \
                             redeployed, or remove this resource.",
                            client.server_url()
                        ),
                    )
                    .at(AttributePath::root("content_guid")),
                );
            }
            Err(e) => resp.diagnostics.push(connect_error(
                &format!("Could not read the environment variables of content {content}"),
                &e,
                current.values_attribute(),
            )),
        }
    }

    /// Create (`prior` none) or update: one PATCH of what [`changes`] says, nothing when that is
    /// nothing. On failure the state stays as it was (nothing on create, the prior on update):
    /// Connect applies a PATCH whole or not at all.
    pub(crate) async fn apply(
        client: &Client,
        prior: Option<&Environment>,
        config: &Environment,
    ) -> Result<Value, Diagnostic> {
        let content = config.content();
        let changes = changes(prior, config);
        if !changes.is_empty() {
            if let Err(e) = client.patch_content_environment(content, &changes.body()).await {
                if maybe_missing_content(&e) && matches!(client.content_item(content).await, Ok(None)) {
                    return Err(no_such_content(client.server_url(), content, Some(&e)));
                }
                return Err(connect_error(
                    &format!("Could not set the environment variables of content {content}"),
                    &e,
                    config.values_attribute(),
                ));
            }
        }
        Ok(Model::to_value(&Environment::applied(config)))
    }

    /// Delete: a PATCH with `null` for each owned name the content has. Content already gone
    /// has no variables left, which is the goal.
    pub(crate) async fn delete(client: &Client, prior: &Environment, resp: &mut DeleteResponse) {
        let content = prior.content();
        let body: Vec<(String, Option<Secret>)> = prior.owned().into_iter().map(|n| (n, None)).collect();
        if body.is_empty() {
            return;
        }
        match client.patch_content_environment(content, &body).await {
            Ok(_) => {}
            Err(e) if maybe_missing_content(&e) => {}
            Err(e) => resp.diagnostics.push(connect_error(
                &format!("Could not delete the environment variables of content {content}"),
                &e,
                prior.values_attribute(),
            )),
        }
    }

    /// Import by content guid: every name the content has, no values.
    pub(crate) async fn import(client: &Client, content: &str, resp: &mut ImportResponse) {
        match client.content_environment_names(content).await {
            Ok(names) => resp.imported.push(Model::to_value(&Environment::imported(content, names))),
            Err(e) if maybe_missing_content(&e) && matches!(client.content_item(content).await, Ok(None)) => {
                resp.diagnostics.push(Diagnostic::error(
                    "Cannot import the environment of non-existent content",
                    format!("Connect at {} has no content item with guid {content:?}.", client.server_url()),
                ))
            }
            Err(e) => resp.diagnostics.push(connect_error(
                &format!("Could not import the environment variables of content {content}"),
                &e,
                "variables",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::value::Number;

    const C: &str = "3f1e6a52-1b2c-4d5e-8f90-0123456789ab";

    #[test]
    fn the_model_has_the_schemas_attributes() {
        assert_eq!(Environment::check_schema(&schema().block), Ok(()));
    }

    fn map(pairs: &[(&str, &str)]) -> Value {
        Value::Map(pairs.iter().map(|(k, v)| (k.to_string(), Value::string(*v))).collect())
    }

    fn names(list: &[&str]) -> Value {
        Value::Set(list.iter().map(|n| Value::string(*n)).collect())
    }

    fn version(n: i64) -> Value {
        Value::Number(Number::Int(n))
    }

    /// A configuration (or, with `names`, a state).
    fn env(plain: Value, wo: Value, ver: Value, names: Value) -> Value {
        Value::object([
            ("id", if names.is_null() { Value::Null } else { Value::string(C) }),
            ("content_guid", Value::string(C)),
            ("variables", plain),
            ("variables_wo", wo),
            ("variables_wo_version", ver),
            ("names", names),
        ])
    }

    fn model(v: &Value) -> Environment {
        Environment::read(v).unwrap()
    }

    fn diags_of(config: Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        validate(&model(&config), &mut d);
        d
    }

    #[test]
    fn exactly_one_form_of_values_and_the_version_with_the_write_only_one() {
        let ok = [
            env(map(&[("A", "1")]), Value::Null, Value::Null, Value::Null),
            env(map(&[]), Value::Null, Value::Null, Value::Null),
            env(Value::Null, map(&[("A", "1")]), version(1), Value::Null),
            env(Value::Unknown, Value::Null, Value::Null, Value::Null),
        ];
        for config in ok {
            assert!(diags_of(config.clone()).is_empty(), "{config:?}");
        }
        let at = |config: Value| -> Vec<(String, String)> {
            diags_of(config).0.iter().map(|d| (d.attribute.as_ref().unwrap().to_string(), d.summary.clone())).collect()
        };
        assert_eq!(
            at(env(map(&[]), map(&[]), version(1), Value::Null)),
            [("variables_wo".into(), "Conflicting variables".into())]
        );
        assert_eq!(
            at(env(Value::Null, Value::Null, Value::Null, Value::Null)),
            [("variables_wo".into(), "Missing variables".into())]
        );
        assert_eq!(
            at(env(map(&[]), Value::Null, version(1), Value::Null)),
            [("variables_wo_version".into(), "variables_wo_version without variables_wo".into())]
        );
        assert_eq!(
            at(env(Value::Null, map(&[("A", "1")]), Value::Null, Value::Null)),
            [("variables_wo_version".into(), "Missing variables_wo_version".into())]
        );
    }

    #[test]
    fn empty_names_and_null_values_are_refused_at_the_element() {
        let mut with_null = BTreeMap::from([("B".to_string(), Value::Null)]);
        with_null.insert("".into(), Value::string("secret-value-1"));
        with_null.insert(" ".into(), Value::Unknown);
        with_null.insert("OK".into(), Value::Unknown);
        let d = diags_of(env(Value::Null, Value::Map(with_null), version(1), Value::Null));
        let found: Vec<(String, &str)> =
            d.0.iter().map(|d| (d.attribute.as_ref().unwrap().to_string(), d.summary.as_str())).collect();
        assert_eq!(
            found,
            [
                ("variables_wo[\"\"]".to_string(), "Empty environment variable name"),
                ("variables_wo[\" \"]".to_string(), "Empty environment variable name"),
                ("variables_wo[\"B\"]".to_string(), "Null environment variable value"),
            ]
        );
        assert!(d.0[0].detail.contains("266"), "{}", d.0[0].detail);
        for d in &d.0 {
            assert!(!d.detail.contains("secret-value-1") && !d.summary.contains("secret-value-1"), "{d:?}");
        }
    }

    #[test]
    fn names_are_planned_from_the_configured_keys() {
        assert_eq!(
            configured_names(&env(map(&[("B", "2"), ("A", "1")]), Value::Null, Value::Null, Value::Null)),
            names(&["A", "B"])
        );
        assert_eq!(configured_names(&env(Value::Null, map(&[("W", "1")]), version(1), Value::Null)), names(&["W"]));
        assert_eq!(configured_names(&env(Value::Unknown, Value::Null, Value::Null, Value::Null)), Value::Unknown);
        assert_eq!(configured_names(&env(Value::Null, Value::Null, Value::Null, Value::Null)), Value::Null);
    }

    /// The framework's plan with the resource's schema (no `modify_plan`: the modifier and the
    /// framework do it all).
    fn plan(prior: Value, config: Value) -> tfplugin::resource::PlanResponse {
        tfplugin::testing::plan(&schema().block, prior, config, |_, _| {})
    }

    #[test]
    fn plans_show_the_names_and_are_empty_when_nothing_changed() {
        // Create: the names are known at plan, even for write-only values.
        let config = env(Value::Null, map(&[("A", "1"), ("B", "2")]), version(1), Value::Null);
        let r = plan(Value::Null, config.clone());
        assert_eq!(r.planned.get("names"), &names(&["A", "B"]));
        assert!(r.planned.get("variables_wo").is_null(), "write-only values never planned");
        assert!(r.planned.get("id").is_unknown());

        // The same again: no change, whatever the (unseen) values are.
        let state = env(Value::Null, Value::Null, version(1), names(&["A", "B"]));
        let again = env(Value::Null, map(&[("A", "changed"), ("B", "2")]), version(1), Value::Null);
        assert_eq!(plan(state.clone(), again).planned, state);

        // B deleted outside Terraform: a change that shows it coming back.
        let drifted = env(Value::Null, Value::Null, version(1), names(&["A"]));
        let r = plan(drifted.clone(), config.clone());
        assert_eq!(r.planned.get("names"), &names(&["A", "B"]));
        assert_eq!(r.planned.get("id"), &Value::string(C));
        assert!(r.requires_replace.is_empty());

        // Plain values: a changed value is a change; the same ones are none.
        let plain_state = env(map(&[("A", "1")]), Value::Null, Value::Null, names(&["A"]));
        let same = env(map(&[("A", "1")]), Value::Null, Value::Null, Value::Null);
        assert_eq!(plan(plain_state.clone(), same).planned, plain_state);
        let changed = env(map(&[("A", "2")]), Value::Null, Value::Null, Value::Null);
        assert_eq!(plan(plain_state, changed).planned.get("variables"), &map(&[("A", "2")]));

        // Another content item replaces.
        let mut other = config;
        if let Value::Object(o) = &mut other {
            o.insert("content_guid".into(), Value::string("00000000-0000-0000-0000-000000000000"));
        }
        assert_eq!(plan(drifted, other).requires_replace, vec![AttributePath::root("content_guid")]);
    }

    fn sent(c: &Changes) -> (Vec<(&str, &str)>, Vec<&str>) {
        (c.set.iter().map(|(n, v)| (n.as_str(), v.expose())).collect(), c.delete.iter().map(String::as_str).collect())
    }

    #[test]
    fn a_create_sends_every_value_and_deletes_nothing() {
        let config = model(&env(Value::Null, map(&[("A", "1"), ("B", "2")]), version(1), Value::Null));
        assert_eq!(sent(&changes(None, &config)), (vec![("A", "1"), ("B", "2")], vec![]));
    }

    #[test]
    fn write_only_values_are_sent_when_the_version_changes_or_the_name_is_missing() {
        let state = model(&env(Value::Null, Value::Null, version(1), names(&["A", "B", "OLD"])));
        let cfg = |v: i64, pairs: &[(&str, &str)]| model(&env(Value::Null, map(pairs), version(v), Value::Null));
        // Same version, a new value: nothing sent (Terraform cannot see it); OLD deleted.
        assert_eq!(sent(&changes(Some(&state), &cfg(1, &[("A", "x"), ("B", "2")]))), (vec![], vec!["OLD"]));
        // A new name, or one missing on the server: that one.
        let c = changes(Some(&state), &cfg(1, &[("A", "x"), ("B", "2"), ("OLD", "o"), ("NEW", "n")]));
        assert_eq!(sent(&c), (vec![("NEW", "n")], vec![]));
        // A new version: every value.
        let c = changes(Some(&state), &cfg(2, &[("A", "x"), ("B", "2")]));
        assert_eq!(sent(&c), (vec![("A", "x"), ("B", "2")], vec!["OLD"]));
        // Replacing the plain form: every value, as for client_secret_wo.
        let plain = model(&env(map(&[("A", "x")]), Value::Null, Value::Null, names(&["A"])));
        assert_eq!(sent(&changes(Some(&plain), &cfg(1, &[("A", "x")]))), (vec![("A", "x")], vec![]));
    }

    #[test]
    fn plain_values_are_sent_when_changed_or_missing() {
        let state =
            model(&env(map(&[("A", "1"), ("B", "2"), ("C", "3")]), Value::Null, Value::Null, names(&["A", "C"])));
        let config = model(&env(
            map(&[("A", "1"), ("B", "2"), ("D", "4"), ("C", "changed")]),
            Value::Null,
            Value::Null,
            Value::Null,
        ));
        // B was deleted outside Terraform, C changed, D is new; A is as it was.
        assert_eq!(sent(&changes(Some(&state), &config)), (vec![("B", "2"), ("C", "changed"), ("D", "4")], vec![]));
        let fewer = model(&env(map(&[("A", "1")]), Value::Null, Value::Null, Value::Null));
        assert_eq!(sent(&changes(Some(&state), &fewer)), (vec![], vec!["C"]), "only names the content has are deleted");
        // Switching to write-only with a version: every value.
        let wo = model(&env(Value::Null, map(&[("A", "1")]), version(1), Value::Null));
        assert_eq!(sent(&changes(Some(&state), &wo)), (vec![("A", "1")], vec!["C"]));
    }

    #[test]
    fn an_imported_state_owns_nothing_until_its_first_apply() {
        let imported = Environment::imported(C, vec!["A".into(), "DEPLOY_TOOL".into()]);
        assert!(imported.owned().is_empty());
        let config = model(&env(Value::Null, map(&[("A", "1")]), version(1), Value::Null));
        assert_eq!(sent(&changes(Some(&imported), &config)), (vec![("A", "1")], vec![]));
        let plain = model(&env(map(&[("A", "1")]), Value::Null, Value::Null, Value::Null));
        assert_eq!(sent(&changes(Some(&imported), &plain)), (vec![("A", "1")], vec![]));
        // After it, the configured names are owned.
        let applied = Environment::applied(&config);
        assert_eq!(applied.owned(), BTreeSet::from(["A".to_string()]));
        assert!(applied.variables_wo.is_null());
        assert_eq!(Environment::imported(C, vec![]).to_value().get("names"), &names(&[]));
    }

    #[test]
    fn the_patch_body_sets_then_deletes() {
        let c = Changes { set: vec![("A".into(), Secret::new("1"))], delete: vec!["B".into()] };
        let body = c.body();
        assert_eq!(body.len(), 2);
        assert_eq!((body[0].0.as_str(), body[0].1.as_ref().map(Secret::expose)), ("A", Some("1")));
        assert_eq!((body[1].0.as_str(), body[1].1.is_none()), ("B", true));
    }

    #[test]
    fn connect_errors_point_at_the_attribute_they_are_about() {
        let url = format!("https://c/__api__/v1/content/{C}/environment");
        let forbidden = Error::Forbidden {
            method: reqwest::Method::PATCH,
            url: url.clone(),
            status: 403,
            message: Some("nope".into()),
        };
        let d = connect_error("Could not set", &forbidden, "variables_wo");
        assert_eq!(d.attribute, Some(AttributePath::root("content_guid")));
        assert!(d.detail.contains("nope") && d.detail.contains("owner"), "{}", d.detail);
        assert!(!d.detail.contains("OAuth"), "not the integrations' hint: {}", d.detail);
        let refused = Error::Api {
            method: reqwest::Method::PATCH,
            url,
            status: 400,
            code: Some(149),
            message: "The environment variable A is given more than once".into(),
        };
        let d = connect_error("Could not set", &refused, "variables_wo");
        assert_eq!(d.attribute, Some(AttributePath::root("variables_wo")));
        assert!(d.detail.contains("given more than once"), "{}", d.detail);
        assert!(maybe_missing_content(&Error::Api {
            method: reqwest::Method::GET,
            url: "u".into(),
            status: 404,
            code: Some(4),
            message: "The requested object does not exist.".into(),
        }));
    }

    #[test]
    fn generated_configuration_names_the_variables_and_holds_no_value() {
        let state = env(Value::Null, Value::Null, Value::Null, names(&["A", "B"]));
        let r = tfplugin::testing::generate_config(&schema().block, state, |req, resp| {
            ContentEnvironment::new().generate_config(req, resp)
        });
        assert!(r.config.get("variables").is_null() && r.config.get("variables_wo").is_null());
        assert!(r.diagnostics.0[0].detail.contains("\"A\", \"B\""), "{:?}", r.diagnostics);
    }
}
