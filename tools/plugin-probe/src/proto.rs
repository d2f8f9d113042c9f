//! What the probe reads from gRPC answers: the messages of a body (gRPC's 5-byte framing, as
//! the probe speaks HTTP/2 itself) and the names in a `tfplugin6.GetProviderSchema.Response`,
//! decoded with the prost types tfplugin generates from `proto/`.

use std::collections::HashMap;

use prost::Message as _;
use tfplugin::proto::tfplugin6::{diagnostic::Severity, get_provider_schema::Response};

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

/// What a schema answer names.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SchemaNames {
    /// Sorted, as are `data_sources`.
    pub resources: Vec<String>,
    /// The data source types.
    pub data_sources: Vec<String>,
    /// The summaries of error diagnostics.
    pub diagnostics: Vec<String>,
}

/// Reads a `GetProviderSchema.Response`: the keys of `resource_schemas` and
/// `data_source_schemas`, and the error `diagnostics`.
pub fn schema_names(message: &[u8]) -> Result<SchemaNames, String> {
    let response = Response::decode(message).map_err(|e| format!("GetProviderSchema's answer: {e}"))?;
    Ok(SchemaNames {
        resources: sorted_keys(response.resource_schemas),
        data_sources: sorted_keys(response.data_source_schemas),
        diagnostics: response
            .diagnostics
            .into_iter()
            .filter(|d| d.severity() == Severity::Error)
            .map(|d| d.summary)
            .collect(),
    })
}

/// A map's keys, sorted (protobuf maps have no order).
fn sorted_keys<V>(map: HashMap<String, V>) -> Vec<String> {
    let mut keys: Vec<String> = map.into_keys().collect();
    keys.sort();
    keys
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
