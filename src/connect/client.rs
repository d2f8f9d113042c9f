//! The HTTP client: one pooled `reqwest::Client` behind an `Arc`, one method per API call.
//!
//! Layering, so retries can be added later without touching the calls: [`Client::send`] makes a
//! single attempt and returns any HTTP answer as an [`Answer`]; the API methods then turn an
//! `Answer` into a value or an [`Error`]. A retry loop belongs around `send`.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use super::error::{excerpt, parse_error_body, redact_url, root_cause};
use super::{Deleted, Error, Integration, IntegrationUpdate, NewIntegration, Secret};

/// Where the API lives under a Connect server's URL.
const API_PREFIX: &str = "__api__";

/// How to reach one Connect server.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// `https://host`, with or without a trailing slash or a path prefix.
    pub server_url: String,
    pub api_key: Secret,
    pub user_agent: String,
    /// Limit for a whole request, connecting included.
    pub timeout: Duration,
}

/// A Connect API client. Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// Normalised, without a trailing slash.
    server_url: String,
    /// `server_url` + `/__api__`.
    base: Url,
    timeout: Duration,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("server_url", &self.inner.server_url).finish_non_exhaustive()
    }
}

impl Client {
    /// Validates the configuration and builds the client; makes no request.
    ///
    /// Surrounding whitespace in the API key is dropped: keys never contain any, and a key read
    /// from a file usually ends with a newline.
    pub fn new(cfg: ClientConfig) -> Result<Client, Error> {
        let (server_url, base) = normalise_server_url(&cfg.server_url)?;

        let mut auth = HeaderValue::from_str(&format!("Key {}", cfg.api_key.expose().trim())).map_err(|_| {
            Error::InvalidApiKey { reason: "it contains characters that cannot go in an HTTP header".into() }
        })?;
        auth.set_sensitive(true);
        let user_agent = HeaderValue::from_str(&cfg.user_agent).map_err(|_| Error::Setup {
            reason: format!("user agent `{}` cannot go in an HTTP header", cfg.user_agent),
        })?;
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));

        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(user_agent)
            .timeout(cfg.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Setup { reason: root_cause(&e) })?;

        Ok(Client { inner: Arc::new(Inner { http, server_url, base, timeout: cfg.timeout }) })
    }

    /// The server URL as normalised by [`Client::new`], without a trailing slash.
    pub fn server_url(&self) -> &str {
        &self.inner.server_url
    }

    /// `GET /v1/oauth/integrations`: every integration (the API does not paginate).
    pub async fn list_integrations(&self) -> Result<Vec<Integration>, Error> {
        let url = self.endpoint(&["v1", "oauth", "integrations"]);
        self.send(Method::GET, url, None).await?.json()
    }

    /// `GET /v1/oauth/integrations/{guid}`; `None` when Connect says 404.
    pub async fn get_integration(&self, guid: &str) -> Result<Option<Integration>, Error> {
        let url = self.integration_url(guid)?;
        let answer = self.send(Method::GET, url, None).await?;
        if answer.is_not_found() {
            return Ok(None);
        }
        answer.json().map(Some)
    }

    /// `POST /v1/oauth/integrations`. Connect answers 200 (not 201); any 2xx is accepted.
    pub async fn create_integration(&self, req: &NewIntegration) -> Result<Integration, Error> {
        let url = self.endpoint(&["v1", "oauth", "integrations"]);
        self.send(Method::POST, url, Some(json_body(req))).await?.json()
    }

    /// `PATCH /v1/oauth/integrations/{guid}`: only the fields set in `req` are sent.
    pub async fn update_integration(&self, guid: &str, req: &IntegrationUpdate) -> Result<Integration, Error> {
        let url = self.integration_url(guid)?;
        self.send(Method::PATCH, url, Some(json_body(req))).await?.json()
    }

    /// `DELETE /v1/oauth/integrations/{guid}`; a 404 is not an error, as the goal is reached.
    pub async fn delete_integration(&self, guid: &str) -> Result<Deleted, Error> {
        let url = self.integration_url(guid)?;
        let answer = self.send(Method::DELETE, url, None).await?;
        if answer.is_not_found() {
            return Ok(Deleted::AlreadyGone);
        }
        answer.success()?;
        Ok(Deleted::Yes)
    }

    /// `GET /server_settings`: the server's version and features, as raw JSON since its shape
    /// varies across versions. Also a cheap check that URL and key work.
    pub async fn server_settings(&self) -> Result<serde_json::Value, Error> {
        let url = self.endpoint(&["server_settings"]);
        self.send(Method::GET, url, None).await?.json()
    }

    fn endpoint(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.base.clone();
        url.path_segments_mut().expect("an http(s) URL with a host always has path segments").extend(segments);
        url
    }

    fn integration_url(&self, guid: &str) -> Result<Url, Error> {
        // The url crate drops "." and ".." segments, which would turn a GET of one integration
        // into the list; an empty segment would do the same.
        if matches!(guid, "" | "." | "..") {
            return Err(Error::InvalidGuid { guid: guid.into() });
        }
        Ok(self.endpoint(&["v1", "oauth", "integrations", guid]))
    }

    /// One attempt at one request. Any HTTP status is an `Ok(Answer)`; only transport failures
    /// (connect, TLS, timeout, broken body) are errors. Logs one DEBUG event without headers or
    /// bodies.
    async fn send(&self, method: Method, url: Url, body: Option<Vec<u8>>) -> Result<Answer, Error> {
        let started = Instant::now();
        let mut req = self.inner.http.request(method.clone(), url.clone());
        if let Some(body) = body {
            req = req.header(CONTENT_TYPE, HeaderValue::from_static("application/json")).body(body);
        }
        let elapsed_ms = |started: Instant| started.elapsed().as_millis() as u64;

        let resp = match req.send().await {
            Ok(resp) => resp,
            Err(e) => {
                let err = self.transport_error(&method, &url, e);
                tracing::debug!(method = %method, path = url.path(), duration_ms = elapsed_ms(started),
                    error = %err, "Connect API request failed");
                return Err(err);
            }
        };
        let status = resp.status();
        let header = |name| resp.headers().get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_owned);
        let content_type = header(CONTENT_TYPE);
        let location = header(LOCATION);
        let body = resp.bytes().await;
        tracing::debug!(method = %method, path = url.path(), status = status.as_u16(),
            duration_ms = elapsed_ms(started), "Connect API request");
        let body = body.map_err(|e| {
            if e.is_timeout() {
                self.timeout_error(&method, &url)
            } else {
                Error::Interrupted {
                    method: method.clone(),
                    url: redact_url(url.as_str()),
                    status: status.as_u16(),
                    reason: root_cause(&e),
                }
            }
        })?;
        Ok(Answer { method, url, status, content_type, location, body: body.to_vec() })
    }

    fn transport_error(&self, method: &Method, url: &Url, e: reqwest::Error) -> Error {
        if e.is_timeout() {
            self.timeout_error(method, url)
        } else {
            Error::Unreachable { url: redact_url(url.as_str()), reason: root_cause(&e) }
        }
    }

    fn timeout_error(&self, method: &Method, url: &Url) -> Error {
        Error::Timeout { method: method.clone(), url: redact_url(url.as_str()), after: self.inner.timeout }
    }
}

/// Serialises a request body. Cannot fail for the API's types (string keys, JSON values only).
fn json_body<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).expect("request types serialise to JSON infallibly")
}

/// Checks and normalises a server URL; returns it without a trailing slash, plus the API base.
///
/// A path prefix is kept (Connect can live under `https://host/connect/`); a trailing
/// `/__api__` is dropped since people paste API URLs. Credentials in the URL are refused: the
/// API key authenticates, and userinfo would leak into logs and errors.
pub(crate) fn normalise_server_url(raw: &str) -> Result<(String, Url), Error> {
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
    Ok((server_url, url))
}

/// A complete HTTP answer of any status, with what is needed to explain it in an error.
#[derive(Debug)]
pub(crate) struct Answer {
    pub method: Method,
    pub url: Url,
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub body: Vec<u8>,
}

impl Answer {
    /// A 404 from Connect itself. An HTML 404 comes from a proxy or a wrong path prefix, not
    /// from the API, so it must not be read as "the integration is gone".
    fn is_not_found(&self) -> bool {
        self.status == StatusCode::NOT_FOUND && !self.looks_like_html()
    }

    fn looks_like_html(&self) -> bool {
        self.content_type.as_deref().is_some_and(|ct| ct.to_ascii_lowercase().contains("html"))
            || self.body.trim_ascii_start().starts_with(b"<")
    }

    /// `Ok` for a 2xx answer, the matching [`Error`] otherwise.
    fn success(self) -> Result<Answer, Error> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(self.into_error())
        }
    }

    /// The body of a 2xx answer decoded as `T`; a body of another shape is an error, not a panic.
    fn json<T: DeserializeOwned>(self) -> Result<T, Error> {
        let answer = self.success()?;
        serde_json::from_slice(&answer.body).map_err(|e| {
            let problem = match e.classify() {
                serde_json::error::Category::Eof if answer.body.trim_ascii().is_empty() => {
                    "expected JSON, got an empty body".to_owned()
                }
                serde_json::error::Category::Eof => "truncated JSON".to_owned(),
                serde_json::error::Category::Syntax => "not JSON".to_owned(),
                _ => format!("JSON of an unexpected shape: {e}"),
            };
            answer.unexpected(problem)
        })
    }

    fn into_error(self) -> Error {
        let method = self.method.clone();
        let url = redact_url(self.url.as_str());
        let status = self.status.as_u16();
        let api = parse_error_body(&self.body);
        match self.status {
            StatusCode::UNAUTHORIZED => Error::Unauthorized { method, url, status, message: api.map(|a| a.message) },
            StatusCode::FORBIDDEN => Error::Forbidden { method, url, status, message: api.map(|a| a.message) },
            s if s.is_redirection() => {
                Error::Redirected { method, url, status, location: self.location.as_deref().map(redact_url) }
            }
            _ => match api {
                Some(api) => Error::Api { method, url, status, code: api.code, message: api.message },
                None => self.unexpected("not Connect's JSON error body".to_owned()),
            },
        }
    }

    fn unexpected(&self, problem: String) -> Error {
        Error::UnexpectedResponse {
            method: self.method.clone(),
            url: redact_url(self.url.as_str()),
            status: self.status.as_u16(),
            problem,
            excerpt: excerpt(&self.body),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(raw: &str) -> (String, String) {
        let (server, base) = normalise_server_url(raw).unwrap();
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
        ClientConfig {
            server_url: "https://host/".into(),
            api_key: Secret::new(key),
            user_agent: user_agent.into(),
            timeout: Duration::from_secs(1),
        }
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

    fn answer(status: u16, content_type: Option<&str>, body: &str) -> Answer {
        Answer {
            method: Method::GET,
            url: Url::parse("https://host/__api__/x").unwrap(),
            status: StatusCode::from_u16(status).unwrap(),
            content_type: content_type.map(str::to_owned),
            location: None,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn not_found_means_connect_said_so() {
        assert!(answer(404, Some("application/json"), r#"{"code":4,"error":"x"}"#).is_not_found());
        assert!(answer(404, None, "").is_not_found());
        assert!(answer(404, Some("text/plain"), "404 page not found").is_not_found());
        assert!(!answer(404, Some("text/html; charset=utf-8"), "Not Found").is_not_found());
        assert!(!answer(404, None, "  <!DOCTYPE html>").is_not_found());
        assert!(!answer(400, None, "").is_not_found());
    }

    #[test]
    fn any_2xx_is_success() {
        assert!(answer(204, None, "").success().is_ok());
        assert!(answer(201, None, "").success().is_ok());
        let e = answer(500, None, "").success().unwrap_err();
        assert!(matches!(e, Error::UnexpectedResponse { status: 500, .. }), "{e:?}");
        let e = answer(500, None, r#"{"code":1,"error":"boom","payload":{}}"#).success().unwrap_err();
        assert!(matches!(e, Error::Api { status: 500, code: Some(1), .. }), "{e:?}");
    }
}
