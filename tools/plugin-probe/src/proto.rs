//! Just enough gRPC framing and protobuf to read the names out of a
//! `tfplugin6.GetProviderSchema.Response`, without generated code (and so without protoc).

/// The messages of a gRPC body: each a 1-byte compressed flag, a 4-byte big-endian length and
/// the message.
pub fn grpc_messages(mut body: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    while !body.is_empty() {
        if body.len() < 5 {
            return Err(format!("a gRPC message header cut short ({} bytes)", body.len()));
        }
        if body[0] != 0 {
            return Err("a compressed gRPC message (none was asked for)".into());
        }
        let len = u32::from_be_bytes([body[1], body[2], body[3], body[4]]) as usize;
        let message = body.get(5..5 + len).ok_or_else(|| format!("a gRPC message of {len} bytes cut short"))?;
        out.push(message.to_vec());
        body = &body[5 + len..];
    }
    Ok(out)
}

fn varint(data: &mut &[u8]) -> Result<u64, String> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = data.split_first().ok_or("a varint cut short")?;
        *data = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("a varint longer than 10 bytes".into())
}

/// A field's value: a varint, or the bytes of a length-delimited field (fixed-width ones are
/// skipped as bytes too).
enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

/// The top-level fields of a message, in order.
fn fields(mut data: &[u8]) -> Result<Vec<(u64, Value<'_>)>, String> {
    let mut out = Vec::new();
    while !data.is_empty() {
        let key = varint(&mut data)?;
        let (number, wire) = (key >> 3, key & 7);
        let value = match wire {
            0 => Value::Varint(varint(&mut data)?),
            1 | 5 => {
                let n = if wire == 1 { 8 } else { 4 };
                let (v, rest) = data.split_at_checked(n).ok_or("a fixed-width field cut short")?;
                data = rest;
                Value::Bytes(v)
            }
            2 => {
                let len = varint(&mut data)? as usize;
                let (v, rest) = data.split_at_checked(len).ok_or("a length-delimited field cut short")?;
                data = rest;
                Value::Bytes(v)
            }
            other => return Err(format!("field {number} has wire type {other}, which this reader does not know")),
        };
        out.push((number, value));
    }
    Ok(out)
}

/// What a schema answer names.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SchemaNames {
    pub resources: Vec<String>,
    pub data_sources: Vec<String>,
    /// The summaries of error diagnostics.
    pub diagnostics: Vec<String>,
}

/// Reads a `GetProviderSchema.Response`: the keys of `resource_schemas` (field 2) and
/// `data_source_schemas` (3), and the error `diagnostics` (4).
pub fn schema_names(message: &[u8]) -> Result<SchemaNames, String> {
    let map_key = |entry: &[u8]| -> Result<String, String> {
        for (number, value) in fields(entry)? {
            if let (1, Value::Bytes(key)) = (number, value) {
                return String::from_utf8(key.to_vec()).map_err(|_| "a map key that is not UTF-8".to_string());
            }
        }
        Err("a map entry without a key".into())
    };
    let mut names = SchemaNames::default();
    for (number, value) in fields(message)? {
        let Value::Bytes(bytes) = value else { continue };
        match number {
            2 => names.resources.push(map_key(bytes)?),
            3 => names.data_sources.push(map_key(bytes)?),
            4 => {
                let mut error = false;
                let mut summary = String::new();
                for (n, v) in fields(bytes)? {
                    match (n, v) {
                        (1, Value::Varint(severity)) => error = severity == 1,
                        (2, Value::Bytes(s)) => summary = String::from_utf8_lossy(s).into_owned(),
                        _ => {}
                    }
                }
                if error {
                    names.diagnostics.push(summary);
                }
            }
            _ => {}
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn len_field(number: u64, bytes: &[u8]) -> Vec<u8> {
        let mut out = vec![(number << 3 | 2) as u8];
        let mut len = bytes.len();
        loop {
            let byte = (len & 0x7f) as u8;
            len >>= 7;
            if len == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
        out.extend_from_slice(bytes);
        out
    }

    fn entry(key: &str, value: &[u8]) -> Vec<u8> {
        let mut e = len_field(1, key.as_bytes());
        e.extend(len_field(2, value));
        e
    }

    #[test]
    fn reads_the_names_of_a_schema() {
        // A large value makes a two-byte length.
        let big = vec![0x08u8; 300];
        let mut msg = len_field(1, &[0x08, 0x01]); // provider schema, skipped
        msg.extend(len_field(2, &entry("posit_a", &big)));
        msg.extend(len_field(3, &entry("posit_b", &[])));
        msg.extend(len_field(2, &entry("posit_c", &[])));
        let mut warning = vec![0x08, 0x02];
        warning.extend(len_field(2, b"just so you know"));
        msg.extend(len_field(4, &warning));
        let names = schema_names(&msg).unwrap();
        assert_eq!(names.resources, ["posit_a", "posit_c"]);
        assert_eq!(names.data_sources, ["posit_b"]);
        assert!(names.diagnostics.is_empty());

        let mut error = vec![0x08, 0x01];
        error.extend(len_field(2, b"broken"));
        msg.extend(len_field(4, &error));
        assert_eq!(schema_names(&msg).unwrap().diagnostics, ["broken"]);

        assert!(schema_names(&msg[..msg.len() - 1]).is_err(), "a message cut short");
    }

    #[test]
    fn grpc_framing() {
        let body = [0u8, 0, 0, 0, 2, 0xaa, 0xbb, 0, 0, 0, 0, 0];
        assert_eq!(grpc_messages(&body).unwrap(), vec![vec![0xaa, 0xbb], vec![]]);
        assert!(grpc_messages(&body[..6]).is_err());
        assert!(grpc_messages(&[1, 0, 0, 0, 0]).is_err(), "compressed");
    }
}
