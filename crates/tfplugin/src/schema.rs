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
    /// Bumped when the stored shape changes, so old states can be recognised and upgraded.
    pub version: i64,
    /// The attributes.
    pub block: Block,
}

/// An object's attributes. A nested object is an attribute of kind [`AttributeKind::Single`],
/// written either as a nested attribute (`config = { ... }`) or, with [`Attribute::block`], as a
/// nested block (`config { ... }`); its value is the same object either way.
#[derive(Clone, Debug, Default)]
pub struct Block {
    /// The attributes, in the order documentation lists them.
    pub attributes: Vec<Attribute>,
    /// Markdown shown in documentation and language servers.
    pub description: String,
}

/// What an attribute holds: a plain value, or a nested object with attributes of its own.
#[derive(Clone, Debug)]
pub enum AttributeKind {
    /// A value of a plain cty type.
    Plain(Type),
    /// A single nested object (`NestingMode SINGLE`).
    Single(Block),
}

/// One attribute, with the behaviour the framework runs for it. Built with the constructors
/// ([`Attribute::string`], ...) and the chained setters ([`Attribute::required`], ...).
#[derive(Clone, Debug)]
pub struct Attribute {
    /// The name in configuration and state (`client_id`).
    pub name: String,
    /// Its type, or its nested attributes.
    pub kind: AttributeKind,
    /// Markdown shown in documentation and language servers.
    pub description: String,
    /// The configuration must set it.
    pub required: bool,
    /// The configuration may set it.
    pub optional: bool,
    /// The provider may set it (alone: only the provider; with `optional`: when the
    /// configuration does not).
    pub computed: bool,
    /// Terraform hides it in its output; the framework also hands it to
    /// [`Provider::sensitive_value`](crate::resource::Provider::sensitive_value).
    pub sensitive: bool,
    /// Sent by the configuration at plan and apply but never stored: null in plans and state
    /// (Terraform 1.11+).
    pub write_only: bool,
    /// Planned when the configuration leaves the attribute null (Optional + Computed only).
    pub default: Option<Value>,
    /// Plan rules, run in order (see [`super::plan_modifiers`]).
    pub modifiers: Vec<Arc<dyn PlanModifier>>,
    /// Checks of configured values, run at validation (see [`super::validators`]).
    pub validators: Vec<Arc<dyn Validator>>,
    /// A [`AttributeKind::Single`] object written as a nested block (`config { ... }`): Terraform
    /// then refuses an argument the block does not define, with a "did you mean", where a nested
    /// attribute's object drops an unknown key without a word. `required` makes the block
    /// required (exactly one); a block is never computed.
    pub as_block: bool,
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
            as_block: false,
        }
    }

    /// A `string` attribute.
    pub fn string(name: &str) -> Self {
        Self::new(name, AttributeKind::Plain(Type::String))
    }

    /// A `number` attribute.
    pub fn number(name: &str) -> Self {
        Self::new(name, AttributeKind::Plain(Type::Number))
    }

    /// A `bool` attribute.
    pub fn bool(name: &str) -> Self {
        Self::new(name, AttributeKind::Plain(Type::Bool))
    }

    /// An attribute of any cty type (`list(string)`, `map(string)`, ...).
    pub fn of_type(name: &str, ty: Type) -> Self {
        Self::new(name, AttributeKind::Plain(ty))
    }

    /// A nested object (`config = { ... }`) with `block`'s attributes.
    pub fn single(name: &str, block: Block) -> Self {
        Self::new(name, AttributeKind::Single(block))
    }

    /// A nested block (`config { ... }`) with `block`'s attributes: see [`Attribute::as_block`].
    pub fn block(name: &str, block: Block) -> Self {
        Attribute { as_block: true, ..Self::new(name, AttributeKind::Single(block)) }
    }

    /// Marks it [`required`](Attribute::required).
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Marks it [`optional`](Attribute::optional).
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// Marks it [`computed`](Attribute::computed).
    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }

    /// Marks it [`sensitive`](Attribute::sensitive).
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Marks it [`write_only`](Attribute::write_only).
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

    /// Attaches a validator.
    pub fn validate(mut self, v: impl Validator + 'static) -> Self {
        self.validators.push(Arc::new(v));
        self
    }

    /// Sets the [`description`](Attribute::description).
    pub fn describe(mut self, text: &str) -> Self {
        self.description = text.to_string();
        self
    }

    /// Whether a modifier keeps this computed attribute's prior value (`UseStateForUnknown`).
    pub(crate) fn keeps_prior_state(&self) -> bool {
        self.modifiers.iter().any(|m| m.keeps_prior_state())
    }

    /// Whether a modifier plans this computed attribute's value itself
    /// ([`PlanModifier::plans_value`](crate::plan_modifiers::PlanModifier::plans_value)).
    pub(crate) fn plans_own_value(&self) -> bool {
        self.modifiers.iter().any(|m| m.plans_value())
    }

    /// The cty type of its values (an object type for a nested attribute).
    pub fn value_type(&self) -> Type {
        match &self.kind {
            AttributeKind::Plain(t) => t.clone(),
            AttributeKind::Single(b) => b.value_type(),
        }
    }
}

impl Block {
    /// A block of `attributes`, described by `description`.
    pub fn new(description: &str, attributes: Vec<Attribute>) -> Self {
        Block { attributes, description: description.to_string() }
    }

    /// The cty object type of values of this block, which the codec needs to decode them.
    pub fn value_type(&self) -> Type {
        Type::Object(self.attributes.iter().map(|a| (a.name.clone(), a.value_type())).collect::<BTreeMap<_, _>>())
    }

    /// The attribute named `name`, if the block has one.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

/// A resource identity schema (protocol 6.9+): the few attributes that name one remote object,
/// stable for its whole life, which `import { identity = {...} }` and list resources use.
#[derive(Clone, Debug)]
pub struct IdentitySchema {
    /// As [`Schema::version`], for stored identities.
    pub version: i64,
    /// The attributes.
    pub attributes: Vec<IdentityAttribute>,
}

/// One attribute of an identity; identities are flat, of plain types.
#[derive(Clone, Debug)]
pub struct IdentityAttribute {
    /// The name in the `identity` object.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// An import by identity must give it (else it is optional there).
    pub required_for_import: bool,
    /// Markdown shown in documentation.
    pub description: String,
}

impl IdentitySchema {
    /// The cty object type of identity values.
    pub fn value_type(&self) -> Type {
        Type::Object(self.attributes.iter().map(|a| (a.name.clone(), a.ty.clone())).collect())
    }
}

impl Schema {
    /// A schema of `block`'s attributes at `version`.
    pub fn new(version: i64, block: Block) -> Self {
        Schema { version, block }
    }

    /// The cty object type of values of this schema.
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
