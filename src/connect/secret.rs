//! A string that must never reach a log, an error message or a `{:?}` dump, and a body as a log
//! line may show it.

use std::fmt;

use serde_json::Value;

/// What a secret is replaced with wherever it is hidden: what [`Secret`] prints, and the value of
/// a masked field in a logged body.
pub use crate::untrusted::MASK;

/// A string (API key, client secret) that never shows in `Debug` or `Display`: both print
/// `(sensitive)`.
///
/// The client hands each one it is given to its [`SecretHook`](super::SecretHook) before using
/// it, so the layer above can mask the value in what it shows, even in a server's echo of it.
///
/// It deliberately implements no `Serialize`: the few places that must put a secret on the wire
/// call [`Secret::expose`] explicitly, so a stray `#[derive(Serialize)]` cannot leak one.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps `s`, which from here on prints as [`MASK`].
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The content, for the code that sends it. Named so that each use stands out in review.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether it is empty, asked without exposing it.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret::new(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret::new(s)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

/// Whether a JSON field of this name holds a secret: `client_secret`, the names other
/// templates and APIs give secrets (passwords, private keys, tokens, API keys), and `value`, an
/// environment variable's (`[{"name": ..., "value": ...}]`), which may be anything and is
/// treated as a secret throughout.
fn is_secret_field(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "value"
        || n.contains("secret")
        || n.contains("password")
        || n.contains("passphrase")
        || n.contains("private_key")
        || n.contains("api_key")
        || n.contains("access_key")
        || n == "key"
        || n == "token"
        || n.ends_with("_token")
        || n == "authorization"
}

/// How much of a body a TRACE line shows.
const MAX_LOGGED_BODY: usize = 8 * 1024;

/// A request or response body as a TRACE line may show it: JSON with every secret field's value
/// replaced by [`MASK`] (at any depth), other text as it is (cut at 8 KiB). Secrets known by
/// value are the [`SecretHook`](super::SecretHook)'s business: the layer that writes the line
/// masks them there.
///
/// Inside an object named `config`, only the keys in `plain_config_keys` keep their values:
/// other keys may be any template's secret fields (`extra_sensitive`), whose names say nothing,
/// and a list answer carries every integration's config, including those whose values this
/// process has not seen.
pub(crate) fn mask_body(body: &[u8], plain_config_keys: &[&str]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(mut v) => {
            mask_fields(&mut v, plain_config_keys);
            v.to_string()
        }
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            match text.char_indices().nth(MAX_LOGGED_BODY) {
                Some((cut, _)) => format!("{}…", &text[..cut]),
                None => text.into_owned(),
            }
        }
    }
}

fn mask_fields(v: &mut Value, plain_config_keys: &[&str]) {
    match v {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if is_secret_field(k) && !v.is_null() {
                    *v = Value::from(MASK);
                } else if k == "config" && v.is_object() {
                    for (key, value) in v.as_object_mut().into_iter().flatten() {
                        if !value.is_null() && (is_secret_field(key) || !plain_config_keys.contains(&key.as_str())) {
                            *value = Value::from(MASK);
                        }
                    }
                } else {
                    mask_fields(v, plain_config_keys);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| mask_fields(i, plain_config_keys)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_content() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "(sensitive)");
        assert_eq!(format!("{s}"), "(sensitive)");
        assert_eq!(format!("{:#?}", Some(s.clone())), "Some(\n    (sensitive),\n)");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn bodies_mask_secret_fields_at_any_depth() {
        let body = br#"{"name":"n","nested":[{"password":"p"}],"config":{"client_secret":"abc","client_id":"c",
            "refresh_token":"t","token_endpoint_auth_method":"client_secret_post","use_pkce":true,"api_key":null}}"#;
        let plain = ["client_id", "token_endpoint_auth_method", "use_pkce", "api_key", "refresh_token"];
        let v: Value = serde_json::from_str(&mask_body(body, &plain)).unwrap();
        assert_eq!(v["name"], "n");
        assert_eq!(v["config"]["client_secret"], MASK);
        assert_eq!(v["config"]["client_id"], "c");
        assert_eq!(v["nested"][0]["password"], MASK);
        assert_eq!(v["config"]["refresh_token"], MASK);
        // A field about secrets is not a secret; a null hides nothing.
        assert_eq!(v["config"]["token_endpoint_auth_method"], "client_secret_post");
        assert_eq!(v["config"]["use_pkce"], true);
        assert_eq!(v["config"]["api_key"], Value::Null);
    }

    #[test]
    fn secret_field_names() {
        for name in ["client_secret", "CLIENT_SECRET", "aws_secret_access_key", "password", "private_key", "token"] {
            assert!(is_secret_field(name), "{name}");
        }
        for name in ["client_id", "tenant_id", "scopes", "auth_mode", "token_uri", "token_endpoint_auth_method", "name"]
        {
            assert!(!is_secret_field(name), "{name}");
        }
    }

    #[test]
    fn environment_variable_values_are_masked_and_their_names_kept() {
        let body = br#"[{"name":"DB_URL","value":"postgres://u:pw@db"},{"name":"GONE","value":null}]"#;
        let v: Value = serde_json::from_str(&mask_body(body, &[])).unwrap();
        assert_eq!(v[0]["name"], "DB_URL");
        assert_eq!(v[0]["value"], MASK);
        assert_eq!(v[1]["value"], Value::Null, "a deletion shows as one");
    }

    #[test]
    fn bodies_that_are_not_json_are_shown_as_text_and_cut() {
        assert_eq!(mask_body(b"<p>text</p>", &[]), "<p>text</p>");
        let long = "x".repeat(MAX_LOGGED_BODY + 10);
        assert_eq!(mask_body(long.as_bytes(), &[]).chars().count(), MAX_LOGGED_BODY + 1);
    }

    #[test]
    fn config_keys_outside_the_plain_list_are_masked() {
        let body = br#"[{"name":"n","config":{"client_id":"c","signing_material":"abc","auth_type":null}},
            {"config":{"scopes":"a b","password":"p"}}]"#;
        let v: Value = serde_json::from_str(&mask_body(body, &["client_id", "scopes", "password"])).unwrap();
        assert_eq!(v[0]["name"], "n");
        assert_eq!(v[0]["config"]["client_id"], "c");
        assert_eq!(v[0]["config"]["signing_material"], MASK);
        assert_eq!(v[0]["config"]["auth_type"], Value::Null);
        assert_eq!(v[1]["config"]["scopes"], "a b");
        // A secret-looking name is masked even when listed as plain.
        assert_eq!(v[1]["config"]["password"], MASK);
    }

    #[test]
    fn equality_compares_content() {
        assert_eq!(Secret::new("a"), Secret::from("a"));
        assert_ne!(Secret::new("a"), Secret::from("b".to_string()));
    }
}
