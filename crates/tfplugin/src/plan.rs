//! The generic half of planning and validation, driven by the schema: defaults, validators,
//! unknown computed values, requires-replace, write-only nulling. A resource adds its own rules
//! (semantic equality, values derived from other attributes) between these steps, in
//! [`Resource::modify_plan`](crate::resource::Resource::modify_plan); the framework runs them
//! all (see [the crate's guide](crate#one-plan-through-the-framework)). What is left public is
//! for a resource's apply: [`fill_unknowns`].

use super::diag::{AttributePath, Diagnostics};
use super::plan_modifiers::AttributePlan;
use super::resource::{ClientCapabilities, Removal};
use super::schema::{AttributeKind, Block};
use super::value::Value;

/// Runs every attribute's validators over the known, non-null values of a configuration.
pub(crate) fn validate_config(block: &Block, config: &Value, diags: &mut Diagnostics) {
    validate_block(block, config, &AttributePath::default(), diags);
}

fn validate_block(block: &Block, config: &Value, base: &AttributePath, diags: &mut Diagnostics) {
    for attr in &block.attributes {
        let path = base.attr(&attr.name);
        let value = config.get(&attr.name);
        if value.is_unknown() || value.is_null() {
            continue;
        }
        for v in &attr.validators {
            v.validate(&path, value, diags);
        }
        if let AttributeKind::Single(nested) = &attr.kind {
            validate_block(nested, value, &path, diags);
        }
    }
}

/// The framework's plan before the resource's `modify_plan`: core's proposal (write-only values
/// already null) with the schema's defaults, then each attribute's plan modifiers; null on
/// destroy.
pub(crate) fn prepare(block: &Block, proposed: Value, prior: &Value, config: &Value, diags: &mut Diagnostics) -> Value {
    if proposed.is_null() {
        return Value::Null;
    }
    let mut planned = proposed;
    apply_defaults(block, &mut planned, config);
    let roots = Roots { prior, config };
    run_modifiers(block, &mut planned, prior, config, &AttributePath::default(), &roots, diags);
    planned
}

/// The whole prior state and configuration, which every modifier may consult.
struct Roots<'a> {
    prior: &'a Value,
    config: &'a Value,
}

fn run_modifiers(
    block: &Block,
    planned: &mut Value,
    prior: &Value,
    config: &Value,
    base: &AttributePath,
    roots: &Roots<'_>,
    diags: &mut Diagnostics,
) {
    let Value::Object(attrs) = planned else { return };
    for attr in &block.attributes {
        let Some(value) = attrs.get_mut(&attr.name) else { continue };
        let path = base.attr(&attr.name);
        let (prior_v, config_v) = (prior.get(&attr.name), config.get(&attr.name));
        if !attr.modifiers.is_empty() {
            let req = AttributePlan {
                path: &path,
                config: config_v,
                prior: prior_v,
                resource_config: roots.config,
                resource_prior: roots.prior,
            };
            for m in &attr.modifiers {
                m.modify(&req, value, diags);
            }
        }
        if let AttributeKind::Single(nested) = &attr.kind {
            run_modifiers(nested, value, prior_v, config_v, &path, roots, diags);
        }
    }
}

/// The framework's plan after the resource's `modify_plan`: computed values unknown where the
/// object changes (see [`mark_computed_unknown`]), and the `RequiresReplace` attributes that
/// change added to the resource's own list.
pub(crate) fn finish(block: &Block, prior: &Value, planned: &mut Value, requires_replace: &mut Vec<AttributePath>) {
    if planned.is_null() {
        return;
    }
    mark_computed_unknown(block, prior, planned);
    for path in self::requires_replace(block, prior, planned) {
        if !requires_replace.contains(&path) {
            requires_replace.push(path);
        }
    }
}

/// Whether a finished plan takes an existing object away: destroys it (planned null) or
/// replaces it (attributes that require replacement change); `None` for a create, an update
/// in place or no change.
pub(crate) fn removal(prior: &Value, planned: &Value, requires_replace: &[AttributePath]) -> Option<Removal> {
    if prior.is_null() {
        None
    } else if planned.is_null() {
        Some(Removal::Destroy)
    } else if !requires_replace.is_empty() {
        Some(Removal::Replace(requires_replace.to_vec()))
    } else {
        None
    }
}

/// Sets each defaulted attribute that the configuration leaves null to its default.
pub(crate) fn apply_defaults(block: &Block, planned: &mut Value, config: &Value) {
    let Value::Object(attrs) = planned else { return };
    for attr in &block.attributes {
        let cfg = config.get(&attr.name);
        match (&attr.kind, &attr.default) {
            (_, Some(default)) if cfg.is_null() => {
                attrs.insert(attr.name.clone(), default.clone());
            }
            (AttributeKind::Single(nested), _) => {
                if let Some(v) = attrs.get_mut(&attr.name) {
                    apply_defaults(nested, v, cfg);
                }
            }
            _ => {}
        }
    }
}

/// On create, or on an update that changes anything, plans each Computed-only attribute as
/// unknown (the server will set it), except `UseStateForUnknown` ones, which keep a known prior
/// value, and those a modifier plans itself ([`PlanModifier::plans_value`]), which keep what it
/// planned. Optional + Computed attributes are left to the resource, which derives them.
///
/// [`PlanModifier::plans_value`]: crate::plan_modifiers::PlanModifier::plans_value
pub(crate) fn mark_computed_unknown(block: &Block, prior: &Value, planned: &mut Value) {
    if !prior.is_null() && planned == prior {
        return;
    }
    mark_block(block, prior, planned);
}

fn mark_block(block: &Block, prior: &Value, planned: &mut Value) {
    let Value::Object(attrs) = planned else { return };
    for attr in &block.attributes {
        let prior_v = prior.get(&attr.name);
        if attr.computed && !attr.optional && !attr.required && !attr.plans_own_value() {
            let keep = attr.keeps_prior_state() && !prior_v.is_null() && !prior_v.is_unknown();
            attrs.insert(attr.name.clone(), if keep { prior_v.clone() } else { Value::Unknown });
        } else if let AttributeKind::Single(nested) = &attr.kind {
            if let Some(v) = attrs.get_mut(&attr.name) {
                mark_block(nested, prior_v, v);
            }
        }
    }
}

/// The attributes whose modifiers say the change from a non-null prior value replaces the object.
pub(crate) fn requires_replace(block: &Block, prior: &Value, planned: &Value) -> Vec<AttributePath> {
    let mut out = Vec::new();
    if !prior.is_null() && !planned.is_null() {
        collect_replace(block, prior, planned, &AttributePath::default(), &mut out);
    }
    out
}

fn collect_replace(block: &Block, prior: &Value, planned: &Value, base: &AttributePath, out: &mut Vec<AttributePath>) {
    for attr in &block.attributes {
        let path = base.attr(&attr.name);
        let (p, n) = (prior.get(&attr.name), planned.get(&attr.name));
        if attr.modifiers.iter().any(|m| m.requires_replace(p, n)) {
            out.push(path.clone());
        }
        if let AttributeKind::Single(nested) = &attr.kind {
            collect_replace(nested, p, n, &path, out);
        }
    }
}

/// Refuses write-only values when core cannot keep them out of state (Terraform and OpenTofu
/// before 1.11 do not send the capability): better a clear error than a secret in state.
pub(crate) fn check_write_only_allowed(
    block: &Block,
    config: &Value,
    caps: ClientCapabilities,
    diags: &mut Diagnostics,
) {
    if !caps.write_only_attributes_allowed {
        write_only_errors(block, config, &AttributePath::default(), diags);
    }
}

fn write_only_errors(block: &Block, config: &Value, base: &AttributePath, diags: &mut Diagnostics) {
    for attr in &block.attributes {
        let path = base.attr(&attr.name);
        let v = config.get(&attr.name);
        if attr.write_only && !v.is_null() {
            diags.attr_error(
                path.clone(),
                format!("{path} needs Terraform 1.11 or OpenTofu 1.11, or later"),
                format!(
                    "{path} is write-only: its value is never stored in state, which only Terraform 1.11+ and \
                     OpenTofu 1.11+ support. Upgrade, or use the attribute's plain counterpart."
                ),
            );
        } else if let AttributeKind::Single(nested) = &attr.kind {
            write_only_errors(nested, v, &path, diags);
        }
    }
}

/// Sets every write-only attribute to null: Terraform rejects a planned or new state holding one.
pub(crate) fn null_write_only(block: &Block, value: &mut Value) {
    let Value::Object(attrs) = value else { return };
    for attr in &block.attributes {
        if attr.write_only {
            attrs.insert(attr.name.clone(), Value::Null);
        } else if let AttributeKind::Single(nested) = &attr.kind {
            if let Some(v) = attrs.get_mut(&attr.name) {
                null_write_only(nested, v);
            }
        }
    }
}

/// The planned value with each unknown replaced by the value the remote object actually has.
/// Known planned values win: Terraform rejects an apply result that contradicts a known plan,
/// and any real difference shows up as drift at the next refresh.
pub fn fill_unknowns(planned: &Value, actual: &Value) -> Value {
    match (planned, actual) {
        (Value::Unknown, a) => a.clone(),
        (Value::Object(p), Value::Object(a)) => Value::Object(
            p.iter().map(|(k, v)| (k.clone(), fill_unknowns(v, a.get(k).unwrap_or(&Value::Null)))).collect(),
        ),
        (p, _) => p.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan_modifiers::{RequiresReplace, UseStateForUnknown};
    use crate::schema::Attribute;
    use crate::validators::NotBlank;

    fn block() -> Block {
        Block::new(
            "",
            vec![
                Attribute::string("guid").computed().plan_modifier(UseStateForUnknown),
                Attribute::string("updated").computed(),
                Attribute::string("template").required().plan_modifier(RequiresReplace),
                Attribute::string("name").required().validate(NotBlank),
                Attribute::string("description").default(Value::string("")),
                Attribute::single(
                    "config",
                    Block::new(
                        "",
                        vec![
                            Attribute::string("mode").optional().computed(),
                            Attribute::string("secret_wo").optional().write_only(),
                            Attribute::string("server_only").computed(),
                        ],
                    ),
                )
                .required(),
            ],
        )
    }

    fn obj(name: &str, desc: Value, guid: Value) -> Value {
        Value::object([
            ("guid", guid.clone()),
            ("updated", guid),
            ("template", Value::string("t")),
            ("name", Value::string(name)),
            ("description", desc),
            (
                "config",
                Value::object([("mode", Value::Null), ("secret_wo", Value::string("s")), ("server_only", Value::Null)]),
            ),
        ])
    }

    #[test]
    fn defaults_fill_null_config() {
        let config = obj("n", Value::Null, Value::Null);
        let mut planned = config.clone();
        apply_defaults(&block(), &mut planned, &config);
        assert_eq!(planned.get("description"), &Value::string(""));
    }

    #[test]
    fn create_marks_computed_unknown() {
        let mut planned = obj("n", Value::string(""), Value::Null);
        mark_computed_unknown(&block(), &Value::Null, &mut planned);
        assert!(planned.get("guid").is_unknown());
        assert!(planned.get("updated").is_unknown());
        assert!(planned.get("config").get("server_only").is_unknown());
        assert!(planned.get("config").get("mode").is_null(), "optional+computed is the resource's job");
    }

    #[test]
    fn unchanged_update_keeps_everything_known() {
        let prior = obj("n", Value::string(""), Value::string("g"));
        let mut planned = prior.clone();
        mark_computed_unknown(&block(), &prior, &mut planned);
        assert_eq!(planned, prior);
    }

    #[test]
    fn changed_update_keeps_guid_but_not_updated() {
        let prior = obj("n", Value::string(""), Value::string("g"));
        let mut planned = obj("m", Value::string(""), Value::string("g"));
        mark_computed_unknown(&block(), &prior, &mut planned);
        assert_eq!(planned.get("guid"), &Value::string("g"));
        assert!(planned.get("updated").is_unknown());
    }

    #[test]
    fn a_value_a_modifier_plans_itself_stays_planned() {
        #[derive(Debug)]
        struct FromConfig;
        impl crate::plan_modifiers::PlanModifier for FromConfig {
            fn plans_value(&self) -> bool {
                true
            }
        }
        let block = Block::new(
            "",
            vec![
                Attribute::string("name").required(),
                Attribute::string("derived").computed().plan_modifier(FromConfig),
            ],
        );
        let planned_as = |prior: &Value| {
            let mut planned = Value::object([("name", Value::string("m")), ("derived", Value::string("from m"))]);
            mark_computed_unknown(&block, prior, &mut planned);
            planned.get("derived").clone()
        };
        // On create and on a changing update alike.
        assert_eq!(planned_as(&Value::Null), Value::string("from m"));
        let prior = Value::object([("name", Value::string("n")), ("derived", Value::string("from n"))]);
        assert_eq!(planned_as(&prior), Value::string("from m"));
    }

    #[test]
    fn fill_unknowns_prefers_known_plan() {
        let planned = Value::object([("a", Value::Unknown), ("b", Value::string("plan")), ("c", Value::Unknown)]);
        let actual = Value::object([("a", Value::string("x")), ("b", Value::string("server"))]);
        let got = fill_unknowns(&planned, &actual);
        assert_eq!(got, Value::object([("a", Value::string("x")), ("b", Value::string("plan")), ("c", Value::Null)]));
    }

    #[test]
    fn replace_paths() {
        let prior = obj("n", Value::string(""), Value::string("g"));
        let mut planned = prior.clone();
        if let Value::Object(m) = &mut planned {
            m.insert("template".into(), Value::string("other"));
        }
        assert_eq!(requires_replace(&block(), &prior, &planned), vec![AttributePath::root("template")]);
        assert!(requires_replace(&block(), &Value::Null, &planned).is_empty());
    }

    #[test]
    fn removal_is_a_destroy_or_a_replace_of_an_existing_object() {
        let prior = obj("n", Value::string(""), Value::string("g"));
        let finished = |template: &str, name: &str| {
            let mut planned = obj(name, Value::string(""), Value::string("g"));
            if let Value::Object(m) = &mut planned {
                m.insert("template".into(), Value::string(template));
            }
            let mut replace = Vec::new();
            finish(&block(), &prior, &mut planned, &mut replace);
            removal(&prior, &planned, &replace)
        };
        assert_eq!(removal(&prior, &Value::Null, &[]), Some(Removal::Destroy));
        assert_eq!(finished("other", "n"), Some(Removal::Replace(vec![AttributePath::root("template")])));
        assert_eq!(finished("t", "renamed"), None, "an update in place removes nothing");
        assert_eq!(finished("t", "n"), None, "no change removes nothing");
        assert_eq!(removal(&Value::Null, &prior, &[AttributePath::root("template")]), None, "a create");
    }

    #[test]
    fn write_only_nulled_and_validation_runs() {
        let mut v = obj("n", Value::string(""), Value::Null);
        null_write_only(&block(), &mut v);
        assert!(v.get("config").get("secret_wo").is_null());
        let mut d = Diagnostics::new();
        validate_config(&block(), &obj(" ", Value::Null, Value::Null), &mut d);
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.0[0].attribute, Some(AttributePath::root("name")));
    }

    #[test]
    fn write_only_refused_where_the_core_cannot_keep_it_out_of_state() {
        // OpenTofu before 1.11 (and Terraform before 1.11) send no client capabilities.
        let config = obj("n", Value::string(""), Value::Null);
        let mut d = Diagnostics::new();
        check_write_only_allowed(&block(), &config, crate::resource::ClientCapabilities::default(), &mut d);
        assert_eq!(d.0.len(), 1, "{:?}", d.0);
        assert_eq!(d.0[0].attribute, Some(AttributePath::root("config").attr("secret_wo")));
        for text in [&d.0[0].summary, &d.0[0].detail] {
            assert!(text.contains("Terraform 1.11") && text.contains("OpenTofu 1.11"), "{text}");
        }

        let allowed = crate::resource::ClientCapabilities { write_only_attributes_allowed: true, ..Default::default() };
        let mut d = Diagnostics::new();
        check_write_only_allowed(&block(), &config, allowed, &mut d);
        assert!(d.0.is_empty(), "{:?}", d.0);
        // Unset, it is fine anywhere.
        let mut d = Diagnostics::new();
        let unset = Value::object([("config", Value::object([("secret_wo", Value::Null)]))]);
        check_write_only_allowed(&block(), &unset, Default::default(), &mut d);
        assert!(d.0.is_empty(), "{:?}", d.0);
    }
}
