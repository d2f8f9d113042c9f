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

fn block(b: &Block, version: i64) -> pb::schema::Block {
    pb::schema::Block {
        version,
        attributes: b.attributes.iter().map(attribute).collect(),
        description: b.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        ..Default::default()
    }
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
