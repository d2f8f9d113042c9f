//! The gRPC `tfplugin6.Provider` service, a thin adapter: each RPC decodes its request's values
//! with the schema's types, calls one method of `Framework` (`server/framework.rs`), which
//! holds the rules for every resource (planning, apply, identities, import, read, list), and
//! encodes the answer. The rules are kept apart so they are unit-tested without protobuf; what
//! stays here is the wire: values, capabilities, sensitive strings handed to the provider as they
//! are decoded, and diagnostics scrubbed on their way out.

pub(crate) mod framework;

use tonic::{Request, Response, Status};

use self::framework::{Change, Framework, NewState, Served, Stored};
use super::action::Progress;
use super::diag::{Diagnostic, Diagnostics};
use super::proto::tfplugin6 as pb;
use super::proto::tfplugin6::provider_server::Provider as ProviderRpc;
use super::resource::{ClientCapabilities, Provider};
use super::schema::Block;
use super::sensitive::each_sensitive_string;
use super::value::{Type, Value};
use super::wire::{self, decode, encode};

/// The `tfplugin6.Provider` gRPC service for one provider: serve it with
/// [`super::handshake::serve`].
pub struct ProviderService<P: Provider> {
    framework: Framework<P>,
    provider_type: Type,
    /// The schema answer is the same for the life of the process: built once.
    schema_response: pb::get_provider_schema::Response,
}

/// Names the provider and what it serves; the cached schema answer is left out.
impl<P: Provider> std::fmt::Debug for ProviderService<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::collections::BTreeSet;
        f.debug_struct("ProviderService")
            .field("provider", &self.framework.provider().type_name())
            .field("resources", &self.framework.resources().keys().collect::<BTreeSet<_>>())
            .field("data_sources", &self.framework.data_sources().keys().collect::<BTreeSet<_>>())
            .finish_non_exhaustive()
    }
}

impl<P: Provider> ProviderService<P> {
    /// Builds the service; every schema is read and encoded once, here.
    pub fn new(provider: P) -> Self {
        let framework = Framework::new(provider);
        let provider = framework.provider();
        let schema_response = pb::get_provider_schema::Response {
            provider: Some(wire::schema(provider.schema())),
            resource_schemas: framework
                .resources()
                .iter()
                .map(|(n, s)| (n.to_string(), wire::schema(s.resource.schema())))
                .collect(),
            list_resource_schemas: framework
                .resources()
                .iter()
                .filter_map(|(n, s)| s.resource.list_schema().map(|l| (n.to_string(), wire::schema(l))))
                .collect(),
            data_source_schemas: framework
                .data_sources()
                .iter()
                .map(|(n, d)| (n.to_string(), wire::schema(d.source.schema())))
                .collect(),
            action_schemas: framework
                .actions()
                .iter()
                .map(|(n, a)| (n.to_string(), wire::action_schema(a.action.schema())))
                .collect(),
            server_capabilities: Some(capabilities()),
            ..Default::default()
        };
        ProviderService { provider_type: provider.schema().value_type(), framework, schema_response }
    }

    fn provider(&self) -> &P {
        self.framework.provider()
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
        each_sensitive_string(block, &v, &mut |s| self.provider().sensitive_value(s));
        Ok(v)
    }

    /// Diagnostics as they leave the process: through the provider's [`Provider::scrub`].
    fn diagnostics(&self, d: Diagnostics) -> Vec<pb::Diagnostic> {
        let mut out = wire::diagnostics(d);
        for d in &mut out {
            d.summary = self.provider().scrub(&d.summary);
            d.detail = self.provider().scrub(&d.detail);
        }
        out
    }

    fn diag(&self, d: Diagnostic) -> Vec<pb::Diagnostic> {
        self.diagnostics(d.into())
    }
}

fn capabilities() -> pb::ServerCapabilities {
    // The schema never changes within a release, so core may reuse a cached one instead of asking
    // every provider process again.
    // `generate_resource_config`: core (1.14+) asks GenerateResourceConfig for the configuration
    // it writes with `-generate-config-out`, rather than filtering the state itself.
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        generate_resource_config: true,
        ..Default::default()
    }
}

fn caps(c: Option<&pb::ClientCapabilities>) -> ClientCapabilities {
    c.map(|c| ClientCapabilities {
        deferral_allowed: c.deferral_allowed,
        write_only_attributes_allowed: c.write_only_attributes_allowed,
    })
    .unwrap_or_default()
}

/// A state (write-only values already null) in the resource's type.
fn encode_state<D: Sync>(served: &Served<D>, state: &Value) -> Result<Option<pb::DynamicValue>, Diagnostic> {
    encode(state, &served.ty).map(Some)
}

/// An identity the framework produced, in the resource's identity type.
fn encode_identity<D: Sync>(
    served: &Served<D>,
    identity: Option<&Value>,
) -> Result<Option<pb::ResourceIdentityData>, Diagnostic> {
    let (Some(ty), Some(identity)) = (&served.identity_ty, identity) else { return Ok(None) };
    Ok(Some(pb::ResourceIdentityData { identity_data: Some(encode(identity, ty)?) }))
}

type Rpc<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl<P: Provider> ProviderRpc for ProviderService<P> {
    async fn get_metadata(&self, _: Request<pb::get_metadata::Request>) -> Rpc<pb::get_metadata::Response> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            resources: self
                .framework
                .resources()
                .keys()
                .map(|n| pb::get_metadata::ResourceMetadata { type_name: n.to_string() })
                .collect(),
            data_sources: self
                .framework
                .data_sources()
                .keys()
                .map(|n| pb::get_metadata::DataSourceMetadata { type_name: n.to_string() })
                .collect(),
            list_resources: self
                .framework
                .resources()
                .iter()
                .filter(|(_, s)| s.list_ty.is_some())
                .map(|(n, _)| pb::get_metadata::ListResourceMetadata { type_name: n.to_string() })
                .collect(),
            actions: self
                .framework
                .actions()
                .keys()
                .map(|n| pb::get_metadata::ActionMetadata { type_name: n.to_string() })
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
        let block = &self.provider().schema().block;
        let diagnostics =
            match self.decode_seen(req.config.as_ref(), &self.provider_type, block, "provider configuration") {
                Ok(config) => self.diagnostics(self.framework.validate_provider(config)),
                Err(d) => self.diag(d),
            };
        Ok(Response::new(pb::validate_provider_config::Response { diagnostics }))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Rpc<pb::validate_resource_config::Response> {
        let req = req.into_inner();
        let result = self.framework.resource(&req.type_name).and_then(|s| {
            let config = self.decode_seen(req.config.as_ref(), &s.ty, s.block(), "resource configuration")?;
            Ok(self.framework.validate_resource(s, config, caps(req.client_capabilities.as_ref())))
        });
        let diagnostics = result.map_or_else(|d| self.diag(d), |d| self.diagnostics(d));
        Ok(Response::new(pb::validate_resource_config::Response { diagnostics }))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Rpc<pb::validate_data_resource_config::Response> {
        let req = req.into_inner();
        let result = self.framework.data_source(&req.type_name).and_then(|d| {
            let config = self.decode_seen(req.config.as_ref(), &d.ty, d.block(), "data source configuration")?;
            Ok(self.framework.validate_data_source(d, config))
        });
        let diagnostics = result.map_or_else(|d| self.diag(d), |d| self.diagnostics(d));
        Ok(Response::new(pb::validate_data_resource_config::Response { diagnostics }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Rpc<pb::upgrade_resource_state::Response> {
        let req = req.into_inner();
        let result = self.framework.resource(&req.type_name).and_then(|s| {
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
            each_sensitive_string(s.block(), &state, &mut |v| self.provider().sensitive_value(v));
            encode_state(s, &self.framework.upgrade_state(s, state))
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
            .framework
            .resources()
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
        let result = self.framework.resource(&req.type_name).and_then(|s| {
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
        let block = &self.provider().schema().block;
        let diagnostics =
            match self.decode_seen(req.config.as_ref(), &self.provider_type, block, "provider configuration") {
                Ok(config) => self.diagnostics(self.framework.configure(config, req.terraform_version).await),
                Err(d) => self.diag(d),
            };
        Ok(Response::new(pb::configure_provider::Response { diagnostics }))
    }

    async fn read_resource(&self, req: Request<pb::read_resource::Request>) -> Rpc<pb::read_resource::Response> {
        let req = req.into_inner();
        let result = async {
            let s = self.framework.resource(&req.type_name)?;
            let current = self.decode_seen(req.current_state.as_ref(), &s.ty, s.block(), "current state")?;
            let NewState { stored, private, diagnostics } = self.framework.read(s, current, req.private).await;
            Ok::<_, Diagnostic>(pb::read_resource::Response {
                new_identity: encode_identity(s, stored.identity.as_ref())?,
                new_state: encode_state(s, &stored.state)?,
                private,
                diagnostics: self.diagnostics(diagnostics),
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
            let s = self.framework.resource(&req.type_name)?;
            let block = s.block();
            let proposed = self.decode_seen(req.proposed_new_state.as_ref(), &s.ty, block, "proposed new state")?;
            let change = Change {
                proposed,
                prior: self.decode_seen(req.prior_state.as_ref(), &s.ty, block, "prior state")?,
                config: self.decode_seen(req.config.as_ref(), &s.ty, block, "configuration")?,
                private: req.prior_private,
                caps: caps(req.client_capabilities.as_ref()),
            };
            let planned = self.framework.plan(s, change).await;
            Ok::<_, Diagnostic>(pb::plan_resource_change::Response {
                planned_identity: encode_identity(s, planned.stored.identity.as_ref())?,
                planned_state: encode_state(s, &planned.stored.state)?,
                requires_replace: planned.requires_replace.iter().map(wire::path).collect(),
                planned_private: planned.private,
                diagnostics: self.diagnostics(planned.diagnostics),
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
            let s = self.framework.resource(&req.type_name)?;
            let block = s.block();
            let prior = self.decode_seen(req.prior_state.as_ref(), &s.ty, block, "prior state")?;
            let planned = self.decode_seen(req.planned_state.as_ref(), &s.ty, block, "planned state")?;
            let config = self.decode_seen(req.config.as_ref(), &s.ty, block, "configuration")?;
            let NewState { stored, private, diagnostics } =
                self.framework.apply(s, prior, planned, config, req.planned_private).await;
            Ok::<_, Diagnostic>(pb::apply_resource_change::Response {
                new_identity: encode_identity(s, stored.identity.as_ref())?,
                new_state: encode_state(s, &stored.state)?,
                private,
                diagnostics: self.diagnostics(diagnostics),
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
            let s = self.framework.resource(&req.type_name)?;
            let identity = match (&s.identity_ty, req.identity.as_ref().and_then(|i| i.identity_data.as_ref())) {
                (Some(ty), Some(dv)) => decode(Some(dv), ty, "import identity")?,
                _ => Value::Null,
            };
            let imported = self.framework.import(s, &req.id, identity).await;
            let mut imported_resources = Vec::new();
            for Stored { state, identity } in imported.objects {
                imported_resources.push(pb::import_resource_state::ImportedResource {
                    type_name: req.type_name.clone(),
                    identity: encode_identity(s, identity.as_ref())?,
                    state: encode_state(s, &state)?,
                    private: Vec::new(),
                });
            }
            Ok::<_, Diagnostic>(pb::import_resource_state::Response {
                imported_resources,
                diagnostics: self.diagnostics(imported.diagnostics),
                ..Default::default()
            })
        };
        Ok(Response::new(result.await.unwrap_or_else(|d| pb::import_resource_state::Response {
            diagnostics: self.diag(d),
            ..Default::default()
        })))
    }

    async fn generate_resource_config(
        &self,
        req: Request<pb::generate_resource_config::Request>,
    ) -> Rpc<pb::generate_resource_config::Response> {
        let req = req.into_inner();
        let result = (|| {
            let s = self.framework.resource(&req.type_name)?;
            let state = self.decode_seen(req.state.as_ref(), &s.ty, s.block(), "state")?;
            let generated = self.framework.generate_config(s, state);
            Ok::<_, Diagnostic>(pb::generate_resource_config::Response {
                config: Some(encode(&generated.config, &s.ty)?),
                diagnostics: self.diagnostics(generated.diagnostics),
            })
        })();
        Ok(Response::new(
            result
                .unwrap_or_else(|d| pb::generate_resource_config::Response { config: None, diagnostics: self.diag(d) }),
        ))
    }

    async fn move_resource_state(
        &self,
        _: Request<pb::move_resource_state::Request>,
    ) -> Rpc<pb::move_resource_state::Response> {
        let d = Diagnostic::error(
            "Move not supported",
            format!("The {} provider cannot move state from other resource types.", self.provider().type_name()),
        );
        Ok(Response::new(pb::move_resource_state::Response { diagnostics: self.diag(d), ..Default::default() }))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Rpc<pb::read_data_source::Response> {
        let req = req.into_inner();
        let result = async {
            let d = self.framework.data_source(&req.type_name)?;
            let config = self.decode_seen(req.config.as_ref(), &d.ty, d.block(), "data source configuration")?;
            let read = self.framework.read_data_source(d, config).await;
            Ok::<_, Diagnostic>(pb::read_data_source::Response {
                state: Some(encode(&read.state, &d.ty)?),
                diagnostics: self.diagnostics(read.diagnostics),
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
        let result = self.framework.list_resource(&req.type_name).and_then(|(s, ty)| {
            let config = decode(req.config.as_ref(), ty, "list configuration")?;
            Ok(self.framework.validate_list(s, &config))
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
            let (s, ty) = self.framework.list_resource(&req.type_name)?;
            let config = decode(req.config.as_ref(), ty, "list configuration")?;
            let limit = if req.limit > 0 { req.limit as usize } else { usize::MAX };
            let listed = match self.framework.list(s, config, limit).await {
                Ok(listed) => listed,
                Err(diags) => {
                    return Ok(vec![pb::list_resource::Event {
                        diagnostic: self.diagnostics(diags),
                        ..Default::default()
                    }])
                }
            };
            let mut events = Vec::new();
            for item in listed {
                events.push(pb::list_resource::Event {
                    identity: encode_identity(s, item.stored.identity.as_ref())?,
                    display_name: item.display_name,
                    resource_object: if req.include_resource_object {
                        encode_state(s, &item.stored.state)?
                    } else {
                        None
                    },
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
                text: format!("The {} provider has no function {name:?}.", self.provider().type_name()),
                function_argument: None,
            }),
        }))
    }

    async fn validate_action_config(
        &self,
        req: Request<pb::validate_action_config::Request>,
    ) -> Rpc<pb::validate_action_config::Response> {
        let req = req.into_inner();
        let result = self.framework.action(&req.type_name).and_then(|a| {
            let config = self.decode_seen(req.config.as_ref(), &a.ty, a.block(), "action configuration")?;
            Ok(self.framework.validate_action(a, config))
        });
        let diagnostics = result.map_or_else(|d| self.diag(d), |d| self.diagnostics(d));
        Ok(Response::new(pb::validate_action_config::Response { diagnostics }))
    }

    async fn plan_action(&self, req: Request<pb::plan_action::Request>) -> Rpc<pb::plan_action::Response> {
        let req = req.into_inner();
        let result = async {
            let a = self.framework.action(&req.action_type)?;
            let config = self.decode_seen(req.config.as_ref(), &a.ty, a.block(), "action configuration")?;
            Ok::<_, Diagnostic>(self.framework.plan_action(a, config, caps(req.client_capabilities.as_ref())).await)
        };
        let diagnostics = result.await.map_or_else(|d| self.diag(d), |d| self.diagnostics(d));
        Ok(Response::new(pb::plan_action::Response { diagnostics, deferred: None }))
    }

    /// Runs the invocation in a task of its own, so each progress message reaches Terraform as
    /// it is reported; the stream ends with one `Completed` event carrying the diagnostics. Both
    /// pass through the provider's scrub.
    async fn invoke_action(
        &self,
        req: Request<pb::invoke_action::Request>,
    ) -> Rpc<tonic::codegen::BoxStream<pb::invoke_action::Event>> {
        use pb::invoke_action::event::{Completed, Progress as ProgressEvent, Type};
        let req = req.into_inner();
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<pb::invoke_action::Event>();
        let completed =
            |diagnostics| pb::invoke_action::Event { r#type: Some(Type::Completed(Completed { diagnostics })) };
        let started = self.framework.action(&req.action_type).and_then(|a| {
            let config = self.decode_seen(req.config.as_ref(), &a.ty, a.block(), "action configuration")?;
            let (provider, progress_tx) = (self.framework.shared_provider(), tx.clone());
            let progress = Progress::new(move |message| {
                let message = provider.scrub(&message);
                let _ = progress_tx
                    .send(pb::invoke_action::Event { r#type: Some(Type::Progress(ProgressEvent { message })) });
            });
            Ok(self.framework.invocation(a, config, progress))
        });
        match started {
            Err(d) => {
                let _ = tx.send(completed(self.diag(d)));
            }
            Ok(invocation) => {
                let provider = self.framework.shared_provider();
                tokio::spawn(async move {
                    let diagnostics = invocation.await;
                    let mut out = wire::diagnostics(diagnostics);
                    for d in &mut out {
                        d.summary = provider.scrub(&d.summary);
                        d.detail = provider.scrub(&d.detail);
                    }
                    let _ = tx.send(completed(out));
                });
            }
        }
        let events = tokio_stream::wrappers::UnboundedReceiverStream::new(rx);
        Ok(Response::new(Box::pin(tokio_stream::StreamExt::map(events, Ok))))
    }

    async fn stop_provider(&self, _: Request<pb::stop_provider::Request>) -> Rpc<pb::stop_provider::Response> {
        self.provider().stop().await;
        Ok(Response::new(pb::stop_provider::Response::default()))
    }
}
