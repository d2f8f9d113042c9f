//! Logs in the form Terraform reads from a plugin's stderr: one JSON object per line with
//! hclog's keys (`@level`, `@message`, `@timestamp`, `@module`), so `TF_LOG=debug` shows them at
//! their level. Written here rather than with tracing-subscriber's JSON formatter because that one
//! names its keys differently and go-plugin would treat every line as plain text.
//!
//! Callers never log secrets; the Connect client's Secret type makes that hard to do by mistake.
//! Two nets catch what slips through anyway: every secret the Connect client is given (through
//! the [`SecretHook`](crate::connect::SecretHook) the provider sets) and every sensitive value
//! Terraform sends is registered here and replaced by [`MASK`] wherever it appears in a line, and
//! [`mask_body`] masks the fields of a JSON body whose names say they hold secrets.

use std::borrow::Cow;
use std::collections::HashSet;
use std::io::Write;
use std::sync::{LazyLock, RwLock};

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

/// The level Terraform asked for: `TF_LOG_PROVIDER`, else `TF_LOG`; nothing when unset.
fn level_from_env() -> Option<Level> {
    let v = std::env::var("TF_LOG_PROVIDER").or_else(|_| std::env::var("TF_LOG")).ok()?;
    match v.trim().to_ascii_lowercase().as_str() {
        "trace" | "json" => Some(Level::TRACE),
        "debug" => Some(Level::DEBUG),
        "info" => Some(Level::INFO),
        "warn" => Some(Level::WARN),
        "error" => Some(Level::ERROR),
        "off" | "" => None,
        _ => Some(Level::TRACE),
    }
}

/// Installs the stderr logger; a no-op when Terraform asked for no logs.
///
/// The provider's own events (this crate's and the plugin framework's) come at the level asked
/// for; other crates' (the gRPC stack's h2 and tonic, chatty at TRACE) only from INFO up.
pub fn init() {
    if let Some(level) = level_from_env() {
        let filter = tracing_subscriber::filter::Targets::new()
            .with_default(level.min(Level::INFO))
            .with_target(env!("CARGO_CRATE_NAME"), level)
            .with_target("tfplugin", level);
        let _ = tracing_subscriber::registry().with(HclogLayer.with_filter(filter)).try_init();
    }
}

/// What a secret is replaced with in logs.
pub const MASK: &str = "(sensitive)";

/// Secrets shorter than this are not searched for in log lines: a two-letter "secret" would
/// mask every word containing it. Such values are still masked by field name in bodies.
const MIN_SCRUBBED_LEN: usize = 4;

/// The secrets seen by this process.
#[derive(Default)]
struct Secrets {
    /// Every form of every secret, longest first (so a secret containing another is masked
    /// whole).
    forms: Vec<String>,
    /// The values registered, for the cheap "already known" check every RPC makes.
    known: HashSet<String>,
}

static SECRETS: LazyLock<RwLock<Secrets>> = LazyLock::new(RwLock::default);

/// Registers a secret value: from now on it is masked wherever it appears in a log line or a
/// diagnostic, as it is and in the forms it takes when a server echoes it (see [`forms`]).
/// The Connect client's [`SecretHook`](crate::connect::SecretHook) (the API key, each secret it
/// sends) and every sensitive value Terraform sends come here.
pub fn register_secret(value: &str) {
    let value = value.trim();
    if value.len() < MIN_SCRUBBED_LEN {
        return;
    }
    // Most calls bring a value already known (the same state at every RPC): a read lock only.
    if SECRETS.read().unwrap_or_else(|e| e.into_inner()).known.contains(value) {
        return;
    }
    let mut secrets = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    if !secrets.known.insert(value.to_owned()) {
        return;
    }
    for form in forms(value) {
        if !secrets.forms.contains(&form) {
            let at = secrets.forms.partition_point(|s| s.len() >= form.len());
            secrets.forms.insert(at, form);
        }
    }
}

/// A secret as it is, and as text that carries it escaped: inside a JSON string (an error
/// echoing a request body; `"` and newlines escaped, and with `/` and non-ASCII escaped too, as
/// some encoders do), URL-encoded (a form body or a query, `%20` or `+` for a space) and
/// HTML-escaped (an error page).
fn forms(value: &str) -> Vec<String> {
    let json = serde_json::to_string(value).unwrap_or_default();
    let json = json[1..json.len() - 1].to_owned();
    let ascii_json: String = json
        .chars()
        .map(|c| match c {
            '/' => "\\/".to_owned(),
            c if c.is_ascii() => c.to_string(),
            c => c.encode_utf16(&mut [0; 2]).iter().map(|u| format!("\\u{u:04x}")).collect(),
        })
        .collect();
    let form: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    let percent = form.replace('+', "%20");
    let html = value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;");
    let mut out = vec![value.to_owned()];
    for f in [json, ascii_json, form, percent, html] {
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

/// `text` with every registered secret, in each of its forms, replaced by [`MASK`].
pub fn scrub(text: &str) -> Cow<'_, str> {
    let secrets = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    let mut out = Cow::Borrowed(text);
    for secret in secrets.forms.iter() {
        if out.contains(secret.as_str()) {
            out = Cow::Owned(out.replace(secret.as_str(), MASK));
        }
    }
    out
}

/// Whether a JSON field of this name holds a secret: `client_secret`, and the names other
/// templates and APIs give secrets (passwords, private keys, tokens, API keys).
pub fn is_secret_field(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("secret")
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
/// replaced by [`MASK`] (at any depth), other text as it is (cut at 8 KiB); in both, registered
/// secrets masked.
///
/// Inside an object named `config`, only the keys in `plain_config_keys` keep their values:
/// other keys may be any template's secret fields (`extra_sensitive`), whose names say nothing,
/// and a list answer carries every integration's config, including those whose values this
/// process has not seen.
pub fn mask_body(body: &[u8], plain_config_keys: &[&str]) -> String {
    let text = match serde_json::from_slice::<Value>(body) {
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
    };
    scrub(&text).into_owned()
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

struct HclogLayer;

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let line = render(event);
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(line.as_bytes());
    }
}

fn render(event: &Event<'_>) -> String {
    let meta = event.metadata();
    let mut fields = Fields(Map::new());
    event.record(&mut fields);
    let mut obj = Map::new();
    obj.insert("@level".into(), Value::from(hclog_level(*meta.level())));
    obj.insert("@message".into(), fields.0.remove("message").unwrap_or(Value::from("")));
    obj.insert("@module".into(), Value::from(format!("posit.{}", meta.target().replace("::", "."))));
    obj.insert("@timestamp".into(), Value::from(timestamp()));
    obj.extend(fields.0);
    let mut line = Value::Object(obj).to_string();
    line.push('\n');
    line
}

fn hclog_level(l: Level) -> &'static str {
    match l {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// hclog's timestamp layout, `2006-01-02T15:04:05.000000Z07:00`: go-plugin rejects others.
fn timestamp() -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    time::OffsetDateTime::now_utc().format(&fmt).unwrap_or_default()
}

struct Fields(Map<String, Value>);

/// Every text value is scrubbed of registered secrets before it is written.
impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        self.0.insert(field.name().to_string(), Value::from(scrub(&text).into_owned()));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), Value::from(scrub(value).into_owned()));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_string(), Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_string(), Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_string(), Value::from(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for name in ["client_id", "tenant_id", "scopes", "auth_mode", "token_uri", "token_endpoint_auth_method"] {
            assert!(!is_secret_field(name), "{name}");
        }
    }

    #[test]
    fn registered_secrets_are_masked_anywhere() {
        register_secret("  reg1stered-s3cret-value\n");
        register_secret("reg1stered-s3cret-value");
        register_secret("reg1stered-s3cret-value-longer");
        register_secret("ab");
        assert_eq!(scrub("x reg1stered-s3cret-value y"), format!("x {MASK} y"));
        assert_eq!(scrub("reg1stered-s3cret-value-longer"), MASK);
        assert_eq!(scrub("about ab"), "about ab");
        assert!(matches!(scrub("nothing here"), Cow::Borrowed(_)));
        // Not JSON: the text, scrubbed; long text is cut.
        assert_eq!(mask_body(b"<p>reg1stered-s3cret-value</p>", &[]), format!("<p>{MASK}</p>"));
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
    fn secrets_are_masked_in_the_forms_servers_echo_them() {
        let secret = "pem-line-one\nwith \"quote\"/and é\tend";
        register_secret(secret);
        let echoed_json = serde_json::to_string(&serde_json::json!({"client_secret": secret})).unwrap();
        let python_json = r#"{"client_secret": "pem-line-one\nwith \"quote\"\/and \u00e9\tend"}"#;
        let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let html = "pem-line-one\nwith &quot;quote&quot;/and é\tend";
        for text in [
            format!("raw: {secret}."),
            format!("400: {echoed_json}"),
            python_json.to_owned(),
            format!("body=a&client_secret={form}"),
            format!("q={}", form.replace('+', "%20")),
            format!("<pre>{html}</pre>"),
        ] {
            let scrubbed = scrub(&text);
            assert!(scrubbed.contains(MASK), "not masked: {text}");
            for part in ["pem-line-one", "quote", "end"] {
                assert!(!scrubbed.contains(part), "{part} left in {scrubbed}");
            }
        }
    }

    #[test]
    fn timestamp_has_hclog_layout() {
        let t = timestamp();
        // 2026-11-28T10:14:09.123456Z
        assert_eq!(t.len(), 27, "{t}");
        assert_eq!(&t[10..11], "T");
        assert!(t.ends_with('Z'));
    }
}
