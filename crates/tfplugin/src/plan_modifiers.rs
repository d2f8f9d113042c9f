//! Plan modifiers: behaviour attached to one attribute, run by the framework at every plan that
//! creates or changes an object, so a resource states a rule once, on the attribute it is about,
//! instead of in its own planning code. Named after terraform-plugin-framework's.

use std::fmt::Debug;

use super::diag::{AttributePath, Diagnostics};
use super::value::Value;

/// One attribute's part of a plan.
#[derive(Debug)]
pub struct AttributePlan<'a> {
    /// Where the attribute is (`config.scopes`).
    pub path: &'a AttributePath,
    /// Its configured value (null when left out, unknown until apply).
    pub config: &'a Value,
    /// Its value in the prior state (null on create).
    pub prior: &'a Value,
    /// The whole configuration, for rules that follow another attribute.
    pub resource_config: &'a Value,
    /// The whole prior state (null on create).
    pub resource_prior: &'a Value,
}

/// A rule about how an attribute is planned. Every method has a default that does nothing, so
/// a modifier implements only what it is about.
pub trait PlanModifier: Send + Sync + Debug {
    /// Adjusts the attribute's planned value: after the schema's defaults, before the resource's
    /// `modify_plan` and before the framework plans changing computed values unknown (so a
    /// modifier that keeps the prior value keeps the plan empty). Modifiers run in the order
    /// they were attached.
    fn modify(&self, _req: &AttributePlan<'_>, _planned: &mut Value, _diags: &mut Diagnostics) {}

    /// Whether a computed value keeps its prior value where the framework would plan it unknown
    /// because the object changes (a guid that never changes once assigned).
    fn keeps_prior_state(&self) -> bool {
        false
    }

    /// Whether planning `planned` over `prior` replaces the object instead of updating it.
    fn requires_replace(&self, _prior: &Value, _planned: &Value) -> bool {
        false
    }

    /// Whether this modifier's [`modify`](PlanModifier::modify) plans a computed value itself
    /// (derived from the configuration, such as the names of a configured map's keys): the
    /// framework then keeps what was planned where it would otherwise plan the value unknown
    /// because the object changes, and the resource's apply must give exactly that value.
    fn plans_value(&self) -> bool {
        false
    }
}

/// A computed value that does not change once set (a guid): the prior value is planned instead
/// of unknown when the object is updated.
#[derive(Clone, Copy, Debug)]
pub struct UseStateForUnknown;

impl PlanModifier for UseStateForUnknown {
    fn keeps_prior_state(&self) -> bool {
        true
    }
}

/// Changing the attribute replaces the remote object.
#[derive(Clone, Copy, Debug)]
pub struct RequiresReplace;

impl PlanModifier for RequiresReplace {
    fn requires_replace(&self, prior: &Value, planned: &Value) -> bool {
        prior != planned
    }
}
