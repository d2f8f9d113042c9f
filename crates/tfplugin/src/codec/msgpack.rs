//! cty's msgpack encoding (go-cty `cty/msgpack`), read straight from the bytes.

use std::collections::BTreeMap;

use rmp::Marker;

use super::{
    enter, extra_attribute, infer_type, number_from_f64, number_from_u64, parse_decimal, parse_type_json,
    type_json_bytes, type_name, value_kind, CodecError, NULL,
};
use crate::diag::{AttributePath, PathStep};
use crate::value::{Number, Type, Value};

/// What go-cty writes for a wholly unknown value: fixext1, extension type 0, one zero byte.
const UNKNOWN: [u8; 3] = [0xd4, 0x00, 0x00];

/// Encodes `value` as a value of type `ty`, byte for byte as go-cty would.
///
/// Objects are written with every attribute of `ty`, in sorted order, absent ones as nil; a
/// key of `value` that `ty` lacks is an error. Under [`Type::Dynamic`] the value is wrapped as
/// `[type JSON, value]` with its type inferred from the value; null and unknown are written bare.
/// Integers use the smallest msgpack int; floats that are whole and fit `i64` are written as
/// ints, other floats as float64.
pub fn to_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::with_capacity(128);
    encode(&mut out, value, ty, 0)?;
    Ok(out)
}

/// Decodes a value of type `ty`. Empty input is null (Terraform leaves some `DynamicValue`s
/// empty); anything after the value is an error.
pub fn from_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    let mut r = Reader { rest: bytes };
    let value = decode(&mut r, ty, 0)?;
    if !r.rest.is_empty() {
        return Err(CodecError::TrailingBytes { count: r.rest.len() });
    }
    Ok(value)
}

// ---------------------------------------------------------------------------------------------
// Encoding

fn encode(out: &mut Vec<u8>, v: &Value, ty: &Type, depth: usize) -> Result<(), CodecError> {
    match v {
        Value::Null => {
            out.push(0xc0);
            return Ok(());
        }
        Value::Unknown => {
            out.extend_from_slice(&UNKNOWN);
            return Ok(());
        }
        _ => {}
    }
    match (ty, v) {
        (Type::Dynamic, _) => {
            let inner = enter(depth)?;
            let concrete = infer_type(v, inner)?;
            let type_json = type_json_bytes(&concrete);
            out.push(0x92);
            write_header(out, type_json.len(), None, Some(0xc4), 0xc5, 0xc6)?;
            out.extend_from_slice(&type_json);
            encode(out, v, &concrete, inner)
        }
        (Type::String, Value::String(s)) => write_str(out, s),
        (Type::Number, Value::Number(n)) => write_number(out, *n),
        (Type::Bool, Value::Bool(b)) => {
            out.push(if *b { 0xc3 } else { 0xc2 });
            Ok(())
        }
        (Type::List(ety), Value::List(vs)) | (Type::Set(ety), Value::Set(vs)) => {
            let inner = enter(depth)?;
            write_header(out, vs.len(), Some((0x90, 15)), None, 0xdc, 0xdd)?;
            for (i, e) in vs.iter().enumerate() {
                encode(out, e, ety, inner).map_err(|err| err.at(PathStep::ElementKeyInt(i as i64)))?;
            }
            Ok(())
        }
        // A list under a tuple type is what type inference makes of a heterogeneous list.
        (Type::Tuple(etys), Value::Tuple(vs) | Value::List(vs)) => {
            if etys.len() != vs.len() {
                return Err(CodecError::TupleLength {
                    path: AttributePath::default(),
                    expected: etys.len(),
                    found: vs.len(),
                });
            }
            let inner = enter(depth)?;
            write_header(out, vs.len(), Some((0x90, 15)), None, 0xdc, 0xdd)?;
            for (i, (e, ety)) in vs.iter().zip(etys).enumerate() {
                encode(out, e, ety, inner).map_err(|err| err.at(PathStep::ElementKeyInt(i as i64)))?;
            }
            Ok(())
        }
        (Type::Map(ety), Value::Map(m)) => {
            let inner = enter(depth)?;
            write_header(out, m.len(), Some((0x80, 15)), None, 0xde, 0xdf)?;
            for (k, e) in m {
                write_str(out, k)?;
                encode(out, e, ety, inner).map_err(|err| err.at(PathStep::ElementKeyString(k.clone())))?;
            }
            Ok(())
        }
        // A map under an object type is what type inference makes of a heterogeneous map.
        (Type::Object(attrs), Value::Object(m) | Value::Map(m)) => {
            let inner = enter(depth)?;
            write_header(out, attrs.len(), Some((0x80, 15)), None, 0xde, 0xdf)?;
            let mut matched = 0;
            for (name, aty) in attrs {
                write_str(out, name)?;
                let av = match m.get(name) {
                    Some(av) => {
                        matched += 1;
                        av
                    }
                    None => &NULL,
                };
                encode(out, av, aty, inner).map_err(|err| err.at(PathStep::Attribute(name.clone())))?;
            }
            extra_attribute(attrs, m, matched)
        }
        _ => Err(CodecError::wrong_type(type_name(ty), value_kind(v))),
    }
}

/// A length-prefixed header: a fix form holding lengths up to `fix.1` in the marker itself,
/// then the 8-, 16- and 32-bit length forms (some families have no 8-bit form).
fn write_header(
    out: &mut Vec<u8>,
    len: usize,
    fix: Option<(u8, usize)>,
    m8: Option<u8>,
    m16: u8,
    m32: u8,
) -> Result<(), CodecError> {
    match (fix, m8) {
        (Some((base, max)), _) if len <= max => out.push(base | len as u8),
        (_, Some(m8)) if len <= 0xff => out.extend_from_slice(&[m8, len as u8]),
        _ if len <= 0xffff => {
            out.push(m16);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            let len = u32::try_from(len).map_err(|_| CodecError::invalid("too long for msgpack (over 4 GiB)"))?;
            out.push(m32);
            out.extend_from_slice(&len.to_be_bytes());
        }
    }
    Ok(())
}

fn write_str(out: &mut Vec<u8>, s: &str) -> Result<(), CodecError> {
    write_header(out, s.len(), Some((0xa0, 31)), Some(0xd9), 0xda, 0xdb)?;
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

fn write_number(out: &mut Vec<u8>, n: Number) -> Result<(), CodecError> {
    match n {
        Number::Int(i) => write_int(out, i),
        Number::Float(x) => match number_from_f64(x)? {
            Number::Int(i) => write_int(out, i),
            Number::Float(x) => {
                // go-cty turns compact floats off: every other float is a float64.
                out.push(0xcb);
                out.extend_from_slice(&x.to_be_bytes());
            }
        },
    }
    Ok(())
}

/// The smallest msgpack int, as go-cty's encoder picks it: the unsigned family for
/// non-negative values, the signed one for negative values.
fn write_int(out: &mut Vec<u8>, i: i64) {
    if let Ok(u) = u64::try_from(i) {
        match u {
            0..=0x7f => out.push(u as u8),
            0x80..=0xff => out.extend_from_slice(&[0xcc, u as u8]),
            0x100..=0xffff => {
                out.push(0xcd);
                out.extend_from_slice(&(u as u16).to_be_bytes());
            }
            0x1_0000..=0xffff_ffff => {
                out.push(0xce);
                out.extend_from_slice(&(u as u32).to_be_bytes());
            }
            _ => {
                out.push(0xcf);
                out.extend_from_slice(&u.to_be_bytes());
            }
        }
    } else if i >= -32 {
        out.push(i as u8);
    } else if let Ok(i) = i8::try_from(i) {
        out.extend_from_slice(&[0xd0, i as u8]);
    } else if let Ok(i) = i16::try_from(i) {
        out.push(0xd1);
        out.extend_from_slice(&i.to_be_bytes());
    } else if let Ok(i) = i32::try_from(i) {
        out.push(0xd2);
        out.extend_from_slice(&i.to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&i.to_be_bytes());
    }
}

// ---------------------------------------------------------------------------------------------
// Decoding

/// The undecoded rest of the input. Every read checks the length first, so no input panics,
/// and nothing is allocated from a declared length.
struct Reader<'a> {
    rest: &'a [u8],
}

fn truncated() -> CodecError {
    CodecError::Truncated { path: AttributePath::default() }
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        if n > self.rest.len() {
            return Err(truncated());
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn bytes<const N: usize>(&mut self) -> Result<[u8; N], CodecError> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn marker(&mut self) -> Result<Marker, CodecError> {
        Ok(Marker::from_u8(self.bytes::<1>()?[0]))
    }

    fn u8(&mut self) -> Result<u8, CodecError> {
        Ok(self.bytes::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, CodecError> {
        self.bytes().map(u16::from_be_bytes)
    }

    fn u32(&mut self) -> Result<u32, CodecError> {
        self.bytes().map(u32::from_be_bytes)
    }

    fn u64(&mut self) -> Result<u64, CodecError> {
        self.bytes().map(u64::from_be_bytes)
    }

    /// The payload of a str or bin value; `None` (nothing consumed) for other markers.
    fn raw(&mut self, m: Marker) -> Result<Option<&'a [u8]>, CodecError> {
        let len = match m {
            Marker::FixStr(n) => usize::from(n),
            Marker::Str8 | Marker::Bin8 => usize::from(self.u8()?),
            Marker::Str16 | Marker::Bin16 => usize::from(self.u16()?),
            Marker::Str32 | Marker::Bin32 => self.u32()? as usize,
            _ => return Ok(None),
        };
        self.take(len).map(Some)
    }

    /// Skips an extension value's payload; `false` (nothing consumed) for other markers.
    fn skip_ext(&mut self, m: Marker) -> Result<bool, CodecError> {
        let len = match m {
            Marker::FixExt1 => 1,
            Marker::FixExt2 => 2,
            Marker::FixExt4 => 4,
            Marker::FixExt8 => 8,
            Marker::FixExt16 => 16,
            Marker::Ext8 => usize::from(self.u8()?),
            Marker::Ext16 => usize::from(self.u16()?),
            Marker::Ext32 => self.u32()? as usize,
            _ => return Ok(false),
        };
        // The extension type byte, then the payload.
        self.take(1 + len)?;
        Ok(true)
    }

    fn array_len(&mut self, m: Marker, expected: &'static str) -> Result<usize, CodecError> {
        match m {
            Marker::FixArray(n) => Ok(usize::from(n)),
            Marker::Array16 => Ok(usize::from(self.u16()?)),
            Marker::Array32 => Ok(self.u32()? as usize),
            _ => Err(CodecError::wrong_type(expected, marker_kind(m))),
        }
    }

    fn map_len(&mut self, m: Marker, expected: &'static str) -> Result<usize, CodecError> {
        match m {
            Marker::FixMap(n) => Ok(usize::from(n)),
            Marker::Map16 => Ok(usize::from(self.u16()?)),
            Marker::Map32 => Ok(self.u32()? as usize),
            _ => Err(CodecError::wrong_type(expected, marker_kind(m))),
        }
    }

    /// A string (str, or bin holding UTF-8, as go-cty's decoder also accepts).
    fn str(&mut self, expected: &'static str) -> Result<&'a str, CodecError> {
        let m = self.marker()?;
        self.str_after(m, expected)
    }

    fn str_after(&mut self, m: Marker, expected: &'static str) -> Result<&'a str, CodecError> {
        let raw = self.raw(m)?.ok_or_else(|| CodecError::wrong_type(expected, marker_kind(m)))?;
        std::str::from_utf8(raw).map_err(|_| CodecError::invalid("invalid UTF-8 in string"))
    }
}

/// What a marker introduces, for "found ..." in messages.
fn marker_kind(m: Marker) -> &'static str {
    match m {
        Marker::Null => "nil",
        Marker::True | Marker::False => "bool",
        Marker::FixPos(_)
        | Marker::FixNeg(_)
        | Marker::U8
        | Marker::U16
        | Marker::U32
        | Marker::U64
        | Marker::I8
        | Marker::I16
        | Marker::I32
        | Marker::I64 => "integer",
        Marker::F32 | Marker::F64 => "float",
        Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => "string",
        Marker::Bin8 | Marker::Bin16 | Marker::Bin32 => "binary",
        Marker::FixArray(_) | Marker::Array16 | Marker::Array32 => "array",
        Marker::FixMap(_) | Marker::Map16 | Marker::Map32 => "map",
        Marker::FixExt1
        | Marker::FixExt2
        | Marker::FixExt4
        | Marker::FixExt8
        | Marker::FixExt16
        | Marker::Ext8
        | Marker::Ext16
        | Marker::Ext32 => "extension",
        Marker::Reserved => "reserved byte 0xc1",
    }
}

fn decode(r: &mut Reader<'_>, ty: &Type, depth: usize) -> Result<Value, CodecError> {
    let m = r.marker()?;
    if m == Marker::Null {
        return Ok(Value::Null);
    }
    // go-cty treats every extension as unknown; the payload (refinements under extension type
    // 12 in newer cores) does not concern us.
    if r.skip_ext(m)? {
        return Ok(Value::Unknown);
    }
    match ty {
        Type::String => Ok(Value::String(r.str_after(m, "string")?.to_owned())),
        Type::Number => read_number(r, m).map(Value::Number),
        Type::Bool => match m {
            Marker::True => Ok(Value::Bool(true)),
            Marker::False => Ok(Value::Bool(false)),
            _ => Err(CodecError::wrong_type("bool", marker_kind(m))),
        },
        Type::List(ety) => {
            let n = r.array_len(m, "list")?;
            decode_elements(r, n, depth, |_| Some(ety.as_ref())).map(Value::List)
        }
        Type::Set(ety) => {
            let n = r.array_len(m, "set")?;
            decode_elements(r, n, depth, |_| Some(ety.as_ref())).map(Value::Set)
        }
        Type::Tuple(etys) => {
            let n = r.array_len(m, "tuple")?;
            if n != etys.len() {
                return Err(CodecError::TupleLength { path: AttributePath::default(), expected: etys.len(), found: n });
            }
            decode_elements(r, n, depth, |i| etys.get(i)).map(Value::Tuple)
        }
        Type::Map(ety) => {
            let n = r.map_len(m, "map")?;
            let inner = enter(depth)?;
            let mut out = BTreeMap::new();
            for _ in 0..n {
                let key = r.str("string map key")?;
                let v = decode(r, ety, inner).map_err(|e| e.at(PathStep::ElementKeyString(key.to_owned())))?;
                if out.insert(key.to_owned(), v).is_some() {
                    return Err(CodecError::DuplicateKey { path: AttributePath::default(), key: key.to_owned() });
                }
            }
            Ok(Value::Map(out))
        }
        Type::Object(attrs) => {
            let n = r.map_len(m, "object")?;
            let inner = enter(depth)?;
            let mut out = BTreeMap::new();
            for _ in 0..n {
                let key = r.str("string attribute name")?;
                let Some((name, aty)) = attrs.get_key_value(key) else {
                    return Err(CodecError::UnknownAttribute { path: AttributePath::default(), key: key.to_owned() });
                };
                let v = decode(r, aty, inner).map_err(|e| e.at(PathStep::Attribute(name.clone())))?;
                if out.insert(name.clone(), v).is_some() {
                    return Err(CodecError::DuplicateKey { path: AttributePath::default(), key: name.clone() });
                }
            }
            if out.len() < attrs.len() {
                for name in attrs.keys() {
                    out.entry(name.clone()).or_insert(Value::Null);
                }
            }
            Ok(Value::Object(out))
        }
        Type::Dynamic => {
            let n = r.array_len(m, "dynamic value ([type, value] array)")?;
            if n != 2 {
                return Err(CodecError::invalid(format!(
                    "expected a dynamic value ([type, value] array), found an array of {n}"
                )));
            }
            let inner = enter(depth)?;
            let tm = r.marker()?;
            let type_json = r.raw(tm)?.ok_or_else(|| CodecError::wrong_type("dynamic value type", marker_kind(tm)))?;
            let concrete = parse_type_json(type_json)?;
            decode(r, &concrete, inner)
        }
    }
}

/// `n` array elements, the `i`th of type `ety(i)`.
fn decode_elements<'t>(
    r: &mut Reader<'_>,
    n: usize,
    depth: usize,
    ety: impl Fn(usize) -> Option<&'t Type>,
) -> Result<Vec<Value>, CodecError> {
    let inner = enter(depth)?;
    // Every element takes at least a byte: never reserve more than the input could hold.
    let mut out = Vec::with_capacity(n.min(r.rest.len()));
    for i in 0..n {
        let ty = ety(i).unwrap_or(&Type::Dynamic);
        out.push(decode(r, ty, inner).map_err(|e| e.at(PathStep::ElementKeyInt(i as i64)))?);
    }
    Ok(out)
}

fn read_number(r: &mut Reader<'_>, m: Marker) -> Result<Number, CodecError> {
    Ok(match m {
        Marker::FixPos(n) => Number::Int(i64::from(n)),
        Marker::FixNeg(n) => Number::Int(i64::from(n)),
        Marker::U8 => Number::Int(i64::from(r.u8()?)),
        Marker::U16 => Number::Int(i64::from(r.u16()?)),
        Marker::U32 => Number::Int(i64::from(r.u32()?)),
        Marker::U64 => number_from_u64(r.u64()?),
        Marker::I8 => Number::Int(i64::from(i8::from_be_bytes(r.bytes()?))),
        Marker::I16 => Number::Int(i64::from(i16::from_be_bytes(r.bytes()?))),
        Marker::I32 => Number::Int(i64::from(i32::from_be_bytes(r.bytes()?))),
        Marker::I64 => Number::Int(i64::from_be_bytes(r.bytes()?)),
        Marker::F32 => number_from_f64(f64::from(f32::from_be_bytes(r.bytes()?)))?,
        Marker::F64 => number_from_f64(f64::from_be_bytes(r.bytes()?))?,
        // Numbers too big or too precise for int64/float64 come as decimal strings.
        Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => parse_decimal(r.str_after(m, "number")?)?,
        _ => return Err(CodecError::wrong_type("number", marker_kind(m))),
    })
}

#[cfg(test)]
mod tests {
    use super::super::build::*;
    use super::super::MAX_DEPTH;
    use super::*;

    /// msgpack str of a short string, by hand.
    fn fixstr(x: &str) -> Vec<u8> {
        assert!(x.len() < 32);
        let mut v = vec![0xa0 | x.len() as u8];
        v.extend_from_slice(x.as_bytes());
        v
    }

    #[track_caller]
    fn round_trip(v: &Value, ty: &Type) -> Vec<u8> {
        let bytes = to_msgpack(v, ty).unwrap_or_else(|e| panic!("encode {v:?}: {e}"));
        let back = from_msgpack(&bytes, ty).unwrap_or_else(|e| panic!("decode {v:?}: {e}"));
        assert_eq!(&back, v, "bytes {bytes:02x?}");
        bytes
    }

    #[track_caller]
    fn decode_err(bytes: &[u8], ty: &Type) -> String {
        match from_msgpack(bytes, ty) {
            Ok(v) => panic!("decoded {bytes:02x?} as {v:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn primitives_round_trip() {
        for ty in [Type::String, Type::Number, Type::Bool, Type::Dynamic] {
            round_trip(&Value::Null, &ty);
            round_trip(&Value::Unknown, &ty);
        }
        assert_eq!(round_trip(&s(""), &Type::String), [0xa0]);
        assert_eq!(round_trip(&s("hé"), &Type::String), [0xa3, b'h', 0xc3, 0xa9]);
        round_trip(&s(&"x".repeat(31)), &Type::String);
        for len in [32, 255, 256, 65535, 65536] {
            let bytes = round_trip(&s(&"y".repeat(len)), &Type::String);
            let header = match len {
                32..=255 => vec![0xd9, len as u8],
                256..=65535 => [vec![0xda], (len as u16).to_be_bytes().to_vec()].concat(),
                _ => [vec![0xdb], (len as u32).to_be_bytes().to_vec()].concat(),
            };
            assert_eq!(bytes[..header.len()], header[..], "len {len}");
        }
        assert_eq!(round_trip(&Value::Bool(true), &Type::Bool), [0xc3]);
        assert_eq!(round_trip(&Value::Bool(false), &Type::Bool), [0xc2]);
        assert_eq!(round_trip(&Value::Null, &Type::String), [0xc0]);
        assert_eq!(round_trip(&Value::Unknown, &Type::String), UNKNOWN);
    }

    #[test]
    fn integers_use_the_smallest_encoding() {
        let cases: &[(i64, &[u8])] = &[
            (0, &[0x00]),
            (127, &[0x7f]),
            (128, &[0xcc, 0x80]),
            (255, &[0xcc, 0xff]),
            (256, &[0xcd, 0x01, 0x00]),
            (65535, &[0xcd, 0xff, 0xff]),
            (65536, &[0xce, 0x00, 0x01, 0x00, 0x00]),
            (4_294_967_295, &[0xce, 0xff, 0xff, 0xff, 0xff]),
            (4_294_967_296, &[0xcf, 0, 0, 0, 1, 0, 0, 0, 0]),
            (i64::MAX, &[0xcf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            (-1, &[0xff]),
            (-32, &[0xe0]),
            (-33, &[0xd0, 0xdf]),
            (-128, &[0xd0, 0x80]),
            (-129, &[0xd1, 0xff, 0x7f]),
            (-32768, &[0xd1, 0x80, 0x00]),
            (-32769, &[0xd2, 0xff, 0xff, 0x7f, 0xff]),
            (i64::from(i32::MIN), &[0xd2, 0x80, 0, 0, 0]),
            (i64::from(i32::MIN) - 1, &[0xd3, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff]),
            (i64::MIN, &[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]),
        ];
        for (i, bytes) in cases {
            assert_eq!(round_trip(&int(*i), &Type::Number), *bytes, "{i}");
        }
    }

    #[test]
    fn floats() {
        assert_eq!(round_trip(&float(1.5), &Type::Number), [0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]);
        round_trip(&float(-0.1), &Type::Number);
        round_trip(&float(1e300), &Type::Number);
        round_trip(&float(f64::INFINITY), &Type::Number);
        round_trip(&float(f64::NEG_INFINITY), &Type::Number);
        // 2^63 is whole but beyond i64: stays a float64.
        round_trip(&float(9_223_372_036_854_775_808.0), &Type::Number);
        // Whole floats are written as ints, like go-cty does, and so read back as ints.
        assert_eq!(to_msgpack(&float(3.0), &Type::Number).unwrap(), [0x03]);
        assert_eq!(to_msgpack(&float(-200.0), &Type::Number).unwrap(), [0xd1, 0xff, 0x38]);
        let err = to_msgpack(&float(f64::NAN), &Type::Number).unwrap_err();
        assert_eq!(err.to_string(), "invalid number \"NaN\"");
    }

    #[test]
    fn numbers_decode_from_every_form() {
        let n = |bytes: &[u8]| match from_msgpack(bytes, &Type::Number) {
            Ok(Value::Number(n)) => n,
            other => panic!("{bytes:02x?}: {other:?}"),
        };
        use Number::{Float, Int};
        // Non-minimal widths, signed and unsigned.
        assert_eq!(n(&[0xcc, 0x05]), Int(5));
        assert_eq!(n(&[0xcd, 0x00, 0x05]), Int(5));
        assert_eq!(n(&[0xce, 0, 0, 0, 5]), Int(5));
        assert_eq!(n(&[0xcf, 0, 0, 0, 0, 0, 0, 0, 5]), Int(5));
        assert_eq!(n(&[0xd0, 0x05]), Int(5));
        assert_eq!(n(&[0xd0, 0xfb]), Int(-5));
        assert_eq!(n(&[0xd1, 0xff, 0xfb]), Int(-5));
        assert_eq!(n(&[0xd2, 0xff, 0xff, 0xff, 0xfb]), Int(-5));
        assert_eq!(n(&[0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfb]), Int(-5));
        assert_eq!(n(&[0xfb]), Int(-5));
        // uint64 beyond i64 can only be approximated.
        assert_eq!(n(&[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), Float(u64::MAX as f64));
        // float32 and float64; whole ones become ints.
        assert_eq!(n(&[0xca, 0x3f, 0xc0, 0x00, 0x00]), Float(1.5));
        assert_eq!(n(&[0xca, 0x40, 0x40, 0x00, 0x00]), Int(3));
        assert_eq!(n(&[0xcb, 0x40, 0, 0, 0, 0, 0, 0, 0]), Int(2));
        assert_eq!(n(&[0xcb, 0xbf, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a]), Float(-0.1));
        // Decimal strings, as go-cty writes numbers that fit neither.
        assert_eq!(n(&fixstr("42")), Int(42));
        assert_eq!(n(&fixstr("-9223372036854775808")), Int(i64::MIN));
        assert_eq!(n(&fixstr("0.1")), Float(0.1));
        assert_eq!(n(&fixstr("123456789012345678901234567890")), Float(1.2345678901234568e29));
        let mut str8 = vec![0xd9, 40];
        str8.extend_from_slice(b"1234567890123456789012345678901234567890");
        assert_eq!(n(&str8), Float(1.2345678901234568e39));

        assert_eq!(decode_err(&fixstr("abc"), &Type::Number), "invalid number \"abc\"");
        assert_eq!(decode_err(&fixstr("NaN"), &Type::Number), "invalid number \"NaN\"");
        let nan = [0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0];
        assert_eq!(decode_err(&nan, &Type::Number), "invalid number \"NaN\"");
        assert_eq!(decode_err(&[0xc3], &Type::Number), "expected number, found bool");
        assert_eq!(decode_err(&[0xc4, 1, b'1'], &Type::Number), "expected number, found binary");
    }

    #[test]
    fn collections_round_trip_with_null_and_unknown_everywhere() {
        let strings = Value::List(vec![s("a"), Value::Null, Value::Unknown, s("b")]);
        let bytes = round_trip(&strings, &list(Type::String));
        assert_eq!(bytes, [&[0x94][..], &fixstr("a"), &[0xc0], &UNKNOWN, &fixstr("b")].concat());
        round_trip(&Value::List(vec![]), &list(Type::String));
        round_trip(&Value::Set(vec![int(1), Value::Unknown, int(-1)]), &set(Type::Number));
        round_trip(&Value::Set(vec![]), &set(Type::Number));
        let m = vmap(&[("a", Value::Bool(true)), ("b", Value::Null), ("c", Value::Unknown)]);
        round_trip(&m, &map(Type::Bool));
        round_trip(&vmap(&[]), &map(Type::Bool));
        let tuple_ty = Type::Tuple(vec![Type::String, Type::Number, Type::Bool]);
        round_trip(&Value::Tuple(vec![s("x"), Value::Unknown, Value::Null]), &tuple_ty);
        round_trip(&Value::Tuple(vec![]), &Type::Tuple(vec![]));
        // Long collections use the 16- and 32-bit headers.
        let long = Value::List((0..70_000).map(int).collect());
        let bytes = round_trip(&long, &list(Type::Number));
        assert_eq!(bytes[..5], [0xdd, 0x00, 0x01, 0x11, 0x70]);
        let medium = Value::Map((0..300).map(|i| (format!("k{i}"), int(i))).collect());
        let bytes = round_trip(&medium, &map(Type::Number));
        assert_eq!(bytes[..3], [0xde, 0x01, 0x2c]);
        for ty in [list(Type::String), set(Type::Number), map(Type::Bool), tuple_ty] {
            round_trip(&Value::Null, &ty);
            round_trip(&Value::Unknown, &ty);
        }
    }

    fn resource_type() -> Type {
        obj(&[
            ("id", Type::String),
            ("config", obj(&[("scopes", Type::String), ("client_secret", Type::String), ("ttl", Type::Number)])),
            ("tags", map(Type::String)),
            ("names", set(Type::String)),
            ("rules", list(obj(&[("name", Type::String), ("on", Type::Bool)]))),
            ("extra", Type::Dynamic),
        ])
    }

    #[test]
    fn objects_round_trip() {
        let ty = resource_type();
        let full = vobj(&[
            ("id", s("g")),
            ("config", vobj(&[("scopes", s("a b")), ("client_secret", Value::Unknown), ("ttl", int(3600))])),
            ("tags", vmap(&[("env", s("prod")), ("team", Value::Null)])),
            ("names", Value::Set(vec![s("x"), Value::Unknown])),
            (
                "rules",
                Value::List(vec![
                    vobj(&[("name", s("r1")), ("on", Value::Bool(true))]),
                    Value::Null,
                    Value::Unknown,
                    vobj(&[("name", Value::Unknown), ("on", Value::Null)]),
                ]),
            ),
            ("extra", vobj(&[("k", s("v")), ("n", int(1))])),
        ]);
        round_trip(&full, &ty);
        round_trip(&Value::Null, &ty);
        round_trip(&Value::Unknown, &ty);
        let nested_null = vobj(&[
            ("id", Value::Unknown),
            ("config", Value::Null),
            ("tags", Value::Unknown),
            ("names", Value::Null),
            ("rules", Value::Unknown),
            ("extra", Value::Null),
        ]);
        round_trip(&nested_null, &ty);
        // Empty object type.
        assert_eq!(round_trip(&vobj(&[]), &obj(&[])), [0x80]);
    }

    #[test]
    fn missing_attributes_are_null() {
        let ty = obj(&[("a", Type::String), ("b", Type::Number), ("c", Type::Bool)]);
        // Encoding writes every attribute of the type, absent ones as nil.
        let bytes = to_msgpack(&vobj(&[("b", int(1))]), &ty).unwrap();
        let expected = [&[0x83][..], &fixstr("a"), &[0xc0], &fixstr("b"), &[0x01], &fixstr("c"), &[0xc0]].concat();
        assert_eq!(bytes, expected);
        // Decoding fills in what the input lacks.
        let input = [&[0x81][..], &fixstr("b"), &[0x01]].concat();
        assert_eq!(from_msgpack(&input, &ty).unwrap(), vobj(&[("a", Value::Null), ("b", int(1)), ("c", Value::Null)]));
        assert_eq!(
            from_msgpack(&[0x80], &ty).unwrap(),
            vobj(&[("a", Value::Null), ("b", Value::Null), ("c", Value::Null)])
        );
    }

    #[test]
    fn known_bytes_match_go_cty() {
        // {"a": "x", "b": unknown} under object({a=string, b=string}).
        let ty = obj(&[("b", Type::String), ("a", Type::String)]);
        let v = vobj(&[("a", s("x")), ("b", Value::Unknown)]);
        let expected = [0x82, 0xa1, b'a', 0xa1, b'x', 0xa1, b'b', 0xd4, 0x00, 0x00];
        assert_eq!(to_msgpack(&v, &ty).unwrap(), expected);
        assert_eq!(from_msgpack(&expected, &ty).unwrap(), v);

        // A string under dynamic: [bin8 "\"string\"", "x"].
        let mut dynamic = vec![0x92, 0xc4, 8];
        dynamic.extend_from_slice(b"\"string\"");
        dynamic.extend_from_slice(&[0xa1, b'x']);
        assert_eq!(to_msgpack(&s("x"), &Type::Dynamic).unwrap(), dynamic);
        assert_eq!(from_msgpack(&dynamic, &Type::Dynamic).unwrap(), s("x"));

        // Null and unknown under dynamic are written bare.
        assert_eq!(to_msgpack(&Value::Null, &Type::Dynamic).unwrap(), [0xc0]);
        assert_eq!(to_msgpack(&Value::Unknown, &Type::Dynamic).unwrap(), UNKNOWN);

        // {"d": [1, 2] (dynamic), "n": 300}.
        let ty = obj(&[("d", Type::Dynamic), ("n", Type::Number)]);
        let v = vobj(&[("d", Value::List(vec![int(1), int(2)])), ("n", int(300))]);
        let type_json = br#"["list","number"]"#;
        let mut expected = vec![0x82, 0xa1, b'd', 0x92, 0xc4, type_json.len() as u8];
        expected.extend_from_slice(type_json);
        expected.extend_from_slice(&[0x92, 0x01, 0x02, 0xa1, b'n', 0xcd, 0x01, 0x2c]);
        assert_eq!(to_msgpack(&v, &ty).unwrap(), expected);
        assert_eq!(from_msgpack(&expected, &ty).unwrap(), v);
    }

    #[test]
    fn unknowns_with_any_extension_payload() {
        // Zero-length ext8, fixext1 type 0, refinements (ext type 12 holding {1: false}, i.e.
        // "not null"), and payloads of every fixext size: all unknown, payload ignored.
        let cases: &[&[u8]] = &[
            &[0xd4, 0x00, 0x00],
            &[0xc7, 0x00, 0x00],
            &[0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2],
            &[0xd4, 0x0c, 0x07],
            &[0xd5, 0x00, 1, 2],
            &[0xd6, 0x00, 1, 2, 3, 4],
            &[0xd7, 0x00, 1, 2, 3, 4, 5, 6, 7, 8],
            &[0xd8, 0x00, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
            &[0xc8, 0x00, 0x02, 0x0c, 0x81, 0x01],
            &[0xc9, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00],
        ];
        for ty in [Type::String, Type::Number, list(Type::String), resource_type(), Type::Dynamic] {
            for bytes in cases {
                assert_eq!(from_msgpack(bytes, &ty).unwrap(), Value::Unknown, "{bytes:02x?}");
            }
        }
        // Inside a list, the next element starts right after the payload.
        let bytes = [0x92, 0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2, 0xa1, b'z'];
        assert_eq!(from_msgpack(&bytes, &list(Type::String)).unwrap(), Value::List(vec![Value::Unknown, s("z")]));
    }

    #[test]
    fn dynamic_values() {
        let cases = [
            s("x"),
            int(-7),
            float(2.5),
            Value::Bool(true),
            Value::List(vec![s("a"), Value::Null, s("b")]),
            Value::List(vec![]),
            Value::Set(vec![int(1), int(2)]),
            vmap(&[("a", int(1)), ("b", Value::Unknown)]),
            vobj(&[("a", s("x")), ("nested", vobj(&[("b", Value::Bool(false))]))]),
            Value::Tuple(vec![s("x"), int(1)]),
            Value::List(vec![Value::Unknown, Value::Null]),
        ];
        for v in &cases {
            round_trip(v, &Type::Dynamic);
            // Inside objects and collections too.
            let ty = obj(&[("d", Type::Dynamic)]);
            round_trip(&vobj(&[("d", v.clone())]), &ty);
            round_trip(&Value::List(vec![v.clone(), Value::Null]), &list(Type::Dynamic));
        }
        // Heterogeneous lists and maps are written as tuples and objects, and read back so.
        let bytes = to_msgpack(&Value::List(vec![s("a"), int(1)]), &Type::Dynamic).unwrap();
        assert_eq!(from_msgpack(&bytes, &Type::Dynamic).unwrap(), Value::Tuple(vec![s("a"), int(1)]));
        assert!(bytes.windows(7).any(|w| w == b"[\"tuple"));
        let bytes = to_msgpack(&vmap(&[("a", s("x")), ("b", int(1))]), &Type::Dynamic).unwrap();
        assert_eq!(from_msgpack(&bytes, &Type::Dynamic).unwrap(), vobj(&[("a", s("x")), ("b", int(1))]));
        // The type may come as str rather than bin, and a typed null inside the wrapper is null.
        let mut str_typed = vec![0x92, 0xa8];
        str_typed.extend_from_slice(b"\"number\"");
        str_typed.push(0xc0);
        assert_eq!(from_msgpack(&str_typed, &Type::Dynamic).unwrap(), Value::Null);
        // A dynamic value whose type is itself dynamic nests another wrapper.
        let mut nested = vec![0x92, 0xa9];
        nested.extend_from_slice(b"\"dynamic\"");
        nested.extend_from_slice(&[0x92, 0xa6]);
        nested.extend_from_slice(b"\"bool\"");
        nested.push(0xc3);
        assert_eq!(from_msgpack(&nested, &Type::Dynamic).unwrap(), Value::Bool(true));
    }

    #[test]
    fn dynamic_errors() {
        assert_eq!(
            decode_err(&[0xa1, b'x'], &Type::Dynamic),
            "expected dynamic value ([type, value] array), found string"
        );
        assert_eq!(
            decode_err(&[0x91, 0xc0], &Type::Dynamic),
            "expected a dynamic value ([type, value] array), found an array of 1"
        );
        assert_eq!(decode_err(&[0x92, 0x01, 0x01], &Type::Dynamic), "expected dynamic value type, found integer");
        let mut bad = vec![0x92, 0xa5];
        bad.extend_from_slice(b"\"int\"");
        bad.push(0x01);
        assert_eq!(decode_err(&bad, &Type::Dynamic), "invalid type in dynamic value: \"int\"");
        // Mismatch inside the wrapper, with the path of the enclosing attribute.
        let mut inner = vec![0x81, 0xa1, b'd', 0x92, 0xa8];
        inner.extend_from_slice(b"\"string\"");
        inner.push(0x01);
        assert_eq!(decode_err(&inner, &obj(&[("d", Type::Dynamic)])), "d: expected string, found integer");
        let err = to_msgpack(&Value::Set(vec![s("a"), int(1)]), &Type::Dynamic).unwrap_err();
        assert_eq!(err.to_string(), "set elements do not share a type, so the set has no cty type");
    }

    #[test]
    fn decode_errors_name_the_path() {
        let ty = resource_type();
        // Bytes for config.scopes as a list, decoded where the schema says string.
        let with_config = |config: Type| {
            let mut t = resource_type();
            if let Type::Object(attrs) = &mut t {
                attrs.insert("config".into(), config);
            }
            t
        };
        let scopes = vobj(&[("config", vobj(&[("scopes", Value::List(vec![s("a")]))]))]);
        let bytes = to_msgpack(&scopes, &with_config(obj(&[("scopes", list(Type::String))]))).unwrap();
        assert_eq!(decode_err(&bytes, &ty), "config.scopes: expected string, found array");

        let bogus = vobj(&[("config", vobj(&[("bogus", Value::Bool(true))]))]);
        let bytes = to_msgpack(&bogus, &with_config(obj(&[("bogus", Type::Bool)]))).unwrap();
        let err = from_msgpack(&bytes, &ty).unwrap_err();
        assert_eq!(err.to_string(), "config: unsupported attribute \"bogus\"");
        assert!(matches!(err, CodecError::UnknownAttribute { ref key, .. } if key == "bogus"));

        let rules = [&[0x81][..], &fixstr("rules"), &[0x92, 0xc0, 0x81], &fixstr("on"), &fixstr("yes")].concat();
        assert_eq!(decode_err(&rules, &ty), "rules[1].on: expected bool, found string");
        let tags = [&[0x81][..], &fixstr("tags"), &[0x81], &fixstr("env"), &[0x01]].concat();
        assert_eq!(decode_err(&tags, &ty), "tags[\"env\"]: expected string, found integer");
        assert_eq!(decode_err(&[0xa1, b'x'], &ty), "expected object, found string");
        assert_eq!(decode_err(&[0x81, 0x01, 0xc0], &ty), "expected string attribute name, found integer");
        assert_eq!(decode_err(&[0x81, 0x01, 0xc0], &map(Type::String)), "expected string map key, found integer");
        assert_eq!(decode_err(&[0xc1], &Type::String), "expected string, found reserved byte 0xc1");
        assert_eq!(decode_err(&[0xa2, 0xff, 0xfe], &Type::String), "invalid UTF-8 in string");
        assert_eq!(
            decode_err(&[0x91, 0x01], &Type::Tuple(vec![Type::Number, Type::Number])),
            "expected a tuple of 2 elements, found 1"
        );
        let dup = [&[0x82][..], &fixstr("a"), &[0x01], &fixstr("a"), &[0x02]].concat();
        assert_eq!(decode_err(&dup, &obj(&[("a", Type::Number)])), "duplicate key \"a\"");
        assert_eq!(decode_err(&dup, &map(Type::Number)), "duplicate key \"a\"");
    }

    #[test]
    fn truncated_and_trailing_input() {
        let ty = resource_type();
        let v = vobj(&[
            ("id", s("some-longer-identifier-over-31-bytes")),
            ("config", vobj(&[("ttl", int(100_000)), ("scopes", s("a"))])),
            ("tags", vmap(&[("k", s("v"))])),
            ("rules", Value::List(vec![vobj(&[("on", Value::Bool(true))])])),
            ("extra", float(0.25)),
        ]);
        let bytes = to_msgpack(&v, &ty).unwrap();
        // Every proper prefix fails cleanly (the empty one is null).
        assert_eq!(from_msgpack(&[], &ty).unwrap(), Value::Null);
        for cut in 1..bytes.len() {
            let err = from_msgpack(&bytes[..cut], &ty).unwrap_err();
            assert!(matches!(err, CodecError::Truncated { .. }), "cut at {cut}: {err}");
        }
        let ttl = bytes.windows(3).position(|w| w == b"ttl").unwrap();
        assert_eq!(bytes[ttl + 3], 0xce);
        assert_eq!(decode_err(&bytes[..ttl + 5], &ty), "config.ttl: unexpected end of input");
        let mut trailing = bytes.clone();
        trailing.extend_from_slice(&[0xc0, 0xc0]);
        assert_eq!(decode_err(&trailing, &ty), "2 trailing bytes after the value");
        assert_eq!(decode_err(&[0x01, 0x02], &Type::Number), "1 trailing bytes after the value");
    }

    #[test]
    fn huge_declared_lengths_do_not_allocate() {
        let ff = [0xff, 0xff, 0xff, 0xff];
        let cases: &[(u8, Type)] = &[
            (0xdd, list(Type::String)),
            (0xdd, set(Type::String)),
            (0xdf, map(Type::String)),
            (0xdf, resource_type()),
            (0xdb, Type::String),
            (0xc6, Type::String),
            (0xdb, Type::Number),
        ];
        for (marker, ty) in cases {
            let bytes = [&[*marker][..], &ff].concat();
            let err = from_msgpack(&bytes, ty).unwrap_err();
            assert!(matches!(err, CodecError::Truncated { .. }), "{marker:02x}: {err}");
        }
        let ext32 = [0xc9, 0xff, 0xff, 0xff, 0xff, 0x00];
        assert_eq!(decode_err(&ext32, &Type::String), "unexpected end of input");
        assert_eq!(decode_err(&[0x92, 0xc6, 0xff, 0xff, 0xff, 0xff], &Type::Dynamic), "unexpected end of input");
    }

    fn nested_list_type(levels: usize) -> Type {
        (0..levels).fold(Type::String, |t, _| list(t))
    }

    fn nested_list_value(levels: usize) -> Value {
        (0..levels).fold(s("deep"), |v, _| Value::List(vec![v]))
    }

    #[test]
    fn nesting_is_limited() {
        // MAX_DEPTH containers are fine both ways; one more is not.
        round_trip(&nested_list_value(MAX_DEPTH), &nested_list_type(MAX_DEPTH));
        let too_deep = nested_list_type(MAX_DEPTH + 1);
        let err = to_msgpack(&nested_list_value(MAX_DEPTH + 1), &too_deep).unwrap_err();
        assert!(matches!(err, CodecError::TooDeep { .. }), "{err}");
        let mut bytes = vec![0x91; MAX_DEPTH + 1];
        bytes.extend_from_slice(&fixstr("deep"));
        let msg = decode_err(&bytes, &too_deep);
        assert!(msg.ends_with("nesting deeper than 64 levels"), "{msg}");
        assert!(msg.starts_with("[0][0][0]"), "{msg}");

        // Dynamic values can nest without bound in the bytes alone.
        let mut bomb = Vec::new();
        for _ in 0..10_000 {
            bomb.extend_from_slice(&[0x92, 0xa9]);
            bomb.extend_from_slice(b"\"dynamic\"");
        }
        bomb.push(0xc0);
        let msg = decode_err(&bomb, &Type::Dynamic);
        assert_eq!(msg, "nesting deeper than 64 levels");
        // And a deep type inside one dynamic wrapper.
        let type_json = serde_json::to_vec(&nested_list_type(200).to_json()).unwrap();
        let mut deep_type = vec![0x92, 0xc5];
        deep_type.extend_from_slice(&(type_json.len() as u16).to_be_bytes());
        deep_type.extend_from_slice(&type_json);
        deep_type.extend_from_slice(&[0x91; 200]);
        deep_type.push(0xc0);
        let err = from_msgpack(&deep_type, &Type::Dynamic).unwrap_err();
        assert!(matches!(err, CodecError::TooDeep { .. } | CodecError::Invalid { .. }), "{err}");
    }

    #[test]
    fn encode_errors_name_the_path() {
        let ty = resource_type();
        let err = to_msgpack(&s("1"), &Type::Number).unwrap_err();
        assert_eq!(err.to_string(), "expected number, found string value");
        let v = vobj(&[("config", vobj(&[("scopes", Value::List(vec![s("a")]))]))]);
        let err = to_msgpack(&v, &ty).unwrap_err();
        assert_eq!(err.to_string(), "config.scopes: expected string, found list value");
        let v = vobj(&[("config", vobj(&[("scopes", s("a")), ("zzz", s("b"))]))]);
        let err = to_msgpack(&v, &ty).unwrap_err();
        assert_eq!(err.to_string(), "config: unsupported attribute \"zzz\"");
        let v = vobj(&[("rules", Value::List(vec![vobj(&[("on", s("yes"))])]))]);
        let err = to_msgpack(&v, &ty).unwrap_err();
        assert_eq!(err.to_string(), "rules[0].on: expected bool, found string value");
        let v = vobj(&[("names", Value::List(vec![]))]);
        let err = to_msgpack(&v, &ty).unwrap_err();
        assert_eq!(err.to_string(), "names: expected set, found list value");
        let err = to_msgpack(&Value::Tuple(vec![s("a")]), &Type::Tuple(vec![Type::String, Type::String])).unwrap_err();
        assert_eq!(err.to_string(), "expected a tuple of 2 elements, found 1");
        let v = vobj(&[("tags", vmap(&[("k", Value::Bool(true))]))]);
        let err = to_msgpack(&v, &ty).unwrap_err();
        assert_eq!(err.to_string(), "tags[\"k\"]: expected string, found bool value");
    }

    /// A small deterministic generator, so the no-panic test needs no extra crate.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let types = [
            resource_type(),
            Type::Dynamic,
            list(Type::Dynamic),
            map(Type::Number),
            Type::Tuple(vec![Type::String, Type::Dynamic]),
            Type::Number,
        ];
        let mut rng = Lcg(0x5eed);
        // Random bytes, biased towards markers that open containers and strings.
        let interesting = [0x92, 0x81, 0xa1, 0xc4, 0xd4, 0xc7, 0xdc, 0xde, 0xc0, 0x01];
        for _ in 0..20_000 {
            let len = (rng.next() % 24) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| match rng.next() % 3 {
                    0 => interesting[(rng.next() % interesting.len() as u64) as usize],
                    _ => rng.next() as u8,
                })
                .collect();
            for ty in &types {
                let _ = from_msgpack(&bytes, ty);
            }
        }
        // Mutations of a valid encoding.
        let ty = resource_type();
        let v = vobj(&[
            ("id", s("g")),
            ("config", vobj(&[("scopes", s("a b")), ("ttl", int(3))])),
            ("names", Value::Set(vec![s("x"), s("y")])),
            ("extra", vobj(&[("k", Value::List(vec![int(1), int(2)]))])),
        ]);
        let good = to_msgpack(&v, &ty).unwrap();
        for _ in 0..20_000 {
            let mut bytes = good.clone();
            for _ in 0..=(rng.next() % 3) {
                let i = (rng.next() % bytes.len() as u64) as usize;
                bytes[i] = rng.next() as u8;
            }
            let _ = from_msgpack(&bytes, &ty);
        }
    }
}
