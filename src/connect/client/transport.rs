//! One HTTP attempt and what it brings back: building the request, reading the answer under the
//! body size cap, and turning what happened into an [`Answer`] (any status, redirects included,
//! since they are never followed) or a [`Failed`] attempt that says whether the server may have
//! acted; an answer becomes a value or an [`Error`] here too (Connect's error body, a 404's
//! meaning, a TLS failure explained). No retries: the loops in [`super`] decide those.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, CONTENT_TYPE, DATE, LOCATION, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use super::Client;
use crate::connect::error::{excerpt, parse_error_body, redact_url, root_cause, EXCERPT_CHARS};
use crate::connect::retry::{Deadline, Outcome};
use crate::connect::secret::mask_body;
use crate::connect::types::PLAIN_CONFIG_KEYS;
use crate::connect::Error;
use crate::untrusted::server_text;

/// How long a create already sent may still take to answer once the client is stopped.
pub const CREATE_GRACE: Duration = Duration::from_secs(3);

/// An attempt that got no whole answer, and what that says about the server's side.
#[derive(Debug)]
pub(crate) struct Failed {
    pub error: Error,
    pub outcome: Outcome,
}

impl Client {
    /// One attempt at one request, within the request timeout and the time `deadline` leaves.
    /// Any whole HTTP answer is an `Ok(Answer)`; a failure says whether the server may have
    /// acted. Logs one DEBUG line (method, path, status or error, duration, attempt), and at
    /// TRACE the bodies with their secrets masked; never headers.
    pub(super) async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
        attempt: u32,
        deadline: &Deadline,
    ) -> Result<Answer, Failed> {
        if self.inner.cancel.is_cancelled() {
            return Err(Failed { error: self.cancelled(method, url, false), outcome: Outcome::Fatal });
        }
        if let Some(body) = body.filter(|_| tracing::enabled!(tracing::Level::TRACE)) {
            tracing::trace!(method = %method, path = url.path(), attempt, body = %mask_body(body, PLAIN_CONFIG_KEYS),
                "Connect API request body");
        }
        let started = Instant::now();
        let timeout = deadline.attempt_timeout(self.inner.timeout);
        let exchange = self.exchange(method, url, body, timeout);
        tokio::pin!(exchange);
        let result = tokio::select! {
            biased;
            result = &mut exchange => result,
            _ = self.inner.cancel.cancelled() => {
                // A create already sent may have made the integration, and its answer is the
                // only record of it: give it a moment.
                let grace = if *method == Method::POST { CREATE_GRACE } else { Duration::ZERO };
                match tokio::time::timeout(grace, &mut exchange).await {
                    Ok(result) => result,
                    Err(_) => Err(Failed { error: self.cancelled(method, url, true), outcome: Outcome::Fatal }),
                }
            }
        };
        let duration_ms = started.elapsed().as_millis() as u64;
        match &result {
            Ok(answer) => {
                tracing::debug!(method = %method, path = url.path(), status = answer.status.as_u16(), duration_ms,
                    attempt, "Connect API request");
                if tracing::enabled!(tracing::Level::TRACE) {
                    tracing::trace!(method = %method, path = url.path(), status = answer.status.as_u16(), attempt,
                        body = %mask_body(&answer.body, PLAIN_CONFIG_KEYS), "Connect API response body");
                }
            }
            Err(f) => tracing::debug!(method = %method, path = url.path(), duration_ms, attempt, error = %f.error,
                "Connect API request failed"),
        }
        result
    }

    /// The request and the whole answer, without retries, logs or cancellation. The body is
    /// read in chunks into one buffer, and refused once above the cap (by its `Content-Length`
    /// before reading, else as soon as the read total passes it).
    async fn exchange(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
        timeout: Duration,
    ) -> Result<Answer, Failed> {
        let mut req = self.inner.http.request(method.clone(), url.clone()).timeout(timeout);
        if let Some(body) = body {
            req = req.header(CONTENT_TYPE, HeaderValue::from_static("application/json")).body(body.to_vec());
        }
        // The timeout may be the deadline's rest rather than the configured one: say which.
        let mut resp = req.send().await.map_err(|e| took(self.transport_failure(method, url, e), timeout))?;
        let status = resp.status();
        let header = |name| resp.headers().get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_owned);
        let content_type = header(CONTENT_TYPE);
        let location = header(LOCATION);
        let retry_after = header(RETRY_AFTER);
        let date = header(DATE);
        let max = self.inner.max_body;
        let too_large = || Failed {
            error: Error::TooLarge {
                method: method.clone(),
                url: redact_url(url.as_str()),
                status: status.as_u16(),
                limit: max,
            },
            // Not retried: another attempt would get the same. A create checks for a 2xx.
            outcome: Outcome::Fatal,
        };
        let announced = resp.content_length();
        if announced.is_some_and(|n| n > max as u64) {
            return Err(too_large());
        }
        let mut body = Vec::with_capacity(announced.unwrap_or(0) as usize);
        loop {
            let chunk = resp.chunk().await.map_err(|e| Failed {
                error: if e.is_timeout() {
                    Error::Timeout { method: method.clone(), url: redact_url(url.as_str()), after: timeout }
                } else {
                    Error::Interrupted {
                        method: method.clone(),
                        url: redact_url(url.as_str()),
                        status: status.as_u16(),
                        reason: root_cause(&e),
                    }
                },
                // The server answered, so it got the request; what it did is unknown.
                outcome: Outcome::Unknown,
            })?;
            let Some(chunk) = chunk else { break };
            // Checked before copying, so the buffer never grows past the cap.
            if body.len() + chunk.len() > max {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer { method: method.clone(), url: url.clone(), status, content_type, location, retry_after, date, body })
    }

    /// A failure before any answer: whether the request got out decides what a retry risks.
    fn transport_failure(&self, method: &Method, url: &Url, e: reqwest::Error) -> Failed {
        let shown = redact_url(url.as_str());
        if let Some(tls) = tls_error(&e) {
            // A refused certificate stays refused.
            use rustls::CertificateError::{NotValidForName, NotValidForNameContext};
            if let rustls::Error::InvalidCertificate(cert @ (NotValidForName | NotValidForNameContext { .. })) = tls {
                let (host, names) = match cert {
                    NotValidForNameContext { expected, presented } => {
                        (expected.to_str().into_owned(), presented.clone())
                    }
                    _ => (url.host_str().unwrap_or_default().to_owned(), Vec::new()),
                };
                let error = Error::CertificateNotValidForHost { url: shown, host, names };
                return Failed { error, outcome: Outcome::Fatal };
            }
            let mut reason = root_cause(&e);
            if matches!(tls, rustls::Error::InvalidCertificate(_)) {
                reason.push_str(
                    " (the server's TLS certificate is not trusted: trust the certificate authority that signed it \
                     by giving its CA certificate, or turn certificate verification off for testing)",
                );
            }
            return Failed { error: Error::Unreachable { url: shown, reason }, outcome: Outcome::Fatal };
        }
        if e.is_builder() {
            return Failed { error: Error::Setup { reason: root_cause(&e) }, outcome: Outcome::Fatal };
        }
        if e.is_connect() {
            let error = if e.is_timeout() {
                self.timeout_error(method, url)
            } else {
                Error::Unreachable { url: shown, reason: root_cause(&e) }
            };
            return Failed { error, outcome: Outcome::NotSent };
        }
        let error = if e.is_timeout() {
            self.timeout_error(method, url)
        } else {
            Error::Dropped { method: method.clone(), url: shown, reason: root_cause(&e) }
        };
        Failed { error, outcome: Outcome::Unknown }
    }

    fn timeout_error(&self, method: &Method, url: &Url) -> Error {
        Error::Timeout { method: method.clone(), url: redact_url(url.as_str()), after: self.inner.timeout }
    }
}

/// A timeout error naming the limit the attempt really had.
fn took(mut failed: Failed, timeout: Duration) -> Failed {
    if let Error::Timeout { after, .. } = &mut failed.error {
        *after = timeout;
    }
    failed
}

/// The rustls error behind a transport failure, if TLS is what failed. An `io::Error`'s
/// `source()` skips the error it wraps (and hyper-rustls wraps io errors in io errors), so
/// wrapped errors are opened too.
fn tls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        cur = match err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

/// A complete HTTP answer of any status, with what is needed to explain it in an error.
#[derive(Debug)]
pub(crate) struct Answer {
    pub method: Method,
    pub url: Url,
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub retry_after: Option<String>,
    /// The server's clock (`Date`), to tell what it created since a moment.
    pub date: Option<String>,
    pub body: Vec<u8>,
}

/// What a 404 answer says, for deciding whether the object asked for is gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NotFound {
    /// Connect's error for a missing object: code 4, "The requested object does not exist."
    Object,
    /// Connect's error for a path it does not serve: code 2, "The requested endpoint does not
    /// exist." The server lacks this API (too old, or the feature is off): nothing is gone.
    Endpoint,
    /// Neither: an empty or plain-text body, or JSON with another code. Connect's API may have
    /// said "no such object" in words not recorded anywhere, or something else answered.
    Unclear,
    /// An HTML page: a proxy, a load balancer or a wrong path prefix, not the API.
    Page,
}

impl Answer {
    /// A 404 from Connect itself, of any kind but an HTML page. For optional lookups only
    /// (a template definition): whether an object is gone is [`Answer::not_found`]'s question.
    pub(super) fn is_not_found(&self) -> bool {
        self.status == StatusCode::NOT_FOUND && !self.looks_like_html()
    }

    /// What a 404 says; `None` for any other status.
    pub(super) fn not_found(&self) -> Option<NotFound> {
        if self.status != StatusCode::NOT_FOUND {
            return None;
        }
        if self.looks_like_html() {
            return Some(NotFound::Page);
        }
        let Some(api) = parse_error_body(&self.body) else { return Some(NotFound::Unclear) };
        let message = api.message.to_ascii_lowercase();
        Some(match api.code {
            Some(4) => NotFound::Object,
            Some(2) => NotFound::Endpoint,
            _ if message.contains("endpoint") => NotFound::Endpoint,
            _ if message.contains("object does not exist") => NotFound::Object,
            _ => NotFound::Unclear,
        })
    }

    fn looks_like_html(&self) -> bool {
        self.content_type.as_deref().is_some_and(|ct| ct.to_ascii_lowercase().contains("html"))
            || self.body.trim_ascii_start().starts_with(b"<")
    }

    /// `Ok` for a 2xx answer, the matching [`Error`] otherwise.
    pub(super) fn success(self) -> Result<Answer, Error> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(self.into_error())
        }
    }

    /// The body of a 2xx answer decoded as `T`; a body of another shape is an error, not a panic.
    pub(super) fn json<T: DeserializeOwned>(self) -> Result<T, Error> {
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

    pub(super) fn into_error(self) -> Error {
        let method = self.method.clone();
        let url = redact_url(self.url.as_str());
        let status = self.status.as_u16();
        let api = parse_error_body(&self.body);
        match self.status {
            StatusCode::UNAUTHORIZED => Error::Unauthorized { method, url, status, message: api.map(|a| a.message) },
            StatusCode::FORBIDDEN => Error::Forbidden { method, url, status, message: api.map(|a| a.message) },
            s if s.is_redirection() => Error::Redirected {
                method,
                url,
                status,
                location: self.location.as_deref().map(|l| server_text(&redact_url(l), EXCERPT_CHARS)),
            },
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

    fn answer(status: u16, content_type: Option<&str>, body: &str) -> Answer {
        Answer {
            method: Method::GET,
            url: Url::parse("https://host/__api__/x").unwrap(),
            status: StatusCode::from_u16(status).unwrap(),
            content_type: content_type.map(str::to_owned),
            location: None,
            retry_after: None,
            date: None,
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
    fn a_404_says_what_is_missing() {
        let kind = |ct: Option<&str>, body: &str| answer(404, ct, body).not_found();
        let json = Some("application/json");
        assert_eq!(
            kind(json, r#"{"code":4,"error":"The requested object does not exist.","payload":null}"#),
            Some(NotFound::Object)
        );
        assert_eq!(kind(json, r#"{"error":"The requested object does not exist."}"#), Some(NotFound::Object));
        assert_eq!(
            kind(json, r#"{"code":2,"error":"The requested endpoint does not exist.","payload":null}"#),
            Some(NotFound::Endpoint)
        );
        assert_eq!(kind(json, r#"{"code":99,"error":"No such endpoint."}"#), Some(NotFound::Endpoint));
        assert_eq!(kind(json, r#"{"code":17,"error":"Integration not found."}"#), Some(NotFound::Unclear));
        assert_eq!(kind(None, ""), Some(NotFound::Unclear));
        assert_eq!(kind(Some("text/plain"), "404 page not found"), Some(NotFound::Unclear));
        assert_eq!(kind(Some("text/html; charset=utf-8"), "Not Found"), Some(NotFound::Page));
        assert_eq!(kind(None, "  <!DOCTYPE html>"), Some(NotFound::Page));
        assert_eq!(answer(400, None, "").not_found(), None);
        assert_eq!(answer(200, json, "{}").not_found(), None);
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
