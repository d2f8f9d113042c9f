//! What happens to every request around the handlers: logging (and recording exchanges, see
//! [`crate::exchanges`]), latency, injected faults and authentication.
//!
//! The layers run in this order: [`record`] (outermost, so even refused requests are logged),
//! then [`authenticate`], then the router.

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::errors::{code, ApiError};
use crate::exchanges::Sent;
use crate::faults::FaultAction;
use crate::listener::Conn;
use crate::state::{role_of, AppState, Role};

/// Bodies above this size are refused; the API's bodies are a few hundred bytes.
const MAX_BODY: usize = 1 << 20;

/// The one endpoint Connect answers without a key (clients use it to probe a server).
const OPEN_PATH: &str = "/__api__/server_settings";

/// A logged body: JSON when it parses, else its text as a JSON string, `None` when empty.
fn body_for_log(bytes: &Bytes) -> Option<serde_json::Value> {
    if bytes.is_empty() {
        return None;
    }
    Some(
        serde_json::from_slice(bytes)
            .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(bytes).into_owned())),
    )
}

/// Logs the request in the store on arrival, waits the configured latency, applies the
/// injected faults (see [`crate::faults`]), runs the rest, and logs the answered status; with a
/// [`crate::exchanges::Recorder`], also writes the whole exchange.
///
/// A request refused by a fault is logged with the status it got; one whose connection a fault
/// dropped after acting keeps status 0 (no answer was given) in the store, and is recorded with
/// the answer it would have had.
pub(crate) async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let conn = req.extensions().get::<ConnectInfo<Conn>>().map(|c| c.0.clone());
    let (parts, body) = req.into_parts();
    let read = axum::body::to_bytes(body, MAX_BODY).await;
    let bytes = read.as_ref().cloned().unwrap_or_default();
    let path = parts.uri.path_and_query().map_or_else(|| parts.uri.path().to_string(), |p| p.as_str().to_string());
    let seq = state.store.record_request(parts.method.as_str(), &path, body_for_log(&bytes));
    let sent = state.recorder.as_ref().map(|_| Sent::new(&parts, &bytes));
    let fault = state.faults.decide(parts.method.as_str(), parts.uri.path());

    let wait = state.opts.latency + fault.delay;
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    let (response, altered_by) = if let Some(action) = &fault.answer {
        (faulty_answer(action, &parts, &bytes), Some(action.kind()))
    } else {
        let mut response = match read {
            Ok(bytes) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
            Err(_) => ApiError::bad_body("The request body could not be read.").into_response(),
        };
        if fault.duplicate_in_list {
            response = duplicate_first_item(response).await;
        }
        let altered_by = if fault.drop_after {
            Some(FaultAction::DropAfterActing.kind())
        } else {
            fault.duplicate_in_list.then(|| FaultAction::DuplicateInList.kind())
        };
        (response, altered_by)
    };
    match conn {
        Some(conn) if fault.drop_after => conn.cut(),
        _ => state.store.record_status(seq, response.status().as_u16()),
    }
    match (&state.recorder, sent) {
        (Some(recorder), Some(sent)) => recorder.finish(sent, response, state.store.profile(), altered_by).await,
        _ => response,
    }
}

/// The answer a fault gives instead of handling the request.
fn faulty_answer(action: &FaultAction, parts: &axum::http::request::Parts, body: &Bytes) -> Response {
    let status = |s: &u16| StatusCode::from_u16(*s).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match action {
        FaultAction::Refuse { status, retry_after } => refusal(*status, retry_after.as_deref()),
        FaultAction::EchoBody { status: s } => {
            let message = format!("Invalid request body: {}", String::from_utf8_lossy(body));
            ApiError::new(status(s), code::BAD_BODY, message).into_response()
        }
        FaultAction::EchoHeaders { status: s } => {
            // Headers first, as a debugging proxy's page shows them: within any excerpt.
            let mut page = format!("<html><body><pre>{} {}\n", parts.method, parts.uri);
            for (name, value) in &parts.headers {
                page.push_str(&format!("{name}: {}\n", String::from_utf8_lossy(value.as_bytes())));
            }
            page.push_str(&format!("</pre><h1>{s} Internal Server Error</h1></body></html>"));
            (status(s), [(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
        }
        FaultAction::Message { status: s, message } => ApiError::new(status(s), 0, message.clone()).into_response(),
        FaultAction::Refusal { status: s, code, message } => {
            ApiError::new(status(s), *code, message.clone()).into_response()
        }
        FaultAction::Oversized { bytes } => oversized(*bytes),
        FaultAction::Delay(_) | FaultAction::DropAfterActing | FaultAction::DuplicateInList => {
            unreachable!("not an answer: {action:?}")
        }
    }
}

/// A JSON array answer with its first item twice; any other answer as it is.
async fn duplicate_first_item(response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let bytes = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Array(mut items)) if !items.is_empty() => {
            items.insert(1, items[0].clone());
            Bytes::from(serde_json::to_vec(&items).unwrap_or_default())
        }
        _ => bytes,
    };
    let mut response = Response::from_parts(parts, Body::from(bytes));
    response.headers_mut().remove(header::CONTENT_LENGTH);
    response
}

/// A fault's refusal: Connect's JSON error body with the status, and `Retry-After` when given.
fn refusal(status: u16, retry_after: Option<&str>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let message = match status {
        StatusCode::TOO_MANY_REQUESTS => "Too many requests: slow down.",
        StatusCode::SERVICE_UNAVAILABLE => "The server is temporarily unavailable.",
        _ => "The request failed (injected fault).",
    };
    let mut response = ApiError::new(status, 0, message).into_response();
    if let Some(value) = retry_after.and_then(|v| HeaderValue::from_str(v).ok()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// A fault's oversized answer: 200 and a JSON array of one string, `bytes` long in all (at least
/// 4), made chunk by chunk as it is sent.
fn oversized(bytes: u64) -> Response {
    const CHUNK: u64 = 64 << 10;
    let pad = Bytes::from(vec![b'x'; CHUNK as usize]);
    let inner = bytes.max(4) - 4;
    let chunks = (0..inner.div_ceil(CHUNK)).map(move |i| pad.slice(..(inner - i * CHUNK).min(CHUNK) as usize));
    let parts = std::iter::once(Bytes::from_static(b"[\"")).chain(chunks).chain([Bytes::from_static(b"\"]")]);
    let body = Body::from_stream(futures_util::stream::iter(parts.map(Ok::<_, std::convert::Infallible>)));
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

/// Checks the API key for everything under `/__api__/`: 401 without a valid key, 403 when a
/// publisher's key tries to change anything but content (only administrators manage
/// integrations; the content handlers judge a publisher's rights on each item). Paths
/// outside the API pass through to the 404 fallback.
pub(crate) async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !path.starts_with("/__api__/") {
        return next.run(req).await;
    }
    let role = match role_of(req.headers(), &state.opts) {
        Ok(role) => role,
        Err(e) => return e.into_response(),
    };
    let read_only = matches!(*req.method(), Method::GET | Method::HEAD);
    match role {
        None if path == OPEN_PATH => next.run(req).await,
        None => ApiError::unauthenticated(
            "This request requires an API key: send the header `Authorization: Key <api-key>`.",
        )
        .into_response(),
        Some(Role::Publisher) if !read_only && !publisher_may_try(req.method(), path) => {
            ApiError::forbidden().into_response()
        }
        Some(_) => next.run(req).await,
    }
}

/// The changes a publisher's key may attempt, for the handler to judge against the content item:
/// creating content, and changing content (its fields, permissions, vanity path, environment).
/// Changes to OAuth integrations, and to content's integration associations, are for
/// administrators only.
fn publisher_may_try(method: &Method, path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/__api__/v1/content") else {
        return false;
    };
    (rest.is_empty() && method == Method::POST) || (rest.starts_with('/') && !rest.contains("/oauth/"))
}

/// Under [`crate::Profile::NoOAuthApi`], every OAuth path answers 404, as a server without that
/// API would.
pub(crate) async fn profile_gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let oauth = path.starts_with("/__api__/v1/oauth/")
        || (path.starts_with("/__api__/v1/content/") && path.contains("/oauth/"));
    if oauth && !state.store.profile().has_oauth() {
        return crate::errors::unknown_path().await.into_response();
    }
    next.run(req).await
}
