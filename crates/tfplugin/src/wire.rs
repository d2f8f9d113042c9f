//! Conversions between this crate's protocol types (schemas, diagnostics, values) and the
//! generated protobuf messages. Kept apart so the rest of `tfplugin` never touches prost types.

use super::codec;
use super::diag::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};
use super::proto::tfplugin6 as pb;
use super::schema::{Attribute, AttributeKind, Block, IdentitySchema, Schema};
use super::value::{Type, Value};

pub(crate) fn schema(s: &Schema) -> pb::Schema {
    pb::Schema { version: s.version, block: Some(block(&s.block, s.version)) }
}

/// An action's schema: its `config` block.
pub(crate) fn action_schema(s: &Schema) -> pb::ActionSchema {
    pb::ActionSchema { schema: Some(schema(s)) }
}

fn block(b: &Block, version: i64) -> pb::schema::Block {
    pb::schema::Block {
        version,
        attributes: b.attributes.iter().filter(|a| !a.as_block).map(attribute).collect(),
        block_types: b.attributes.iter().filter(|a| a.as_block).filter_map(|a| nested_block(a, version)).collect(),
        description: b.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        ..Default::default()
    }
}

/// A nested block of nesting mode SINGLE: exactly one when required (core wants MinItems and
/// MaxItems both 0 or both 1 in that mode), else at most one.
fn nested_block(a: &Attribute, version: i64) -> Option<pb::schema::NestedBlock> {
    let AttributeKind::Single(b) = &a.kind else { return None };
    let items = i64::from(a.required);
    Some(pb::schema::NestedBlock {
        type_name: a.name.clone(),
        block: Some(pb::schema::Block { description: a.description.clone(), ..block(b, version) }),
        nesting: pb::schema::nested_block::NestingMode::Single as i32,
        min_items: items,
        max_items: items,
    })
}

fn attribute(a: &Attribute) -> pb::schema::Attribute {
    let (ty, nested_type) = match &a.kind {
        // A nested attribute sets nested_type and leaves type empty: core rejects both.
        AttributeKind::Single(b) => (
            Vec::new(),
            Some(pb::schema::Object {
                attributes: b.attributes.iter().map(attribute).collect(),
                nesting: pb::schema::object::NestingMode::Single as i32,
                ..Default::default()
            }),
        ),
        AttributeKind::Plain(t) => (type_json(t), None),
    };
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type: ty,
        nested_type,
        description: a.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        required: a.required,
        optional: a.optional,
        computed: a.computed,
        sensitive: a.sensitive,
        write_only: a.write_only,
        ..Default::default()
    }
}

pub(crate) fn identity_schema(s: &IdentitySchema) -> pb::ResourceIdentitySchema {
    pb::ResourceIdentitySchema {
        version: s.version,
        identity_attributes: s
            .attributes
            .iter()
            .map(|a| pb::resource_identity_schema::IdentityAttribute {
                name: a.name.clone(),
                r#type: type_json(&a.ty),
                required_for_import: a.required_for_import,
                optional_for_import: !a.required_for_import,
                description: a.description.clone(),
            })
            .collect(),
    }
}

pub(crate) fn type_json(t: &Type) -> Vec<u8> {
    t.to_json().to_string().into_bytes()
}

pub(crate) fn diagnostics(d: Diagnostics) -> Vec<pb::Diagnostic> {
    d.0.into_iter().map(diagnostic).collect()
}

fn diagnostic(d: Diagnostic) -> pb::Diagnostic {
    pb::Diagnostic {
        severity: match d.severity {
            Severity::Error => pb::diagnostic::Severity::Error as i32,
            Severity::Warning => pb::diagnostic::Severity::Warning as i32,
        },
        summary: d.summary,
        detail: d.detail,
        attribute: d.attribute.as_ref().map(path),
    }
}

pub(crate) fn path(p: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: p
            .0
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    PathStep::Attribute(a) => Selector::AttributeName(a.clone()),
                    PathStep::ElementKeyString(k) => Selector::ElementKeyString(k.clone()),
                    PathStep::ElementKeyInt(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

/// Decodes a DynamicValue of the given type; an absent value is null.
pub(crate) fn decode(dv: Option<&pb::DynamicValue>, ty: &Type, what: &str) -> Result<Value, Diagnostic> {
    let Some(dv) = dv else { return Ok(Value::Null) };
    let result = if !dv.msgpack.is_empty() {
        codec::from_msgpack(&dv.msgpack, ty)
    } else if !dv.json.is_empty() {
        codec::from_json(&dv.json, ty)
    } else {
        return Ok(Value::Null);
    };
    result.map_err(|e| {
        Diagnostic::error(
            format!("Could not decode the {what} Terraform sent"),
            format!("{e}. This is a bug in the provider or a mismatch with this Terraform version."),
        )
    })
}

pub(crate) fn encode(v: &Value, ty: &Type) -> Result<pb::DynamicValue, Diagnostic> {
    codec::to_msgpack(v, ty).map(|msgpack| pb::DynamicValue { msgpack, json: Vec::new() }).map_err(|e| {
        Diagnostic::error("Could not encode a value for Terraform", format!("{e}. This is a bug in the provider."))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_attribute_is_a_nested_block_and_a_single_one_a_nested_attribute() {
        let inner = || Block::new("", vec![Attribute::string("k").optional()]);
        let s = Schema::new(
            1,
            Block::new(
                "",
                vec![
                    Attribute::string("name").required(),
                    Attribute::block("config", inner()).required().describe("The config."),
                    Attribute::block("extra", inner()),
                    Attribute::single("permissions", inner()).optional(),
                ],
            ),
        );
        let b = schema(&s).block.unwrap();
        let names: Vec<&str> = b.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["name", "permissions"]);
        assert!(b.attributes[1].nested_type.is_some());
        let blocks: Vec<(&str, i64, i64)> =
            b.block_types.iter().map(|n| (n.type_name.as_str(), n.min_items, n.max_items)).collect();
        assert_eq!(blocks, [("config", 1, 1), ("extra", 0, 0)]);
        let config = &b.block_types[0];
        assert_eq!(config.nesting, pb::schema::nested_block::NestingMode::Single as i32);
        let inner = config.block.as_ref().unwrap();
        assert_eq!((inner.attributes[0].name.as_str(), inner.description.as_str()), ("k", "The config."));
        // The value is the same object either way.
        assert_eq!(
            s.block.value_type(),
            Block::new(
                "",
                vec![
                    Attribute::string("name").required(),
                    Attribute::single("config", Block::new("", vec![Attribute::string("k").optional()])).required(),
                    Attribute::single("extra", Block::new("", vec![Attribute::string("k").optional()])),
                    Attribute::single("permissions", Block::new("", vec![Attribute::string("k").optional()]))
                        .optional(),
                ]
            )
            .value_type()
        );
    }
}
