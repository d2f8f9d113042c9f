//! `posit_connect_oauth_integration`: an OAuth integration on Connect (the Azure family).
//!
//! - [`schema`]: the attributes;
//! - [`plan`]: validation and planning, no API calls;
//! - [`crud`]: the API calls of read, create, update, delete and import;
//! - [`model`]: the mapping between Terraform values and Connect's JSON.

mod crud;
mod model;
pub mod plan;
pub mod schema;

use std::sync::Arc;

use async_trait::async_trait;

use crate::resources::api::ConnectHandle;
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::resource::{
    ApplyRequest, ApplyResponse, ClientCapabilities, ImportRequest, ImportResponse, Listed, PlanRequest, PlanResponse,
    ReadRequest, ReadResponse, Resource,
};
use crate::tfplugin::schema::{IdentitySchema, Schema};
use crate::tfplugin::value::Value;

pub struct OAuthIntegration {
    schema: Schema,
    identity: IdentitySchema,
    list: Schema,
    connect: Arc<ConnectHandle>,
}

impl OAuthIntegration {
    pub fn new(connect: Arc<ConnectHandle>) -> Self {
        OAuthIntegration {
            schema: schema::schema(),
            identity: schema::identity_schema(),
            list: schema::list_schema(),
            connect,
        }
    }
}

#[async_trait]
impl Resource for OAuthIntegration {
    fn type_name(&self) -> &'static str {
        "posit_connect_oauth_integration"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value, _caps: ClientCapabilities, diags: &mut Diagnostics) {
        plan::validate(config, diags);
    }

    async fn read(&self, req: ReadRequest) -> ReadResponse {
        match self.connect.client() {
            Ok(client) => crud::read(&client, req.current).await,
            Err(d) => ReadResponse { new_state: req.current, diags: d.into(), ..Default::default() },
        }
    }

    async fn plan(&self, req: PlanRequest) -> PlanResponse {
        plan::plan(&self.schema, req)
    }

    async fn apply(&self, req: ApplyRequest) -> ApplyResponse {
        let client = match self.connect.client() {
            Ok(c) => c,
            Err(d) => return ApplyResponse { new_state: req.prior, diags: d.into(), ..Default::default() },
        };
        match (req.prior.is_null(), req.planned.is_null()) {
            (true, false) => crud::create(&client, &req.planned, &req.config).await,
            (false, true) => crud::delete(&client, &req.prior).await,
            (false, false) => crud::update(&client, &req.prior, &req.planned, &req.config).await,
            (true, true) => ApplyResponse::default(),
        }
    }

    async fn import(&self, req: ImportRequest) -> ImportResponse {
        // `import { identity = { guid = ... } }` sends the identity and no id.
        let guid = match req.identity.get("guid").as_str() {
            Some(g) if req.id.is_empty() => g.to_string(),
            _ => req.id.trim().to_string(),
        };
        match self.connect.client() {
            Ok(client) => crud::import(&client, &guid).await,
            Err(d) => ImportResponse { imported: vec![], diags: d.into() },
        }
    }

    fn identity_schema(&self) -> Option<&IdentitySchema> {
        Some(&self.identity)
    }

    fn list_schema(&self) -> Option<&Schema> {
        Some(&self.list)
    }

    async fn list(&self, config: Value) -> Result<Vec<Listed>, Diagnostics> {
        let client = self.connect.client().map_err(Diagnostics::from)?;
        crud::list(&client, config.get("template").as_str(), config.get("name_pattern").as_str()).await
    }

    fn identity(&self, state: &Value) -> Value {
        match state.get("guid") {
            Value::String(g) => Value::object([("guid", Value::string(g))]),
            _ => Value::Null,
        }
    }
}
