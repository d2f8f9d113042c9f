//! The provider block's settings: each attribute with the environment variable it falls back
//! to, how its text is parsed and what it allows (said in the diagnostic when a value is refused),
//! and the Connect client built from them.

use std::time::Duration;

use crate::connect::{CancellationToken, Client, ClientConfig, Error, RetryPolicy, Secret, SecretHook, TlsOptions};
use tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::value::{Number, Value};

use super::VERSION;

/// Bad transport settings (in the configuration or their environment variables) fail at
/// validation, at plan time, each naming the attribute and what it allows; `connect_insecure`
/// and an `http://` server other than this machine earn a warning.
pub(super) fn validate(config: &Value, diags: &mut Diagnostics) {
    if let Resolved::Set(server) = SERVER.resolve(config) {
        if sends_key_in_cleartext(&server) {
            diags.push(cleartext_warning(config));
        }
    }
    /// The parsed value; a bad one is reported, one known only after apply is checked at
    /// configure time.
    fn known<T>(
        setting: &Setting,
        config: &Value,
        parse: impl Fn(&str) -> Result<T, String>,
        diags: &mut Diagnostics,
    ) -> Option<T> {
        if config.get(setting.attribute).is_unknown() {
            return None;
        }
        setting.parsed(config, parse).unwrap_or_else(|d| {
            diags.push(d);
            None
        })
    }
    if let Some(pem) = known(&CA_CERTIFICATE, config, read_ca_certificate, diags) {
        if let Err(e) = (TlsOptions { ca_certificates_pem: Some(pem), insecure: false }).check() {
            diags.push(invalid_ca(config, &e));
        }
    }
    if known(&INSECURE, config, parse_bool, diags) == Some(true) {
        diags.push(insecure_warning());
    }
    known(&REQUEST_TIMEOUT, config, parse_timeout, diags);
    known(&MAX_RETRIES, config, parse_retries, diags);
    known(&OPERATION_TIMEOUT, config, parse_operation_timeout, diags);
}

/// One provider setting: its attribute and the environment variable it falls back to.
pub(super) struct Setting {
    pub(super) attribute: &'static str,
    env: &'static str,
}

pub(super) const SERVER: Setting = Setting { attribute: "connect_server", env: "CONNECT_SERVER" };
const API_KEY: Setting = Setting { attribute: "connect_api_key", env: "CONNECT_API_KEY" };
const CA_CERTIFICATE: Setting = Setting { attribute: "connect_ca_certificate", env: "CONNECT_CA_CERTIFICATE" };
const INSECURE: Setting = Setting { attribute: "connect_insecure", env: "CONNECT_INSECURE" };
const REQUEST_TIMEOUT: Setting = Setting { attribute: "connect_request_timeout", env: "CONNECT_REQUEST_TIMEOUT" };
const MAX_RETRIES: Setting = Setting { attribute: "connect_max_retries", env: "CONNECT_MAX_RETRIES" };
const OPERATION_TIMEOUT: Setting = Setting { attribute: "connect_operation_timeout", env: "CONNECT_OPERATION_TIMEOUT" };

/// Seconds one request may take when `connect_request_timeout` is not set, and its bounds.
const DEFAULT_TIMEOUT_SECS: u64 = 60;
const MAX_TIMEOUT_SECS: u64 = 3600;
const MAX_RETRIES_ALLOWED: u64 = 100;

/// Seconds one operation (a request with its retries) may take when `connect_operation_timeout`
/// is not set: five default request timeouts, or several waits of the longest `Retry-After`
/// honoured (60 s), so a slow but working Connect is not cut off, while a stalled one fails a
/// plan in 5 minutes rather than the 6 that six 60 s attempts and their backoff would take.
/// Up to a day, for whoever really wants to wait out a long maintenance.
const DEFAULT_OPERATION_TIMEOUT_SECS: u64 = 300;
const MAX_OPERATION_TIMEOUT_SECS: u64 = 86_400;

/// Not a setting for users: multiplies every retry wait (a number from 0 to 1), so the
/// end-to-end tests of retries under injected faults run in seconds.
const RETRY_DELAY_SCALE_ENV: &str = "POSIT_PROVIDER_RETRY_DELAY_SCALE";

/// Where a setting's value stands.
enum Resolved {
    /// Set, in the configuration or else the environment, as text.
    Set(String),
    /// Set nowhere.
    Unset,
    /// The configuration's value is known only after apply (it depends on something not yet
    /// created).
    Unknown,
}

impl Setting {
    /// The configured value, else the environment's. Booleans and numbers come as text, so both
    /// sources parse alike.
    fn resolve(&self, config: &Value) -> Resolved {
        let text = match config.get(self.attribute) {
            Value::Unknown => return Resolved::Unknown,
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(Number::Int(n)) => Some(n.to_string()),
            Value::Number(Number::Float(f)) => Some(f.to_string()),
            _ => std::env::var(self.env).ok().filter(|v| !v.trim().is_empty()),
        };
        text.map_or(Resolved::Unset, Resolved::Set)
    }

    /// The value parsed by `parse`, `None` when set nowhere; `Err` holds the diagnostic for a
    /// value that is unknown or that `parse` refuses (its message says what is allowed).
    fn parsed<T>(&self, config: &Value, parse: impl Fn(&str) -> Result<T, String>) -> Result<Option<T>, Diagnostic> {
        match self.resolve(config) {
            Resolved::Unknown => Err(self.unknown()),
            Resolved::Unset => Ok(None),
            Resolved::Set(raw) => parse(&raw).map(Some).map_err(|allowed| self.invalid(config, &raw, &allowed)),
        }
    }

    /// A bad value, said with where it came from (the attribute or the environment variable).
    fn invalid(&self, config: &Value, raw: &str, allowed: &str) -> Diagnostic {
        let from = if config.get(self.attribute).is_null() {
            format!("The {} environment variable (the fallback for {})", self.env, self.attribute)
        } else {
            self.attribute.to_string()
        };
        // A PEM text is long: show its start only.
        let shown: String = raw.chars().take(60).collect();
        let shown = if shown.len() < raw.len() { format!("{shown}…") } else { shown };
        Diagnostic::error(format!("Invalid {}", self.attribute), format!("{from} is {shown:?}: {allowed}."))
            .at(AttributePath::root(self.attribute))
    }

    fn missing(&self) -> Diagnostic {
        Diagnostic::error(
            format!("Missing {}", self.attribute),
            format!(
                "The posit provider needs {attr} to talk to Posit Connect: set {attr} in the provider block or the \
                 {env} environment variable.",
                attr = self.attribute,
                env = self.env
            ),
        )
        .at(AttributePath::root(self.attribute))
    }

    fn unknown(&self) -> Diagnostic {
        Diagnostic::error(
            format!("{} is not known yet", self.attribute),
            format!(
                "{} depends on a value known only after apply, and this operation needs to reach Connect now.",
                self.attribute
            ),
        )
        .at(AttributePath::root(self.attribute))
    }
}

/// Why there is no client: a setting that is wrong or missing (an error at configure time, so a
/// plan fails even when it only creates: a CI plan gate must not pass with a forgotten
/// `CONNECT_SERVER`), or one known only after apply, which only matters to operations that need
/// the API.
pub(super) enum NoClient {
    Invalid(Diagnostic),
    Unknown(Diagnostic),
}

pub(super) fn build_client(
    config: &Value,
    terraform_version: &str,
    stop: &CancellationToken,
) -> Result<Client, NoClient> {
    let get = |s: &Setting| match s.resolve(config) {
        Resolved::Set(v) => Ok(v),
        Resolved::Unset => Err(NoClient::Invalid(s.missing())),
        Resolved::Unknown => Err(NoClient::Unknown(s.unknown())),
    };
    let (server, key) = (get(&SERVER)?, get(&API_KEY)?);
    // An unknown optional setting is like an unknown required one: only API calls need it.
    fn optional<T>(r: Result<Option<T>, Diagnostic>, config: &Value, setting: &Setting) -> Result<Option<T>, NoClient> {
        match r {
            Err(d) if config.get(setting.attribute).is_unknown() => Err(NoClient::Unknown(d)),
            Err(d) => Err(NoClient::Invalid(d)),
            Ok(v) => Ok(v),
        }
    }
    let tls = TlsOptions {
        ca_certificates_pem: optional(CA_CERTIFICATE.parsed(config, read_ca_certificate), config, &CA_CERTIFICATE)?,
        insecure: optional(INSECURE.parsed(config, parse_bool), config, &INSECURE)?.unwrap_or(false),
    };
    let timeout = optional(REQUEST_TIMEOUT.parsed(config, parse_timeout), config, &REQUEST_TIMEOUT)?
        .unwrap_or(Duration::from_secs(DEFAULT_TIMEOUT_SECS));
    let operation_timeout =
        optional(OPERATION_TIMEOUT.parsed(config, parse_operation_timeout), config, &OPERATION_TIMEOUT)?
            .unwrap_or(Duration::from_secs(DEFAULT_OPERATION_TIMEOUT_SECS));
    let mut retry = RetryPolicy::default();
    if let Some(n) = optional(MAX_RETRIES.parsed(config, parse_retries), config, &MAX_RETRIES)? {
        retry.max_retries = n;
    }
    if let Some(scale) = std::env::var(RETRY_DELAY_SCALE_ENV).ok().and_then(|v| v.trim().parse::<f64>().ok()) {
        retry.delay_scale = scale.clamp(0.0, 1.0);
    }
    let mut cfg = ClientConfig::new(
        server,
        Secret::new(key),
        format!("terraform-provider-posit/{VERSION} Terraform/{terraform_version}"),
    );
    cfg.tls = tls;
    cfg.timeout = timeout;
    cfg.operation_timeout = operation_timeout;
    cfg.retry = retry;
    cfg.cancel = stop.clone();
    // The key and every secret the client sends are masked in this process's logs and
    // diagnostics, as Terraform's sensitive values are.
    cfg.on_secret = SecretHook::new(crate::untrusted::register_secret);
    Client::new(cfg).map_err(|e| {
        let diagnostic = match e {
            Error::InvalidCaCertificate { .. } => invalid_ca(config, &e),
            Error::InvalidApiKey { .. } => Diagnostic::error(format!("Invalid {}", API_KEY.attribute), e.to_string())
                .at(AttributePath::root(API_KEY.attribute)),
            _ => Diagnostic::error(format!("Invalid {}", SERVER.attribute), e.to_string())
                .at(AttributePath::root(SERVER.attribute)),
        };
        NoClient::Invalid(diagnostic)
    })
}

/// The attribute of [`protect_used_integrations`]; no environment variable: it is a rule of the
/// configuration, not of the machine running it.
pub(super) const PROTECT_USED_INTEGRATIONS: &str = "protect_used_integrations";

/// Whether a plan that destroys or replaces an integration some content uses must fail (unset:
/// no, it warns). Known only after apply, it is like any unknown setting: the operations that
/// need Connect wait, and plans skip the check.
pub(super) fn protect_used_integrations(config: &Value) -> Result<bool, NoClient> {
    match config.get(PROTECT_USED_INTEGRATIONS) {
        Value::Bool(b) => Ok(*b),
        Value::Unknown => Err(NoClient::Unknown(
            Diagnostic::error(
                format!("{PROTECT_USED_INTEGRATIONS} is not known yet"),
                format!(
                    "{PROTECT_USED_INTEGRATIONS} depends on a value known only after apply, and this operation needs \
                     to reach Connect now."
                ),
            )
            .at(AttributePath::root(PROTECT_USED_INTEGRATIONS)),
        )),
        _ => Ok(false),
    }
}

/// `connect_ca_certificate` as PEM text: the value itself when it holds a PEM block, else the
/// content of the file it names.
fn read_ca_certificate(raw: &str) -> Result<String, String> {
    if raw.contains("-----BEGIN") {
        return Ok(raw.to_string());
    }
    let path = raw.trim();
    let path = match path.strip_prefix("~/") {
        Some(rest) => std::env::var("HOME").map(|h| format!("{h}/{rest}")).unwrap_or_else(|_| path.to_string()),
        None => path.to_string(),
    };
    std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "it is neither PEM text (-----BEGIN CERTIFICATE-----...) nor a readable file (reading {path} failed: {})",
            e.to_string().split(" (os error").next().unwrap_or_default()
        )
    })
}

fn invalid_ca(config: &Value, e: &Error) -> Diagnostic {
    let from = if config.get(CA_CERTIFICATE.attribute).is_null() {
        format!("The {} environment variable", CA_CERTIFICATE.env)
    } else {
        CA_CERTIFICATE.attribute.to_string()
    };
    Diagnostic::error(
        format!("Invalid {}", CA_CERTIFICATE.attribute),
        format!("{from} must hold PEM certificates (or name a file holding them): {e}."),
    )
    .at(AttributePath::root(CA_CERTIFICATE.attribute))
}

fn insecure_warning() -> Diagnostic {
    Diagnostic::warning(
        "Connect's TLS certificate is not verified",
        format!(
            "{} is true: the provider accepts any certificate from the Connect server, so anyone on the network \
             path could pose as Connect and read the API key. Use this for test servers only; to trust a private \
             certificate authority, set {} instead.",
            INSECURE.attribute, CA_CERTIFICATE.attribute
        ),
    )
    .at(AttributePath::root(INSECURE.attribute))
}

/// Whether `server` is an `http://` URL to another machine, so the API key would cross the
/// network unencrypted. Loopback addresses (tests, local stand-ins) are fine; a URL that does not
/// parse is reported when the client is built.
fn sends_key_in_cleartext(server: &str) -> bool {
    let Ok(url) = url::Url::parse(server.trim()) else { return false };
    url.scheme() == "http"
        && match url.host() {
            Some(url::Host::Domain(d)) => !d.trim_end_matches('.').eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => !ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => !ip.is_loopback(),
            None => false,
        }
}

fn cleartext_warning(config: &Value) -> Diagnostic {
    let from = if config.get(SERVER.attribute).is_null() {
        format!("{} (from the {} environment variable)", SERVER.attribute, SERVER.env)
    } else {
        SERVER.attribute.to_string()
    };
    Diagnostic::warning(
        "The Connect API key travels unencrypted",
        format!(
            "{from} is an http:// URL, so the API key travels unencrypted and anyone on the network path can read \
             it. Use https:// (with {} if a private certificate authority signed the server's certificate).",
            CA_CERTIFICATE.attribute
        ),
    )
    .at(AttributePath::root(SERVER.attribute))
}

fn parse_bool(raw: &str) -> Result<bool, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err("it must be true or false".into()),
    }
}

/// A whole number from `min` to `max`.
fn parse_whole(raw: &str, min: u64, max: u64, what: &str) -> Result<u64, String> {
    let allowed = || format!("it must be a whole number of {what} from {min} to {max}");
    let v: f64 = raw.trim().parse().map_err(|_| allowed())?;
    if v.fract() != 0.0 || v < min as f64 || v > max as f64 {
        return Err(allowed());
    }
    Ok(v as u64)
}

fn parse_timeout(raw: &str) -> Result<Duration, String> {
    parse_whole(raw, 1, MAX_TIMEOUT_SECS, "seconds").map(Duration::from_secs)
}

fn parse_operation_timeout(raw: &str) -> Result<Duration, String> {
    parse_whole(raw, 1, MAX_OPERATION_TIMEOUT_SECS, "seconds").map(Duration::from_secs)
}

fn parse_retries(raw: &str) -> Result<u32, String> {
    parse_whole(raw, 0, MAX_RETRIES_ALLOWED, "retries").map(|n| n as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::PositProvider;
    use tfplugin::diag::Severity;
    use tfplugin::resource::{Provider, ValidateRequest, ValidateResponse};

    fn config(pairs: Vec<(&str, Value)>) -> Value {
        Value::object(pairs)
    }

    fn validated(provider: &PositProvider, config: Value) -> Diagnostics {
        let mut resp = ValidateResponse::default();
        provider.validate(&ValidateRequest { config, caps: Default::default() }, &mut resp);
        resp.diagnostics
    }

    #[test]
    fn settings_parse_and_say_what_is_allowed() {
        assert_eq!(parse_bool(" TRUE "), Ok(true));
        assert_eq!(parse_bool("0"), Ok(false));
        assert_eq!(parse_bool("maybe"), Err("it must be true or false".into()));
        assert_eq!(parse_timeout("60"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_timeout("1.0"), Ok(Duration::from_secs(1)));
        for bad in ["0", "-5", "3601", "1.5", "soon", ""] {
            assert_eq!(
                parse_timeout(bad),
                Err("it must be a whole number of seconds from 1 to 3600".into()),
                "{bad:?}"
            );
        }
        assert_eq!(parse_retries("0"), Ok(0));
        assert_eq!(parse_retries("100"), Ok(100));
        assert!(parse_retries("101").is_err() && parse_retries("-1").is_err() && parse_retries("2.5").is_err());
        assert_eq!(parse_operation_timeout("86400"), Ok(Duration::from_secs(86_400)));
        for bad in ["0", "86401", "2.5", "never"] {
            assert_eq!(
                parse_operation_timeout(bad),
                Err("it must be a whole number of seconds from 1 to 86400".into()),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn ca_certificate_is_pem_text_or_a_file() {
        let pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert_eq!(read_ca_certificate(pem).as_deref(), Ok(pem));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, pem).unwrap();
        assert_eq!(read_ca_certificate(&format!(" {} ", path.display())).as_deref(), Ok(pem));
        let e = read_ca_certificate("/nonexistent/ca.pem").unwrap_err();
        assert_eq!(
            e,
            "it is neither PEM text (-----BEGIN CERTIFICATE-----...) nor a readable file (reading \
             /nonexistent/ca.pem failed: No such file or directory)"
        );
    }

    #[test]
    fn validate_names_each_bad_setting_and_warns_on_insecure() {
        let provider = PositProvider::new();
        let diags = validated(
            &provider,
            config(vec![
                (
                    "connect_ca_certificate",
                    Value::string("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"),
                ),
                ("connect_insecure", Value::Bool(true)),
                ("connect_request_timeout", Value::Number(Number::Int(0))),
                ("connect_max_retries", Value::Number(Number::Float(2.5))),
                ("connect_operation_timeout", Value::Number(Number::Int(86_401))),
            ]),
        );
        let got: Vec<(Severity, String, String)> = diags
            .0
            .iter()
            .map(|d| (d.severity, d.summary.clone(), d.attribute.as_ref().unwrap().to_string()))
            .collect();
        assert_eq!(
            got,
            [
                (Severity::Error, "Invalid connect_ca_certificate".into(), "connect_ca_certificate".into()),
                (Severity::Warning, "Connect's TLS certificate is not verified".into(), "connect_insecure".into()),
                (Severity::Error, "Invalid connect_request_timeout".into(), "connect_request_timeout".into()),
                (Severity::Error, "Invalid connect_max_retries".into(), "connect_max_retries".into()),
                (Severity::Error, "Invalid connect_operation_timeout".into(), "connect_operation_timeout".into()),
            ]
        );
        assert_eq!(
            diags.0[4].detail,
            "connect_operation_timeout is \"86401\": it must be a whole number of seconds from 1 to 86400."
        );
        assert_eq!(
            diags.0[2].detail,
            "connect_request_timeout is \"0\": it must be a whole number of seconds from 1 to 3600."
        );
        assert!(
            diags.0[0].detail.starts_with("connect_ca_certificate must hold PEM certificates"),
            "{}",
            diags.0[0].detail
        );

        // Good values, and values known only after apply, pass.
        let diags = validated(
            &provider,
            config(vec![
                ("connect_ca_certificate", Value::Unknown),
                ("connect_insecure", Value::Bool(false)),
                ("connect_request_timeout", Value::Number(Number::Int(30))),
                ("connect_max_retries", Value::Unknown),
            ]),
        );
        assert!(diags.0.is_empty(), "{diags:?}");
    }

    #[test]
    fn an_http_server_off_this_machine_earns_a_warning() {
        for (server, warned) in [
            ("http://connect.example.com", true),
            ("HTTP://10.0.0.5:3939/rsc", true),
            ("http://[2001:db8::1]", true),
            ("http://localhost:3939", false),
            ("http://LOCALHOST.", false),
            ("http://127.0.0.1:3939", false),
            ("http://127.9.9.9", false),
            ("http://[::1]:3939", false),
            ("https://connect.example.com", false),
            ("not a url", false),
        ] {
            let provider = PositProvider::new();
            let diags = validated(&provider, config(vec![("connect_server", Value::string(server))]));
            let got: Vec<_> = diags.0.iter().map(|d| (d.severity, d.summary.as_str(), d.attribute.clone())).collect();
            let expected = if warned {
                vec![(
                    Severity::Warning,
                    "The Connect API key travels unencrypted",
                    Some(AttributePath::root("connect_server")),
                )]
            } else {
                vec![]
            };
            assert_eq!(got, expected, "{server}");
            if warned {
                assert!(diags.0[0].detail.starts_with("connect_server is an http:// URL"), "{}", diags.0[0].detail);
            }
        }
        assert_eq!(
            cleartext_warning(&config(vec![])).detail.split(" is an").next(),
            Some("connect_server (from the CONNECT_SERVER environment variable)")
        );
    }

    #[test]
    fn protection_is_off_unless_set_true() {
        let get = |v: Value| protect_used_integrations(&config(vec![(PROTECT_USED_INTEGRATIONS, v)]));
        assert!(matches!(get(Value::Bool(true)), Ok(true)));
        assert!(matches!(get(Value::Bool(false)), Ok(false)));
        assert!(matches!(get(Value::Null), Ok(false)));
        match get(Value::Unknown) {
            Err(NoClient::Unknown(d)) => assert_eq!(d.summary, "protect_used_integrations is not known yet"),
            _ => panic!("an unknown setting waits for apply"),
        }
    }

    #[test]
    fn a_long_value_is_cut_in_messages() {
        let raw = "x".repeat(200);
        let d = REQUEST_TIMEOUT.invalid(&config(vec![("connect_request_timeout", Value::string(&raw))]), &raw, "no");
        assert!(d.detail.contains(&format!("\"{}…\"", "x".repeat(60))), "{}", d.detail);
    }

    #[test]
    fn the_client_gets_the_settings() {
        let stop = CancellationToken::new();
        let base = |extra: Vec<(&str, Value)>| {
            let mut pairs = vec![
                ("connect_server", Value::string("https://connect.example.org")),
                ("connect_api_key", Value::string("k")),
            ];
            pairs.extend(extra);
            config(pairs)
        };
        assert!(build_client(&base(vec![]), "1.11.0", &stop).is_ok());
        let ok = base(vec![
            ("connect_insecure", Value::Bool(true)),
            ("connect_request_timeout", Value::Number(Number::Int(5))),
            ("connect_max_retries", Value::Number(Number::Int(0))),
            ("connect_operation_timeout", Value::Number(Number::Int(30))),
        ]);
        assert!(build_client(&ok, "1.11.0", &stop).is_ok());
        match build_client(&base(vec![("connect_ca_certificate", Value::string("/nonexistent"))]), "1", &stop) {
            Err(NoClient::Invalid(d)) => assert_eq!(d.attribute, Some(AttributePath::root("connect_ca_certificate"))),
            _ => panic!("a CA file that is not there is an error"),
        }
        match build_client(&base(vec![("connect_max_retries", Value::Unknown)]), "1", &stop) {
            Err(NoClient::Unknown(d)) => assert_eq!(d.summary, "connect_max_retries is not known yet"),
            _ => panic!("an unknown setting waits for apply"),
        }
    }

    #[test]
    fn the_key_is_masked_in_logs_once_the_client_is_built() {
        let key = "settings-test-k3y-71c4";
        let config = config(vec![
            ("connect_server", Value::string("https://connect.example.org")),
            ("connect_api_key", Value::string(key)),
        ]);
        assert!(build_client(&config, "1.11.0", &CancellationToken::new()).is_ok());
        assert_eq!(crate::untrusted::scrub(&format!("key={key}")), "key=(sensitive)");
    }
}
