//! `posit_connect_oauth_integration`: an OAuth integration on Connect (the Azure family).
//!
//! - [`schema`]: the attributes, with `scopes` planning `config.scopes`;
//! - [`plan`]: validation and planning, no API calls;
//! - `secret`: what a change does to the client secret (sent, kept, taken away);
//! - `crud`: the API calls of read, create, update and delete;
//! - `adopt`: import by guid, the listing behind `terraform query`, and the configuration
//!   `-generate-config-out` writes;
//! - `model`: the mapping between Terraform values and Connect's JSON;
//! - `server_rules`: the server's own template facts (defaults, required fields, patterns),
//!   used at plan when it lists its templates;
//! - `in_use`: a plan that destroys or replaces an integration content uses, named in a
//!   warning; with `protect_used_integrations`, the delete refused at apply while content still
//!   uses it.

mod adopt;
mod crud;
mod in_use;
mod model;
pub mod plan;
pub mod schema;
mod scopes;
mod secret;
mod server_rules;

use async_trait::async_trait;

use crate::provider_data::ProviderData;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::model::{Attr, Model};
use tfplugin::resource::{
    CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, GenerateConfigRequest, GenerateConfigResponse,
    ImportRequest, ImportResponse, ListRequest, ListResponse, PlanRequest, PlanResponse, ReadRequest, ReadResponse,
    RemovalRequest, Resource, UpdateRequest, UpdateResponse, ValidateRequest, ValidateResponse,
};
use tfplugin::schema::{IdentitySchema, Schema};
use tfplugin::validators::Guid;
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

/// An import ID that cannot be an integration's guid (a name, a URL, a typo): said as such,
/// with the form expected, rather than asking Connect and reporting no such integration.
fn not_a_guid(id: &str, given_as: &str) -> Option<Diagnostic> {
    if Guid::is_guid(id) {
        return None;
    }
    let shown = crate::untrusted::server_text(id, 100);
    Some(Diagnostic::error(
        "Not an OAuth integration guid",
        format!(
            "{given_as} is {shown:?}, which is not a guid: posit_connect_oauth_integration is imported by the \
             integration's guid, 8-4-4-4-12 hexadecimal digits such as 3f1e6a52-1b2c-4d5e-8f90-0123456789ab (the \
             data source posit_connect_oauth_integrations lists every integration's guid)."
        ),
    ))
}

tfplugin::model! {
    /// The configuration of a `list` block (`schema::list_schema`).
    struct ListConfig {
        template: Attr<String>,
        name_pattern: Attr<String>,
    }
}

/// `resource "posit_connect_oauth_integration"`, for
/// [`PositProvider`](crate::provider::PositProvider)'s list of resources.
#[derive(Debug)]
pub struct OAuthIntegration {
    schema: Schema,
    identity: IdentitySchema,
    list: Schema,
    /// The listing that serves this process's reads; invalidated by its writes.
    cache: crud::IntegrationCache,
}

impl Default for OAuthIntegration {
    fn default() -> Self {
        Self::new()
    }
}

impl OAuthIntegration {
    /// The resource, its schemas built once, with an empty cache of listings.
    pub fn new() -> Self {
        OAuthIntegration {
            schema: schema::schema(),
            identity: schema::identity_schema(),
            list: schema::list_schema(),
            cache: crud::IntegrationCache::default(),
        }
    }
}

#[async_trait]
impl Resource<ProviderData> for OAuthIntegration {
    fn type_name(&self) -> &'static str {
        "posit_connect_oauth_integration"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, req: &ValidateRequest, resp: &mut ValidateResponse) {
        plan::validate(&req.config, &mut resp.diagnostics);
    }

    /// The template's defaults and what Connect decides (see [`plan`]); then, for a plan that
    /// changes anything, the key's role and the server's own template rules, when configure
    /// could ask the server.
    async fn modify_plan(&self, connect: Option<&ProviderData>, req: &PlanRequest, resp: &mut PlanResponse) {
        let planned = plan::modify(req, resp);
        if resp.planned == req.prior {
            return;
        }
        if let Some(d) = key_cannot_manage(connect.and_then(ProviderData::user_role)) {
            resp.diagnostics.push(d);
            return;
        }
        if let (Some(connect), Some(planned)) = (connect, planned.filter(|_| !resp.diagnostics.has_errors())) {
            server_rules::check(&connect.client, req, resp, &planned).await;
            // Configured permissions need a server that has them.
            // Whether the configuration manages permissions (plan::modify read it typed; only
            // this bit is needed here).
            if !req.config.get("permissions").is_null()
                && crud::server_has_permissions(&connect.client, &self.cache).await == Some(false)
            {
                resp.diagnostics.push(crud::no_permissions_here(connect.client.server_url()));
            }
        }
    }

    /// Content that uses an integration this plan destroys or replaces loses access to it: named
    /// in a warning (with `protect_used_integrations`, the delete is refused at apply while the
    /// uses remain; `in_use.rs`).
    async fn check_removal(&self, connect: Option<&ProviderData>, req: &RemovalRequest<'_>, diags: &mut Diagnostics) {
        in_use::check(connect, req, diags).await
    }

    async fn create(&self, connect: &ProviderData, req: CreateRequest, resp: &mut CreateResponse) {
        crud::create(&connect.client, &self.cache, &req.planned, &req.config, resp).await
    }

    async fn read(&self, connect: &ProviderData, req: ReadRequest, resp: &mut ReadResponse) {
        crud::read(&connect.client, &self.cache, req.current, resp).await
    }

    async fn update(&self, connect: &ProviderData, req: UpdateRequest, resp: &mut UpdateResponse) {
        crud::update(&connect.client, &self.cache, &req.prior, &req.planned, &req.config, resp).await
    }

    /// With `protect_used_integrations`, Connect is asked first whether content still uses the
    /// integration, and the delete refused if so (`in_use.rs`); this holds for the delete half of
    /// a replacement too, which Terraform sends as a delete of its own.
    async fn delete(&self, connect: &ProviderData, req: DeleteRequest, resp: &mut DeleteResponse) {
        if in_use::may_delete(connect, &req.prior, &mut resp.diagnostics).await {
            crud::delete(&connect.client, &self.cache, &req.prior, resp).await
        }
    }

    async fn import(&self, connect: &ProviderData, req: ImportRequest, resp: &mut ImportResponse) {
        // `import { identity = { guid = ... } }` sends the identity and no id. The identity's
        // one attribute, read by name (`schema::identity_schema`).
        let (guid, given_as) = match req.identity.get("guid").as_str() {
            Some(g) if req.id.is_empty() => (g.to_string(), "identity.guid"),
            _ => (req.id, "The import ID"),
        };
        if let Some(d) = not_a_guid(&guid, given_as) {
            return resp.diagnostics.push(d);
        }
        adopt::import(&connect.client, &guid, resp).await
    }

    fn identity_schema(&self) -> Option<&IdentitySchema> {
        Some(&self.identity)
    }

    fn identity(&self, state: &Value) -> Value {
        // Called for every state the framework returns: one attribute read by name, rather than
        // the whole model.
        match state.get("guid") {
            Value::String(g) => Value::object([("guid", Value::string(g))]),
            _ => Value::Null,
        }
    }

    fn list_schema(&self) -> Option<&Schema> {
        Some(&self.list)
    }

    async fn list(&self, connect: &ProviderData, req: ListRequest, resp: &mut ListResponse) {
        match ListConfig::read(&req.config) {
            Ok(c) => adopt::list(&connect.client, c.template.as_str(), c.name_pattern.as_str(), resp).await,
            Err(d) => resp.diagnostics.push(d),
        }
    }

    fn generate_config(&self, req: &GenerateConfigRequest, resp: &mut GenerateConfigResponse) {
        adopt::generate_config(req, resp)
    }
}

#[cfg(test)]
mod tests {
    use super::{key_cannot_manage, not_a_guid};

    #[test]
    fn an_import_id_that_is_no_guid_is_said_to_be_one() {
        assert!(not_a_guid("3f1e6a52-1b2c-4d5e-8f90-0123456789ab", "The import ID").is_none());
        assert!(not_a_guid("3F1E6A52-1B2C-4D5E-8F90-0123456789AB", "The import ID").is_none());
        let d = not_a_guid("not-a-guid", "identity.guid").expect("an error");
        assert!(d.detail.starts_with("identity.guid is \"not-a-guid\", which is not a guid"), "{}", d.detail);
        assert!(d.detail.contains("8-4-4-4-12 hexadecimal digits"), "{}", d.detail);
    }

    #[test]
    fn only_administrators_manage_integrations() {
        assert!(key_cannot_manage(Some("administrator")).is_none());
        assert!(key_cannot_manage(None).is_none());
        let d = key_cannot_manage(Some("publisher")).expect("an error");
        assert!(d.detail.contains("\"publisher\"") && d.detail.contains("administrator"), "{}", d.detail);
    }
}
