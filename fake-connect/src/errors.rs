//! Connect-style error answers.
//!
//! Connect answers every API error with `{"code": <int>, "error": "<message>", "payload": null}`.
//! Only code 228 (a config value outside its allowed set) has been seen in a real capture; the
//! other codes are plausible stand-ins. Clients should key on the HTTP status, not on these codes,
//! and the fake keeps them stable so tests can still assert on them.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Error codes used by the fake, named by meaning.
pub mod code {
    /// The path or method is not part of the API.
    pub const UNSUPPORTED: i64 = 2;
    /// No key, or a key the server does not know.
    pub const UNAUTHENTICATED: i64 = 3;
    /// The object named in the path does not exist.
    pub const NOT_FOUND: i64 = 4;
    /// A required top-level field is missing or empty.
    pub const MISSING_FIELD: i64 = 12;
    /// The key is valid but its user may not do this.
    pub const FORBIDDEN: i64 = 19;
    /// The body is not JSON or has the wrong shape.
    pub const BAD_BODY: i64 = 5;
    /// A content item of that name already exists for its owner.
    pub const NAME_IN_USE: i64 = 26;
    /// A config key is missing or its value is not allowed (seen on a real server).
    pub const BAD_CONFIG: i64 = 228;
}

/// An API error: the HTTP status plus the JSON body Connect would send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: i64,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into() }
    }

    /// 400 for a body that cannot be read as the expected JSON.
    pub fn bad_body(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code::BAD_BODY, message)
    }

    /// 400 for a config that breaks the template's rules.
    pub fn bad_config(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code::BAD_CONFIG, message)
    }

    /// 404 for an object that does not exist.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, code::NOT_FOUND, "The requested object does not exist.")
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code::UNAUTHENTICATED, message)
    }

    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, code::FORBIDDEN, "You don't have permission to perform this operation.")
    }

    /// The JSON body, as a value (handy for tests and the recorder).
    pub fn body(&self) -> serde_json::Value {
        json!({"code": self.code, "error": self.message, "payload": null})
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // `Json` sets `Content-Type: application/json`.
        (self.status, Json(self.body())).into_response()
    }
}

/// Answer for paths outside the API.
pub async fn unknown_path() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, code::UNSUPPORTED, "The requested endpoint does not exist.")
}

/// A 404 with an HTML body, as a server (or a proxy) without the route answers.
pub fn html_not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>",
    )
        .into_response()
}

/// Answer for a known path called with a method it does not support.
pub async fn wrong_method() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        code::UNSUPPORTED,
        "The requested method is not supported for this endpoint.",
    )
}
