//! The contract between the protocol server and the things it serves: a provider and its
//! resources. Values arrive decoded ([`Value`]) and diagnostics go back typed; nothing here knows
//! which API a resource talks to.

use std::sync::Arc;

use async_trait::async_trait;

use super::diag::{AttributePath, Diagnostics};
use super::schema::{IdentitySchema, Schema};
use super::value::Value;

/// What the Terraform core says it can handle (protocol 6.8+); absent on older cores.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientCapabilities {
    pub deferral_allowed: bool,
    pub write_only_attributes_allowed: bool,
}

#[derive(Debug)]
pub struct ReadRequest {
    pub current: Value,
    pub private: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct ReadResponse {
    /// `Value::Null` tells Terraform the remote object is gone.
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diags: Diagnostics,
}

#[derive(Debug)]
pub struct PlanRequest {
    pub prior: Value,
    pub proposed: Value,
    pub config: Value,
    pub private: Vec<u8>,
    pub caps: ClientCapabilities,
}

#[derive(Debug, Default)]
pub struct PlanResponse {
    pub planned: Value,
    pub requires_replace: Vec<AttributePath>,
    pub private: Vec<u8>,
    pub diags: Diagnostics,
}

#[derive(Debug)]
pub struct ApplyRequest {
    pub prior: Value,
    pub planned: Value,
    pub config: Value,
    pub private: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct ApplyResponse {
    /// On failure, whatever exists remotely (so nothing is orphaned), or the prior state.
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diags: Diagnostics,
}

/// Import by the id string of `terraform import` / `import { id }`, or by identity (`import {
/// identity = {...} }`, Terraform 1.12+), in which case `id` is empty.
#[derive(Debug)]
pub struct ImportRequest {
    pub id: String,
    pub identity: Value,
}

#[derive(Debug, Default)]
pub struct ImportResponse {
    /// Partial states that core completes with ReadResource.
    pub imported: Vec<Value>,
    pub diags: Diagnostics,
}

/// A managed resource type.
#[async_trait]
pub trait Resource: Send + Sync {
    /// The type name users write in HCL, e.g. `posit_connect_oauth_integration`.
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &Schema;
    /// Cross-attribute checks on a configuration that may hold unknowns; the schema's own
    /// validators have already run.
    fn validate(&self, config: &Value, caps: ClientCapabilities, diags: &mut Diagnostics);
    async fn read(&self, req: ReadRequest) -> ReadResponse;
    async fn plan(&self, req: PlanRequest) -> PlanResponse;
    async fn apply(&self, req: ApplyRequest) -> ApplyResponse;
    async fn import(&self, req: ImportRequest) -> ImportResponse;

    /// The identity schema, for resources that have one.
    fn identity_schema(&self) -> Option<&IdentitySchema> {
        None
    }

    /// The identity of the object a state describes (null while unknown, e.g. before create).
    fn identity(&self, _state: &Value) -> Value {
        Value::Null
    }

    /// The schema of this resource's `list` block configuration (Terraform 1.14+ `terraform
    /// query`), for resources that can enumerate what exists remotely.
    fn list_schema(&self) -> Option<&Schema> {
        None
    }

    /// Every remote object matching a `list` block's configuration, as full states (write-only
    /// and unknowable values null), each with a name for people.
    async fn list(&self, _config: Value) -> Result<Vec<Listed>, Diagnostics> {
        Ok(Vec::new())
    }
}

/// One object found by [`Resource::list`].
#[derive(Debug)]
pub struct Listed {
    pub display_name: String,
    pub state: Value,
}

/// A data source: reads something from the remote system given a configuration.
#[async_trait]
pub trait DataSource: Send + Sync {
    /// The type name users write in HCL, e.g. `posit_connect_server`.
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &Schema;
    /// Cross-attribute checks; the schema's own validators have already run.
    fn validate(&self, config: &Value, diags: &mut Diagnostics);
    /// The data source's state for a wholly known configuration.
    async fn read(&self, config: Value) -> (Value, Diagnostics);
}

/// The provider: its own configuration and the resources it serves.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    fn schema(&self) -> &Schema;
    fn validate(&self, config: &Value, diags: &mut Diagnostics);
    /// Called once per run with the provider block's values, before any resource operation.
    async fn configure(&self, config: &Value, terraform_version: &str) -> Diagnostics;
    fn resources(&self) -> Vec<Arc<dyn Resource>>;
    /// StopProvider (Terraform was interrupted): end the operations in flight promptly; each
    /// then returns what it has, so whatever was created is still recorded in state.
    async fn stop(&self) {}
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }
    /// Called with every string of a sensitive or write-only attribute in the values Terraform
    /// sends (see [`super::sensitive`]), before the call carrying them is handled, so the
    /// provider can recognise them later in text it did not write.
    fn sensitive_value(&self, _value: &str) {}
    /// Every diagnostic's summary and detail pass through this on their way out: the last place
    /// to remove a secret that reached a message. Unchanged by default.
    fn scrub(&self, text: &str) -> String {
        text.to_owned()
    }
}
