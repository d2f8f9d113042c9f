//! What happens to every request around the handlers: logging, latency and authentication.
//!
//! The layers run in this order: [`record`] (outermost, so even refused requests are logged),
//! then [`authenticate`], then the router.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::errors::ApiError;
use crate::store::Store;
use crate::Options;

/// Bodies above this size are refused; the API's bodies are a few hundred bytes.
const MAX_BODY: usize = 1 << 20;

/// The one endpoint Connect answers without a key (clients use it to probe a server).
const OPEN_PATH: &str = "/__api__/server_settings";

/// What every handler and layer shares.
#[derive(Clone)]
pub(crate) struct AppState {
    pub store: Store,
    pub opts: Arc<Options>,
}

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

/// Logs the request in the store on arrival, waits the configured latency, runs the rest, and
/// logs the answered status.
///
/// This is the seam for fault injection: a later version can decide here, from the request's
/// sequence number, to answer 429/503 with `Retry-After` or to drop the connection instead of
/// calling `next`.
pub(crate) async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let read = axum::body::to_bytes(body, MAX_BODY).await;
    let bytes = read.as_ref().cloned().unwrap_or_default();
    let path = parts.uri.path_and_query().map_or_else(|| parts.uri.path().to_string(), |p| p.as_str().to_string());
    let seq = state.store.record_request(parts.method.as_str(), &path, body_for_log(&bytes));

    if !state.opts.latency.is_zero() {
        tokio::time::sleep(state.opts.latency).await;
    }
    let response = match read {
        Ok(bytes) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(_) => ApiError::bad_body("The request body could not be read.").into_response(),
    };
    state.store.record_status(seq, response.status().as_u16());
    response
}

/// Who a key belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Admin,
    Publisher,
}

/// Reads `Authorization: Key <key>`. `Ok(None)`: no header; `Err`: a header with an unknown key
/// or another scheme.
fn role_of(req: &Request, opts: &Options) -> Result<Option<Role>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let invalid = || ApiError::unauthenticated("Invalid API key.");
    let value = value.to_str().map_err(|_| invalid())?.trim();
    let (scheme, key) = value.split_once(' ').ok_or_else(invalid)?;
    if !scheme.eq_ignore_ascii_case("key") {
        return Err(invalid());
    }
    let key = key.trim();
    if key == opts.admin_key {
        Ok(Some(Role::Admin))
    } else if opts.publisher_key.as_deref() == Some(key) {
        Ok(Some(Role::Publisher))
    } else {
        Err(invalid())
    }
}

/// Checks the API key for everything under `/__api__/`: 401 without a valid key, 403 when a
/// publisher's key tries to change anything (only administrators manage integrations). Paths
/// outside the API pass through to the 404 fallback.
pub(crate) async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !path.starts_with("/__api__/") {
        return next.run(req).await;
    }
    let role = match role_of(&req, &state.opts) {
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
        Some(Role::Publisher) if !read_only => ApiError::forbidden().into_response(),
        Some(_) => next.run(req).await,
    }
}
