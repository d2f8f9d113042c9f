//! Logs in the form Terraform reads from a plugin's stderr: one JSON object per line with
//! hclog's keys (`@level`, `@message`, `@timestamp`, `@module`), so `TF_LOG=debug` shows them at
//! their level. Written here rather than with tracing-subscriber's JSON formatter because that one
//! names its keys differently and go-plugin would treat every line as plain text.
//!
//! Callers never log secrets; the Connect client's Secret type makes that hard to do by mistake.
//! Two nets catch what slips through anyway: every secret the Connect client is given (through
//! the [`SecretHook`](crate::connect::SecretHook) the provider sets) and every sensitive value
//! Terraform sends is registered here and replaced by [`MASK`] wherever it appears in a line (a
//! logged body included), and the client masks the fields of a JSON body whose names say they
//! hold secrets before logging it.

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

/// What a secret is replaced with in logs: the Connect client's word for it, so a secret reads
/// the same wherever it was hidden.
pub const MASK: &str = crate::connect::MASK;

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
/// diagnostic, as it is and in the forms it takes when a server echoes it (JSON-escaped,
/// URL-encoded, HTML-escaped).
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
    fn registered_secrets_are_masked_anywhere() {
        register_secret("  reg1stered-s3cret-value\n");
        register_secret("reg1stered-s3cret-value");
        register_secret("reg1stered-s3cret-value-longer");
        register_secret("ab");
        assert_eq!(scrub("x reg1stered-s3cret-value y"), format!("x {MASK} y"));
        assert_eq!(scrub("reg1stered-s3cret-value-longer"), MASK);
        assert_eq!(scrub("about ab"), "about ab");
        assert!(matches!(scrub("nothing here"), Cow::Borrowed(_)));
    }

    /// A layer that keeps each line [`render`] makes.
    struct Rendered(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

    impl<S: Subscriber> Layer<S> for Rendered {
        fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
            self.0.lock().unwrap().push(render(event));
        }
    }

    #[test]
    fn a_logged_body_never_shows_a_registered_secret() {
        register_secret("b0dy-s3cret-value");
        let lines = std::sync::Arc::default();
        let subscriber = tracing_subscriber::registry().with(Rendered(std::sync::Arc::clone(&lines)));
        tracing::subscriber::with_default(subscriber, || {
            tracing::trace!(body = %"<p>b0dy-s3cret-value</p>", "Connect API response body");
        });
        let lines = lines.lock().unwrap();
        assert_eq!(lines.len(), 1);
        assert!(lines[0].contains(&format!(r#""body":"<p>{MASK}</p>""#)), "{}", lines[0]);
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
