//! Typed models: a resource's state as a Rust struct instead of a [`Value`] walked by attribute
//! name, converted in one place.
//!
//! Every Terraform attribute can be null or (in plans) unknown, so a model's fields are
//! [`Attr<T>`]. The [`crate::model!`] macro writes the struct and its conversions from one field
//! list, so each attribute's name is written once in the resource's code besides its schema;
//! [`Model::check_schema`] is the unit test that the two agree.
//!
//! ```
//! use std::collections::BTreeSet;
//! use tfplugin::model::{Attr, Model};
//!
//! tfplugin::model! {
//!     /// A content item's set of integrations.
//!     pub struct Associations {
//!         pub id: Attr<String>,
//!         pub content_guid: Attr<String>,
//!         pub integration_guids: Attr<BTreeSet<String>>,
//!     }
//! }
//!
//! let state = Associations {
//!     id: Attr::known("c1".to_string()),
//!     content_guid: Attr::known("c1".to_string()),
//!     integration_guids: Attr::known(BTreeSet::from(["a".to_string()])),
//! };
//! assert_eq!(Associations::from_value(&state.to_value()).unwrap(), state);
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::diag::Diagnostic;
use super::schema::Block;
use super::value::{Number, Value};

/// An attribute's value as Terraform has it: absent, known only after apply, or known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Attr<T> {
    /// Not set (null).
    #[default]
    Null,
    /// Known only after apply.
    Unknown,
    /// Set to this.
    Known(T),
}

impl<T> Attr<T> {
    /// A known value.
    pub fn known(value: T) -> Self {
        Attr::Known(value)
    }

    /// A known value, or null for `None`.
    pub fn from_option(value: Option<T>) -> Self {
        value.map_or(Attr::Null, Attr::Known)
    }

    /// The value when known.
    pub fn get(&self) -> Option<&T> {
        match self {
            Attr::Known(v) => Some(v),
            _ => None,
        }
    }

    /// This value, or `fallback`'s when this one is null.
    pub fn or_else(self, fallback: impl FnOnce() -> Self) -> Self {
        if self.is_null() {
            fallback()
        } else {
            self
        }
    }

    /// Whether it is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Attr::Null)
    }

    /// Whether it is known only after apply.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Attr::Unknown)
    }
}

impl Attr<String> {
    /// The string when known.
    pub fn as_str(&self) -> Option<&str> {
        self.get().map(String::as_str)
    }
}

/// Why a value does not fit a model: where, and what was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelError {
    /// The attribute's path, outermost first.
    pub path: Vec<String>,
    /// What was expected and found.
    pub message: String,
}

impl ModelError {
    /// An error at the value itself.
    pub fn new(message: impl Into<String>) -> Self {
        ModelError { path: Vec::new(), message: message.into() }
    }

    /// The same error, inside attribute `name`.
    pub fn within(mut self, name: &str) -> Self {
        self.path.insert(0, name.to_string());
        self
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path.join("."), self.message)
        }
    }
}

impl std::error::Error for ModelError {}

/// A Rust value that a known, non-null Terraform value converts to and from.
pub trait AttrValue: Sized {
    /// Reads a known, non-null value.
    fn from_value(v: &Value) -> Result<Self, ModelError>;
    /// Writes it as a value.
    fn to_value(&self) -> Value;
}

impl<T: AttrValue> Attr<T> {
    /// Reads any value: null and unknown included.
    pub fn from_value(v: &Value) -> Result<Self, ModelError> {
        match v {
            Value::Null => Ok(Attr::Null),
            Value::Unknown => Ok(Attr::Unknown),
            v => T::from_value(v).map(Attr::Known),
        }
    }

    /// Writes it as a value.
    pub fn to_value(&self) -> Value {
        match self {
            Attr::Null => Value::Null,
            Attr::Unknown => Value::Unknown,
            Attr::Known(v) => v.to_value(),
        }
    }
}

/// Names the kind of value found, never its content: a model's values may be secrets, and a
/// model error ends up in a diagnostic.
fn expected(what: &str, v: &Value) -> ModelError {
    let found = match v {
        Value::Null => "null",
        Value::Unknown => "an unknown value",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a bool",
        Value::List(_) => "a list",
        Value::Set(_) => "a set",
        Value::Map(_) => "a map",
        Value::Object(_) => "an object",
        Value::Tuple(_) => "a tuple",
    };
    ModelError::new(format!("expected {what}, found {found}"))
}

impl AttrValue for String {
    fn from_value(v: &Value) -> Result<Self, ModelError> {
        v.as_str().map(str::to_string).ok_or_else(|| expected("a string", v))
    }

    fn to_value(&self) -> Value {
        Value::String(self.clone())
    }
}

impl AttrValue for bool {
    fn from_value(v: &Value) -> Result<Self, ModelError> {
        v.as_bool().ok_or_else(|| expected("a bool", v))
    }

    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}

impl AttrValue for Number {
    fn from_value(v: &Value) -> Result<Self, ModelError> {
        match v {
            Value::Number(n) => Ok(*n),
            v => Err(expected("a number", v)),
        }
    }

    fn to_value(&self) -> Value {
        Value::Number(*self)
    }
}

/// A list keeps its order.
impl<T: AttrValue> AttrValue for Vec<T> {
    fn from_value(v: &Value) -> Result<Self, ModelError> {
        match v {
            Value::List(items) => items.iter().map(T::from_value).collect(),
            v => Err(expected("a list", v)),
        }
    }

    fn to_value(&self) -> Value {
        Value::List(self.iter().map(AttrValue::to_value).collect())
    }
}

/// A set of known elements, written in order (cty's own order for a set of strings).
impl<T: AttrValue + Ord> AttrValue for BTreeSet<T> {
    fn from_value(v: &Value) -> Result<Self, ModelError> {
        match v {
            Value::Set(items) => items.iter().map(T::from_value).collect(),
            v => Err(expected("a set", v)),
        }
    }

    fn to_value(&self) -> Value {
        Value::Set(self.iter().map(AttrValue::to_value).collect())
    }
}

impl<T: AttrValue> AttrValue for BTreeMap<String, T> {
    fn from_value(v: &Value) -> Result<Self, ModelError> {
        match v {
            Value::Map(entries) => {
                entries.iter().map(|(k, v)| T::from_value(v).map(|v| (k.clone(), v)).map_err(|e| e.within(k))).collect()
            }
            v => Err(expected("a map", v)),
        }
    }

    fn to_value(&self) -> Value {
        Value::Map(self.iter().map(|(k, v)| (k.clone(), v.to_value())).collect())
    }
}

/// An element of a collection that a plan may hold unknown (`extra = { region = aws_x.y.id }`
/// is a known map with an unknown element), or null: `Attr<BTreeMap<String, Attr<String>>>`.
impl<T: AttrValue> AttrValue for Attr<T> {
    fn from_value(v: &Value) -> Result<Self, ModelError> {
        Attr::from_value(v)
    }

    fn to_value(&self) -> Value {
        Attr::to_value(self)
    }
}

/// A struct whose fields are a schema block's attributes, written by [`crate::model!`].
pub trait Model: Sized {
    /// The attribute names, in the order the fields are declared.
    const ATTRIBUTES: &'static [&'static str];

    /// Reads an object value (a state, plan or configuration) of the block's type.
    fn from_value(v: &Value) -> Result<Self, ModelError>;

    /// [`Model::from_value`] for a value Terraform handed a resource (a state, plan or
    /// configuration of the resource's own schema): one that does not fit is a bug in the
    /// provider (its model and schema disagree), said as such in a diagnostic.
    fn read(v: &Value) -> Result<Self, Diagnostic> {
        Self::from_value(v).map_err(|e| {
            Diagnostic::error("Unexpected value", format!("{e}; this is a bug in the provider, please report it."))
        })
    }

    /// Writes the object value.
    fn to_value(&self) -> Value;

    /// Whether the model has exactly the block's attributes: `Err` names those on one side only.
    /// A resource's unit test calls it, so the schema and the model cannot drift apart.
    fn check_schema(block: &Block) -> Result<(), String> {
        let model: BTreeSet<&str> = Self::ATTRIBUTES.iter().copied().collect();
        let schema: BTreeSet<&str> = block.attributes.iter().map(|a| a.name.as_str()).collect();
        if model == schema {
            return Ok(());
        }
        Err(format!(
            "only in the model: {:?}; only in the schema: {:?}",
            model.difference(&schema).collect::<Vec<_>>(),
            schema.difference(&model).collect::<Vec<_>>()
        ))
    }
}

/// A nested object attribute (`config = { ... }`) is a model inside a model.
impl<M: Model> AttrValue for M {
    fn from_value(v: &Value) -> Result<Self, ModelError> {
        match v {
            Value::Object(_) => <M as Model>::from_value(v),
            v => Err(expected("an object", v)),
        }
    }

    fn to_value(&self) -> Value {
        <M as Model>::to_value(self)
    }
}

/// Declares a struct whose fields are attributes (each an [`Attr`]) and implements [`Model`] for
/// it: the field names are the attribute names.
#[macro_export]
macro_rules! model {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $field: $ty ),*
        }

        impl $crate::model::Model for $name {
            const ATTRIBUTES: &'static [&'static str] = &[$(stringify!($field)),*];

            fn from_value(v: &$crate::value::Value) -> ::std::result::Result<Self, $crate::model::ModelError> {
                Ok($name {
                    $( $field: <$ty>::from_value(v.get(stringify!($field)))
                        .map_err(|e| e.within(stringify!($field)))?, )*
                })
            }

            fn to_value(&self) -> $crate::value::Value {
                $crate::value::Value::object([
                    $( (stringify!($field), self.$field.to_value()) ),*
                ])
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Attribute;
    use crate::value::Type;

    crate::model! {
        struct Config {
            mode: Attr<String>,
            extra: Attr<BTreeMap<String, String>>,
        }
    }

    crate::model! {
        struct Thing {
            id: Attr<String>,
            count: Attr<Number>,
            enabled: Attr<bool>,
            tags: Attr<BTreeSet<String>>,
            config: Attr<Config>,
        }
    }

    fn thing() -> Thing {
        Thing {
            id: Attr::known("x".into()),
            count: Attr::Unknown,
            enabled: Attr::Null,
            tags: Attr::known(BTreeSet::from(["b".to_string(), "a".to_string()])),
            config: Attr::known(Config {
                mode: Attr::known("m".into()),
                extra: Attr::known(BTreeMap::from([("k".to_string(), "v".to_string())])),
            }),
        }
    }

    #[test]
    fn round_trips_with_null_and_unknown() {
        let v = Model::to_value(&thing());
        assert_eq!(v.get("count"), &Value::Unknown);
        assert_eq!(v.get("enabled"), &Value::Null);
        assert_eq!(v.get("tags"), &Value::Set(vec![Value::string("a"), Value::string("b")]));
        let extra = Value::Map(BTreeMap::from([("k".to_string(), Value::string("v"))]));
        assert_eq!(v.get("config").get("extra"), &extra);
        assert_eq!(<Thing as Model>::from_value(&v).unwrap(), thing());
    }

    #[test]
    fn a_mismatch_names_the_attribute() {
        let mut v = Model::to_value(&thing());
        if let Value::Object(attrs) = &mut v {
            let config = Value::object([("mode", Value::Bool(true)), ("extra", Value::Null)]);
            attrs.insert("config".into(), config);
        }
        let e = <Thing as Model>::from_value(&v).unwrap_err();
        assert_eq!(e.path, ["config", "mode"]);
        assert!(e.to_string().starts_with("config.mode: expected a string"), "{e}");

        // A value in the wrong place is named by its kind, never quoted: it may be a secret.
        let secret = Value::object([("id", Value::List(vec![Value::string("s3cr3t-value")]))]);
        let e = <Thing as Model>::from_value(&secret).unwrap_err();
        assert_eq!(e.to_string(), "id: expected a string, found a list");
    }

    #[test]
    fn the_schema_check_names_what_differs() {
        let block = Block::new(
            "",
            vec![
                Attribute::string("id").computed(),
                Attribute::number("count").optional(),
                Attribute::bool("enabled").optional(),
                Attribute::of_type("tags", Type::Set(Box::new(Type::String))).optional(),
                Attribute::string("name").required(),
            ],
        );
        let err = Thing::check_schema(&block).unwrap_err();
        assert!(err.contains("\"config\"") && err.contains("\"name\""), "{err}");
        let mut fixed = block.clone();
        fixed.attributes.retain(|a| a.name != "name");
        fixed.attributes.push(Attribute::single("config", Block::new("", vec![])).optional());
        assert_eq!(Thing::check_schema(&fixed), Ok(()));
    }
}
