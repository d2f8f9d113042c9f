//! `posit_connect_content_oauth_integrations`: the set of OAuth integrations one content item may
//! use. Planning is the schema's generic rules only (the set is compared as a set by Terraform).
//!
//! - [`schema`]: the attributes;
//! - [`crud`]: the API calls of read, create/update (PUT), delete and import.

mod crud;
pub mod schema;

use async_trait::async_trait;

use crate::connect::Version;
use crate::resources::configured::Connect;
use tfplugin::diag::{AttributePath, Diagnostic};
use tfplugin::resource::{
    CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, ImportRequest, ImportResponse, PlanRequest,
    PlanResponse, ReadRequest, ReadResponse, Resource, UpdateRequest, UpdateResponse,
};
use tfplugin::schema::Schema;
use tfplugin::value::Value;

/// More than one integration for a content item on a server older than
/// [`Version::SEVERAL_ASSOCIATIONS`]: an error at plan, naming the version needed and the
/// server's (found at configure), rather than a refusal at apply. A server whose version is
/// unknown is not second-guessed.
fn several_need_a_newer_server(planned: &Value, version: Option<&Version>) -> Option<Diagnostic> {
    let version = version.filter(|v| !v.at_least(Version::SEVERAL_ASSOCIATIONS))?;
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

pub struct ContentOAuthIntegrations {
    schema: Schema,
}

impl Default for ContentOAuthIntegrations {
    fn default() -> Self {
        Self::new()
    }
}

impl ContentOAuthIntegrations {
    pub fn new() -> Self {
        ContentOAuthIntegrations { schema: schema::schema() }
    }
}

#[async_trait]
impl Resource<Connect> for ContentOAuthIntegrations {
    fn type_name(&self) -> &'static str {
        "posit_connect_content_oauth_integrations"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn modify_plan(&self, connect: Option<&Connect>, _req: &PlanRequest, resp: &mut PlanResponse) {
        if let Some(d) = several_need_a_newer_server(&resp.planned, connect.and_then(Connect::server_version)) {
            resp.diagnostics.push(d);
        }
    }

    async fn create(&self, connect: &Connect, req: CreateRequest, resp: &mut CreateResponse) {
        match crud::put(&connect.client, &req.planned).await {
            Ok(state) => resp.new_state = state,
            Err(d) => resp.diagnostics.push(d),
        }
    }

    async fn read(&self, connect: &Connect, req: ReadRequest, resp: &mut ReadResponse) {
        crud::read(&connect.client, &req.current, resp).await
    }

    async fn update(&self, connect: &Connect, req: UpdateRequest, resp: &mut UpdateResponse) {
        match crud::put(&connect.client, &req.planned).await {
            Ok(state) => resp.new_state = state,
            Err(d) => resp.diagnostics.push(d),
        }
    }

    async fn delete(&self, connect: &Connect, req: DeleteRequest, resp: &mut DeleteResponse) {
        crud::delete(&connect.client, &req.prior, resp).await
    }

    async fn import(&self, connect: &Connect, req: ImportRequest, resp: &mut ImportResponse) {
        crud::import(&connect.client, &req.id, resp).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(guids: Vec<Value>) -> Value {
        Value::object([("content_guid", Value::string("c")), ("integration_guids", Value::Set(guids))])
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
