//! The contract between the protocol server and the things it serves: a provider, its resources
//! and data sources. Values arrive decoded ([`Value`]) and diagnostics go back typed; nothing here
//! knows which API a resource talks to.
//!
//! The shape follows terraform-plugin-framework: each operation gets a request and fills in a
//! response the framework prepared (so the safe answer, such as "the state stays as it was", is
//! already there when an operation fails early), and every response carries its diagnostics the
//! same way. What the provider's `configure` builds (an API client, say) is handed to every
//! operation that needs it as `data`; the framework answers for the operations that come before a
//! successful configure, so resources never look it up themselves.

use std::sync::Arc;

use async_trait::async_trait;

use super::action::Action;
use super::diag::{AttributePath, Diagnostic, Diagnostics};
use super::schema::{IdentitySchema, Schema};
use super::value::Value;

/// What the Terraform core says it can handle (protocol 6.8+); absent on older cores.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientCapabilities {
    /// The core can defer an action to a later plan/apply round.
    pub deferral_allowed: bool,
    /// The core keeps write-only attribute values out of plans and state (Terraform and OpenTofu 1.11+).
    pub write_only_attributes_allowed: bool,
}

/// A configuration to check, as `terraform validate` and every plan send it (values may be unknown).
#[derive(Debug)]
pub struct ValidateRequest {
    /// The configuration, with unknown values where they are known only at apply.
    pub config: Value,
    /// What the core can handle.
    pub caps: ClientCapabilities,
}

/// What a validation found.
#[derive(Debug, Default)]
pub struct ValidateResponse {
    /// Errors and warnings, each naming the attribute it is about where it can.
    pub diagnostics: Diagnostics,
}

/// A plan of a create, update or destroy, after the framework's schema-driven planning.
#[derive(Debug)]
pub struct PlanRequest {
    /// The state before the change; null on create.
    pub prior: Value,
    /// The configuration; null on destroy.
    pub config: Value,
    /// The private data stored with the prior state.
    pub private: Vec<u8>,
    /// What the core can handle.
    pub caps: ClientCapabilities,
}

/// The plan as the framework prepared it, for [`Resource::modify_plan`] to refine.
#[derive(Debug, Default)]
pub struct PlanResponse {
    /// The planned new state: core's proposal with defaults applied and write-only values null;
    /// null on destroy. Computed values the resource leaves as they are become unknown after
    /// `modify_plan` wherever the plan changes the object.
    pub planned: Value,
    /// Attributes whose change replaces the object, besides those marked `RequiresReplace`.
    pub requires_replace: Vec<AttributePath>,
    /// Private data to store with the planned state.
    pub private: Vec<u8>,
    /// Errors stop the plan; warnings are shown with it.
    pub diagnostics: Diagnostics,
}

/// How a plan takes an existing object away, for [`Resource::check_removal`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Removal {
    /// The plan destroys the object (`terraform destroy`, `plan -destroy`, or the resource
    /// removed from the configuration).
    Destroy,
    /// The plan replaces the object: it is deleted and a new one created, because these
    /// attributes change.
    Replace(Vec<AttributePath>),
}

/// A plan that destroys or replaces an existing object, as the framework finished it.
#[derive(Debug)]
pub struct RemovalRequest<'a> {
    /// The state of the object the plan takes away.
    pub prior: &'a Value,
    /// Whether it is destroyed or replaced.
    pub removal: Removal,
}

/// Creating the object a plan describes.
#[derive(Debug)]
pub struct CreateRequest {
    /// The planned state: known values are promises, unknown ones are the server's to fill in.
    pub planned: Value,
    /// The configuration, the only place write-only values appear.
    pub config: Value,
    /// Private data from the plan.
    pub private: Vec<u8>,
}

/// What a create made.
#[derive(Debug, Default)]
pub struct CreateResponse {
    /// The new state, starting null. Once the remote object exists, set it, also when a later
    /// step fails, so that nothing created is lost from state.
    pub new_state: Value,
    /// Private data to store with the state.
    pub private: Vec<u8>,
    /// Errors fail the apply (with whatever `new_state` holds recorded).
    pub diagnostics: Diagnostics,
}

/// Refreshing a state from the remote object.
#[derive(Debug)]
pub struct ReadRequest {
    /// The state as stored (or as the last apply left it).
    pub current: Value,
    /// The private data stored with it.
    pub private: Vec<u8>,
}

/// What a refresh found.
#[derive(Debug, Default)]
pub struct ReadResponse {
    /// Starts as the current state, so an error keeps it; `Value::Null` tells Terraform the
    /// remote object is gone.
    pub new_state: Value,
    /// Private data to store with the state; starts as the request's.
    pub private: Vec<u8>,
    /// Errors fail the refresh.
    pub diagnostics: Diagnostics,
}

/// Changing an object in place.
#[derive(Debug)]
pub struct UpdateRequest {
    /// The state before the change.
    pub prior: Value,
    /// The planned state.
    pub planned: Value,
    /// The configuration, the only place write-only values appear.
    pub config: Value,
    /// Private data from the plan.
    pub private: Vec<u8>,
}

/// What an update left.
#[derive(Debug, Default)]
pub struct UpdateResponse {
    /// Starts as the prior state, so an update that fails before changing anything records
    /// nothing new; set it to what the remote object now is.
    pub new_state: Value,
    /// Private data to store with the state; starts as the plan's.
    pub private: Vec<u8>,
    /// Errors fail the apply (with whatever `new_state` holds recorded).
    pub diagnostics: Diagnostics,
}

/// Deleting an object.
#[derive(Debug)]
pub struct DeleteRequest {
    /// The state of the object to delete.
    pub prior: Value,
    /// Private data stored with it.
    pub private: Vec<u8>,
}

/// What a delete did: without errors the framework removes the state; with errors it keeps it.
#[derive(Debug, Default)]
pub struct DeleteResponse {
    /// Errors keep the object in state.
    pub diagnostics: Diagnostics,
}

/// Import by the id string of `terraform import` / `import { id }`, or by identity (`import {
/// identity = {...} }`, Terraform 1.12+), in which case `id` is empty.
#[derive(Debug)]
pub struct ImportRequest {
    /// The id the user gave, trimmed of surrounding white space; empty with an identity.
    pub id: String,
    /// The identity the user gave, or null.
    pub identity: Value,
}

/// What an import found.
#[derive(Debug, Default)]
pub struct ImportResponse {
    /// Partial states that core completes with ReadResource.
    pub imported: Vec<Value>,
    /// Errors fail the import.
    pub diagnostics: Diagnostics,
}

/// Enumerating the remote objects a `list` block describes (Terraform 1.14+ `terraform query`).
#[derive(Debug)]
pub struct ListRequest {
    /// The `list` block's configuration.
    pub config: Value,
}

/// What a listing found.
#[derive(Debug, Default)]
pub struct ListResponse {
    /// Every remote object matching, as full states (write-only and unknowable values null).
    pub listed: Vec<Listed>,
    /// Errors end the listing.
    pub diagnostics: Diagnostics,
}

/// One object found by [`Resource::list`].
#[derive(Debug)]
pub struct Listed {
    /// A name for people, shown by `terraform query`.
    pub display_name: String,
    /// The object's state.
    pub state: Value,
}

/// Generating the configuration of an existing object, for `terraform plan
/// -generate-config-out` (with an `import` block) and `terraform query -generate-config-out`
/// (Terraform 1.14+, protocol 6.10's GenerateResourceConfig).
#[derive(Debug)]
pub struct GenerateConfigRequest {
    /// The object's state, as a read (or the listing) left it.
    pub state: Value,
}

/// The configuration to write, as the framework prepared it for
/// [`Resource::generate_config`] to refine.
#[derive(Debug, Default)]
pub struct GenerateConfigResponse {
    /// A value of the resource's type, starting as the framework's generic answer
    /// ([`crate::generate::config_from_state`]): the state without read-only and write-only
    /// values, and without values equal to their attribute's default. Terraform writes every
    /// attribute that is not null, and every optional, non-computed one even when null (`= null`);
    /// a computed one left null is left out of the file.
    pub config: Value,
    /// Warnings are shown with the generated configuration (what the user must still add);
    /// errors stop the generation.
    pub diagnostics: Diagnostics,
}

/// A managed resource type. `D` is what the provider's configure hands to its resources.
///
/// Only the schema and the four operations are required; validation, plan modification, import,
/// identity, listing and configuration generation have defaults that do nothing (or say the
/// operation is not supported).
#[async_trait]
pub trait Resource<D: Sync>: Send + Sync {
    /// The type name users write in HCL, e.g. `posit_connect_oauth_integration`.
    fn type_name(&self) -> &'static str;

    /// The attributes, with the defaults, plan modifiers and validators the framework applies.
    fn schema(&self) -> &Schema;

    /// Cross-attribute checks on a configuration that may hold unknowns; the schema's own
    /// validators have already run.
    fn validate(&self, _req: &ValidateRequest, _resp: &mut ValidateResponse) {}

    /// What only the resource knows about a plan (values derived from other attributes, rules
    /// of the remote system), after the framework applied the schema's defaults and plan
    /// modifiers and before it plans changing computed values unknown and collects replacements.
    /// Also called on destroy, with `resp.planned` null. `data` is `None` before a successful
    /// configure (values known only at apply, `terraform validate`).
    async fn modify_plan(&self, _data: Option<&D>, _req: &PlanRequest, _resp: &mut PlanResponse) {}

    /// Called once a plan is finished, when it destroys or replaces an existing object, to
    /// warn about (or refuse) what the removal breaks elsewhere: other objects on the remote
    /// system that depend on this one, say. Runs only when the plan has no errors so far; `data`
    /// is `None` before a successful configure. Errors pushed to `diags` stop the plan.
    async fn check_removal(&self, _data: Option<&D>, _req: &RemovalRequest<'_>, _diags: &mut Diagnostics) {}

    /// Creates the remote object.
    async fn create(&self, data: &D, req: CreateRequest, resp: &mut CreateResponse);

    /// Reads the remote object; sets `resp.new_state` to null if it is gone.
    async fn read(&self, data: &D, req: ReadRequest, resp: &mut ReadResponse);

    /// Changes the remote object in place.
    async fn update(&self, data: &D, req: UpdateRequest, resp: &mut UpdateResponse);

    /// Deletes the remote object; one already gone counts as deleted.
    async fn delete(&self, data: &D, req: DeleteRequest, resp: &mut DeleteResponse);

    /// Imports existing objects; by default the resource cannot be imported.
    async fn import(&self, _data: &D, _req: ImportRequest, resp: &mut ImportResponse) {
        resp.diagnostics.error(
            "Resource import not supported",
            format!("{} cannot be imported; define it in configuration instead.", self.type_name()),
        );
    }

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

    /// Every remote object matching a `list` block's configuration.
    async fn list(&self, _data: &D, _req: ListRequest, _resp: &mut ListResponse) {}

    /// The configuration a person would write for an existing object, for `terraform plan
    /// -generate-config-out` and `terraform query -generate-config-out` (Terraform 1.14+):
    /// `resp.config` starts as the framework's generic answer, which is kept by default. The
    /// framework then nulls read-only and write-only attributes whatever the resource set (a
    /// placeholder secret would be sent at the next apply).
    fn generate_config(&self, _req: &GenerateConfigRequest, _resp: &mut GenerateConfigResponse) {}
}

/// Reading a data source.
#[derive(Debug)]
pub struct DataReadRequest {
    /// The configuration, wholly known.
    pub config: Value,
}

/// What a data source read.
#[derive(Debug, Default)]
pub struct DataReadResponse {
    /// The data source's state, starting null.
    pub state: Value,
    /// Errors fail the read.
    pub diagnostics: Diagnostics,
}

/// A data source: reads something from the remote system given a configuration.
#[async_trait]
pub trait DataSource<D: Sync>: Send + Sync {
    /// The type name users write in HCL, e.g. `posit_connect_server`.
    fn type_name(&self) -> &'static str;

    /// The attributes.
    fn schema(&self) -> &Schema;

    /// Cross-attribute checks; the schema's own validators have already run.
    fn validate(&self, _req: &ValidateRequest, _resp: &mut ValidateResponse) {}

    /// The data source's state for a wholly known configuration.
    async fn read(&self, data: &D, req: DataReadRequest, resp: &mut DataReadResponse);
}

/// Configuring the provider with its block's values.
#[derive(Debug)]
pub struct ConfigureRequest {
    /// The provider block's values (unknown where known only at apply).
    pub config: Value,
    /// The version of the Terraform (or OpenTofu) core, for a User-Agent.
    pub terraform_version: String,
}

/// What configure produced.
#[derive(Debug)]
pub struct ConfigureResponse<D> {
    /// What every resource and data source operation gets, or why there is none. Starts as an
    /// error saying the provider was not configured; a configuration that legitimately lacks a
    /// setting (unknown until apply) sets the reason, reported only by operations that need it.
    pub data: Result<D, Diagnostic>,
    /// Errors fail the run; warnings are shown.
    pub diagnostics: Diagnostics,
}

/// The provider: its own configuration and the resources it serves.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// What configure builds (typically an API client) and hands to resources and data sources.
    type Data: Clone + Send + Sync + 'static;

    /// The provider's local name (`posit` in `posit_connect_server`), used in messages.
    fn type_name(&self) -> &'static str;

    /// The provider block's attributes.
    fn schema(&self) -> &Schema;

    /// Cross-attribute checks of the provider block; the schema's own validators have run.
    fn validate(&self, _req: &ValidateRequest, _resp: &mut ValidateResponse) {}

    /// Called once per run with the provider block's values, before any resource operation.
    async fn configure(&self, req: ConfigureRequest, resp: &mut ConfigureResponse<Self::Data>);

    /// The resource types served.
    fn resources(&self) -> Vec<Arc<dyn Resource<Self::Data>>>;

    /// The data sources served.
    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Self::Data>>> {
        Vec::new()
    }

    /// The actions served (Terraform 1.14+; older cores and OpenTofu never ask for them).
    fn actions(&self) -> Vec<Arc<dyn Action<Self::Data>>> {
        Vec::new()
    }

    /// StopProvider (Terraform was interrupted): end the operations in flight promptly; each
    /// then returns what it has, so whatever was created is still recorded in state.
    async fn stop(&self) {}

    /// Called with every string of a sensitive or write-only attribute in the values Terraform
    /// sends (configuration, state and plans, at any depth), before the call carrying them is
    /// handled, so the provider can recognise them later in text it did not write: a server's
    /// error echoing a request, a log line, a diagnostic; values only read back from state
    /// written by an earlier process included.
    fn sensitive_value(&self, _value: &str) {}

    /// Every diagnostic's summary and detail pass through this on their way out: the last place
    /// to remove a secret that reached a message. Unchanged by default.
    fn scrub(&self, text: &str) -> String {
        text.to_owned()
    }
}
