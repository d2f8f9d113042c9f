//! The framework's part of actions: dispatch, the schema's validators before the action's own,
//! plan with unknowns and before configure, invoke only with a wholly known configuration and a
//! configured provider, progress in order; and, through the gRPC service, the stream of events
//! ending in one completion, scrubbed as diagnostics are.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tokio_stream::StreamExt;

use super::*;
use crate::proto::tfplugin6 as pb;
use crate::proto::tfplugin6::provider_server::Provider as _;
use crate::schema::{Attribute, Schema};
use crate::server::ProviderService;
use crate::validators::NotBlank;

/// An action that records what it was given, reports two steps and fails on `target = "bad"`.
struct Ping {
    schema: Schema,
    planned: Mutex<Vec<(Value, bool)>>,
    invoked: Mutex<Vec<Value>>,
}

impl Ping {
    fn new() -> Self {
        let block = Block::new("", vec![Attribute::string("target").required().validate(NotBlank)]);
        Ping { schema: Schema::new(0, block), planned: Mutex::default(), invoked: Mutex::default() }
    }
}

#[async_trait]
impl Action<String> for Ping {
    fn type_name(&self) -> &'static str {
        "example_ping"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, req: &ValidateRequest, resp: &mut ValidateResponse) {
        if req.config.get("target") == &Value::string("forbidden") {
            resp.diagnostics.error("Forbidden target", "not this one");
        }
    }

    async fn plan(&self, data: Option<&String>, req: &ActionPlanRequest, resp: &mut ActionPlanResponse) {
        self.planned.lock().unwrap().push((req.config.clone(), data.is_some()));
        if req.config.get("target") == &Value::string("doomed") {
            resp.diagnostics.error("Doomed", "known to fail at plan");
        }
    }

    async fn invoke(&self, data: &String, req: InvokeRequest, progress: &Progress, resp: &mut InvokeResponse) {
        self.invoked.lock().unwrap().push(req.config.clone());
        progress.report(format!("pinging with {data}"));
        progress.report("done pinging");
        if req.config.get("target") == &Value::string("bad") {
            resp.diagnostics.error("Ping failed", format!("the secret {data} was refused"));
        }
    }
}

/// A provider serving only the action; its data is a "secret" its scrub masks.
struct Pinger {
    schema: Schema,
    ping: Arc<Ping>,
}

#[async_trait]
impl Provider for Pinger {
    type Data = String;

    fn type_name(&self) -> &'static str {
        "example"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn configure(&self, _: ConfigureRequest, resp: &mut ConfigureResponse<String>) {
        resp.data = Ok("s3cret".into());
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<String>>> {
        Vec::new()
    }

    fn actions(&self) -> Vec<Arc<dyn Action<String>>> {
        vec![self.ping.clone()]
    }

    fn scrub(&self, text: &str) -> String {
        text.replace("s3cret", "***")
    }
}

fn pinger() -> (Pinger, Arc<Ping>) {
    let ping = Arc::new(Ping::new());
    (Pinger { schema: Schema::new(0, Block::default()), ping: ping.clone() }, ping)
}

fn config(target: Value) -> Value {
    Value::object([("target", target)])
}

fn summaries(d: &Diagnostics) -> Vec<&str> {
    d.0.iter().map(|d| d.summary.as_str()).collect()
}

#[test]
fn actions_are_dispatched_by_type_name() {
    let (p, _) = pinger();
    let fw = Framework::new(p);
    assert!(fw.action("example_ping").is_ok());
    let err = fw.action("example_pong").err().unwrap();
    assert_eq!(err.summary, "Unknown action");
    assert_eq!(err.detail, "The example provider has no action \"example_pong\".");
}

#[test]
fn validate_runs_the_schema_s_validators_then_the_action_s() {
    let (p, _) = pinger();
    let fw = Framework::new(p);
    let a = fw.action("example_ping").unwrap();
    assert!(fw.validate_action(a, config(Value::string("x"))).is_empty());
    assert!(fw.validate_action(a, config(Value::Unknown)).is_empty(), "unknown at validate is fine");
    assert!(fw.validate_action(a, config(Value::string(" "))).has_errors());
    assert_eq!(summaries(&fw.validate_action(a, config(Value::string("forbidden")))), ["Forbidden target"]);
}

#[tokio::test]
async fn plan_hands_unknowns_to_the_action_with_or_without_configure() {
    let (p, ping) = pinger();
    let fw = Framework::new(p);
    let a = fw.action("example_ping").unwrap();
    assert!(fw.plan_action(a, config(Value::Unknown), ClientCapabilities::default()).await.is_empty());
    assert!(fw.configure(Value::Null, "1.14.0".into()).await.is_empty());
    let doomed = fw.plan_action(a, config(Value::string("doomed")), ClientCapabilities::default()).await;
    assert_eq!(summaries(&doomed), ["Doomed"]);
    assert_eq!(
        *ping.planned.lock().unwrap(),
        [(config(Value::Unknown), false), (config(Value::string("doomed")), true)]
    );
}

#[tokio::test]
async fn invoke_reports_progress_in_order_and_ends_with_the_diagnostics() {
    let (p, ping) = pinger();
    let fw = Framework::new(p);
    let a = fw.action("example_ping").unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let progress = Progress::new(move |m| sink.lock().unwrap().push(m));

    // Before configure: an error, and the action is not called.
    let d = fw.invocation(a, config(Value::string("x")), progress.clone()).await;
    assert_eq!(summaries(&d), ["Provider not configured"]);
    assert!(ping.invoked.lock().unwrap().is_empty());

    fw.configure(Value::Null, "1.14.0".into()).await;
    // An unknown value never reaches the action.
    let d = fw.invocation(a, config(Value::Unknown), progress.clone()).await;
    assert_eq!(summaries(&d), ["Action configuration not known"]);
    assert!(ping.invoked.lock().unwrap().is_empty());

    assert!(fw.invocation(a, config(Value::string("x")), progress.clone()).await.is_empty());
    let d = fw.invocation(a, config(Value::string("bad")), progress).await;
    assert_eq!(summaries(&d), ["Ping failed"]);
    assert_eq!(*seen.lock().unwrap(), ["pinging with s3cret", "done pinging", "pinging with s3cret", "done pinging"]);
}

fn msgpack(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(crate::wire::encode(v, ty).unwrap())
}

/// What the stream of one InvokeAction carried: progress messages, then the completion's
/// diagnostics (summary: detail), which must be last and alone.
async fn invoke(service: &ProviderService<Pinger>, action_type: &str, target: &str) -> (Vec<String>, Vec<String>) {
    let ty = Ping::new().schema.value_type();
    let req = pb::invoke_action::Request {
        action_type: action_type.into(),
        config: msgpack(&config(Value::string(target)), &ty),
        client_capabilities: None,
    };
    let events: Vec<_> = service.invoke_action(tonic::Request::new(req)).await.unwrap().into_inner().collect().await;
    let mut progress = Vec::new();
    let mut completed = None;
    for e in events {
        assert!(completed.is_none(), "an event after the completion");
        match e.unwrap().r#type.unwrap() {
            pb::invoke_action::event::Type::Progress(p) => progress.push(p.message),
            pb::invoke_action::event::Type::Completed(c) => {
                completed = Some(c.diagnostics.iter().map(|d| format!("{}: {}", d.summary, d.detail)).collect())
            }
        }
    }
    (progress, completed.expect("a completion"))
}

#[tokio::test]
async fn the_service_streams_progress_then_one_scrubbed_completion() {
    let (p, _) = pinger();
    let service = ProviderService::new(p);
    let configured = service
        .configure_provider(tonic::Request::new(pb::configure_provider::Request {
            terraform_version: "1.14.0".into(),
            config: msgpack(&Value::Null, &Schema::new(0, Block::default()).value_type()),
            client_capabilities: None,
        }))
        .await
        .unwrap();
    assert!(configured.into_inner().diagnostics.is_empty());

    let (progress, diags) = invoke(&service, "example_ping", "bad").await;
    assert_eq!(progress, ["pinging with ***", "done pinging"]);
    assert_eq!(diags, ["Ping failed: the secret *** was refused"]);

    let (progress, diags) = invoke(&service, "example_ping", "x").await;
    assert_eq!((progress.len(), diags.len()), (2, 0));

    let (progress, diags) = invoke(&service, "example_nothing", "x").await;
    assert!(progress.is_empty());
    assert_eq!(diags, ["Unknown action: The example provider has no action \"example_nothing\"."]);

    // Served in the metadata and the schema, for cores that ask (1.14+).
    let meta = service.get_metadata(tonic::Request::new(pb::get_metadata::Request {})).await.unwrap().into_inner();
    assert_eq!(meta.actions, [pb::get_metadata::ActionMetadata { type_name: "example_ping".into() }]);
    let schema = service.get_provider_schema(tonic::Request::new(pb::get_provider_schema::Request {})).await.unwrap();
    let block = schema.into_inner().action_schemas["example_ping"].schema.clone().unwrap().block.unwrap();
    assert_eq!(block.attributes[0].name, "target");
}
