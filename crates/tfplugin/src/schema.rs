//! Schemas: the attributes of a provider, resource or data source, as Terraform sees them, plus
//! the behaviour attached to each attribute (default, plan modifiers, validators) so that the
//! generic parts of planning and validation in [`super::plan`] need no per-resource code.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::plan_modifiers::PlanModifier;
use super::validators::Validator;
use super::value::{Type, Value};

/// A versioned schema; the version is what UpgradeResourceState migrates from.
#[derive(Clone, Debug)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

/// An object's attributes. Nested blocks are not used: nested attributes (`config = { ... }`)
/// are what protocol 6 offers and what users of modern providers expect.
#[derive(Clone, Debug, Default)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub description: String,
}

#[derive(Clone, Debug)]
pub enum AttributeKind {
    /// A value of a plain cty type.
    Plain(Type),
    /// A single nested object (`NestingMode SINGLE`).
    Single(Block),
}

#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: String,
    pub kind: AttributeKind,
    pub description: String,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub write_only: bool,
    /// Planned when the configuration leaves the attribute null (Optional + Computed only).
    pub default: Option<Value>,
    /// Plan rules, run in order (see [`super::plan_modifiers`]).
    pub modifiers: Vec<Arc<dyn PlanModifier>>,
    pub validators: Vec<Arc<dyn Validator>>,
}

impl Attribute {
    fn new(name: &str, kind: AttributeKind) -> Self {
        Attribute {
            name: name.to_string(),
            kind,
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            write_only: false,
            default: None,
            modifiers: Vec::new(),
            validators: Vec::new(),
        }
    }

    pub fn string(name: &str) -> Self {
        Self::new(name, AttributeKind::Plain(Type::String))
    }

    pub fn number(name: &str) -> Self {
        Self::new(name, AttributeKind::Plain(Type::Number))
    }

    pub fn bool(name: &str) -> Self {
        Self::new(name, AttributeKind::Plain(Type::Bool))
    }

    pub fn of_type(name: &str, ty: Type) -> Self {
        Self::new(name, AttributeKind::Plain(ty))
    }

    pub fn single(name: &str, block: Block) -> Self {
        Self::new(name, AttributeKind::Single(block))
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }

    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }

    /// A default makes the attribute Optional + Computed: Terraform requires computed for a
    /// provider to plan a value the configuration did not give.
    pub fn default(mut self, v: Value) -> Self {
        self.default = Some(v);
        self.optional = true;
        self.computed = true;
        self
    }

    /// Attaches a plan modifier; modifiers run in the order attached.
    pub fn plan_modifier(mut self, m: impl PlanModifier + 'static) -> Self {
        self.modifiers.push(Arc::new(m));
        self
    }

    pub fn validate(mut self, v: impl Validator + 'static) -> Self {
        self.validators.push(Arc::new(v));
        self
    }

    pub fn describe(mut self, text: &str) -> Self {
        self.description = text.to_string();
        self
    }

    /// Whether a modifier keeps this computed attribute's prior value (`UseStateForUnknown`).
    pub fn keeps_prior_state(&self) -> bool {
        self.modifiers.iter().any(|m| m.keeps_prior_state())
    }

    pub fn value_type(&self) -> Type {
        match &self.kind {
            AttributeKind::Plain(t) => t.clone(),
            AttributeKind::Single(b) => b.value_type(),
        }
    }
}

impl Block {
    pub fn new(description: &str, attributes: Vec<Attribute>) -> Self {
        Block { attributes, description: description.to_string() }
    }

    /// The cty object type of values of this block, which the codec needs to decode them.
    pub fn value_type(&self) -> Type {
        Type::Object(self.attributes.iter().map(|a| (a.name.clone(), a.value_type())).collect::<BTreeMap<_, _>>())
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

/// A resource identity schema (protocol 6.9+): the few attributes that name one remote object,
/// stable for its whole life, which `import { identity = {...} }` and list resources use.
#[derive(Clone, Debug)]
pub struct IdentitySchema {
    pub version: i64,
    pub attributes: Vec<IdentityAttribute>,
}

#[derive(Clone, Debug)]
pub struct IdentityAttribute {
    pub name: String,
    pub ty: Type,
    pub required_for_import: bool,
    pub description: String,
}

impl IdentitySchema {
    pub fn value_type(&self) -> Type {
        Type::Object(self.attributes.iter().map(|a| (a.name.clone(), a.ty.clone())).collect())
    }
}

impl Schema {
    pub fn new(version: i64, block: Block) -> Self {
        Schema { version, block }
    }

    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_type_follows_nesting() {
        let b = Block::new(
            "",
            vec![
                Attribute::string("name").required(),
                Attribute::single("config", Block::new("", vec![Attribute::bool("x").optional()])).required(),
            ],
        );
        let expected = Type::Object(BTreeMap::from([
            ("name".to_string(), Type::String),
            ("config".to_string(), Type::Object(BTreeMap::from([("x".to_string(), Type::Bool)]))),
        ]));
        assert_eq!(b.value_type(), expected);
    }

    #[test]
    fn default_makes_optional_computed() {
        let a = Attribute::string("d").default(Value::string(""));
        assert!(a.optional && a.computed && !a.required);
    }
}
