//! cty's JSON encoding (go-cty `cty/json`), the format of Terraform's JSON state.

use std::collections::BTreeMap;

use serde_json::Value as J;

use super::{
    enter, extra_attribute, infer_type, number_from_f64, number_from_u64, parse_decimal, type_json_bytes, type_name,
    value_kind, CodecError, NULL,
};
use crate::diag::{AttributePath, PathStep};
use crate::value::{Number, Type, Value};

/// Decodes Terraform's JSON state (UpgradeResourceState's `raw_state.json`) as a value of type
/// `ty`. There are no unknowns in state. Attributes absent from the JSON are null; attributes
/// the type lacks (state written by an older schema) are an error naming the key, so the
/// caller decides what to do with them. Like go-cty, strings accept JSON numbers and bools,
/// numbers accept decimal strings, and bools accept `"true"`/`"false"`. Empty input is null.
pub fn from_json(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    let j: J = serde_json::from_slice(bytes).map_err(CodecError::Json)?;
    decode(j, ty, 0)
}

/// Encodes `value` in the same JSON format: objects with every attribute of the type (absent
/// ones as `null`), dynamic values as `{"value": ..., "type": ...}`. Unknown values, NaN and
/// infinities have no JSON form and are errors. For tests and debugging.
pub fn to_json(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::with_capacity(128);
    encode(&mut out, value, ty, 0)?;
    Ok(out)
}

fn json_kind(j: &J) -> &'static str {
    match j {
        J::Null => "null",
        J::Bool(_) => "bool",
        J::Number(_) => "number",
        J::String(_) => "string",
        J::Array(_) => "array",
        J::Object(_) => "object",
    }
}

fn json_number(n: &serde_json::Number) -> Result<Number, CodecError> {
    if let Some(i) = n.as_i64() {
        Ok(Number::Int(i))
    } else if let Some(u) = n.as_u64() {
        Ok(number_from_u64(u))
    } else {
        number_from_f64(n.as_f64().unwrap_or(f64::NAN))
    }
}

fn decode(j: J, ty: &Type, depth: usize) -> Result<Value, CodecError> {
    if j.is_null() {
        return Ok(Value::Null);
    }
    let wrong = |j: &J| CodecError::wrong_type(type_name(ty), json_kind(j));
    match ty {
        Type::String => match j {
            J::String(s) => Ok(Value::String(s)),
            J::Number(n) => Ok(Value::String(n.to_string())),
            J::Bool(b) => Ok(Value::String(b.to_string())),
            other => Err(wrong(&other)),
        },
        Type::Number => match j {
            J::Number(n) => json_number(&n).map(Value::Number),
            J::String(s) => parse_decimal(&s).map(Value::Number),
            other => Err(wrong(&other)),
        },
        Type::Bool => match j {
            J::Bool(b) => Ok(Value::Bool(b)),
            J::String(s) if s == "true" => Ok(Value::Bool(true)),
            J::String(s) if s == "false" => Ok(Value::Bool(false)),
            other => Err(wrong(&other)),
        },
        Type::List(ety) | Type::Set(ety) => {
            let J::Array(items) = j else {
                return Err(wrong(&j));
            };
            let items = decode_elements(items, depth, |_| ety.as_ref())?;
            Ok(match ty {
                Type::List(_) => Value::List(items),
                _ => Value::Set(items),
            })
        }
        Type::Tuple(etys) => {
            let J::Array(items) = j else {
                return Err(wrong(&j));
            };
            if items.len() != etys.len() {
                return Err(CodecError::TupleLength {
                    path: AttributePath::default(),
                    expected: etys.len(),
                    found: items.len(),
                });
            }
            decode_elements(items, depth, |i| &etys[i]).map(Value::Tuple)
        }
        Type::Map(ety) => {
            let J::Object(m) = j else {
                return Err(wrong(&j));
            };
            let inner = enter(depth)?;
            let mut out = BTreeMap::new();
            for (k, v) in m {
                let v = decode(v, ety, inner).map_err(|e| e.at(PathStep::ElementKeyString(k.clone())))?;
                out.insert(k, v);
            }
            Ok(Value::Map(out))
        }
        Type::Object(attrs) => {
            let J::Object(m) = j else {
                return Err(wrong(&j));
            };
            let inner = enter(depth)?;
            let mut out = BTreeMap::new();
            for (k, v) in m {
                let Some(aty) = attrs.get(&k) else {
                    return Err(CodecError::UnknownAttribute { path: AttributePath::default(), key: k });
                };
                let v = decode(v, aty, inner).map_err(|e| e.at(PathStep::Attribute(k.clone())))?;
                out.insert(k, v);
            }
            if out.len() < attrs.len() {
                for name in attrs.keys() {
                    out.entry(name.clone()).or_insert(Value::Null);
                }
            }
            Ok(Value::Object(out))
        }
        Type::Dynamic => {
            let J::Object(m) = j else {
                return Err(CodecError::wrong_type("dynamic value ({\"value\", \"type\"} object)", json_kind(&j)));
            };
            let inner = enter(depth)?;
            let (mut value, mut type_j) = (None, None);
            for (k, v) in m {
                match k.as_str() {
                    "value" => value = Some(v),
                    "type" => type_j = Some(v),
                    _ => return Err(CodecError::invalid(format!("invalid key {k:?} in dynamic value"))),
                }
            }
            let type_j = type_j.ok_or_else(|| CodecError::invalid("missing type in dynamic value"))?;
            let value = value.ok_or_else(|| CodecError::invalid("missing value in dynamic value"))?;
            let concrete = Type::from_json(&type_j)
                .ok_or_else(|| CodecError::invalid(format!("invalid type in dynamic value: {type_j}")))?;
            decode(value, &concrete, inner)
        }
    }
}

fn decode_elements<'t>(items: Vec<J>, depth: usize, ety: impl Fn(usize) -> &'t Type) -> Result<Vec<Value>, CodecError> {
    let inner = enter(depth)?;
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| decode(item, ety(i), inner).map_err(|e| e.at(PathStep::ElementKeyInt(i as i64))))
        .collect()
}

fn encode(out: &mut Vec<u8>, v: &Value, ty: &Type, depth: usize) -> Result<(), CodecError> {
    match v {
        Value::Null => {
            out.extend_from_slice(b"null");
            return Ok(());
        }
        Value::Unknown => return Err(CodecError::invalid("unknown value has no JSON form")),
        _ => {}
    }
    match (ty, v) {
        (Type::Dynamic, _) => {
            let inner = enter(depth)?;
            let concrete = infer_type(v, inner)?;
            out.extend_from_slice(b"{\"value\":");
            encode(out, v, &concrete, inner)?;
            out.extend_from_slice(b",\"type\":");
            out.extend_from_slice(&type_json_bytes(&concrete));
            out.push(b'}');
            Ok(())
        }
        (Type::String, Value::String(s)) => write(out, s),
        (Type::Number, Value::Number(n)) => match number_from_f64_or_int(*n)? {
            Number::Int(i) => write(out, &i),
            Number::Float(x) if x.is_finite() => write(out, &x),
            Number::Float(x) => Err(CodecError::invalid_number(x.to_string())),
        },
        (Type::Bool, Value::Bool(b)) => write(out, b),
        (Type::List(ety), Value::List(vs)) | (Type::Set(ety), Value::Set(vs)) => {
            encode_elements(out, vs, depth, |_| ety.as_ref())
        }
        (Type::Tuple(etys), Value::Tuple(vs) | Value::List(vs)) => {
            if etys.len() != vs.len() {
                return Err(CodecError::TupleLength {
                    path: AttributePath::default(),
                    expected: etys.len(),
                    found: vs.len(),
                });
            }
            encode_elements(out, vs, depth, |i| &etys[i])
        }
        (Type::Map(ety), Value::Map(m)) => {
            let inner = enter(depth)?;
            out.push(b'{');
            for (i, (k, e)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(out, k)?;
                out.push(b':');
                encode(out, e, ety, inner).map_err(|err| err.at(PathStep::ElementKeyString(k.clone())))?;
            }
            out.push(b'}');
            Ok(())
        }
        (Type::Object(attrs), Value::Object(m) | Value::Map(m)) => {
            let inner = enter(depth)?;
            out.push(b'{');
            let mut matched = 0;
            for (i, (name, aty)) in attrs.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(out, name)?;
                out.push(b':');
                let av = match m.get(name) {
                    Some(av) => {
                        matched += 1;
                        av
                    }
                    None => &NULL,
                };
                encode(out, av, aty, inner).map_err(|err| err.at(PathStep::Attribute(name.clone())))?;
            }
            out.push(b'}');
            extra_attribute(attrs, m, matched)
        }
        _ => Err(CodecError::wrong_type(type_name(ty), value_kind(v))),
    }
}

fn number_from_f64_or_int(n: Number) -> Result<Number, CodecError> {
    match n {
        Number::Int(_) => Ok(n),
        Number::Float(x) => number_from_f64(x),
    }
}

fn encode_elements<'t>(
    out: &mut Vec<u8>,
    vs: &[Value],
    depth: usize,
    ety: impl Fn(usize) -> &'t Type,
) -> Result<(), CodecError> {
    let inner = enter(depth)?;
    out.push(b'[');
    for (i, e) in vs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        encode(out, e, ety(i), inner).map_err(|err| err.at(PathStep::ElementKeyInt(i as i64)))?;
    }
    out.push(b']');
    Ok(())
}

/// A JSON scalar (string with escaping, integer, float in shortest round-trip form).
fn write<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, x: &T) -> Result<(), CodecError> {
    serde_json::to_writer(out, x).map_err(CodecError::Json)
}

#[cfg(test)]
mod tests {
    use super::super::build::*;
    use super::super::MAX_DEPTH;
    use super::*;

    fn state_type() -> Type {
        obj(&[
            ("id", Type::String),
            ("config", obj(&[("scopes", Type::String), ("client_secret", Type::String), ("auth_type", Type::String)])),
            ("n", Type::Number),
            ("tags", Type::Map(Box::new(Type::String))),
            ("names", Type::Set(Box::new(Type::String))),
            ("pair", Type::Tuple(vec![Type::String, Type::Bool])),
            ("extra", Type::Dynamic),
        ])
    }

    #[track_caller]
    fn round_trip(v: &Value, ty: &Type) -> String {
        let bytes = to_json(v, ty).unwrap_or_else(|e| panic!("encode {v:?}: {e}"));
        let back = from_json(&bytes, ty).unwrap_or_else(|e| panic!("decode {v:?}: {e}"));
        assert_eq!(&back, v);
        String::from_utf8(bytes).unwrap()
    }

    #[track_caller]
    fn decode_err(json: &str, ty: &Type) -> String {
        match from_json(json.as_bytes(), ty) {
            Ok(v) => panic!("decoded {json} as {v:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn realistic_state() {
        let json = br#"{"id":"g","config":{"scopes":"a b","client_secret":null},"n":3}"#;
        let v = from_json(json, &state_type()).unwrap();
        assert_eq!(
            v,
            vobj(&[
                ("id", s("g")),
                ("config", vobj(&[("scopes", s("a b")), ("client_secret", Value::Null), ("auth_type", Value::Null),])),
                ("n", int(3)),
                ("tags", Value::Null),
                ("names", Value::Null),
                ("pair", Value::Null),
                ("extra", Value::Null),
            ])
        );
        assert_eq!(v.get("config").get("scopes").as_str(), Some("a b"));
        assert_eq!(
            String::from_utf8(to_json(&v, &state_type()).unwrap()).unwrap(),
            r#"{"config":{"auth_type":null,"client_secret":null,"scopes":"a b"},"extra":null,"id":"g","n":3,"names":null,"pair":null,"tags":null}"#
        );
    }

    #[test]
    fn round_trips() {
        let ty = state_type();
        let v = vobj(&[
            ("id", s("with \"quotes\" and \u{e9}\n")),
            ("config", vobj(&[("scopes", Value::Null), ("client_secret", s("")), ("auth_type", s("x"))])),
            ("n", float(-0.5)),
            ("tags", Value::Map(BTreeMap::from([("a".into(), s("1")), ("b".into(), Value::Null)]))),
            ("names", Value::Set(vec![s("x"), s("y")])),
            ("pair", Value::Tuple(vec![s("p"), Value::Bool(false)])),
            ("extra", vobj(&[("k", Value::List(vec![int(1), Value::Null])), ("b", Value::Bool(true))])),
        ]);
        round_trip(&v, &ty);
        assert_eq!(round_trip(&Value::Null, &ty), "null");
        round_trip(&Value::List(vec![]), &list(Type::String));
        round_trip(&Value::List(vec![Value::Null, s("a")]), &list(Type::String));
        for i in [0, 1, -1, i64::MAX, i64::MIN] {
            assert_eq!(round_trip(&int(i), &Type::Number), i.to_string());
        }
        assert_eq!(round_trip(&float(0.1), &Type::Number), "0.1");
        assert_eq!(round_trip(&float(1e300), &Type::Number), "1e+300");
        assert_eq!(to_json(&float(2.0), &Type::Number).unwrap(), b"2");
    }

    #[test]
    fn numbers() {
        let n = |json: &str| from_json(json.as_bytes(), &Type::Number).unwrap();
        assert_eq!(n("9223372036854775807"), int(i64::MAX));
        assert_eq!(n("-9223372036854775808"), int(i64::MIN));
        assert_eq!(n("18446744073709551615"), float(u64::MAX as f64));
        assert_eq!(n("3.0"), int(3));
        assert_eq!(n("1e2"), int(100));
        assert_eq!(n("1.5"), float(1.5));
        assert_eq!(n("\"42\""), int(42));
        assert_eq!(n("\"0.25\""), float(0.25));
        assert_eq!(decode_err("\"x\"", &Type::Number), "invalid number \"x\"");
        assert_eq!(decode_err("true", &Type::Number), "expected number, found bool");
        let err = to_json(&float(f64::INFINITY), &Type::Number).unwrap_err();
        assert_eq!(err.to_string(), "invalid number \"inf\"");
        assert!(to_json(&float(f64::NAN), &Type::Number).is_err());
    }

    #[test]
    fn lenient_primitives_like_go_cty() {
        assert_eq!(from_json(b"5", &Type::String).unwrap(), s("5"));
        assert_eq!(from_json(b"true", &Type::String).unwrap(), s("true"));
        assert_eq!(from_json(b"\"true\"", &Type::Bool).unwrap(), Value::Bool(true));
        assert_eq!(from_json(b"\"false\"", &Type::Bool).unwrap(), Value::Bool(false));
        assert_eq!(decode_err("\"yes\"", &Type::Bool), "expected bool, found string");
        assert_eq!(decode_err("[]", &Type::String), "expected string, found array");
    }

    #[test]
    fn dynamic() {
        let ty = obj(&[("d", Type::Dynamic)]);
        let v = vobj(&[("d", s("x"))]);
        assert_eq!(round_trip(&v, &ty), r#"{"d":{"value":"x","type":"string"}}"#);
        assert_eq!(round_trip(&vobj(&[("d", Value::Null)]), &ty), r#"{"d":null}"#);
        let nested = vobj(&[("d", vobj(&[("a", Value::List(vec![int(1)]))]))]);
        assert_eq!(round_trip(&nested, &ty), r#"{"d":{"value":{"a":[1]},"type":["object",{"a":["list","number"]}]}}"#);
        // Key order does not matter on input.
        let v2 = from_json(br#"{"d":{"type":"bool","value":true}}"#, &ty).unwrap();
        assert_eq!(v2, vobj(&[("d", Value::Bool(true))]));
        assert_eq!(decode_err(r#"{"d":{"value":1}}"#, &ty), "d: missing type in dynamic value");
        assert_eq!(decode_err(r#"{"d":{"type":"number"}}"#, &ty), "d: missing value in dynamic value");
        assert_eq!(
            decode_err(r#"{"d":{"type":"number","value":1,"x":2}}"#, &ty),
            "d: invalid key \"x\" in dynamic value"
        );
        assert_eq!(decode_err(r#"{"d":{"type":"int","value":1}}"#, &ty), "d: invalid type in dynamic value: \"int\"");
        assert_eq!(decode_err(r#"{"d":{"type":"string","value":[]}}"#, &ty), "d: expected string, found array");
        assert_eq!(
            decode_err(r#"{"d":"x"}"#, &ty),
            "d: expected dynamic value ({\"value\", \"type\"} object), found string"
        );
    }

    #[test]
    fn errors_name_the_path() {
        let ty = state_type();
        assert_eq!(decode_err(r#"{"config":{"scopes":["a"]}}"#, &ty), "config.scopes: expected string, found array");
        let err = from_json(br#"{"id":"g","old_attr":1}"#, &ty).unwrap_err();
        assert_eq!(err.to_string(), "unsupported attribute \"old_attr\"");
        assert!(matches!(err, CodecError::UnknownAttribute { ref key, .. } if key == "old_attr"));
        assert_eq!(decode_err(r#"{"config":{"legacy":true}}"#, &ty), "config: unsupported attribute \"legacy\"");
        assert_eq!(decode_err(r#"{"tags":{"k":{}}}"#, &ty), "tags[\"k\"]: expected string, found object");
        assert_eq!(decode_err(r#"{"names":["a",1,[]]}"#, &ty), "names[2]: expected string, found array");
        assert_eq!(decode_err(r#"{"pair":["a"]}"#, &ty), "pair: expected a tuple of 2 elements, found 1");
        assert_eq!(decode_err("[]", &ty), "expected object, found array");
        assert!(decode_err("{", &ty).starts_with("invalid JSON: "));
        assert!(decode_err("{} {}", &ty).starts_with("invalid JSON: trailing characters"));
        assert_eq!(from_json(b"", &ty).unwrap(), Value::Null);
        assert_eq!(from_json(b" \n", &ty).unwrap(), Value::Null);

        let err = to_json(&vobj(&[("config", vobj(&[("scopes", Value::Unknown)]))]), &ty).unwrap_err();
        assert_eq!(err.to_string(), "config.scopes: unknown value has no JSON form");
        let err = to_json(&vobj(&[("zzz", s("a"))]), &ty).unwrap_err();
        assert_eq!(err.to_string(), "unsupported attribute \"zzz\"");
        let err = to_json(&vobj(&[("n", s("1"))]), &ty).unwrap_err();
        assert_eq!(err.to_string(), "n: expected number, found string value");
    }

    #[test]
    fn nesting_is_limited() {
        // Within serde_json's own limit (128), ours (64) applies.
        let mut json = String::new();
        for _ in 0..100 {
            json.push_str(r#"{"type":"dynamic","value":"#);
        }
        json.push_str("null");
        json.push_str(&"}".repeat(100));
        let err = from_json(json.as_bytes(), &Type::Dynamic).unwrap_err();
        assert!(matches!(err, CodecError::TooDeep { .. }), "{err}");
        assert_eq!(err.to_string(), format!("nesting deeper than {MAX_DEPTH} levels"));
        // Beyond it, serde_json refuses first.
        let json = "[".repeat(10_000);
        assert!(from_json(json.as_bytes(), &Type::Dynamic).is_err());
    }
}
