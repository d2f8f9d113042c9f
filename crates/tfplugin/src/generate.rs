//! Configuration generated from an existing object's state (protocol 6.10's
//! GenerateResourceConfig), for `terraform plan -generate-config-out` with an `import` block and
//! `terraform query -generate-config-out` (Terraform 1.14+).
//!
//! What core does with the answer (hashicorp/terraform `internal/genconfig/generate_config.go`,
//! `writeConfigAttributesFromExisting`): it writes the value as HCL, attribute by attribute in
//! name order, leaving out read-only attributes and any computed attribute that is null; every
//! other attribute is written, as `= null` when null, and a sensitive one always as
//! `null # sensitive`. Core asks only a provider whose `ServerCapabilities` say
//! `generate_resource_config`; otherwise (and with every core before 1.14) it writes the state
//! filtered the same way itself. The same generated text is then the configuration the
//! import's plan runs on, so it must plan no change.
//!
//! The framework's answer, which [`Resource::generate_config`](crate::resource::Resource::generate_config)
//! starts from, is [`config_from_state`]; the framework then takes out what a configuration may
//! never hold (read-only and write-only values), whatever the resource set.

use std::collections::BTreeMap;

use crate::schema::{Attribute, AttributeKind, Block};
use crate::value::Value;

/// The generic configuration of an object, as terraform-plugin-framework generates it and then
/// some: the state with read-only (computed, not optional) and write-only attributes null, and
/// with an attribute null where its value is its schema default (the plan gives it anyway).
/// An optional nested object left with nothing in it is null too: written as `{}`, it would
/// take charge of what the state merely showed.
pub fn config_from_state(block: &Block, state: &Value) -> Value {
    let Value::Object(values) = state else { return state.clone() };
    let mut out = BTreeMap::new();
    for attr in &block.attributes {
        let v = values.get(&attr.name).unwrap_or(&Value::Null);
        let v = if is_read_only(attr) || attr.write_only || attr.default.as_ref() == Some(v) {
            Value::Null
        } else if let AttributeKind::Single(nested) = &attr.kind {
            let object = config_from_state(nested, v);
            let empty = object.as_object().is_some_and(|o| o.values().all(Value::is_null));
            if empty && !attr.required && !attr.as_block {
                Value::Null
            } else {
                object
            }
        } else {
            v.clone()
        };
        out.insert(attr.name.clone(), v);
    }
    Value::Object(out)
}

/// What the framework enforces on a resource's answer: read-only and write-only attributes null
/// at every depth (a value in a write-only attribute would be sent at the next apply, and core
/// refuses a configuration setting a read-only one).
pub(crate) fn finish(block: &Block, config: &mut Value) {
    let Value::Object(values) = config else { return };
    for attr in &block.attributes {
        if is_read_only(attr) || attr.write_only {
            values.insert(attr.name.clone(), Value::Null);
        } else if let (AttributeKind::Single(nested), Some(v)) = (&attr.kind, values.get_mut(&attr.name)) {
            finish(nested, v);
        }
    }
}

fn is_read_only(attr: &Attribute) -> bool {
    attr.computed && !attr.optional && !attr.required
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Attribute;
    use crate::value::{Number, Type};

    fn block() -> Block {
        let nested = Block::new(
            "",
            vec![Attribute::string("who").optional().computed(), Attribute::bool("everyone").optional().computed()],
        );
        let config = Block::new(
            "",
            vec![
                Attribute::string("key").optional(),
                Attribute::string("secret").optional().sensitive(),
                Attribute::string("secret_wo").optional().write_only(),
                Attribute::string("filled").optional().computed(),
            ],
        );
        Block::new(
            "",
            vec![
                Attribute::string("id").computed(),
                Attribute::string("name").required(),
                Attribute::string("description").default(Value::string("")),
                Attribute::number("size").default(Value::Number(Number::Int(1))),
                Attribute::single("access", nested).optional().computed(),
                Attribute::block("config", config).required(),
                Attribute::of_type("tags", Type::Map(Box::new(Type::String))).optional(),
            ],
        )
    }

    fn state(access: Value, description: &str) -> Value {
        Value::object([
            ("id", Value::string("x-1")),
            ("name", Value::string("n")),
            ("description", Value::string(description)),
            ("size", Value::Number(Number::Int(2))),
            ("access", access),
            (
                "config",
                Value::object([
                    ("key", Value::string("k")),
                    ("secret", Value::Null),
                    ("secret_wo", Value::Null),
                    ("filled", Value::string("server's")),
                ]),
            ),
            ("tags", Value::Null),
        ])
    }

    #[test]
    fn read_only_defaults_and_empty_optional_objects_are_left_out() {
        let access = Value::object([("who", Value::Null), ("everyone", Value::Null)]);
        let config = config_from_state(&block(), &state(access, ""));
        assert_eq!(config.get("id"), &Value::Null, "read-only");
        assert_eq!(config.get("name"), &Value::string("n"));
        assert_eq!(config.get("description"), &Value::Null, "the default, planned anyway");
        assert_eq!(config.get("size"), &Value::Number(Number::Int(2)), "not the default");
        assert_eq!(config.get("access"), &Value::Null, "nothing in it: not taken charge of");
        assert_eq!(config.get("config").get("key"), &Value::string("k"));
        assert_eq!(config.get("config").get("filled"), &Value::string("server's"), "kept by default");
        assert_eq!(config.get("tags"), &Value::Null);
    }

    #[test]
    fn a_nested_object_with_something_in_it_is_kept_and_a_required_block_always() {
        let access = Value::object([("who", Value::string("me")), ("everyone", Value::Null)]);
        let config = config_from_state(&block(), &state(access.clone(), "d"));
        assert_eq!(config.get("access"), &access);
        assert_eq!(config.get("description"), &Value::string("d"));

        let mut s = state(Value::Null, "");
        let Value::Object(o) = &mut s else { unreachable!() };
        o.insert("config".into(), Value::object([("filled", Value::Null)]));
        let config = config_from_state(&block(), &s);
        assert!(config.get("config").as_object().is_some(), "a required block stays, even empty");
    }

    #[test]
    fn finish_nulls_read_only_and_write_only_values_at_every_depth() {
        let mut config = config_from_state(&block(), &state(Value::Null, ""));
        let Value::Object(o) = &mut config else { unreachable!() };
        o.insert("id".into(), Value::string("set by mistake"));
        let Value::Object(c) = o.get_mut("config").unwrap() else { unreachable!() };
        c.insert("secret_wo".into(), Value::string("placeholder"));
        finish(&block(), &mut config);
        assert_eq!(config.get("id"), &Value::Null);
        assert_eq!(config.get("config").get("secret_wo"), &Value::Null);
        assert_eq!(config.get("config").get("key"), &Value::string("k"), "the rest stays");
    }
}
