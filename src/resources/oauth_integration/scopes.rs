//! How `config.scopes` is planned, as plan modifiers on the attribute: the template's default
//! scopes when the configuration leaves them out, and a scope list that holds the same set as the
//! state planned as the state's string, so reordering or re-spacing scopes is no change.

use crate::connect::same_scopes;
use crate::template_catalogue as catalogue;
use tfplugin::diag::Diagnostics;
use tfplugin::plan_modifiers::{AttributePlan, PlanModifier};
use tfplugin::value::Value;

/// Whether the plan makes a new object: a create, or another template, which replaces the
/// integration.
fn makes_new_object(req: &AttributePlan<'_>) -> bool {
    let (prior, config) = (req.resource_prior, req.resource_config);
    // A plan modifier is handed whole values: the one attribute it needs, read by name.
    prior.is_null() || prior.get("template") != config.get("template")
}

/// The scopes of the prior state when the plan keeps the object; null when it makes a new one.
fn prior_scopes<'a>(req: &AttributePlan<'a>) -> &'a Value {
    if makes_new_object(req) {
        &Value::Null
    } else {
        req.prior
    }
}

/// Scopes left out of the configuration: the template's defaults (which the provider sends);
/// for a template without defaults, the state's scopes (the server's), or unknown on a new
/// object, since the server may fill some in.
#[derive(Debug)]
pub(crate) struct DefaultScopes;

impl PlanModifier for DefaultScopes {
    fn modify(&self, req: &AttributePlan<'_>, planned: &mut Value, _diags: &mut Diagnostics) {
        if !req.config.is_null() {
            return;
        }
        // As in `makes_new_object`: the one attribute needed, read by name.
        let template = req.resource_config.get("template");
        let default = template.as_str().and_then(catalogue::find).and_then(|t| t.default_scopes);
        *planned = match default {
            Some(scopes) => Value::string(scopes),
            None if template.is_unknown() => Value::Unknown,
            None => match prior_scopes(req) {
                prior @ Value::String(_) => prior.clone(),
                _ if makes_new_object(req) => Value::Unknown,
                _ => Value::Null,
            },
        };
    }
}

/// A planned scope list holding the same set as the state's is planned as the state's string.
#[derive(Debug)]
pub(crate) struct ScopeSetEquality;

impl PlanModifier for ScopeSetEquality {
    fn modify(&self, req: &AttributePlan<'_>, planned: &mut Value, _diags: &mut Diagnostics) {
        if let (Some(new), Some(old)) = (planned.as_str(), prior_scopes(req).as_str()) {
            if same_scopes(new, old) {
                *planned = Value::string(old);
            }
        }
    }
}
