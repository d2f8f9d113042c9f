//! The contract of a provider-defined action (protocol 6.10, Terraform 1.14 and later): an
//! `action` block whose configuration the provider checks, plans and then invokes, reporting
//! progress as it goes.
//!
//! An action does something once, on demand: after a resource's create or update
//! (`lifecycle { action_trigger { ... } }`) or by hand (`terraform apply -invoke=action.x.y`).
//! It never touches state: there is nothing to plan but whether it can run, and nothing to store
//! after it ran, only diagnostics. Unknown values are expected at plan (the guid of an object
//! created in the same apply, say); by invoke, Terraform has them all.
//!
//! Terraform before 1.14 and OpenTofu never ask for actions: a provider serving them still works
//! with them, and its users write what the action does some other way.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use super::diag::Diagnostics;
use super::resource::{ClientCapabilities, ValidateRequest, ValidateResponse};
use super::schema::Schema;
use super::value::Value;

/// Planning an action, as its `action_trigger` or `-invoke` names it.
#[derive(Debug)]
pub struct ActionPlanRequest {
    /// The `config` block, with unknown values where they are known only at apply.
    pub config: Value,
    /// What the core can handle.
    pub caps: ClientCapabilities,
}

/// What planning an action found.
#[derive(Debug, Default)]
pub struct ActionPlanResponse {
    /// Errors stop the plan (an action that is sure to fail); warnings are shown with it.
    pub diagnostics: Diagnostics,
}

/// Invoking an action.
#[derive(Debug)]
pub struct InvokeRequest {
    /// The `config` block, wholly known.
    pub config: Value,
}

/// What an invocation ended with.
#[derive(Debug, Default)]
pub struct InvokeResponse {
    /// Errors fail the apply (after the resource that triggered the action was recorded: an
    /// action's failure never loses state); warnings are shown.
    pub diagnostics: Diagnostics,
}

/// Where an invocation reports progress: each message is shown by Terraform as it arrives
/// (after passing through the provider's [`crate::resource::Provider::scrub`], as diagnostics
/// do).
#[derive(Clone)]
pub struct Progress {
    sink: Arc<dyn Fn(String) + Send + Sync>,
}

impl Progress {
    /// A sink calling `f` with each message.
    pub fn new(f: impl Fn(String) + Send + Sync + 'static) -> Self {
        Progress { sink: Arc::new(f) }
    }

    /// A sink that drops every message.
    pub fn ignore() -> Self {
        Progress::new(|_| {})
    }

    /// Reports one step, e.g. "Asking Connect to verify integration ...".
    pub fn report(&self, message: impl Into<String>) {
        (self.sink)(message.into())
    }
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Progress")
    }
}

/// An action: a schema for its `config` block, optional checks at validate and plan, and the
/// invocation.
#[async_trait]
pub trait Action<D: Sync>: Send + Sync {
    /// The type name users write in HCL, e.g. `posit_connect_oauth_integration_verify`.
    fn type_name(&self) -> &'static str;

    /// The `config` block's attributes (none computed: an action has no state to compute).
    fn schema(&self) -> &Schema;

    /// Cross-attribute checks; the schema's own validators have already run.
    fn validate(&self, _req: &ValidateRequest, _resp: &mut ValidateResponse) {}

    /// What can be told before anything happens: an error here stops the plan. Called with what
    /// configure produced (`None` before a successful configure, or when configure could not
    /// finish); values in `config` may be unknown.
    async fn plan(&self, _data: Option<&D>, _req: &ActionPlanRequest, _resp: &mut ActionPlanResponse) {}

    /// Does the action, reporting steps to `progress`; the outcome is `resp`'s diagnostics.
    async fn invoke(&self, data: &D, req: InvokeRequest, progress: &Progress, resp: &mut InvokeResponse);
}
