//! Logs in the form Terraform reads from a plugin's stderr: one JSON object per line with
//! hclog's keys (`@level`, `@message`, `@timestamp`, `@module`), so `TF_LOG=debug` shows them at
//! their level. Written here rather than with tracing-subscriber's JSON formatter because that one
//! names its keys differently and go-plugin would treat every line as plain text.
//!
//! Callers never log secrets; the Connect client's Secret type makes that hard to do by mistake.
//! Two nets catch what slips through anyway: every secret the Connect client is given (through
//! the [`SecretHook`](crate::connect::SecretHook) the provider sets) and every sensitive value
//! Terraform sends is registered (in [`crate::untrusted`]) and replaced by
//! [`MASK`](crate::untrusted::MASK) wherever it appears in a line (a logged body included), and
//! the client masks the fields of a JSON body whose names say they hold secrets before logging
//! it.

use std::io::Write;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

use crate::untrusted::scrub;

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
    use crate::untrusted::{register_secret, MASK};

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
    fn timestamp_has_hclog_layout() {
        let t = timestamp();
        // 2026-11-28T10:14:09.123456Z
        assert_eq!(t.len(), 27, "{t}");
        assert_eq!(&t[10..11], "T");
        assert!(t.ends_with('Z'));
    }
}
