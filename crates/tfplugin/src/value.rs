//! Terraform's dynamic values (cty) as Rust data.
//!
//! Every value Terraform sends (config, prior state, proposed state) and every value we return is a
//! [`Value`] of a known [`Type`]; the type comes from the schema, never from the wire, which is why
//! decoding in [`super::codec`] always takes the expected type.

use std::collections::BTreeMap;
use std::fmt;

/// A cty type. Objects list their attribute types by name; `Dynamic` is cty's `DynamicPseudoType`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    /// `string`.
    String,
    /// `number`: integers and floats alike.
    Number,
    /// `bool`.
    Bool,
    /// `list(T)`: ordered elements of one type.
    List(Box<Type>),
    /// `set(T)`: unordered, distinct elements of one type.
    Set(Box<Type>),
    /// `map(T)`: string keys to elements of one type.
    Map(Box<Type>),
    /// `object({...})`: a fixed set of named attributes, each of its own type.
    Object(BTreeMap<String, Type>),
    /// `tuple([...])`: a fixed number of elements, each of its own type.
    Tuple(Vec<Type>),
    /// `dynamic`: any type, decided by the value (which then carries its type on the wire).
    Dynamic,
}

/// A number as Terraform sends it. Integers are kept exact; anything else is a float.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    /// A whole number that fits an `i64`.
    Int(i64),
    /// Any other number.
    Float(f64),
}

/// A cty value. `Unknown` is a value that will only be known after apply; `Null` is absent.
/// Sets are kept as a vector in the order received, and compared as cty compares them: as sets
/// (see the `PartialEq` impl), so `planned == prior` holds whatever order each came in.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// Absent: an attribute left out of the configuration, or no object at all.
    #[default]
    Null,
    /// Known only after apply.
    Unknown,
    /// A string.
    String(String),
    /// A number.
    Number(Number),
    /// A bool.
    Bool(bool),
    /// A list's elements, in order.
    List(Vec<Value>),
    /// A set's elements, in the order received.
    Set(Vec<Value>),
    /// A map's elements by key.
    Map(BTreeMap<String, Value>),
    /// An object's attributes by name: all of its type's, null ones included.
    Object(BTreeMap<String, Value>),
    /// A tuple's elements, in order.
    Tuple(Vec<Value>),
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) | (Unknown, Unknown) => true,
            (String(a), String(b)) => a == b,
            (Number(a), Number(b)) => a == b,
            (Bool(a), Bool(b)) => a == b,
            (List(a), List(b)) | (Tuple(a), Tuple(b)) => a == b,
            (Map(a), Map(b)) | (Object(a), Object(b)) => a == b,
            // Set elements are unique, so equal lengths and every element of one in the other
            // make equal sets. Quadratic, but sets here hold a handful of elements.
            (Set(a), Set(b)) => a.len() == b.len() && a.iter().all(|x| b.contains(x)),
            _ => false,
        }
    }
}

impl Type {
    /// cty's JSON type notation (`"string"`, `["list","string"]`, `["object",{...}]`), which the
    /// schema messages carry in their `type` bytes.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Type::String => json!("string"),
            Type::Number => json!("number"),
            Type::Bool => json!("bool"),
            Type::Dynamic => json!("dynamic"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Object(attrs) => {
                let m: serde_json::Map<String, serde_json::Value> =
                    attrs.iter().map(|(k, t)| (k.clone(), t.to_json())).collect();
                json!(["object", m])
            }
            Type::Tuple(ts) => json!(["tuple", ts.iter().map(Type::to_json).collect::<Vec<_>>()]),
        }
    }

    /// Parses cty's JSON type notation; `None` when it is not a type.
    pub fn from_json(v: &serde_json::Value) -> Option<Type> {
        use serde_json::Value as J;
        match v {
            J::String(s) => match s.as_str() {
                "string" => Some(Type::String),
                "number" => Some(Type::Number),
                "bool" => Some(Type::Bool),
                "dynamic" => Some(Type::Dynamic),
                _ => None,
            },
            J::Array(parts) if parts.len() == 2 => {
                let kind = parts[0].as_str()?;
                match kind {
                    "list" => Some(Type::List(Box::new(Type::from_json(&parts[1])?))),
                    "set" => Some(Type::Set(Box::new(Type::from_json(&parts[1])?))),
                    "map" => Some(Type::Map(Box::new(Type::from_json(&parts[1])?))),
                    "object" => {
                        let attrs = parts[1].as_object()?;
                        let mut out = BTreeMap::new();
                        for (k, t) in attrs {
                            out.insert(k.clone(), Type::from_json(t)?);
                        }
                        Some(Type::Object(out))
                    }
                    "tuple" => {
                        let ts = parts[1].as_array()?;
                        ts.iter().map(Type::from_json).collect::<Option<Vec<_>>>().map(Type::Tuple)
                    }
                    _ => None,
                }
            }
            // ["object", {...}, ["optional", ...]] carries optional-attribute markers we ignore.
            J::Array(parts) if parts.len() == 3 && parts[0] == "object" => {
                Type::from_json(&J::Array(parts[..2].to_vec()))
            }
            _ => None,
        }
    }
}

impl Value {
    /// Whether this is [`Value::Null`] (not a value holding nulls).
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether this is [`Value::Unknown`] itself; see [`Value::is_wholly_known`] for inside.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// True when neither this value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(vs) | Value::Set(vs) | Value::Tuple(vs) => vs.iter().all(Value::is_wholly_known),
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bool, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The attributes, if this is an object.
    pub fn as_object(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// An object's attribute; `Null` when this is not an object or lacks it, so that lookups on a
    /// null nested object read as null all the way down.
    pub fn get(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self {
            Value::Object(m) => m.get(name).unwrap_or(&NULL),
            _ => &NULL,
        }
    }

    /// A string value.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// `Some(s)` as a string, `None` as null.
    pub fn opt_string(s: Option<impl Into<String>>) -> Value {
        s.map_or(Value::Null, |s| Value::String(s.into()))
    }

    /// The null value of a type with every nested attribute null too is just `Null` in cty;
    /// this builds an object from pairs, for readability at call sites.
    pub fn object<I, K>(pairs: I) -> Value
    where
        I: IntoIterator<Item = (K, Value)>,
        K: Into<String>,
    {
        Value::Object(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_compare_as_sets_lists_in_order() {
        let (a, b, c) = (Value::string("a"), Value::string("b"), Value::string("c"));
        assert_eq!(Value::Set(vec![a.clone(), b.clone()]), Value::Set(vec![b.clone(), a.clone()]));
        assert_ne!(Value::Set(vec![a.clone(), b.clone()]), Value::Set(vec![a.clone(), c.clone()]));
        assert_ne!(Value::Set(vec![a.clone()]), Value::Set(vec![a.clone(), b.clone()]));
        assert_ne!(Value::List(vec![a.clone(), b.clone()]), Value::List(vec![b.clone(), a.clone()]));
        assert_ne!(Value::Set(vec![a.clone()]), Value::List(vec![a.clone()]));
        // Nested: a set inside an object.
        let obj = |s: Vec<Value>| Value::object([("s", Value::Set(s))]);
        assert_eq!(obj(vec![a.clone(), c.clone()]), obj(vec![c, a]));
        assert_eq!(Value::Null, Value::Null);
        assert_ne!(Value::Null, Value::Unknown);
    }

    #[test]
    fn type_json_round_trip() {
        let t = Type::Object(BTreeMap::from([
            ("a".to_string(), Type::String),
            ("b".to_string(), Type::List(Box::new(Type::Number))),
            ("c".to_string(), Type::Map(Box::new(Type::Bool))),
            ("d".to_string(), Type::Set(Box::new(Type::Dynamic))),
            ("e".to_string(), Type::Tuple(vec![Type::String, Type::Bool])),
        ]));
        assert_eq!(Type::from_json(&t.to_json()), Some(t));
    }

    #[test]
    fn get_on_null_is_null() {
        assert!(Value::Null.get("x").get("y").is_null());
        let v = Value::object([("x", Value::string("a"))]);
        assert_eq!(v.get("x").as_str(), Some("a"));
    }

    #[test]
    fn wholly_known() {
        let v = Value::object([("x", Value::List(vec![Value::Unknown]))]);
        assert!(!v.is_wholly_known());
        assert!(Value::object([("x", Value::Null)]).is_wholly_known());
    }
}
