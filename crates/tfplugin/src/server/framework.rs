//! What the framework does around every resource, data source and action operation, free of
//! protobuf: dispatch by type name, the planning sequence, what apply records, identities,
//! import, read, list, and an action's validate, plan and invoke.
//!
//! The gRPC adapter ([`super`]) decodes a request's values, calls one method of [`Framework`] and
//! encodes what it returns; the rules live here so unit tests reach them without a gRPC round
//! trip, and so [`crate::testing::plan`] runs the very planning sequence PlanResourceChange runs
//! ([`plan_change`]).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::action::{Action, ActionPlanRequest, ActionPlanResponse, InvokeRequest, InvokeResponse, Progress};
use crate::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::plan;
use crate::resource::{
    ClientCapabilities, ConfigureRequest, ConfigureResponse, CreateRequest, CreateResponse, DataReadRequest,
    DataReadResponse, DataSource, DeleteRequest, DeleteResponse, GenerateConfigRequest, GenerateConfigResponse,
    ImportRequest, ImportResponse, ListRequest, ListResponse, PlanRequest, PlanResponse, Provider, ReadRequest,
    ReadResponse, RemovalRequest, Resource, UpdateRequest, UpdateResponse, ValidateRequest, ValidateResponse,
};
use crate::schema::Block;
use crate::value::{Type, Value};

/// A resource with its value types computed once, not per request.
pub(crate) struct Served<D: Sync> {
    pub(crate) resource: Arc<dyn Resource<D>>,
    /// The type of its states and configurations.
    pub(crate) ty: Type,
    pub(crate) identity_ty: Option<Type>,
    /// The type of its `list` block's configuration, when it can be listed.
    pub(crate) list_ty: Option<Type>,
}

impl<D: Sync> Served<D> {
    fn new(resource: Arc<dyn Resource<D>>) -> Self {
        Served {
            ty: resource.schema().value_type(),
            identity_ty: resource.identity_schema().map(|i| i.value_type()),
            list_ty: resource.list_schema().map(|l| l.value_type()),
            resource,
        }
    }

    pub(crate) fn block(&self) -> &Block {
        &self.resource.schema().block
    }

    /// A state on its way to Terraform: write-only values nulled (core refuses them in plans and
    /// state), with the identity of the object it names.
    fn stored(&self, mut state: Value) -> Stored {
        let identity = self.identity(&state);
        plan::null_write_only(self.block(), &mut state);
        Stored { state, identity }
    }

    /// The identity of the object a state names, only when the resource has identities and it
    /// is wholly known: without one, core keeps the identity it had.
    fn identity(&self, state: &Value) -> Option<Value> {
        self.identity_ty.as_ref()?;
        let identity = self.resource.identity(state);
        (!identity.is_null() && identity.is_wholly_known()).then_some(identity)
    }
}

/// A data source with its value type computed once.
pub(crate) struct ServedData<D: Sync> {
    pub(crate) source: Arc<dyn DataSource<D>>,
    pub(crate) ty: Type,
}

impl<D: Sync> ServedData<D> {
    pub(crate) fn block(&self) -> &Block {
        &self.source.schema().block
    }
}

/// An action with its configuration's value type computed once.
pub(crate) struct ServedAction<D: Sync> {
    pub(crate) action: Arc<dyn Action<D>>,
    pub(crate) ty: Type,
}

impl<D: Sync> ServedAction<D> {
    pub(crate) fn block(&self) -> &Block {
        &self.action.schema().block
    }
}

/// A state as it leaves for Terraform (see [`Served::stored`]).
#[derive(Debug)]
pub(crate) struct Stored {
    /// Write-only values null.
    pub(crate) state: Value,
    /// `None` where core is to keep what it had.
    pub(crate) identity: Option<Value>,
}

/// What a read or an apply leaves in state.
#[derive(Debug)]
pub(crate) struct NewState {
    pub(crate) stored: Stored,
    pub(crate) private: Vec<u8>,
    pub(crate) diagnostics: Diagnostics,
}

/// One PlanResourceChange, decoded.
#[derive(Debug)]
pub(crate) struct Change {
    /// Null on create.
    pub(crate) prior: Value,
    /// Null on destroy.
    pub(crate) config: Value,
    /// Terraform core's proposed new state, write-only values still in it.
    pub(crate) proposed: Value,
    /// The private data stored with the prior state.
    pub(crate) private: Vec<u8>,
    pub(crate) caps: ClientCapabilities,
}

/// A finished plan, as it leaves for Terraform.
#[derive(Debug)]
pub(crate) struct Planned {
    pub(crate) stored: Stored,
    pub(crate) requires_replace: Vec<AttributePath>,
    pub(crate) private: Vec<u8>,
    pub(crate) diagnostics: Diagnostics,
}

/// What an import found, each object as it leaves for Terraform.
#[derive(Debug)]
pub(crate) struct Imported {
    pub(crate) objects: Vec<Stored>,
    pub(crate) diagnostics: Diagnostics,
}

/// One object a listing found, as it leaves for Terraform.
#[derive(Debug)]
pub(crate) struct ListedObject {
    pub(crate) display_name: String,
    pub(crate) stored: Stored,
}

/// A provider's resources and data sources by type name, and what its configure produced: all
/// an operation needs besides its decoded values.
pub(crate) struct Framework<P: Provider> {
    /// Shared, so an invocation's progress can be scrubbed by the provider from its own task.
    provider: Arc<P>,
    resources: HashMap<&'static str, Served<P::Data>>,
    data_sources: HashMap<&'static str, ServedData<P::Data>>,
    actions: HashMap<&'static str, ServedAction<P::Data>>,
    /// What the last ConfigureProvider produced for resources, or why it produced nothing.
    /// Shared, so each operation takes a reference count rather than a copy of the client.
    data: RwLock<Result<Arc<P::Data>, Diagnostic>>,
}

impl<P: Provider> Framework<P> {
    pub(crate) fn new(provider: P) -> Self {
        let resources = provider.resources().into_iter().map(|r| (r.type_name(), Served::new(r))).collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| (d.type_name(), ServedData { ty: d.schema().value_type(), source: d }))
            .collect();
        let actions = provider
            .actions()
            .into_iter()
            .map(|a| (a.type_name(), ServedAction { ty: a.schema().value_type(), action: a }))
            .collect();
        Framework {
            data: RwLock::new(Err(not_configured(provider.type_name()))),
            provider: Arc::new(provider),
            resources,
            data_sources,
            actions,
        }
    }

    pub(crate) fn provider(&self) -> &P {
        &self.provider
    }

    /// The provider, for work that outlives the call that started it (an invocation's task).
    pub(crate) fn shared_provider(&self) -> Arc<P> {
        self.provider.clone()
    }

    pub(crate) fn actions(&self) -> &HashMap<&'static str, ServedAction<P::Data>> {
        &self.actions
    }

    /// The action of a type name core sent, or an error naming what this provider lacks.
    pub(crate) fn action(&self, type_name: &str) -> Result<&ServedAction<P::Data>, Diagnostic> {
        self.actions.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown action",
                format!("The {} provider has no action {type_name:?}.", self.provider.type_name()),
            )
        })
    }

    pub(crate) fn resources(&self) -> &HashMap<&'static str, Served<P::Data>> {
        &self.resources
    }

    pub(crate) fn data_sources(&self) -> &HashMap<&'static str, ServedData<P::Data>> {
        &self.data_sources
    }

    /// The resource of a type name core sent, or an error naming what this provider lacks.
    pub(crate) fn resource(&self, type_name: &str) -> Result<&Served<P::Data>, Diagnostic> {
        self.resources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown resource type",
                format!("The {} provider has no resource type {type_name:?}.", self.provider.type_name()),
            )
        })
    }

    /// A resource that can be listed, with its `list` block's configuration type.
    pub(crate) fn list_resource(&self, type_name: &str) -> Result<(&Served<P::Data>, &Type), Diagnostic> {
        let s = self.resource(type_name)?;
        let ty = s.list_ty.as_ref().ok_or_else(|| {
            Diagnostic::error("Not a list resource", format!("{type_name} cannot be listed by this provider."))
        })?;
        Ok((s, ty))
    }

    /// The data source of a type name core sent, or an error naming what this provider lacks.
    pub(crate) fn data_source(&self, type_name: &str) -> Result<&ServedData<P::Data>, Diagnostic> {
        self.data_sources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown data source",
                format!("The {} provider has no data source {type_name:?}.", self.provider.type_name()),
            )
        })
    }

    /// What configure handed to resources, or the reason there is none.
    fn data(&self) -> Result<Arc<P::Data>, Diagnostic> {
        self.data.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// ValidateProviderConfig: the schema's validators, then the provider's own checks.
    pub(crate) fn validate_provider(&self, config: Value) -> Diagnostics {
        let mut resp = ValidateResponse::default();
        plan::validate_config(&self.provider.schema().block, &config, &mut resp.diagnostics);
        self.provider.validate(&ValidateRequest { config, caps: ClientCapabilities::default() }, &mut resp);
        resp.diagnostics
    }

    /// ConfigureProvider: keeps what the provider built (or why it built nothing) for every
    /// later operation.
    pub(crate) async fn configure(&self, config: Value, terraform_version: String) -> Diagnostics {
        let mut resp =
            ConfigureResponse { data: Err(not_configured(self.provider.type_name())), diagnostics: Diagnostics::new() };
        self.provider.configure(ConfigureRequest { config, terraform_version }, &mut resp).await;
        *self.data.write().unwrap_or_else(|e| e.into_inner()) = resp.data.map(Arc::new);
        resp.diagnostics
    }

    /// ValidateResourceConfig: the schema's validators, write-only values refused where core
    /// cannot keep them out of state, then the resource's own checks.
    pub(crate) fn validate_resource(
        &self,
        s: &Served<P::Data>,
        config: Value,
        caps: ClientCapabilities,
    ) -> Diagnostics {
        let mut resp = ValidateResponse::default();
        plan::validate_config(s.block(), &config, &mut resp.diagnostics);
        plan::check_write_only_allowed(s.block(), &config, caps, &mut resp.diagnostics);
        s.resource.validate(&ValidateRequest { config, caps }, &mut resp);
        resp.diagnostics
    }

    /// ValidateDataResourceConfig: the schema's validators, then the data source's own checks.
    pub(crate) fn validate_data_source(&self, d: &ServedData<P::Data>, config: Value) -> Diagnostics {
        let mut resp = ValidateResponse::default();
        plan::validate_config(d.block(), &config, &mut resp.diagnostics);
        d.source.validate(&ValidateRequest { config, caps: ClientCapabilities::default() }, &mut resp);
        resp.diagnostics
    }

    /// ValidateListResourceConfig: the `list` block schema's validators.
    pub(crate) fn validate_list(&self, s: &Served<P::Data>, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if let Some(schema) = s.resource.list_schema() {
            plan::validate_config(&schema.block, config, &mut diags);
        }
        diags
    }

    /// ValidateActionConfig: the schema's validators, then the action's own checks.
    pub(crate) fn validate_action(&self, a: &ServedAction<P::Data>, config: Value) -> Diagnostics {
        let mut resp = ValidateResponse::default();
        plan::validate_config(a.block(), &config, &mut resp.diagnostics);
        a.action.validate(&ValidateRequest { config, caps: ClientCapabilities::default() }, &mut resp);
        resp.diagnostics
    }

    /// PlanAction: the action's own plan, with what configure produced (`None` before a
    /// successful configure); unknown values in the configuration are the action's to allow.
    pub(crate) async fn plan_action(
        &self,
        a: &ServedAction<P::Data>,
        config: Value,
        caps: ClientCapabilities,
    ) -> Diagnostics {
        let mut resp = ActionPlanResponse::default();
        let data = self.data().ok();
        a.action.plan(data.as_deref(), &ActionPlanRequest { config, caps }, &mut resp).await;
        resp.diagnostics
    }

    /// InvokeAction, as a future owning all it needs, so the server can run it in a task of its
    /// own while the progress it reports streams out. A configuration still holding unknown
    /// values (core never sends one) or a provider not configured is an error without calling
    /// the action.
    pub(crate) fn invocation(
        &self,
        a: &ServedAction<P::Data>,
        config: Value,
        progress: Progress,
    ) -> impl std::future::Future<Output = Diagnostics> + Send + 'static {
        let action = a.action.clone();
        let data = self.data();
        async move {
            let mut resp = InvokeResponse::default();
            if !config.is_wholly_known() {
                resp.diagnostics.error(
                    "Action configuration not known",
                    format!(
                        "{} was invoked with values known only after apply; this is a bug in Terraform or in the \
                         provider.",
                        action.type_name()
                    ),
                );
                return resp.diagnostics;
            }
            match data {
                Ok(data) => action.invoke(&data, InvokeRequest { config }, &progress, &mut resp).await,
                Err(d) => resp.diagnostics.push(d),
            }
            resp.diagnostics
        }
    }

    /// UpgradeResourceState: schema version 0 is the only one so far, so the stored state is
    /// current; only what may never be stored is taken out.
    pub(crate) fn upgrade_state(&self, s: &Served<P::Data>, mut state: Value) -> Value {
        plan::null_write_only(s.block(), &mut state);
        state
    }

    /// ReadResource: the resource's refresh, starting from the current state so an error keeps it.
    pub(crate) async fn read(&self, s: &Served<P::Data>, current: Value, private: Vec<u8>) -> NewState {
        let mut resp = ReadResponse { new_state: current.clone(), private: private.clone(), ..Default::default() };
        match self.data() {
            Ok(data) => s.resource.read(&data, ReadRequest { current, private }, &mut resp).await,
            Err(d) => resp.diagnostics.push(d),
        }
        NewState { stored: s.stored(resp.new_state), private: resp.private, diagnostics: resp.diagnostics }
    }

    /// PlanResourceChange: [`plan_change`] with the resource's steps and what configure produced
    /// (`None` before a successful configure).
    pub(crate) async fn plan(&self, s: &Served<P::Data>, change: Change) -> Planned {
        let data = self.data().ok();
        let (resource, data) = (&*s.resource, data.as_deref());
        let PlanResponse { planned, requires_replace, private, diagnostics } = plan_change(
            s.block(),
            change,
            async |req, resp| resource.modify_plan(data, req, resp).await,
            async |removal, diags| resource.check_removal(data, removal, diags).await,
        )
        .await;
        Planned { stored: s.stored(planned), requires_replace, private, diagnostics }
    }

    /// ApplyResourceChange: create (no prior state), delete (no planned state) or update, each
    /// starting from the answer that records nothing that did not happen.
    pub(crate) async fn apply(
        &self,
        s: &Served<P::Data>,
        prior: Value,
        planned: Value,
        config: Value,
        private: Vec<u8>,
    ) -> NewState {
        let (new_state, private, diagnostics) = match self.data() {
            Err(d) => (prior, private, d.into()),
            Ok(data) => apply(&*s.resource, &data, prior, planned, config, private).await,
        };
        NewState { stored: s.stored(new_state), private, diagnostics }
    }

    /// ImportResourceState, by the id (trimmed of surrounding white space) or the identity
    /// (null unless given) the user wrote.
    pub(crate) async fn import(&self, s: &Served<P::Data>, id: &str, identity: Value) -> Imported {
        let mut out = ImportResponse::default();
        match self.data() {
            Ok(data) => s.resource.import(&data, ImportRequest { id: id.trim().to_string(), identity }, &mut out).await,
            Err(d) => out.diagnostics.push(d),
        }
        Imported {
            objects: out.imported.into_iter().map(|state| s.stored(state)).collect(),
            diagnostics: out.diagnostics,
        }
    }

    /// GenerateResourceConfig: [`generate_config`] with the resource's step.
    pub(crate) fn generate_config(&self, s: &Served<P::Data>, state: Value) -> GenerateConfigResponse {
        let resource = &*s.resource;
        generate_config(s.block(), state, |req, resp| resource.generate_config(req, resp))
    }

    /// ReadDataSource: a failed read that left unknowns answers null, as core cannot store them.
    pub(crate) async fn read_data_source(&self, d: &ServedData<P::Data>, config: Value) -> DataReadResponse {
        let mut resp = DataReadResponse::default();
        match self.data() {
            Ok(data) => d.source.read(&data, DataReadRequest { config }, &mut resp).await,
            Err(e) => resp.diagnostics.push(e),
        }
        if resp.diagnostics.has_errors() && !resp.state.is_wholly_known() {
            resp.state = Value::Null;
        }
        resp
    }

    /// ListResource: at most `limit` objects, or the diagnostics when they hold an error (a
    /// listing without errors reports no warnings).
    pub(crate) async fn list(
        &self,
        s: &Served<P::Data>,
        config: Value,
        limit: usize,
    ) -> Result<Vec<ListedObject>, Diagnostics> {
        let mut resp = ListResponse::default();
        match self.data() {
            Ok(data) => s.resource.list(&data, ListRequest { config }, &mut resp).await,
            Err(d) => resp.diagnostics.push(d),
        }
        if resp.diagnostics.has_errors() {
            return Err(resp.diagnostics);
        }
        Ok(resp
            .listed
            .into_iter()
            .take(limit)
            .map(|item| ListedObject { display_name: item.display_name, stored: s.stored(item.state) })
            .collect())
    }
}

/// The answer to an operation that needs the provider configured before ConfigureProvider ran.
fn not_configured(provider: &str) -> Diagnostic {
    Diagnostic::error(
        "Provider not configured",
        format!(
            "Terraform did not configure the {provider} provider before using it; this is a bug in the provider or \
             in Terraform."
        ),
    )
}

/// The planning sequence (see [the crate's guide](crate#one-plan-through-the-framework)): the
/// schema's part, the resource's `modify`, the schema's part again on the result, then
/// `check_removal` when the plan takes an existing object away and has no errors. The resource's
/// steps are parameters so [`crate::testing::plan`] runs this same sequence with its own.
pub(crate) async fn plan_change(
    block: &Block,
    change: Change,
    modify: impl AsyncFnOnce(&PlanRequest, &mut PlanResponse),
    check_removal: impl AsyncFnOnce(&RemovalRequest<'_>, &mut Diagnostics),
) -> PlanResponse {
    let Change { prior, config, mut proposed, private, caps } = change;
    // Core proposes the configuration's write-only values too; the plan must hold them null, and
    // comparing against the prior state only works once they are.
    plan::null_write_only(block, &mut proposed);
    let req = PlanRequest { prior, config, private, caps };
    let mut resp = PlanResponse { private: req.private.clone(), ..Default::default() };
    resp.planned = plan::prepare(block, proposed, &req.prior, &req.config, &mut resp.diagnostics);
    modify(&req, &mut resp).await;
    plan::finish(block, &req.prior, &mut resp.planned, &mut resp.requires_replace);
    if let Some(removal) = plan::removal(&req.prior, &resp.planned, &resp.requires_replace) {
        if !resp.diagnostics.has_errors() {
            check_removal(&RemovalRequest { prior: &req.prior, removal }, &mut resp.diagnostics).await;
        }
    }
    resp
}

/// ApplyResourceChange's three operations. A create that reports success without a state is a
/// provider bug that would lose the object; a failed delete keeps the prior state, as the object
/// may still exist.
async fn apply<D: Sync>(
    resource: &dyn Resource<D>,
    data: &D,
    prior: Value,
    planned: Value,
    config: Value,
    private: Vec<u8>,
) -> (Value, Vec<u8>, Diagnostics) {
    match (prior.is_null(), planned.is_null()) {
        (true, false) => {
            let mut resp = CreateResponse::default();
            resource.create(data, CreateRequest { planned, config, private }, &mut resp).await;
            if resp.new_state.is_null() && !resp.diagnostics.has_errors() {
                resp.diagnostics.error(
                    "Missing state after create",
                    format!(
                        "{} reported success but returned no state; this is a bug in the provider.",
                        resource.type_name()
                    ),
                );
            }
            (resp.new_state, resp.private, resp.diagnostics)
        }
        (false, true) => {
            let mut resp = DeleteResponse::default();
            resource.delete(data, DeleteRequest { prior: prior.clone(), private: private.clone() }, &mut resp).await;
            let kept = if resp.diagnostics.has_errors() { prior } else { Value::Null };
            (kept, private, resp.diagnostics)
        }
        (false, false) => {
            let mut resp = UpdateResponse { new_state: prior.clone(), private: private.clone(), ..Default::default() };
            resource.update(data, UpdateRequest { prior, planned, config, private }, &mut resp).await;
            (resp.new_state, resp.private, resp.diagnostics)
        }
        (true, true) => (Value::Null, private, Diagnostics::new()),
    }
}

/// The configuration generated for an object's state: the framework's generic answer
/// ([`crate::generate::config_from_state`]), refined by `refine` (the resource's
/// `generate_config`), then cleared of what a configuration may never hold. A state that is
/// null or not wholly known (core never sends one) has nothing to generate from: an error.
pub(crate) fn generate_config(
    block: &Block,
    state: Value,
    refine: impl FnOnce(&GenerateConfigRequest, &mut GenerateConfigResponse),
) -> GenerateConfigResponse {
    let mut resp = GenerateConfigResponse::default();
    if state.is_null() || !state.is_wholly_known() {
        resp.diagnostics.error(
            "No state to generate configuration from",
            "Terraform asked for the configuration of an object without a known state; this is a bug in Terraform \
             or in the provider.",
        );
        return resp;
    }
    resp.config = crate::generate::config_from_state(block, &state);
    refine(&GenerateConfigRequest { state }, &mut resp);
    if resp.diagnostics.has_errors() {
        resp.config = Value::Null;
    } else {
        crate::generate::finish(block, &mut resp.config);
    }
    resp
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_trait::async_trait;

    use super::*;
    use crate::plan_modifiers::{RequiresReplace, UseStateForUnknown};
    use crate::resource::Removal;
    use crate::schema::{Attribute, IdentityAttribute, IdentitySchema, Schema};

    /// A resource that does what each test tells it and records what the framework asked of it.
    struct Fake {
        schema: Schema,
        identity: IdentitySchema,
        /// The state create and update return.
        returns: Value,
        fail_delete: bool,
        /// What `modify_plan` adds to `requires_replace` (of a plan that keeps an object).
        replace: Vec<AttributePath>,
        /// `modify_plan` reports an error.
        plan_error: bool,
        removals: Mutex<Vec<Removal>>,
    }

    impl Fake {
        fn new() -> Self {
            let block = Block::new(
                "",
                vec![
                    Attribute::string("id").computed().plan_modifier(UseStateForUnknown),
                    Attribute::string("updated").computed(),
                    Attribute::string("name").required(),
                    Attribute::string("kind").required().plan_modifier(RequiresReplace),
                    Attribute::string("zone").optional(),
                    Attribute::string("secret_wo").optional().write_only(),
                ],
            );
            let id = IdentityAttribute {
                name: "id".into(),
                ty: Type::String,
                required_for_import: true,
                description: String::new(),
            };
            Fake {
                schema: Schema::new(0, block),
                identity: IdentitySchema { version: 0, attributes: vec![id] },
                returns: Value::Null,
                fail_delete: false,
                replace: Vec::new(),
                plan_error: false,
                removals: Mutex::new(Vec::new()),
            }
        }

        fn removals(&self) -> Vec<Removal> {
            self.removals.lock().unwrap().clone()
        }
    }

    #[async_trait]
    impl Resource<()> for Fake {
        fn type_name(&self) -> &'static str {
            "example_thing"
        }

        fn schema(&self) -> &Schema {
            &self.schema
        }

        async fn modify_plan(&self, _: Option<&()>, _: &PlanRequest, resp: &mut PlanResponse) {
            if !resp.planned.is_null() {
                resp.requires_replace.extend(self.replace.iter().cloned());
            }
            if self.plan_error {
                resp.diagnostics.error("refused", "");
            }
        }

        async fn check_removal(&self, _: Option<&()>, req: &RemovalRequest<'_>, _: &mut Diagnostics) {
            self.removals.lock().unwrap().push(req.removal.clone());
        }

        async fn create(&self, _: &(), _: CreateRequest, resp: &mut CreateResponse) {
            resp.new_state = self.returns.clone();
        }

        async fn read(&self, _: &(), _: ReadRequest, _: &mut ReadResponse) {}

        async fn update(&self, _: &(), _: UpdateRequest, resp: &mut UpdateResponse) {
            resp.new_state = self.returns.clone();
        }

        async fn delete(&self, _: &(), _: DeleteRequest, resp: &mut DeleteResponse) {
            if self.fail_delete {
                resp.diagnostics.error("Could not delete", "the server said no");
            }
        }

        async fn import(&self, _: &(), req: ImportRequest, resp: &mut ImportResponse) {
            resp.imported.push(state(&req.id, "imported", "k", Value::string("s")));
        }

        fn identity_schema(&self) -> Option<&IdentitySchema> {
            Some(&self.identity)
        }

        fn identity(&self, state: &Value) -> Value {
            match state.get("id") {
                Value::Null => Value::Null,
                id => Value::object([("id", id.clone())]),
            }
        }
    }

    struct Example {
        schema: Schema,
        resource: Arc<Fake>,
    }

    #[async_trait]
    impl Provider for Example {
        type Data = ();

        fn type_name(&self) -> &'static str {
            "example"
        }

        fn schema(&self) -> &Schema {
            &self.schema
        }

        async fn configure(&self, _: ConfigureRequest, resp: &mut ConfigureResponse<()>) {
            resp.data = Ok(());
        }

        fn resources(&self) -> Vec<Arc<dyn Resource<()>>> {
            vec![self.resource.clone()]
        }
    }

    /// A configured framework serving `fake`, and the fake, to see what it was asked.
    async fn serving(fake: Fake) -> (Framework<Example>, Arc<Fake>) {
        let resource = Arc::new(fake);
        let fw = Framework::new(Example { schema: Schema::new(0, Block::default()), resource: resource.clone() });
        assert!(fw.configure(Value::Null, "1.11.0".into()).await.is_empty());
        (fw, resource)
    }

    /// A state of the fake's type; its secret is what a resource might wrongly hand back.
    fn state(id: &str, name: &str, kind: &str, secret: Value) -> Value {
        Value::object([
            ("id", Value::string(id)),
            ("updated", Value::string("t1")),
            ("name", Value::string(name)),
            ("kind", Value::string(kind)),
            ("zone", Value::Null),
            ("secret_wo", secret),
        ])
    }

    /// A configuration of the fake's type, with its write-only secret set.
    fn config(name: &str, kind: &str, zone: Value) -> Value {
        Value::object([
            ("id", Value::Null),
            ("updated", Value::Null),
            ("name", Value::string(name)),
            ("kind", Value::string(kind)),
            ("zone", zone),
            ("secret_wo", Value::string("s")),
        ])
    }

    /// The change Terraform core would send for `prior` to `config`.
    fn change(s: &Served<()>, prior: Value, config: Value) -> Change {
        let proposed = crate::testing::propose(s.block(), &prior, &config);
        Change { prior, config, proposed, private: Vec::new(), caps: ClientCapabilities::default() }
    }

    fn summaries(d: &Diagnostics) -> Vec<&str> {
        d.0.iter().map(|d| d.summary.as_str()).collect()
    }

    #[tokio::test]
    async fn a_create_that_returns_no_state_is_an_error() {
        let (fw, _) = serving(Fake::new()).await;
        let s = fw.resource("example_thing").unwrap();
        let planned = state("x", "n", "k", Value::Null);
        let out = fw.apply(s, Value::Null, planned, config("n", "k", Value::Null), Vec::new()).await;
        assert!(out.stored.state.is_null());
        assert_eq!(summaries(&out.diagnostics), ["Missing state after create"]);
        assert!(out.diagnostics.0[0].detail.contains("example_thing"), "{:?}", out.diagnostics);
    }

    #[tokio::test]
    async fn a_failed_delete_keeps_the_prior_state() {
        let (fw, _) = serving(Fake { fail_delete: true, ..Fake::new() }).await;
        let s = fw.resource("example_thing").unwrap();
        let prior = state("x", "n", "k", Value::Null);
        let out = fw.apply(s, prior.clone(), Value::Null, Value::Null, b"private".to_vec()).await;
        assert_eq!(out.stored.state, prior);
        assert_eq!(out.stored.identity, Some(Value::object([("id", Value::string("x"))])));
        assert_eq!(out.private, b"private");
        assert_eq!(summaries(&out.diagnostics), ["Could not delete"]);

        let (fw, _) = serving(Fake::new()).await;
        let s = fw.resource("example_thing").unwrap();
        let out = fw.apply(s, prior, Value::Null, Value::Null, Vec::new()).await;
        assert!(out.stored.state.is_null() && out.stored.identity.is_none() && out.diagnostics.is_empty());
    }

    #[tokio::test]
    async fn identity_only_when_wholly_known() {
        let (fw, _) = serving(Fake::new()).await;
        let s = fw.resource("example_thing").unwrap();
        // A create plans the id unknown: the identity it names is not known yet.
        let create = fw.plan(s, change(s, Value::Null, config("n", "k", Value::Null))).await;
        assert!(create.stored.state.get("id").is_unknown());
        assert_eq!(create.stored.identity, None);
        // An update keeps the id: the identity is known.
        let prior = state("x", "n", "k", Value::Null);
        let update = fw.plan(s, change(s, prior, config("m", "k", Value::Null))).await;
        assert_eq!(update.stored.identity, Some(Value::object([("id", Value::string("x"))])));
        // A state that names no object has none.
        let read = fw.read(s, Value::Null, Vec::new()).await;
        assert_eq!(read.stored.identity, None);
    }

    #[tokio::test]
    async fn computed_values_are_unknown_only_where_the_object_changes() {
        let (fw, _) = serving(Fake::new()).await;
        let s = fw.resource("example_thing").unwrap();
        let prior = state("x", "n", "k", Value::Null);

        let unchanged = fw.plan(s, change(s, prior.clone(), config("n", "k", Value::Null))).await;
        assert_eq!(unchanged.stored.state, prior, "no change plans nothing unknown");

        let renamed = fw.plan(s, change(s, prior, config("m", "k", Value::Null))).await;
        assert_eq!(renamed.stored.state.get("id"), &Value::string("x"), "UseStateForUnknown keeps it");
        assert!(renamed.stored.state.get("updated").is_unknown());

        let created = fw.plan(s, change(s, Value::Null, config("n", "k", Value::Null))).await;
        assert!(created.stored.state.get("id").is_unknown() && created.stored.state.get("updated").is_unknown());
    }

    #[tokio::test]
    async fn requires_replace_merges_the_resource_s_and_the_modifiers() {
        let zone = AttributePath::root("zone");
        let kind = AttributePath::root("kind");
        // The resource names `kind` too: it is listed once.
        let (fw, fake) = serving(Fake { replace: vec![zone.clone(), kind.clone()], ..Fake::new() }).await;
        let s = fw.resource("example_thing").unwrap();
        let prior = state("x", "n", "k", Value::Null);
        let planned = fw.plan(s, change(s, prior.clone(), config("n", "other", Value::string("z")))).await;
        assert_eq!(planned.requires_replace, [zone.clone(), kind.clone()]);
        assert_eq!(fake.removals(), [Removal::Replace(vec![zone.clone(), kind.clone()])]);

        // The modifier's alone, when the resource names none.
        let (fw, _) = serving(Fake::new()).await;
        let s = fw.resource("example_thing").unwrap();
        let planned = fw.plan(s, change(s, prior, config("n", "other", Value::Null))).await;
        assert_eq!(planned.requires_replace, [kind]);
    }

    #[tokio::test]
    async fn write_only_values_are_nulled_in_the_plan_and_the_applied_state() {
        let returned = state("x", "n", "k", Value::string("s"));
        let (fw, _) = serving(Fake { returns: returned.clone(), ..Fake::new() }).await;
        let s = fw.resource("example_thing").unwrap();
        let cfg = config("n", "k", Value::Null);

        let planned = fw.plan(s, change(s, Value::Null, cfg.clone())).await;
        assert!(planned.stored.state.get("secret_wo").is_null(), "{:?}", planned.stored.state);

        let created = fw.apply(s, Value::Null, planned.stored.state, cfg.clone(), Vec::new()).await;
        assert!(created.diagnostics.is_empty(), "{:?}", created.diagnostics);
        assert_eq!(created.stored.state, state("x", "n", "k", Value::Null));

        let prior = state("x", "n", "k", Value::Null);
        let updated = fw.apply(s, prior.clone(), prior, cfg, Vec::new()).await;
        assert!(updated.stored.state.get("secret_wo").is_null());
    }

    #[tokio::test]
    async fn a_destroy_plan_checks_the_removal_and_a_create_plan_does_not() {
        let (fw, fake) = serving(Fake::new()).await;
        let s = fw.resource("example_thing").unwrap();
        fw.plan(s, change(s, Value::Null, config("n", "k", Value::Null))).await;
        assert_eq!(fake.removals(), []);

        let destroy = fw.plan(s, change(s, state("x", "n", "k", Value::Null), Value::Null)).await;
        assert!(destroy.stored.state.is_null());
        assert_eq!(fake.removals(), [Removal::Destroy]);

        // A plan that already failed is not checked.
        let (fw, fake) = serving(Fake { plan_error: true, ..Fake::new() }).await;
        let s = fw.resource("example_thing").unwrap();
        let refused = fw.plan(s, change(s, state("x", "n", "k", Value::Null), Value::Null)).await;
        assert_eq!(summaries(&refused.diagnostics), ["refused"]);
        assert_eq!(fake.removals(), []);
    }

    #[tokio::test]
    async fn import_trims_the_id_and_stores_what_it_found_as_apply_does() {
        let (fw, _) = serving(Fake::new()).await;
        let s = fw.resource("example_thing").unwrap();
        let imported = fw.import(s, "  x\n", Value::Null).await;
        assert!(imported.diagnostics.is_empty());
        assert_eq!(imported.objects.len(), 1);
        assert_eq!(imported.objects[0].state, state("x", "imported", "k", Value::Null));
        assert_eq!(imported.objects[0].identity, Some(Value::object([("id", Value::string("x"))])));
    }

    #[tokio::test]
    async fn operations_before_configure_keep_the_state_and_say_why() {
        let fw = Framework::new(Example { schema: Schema::new(0, Block::default()), resource: Arc::new(Fake::new()) });
        let s = fw.resource("example_thing").unwrap();
        let prior = state("x", "n", "k", Value::Null);
        let out = fw.apply(s, prior.clone(), Value::Null, Value::Null, Vec::new()).await;
        assert_eq!(out.stored.state, prior);
        assert_eq!(summaries(&out.diagnostics), ["Provider not configured"]);
    }

    #[tokio::test]
    async fn generated_config_leaves_out_read_only_and_write_only_values() {
        let (fw, _) = serving(Fake::new()).await;
        let s = fw.resource("example_thing").unwrap();
        let generated = fw.generate_config(s, state("x", "n", "k", Value::string("s")));
        assert!(generated.diagnostics.is_empty(), "{:?}", generated.diagnostics);
        let expected = Value::object([
            ("id", Value::Null),
            ("updated", Value::Null),
            ("name", Value::string("n")),
            ("kind", Value::string("k")),
            ("zone", Value::Null),
            ("secret_wo", Value::Null),
        ]);
        assert_eq!(generated.config, expected);
    }

    #[test]
    fn a_resource_refines_the_generated_config_within_the_framework_s_rules() {
        let fake = Fake::new();
        let block = &fake.schema.block;
        let generated = generate_config(block, state("x", "n", "k", Value::Null), |req, resp| {
            assert_eq!(req.state.get("id"), &Value::string("x"), "the whole state, read-only values too");
            let Value::Object(o) = &mut resp.config else { unreachable!() };
            o.insert("zone".into(), Value::string("derived"));
            // A placeholder secret would be sent at the next apply; an id cannot be configured.
            o.insert("secret_wo".into(), Value::string("CHANGE ME"));
            o.insert("id".into(), Value::string("x"));
            resp.diagnostics.push(Diagnostic::warning("Add the secret", "write it yourself"));
        });
        assert_eq!(generated.config.get("zone"), &Value::string("derived"));
        assert_eq!(generated.config.get("secret_wo"), &Value::Null);
        assert_eq!(generated.config.get("id"), &Value::Null);
        assert_eq!(summaries(&generated.diagnostics), ["Add the secret"]);

        let refused = generate_config(block, state("x", "n", "k", Value::Null), |_, resp| {
            resp.diagnostics.error("Cannot", "not this one")
        });
        assert_eq!(refused.config, Value::Null, "an error generates nothing");

        let nothing = generate_config(block, Value::Null, |_, _| panic!("not asked without a state"));
        assert_eq!(summaries(&nothing.diagnostics), ["No state to generate configuration from"]);
        let unknown = generate_config(block, state("x", "n", "k", Value::Unknown), |_, _| panic!("not asked"));
        assert!(unknown.diagnostics.has_errors());
    }

    #[tokio::test]
    async fn the_service_offers_and_answers_generate_resource_config() {
        use crate::proto::tfplugin6 as pb;
        use crate::proto::tfplugin6::provider_server::Provider as _;
        let service = crate::server::ProviderService::new(Example {
            schema: Schema::new(0, Block::default()),
            resource: Arc::new(Fake::new()),
        });
        let schema = service.get_provider_schema(tonic::Request::new(Default::default())).await.unwrap();
        assert!(schema.into_inner().server_capabilities.unwrap().generate_resource_config);
        let metadata = service.get_metadata(tonic::Request::new(Default::default())).await.unwrap();
        assert!(metadata.into_inner().server_capabilities.unwrap().generate_resource_config);

        let ty = Fake::new().schema.value_type();
        let request = pb::generate_resource_config::Request {
            type_name: "example_thing".into(),
            state: Some(crate::wire::encode(&state("x", "n", "k", Value::Null), &ty).unwrap()),
        };
        let resp = service.generate_resource_config(tonic::Request::new(request)).await.unwrap().into_inner();
        assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
        let config = crate::wire::decode(resp.config.as_ref(), &ty, "config").unwrap();
        assert_eq!(config.get("name"), &Value::string("n"));
        assert_eq!(config.get("id"), &Value::Null);

        let request = pb::generate_resource_config::Request { type_name: "example_nothing".into(), state: None };
        let resp = service.generate_resource_config(tonic::Request::new(request)).await.unwrap().into_inner();
        assert_eq!(resp.diagnostics[0].summary, "Unknown resource type");
    }

    #[tokio::test]
    async fn unknown_type_names_are_clear_errors() {
        let (fw, _) = serving(Fake::new()).await;
        let err = fw.resource("example_nothing").err().unwrap();
        assert_eq!(err.summary, "Unknown resource type");
        assert_eq!(err.detail, "The example provider has no resource type \"example_nothing\".");
        let err = fw.data_source("example_thing").err().unwrap();
        assert_eq!(err.summary, "Unknown data source");
        assert_eq!(err.detail, "The example provider has no data source \"example_thing\".");
        let err = fw.list_resource("example_thing").err().unwrap();
        assert_eq!(err.summary, "Not a list resource");
        assert!(fw.list_resource("example_nothing").is_err());
    }
}

#[cfg(test)]
mod action_tests;
