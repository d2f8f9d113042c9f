//! The client's settings and what they build: the server URL (checked and normalised), the API
//! key and user agent (as default headers), which certificates to trust, the timeouts, the retry
//! policy and the body size cap. Nothing here makes a request.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION};
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::connect::error::{redact_url, root_cause};
use crate::connect::retry::RetryPolicy;
use crate::connect::tls;
use crate::connect::{Error, Secret};

/// Where the API lives under a Connect server's URL.
const API_PREFIX: &str = "__api__";

/// The default limit for one attempt.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The default limit for one call, retries included: five default attempts, or a few waits of
/// the longest `Retry-After` honoured, yet a stalled server fails within minutes.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(300);

/// The largest answer body read: Connect's largest answer, the list of every integration, is
/// about 3 MB for 10,000 of them; anything far bigger is not Connect's and must not exhaust
/// memory.
pub(crate) const MAX_BODY: usize = 64 << 20;

/// How to reach one Connect server.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// `https://host`, with or without a trailing slash or a path prefix.
    pub server_url: String,
    /// Sent as `Authorization: Key ...` on every request; surrounding whitespace is dropped.
    pub api_key: Secret,
    /// Names the caller (and its version) in the server's logs.
    pub user_agent: String,
    /// Limit for one attempt at a request, connecting included.
    pub timeout: Duration,
    /// Limit for one call, every attempt and wait included.
    pub operation_timeout: Duration,
    /// Which certificates to trust.
    pub tls: TlsOptions,
    /// When to try again, and how long to wait first.
    pub retry: RetryPolicy,
    /// Cancelling it stops every request of the client (and of its clones).
    pub cancel: CancellationToken,
    /// Handed every secret the client is given, before it uses it. Default: nothing.
    pub on_secret: SecretHook,
    /// Bodies larger than this are refused unread: [`MAX_BODY`], smaller in tests.
    pub(crate) max_body: usize,
}

impl ClientConfig {
    /// Defaults for the rest: [`DEFAULT_TIMEOUT`], [`DEFAULT_OPERATION_TIMEOUT`], the system's
    /// and Mozilla's CAs, the default [`RetryPolicy`], a token of its own, no [`SecretHook`].
    pub fn new(server_url: impl Into<String>, api_key: Secret, user_agent: impl Into<String>) -> Self {
        ClientConfig {
            server_url: server_url.into(),
            api_key,
            user_agent: user_agent.into(),
            timeout: DEFAULT_TIMEOUT,
            operation_timeout: DEFAULT_OPERATION_TIMEOUT,
            tls: TlsOptions::default(),
            retry: RetryPolicy::default(),
            cancel: CancellationToken::new(),
            on_secret: SecretHook::default(),
            max_body: MAX_BODY,
        }
    }

    /// The `reqwest` client these settings describe: the key and user agent as default headers,
    /// the attempt timeout, redirects not followed (a redirect is reported, see
    /// [`Error::Redirected`]), and the certificates to trust.
    pub(super) fn http_client(&self) -> Result<reqwest::Client, Error> {
        let mut auth = HeaderValue::from_str(&format!("Key {}", self.api_key.expose().trim())).map_err(|_| {
            Error::InvalidApiKey { reason: "it contains characters that cannot go in an HTTP header".into() }
        })?;
        auth.set_sensitive(true);
        let user_agent = HeaderValue::from_str(&self.user_agent).map_err(|_| Error::Setup {
            reason: format!("user agent `{}` cannot go in an HTTP header", self.user_agent),
        })?;
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));

        // HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY are honoured: reqwest reads them here.
        let mut builder = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(user_agent)
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none());
        let ca_certificates = match &self.tls.ca_certificates_pem {
            Some(pem) => tls::ca_certificates(pem)?,
            None => Vec::new(),
        };
        builder = if self.tls.insecure {
            builder.danger_accept_invalid_certs(true)
        } else {
            builder.use_preconfigured_tls(tls::client_config(ca_certificates)?)
        };
        builder.build().map_err(|e| {
            if self.tls.ca_certificates_pem.is_some() {
                Error::InvalidCaCertificate { reason: root_cause(&e) }
            } else {
                Error::Setup { reason: root_cause(&e) }
            }
        })
    }
}

/// What the client calls with each secret it is given, before using it: the API key when the
/// client is built, and each secret value of a request body before the request is sent.
///
/// The client keeps secrets out of what it prints ([`Secret`], masked bodies), but a server may
/// echo one in its own text; the layer above, which owns the logs and the messages, is told them
/// here so it can mask them there too. The client knows nothing of where that is.
#[derive(Clone)]
pub struct SecretHook(Arc<dyn Fn(&str) + Send + Sync>);

impl SecretHook {
    /// A hook that calls `f` with each secret, in line, before the secret is used.
    pub fn new(f: impl Fn(&str) + Send + Sync + 'static) -> Self {
        SecretHook(Arc::new(f))
    }

    pub(crate) fn hand(&self, secret: &Secret) {
        (self.0)(secret.expose())
    }
}

impl Default for SecretHook {
    /// Tells no one.
    fn default() -> Self {
        SecretHook::new(|_| {})
    }
}

impl fmt::Debug for SecretHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretHook")
    }
}

/// Which servers to trust. By default the system's CAs and Mozilla's (webpki-roots).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TlsOptions {
    /// More CAs to trust, as PEM (one or more `-----BEGIN CERTIFICATE-----` blocks): for a Connect
    /// whose certificate comes from a private CA.
    pub ca_certificates_pem: Option<String>,
    /// Accept any certificate: for test servers only.
    pub insecure: bool,
}

impl TlsOptions {
    /// Checks the CA certificates without building a client (for validation before use).
    pub fn check(&self) -> Result<(), Error> {
        match &self.ca_certificates_pem {
            Some(pem) => tls::ca_certificates(pem).map(|_| ()),
            None => Ok(()),
        }
    }
}

/// A server URL once checked: how it is shown, and where its API is.
#[derive(Debug)]
pub(crate) struct ServerUrl {
    /// Normalised, without a trailing slash (`https://host/prefix`).
    pub shown: String,
    /// `shown` + `/__api__`: what the API paths go under.
    pub api_base: Url,
}

/// Checks and normalises a server URL.
///
/// A path prefix is kept (Connect can live under `https://host/connect/`); a trailing
/// `/__api__` is dropped since people paste API URLs. Credentials in the URL are refused: the
/// API key authenticates, and userinfo would leak into logs and errors.
pub(crate) fn normalise_server_url(raw: &str) -> Result<ServerUrl, Error> {
    let invalid = |reason: &str| Error::InvalidServerUrl { value: redact_url(raw), reason: reason.to_owned() };
    let trimmed = raw.trim();
    let mut url = Url::parse(trimmed).map_err(|e| match e {
        url::ParseError::RelativeUrlWithoutBase => invalid("it has no scheme; write it as https://<host>"),
        e => invalid(&e.to_string()),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(if trimmed.contains("://") {
            invalid(&format!("the scheme must be http or https, not `{}`", url.scheme()))
        } else {
            invalid("it has no scheme; write it as https://<host>")
        });
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("it must not contain a user name or password; the API key authenticates"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not contain a query (?) or fragment (#)"));
    }

    let mut path = url.path().trim_end_matches('/');
    if let Some(p) = path.strip_suffix(&format!("/{API_PREFIX}")) {
        path = p.trim_end_matches('/');
    }
    let path = path.to_owned();
    url.set_path(&path);
    let server_url = url.as_str().trim_end_matches('/').to_owned();
    url.set_path(&format!("{path}/{API_PREFIX}"));
    Ok(ServerUrl { shown: server_url, api_base: url })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::client::Client;

    fn norm(raw: &str) -> (String, String) {
        let ServerUrl { shown: server, api_base: base } = normalise_server_url(raw).unwrap();
        (server, base.to_string())
    }

    fn reason(raw: &str) -> String {
        match normalise_server_url(raw) {
            Err(Error::InvalidServerUrl { value, reason }) => format!("{value} | {reason}"),
            other => panic!("{raw}: {other:?}"),
        }
    }

    #[test]
    fn server_urls_normalise() {
        let plain = ("https://host".to_owned(), "https://host/__api__".to_owned());
        assert_eq!(norm("https://host"), plain);
        assert_eq!(norm("https://host/"), plain);
        assert_eq!(norm("  https://HOST//  "), plain);
        assert_eq!(norm("https://host/__api__/"), plain);
        assert_eq!(
            norm("https://host/prefix/"),
            ("https://host/prefix".to_owned(), "https://host/prefix/__api__".to_owned())
        );
        assert_eq!(
            norm("http://host:3939/a/b/__api__"),
            ("http://host:3939/a/b".to_owned(), "http://host:3939/a/b/__api__".to_owned())
        );
        assert_eq!(norm("https://host:443").0, "https://host");
    }

    #[test]
    fn bad_server_urls_are_refused_with_a_reason() {
        assert_eq!(reason("connect.example.com"), "connect.example.com | it has no scheme; write it as https://<host>");
        assert_eq!(
            reason("connect.example.com:3939"),
            "connect.example.com:3939 | it has no scheme; write it as https://<host>"
        );
        assert_eq!(reason("ftp://host"), "ftp://host | the scheme must be http or https, not `ftp`");
        assert!(reason("https://").contains("empty host"));
        let r = reason("https://ho st/");
        assert!(r.starts_with("https://ho st/ | "), "{r}");
        assert_eq!(reason("https://host/?a=b"), "https://host/?a=b | it must not contain a query (?) or fragment (#)");
        assert_eq!(reason(""), " | it has no scheme; write it as https://<host>");
        // Credentials are refused and never echoed.
        let r = reason("https://bob:hunter2@host/");
        assert!(!r.contains("hunter2") && !r.contains("bob"), "{r}");
        assert!(r.contains("user name or password"), "{r}");
    }

    fn config(key: &str, user_agent: &str) -> ClientConfig {
        ClientConfig::new("https://host/", Secret::new(key), user_agent)
    }

    #[test]
    fn new_checks_key_and_user_agent_without_echoing_the_key() {
        let c = Client::new(config(" abc\n", "ua")).unwrap();
        assert_eq!(c.server_url(), "https://host");
        assert_eq!(format!("{c:?}"), "Client { server_url: \"https://host\", .. }");

        let e = Client::new(config("ab\ncd", "ua")).unwrap_err();
        assert!(matches!(e, Error::InvalidApiKey { .. }));
        assert!(!e.to_string().contains("ab\ncd"));
        assert!(matches!(Client::new(config("k", "bad\nua")), Err(Error::Setup { .. })));
        let dbg = format!("{:?}", config("the-key", "ua"));
        assert!(!dbg.contains("the-key"), "{dbg}");
    }
}
