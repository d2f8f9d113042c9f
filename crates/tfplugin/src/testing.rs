//! Helpers for providers' unit tests: plan the way Terraform core and this framework do, without
//! a gRPC round trip, so a resource's plan logic is tested with what it would really be given.

use std::collections::BTreeMap;

use super::plan;
use super::resource::{ClientCapabilities, PlanRequest, PlanResponse};
use super::schema::{AttributeKind, Block};
use super::value::Value;

/// Plans a change from `prior` (null on create) to `config` (null on destroy) as PlanResourceChange
/// would: core's proposal, write-only values nulled, the schema's defaults, then `modify` (the
/// resource's `modify_plan` logic), then unknown computed values and replacements.
pub fn plan(
    block: &Block,
    prior: Value,
    config: Value,
    modify: impl FnOnce(&PlanRequest, &mut PlanResponse),
) -> PlanResponse {
    let mut proposed = propose(block, &prior, &config);
    plan::null_write_only(block, &mut proposed);
    let req = PlanRequest { prior, config, private: Vec::new(), caps: ClientCapabilities::default() };
    let mut resp = PlanResponse::default();
    resp.planned = plan::prepare(block, proposed, &req.prior, &req.config, &mut resp.diagnostics);
    modify(&req, &mut resp);
    plan::finish(block, &req.prior, &mut resp.planned, &mut resp.requires_replace);
    resp
}

/// What Terraform core proposes as the new state: the configuration, with each computed attribute
/// the configuration leaves null taken from the prior state.
fn propose(block: &Block, prior: &Value, config: &Value) -> Value {
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
