//! What can go wrong talking to Connect, phrased for the person who has to fix it.
//!
//! Invariant: no variant ever holds the API key, a request body or credentials from a URL.
//! Text from the server (its message, an excerpt of an error page) is often the only clue when
//! a proxy answers instead of Connect, so it is kept, but only as [`server_text`] makes it:
//! secrets masked (a server may echo the request, headers included), control characters gone,
//! length bounded.

use std::time::Duration;

use reqwest::{Method, StatusCode};

use crate::untrusted::{server_text, MAX_MESSAGE_CHARS};

/// How much of an unexpected body an error keeps: enough to recognise a proxy's error page.
pub(crate) const EXCERPT_CHARS: usize = 200;

/// Why a [`Client`](super::Client) call failed. The message says what went wrong and, where it
/// can, what to change; the fields are there for callers that decide by kind (retry, "gone",
/// which hint to add) without parsing it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configured server URL cannot be used: no scheme or host, credentials, a query.
    #[error("invalid Connect server URL `{value}`: {reason}")]
    InvalidServerUrl {
        /// The URL as given, less any user name and password, so the user recognises it.
        value: String,
        /// What to change, e.g. `it has no scheme; write it as https://<host>`.
        reason: String,
    },

    /// The key cannot be put in an HTTP header (control characters, non-ASCII). Never holds it.
    #[error("invalid Connect API key: {reason}")]
    InvalidApiKey {
        /// What is wrong with it, without quoting any of it.
        reason: String,
    },

    /// A guid (or id) that cannot name an object in a URL path (empty, `.` or `..`).
    #[error("invalid guid `{guid}`: it cannot name an object in a URL path")]
    InvalidGuid {
        /// The guid or id as the caller gave it.
        guid: String,
    },

    /// The HTTP client could not be built (TLS backend, bad user agent).
    #[error("could not set up the HTTP client for Connect: {reason}")]
    Setup {
        /// The cause, from the TLS or HTTP library.
        reason: String,
    },

    /// The CA certificates to trust could not be read.
    #[error("invalid CA certificate: {reason}")]
    InvalidCaCertificate {
        /// What could not be read, and in which certificate when there are several.
        reason: String,
    },

    /// No connection could be made (refused, unresolved name, TLS certificate refused).
    #[error("could not reach Connect at {url}: {reason}")]
    Unreachable {
        /// The request's URL, credentials removed.
        url: String,
        /// The transport's error chain cut to its cause ("tcp connect error: Connection
        /// refused"), with what to do about an untrusted certificate.
        reason: String,
    },

    /// The server's TLS certificate is not valid for the URL's host: the names it lists, when
    /// known, say which host to use instead.
    #[error("could not reach Connect at {url}: its TLS certificate is not valid for host {host}{}", if names.is_empty() { String::new() } else { format!(" (it names: {})", names.join(", ")) })]
    CertificateNotValidForHost {
        /// The request's URL, credentials removed.
        url: String,
        /// The host the certificate was checked against.
        host: String,
        /// The names the certificate holds; empty when TLS did not say.
        names: Vec<String>,
    },

    /// The connection broke after the request was sent and before any answer came, so whether
    /// Connect acted on it is unknown.
    #[error("Connect closed the connection without answering {method} {url}: {reason}")]
    Dropped {
        /// The request's method: whether it may be sent again depends on it.
        method: Method,
        /// The request's URL, credentials removed.
        url: String,
        /// The transport's error chain, cut to its cause.
        reason: String,
    },

    /// The client was stopped (Terraform interrupted) before the request finished.
    #[error("stopped before Connect answered {method} {url}{}", if *in_flight && *method == Method::POST { "; the request had been sent, so Connect may have carried it out" } else { "" })]
    Cancelled {
        /// The request's method: a POST already sent may have created something.
        method: Method,
        /// The request's URL, credentials removed.
        url: String,
        /// Whether the request had been sent when the stop came.
        in_flight: bool,
    },

    /// A create whose answer was lost, after which several integrations matching it appeared.
    #[error("the answer to POST {url} was lost, and {} integrations named {name:?} were created since: {}; keep one (by its guid) and delete the others", guids.len(), guids.join(", "))]
    AmbiguousCreate {
        /// The create's URL, credentials removed.
        url: String,
        /// The name the create asked for, which every match has.
        name: String,
        /// The matching integrations, for the user to keep one and delete the others.
        guids: Vec<String>,
    },

    /// No answer within the attempt's time limit, connecting included.
    #[error("Connect did not answer {method} {url} within {}s", after.as_secs_f64())]
    Timeout {
        /// The request's method: whether it may be sent again depends on it.
        method: Method,
        /// The request's URL, credentials removed.
        url: String,
        /// The limit the attempt had: the request timeout, or less when the call's time ran
        /// short.
        after: Duration,
    },

    /// The connection broke after the status line, while the body was being read.
    #[error("connection to Connect broke while reading its answer ({}) to {method} {url}: {reason}", status_text(*status))]
    Interrupted {
        /// The request's method: whether it may be sent again depends on it.
        method: Method,
        /// The request's URL, credentials removed.
        url: String,
        /// The status line that did arrive.
        status: u16,
        /// The transport's error chain, cut to its cause.
        reason: String,
    },

    /// 401: Connect did not accept the key (mistyped, expired, revoked).
    #[error("Connect rejected the API key (401 Unauthorized) for {method} {url}{}", opt_message(message))]
    Unauthorized {
        /// The request's method, for the message.
        method: Method,
        /// The request's URL, credentials removed.
        url: String,
        /// Always 401; kept so [`Error::status`] reads every answered variant alike.
        status: u16,
        /// Connect's own words, when the body was its JSON error (made fit to show).
        message: Option<String>,
    },

    /// 403: the key is accepted but its user may not do this (managing OAuth integrations
    /// needs an administrator).
    #[error(
        "Connect refused {method} {url} (403 Forbidden): the API key's user lacks the permission{}",
        opt_message(message)
    )]
    Forbidden {
        /// The request's method, for the message.
        method: Method,
        /// The request's URL, credentials removed.
        url: String,
        /// Always 403; kept so [`Error::status`] reads every answered variant alike.
        status: u16,
        /// Connect's own words, when the body was its JSON error (made fit to show).
        message: Option<String>,
    },

    /// Connect answered with its JSON error body (`{"code", "error", "payload"}`).
    #[error("Connect answered {} to {method} {url}: {message}{}", status_text(*status), code.map(|c| format!(" (code {c})")).unwrap_or_default())]
    Api {
        /// The request's method, for the message.
        method: Method,
        /// The request's URL, credentials removed.
        url: String,
        /// The answer's HTTP status.
        status: u16,
        /// Connect's error code: it tells a 404's "no such object" (4) from "no such endpoint"
        /// (2).
        code: Option<i64>,
        /// Connect's `error` text, made fit to show: often the only thing that says what to
        /// change.
        message: String,
    },

    /// Redirects are not followed: a redirected POST would silently turn into a GET, and the
    /// usual cause (http:// instead of https://, a missing path prefix) is better fixed in the
    /// configured URL.
    #[error("Connect answered {} to {method} {url}, redirecting to {}; point the server URL at the final address", status_text(*status), location.as_deref().unwrap_or("nowhere"))]
    Redirected {
        /// The request's method, for the message.
        method: Method,
        /// The request's URL, credentials removed.
        url: String,
        /// The redirect's status (301, 302, 307...).
        status: u16,
        /// Where the server pointed (credentials removed, made fit to show): usually the URL to
        /// configure instead.
        location: Option<String>,
    },

    /// A list that names one object more than once: which of the two is current cannot be
    /// told, so neither is used.
    #[error("Connect's answer to GET {url} lists {what} {key} more than once, so which is current cannot be told; this is a fault of the server or of a proxy in front of it")]
    DuplicateInList {
        /// The list's URL, credentials removed.
        url: String,
        /// What the list holds ("integration"), for the message.
        what: &'static str,
        /// The repeated guid, made fit to show.
        key: String,
    },

    /// A body that is not what the API sends: HTML from a proxy, a truncated or empty body, JSON
    /// of the wrong shape.
    #[error("unexpected answer {} to {method} {url} ({problem}): {}", status_text(*status), if excerpt.is_empty() { "(empty body)" } else { excerpt.as_str() })]
    UnexpectedResponse {
        /// The request's method, for the message.
        method: Method,
        /// The request's URL, credentials removed.
        url: String,
        /// The answer's HTTP status.
        status: u16,
        /// What is wrong with the body ("not JSON", the decoder's complaint).
        problem: String,
        /// The start of the body on one line, made fit to show: enough to recognise a proxy's
        /// error page.
        excerpt: String,
    },

    /// An answer above the client's size cap: refused unread rather than held in memory (a
    /// proxy's or a broken server's answer; Connect's largest, a list, is a few MB).
    #[error("the answer ({}) to {method} {url} was larger than {} and was not read", status_text(*status), size_text(*limit))]
    TooLarge {
        /// The request's method, for the message.
        method: Method,
        /// The request's URL, credentials removed.
        url: String,
        /// The answer's HTTP status: a 2xx of a create means it was carried out.
        status: u16,
        /// The cap, in bytes.
        limit: usize,
    },

    /// Retrying stopped short of a good answer: the last attempt's error, how many attempts were
    /// made over how long, and why no more (`maybe_done`: a create whose outcome is unknown).
    #[error("{last}; gave up after {attempts} attempt{} over {:.1}s: {why}{}", if *attempts == 1 { "" } else { "s" }, over.as_secs_f64(), if *maybe_done { "; the request had been sent, so Connect may have carried it out" } else { "" })]
    GaveUp {
        /// Attempts made, the first included.
        attempts: u32,
        /// Time from the call's start to giving up, waits included.
        over: Duration,
        /// The limit that was reached: retries or time.
        why: GiveUp,
        /// A create that may have been carried out even so: the user should look before
        /// applying again.
        maybe_done: bool,
        /// What the last attempt got: the server's answer, which [`Error::last_attempt`] reaches.
        last: Box<Error>,
    },
}

/// Why a client call stopped retrying.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GiveUp {
    /// Every retry the [`RetryPolicy`](super::RetryPolicy) allows was made.
    #[error("no retries left")]
    NoRetriesLeft,
    /// The operation timeout: every attempt and wait of one call fits in it.
    #[error("the operation timeout ({}s) was reached", limit.as_secs())]
    Deadline {
        /// The operation timeout.
        limit: Duration,
    },
    /// The server's `Retry-After` ends past the operation timeout: waiting would not help.
    #[error("Connect asked to wait {}s before trying again, beyond the operation timeout ({}s)", wait.as_secs(), limit.as_secs())]
    AskedToWait {
        /// The wait the server asked for, before any cap.
        wait: Duration,
        /// The operation timeout.
        limit: Duration,
    },
    /// The backoff before the next attempt ends past the operation timeout.
    #[error("the next attempt, {:.1}s away, would start past the operation timeout ({}s)", wait.as_secs_f64(), limit.as_secs())]
    WaitPastDeadline {
        /// The backoff the next attempt would have waited.
        wait: Duration,
        /// The operation timeout.
        limit: Duration,
    },
}

impl GiveUp {
    /// Whether time, not the retry count, ran out.
    pub fn is_time(&self) -> bool {
        !matches!(self, GiveUp::NoRetriesLeft)
    }
}

impl Error {
    /// The HTTP status, when the server answered at all.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Interrupted { status, .. }
            | Error::Unauthorized { status, .. }
            | Error::Forbidden { status, .. }
            | Error::Api { status, .. }
            | Error::Redirected { status, .. }
            | Error::UnexpectedResponse { status, .. }
            | Error::TooLarge { status, .. } => Some(*status),
            Error::GaveUp { last, .. } => last.status(),
            _ => None,
        }
    }

    /// A 404 that is not about an object: Connect's "endpoint does not exist" (code 2), or a
    /// body that is not Connect's JSON error (an HTML page from a proxy, a wrong path prefix). Such a 404 says the API is not there, never
    /// that the object asked for is gone.
    pub fn is_missing_api(&self) -> bool {
        match self.last_attempt() {
            Error::Api { status: 404, code, message, .. } => {
                *code == Some(2) || (*code != Some(4) && message.to_ascii_lowercase().contains("endpoint"))
            }
            Error::UnexpectedResponse { status: 404, .. } => true,
            _ => false,
        }
    }

    /// Connect's own error code (`APIError.code`, e.g. 51 for a vanity path in use) when the
    /// server answered with its JSON error body, under any [`Error::GaveUp`] too; `None` for
    /// every other failure, 401 and 403 included (their variants keep only the message).
    pub fn code(&self) -> Option<i64> {
        match self.last_attempt() {
            Error::Api { code, .. } => *code,
            _ => None,
        }
    }

    /// The error of the last attempt, under any [`Error::GaveUp`]: what the server said.
    pub fn last_attempt(&self) -> &Error {
        match self {
            Error::GaveUp { last, .. } => last.last_attempt(),
            other => other,
        }
    }
}

/// "400 Bad Request", or just "499" for codes without a standard reason.
fn status_text(status: u16) -> String {
    match StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()) {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

/// "64 MiB" for whole mebibytes, else bytes.
fn size_text(bytes: usize) -> String {
    const MIB: usize = 1 << 20;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

fn opt_message(m: &Option<String>) -> String {
    m.as_deref().map(|m| format!(": {m}")).unwrap_or_default()
}

/// The parts of Connect's error body that matter: `{"code": 228, "error": "...", "payload": null}`.
#[derive(Debug, PartialEq)]
pub(crate) struct ApiErrorBody {
    pub code: Option<i64>,
    pub message: String,
}

/// Reads Connect's JSON error body; `None` when the body is anything else (HTML, empty, cut).
/// The message is made fit to show (see [`server_text`]).
pub(crate) fn parse_error_body(body: &[u8]) -> Option<ApiErrorBody> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let message = server_text(v.get("error")?.as_str()?, MAX_MESSAGE_CHARS);
    Some(ApiErrorBody { code: v.get("code").and_then(|c| c.as_i64()), message })
}

/// The first ~200 characters of a body on one line, fit to show (see [`server_text`]), so an
/// HTML page fits on a line.
pub(crate) fn excerpt(body: &[u8]) -> String {
    server_text(&String::from_utf8_lossy(body), EXCERPT_CHARS)
}

/// A URL as it may appear in errors and logs: without user name or password. Left as written
/// when it holds none, so the user recognises their own value.
pub(crate) fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(u) if u.has_host() && u.username().is_empty() && u.password().is_none() => raw.to_owned(),
        Ok(mut u) if u.has_host() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        // Unparsable, or parsed oddly ("bob:pw@host" reads as scheme "bob"): cut anything
        // between "scheme://" and the last '@' of the authority.
        _ => {
            let (prefix, rest) = match raw.find("://") {
                Some(i) => raw.split_at(i + 3),
                None => ("", raw),
            };
            let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            match rest[..authority_end].rfind('@') {
                Some(at) => format!("{prefix}(redacted)@{}", &rest[at + 1..]),
                None => raw.to_owned(),
            }
        }
    }
}

/// A transport error's chain as one short line, e.g. "tcp connect error: Connection refused" or
/// "invalid peer certificate: UnknownIssuer".
///
/// reqwest's top message only says "error sending request for url (...)"; the useful part is
/// deeper. Links that restate the URL (it is in our error already), hyper's "client error
/// (Connect)" wrappers and repeats (io errors wrapping an error display it verbatim) are dropped.
pub(crate) fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = Some(err);
    while let Some(e) = cur {
        let msg = e.to_string();
        let msg = strip_os_error(msg.trim());
        let noise = msg.is_empty() || msg.contains("://") || msg.starts_with("client error (");
        let repeat = parts.last().is_some_and(|last| last.contains(msg));
        if !noise && !repeat {
            parts.push(msg.to_owned());
        }
        cur = e.source();
    }
    if parts.is_empty() {
        "unknown transport error".to_owned()
    } else {
        parts.join(": ")
    }
}

/// "Connection refused (os error 111)" -> "Connection refused": the number helps nobody.
fn strip_os_error(msg: &str) -> &str {
    match msg.rfind(" (os error ") {
        Some(i) if msg.ends_with(')') => &msg[..i],
        _ => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_connects_error_body() {
        let body = br#"{"code":228,"error":"The config key max_role must be one of (Viewer, Publisher, Admin)","payload":null}"#;
        assert_eq!(
            parse_error_body(body),
            Some(ApiErrorBody {
                code: Some(228),
                message: "The config key max_role must be one of (Viewer, Publisher, Admin)".into()
            })
        );
        // No code, extra fields: still Connect's shape.
        assert_eq!(parse_error_body(br#"{"error":"nope","extra":1}"#).unwrap().code, None);
    }

    #[test]
    fn other_bodies_are_not_api_errors() {
        for body in [
            &b"<html><body><h1>502 Bad Gateway</h1></body></html>"[..],
            b"",
            br#"{"code":228,"error":"The config key"#,
            br#"{"code":4,"message":"not connect's"}"#,
            br#"["error"]"#,
            b"404 page not found\n",
        ] {
            assert_eq!(parse_error_body(body), None, "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn api_error_display() {
        let e = Error::Api {
            method: Method::POST,
            url: "https://host/__api__/v1/oauth/integrations".into(),
            status: 400,
            code: Some(228),
            message: "The config key max_role must be one of (Viewer, Publisher, Admin)".into(),
        };
        assert_eq!(
            e.to_string(),
            "Connect answered 400 Bad Request to POST https://host/__api__/v1/oauth/integrations: \
             The config key max_role must be one of (Viewer, Publisher, Admin) (code 228)"
        );
        assert_eq!(e.status(), Some(400));
    }

    #[test]
    fn unexpected_display_names_empty_bodies() {
        let e = Error::UnexpectedResponse {
            method: Method::GET,
            url: "https://h/x".into(),
            status: 502,
            problem: "not JSON".into(),
            excerpt: "".into(),
        };
        assert_eq!(e.to_string(), "unexpected answer 502 Bad Gateway to GET https://h/x (not JSON): (empty body)");
    }

    #[test]
    fn excerpt_collapses_whitespace_and_truncates() {
        assert_eq!(
            excerpt(b"<html>\n  <head>\t<title>502</title>\r\n</head>  "),
            "<html> <head> <title>502</title> </head>"
        );
        assert_eq!(excerpt(b""), "");
        assert_eq!(excerpt(b" \n "), "");
        let long = "é".repeat(500);
        let e = excerpt(long.as_bytes());
        assert_eq!(e, format!("{}… (300 more characters not shown)", "é".repeat(EXCERPT_CHARS)));
        assert_eq!(excerpt(&[0xff, b'a']), "\u{fffd}a");
    }

    #[test]
    fn urls_lose_their_credentials() {
        assert_eq!(redact_url("https://bob:pw@host/x/"), "https://host/x/");
        assert_eq!(redact_url("https://bob@host"), "https://host/");
        assert_eq!(redact_url("https://host/a"), "https://host/a");
        assert_eq!(redact_url("https://bob:pw@ho st/x"), "https://(redacted)@ho st/x");
        assert_eq!(redact_url("bob:pw@host"), "(redacted)@host");
        assert_eq!(redact_url("not a url"), "not a url");
    }
}
