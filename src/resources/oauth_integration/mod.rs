//! `posit_connect_oauth_integration`: an OAuth integration on Connect (the Azure family).
//!
//! - [`schema`]: the attributes;
//! - [`plan`]: validation and planning, no API calls;
//! - [`crud`]: the API calls of read, create, update, delete and import;
//! - [`model`]: the mapping between Terraform values and Connect's JSON;
//! - [`server_rules`]: the server's own template rules, checked at plan when it can be asked.

mod crud;
mod model;
pub mod plan;
pub mod schema;
mod server_rules;

use std::sync::Arc;

use async_trait::async_trait;

use crate::resources::api::ConnectHandle;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::resource::{
    ApplyRequest, ApplyResponse, ClientCapabilities, ImportRequest, ImportResponse, Listed, PlanRequest, PlanResponse,
    ReadRequest, ReadResponse, Resource,
};
use tfplugin::schema::{IdentitySchema, Schema};
use tfplugin::value::Value;

/// Only administrators create, change or delete OAuth integrations on Connect; a plan that
/// would, made with another user's key (its role read at configure from `/v1/user`), fails at
/// plan rather than with a 403 at apply. An unknown role is not second-guessed.
fn key_cannot_manage(role: Option<&str>) -> Option<Diagnostic> {
    let role = role.filter(|r| !r.eq_ignore_ascii_case("administrator"))?;
    Some(Diagnostic::error(
        "The API key cannot manage OAuth integrations",
        format!(
            "connect_api_key belongs to a user whose role on Connect is {role:?}; only administrators may create, \
             change or delete OAuth integrations. Use an administrator's API key."
        ),
    ))
}

pub struct OAuthIntegration {
    schema: Schema,
    identity: IdentitySchema,
    list: Schema,
    rules: server_rules::TemplateRules,
    connect: Arc<ConnectHandle>,
    /// The listing that serves this process's reads; invalidated by its writes.
    cache: crud::IntegrationCache,
}

impl OAuthIntegration {
    pub fn new(connect: Arc<ConnectHandle>) -> Self {
        OAuthIntegration {
            schema: schema::schema(),
            identity: schema::identity_schema(),
            list: schema::list_schema(),
            rules: server_rules::TemplateRules::default(),
            connect,
            cache: crud::IntegrationCache::default(),
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
            Ok(client) => crud::read(&client, &self.cache, req.current).await,
            Err(d) => ReadResponse { new_state: req.current, diags: d.into(), ..Default::default() },
        }
    }

    async fn plan(&self, req: PlanRequest) -> PlanResponse {
        let prior = req.prior.clone();
        let mut planned = plan::plan(&self.schema, req);
        if planned.planned != prior {
            if let Some(d) = key_cannot_manage(self.connect.server().and_then(|s| s.user_role).as_deref()) {
                planned.diags.push(d);
                return planned;
            }
        }
        // The server's own rules, when it can be asked; a plan without a configured server
        // (or already failing) is left to its other diagnostics.
        if !planned.planned.is_null() && !planned.diags.has_errors() {
            if let Ok(client) = self.connect.client() {
                self.rules.check(&client, &planned.planned, &mut planned.diags).await;
            }
        }
        planned
    }

    async fn apply(&self, req: ApplyRequest) -> ApplyResponse {
        let client = match self.connect.client() {
            Ok(c) => c,
            Err(d) => return ApplyResponse { new_state: req.prior, diags: d.into(), ..Default::default() },
        };
        match (req.prior.is_null(), req.planned.is_null()) {
            (true, false) => crud::create(&client, &self.cache, &req.planned, &req.config).await,
            (false, true) => crud::delete(&client, &self.cache, &req.prior).await,
            (false, false) => crud::update(&client, &self.cache, &req.prior, &req.planned, &req.config).await,
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

#[cfg(test)]
mod tests {
    use super::key_cannot_manage;

    #[test]
    fn only_administrators_manage_integrations() {
        assert!(key_cannot_manage(Some("administrator")).is_none());
        assert!(key_cannot_manage(None).is_none());
        let d = key_cannot_manage(Some("publisher")).expect("an error");
        assert!(d.detail.contains("\"publisher\"") && d.detail.contains("administrator"), "{}", d.detail);
    }
}
