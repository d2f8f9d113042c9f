//! msgpack and JSON encodings of [`super::value::Value`].
//!
//! Both encodings follow go-cty (`cty/msgpack`, `cty/json`), which is what Terraform and OpenTofu
//! use on their side of the plugin protocol:
//!
//! * [`to_msgpack`] / [`from_msgpack`]: the `msgpack` field of a `DynamicValue` (config, prior and
//!   planned state, ...). Unknown is the msgpack extension type 0 (`d4 00 00`); on decode every
//!   extension is unknown and its payload (newer cores put refinements there, under extension
//!   type 12) is ignored. Null is msgpack nil.
//! * [`from_json`] / [`to_json`]: the JSON state format of `UpgradeResourceState`'s
//!   `raw_state.json`. It has no unknowns.
//!
//! Decoding is driven by the schema's [`Type`]; the wire never decides the type except under
//! [`Type::Dynamic`], where cty wraps the value with its type: `[type JSON, value]` in msgpack,
//! `{"value": ..., "type": ...}` in JSON.
//!
//! Objects always decode with every attribute of their type present: attributes absent from the
//! input are [`Value::Null`]. Numbers are normalised: a whole float that fits an `i64` becomes
//! [`Number::Int`] (cty does not tell `3` from `3.0`, and neither does its msgpack encoder).
//!
//! Errors carry the [`AttributePath`] (the type diagnostics point with) where decoding or
//! encoding went wrong, e.g. `config.scopes: expected string, found array`.

mod json;
mod msgpack;

pub use json::{from_json, to_json};
pub use msgpack::{from_msgpack, to_msgpack};

use std::collections::BTreeMap;

use super::diag::{AttributePath, PathStep};
use super::value::{Number, Type, Value};

/// How many containers (lists, maps, objects, tuples, dynamic wrappers) may nest inside each
/// other. Real schemas stay far below this; it bounds recursion on hostile input.
pub const MAX_DEPTH: usize = 64;

/// `"config.scopes: "`, or nothing at the top level; for error messages.
fn prefix(path: &AttributePath) -> String {
    if path.0.is_empty() {
        String::new()
    } else {
        format!("{path}: ")
    }
}

/// Why a value could not be decoded or encoded. Every variant but [`CodecError::TrailingBytes`]
/// and [`CodecError::Json`] names the path where it happened.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The input holds another kind of value than the type asks for (decoding), or the
    /// [`Value`] does not fit the type it is encoded under (encoding).
    #[error("{}expected {expected}, found {found}", prefix(.path))]
    WrongType {
        /// Where.
        path: AttributePath,
        /// cty's name of the type asked for.
        expected: &'static str,
        /// What was there instead.
        found: &'static str,
    },
    /// An object attribute the type does not have. `path` is the object's path.
    #[error("{}unsupported attribute {key:?}", prefix(.path))]
    UnknownAttribute {
        /// Where.
        path: AttributePath,
        /// The attribute's name.
        key: String,
    },
    /// The same key twice in one map or object.
    #[error("{}duplicate key {key:?}", prefix(.path))]
    DuplicateKey {
        /// Where.
        path: AttributePath,
        /// The repeated key.
        key: String,
    },
    /// A tuple with another number of elements than its type has.
    #[error("{}expected a tuple of {expected} elements, found {found}", prefix(.path))]
    TupleLength {
        /// Where.
        path: AttributePath,
        /// The type's number of elements.
        expected: usize,
        /// The input's.
        found: usize,
    },
    /// A number that cty cannot hold (NaN) or a string that is not a decimal number.
    #[error("{}invalid number {text:?}", prefix(.path))]
    InvalidNumber {
        /// Where.
        path: AttributePath,
        /// The number as written.
        text: String,
    },
    /// The input ends in the middle of a value.
    #[error("{}unexpected end of input", prefix(.path))]
    Truncated {
        /// Where.
        path: AttributePath,
    },
    /// Bytes left over after the top-level value.
    #[error("{count} trailing bytes after the value")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// Containers nested more than [`MAX_DEPTH`] deep.
    #[error("{}nesting deeper than {MAX_DEPTH} levels", prefix(.path))]
    TooDeep {
        /// Where.
        path: AttributePath,
    },
    /// Anything else that makes the input or value invalid (bad UTF-8, a malformed dynamic
    /// value, an unknown value in JSON state, ...).
    #[error("{}{message}", prefix(.path))]
    Invalid {
        /// Where.
        path: AttributePath,
        /// What is wrong.
        message: String,
    },
    /// The JSON input is not JSON.
    #[error("invalid JSON: {0}")]
    Json(#[source] serde_json::Error),
}

impl CodecError {
    /// Where the error happened; `None` for errors about the input as a whole.
    pub fn path(&self) -> Option<&AttributePath> {
        match self {
            CodecError::WrongType { path, .. }
            | CodecError::UnknownAttribute { path, .. }
            | CodecError::DuplicateKey { path, .. }
            | CodecError::TupleLength { path, .. }
            | CodecError::InvalidNumber { path, .. }
            | CodecError::Truncated { path }
            | CodecError::TooDeep { path }
            | CodecError::Invalid { path, .. } => Some(path),
            CodecError::TrailingBytes { .. } | CodecError::Json(_) => None,
        }
    }

    /// Prepends `step` to the path: called by each level while the error unwinds, so that the
    /// happy path never builds one.
    pub(crate) fn at(mut self, step: PathStep) -> Self {
        match &mut self {
            CodecError::WrongType { path, .. }
            | CodecError::UnknownAttribute { path, .. }
            | CodecError::DuplicateKey { path, .. }
            | CodecError::TupleLength { path, .. }
            | CodecError::InvalidNumber { path, .. }
            | CodecError::Truncated { path }
            | CodecError::TooDeep { path }
            | CodecError::Invalid { path, .. } => path.0.insert(0, step),
            CodecError::TrailingBytes { .. } | CodecError::Json(_) => {}
        }
        self
    }

    fn wrong_type(expected: &'static str, found: &'static str) -> Self {
        CodecError::WrongType { path: AttributePath::default(), expected, found }
    }

    fn invalid(message: impl Into<String>) -> Self {
        CodecError::Invalid { path: AttributePath::default(), message: message.into() }
    }

    fn invalid_number(text: impl Into<String>) -> Self {
        CodecError::InvalidNumber { path: AttributePath::default(), text: text.into() }
    }
}

/// Fails once `depth` containers are already open.
fn enter(depth: usize) -> Result<usize, CodecError> {
    if depth >= MAX_DEPTH {
        Err(CodecError::TooDeep { path: AttributePath::default() })
    } else {
        Ok(depth + 1)
    }
}

/// cty's name for a type, for "expected ..." in messages.
fn type_name(ty: &Type) -> &'static str {
    match ty {
        Type::String => "string",
        Type::Number => "number",
        Type::Bool => "bool",
        Type::List(_) => "list",
        Type::Set(_) => "set",
        Type::Map(_) => "map",
        Type::Object(_) => "object",
        Type::Tuple(_) => "tuple",
        Type::Dynamic => "dynamic value",
    }
}

/// A [`Value`]'s kind, for "found ..." in encoding errors.
fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Unknown => "unknown",
        Value::String(_) => "string value",
        Value::Number(_) => "number value",
        Value::Bool(_) => "bool value",
        Value::List(_) => "list value",
        Value::Set(_) => "set value",
        Value::Map(_) => "map value",
        Value::Object(_) => "object value",
        Value::Tuple(_) => "tuple value",
    }
}

/// A float as a cty number: whole values that fit an `i64` become integers; NaN is no number.
fn number_from_f64(x: f64) -> Result<Number, CodecError> {
    if x.is_nan() {
        return Err(CodecError::invalid_number("NaN"));
    }
    // -2^63 ..= 2^63 - 1: both bounds are exact as f64; the upper one is exclusive.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if x.fract() == 0.0 && (-LIMIT..LIMIT).contains(&x) {
        Ok(Number::Int(x as i64))
    } else {
        Ok(Number::Float(x))
    }
}

/// An unsigned integer as a cty number; beyond `i64` it can only be approximated.
fn number_from_u64(n: u64) -> Number {
    i64::try_from(n).map_or(Number::Float(n as f64), Number::Int)
}

/// Parses the decimal notation cty uses for numbers too big or too precise for int/float64
/// (`big.Float.Text('f', -1)`), and JSON number syntax generally: an optional sign, digits with
/// an optional fraction, an optional exponent. No `inf`, `NaN`, hex or underscores.
fn parse_decimal(s: &str) -> Result<Number, CodecError> {
    let bytes = s.as_bytes();
    let mut i = 0;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return Err(CodecError::invalid_number(s));
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if exp_digits == 0 {
            return Err(CodecError::invalid_number(s));
        }
        i += exp_digits;
    }
    if i != bytes.len() {
        return Err(CodecError::invalid_number(s));
    }
    if let Ok(n) = s.parse::<i64>() {
        return Ok(Number::Int(n));
    }
    s.parse::<f64>().map_err(|_| CodecError::invalid_number(s)).and_then(number_from_f64)
}

static NULL: Value = Value::Null;

/// The first key of `m` that `attrs` lacks, if `m` has keys beyond the `matched` ones.
fn extra_attribute(
    attrs: &BTreeMap<String, Type>,
    m: &BTreeMap<String, Value>,
    matched: usize,
) -> Result<(), CodecError> {
    if matched == m.len() {
        return Ok(());
    }
    let key = m.keys().find(|k| !attrs.contains_key(*k)).cloned().unwrap_or_default();
    Err(CodecError::UnknownAttribute { path: AttributePath::default(), key })
}

/// The concrete type of a value to be written under [`Type::Dynamic`], as cty would know it:
/// null and unknown are `dynamic`; lists, sets and maps take the common type of their elements
/// (nulls and unknowns fit any), lists and maps whose elements differ become tuples and objects.
fn infer_type(v: &Value, depth: usize) -> Result<Type, CodecError> {
    Ok(match v {
        Value::Null | Value::Unknown => Type::Dynamic,
        Value::String(_) => Type::String,
        Value::Number(_) => Type::Number,
        Value::Bool(_) => Type::Bool,
        Value::List(vs) | Value::Set(vs) | Value::Tuple(vs) => {
            let inner = enter(depth)?;
            let ts = vs
                .iter()
                .enumerate()
                .map(|(i, v)| infer_type(v, inner).map_err(|e| e.at(PathStep::ElementKeyInt(i as i64))))
                .collect::<Result<Vec<_>, _>>()?;
            match v {
                Value::Tuple(_) => Type::Tuple(ts),
                Value::List(_) => match unify_all(ts.iter()) {
                    Some(t) => Type::List(Box::new(t)),
                    None => Type::Tuple(ts),
                },
                _ => match unify_all(ts.iter()) {
                    Some(t) => Type::Set(Box::new(t)),
                    None => {
                        return Err(CodecError::invalid("set elements do not share a type, so the set has no cty type"))
                    }
                },
            }
        }
        Value::Map(m) | Value::Object(m) => {
            let inner = enter(depth)?;
            let is_map = matches!(v, Value::Map(_));
            let ts = m
                .iter()
                .map(|(k, elem)| {
                    infer_type(elem, inner).map(|t| (k.clone(), t)).map_err(|e| {
                        e.at(if is_map {
                            PathStep::ElementKeyString(k.clone())
                        } else {
                            PathStep::Attribute(k.clone())
                        })
                    })
                })
                .collect::<Result<BTreeMap<_, _>, _>>()?;
            if is_map {
                match unify_all(ts.values()) {
                    Some(t) => Type::Map(Box::new(t)),
                    None => Type::Object(ts),
                }
            } else {
                Type::Object(ts)
            }
        }
    })
}

fn unify_all<'a>(ts: impl Iterator<Item = &'a Type>) -> Option<Type> {
    let mut acc = Type::Dynamic;
    for t in ts {
        acc = unify(&acc, t)?;
    }
    Some(acc)
}

/// The most specific type both `a` and `b` conform to, treating `dynamic` as "anything".
fn unify(a: &Type, b: &Type) -> Option<Type> {
    match (a, b) {
        (Type::Dynamic, t) | (t, Type::Dynamic) => Some(t.clone()),
        (Type::String, Type::String) => Some(Type::String),
        (Type::Number, Type::Number) => Some(Type::Number),
        (Type::Bool, Type::Bool) => Some(Type::Bool),
        (Type::List(x), Type::List(y)) => Some(Type::List(Box::new(unify(x, y)?))),
        (Type::Set(x), Type::Set(y)) => Some(Type::Set(Box::new(unify(x, y)?))),
        (Type::Map(x), Type::Map(y)) => Some(Type::Map(Box::new(unify(x, y)?))),
        (Type::Object(x), Type::Object(y)) if x.len() == y.len() => {
            let mut out = BTreeMap::new();
            for ((kx, tx), (ky, ty)) in x.iter().zip(y) {
                if kx != ky {
                    return None;
                }
                out.insert(kx.clone(), unify(tx, ty)?);
            }
            Some(Type::Object(out))
        }
        (Type::Tuple(x), Type::Tuple(y)) if x.len() == y.len() => {
            x.iter().zip(y).map(|(tx, ty)| unify(tx, ty)).collect::<Option<Vec<_>>>().map(Type::Tuple)
        }
        _ => None,
    }
}

/// cty's JSON notation of a type, compact, as written inside dynamic values.
fn type_json_bytes(ty: &Type) -> Vec<u8> {
    // A `serde_json::Value` always serialises; object keys come out sorted like Go's.
    serde_json::to_vec(&ty.to_json()).unwrap_or_default()
}

/// Parses a dynamic value's type, written in cty's JSON type notation.
fn parse_type_json(bytes: &[u8]) -> Result<Type, CodecError> {
    let j: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| CodecError::invalid(format!("invalid type in dynamic value: {e}")))?;
    Type::from_json(&j).ok_or_else(|| {
        CodecError::invalid(format!("invalid type in dynamic value: {}", String::from_utf8_lossy(bytes)))
    })
}

/// Short builders of types and values for the codec tests.
#[cfg(test)]
mod build {
    use super::*;

    pub(super) fn obj(pairs: &[(&str, Type)]) -> Type {
        Type::Object(pairs.iter().map(|(k, t)| (k.to_string(), t.clone())).collect())
    }
    pub(super) fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    pub(super) fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }
    pub(super) fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }
    pub(super) fn s(x: &str) -> Value {
        Value::string(x)
    }
    pub(super) fn int(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }
    pub(super) fn float(x: f64) -> Value {
        Value::Number(Number::Float(x))
    }
    pub(super) fn vmap(pairs: &[(&str, Value)]) -> Value {
        Value::Map(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }
    pub(super) fn vobj(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (*k, v.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::build::obj;
    use super::*;

    #[test]
    fn path_display() {
        let e = CodecError::wrong_type("string", "array")
            .at(PathStep::Attribute("name".into()))
            .at(PathStep::ElementKeyInt(2))
            .at(PathStep::ElementKeyString("a\"b".into()))
            .at(PathStep::Attribute("config".into()));
        assert_eq!(e.to_string(), r#"config["a\"b"][2].name: expected string, found array"#);
        let steps: Vec<_> = e.path().unwrap().0.clone();
        assert_eq!(steps[0], PathStep::Attribute("config".into()));
        assert_eq!(steps[3], PathStep::Attribute("name".into()));
        assert_eq!(CodecError::wrong_type("object", "nil").to_string(), "expected object, found nil");
    }

    #[test]
    fn decimal_parsing() {
        assert_eq!(parse_decimal("42").unwrap(), Number::Int(42));
        assert_eq!(parse_decimal("-42").unwrap(), Number::Int(-42));
        assert_eq!(parse_decimal("+7").unwrap(), Number::Int(7));
        assert_eq!(parse_decimal("1.5").unwrap(), Number::Float(1.5));
        assert_eq!(parse_decimal(".5").unwrap(), Number::Float(0.5));
        assert_eq!(parse_decimal("5.").unwrap(), Number::Int(5));
        assert_eq!(parse_decimal("2.0").unwrap(), Number::Int(2));
        assert_eq!(parse_decimal("1e3").unwrap(), Number::Int(1000));
        assert_eq!(parse_decimal("-1.25E-2").unwrap(), Number::Float(-0.0125));
        assert_eq!(parse_decimal("9223372036854775807").unwrap(), Number::Int(i64::MAX));
        assert_eq!(parse_decimal("9223372036854775808").unwrap(), Number::Float(9_223_372_036_854_775_808.0));
        assert_eq!(parse_decimal("123456789012345678901234567890").unwrap(), Number::Float(1.2345678901234568e29));
        for bad in [
            "", "-", ".", "e5", "1e", "1e+", "abc", "NaN", "inf", "infinity", "0x10", "1_000", " 1", "1 ", "1..2",
            "--1",
        ] {
            let err = parse_decimal(bad).unwrap_err();
            assert!(matches!(err, CodecError::InvalidNumber { .. }), "{bad:?}: {err}");
        }
    }

    #[test]
    fn float_normalisation() {
        assert_eq!(number_from_f64(3.0).unwrap(), Number::Int(3));
        assert_eq!(number_from_f64(-0.0).unwrap(), Number::Int(0));
        assert_eq!(number_from_f64(0.5).unwrap(), Number::Float(0.5));
        assert_eq!(number_from_f64(-9_223_372_036_854_775_808.0).unwrap(), Number::Int(i64::MIN));
        assert_eq!(number_from_f64(9_223_372_036_854_775_808.0).unwrap(), Number::Float(9_223_372_036_854_775_808.0));
        assert_eq!(number_from_f64(f64::INFINITY).unwrap(), Number::Float(f64::INFINITY));
        assert!(number_from_f64(f64::NAN).is_err());
        assert_eq!(number_from_u64(u64::MAX), Number::Float(u64::MAX as f64));
        assert_eq!(number_from_u64(5), Number::Int(5));
    }

    #[test]
    fn type_inference() {
        let s = |x: &str| Value::string(x);
        let n = |x: i64| Value::Number(Number::Int(x));
        assert_eq!(
            infer_type(&Value::List(vec![s("a"), Value::Null, s("b")]), 0).unwrap(),
            Type::List(Box::new(Type::String))
        );
        assert_eq!(
            infer_type(&Value::List(vec![s("a"), n(1)]), 0).unwrap(),
            Type::Tuple(vec![Type::String, Type::Number])
        );
        assert_eq!(infer_type(&Value::List(vec![]), 0).unwrap(), Type::List(Box::new(Type::Dynamic)));
        assert_eq!(
            infer_type(&Value::Map(BTreeMap::from([("a".into(), s("x")), ("b".into(), n(1))])), 0).unwrap(),
            obj(&[("a", Type::String), ("b", Type::Number)])
        );
        assert_eq!(
            infer_type(&Value::Map(BTreeMap::from([("a".into(), Value::Unknown), ("b".into(), n(1))])), 0).unwrap(),
            Type::Map(Box::new(Type::Number))
        );
        // Objects unify attribute by attribute: a null attribute takes the other's type.
        let o1 = Value::object([("a", Value::Null), ("b", n(1))]);
        let o2 = Value::object([("a", s("x")), ("b", Value::Null)]);
        assert_eq!(
            infer_type(&Value::Set(vec![o1, o2]), 0).unwrap(),
            Type::Set(Box::new(obj(&[("a", Type::String), ("b", Type::Number)])))
        );
        let err = infer_type(&Value::Set(vec![s("a"), n(1)]), 0).unwrap_err();
        assert!(err.to_string().contains("set elements"), "{err}");
        assert_eq!(
            infer_type(&Value::Tuple(vec![s("a"), s("b")]), 0).unwrap(),
            Type::Tuple(vec![Type::String, Type::String])
        );
    }

    #[test]
    fn type_json_is_compact_and_sorted() {
        let t = Type::List(Box::new(obj(&[("z", Type::String), ("a", Type::Map(Box::new(Type::Bool)))])));
        assert_eq!(
            String::from_utf8(type_json_bytes(&t)).unwrap(),
            r#"["list",["object",{"a":["map","bool"],"z":"string"}]]"#
        );
        assert_eq!(parse_type_json(&type_json_bytes(&t)).unwrap(), t);
        assert!(parse_type_json(b"\"strnig\"").is_err());
        assert!(parse_type_json(b"[").is_err());
    }
}
