//! Finding the sensitive strings in a value, by its schema.
//!
//! Terraform marks values sensitive in its own output, but a provider holds them in plain text
//! and may meet them again where Terraform cannot mask them: in a server's error message that
//! echoes a request, in a log line, in a diagnostic. The server hands every sensitive string of
//! every value it decodes (configuration, state, plan; of the provider, resources and data
//! sources) to [`Provider::sensitive_value`](super::resource::Provider::sensitive_value) before
//! the call is handled, so the provider can recognise them in any later text of the process,
//! including values that were sent by an earlier process and only read back from state now.

use super::schema::{AttributeKind, Block};
use super::value::Value;

/// Calls `f` with every string held in a sensitive or write-only attribute of `v` (of a value of
/// `block`'s type), at any depth: inside maps, lists and nested objects too.
pub(crate) fn each_sensitive_string(block: &Block, v: &Value, f: &mut dyn FnMut(&str)) {
    let Value::Object(fields) = v else { return };
    for attr in &block.attributes {
        let Some(field) = fields.get(&attr.name) else { continue };
        if attr.sensitive || attr.write_only {
            each_string(field, f);
        } else if let AttributeKind::Single(nested) = &attr.kind {
            each_sensitive_string(nested, field, f);
        }
    }
}

/// Every string inside `v`.
fn each_string(v: &Value, f: &mut dyn FnMut(&str)) {
    match v {
        Value::String(s) => f(s),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => items.iter().for_each(|i| each_string(i, f)),
        Value::Map(m) | Value::Object(m) => m.values().for_each(|i| each_string(i, f)),
        Value::Null | Value::Unknown | Value::Number(_) | Value::Bool(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::schema::Attribute;
    use crate::value::Type;

    #[test]
    fn finds_strings_of_sensitive_and_write_only_attributes_at_any_depth() {
        let block = Block::new(
            "",
            vec![
                Attribute::string("name").required(),
                Attribute::string("key").optional().sensitive(),
                Attribute::single(
                    "config",
                    Block::new(
                        "",
                        vec![
                            Attribute::string("client_id").optional(),
                            Attribute::string("secret_wo").optional().write_only(),
                            Attribute::of_type("extra_sensitive", Type::Map(Box::new(Type::String)))
                                .optional()
                                .sensitive(),
                        ],
                    ),
                )
                .optional(),
            ],
        );
        let value = Value::Object(BTreeMap::from([
            ("name".into(), Value::string("plain-name")),
            ("key".into(), Value::string("top-secret")),
            (
                "config".into(),
                Value::Object(BTreeMap::from([
                    ("client_id".into(), Value::string("plain-id")),
                    ("secret_wo".into(), Value::string("wo-secret")),
                    (
                        "extra_sensitive".into(),
                        Value::Map(BTreeMap::from([
                            ("pem".into(), Value::string("line1\nline2")),
                            ("unknown".into(), Value::Unknown),
                        ])),
                    ),
                ])),
            ),
        ]));
        let mut seen = Vec::new();
        each_sensitive_string(&block, &value, &mut |s| seen.push(s.to_owned()));
        seen.sort();
        assert_eq!(seen, ["line1\nline2", "top-secret", "wo-secret"]);

        // Null, unknown and non-object values hold nothing.
        for v in [Value::Null, Value::Unknown, Value::string("x")] {
            each_sensitive_string(&block, &v, &mut |s| panic!("found {s}"));
        }
    }
}
