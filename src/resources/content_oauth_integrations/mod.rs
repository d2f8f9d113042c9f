//! `posit_connect_content_oauth_integrations`: the set of OAuth integrations one content item may
//! use. Planning is the schema's generic rules only (the set is compared as a set by Terraform).
//!
//! - [`schema`]: the attributes;
//! - [`crud`]: the API calls of read, create/update (PUT), delete and import.

mod crud;
pub mod schema;

use std::sync::Arc;

use async_trait::async_trait;

use crate::connect::Version;
use crate::resources::api::ConnectHandle;
use tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::plan;
use tfplugin::resource::{
    ApplyRequest, ApplyResponse, ClientCapabilities, ImportRequest, ImportResponse, PlanRequest, PlanResponse,
    ReadRequest, ReadResponse, Resource,
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
    connect: Arc<ConnectHandle>,
}

impl ContentOAuthIntegrations {
    pub fn new(connect: Arc<ConnectHandle>) -> Self {
        ContentOAuthIntegrations { schema: schema::schema(), connect }
    }
}

#[async_trait]
impl Resource for ContentOAuthIntegrations {
    fn type_name(&self) -> &'static str {
        "posit_connect_content_oauth_integrations"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, _config: &Value, _caps: ClientCapabilities, _diags: &mut Diagnostics) {}

    async fn read(&self, req: ReadRequest) -> ReadResponse {
        match self.connect.client() {
            Ok(client) => crud::read(&client, req.current).await,
            Err(d) => ReadResponse { new_state: req.current, diags: d.into(), ..Default::default() },
        }
    }

    async fn plan(&self, req: PlanRequest) -> PlanResponse {
        if req.proposed.is_null() {
            return PlanResponse::default();
        }
        let block = &self.schema.block;
        let mut planned = req.proposed;
        plan::mark_computed_unknown(block, &req.prior, &mut planned);
        let requires_replace = plan::requires_replace(block, &req.prior, &planned);
        let mut diags = Diagnostics::new();
        if let Some(d) = several_need_a_newer_server(&planned, self.connect.server_version().as_ref()) {
            diags.push(d);
        }
        PlanResponse { planned, requires_replace, diags, ..Default::default() }
    }

    async fn apply(&self, req: ApplyRequest) -> ApplyResponse {
        let client = match self.connect.client() {
            Ok(c) => c,
            Err(d) => return ApplyResponse { new_state: req.prior, diags: d.into(), ..Default::default() },
        };
        if req.planned.is_null() {
            crud::delete(&client, &req.prior).await
        } else {
            crud::put(&client, &req.prior, &req.planned).await
        }
    }

    async fn import(&self, req: ImportRequest) -> ImportResponse {
        match self.connect.client() {
            Ok(client) => crud::import(&client, req.id.trim()).await,
            Err(d) => ImportResponse { imported: vec![], diags: d.into() },
        }
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
