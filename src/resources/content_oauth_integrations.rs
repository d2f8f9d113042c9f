//! `posit_connect_content_oauth_integrations`: the set of OAuth integrations one content item may
//! use, in one file as a resource can be: its schema, the resource (planning is the framework's,
//! plus one check against the server's version), and the Connect calls behind each operation.

use async_trait::async_trait;

use crate::connect::{Client, Error, Version};
use crate::connect_diagnostics::{diagnostic, hint};
use crate::provider_data::{PlannedRemovals, ProviderData};
use std::collections::BTreeSet;

use tfplugin::diag::{AttributePath, Diagnostic};
use tfplugin::model::{Attr, Model};
use tfplugin::plan_modifiers::{RequiresReplace, UseStateForUnknown};
use tfplugin::resource::{
    CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, ImportRequest, ImportResponse, PlanRequest,
    PlanResponse, ReadRequest, ReadResponse, Resource, UpdateRequest, UpdateResponse,
};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::validators::NotBlank;
use tfplugin::value::{Type, Value};

/// The attributes: the content item (changing it replaces the resource) and the whole set.
fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "The OAuth integrations one content item on Connect may use. Manages the whole set: integrations \
             associated with the content outside Terraform are removed on apply.",
            vec![
                Attribute::string("id")
                    .computed()
                    .plan_modifier(UseStateForUnknown)
                    .describe("The content item's guid."),
                Attribute::string("content_guid")
                    .required()
                    .plan_modifier(RequiresReplace)
                    .validate(NotBlank)
                    .describe(
                    "The guid of the content item. **Changing it replaces the resource** (the associations move to \
                         the other content).",
                ),
                Attribute::of_type("integration_guids", Type::Set(Box::new(Type::String))).required().describe(
                    "The guids of the OAuth integrations the content may use. An empty set removes all. \
                         Updates in place.",
                ),
            ],
        ),
    )
}

/// More than one integration for a content item on a server older than
/// [`Version::SEVERAL_ASSOCIATIONS`]: an error at plan, naming the version needed and the
/// server's (found at configure), rather than a refusal at apply. A server whose version is
/// unknown is not second-guessed.
fn several_need_a_newer_server(planned: &Value, version: Option<&Version>) -> Option<Diagnostic> {
    let version = version.filter(|v| !v.at_least(Version::SEVERAL_ASSOCIATIONS))?;
    // Only the size of the planned set matters here, read by name.
    let Value::Set(guids) = planned.get("integration_guids") else { return None };
    if guids.len() < 2 {
        return None;
    }
    Some(
        Diagnostic::error(
            format!(
                "Several OAuth integrations per content item need Connect {}",
                Version::name(Version::SEVERAL_ASSOCIATIONS)
            ),
            format!(
                "integration_guids lists {} integrations, but the Connect server runs version {version}, which allows \
                 one OAuth integration per content item; several need Connect {} or later. List one integration, \
                 or upgrade Connect.",
                guids.len(),
                Version::name(Version::SEVERAL_ASSOCIATIONS)
            ),
        )
        .at(AttributePath::root("integration_guids")),
    )
}

/// `resource "posit_connect_content_oauth_integrations"`, for
/// [`PositProvider`](crate::provider::PositProvider)'s list of resources.
#[derive(Debug)]
pub struct ContentOAuthIntegrations {
    schema: Schema,
}

impl Default for ContentOAuthIntegrations {
    fn default() -> Self {
        Self::new()
    }
}

impl ContentOAuthIntegrations {
    /// The resource, its schema built once.
    pub fn new() -> Self {
        ContentOAuthIntegrations { schema: schema() }
    }
}

#[async_trait]
impl Resource<ProviderData> for ContentOAuthIntegrations {
    fn type_name(&self) -> &'static str {
        "posit_connect_content_oauth_integrations"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The server's version against the planned set; and a destroy recorded for the plans of the
    /// integrations it names (see `record_destroy`).
    async fn modify_plan(&self, connect: Option<&ProviderData>, req: &PlanRequest, resp: &mut PlanResponse) {
        if let Some(d) = several_need_a_newer_server(&resp.planned, connect.and_then(ProviderData::server_version)) {
            resp.diagnostics.push(d);
        }
        if let Some(connect) = connect {
            record_destroy(&connect.planned_removals, &req.prior, &resp.planned);
        }
    }

    async fn create(&self, connect: &ProviderData, req: CreateRequest, resp: &mut CreateResponse) {
        match put(connect, &req.planned).await {
            Ok(state) => resp.new_state = state,
            Err(d) => resp.diagnostics.push(d),
        }
    }

    async fn read(&self, connect: &ProviderData, req: ReadRequest, resp: &mut ReadResponse) {
        match Associations::read(&req.current) {
            Ok(current) => api::read(&connect.client, &current, resp).await,
            Err(d) => resp.diagnostics.push(d),
        }
    }

    async fn update(&self, connect: &ProviderData, req: UpdateRequest, resp: &mut UpdateResponse) {
        match put(connect, &req.planned).await {
            Ok(state) => resp.new_state = state,
            Err(d) => resp.diagnostics.push(d),
        }
    }

    async fn delete(&self, connect: &ProviderData, req: DeleteRequest, resp: &mut DeleteResponse) {
        match Associations::read(&req.prior) {
            Ok(prior) => api::delete(&connect.client, &prior, resp).await,
            Err(d) => resp.diagnostics.push(d),
        }
    }

    async fn import(&self, connect: &ProviderData, req: ImportRequest, resp: &mut ImportResponse) {
        api::import(&connect.client, &req.id, resp).await
    }
}

/// A plan that destroys the resource removes the content's associations with every integration
/// it lists: recorded in `removals`, so the destroy plan of one of those integrations, which
/// Terraform makes after this one when the state records that this resource depends on it (the
/// destroy edges of `terraform destroy`, or both removed from the configuration), leaves this
/// content out of its warning (`oauth_integration/in_use.rs`). Only destroys: an update that drops
/// an integration is planned after the integration it referred to, or in no set order, and at
/// apply older Terraform deletes the integration before updating its former dependents.
fn record_destroy(removals: &PlannedRemovals, prior: &Value, planned: &Value) {
    if !planned.is_null() || prior.is_null() {
        return;
    }
    if let Ok(prior) = Associations::read(prior) {
        let guids = prior.guids();
        removals.record(prior.content(), guids.iter().map(String::as_str));
    }
}

/// Create and update alike: PUT the planned set; the new state, or why there is none.
async fn put(connect: &ProviderData, planned: &Value) -> Result<Value, Diagnostic> {
    api::put(&connect.client, &Associations::read(planned)?).await
}

tfplugin::model! {
    /// One content item's associations, as Terraform holds them.
    struct Associations {
        id: Attr<String>,
        content_guid: Attr<String>,
        integration_guids: Attr<BTreeSet<String>>,
    }
}

impl Associations {
    /// The state of a content item's associations as the server has them (a set: sorted, each
    /// guid once, as cty orders a set of strings).
    fn of(content: &str, guids: impl IntoIterator<Item = String>) -> Self {
        Associations {
            id: Attr::known(content.to_string()),
            content_guid: Attr::known(content.to_string()),
            integration_guids: Attr::known(guids.into_iter().collect()),
        }
    }

    fn content(&self) -> &str {
        self.content_guid.as_str().unwrap_or_default()
    }

    fn guids(&self) -> Vec<String> {
        self.integration_guids.get().map(|g| g.iter().cloned().collect()).unwrap_or_default()
    }
}

/// A 404 from Connect's API itself (not a server without the OAuth API) to a PUT of a content
/// item's associations: perhaps the content item is not there. Perhaps: which 404 Connect gives
/// for a missing integration in the body is not recorded, so [`api::put`] asks for the content
/// item before blaming `content_guid`.
fn is_missing_content(err: &Error) -> bool {
    err.status() == Some(404) && !err.is_missing_api()
}

/// The error for associations of a content item Connect does not have: at `content_guid`,
/// naming the guid, with Connect's own words after.
fn no_such_content(server: &str, content: &str, err: &Error) -> Diagnostic {
    let shown = crate::untrusted::server_text(content, 100);
    let detail = format!(
        "content_guid is {shown:?}, but Connect at {server} has no content item with that guid: check content_guid \
         (the guid in the content's URL on Connect, or in its Info panel).\n\n{err}{}",
        hint(err)
    );
    Diagnostic::error(format!("No content item {shown:?} on Connect"), detail).at(AttributePath::root("content_guid"))
}

/// The Connect calls: one GET to read, one PUT of the whole set to create or update, a PUT of `[]`
/// to delete.
mod api {
    use super::*;

    /// Refresh; content that no longer exists drops the resource from state.
    pub(crate) async fn read(client: &Client, current: &Associations, resp: &mut ReadResponse) {
        let content = current.content();
        match client.content_associations(content).await {
            Ok(Some(list)) => {
                let guids = list.into_iter().map(|a| a.oauth_integration_guid);
                resp.new_state = Model::to_value(&Associations::of(content, guids));
            }
            Ok(None) => resp.new_state = Value::Null,
            Err(e) => resp
                .diagnostics
                .push(diagnostic(&format!("Could not read the OAuth integrations of content {content}"), &e)),
        }
    }

    /// Create or update: PUT the planned set. On failure the state stays as it was (nothing on
    /// create, the prior set on update).
    pub(crate) async fn put(client: &Client, planned: &Associations) -> Result<Value, Diagnostic> {
        let (content, guids) = (planned.content(), planned.guids());
        match client.set_content_associations(content, &guids).await {
            Ok(()) => Ok(Model::to_value(&Associations::of(content, guids))),
            Err(e) if is_missing_content(&e) && matches!(client.content_item(content).await, Ok(None)) => {
                Err(no_such_content(client.server_url(), content, &e))
            }
            Err(e) => Err(diagnostic(&format!("Could not set the OAuth integrations of content {content}"), &e)),
        }
    }

    /// Delete: PUT `[]`. Content already gone has no associations left, which is the goal.
    pub(crate) async fn delete(client: &Client, prior: &Associations, resp: &mut DeleteResponse) {
        let content = prior.content();
        match client.set_content_associations(content, &[]).await {
            Ok(()) => {}
            // Not when the 404 says the OAuth API itself is missing: nothing was removed then.
            Err(e) if e.status() == Some(404) && !e.is_missing_api() => {}
            Err(e) => resp
                .diagnostics
                .push(diagnostic(&format!("Could not remove the OAuth integrations of content {content}"), &e)),
        }
    }

    /// Import by content guid.
    pub(crate) async fn import(client: &Client, content: &str, resp: &mut ImportResponse) {
        match client.content_associations(content).await {
            Ok(Some(list)) => {
                let guids = list.into_iter().map(|a| a.oauth_integration_guid);
                resp.imported.push(Model::to_value(&Associations::of(content, guids)));
            }
            Ok(None) => resp.diagnostics.push(Diagnostic::error(
                "Cannot import associations of non-existent content",
                format!("Connect at {} has no content item with guid {content:?}.", client.server_url()),
            )),
            Err(e) => resp
                .diagnostics
                .push(diagnostic(&format!("Could not import the OAuth integrations of content {content}"), &e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_has_the_schemas_attributes() {
        assert_eq!(Associations::check_schema(&schema().block), Ok(()));
    }

    #[test]
    fn a_destroy_is_recorded_for_each_integration_it_lists() {
        let prior = Value::object([
            ("id", Value::string("c")),
            ("content_guid", Value::string("c")),
            ("integration_guids", Value::Set(vec![Value::string("i1"), Value::string("i2")])),
        ]);
        let removals = PlannedRemovals::default();
        // An update (here, none) and a create record nothing.
        record_destroy(&removals, &prior, &prior);
        record_destroy(&removals, &Value::Null, &prior);
        assert!(removals.removed_from("i1").is_empty());
        record_destroy(&removals, &prior, &Value::Null);
        for i in ["i1", "i2"] {
            assert_eq!(removals.removed_from(i), BTreeSet::from(["c".to_string()]), "{i}");
        }
        assert!(removals.removed_from("i3").is_empty());
    }

    fn planned(guids: Vec<Value>) -> Value {
        Value::object([("content_guid", Value::string("c")), ("integration_guids", Value::Set(guids))])
    }

    #[test]
    fn a_404_for_the_content_names_content_guid_and_the_guid() {
        let api = |status: u16, code: i64, message: &str| Error::Api {
            method: reqwest::Method::PUT,
            url: "https://c/__api__/v1/content/abc/oauth/integrations/associations".into(),
            status,
            code: Some(code),
            message: message.into(),
        };
        let gone = api(404, 4, "The requested object does not exist.");
        assert!(is_missing_content(&gone));
        let d = no_such_content("https://c", "abc", &gone);
        assert_eq!(d.attribute, Some(AttributePath::root("content_guid")));
        assert!(d.summary.contains("\"abc\""), "{}", d.summary);
        assert!(
            d.detail.starts_with("content_guid is \"abc\", but Connect at https://c has no content item"),
            "{}",
            d.detail
        );
        assert!(d.detail.contains("The requested object does not exist."), "Connect's words stay: {}", d.detail);

        // A server without the OAuth API, or another refusal, is not a missing content item.
        assert!(!is_missing_content(&api(404, 2, "The requested endpoint does not exist.")));
        assert!(!is_missing_content(&api(400, 4, "The OAuth integration x does not exist.")));
    }

    #[test]
    fn several_integrations_need_2025_07() {
        let old = Version::parse("2025.06.1").unwrap();
        let two = planned(vec![Value::string("a"), Value::Unknown]);
        let d = several_need_a_newer_server(&two, Some(&old)).expect("an error");
        assert_eq!(d.attribute, Some(AttributePath::root("integration_guids")));
        assert!(d.summary.contains("2025.07.0") && d.detail.contains("2025.06.1"), "{d:?}");
        assert!(several_need_a_newer_server(&planned(vec![Value::string("a")]), Some(&old)).is_none());
        assert!(several_need_a_newer_server(&planned(vec![]), Some(&old)).is_none());
        let new = Version::parse("2025.07.0").unwrap();
        assert!(several_need_a_newer_server(&two, Some(&new)).is_none());
        assert!(several_need_a_newer_server(&two, None).is_none());
        let unknown = Value::object([("integration_guids", Value::Unknown)]);
        assert!(several_need_a_newer_server(&unknown, Some(&old)).is_none());
    }
}
