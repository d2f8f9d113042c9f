//! A record of every exchange a server serves, for the contract test
//! (`tests/contract/test_openapi_contract.py`), which holds each request and each answer to
//! Posit's published OpenAPI document.
//!
//! When `FAKE_CONNECT_EXCHANGES` names a directory, each server (in-process through
//! [`crate::FakeConnect::spawn`] or the `fake-connect` binary) appends one JSON line per exchange
//! to `<dir>/<pid>-<port>.jsonl` as the exchange completes, so a run that stops half-way leaves
//! every finished exchange behind. Unset, nothing is read or written and no answer is buffered:
//! the benchmark's fake costs what it did.
//!
//! A line holds: `method`; `path` (with the query); `request_body` (the body as JSON, when it is
//! JSON) or `request_text` (its text, when it is not) and `request_content_type`; `has_key`
//! (whether an `Authorization` header came; never the key) and `user_agent`; `status`;
//! `content_type` (of the answer); `response_body` or `response_text` (as for the request; an
//! answer over [`MAX_KEPT`] bytes keeps neither) and `response_bytes`; `profile` (the active
//! profile's name); `fault` (the kind of injected fault that produced or altered the answer,
//! `null` when none); `program` (the executable's file name, a test binary's or
//! `fake-connect`) and `test` (the name of the thread that spawned the server: Rust's test
//! harness names each test's thread after it).

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::http::{header, request, HeaderMap, HeaderName};
use axum::response::Response;
use serde_json::{json, Map, Value};

use crate::profiles::Profile;

/// The environment variable naming the directory to record into.
pub const EXCHANGES_ENV: &str = "FAKE_CONNECT_EXCHANGES";

/// Bodies longer than this are not kept (a fault's megabytes-long message): the contract test
/// skips the answers of faults anyway.
const MAX_KEPT: usize = 1 << 20;

/// Where one server's exchanges go. Cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct Recorder {
    file: Arc<Mutex<File>>,
    program: String,
    test: Option<String>,
}

/// What the recorder keeps of a request, taken before the handlers consume it.
pub(crate) struct Sent {
    method: String,
    path: String,
    body: Bytes,
    content_type: Option<String>,
    has_key: bool,
    user_agent: Option<String>,
}

impl Sent {
    pub(crate) fn new(parts: &request::Parts, body: &Bytes) -> Sent {
        let path = parts.uri.path_and_query().map_or_else(|| parts.uri.path().to_string(), |p| p.as_str().to_string());
        Sent {
            method: parts.method.to_string(),
            path,
            body: body.clone(),
            content_type: header_text(&parts.headers, header::CONTENT_TYPE),
            has_key: parts.headers.contains_key(header::AUTHORIZATION),
            user_agent: header_text(&parts.headers, header::USER_AGENT),
        }
    }
}

impl Recorder {
    /// The recorder `FAKE_CONNECT_EXCHANGES` asks for, for the server on `port`; `None` when
    /// the variable is unset or empty, or the file cannot be opened (said on stderr: the server
    /// still serves, and the contract test finds the exchanges missing).
    pub(crate) fn from_env(port: u16, test: Option<String>) -> Option<Recorder> {
        let dir = std::env::var_os(EXCHANGES_ENV).filter(|d| !d.is_empty())?;
        let path = Path::new(&dir).join(format!("{}-{port}.jsonl", std::process::id()));
        let opened = std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::OpenOptions::new().create(true).append(true).open(&path));
        let file = match opened {
            Ok(file) => file,
            Err(e) => {
                eprintln!("fake-connect: cannot record exchanges in {}: {e}", path.display());
                return None;
            }
        };
        let program = std::env::current_exe()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default();
        Some(Recorder { file: Arc::new(Mutex::new(file)), program, test })
    }

    /// Writes the exchange of `sent` and `response` and gives the response back, its body read
    /// whole into memory, unless a fault streams an oversized one: that is passed on untouched,
    /// its body not kept.
    pub(crate) async fn finish(
        &self,
        sent: Sent,
        response: Response,
        profile: Profile,
        fault: Option<&str>,
    ) -> Response {
        if fault == Some("oversized") {
            self.write(&self.line(sent, &response, None, profile, fault));
            return response;
        }
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
        let response = Response::from_parts(parts, Body::from(bytes.clone()));
        self.write(&self.line(sent, &response, Some(&bytes), profile, fault));
        response
    }

    fn line(
        &self,
        sent: Sent,
        response: &Response,
        body: Option<&Bytes>,
        profile: Profile,
        fault: Option<&str>,
    ) -> Value {
        let mut line = Map::new();
        line.insert("method".into(), json!(sent.method));
        line.insert("path".into(), json!(sent.path));
        keep_body(&mut line, "request", &sent.body);
        line.insert("request_content_type".into(), json!(sent.content_type));
        line.insert("has_key".into(), json!(sent.has_key));
        line.insert("user_agent".into(), json!(sent.user_agent));
        line.insert("status".into(), json!(response.status().as_u16()));
        line.insert("content_type".into(), json!(header_text(response.headers(), header::CONTENT_TYPE)));
        if let Some(body) = body {
            keep_body(&mut line, "response", body);
        }
        line.insert("response_bytes".into(), json!(body.map(Bytes::len)));
        line.insert("profile".into(), json!(profile.name()));
        line.insert("fault".into(), json!(fault));
        line.insert("program".into(), json!(self.program));
        line.insert("test".into(), json!(self.test));
        Value::Object(line)
    }

    fn write(&self, line: &Value) {
        let mut text = line.to_string();
        text.push('\n');
        // One write of the whole line to a file opened for appending: lines of servers sharing
        // the directory never interleave.
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = file.write_all(text.as_bytes()) {
            eprintln!("fake-connect: cannot record an exchange: {e}");
        }
    }
}

fn header_text(headers: &HeaderMap, name: HeaderName) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// `<prefix>_body` when `bytes` is JSON, `<prefix>_text` when it is other text, nothing when it
/// is empty or longer than [`MAX_KEPT`].
fn keep_body(line: &mut Map<String, Value>, prefix: &str, bytes: &Bytes) {
    if bytes.is_empty() || bytes.len() > MAX_KEPT {
        return;
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(body) => line.insert(format!("{prefix}_body"), body),
        Err(_) => line.insert(format!("{prefix}_text"), json!(String::from_utf8_lossy(bytes))),
    };
}
