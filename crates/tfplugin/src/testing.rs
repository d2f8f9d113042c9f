//! Helpers for providers' unit tests: plan the way Terraform core and this framework do, without
//! a gRPC round trip, so a resource's plan logic is tested with what it would really be given.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use super::resource::{ClientCapabilities, GenerateConfigRequest, GenerateConfigResponse, PlanRequest, PlanResponse};
use super::schema::{AttributeKind, Block};
use super::server::framework::{generate_config as generate, plan_change, Change};
use super::value::Value;

/// Plans a change from `prior` (null on create) to `config` (null on destroy) as PlanResourceChange
/// would: core's proposal, then the framework's planning sequence (the very function the server
/// runs) with `modify` as the resource's `modify_plan` and no removal check.
pub fn plan(
    block: &Block,
    prior: Value,
    config: Value,
    modify: impl FnOnce(&PlanRequest, &mut PlanResponse),
) -> PlanResponse {
    let proposed = propose(block, &prior, &config);
    let change = Change { prior, config, proposed, private: Vec::new(), caps: ClientCapabilities::default() };
    let planning = pin!(plan_change(block, change, async |req, resp| modify(req, resp), async |_, _| {}));
    // Nothing in it waits (`modify` is synchronous), so one poll finishes it, with no runtime.
    match planning.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(resp) => resp,
        Poll::Pending => unreachable!("planning with synchronous steps never waits"),
    }
}

/// The configuration GenerateResourceConfig answers for `state`, as the server generates it: the
/// framework's generic answer, `refine` as the resource's `generate_config`, then what the
/// framework enforces (see [`crate::generate`]).
pub fn generate_config(
    block: &Block,
    state: Value,
    refine: impl FnOnce(&GenerateConfigRequest, &mut GenerateConfigResponse),
) -> GenerateConfigResponse {
    generate(block, state, refine)
}

/// What Terraform core proposes as the new state: the configuration, with each computed attribute
/// the configuration leaves null taken from the prior state.
pub(crate) fn propose(block: &Block, prior: &Value, config: &Value) -> Value {
    if config.is_null() || config.is_unknown() {
        return config.clone();
    }
    let mut out = BTreeMap::new();
    for attr in &block.attributes {
        let (p, c) = (prior.get(&attr.name), config.get(&attr.name));
        let v = match &attr.kind {
            _ if attr.computed && c.is_null() => p.clone(),
            AttributeKind::Single(nested) => propose(nested, p, c),
            _ => c.clone(),
        };
        out.insert(attr.name.clone(), v);
    }
    Value::Object(out)
}
