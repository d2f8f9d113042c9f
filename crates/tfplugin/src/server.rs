//! The gRPC `tfplugin6.Provider` service: decodes each request's values with the schema's types,
//! hands them to the [`Provider`] or [`Resource`] by type name, and encodes the answer. Protocol
//! rules that hold for every resource (write-only values never leave in state, unknown type
//! names, capabilities) are enforced here once.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use tonic::{Request, Response, Status};

use super::diag::{Diagnostic, Diagnostics};
use super::plan;
use super::proto::tfplugin6 as pb;
use super::proto::tfplugin6::provider_server::Provider as ProviderRpc;
use super::resource::{
    ClientCapabilities, ConfigureRequest, ConfigureResponse, CreateRequest, CreateResponse, DataReadRequest,
    DataReadResponse, DataSource, DeleteRequest, DeleteResponse, ImportRequest, ImportResponse, ListRequest,
    ListResponse, PlanRequest, PlanResponse, Provider, ReadRequest, ReadResponse, RemovalRequest, Resource,
    UpdateRequest, UpdateResponse, ValidateRequest, ValidateResponse,
};
use super::schema::Block;
use super::sensitive::each_sensitive_string;
use super::value::{Type, Value};
use super::wire::{self, decode, encode};

/// A resource with its value type computed once, not per request.
struct Served<D: Sync> {
    resource: Arc<dyn Resource<D>>,
    ty: Type,
    identity_ty: Option<Type>,
    list_ty: Option<Type>,
}

/// A data source with its value type computed once.
struct ServedData<D: Sync> {
    source: Arc<dyn DataSource<D>>,
    ty: Type,
}

/// The `tfplugin6.Provider` gRPC service for one provider: serve it with
/// [`super::handshake::serve`].
pub struct ProviderService<P: Provider> {
    provider: Arc<P>,
    provider_type: Type,
    resources: HashMap<&'static str, Served<P::Data>>,
    data_sources: HashMap<&'static str, ServedData<P::Data>>,
    /// What the last ConfigureProvider produced for resources, or why it produced nothing.
    /// Shared, so each RPC takes a reference count rather than a copy of the client.
    data: RwLock<Result<Arc<P::Data>, Diagnostic>>,
    /// The schema answer is the same for the life of the process: built once.
    schema_response: pb::get_provider_schema::Response,
}

impl<P: Provider> ProviderService<P> {
    /// Builds the service; every schema is read and encoded once, here.
    pub fn new(provider: P) -> Self {
        let resources: HashMap<_, _> = provider
            .resources()
            .into_iter()
            .map(|r| {
                let identity_ty = r.identity_schema().map(|i| i.value_type());
                let list_ty = r.list_schema().map(|l| l.value_type());
                (r.type_name(), Served { ty: r.schema().value_type(), identity_ty, list_ty, resource: r })
            })
            .collect();
        let data_sources: HashMap<_, _> = provider
            .data_sources()
            .into_iter()
            .map(|d| (d.type_name(), ServedData { ty: d.schema().value_type(), source: d }))
            .collect();
        let schema_response = pb::get_provider_schema::Response {
            provider: Some(wire::schema(provider.schema())),
            resource_schemas: resources
                .iter()
                .map(|(n, s)| (n.to_string(), wire::schema(s.resource.schema())))
                .collect(),
            list_resource_schemas: resources
                .iter()
                .filter_map(|(n, s)| s.resource.list_schema().map(|l| (n.to_string(), wire::schema(l))))
                .collect(),
            data_source_schemas: data_sources
                .iter()
                .map(|(n, d)| (n.to_string(), wire::schema(d.source.schema())))
                .collect(),
            server_capabilities: Some(capabilities()),
            ..Default::default()
        };
        ProviderService {
            data: RwLock::new(Err(not_configured(provider.type_name()))),
            provider_type: provider.schema().value_type(),
            provider: Arc::new(provider),
            resources,
            data_sources,
            schema_response,
        }
    }

    /// Decodes a value of `block`'s type and hands its sensitive strings to the provider
    /// first (see [`super::sensitive`]).
    fn decode_seen(
        &self,
        dv: Option<&pb::DynamicValue>,
        ty: &Type,
        block: &Block,
        what: &str,
    ) -> Result<Value, Diagnostic> {
        let v = decode(dv, ty, what)?;
        each_sensitive_string(block, &v, &mut |s| self.provider.sensitive_value(s));
        Ok(v)
    }

    /// Diagnostics as they leave the process: through the provider's [`Provider::scrub`].
    fn diagnostics(&self, d: Diagnostics) -> Vec<pb::Diagnostic> {
        let mut out = wire::diagnostics(d);
        for d in &mut out {
            d.summary = self.provider.scrub(&d.summary);
            d.detail = self.provider.scrub(&d.detail);
        }
        out
    }

    fn diag(&self, d: Diagnostic) -> Vec<pb::Diagnostic> {
        self.diagnostics(d.into())
    }

    /// What configure handed to resources, or the reason there is none.
    fn data(&self) -> Result<Arc<P::Data>, Diagnostic> {
        self.data.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn served_data(&self, type_name: &str) -> Result<&ServedData<P::Data>, Diagnostic> {
        self.data_sources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown data source",
                format!("The {} provider has no data source {type_name:?}.", self.provider.type_name()),
            )
        })
    }

    fn served_list(&self, type_name: &str) -> Result<(&Served<P::Data>, &Type), Diagnostic> {
        let s = self.served(type_name)?;
        let ty = s.list_ty.as_ref().ok_or_else(|| {
            Diagnostic::error("Not a list resource", format!("{type_name} cannot be listed by this provider."))
        })?;
        Ok((s, ty))
    }

    fn served(&self, type_name: &str) -> Result<&Served<P::Data>, Diagnostic> {
        self.resources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown resource type",
                format!("The {} provider has no resource type {type_name:?}.", self.provider.type_name()),
            )
        })
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

fn capabilities() -> pb::ServerCapabilities {
    // The schema never changes within a release, so core may reuse a cached one instead of asking
    // every provider process again.
    pb::ServerCapabilities { plan_destroy: true, get_provider_schema_optional: true, ..Default::default() }
}

fn caps(c: Option<&pb::ClientCapabilities>) -> ClientCapabilities {
    c.map(|c| ClientCapabilities {
        deferral_allowed: c.deferral_allowed,
        write_only_attributes_allowed: c.write_only_attributes_allowed,
    })
    .unwrap_or_default()
}

/// Encodes a state-like value after nulling write-only attributes, which core refuses in state.
fn encode_state<D: Sync>(served: &Served<D>, mut v: Value) -> Result<Option<pb::DynamicValue>, Diagnostic> {
    plan::null_write_only(&served.resource.schema().block, &mut v);
    encode(&v, &served.ty).map(Some)
}

/// The identity of the object a state describes, when the resource has identities and the state
/// names a known object; `None` otherwise (core then keeps what it had).
fn identity_of<D: Sync>(served: &Served<D>, state: &Value) -> Result<Option<pb::ResourceIdentityData>, Diagnostic> {
    let Some(ty) = &served.identity_ty else { return Ok(None) };
    let identity = served.resource.identity(state);
    if identity.is_null() || !identity.is_wholly_known() {
        return Ok(None);
    }
    Ok(Some(pb::ResourceIdentityData { identity_data: Some(encode(&identity, ty)?) }))
}

/// ApplyResourceChange is three operations: create (no prior state), delete (no planned state)
/// and update. Each starts from the answer that records nothing that did not happen.
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

type Rpc<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl<P: Provider> ProviderRpc for ProviderService<P> {
    async fn get_metadata(&self, _: Request<pb::get_metadata::Request>) -> Rpc<pb::get_metadata::Response> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            resources: self
                .resources
                .keys()
                .map(|n| pb::get_metadata::ResourceMetadata { type_name: n.to_string() })
                .collect(),
            data_sources: self
                .data_sources
                .keys()
                .map(|n| pb::get_metadata::DataSourceMetadata { type_name: n.to_string() })
                .collect(),
            list_resources: self
                .resources
                .iter()
                .filter(|(_, s)| s.list_ty.is_some())
                .map(|(n, _)| pb::get_metadata::ListResourceMetadata { type_name: n.to_string() })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Rpc<pb::get_provider_schema::Response> {
        Ok(Response::new(self.schema_response.clone()))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Rpc<pb::validate_provider_config::Response> {
        let req = req.into_inner();
        let diagnostics = match self.decode_seen(
            req.config.as_ref(),
            &self.provider_type,
            &self.provider.schema().block,
            "provider configuration",
        ) {
            Ok(config) => {
                let mut resp = ValidateResponse::default();
                plan::validate_config(&self.provider.schema().block, &config, &mut resp.diagnostics);
                let req = ValidateRequest { config, caps: ClientCapabilities::default() };
                self.provider.validate(&req, &mut resp);
                self.diagnostics(resp.diagnostics)
            }
            Err(d) => self.diag(d),
        };
        Ok(Response::new(pb::validate_provider_config::Response { diagnostics }))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Rpc<pb::validate_resource_config::Response> {
        let req = req.into_inner();
        let result = self.served(&req.type_name).and_then(|s| {
            let config =
                self.decode_seen(req.config.as_ref(), &s.ty, &s.resource.schema().block, "resource configuration")?;
            let caps = caps(req.client_capabilities.as_ref());
            let mut resp = ValidateResponse::default();
            let block = &s.resource.schema().block;
            plan::validate_config(block, &config, &mut resp.diagnostics);
            plan::check_write_only_allowed(block, &config, caps, &mut resp.diagnostics);
            s.resource.validate(&ValidateRequest { config, caps }, &mut resp);
            Ok(resp.diagnostics)
        });
        let diagnostics = result.map_or_else(|d| self.diag(d), |d| self.diagnostics(d));
        Ok(Response::new(pb::validate_resource_config::Response { diagnostics }))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Rpc<pb::validate_data_resource_config::Response> {
        let req = req.into_inner();
        let result = self.served_data(&req.type_name).and_then(|d| {
            let config =
                self.decode_seen(req.config.as_ref(), &d.ty, &d.source.schema().block, "data source configuration")?;
            let mut resp = ValidateResponse::default();
            plan::validate_config(&d.source.schema().block, &config, &mut resp.diagnostics);
            d.source.validate(&ValidateRequest { config, caps: ClientCapabilities::default() }, &mut resp);
            Ok(resp.diagnostics)
        });
        let diagnostics = result.map_or_else(|d| self.diag(d), |d| self.diagnostics(d));
        Ok(Response::new(pb::validate_data_resource_config::Response { diagnostics }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Rpc<pb::upgrade_resource_state::Response> {
        let req = req.into_inner();
        let result = self.served(&req.type_name).and_then(|s| {
            // Schema version 0 is the only one so far: the stored JSON is already current.
            let raw = req.raw_state.map(|r| r.json).unwrap_or_default();
            let state = if raw.is_empty() {
                Value::Null
            } else {
                super::codec::from_json(&raw, &s.ty).map_err(|e| {
                    Diagnostic::error(
                        "Could not read the stored state",
                        format!("The state of this resource does not match the provider's schema: {e}."),
                    )
                })?
            };
            // Core upgrades every stored state before it refreshes any: the earliest moment this
            // process sees the secrets of all of them.
            each_sensitive_string(&s.resource.schema().block, &state, &mut |v| self.provider.sensitive_value(v));
            encode_state(s, state)
        });
        Ok(Response::new(match result {
            Ok(upgraded_state) => pb::upgrade_resource_state::Response { upgraded_state, diagnostics: vec![] },
            Err(d) => pb::upgrade_resource_state::Response { upgraded_state: None, diagnostics: self.diag(d) },
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Rpc<pb::get_resource_identity_schemas::Response> {
        let identity_schemas = self
            .resources
            .iter()
            .filter_map(|(name, s)| s.resource.identity_schema().map(|i| (name.to_string(), wire::identity_schema(i))))
            .collect();
        Ok(Response::new(pb::get_resource_identity_schemas::Response { identity_schemas, diagnostics: vec![] }))
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Rpc<pb::upgrade_resource_identity::Response> {
        let req = req.into_inner();
        let result = self.served(&req.type_name).and_then(|s| {
            let ty = s.identity_ty.as_ref().ok_or_else(|| {
                Diagnostic::error("No identity", format!("{} has no resource identity.", req.type_name))
            })?;
            // Identity schema version 0 is the only one so far: the stored JSON is current.
            let raw = req.raw_identity.map(|r| r.json).unwrap_or_default();
            let identity = super::codec::from_json(&raw, ty).map_err(|e| {
                Diagnostic::error(
                    "Could not read the stored identity",
                    format!("It does not match the identity schema: {e}."),
                )
            })?;
            Ok(pb::ResourceIdentityData { identity_data: Some(encode(&identity, ty)?) })
        });
        Ok(Response::new(match result {
            Ok(id) => pb::upgrade_resource_identity::Response { upgraded_identity: Some(id), diagnostics: vec![] },
            Err(d) => pb::upgrade_resource_identity::Response { upgraded_identity: None, diagnostics: self.diag(d) },
        }))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Rpc<pb::configure_provider::Response> {
        let req = req.into_inner();
        let diagnostics = match self.decode_seen(
            req.config.as_ref(),
            &self.provider_type,
            &self.provider.schema().block,
            "provider configuration",
        ) {
            Ok(config) => {
                let mut resp = ConfigureResponse {
                    data: Err(not_configured(self.provider.type_name())),
                    diagnostics: Diagnostics::new(),
                };
                let configure = ConfigureRequest { config, terraform_version: req.terraform_version };
                self.provider.configure(configure, &mut resp).await;
                *self.data.write().unwrap_or_else(|e| e.into_inner()) = resp.data.map(Arc::new);
                self.diagnostics(resp.diagnostics)
            }
            Err(d) => self.diag(d),
        };
        Ok(Response::new(pb::configure_provider::Response { diagnostics }))
    }

    async fn read_resource(&self, req: Request<pb::read_resource::Request>) -> Rpc<pb::read_resource::Response> {
        let req = req.into_inner();
        let result = async {
            let s = self.served(&req.type_name)?;
            let current =
                self.decode_seen(req.current_state.as_ref(), &s.ty, &s.resource.schema().block, "current state")?;
            let mut resp =
                ReadResponse { new_state: current.clone(), private: req.private.clone(), ..Default::default() };
            match self.data() {
                Ok(data) => s.resource.read(&data, ReadRequest { current, private: req.private }, &mut resp).await,
                Err(d) => resp.diagnostics.push(d),
            }
            let ReadResponse { new_state, private, diagnostics: diags } = resp;
            Ok::<_, Diagnostic>(pb::read_resource::Response {
                new_identity: identity_of(s, &new_state)?,
                new_state: encode_state(s, new_state)?,
                private,
                diagnostics: self.diagnostics(diags),
                ..Default::default()
            })
        };
        Ok(Response::new(
            result
                .await
                .unwrap_or_else(|d| pb::read_resource::Response { diagnostics: self.diag(d), ..Default::default() }),
        ))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Rpc<pb::plan_resource_change::Response> {
        let req = req.into_inner();
        let result = async {
            let s = self.served(&req.type_name)?;
            // Core proposes the configuration's write-only values too; the plan must hold them
            // null, and comparing against the prior state only works once they are.
            let mut proposed = self.decode_seen(
                req.proposed_new_state.as_ref(),
                &s.ty,
                &s.resource.schema().block,
                "proposed new state",
            )?;
            let block = &s.resource.schema().block;
            plan::null_write_only(block, &mut proposed);
            let plan_req = PlanRequest {
                prior: self.decode_seen(req.prior_state.as_ref(), &s.ty, block, "prior state")?,
                config: self.decode_seen(req.config.as_ref(), &s.ty, block, "configuration")?,
                private: req.prior_private,
                caps: caps(req.client_capabilities.as_ref()),
            };
            // The schema's part, then the resource's, then the schema's again on the result.
            let mut resp = PlanResponse { private: plan_req.private.clone(), ..Default::default() };
            resp.planned = plan::prepare(block, proposed, &plan_req.prior, &plan_req.config, &mut resp.diagnostics);
            s.resource.modify_plan(self.data().ok().as_deref(), &plan_req, &mut resp).await;
            let PlanResponse { mut planned, mut requires_replace, private, diagnostics: mut diags } = resp;
            plan::finish(block, &plan_req.prior, &mut planned, &mut requires_replace);
            if let Some(removal) = plan::removal(&plan_req.prior, &planned, &requires_replace) {
                if !diags.has_errors() {
                    let removal_req = RemovalRequest { prior: &plan_req.prior, removal };
                    s.resource.check_removal(self.data().ok().as_deref(), &removal_req, &mut diags).await;
                }
            }
            Ok::<_, Diagnostic>(pb::plan_resource_change::Response {
                planned_identity: identity_of(s, &planned)?,
                planned_state: encode_state(s, planned)?,
                requires_replace: requires_replace.iter().map(wire::path).collect(),
                planned_private: private,
                diagnostics: self.diagnostics(diags),
                ..Default::default()
            })
        };
        Ok(Response::new(result.await.unwrap_or_else(|d| pb::plan_resource_change::Response {
            diagnostics: self.diag(d),
            ..Default::default()
        })))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Rpc<pb::apply_resource_change::Response> {
        let req = req.into_inner();
        let result = async {
            let s = self.served(&req.type_name)?;
            let block = &s.resource.schema().block;
            let prior = self.decode_seen(req.prior_state.as_ref(), &s.ty, block, "prior state")?;
            let planned = self.decode_seen(req.planned_state.as_ref(), &s.ty, block, "planned state")?;
            let config = self.decode_seen(req.config.as_ref(), &s.ty, block, "configuration")?;
            let private = req.planned_private;
            let (new_state, private, diags) = match self.data() {
                Err(d) => (prior, private, d.into()),
                Ok(data) => apply(&*s.resource, &data, prior, planned, config, private).await,
            };
            Ok::<_, Diagnostic>(pb::apply_resource_change::Response {
                new_identity: identity_of(s, &new_state)?,
                new_state: encode_state(s, new_state)?,
                private,
                diagnostics: self.diagnostics(diags),
                ..Default::default()
            })
        };
        Ok(Response::new(result.await.unwrap_or_else(|d| pb::apply_resource_change::Response {
            diagnostics: self.diag(d),
            ..Default::default()
        })))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Rpc<pb::import_resource_state::Response> {
        let req = req.into_inner();
        let result = async {
            let s = self.served(&req.type_name)?;
            let identity = match (&s.identity_ty, req.identity.as_ref().and_then(|i| i.identity_data.as_ref())) {
                (Some(ty), Some(dv)) => decode(Some(dv), ty, "import identity")?,
                _ => Value::Null,
            };
            let mut out = ImportResponse::default();
            match self.data() {
                Ok(data) => {
                    let import = ImportRequest { id: req.id.trim().to_string(), identity };
                    s.resource.import(&data, import, &mut out).await
                }
                Err(d) => out.diagnostics.push(d),
            }
            let mut imported_resources = Vec::new();
            for state in out.imported {
                imported_resources.push(pb::import_resource_state::ImportedResource {
                    type_name: req.type_name.clone(),
                    identity: identity_of(s, &state)?,
                    state: encode_state(s, state)?,
                    private: Vec::new(),
                });
            }
            Ok::<_, Diagnostic>(pb::import_resource_state::Response {
                imported_resources,
                diagnostics: self.diagnostics(out.diagnostics),
                ..Default::default()
            })
        };
        Ok(Response::new(result.await.unwrap_or_else(|d| pb::import_resource_state::Response {
            diagnostics: self.diag(d),
            ..Default::default()
        })))
    }

    async fn move_resource_state(
        &self,
        _: Request<pb::move_resource_state::Request>,
    ) -> Rpc<pb::move_resource_state::Response> {
        let d = Diagnostic::error(
            "Move not supported",
            format!("The {} provider cannot move state from other resource types.", self.provider.type_name()),
        );
        Ok(Response::new(pb::move_resource_state::Response { diagnostics: self.diag(d), ..Default::default() }))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Rpc<pb::read_data_source::Response> {
        let req = req.into_inner();
        let result = async {
            let d = self.served_data(&req.type_name)?;
            let config =
                self.decode_seen(req.config.as_ref(), &d.ty, &d.source.schema().block, "data source configuration")?;
            let mut resp = DataReadResponse::default();
            match self.data() {
                Ok(data) => d.source.read(&data, DataReadRequest { config }, &mut resp).await,
                Err(e) => resp.diagnostics.push(e),
            }
            let DataReadResponse { state, diagnostics: diags } = resp;
            let state = if diags.has_errors() && !state.is_wholly_known() { Value::Null } else { state };
            Ok::<_, Diagnostic>(pb::read_data_source::Response {
                state: Some(encode(&state, &d.ty)?),
                diagnostics: self.diagnostics(diags),
                ..Default::default()
            })
        };
        Ok(Response::new(
            result
                .await
                .unwrap_or_else(|d| pb::read_data_source::Response { diagnostics: self.diag(d), ..Default::default() }),
        ))
    }

    async fn validate_list_resource_config(
        &self,
        req: Request<pb::validate_list_resource_config::Request>,
    ) -> Rpc<pb::validate_list_resource_config::Response> {
        let req = req.into_inner();
        let result = self.served_list(&req.type_name).and_then(|(s, ty)| {
            let config = decode(req.config.as_ref(), ty, "list configuration")?;
            let mut diags = Diagnostics::new();
            if let Some(schema) = s.resource.list_schema() {
                plan::validate_config(&schema.block, &config, &mut diags);
            }
            Ok(diags)
        });
        let diagnostics = result.map_or_else(|d| self.diag(d), |d| self.diagnostics(d));
        Ok(Response::new(pb::validate_list_resource_config::Response { diagnostics }))
    }

    async fn list_resource(
        &self,
        req: Request<pb::list_resource::Request>,
    ) -> Rpc<tonic::codegen::BoxStream<pb::list_resource::Event>> {
        let req = req.into_inner();
        let events = async {
            let (s, ty) = self.served_list(&req.type_name)?;
            let config = decode(req.config.as_ref(), ty, "list configuration")?;
            let mut resp = ListResponse::default();
            match self.data() {
                Ok(data) => s.resource.list(&data, ListRequest { config }, &mut resp).await,
                Err(d) => resp.diagnostics.push(d),
            }
            if resp.diagnostics.has_errors() {
                return Ok(vec![pb::list_resource::Event {
                    diagnostic: self.diagnostics(resp.diagnostics),
                    ..Default::default()
                }]);
            }
            let listed = resp.listed;
            let limit = if req.limit > 0 { req.limit as usize } else { usize::MAX };
            let mut events = Vec::new();
            for item in listed.into_iter().take(limit) {
                events.push(pb::list_resource::Event {
                    identity: identity_of(s, &item.state)?,
                    display_name: item.display_name,
                    resource_object: if req.include_resource_object { encode_state(s, item.state)? } else { None },
                    diagnostic: vec![],
                });
            }
            Ok::<_, Diagnostic>(events)
        };
        let events = events
            .await
            .unwrap_or_else(|d| vec![pb::list_resource::Event { diagnostic: self.diag(d), ..Default::default() }]);
        Ok(Response::new(Box::pin(tokio_stream::iter(events.into_iter().map(Ok)))))
    }

    async fn get_functions(&self, _: Request<pb::get_functions::Request>) -> Rpc<pb::get_functions::Response> {
        Ok(Response::new(pb::get_functions::Response::default()))
    }

    async fn call_function(&self, req: Request<pb::call_function::Request>) -> Rpc<pb::call_function::Response> {
        let name = req.into_inner().name;
        Ok(Response::new(pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text: format!("The {} provider has no function {name:?}.", self.provider.type_name()),
                function_argument: None,
            }),
        }))
    }

    async fn stop_provider(&self, _: Request<pb::stop_provider::Request>) -> Rpc<pb::stop_provider::Response> {
        self.provider.stop().await;
        Ok(Response::new(pb::stop_provider::Response::default()))
    }
}
