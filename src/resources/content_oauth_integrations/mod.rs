//! `posit_connect_content_oauth_integrations`: the set of OAuth integrations one content item may
//! use. Planning is the schema's generic rules only (the set is compared as a set by Terraform).
//!
//! - [`schema`]: the attributes;
//! - [`crud`]: the API calls of read, create/update (PUT), delete and import.

mod crud;
pub mod schema;

use std::sync::Arc;

use async_trait::async_trait;

use crate::resources::api::ConnectHandle;
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::plan;
use crate::tfplugin::resource::{
    ApplyRequest, ApplyResponse, ClientCapabilities, ImportRequest, ImportResponse, PlanRequest, PlanResponse,
    ReadRequest, ReadResponse, Resource,
};
use crate::tfplugin::schema::Schema;
use crate::tfplugin::value::Value;

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
        PlanResponse { planned, requires_replace, ..Default::default() }
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
