//! Connect-style error answers.
//!
//! Connect answers every API error with `{"code": <int>, "error": "<message>", "payload": null}`
//! (the `APIError` schema of Posit's published OpenAPI document). Only code 228 has been seen in a
//! real capture; the others are chosen by name from the document's `APIErrorCode` list, which
//! does not say which operation answers which code. Clients should key on the HTTP status, not on
//! these codes, and the fake keeps them stable so tests can still assert on them.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Error codes used by the fake. Each is the code the published document's `APIErrorCode`
/// gives the name in brackets (its `x-enumNames`, 1-based by position); the constant's own name
/// says what the fake uses it for.
pub(crate) mod code {
    /// The path or method is not part of the API (BadRequest).
    pub(crate) const UNSUPPORTED: i64 = 2;
    /// The group operations on a server with groups disabled (BadRequest: the document names no
    /// code for it, see `principals.rs`).
    pub(crate) const GROUPS_DISABLED: i64 = 2;
    /// The object named in the path does not exist (ObjectDoesNotExist).
    pub(crate) const NOT_FOUND: i64 = 4;
    /// A content name breaks Connect's rules for names (InvalidApplicationName).
    pub(crate) const BAD_CONTENT_NAME: i64 = 5;
    /// A required top-level field is missing or empty (ParameterMissing).
    pub(crate) const MISSING_FIELD: i64 = 12;
    /// A content permission's role is neither `viewer` nor `owner` (InvalidRoleAssignment).
    pub(crate) const BAD_ROLE: i64 = 23;
    /// The key is valid but its user may not do this (PermissionDenied).
    pub(crate) const FORBIDDEN: i64 = 22;
    /// No key, or a key the server does not know (AuthRequired).
    pub(crate) const UNAUTHENTICATED: i64 = 24;
    /// A query parameter the operation does not take (InvalidParameter).
    pub(crate) const BAD_PARAMETER: i64 = 25;
    /// A content item of that name already exists for its owner (DuplicateName).
    pub(crate) const NAME_IN_USE: i64 = 26;
    /// A content permission names the content's owner, who needs none (InvalidCollaboratorOwner).
    pub(crate) const OWNER_PERMISSION: i64 = 34;
    /// A vanity path another content item holds, or one nested in (or around) another item's
    /// (VanityPathInUse).
    pub(crate) const VANITY_IN_USE: i64 = 51;
    /// A vanity path Connect does not allow: reserved, malformed or the root
    /// (ProhibitedVanityPath).
    pub(crate) const PROHIBITED_VANITY_PATH: i64 = 52;
    /// The body is not JSON, or not the JSON expected: not an object, a field of the wrong type,
    /// a field the operation does not take (CannotParseRequestBody). The document also has 121
    /// InvalidJson; the fake does not tell text that is not JSON from JSON of the wrong shape,
    /// as a decoder reading into a typed structure fails the same way on both.
    pub(crate) const BAD_BODY: i64 = 87;
    /// An `access_type` other than `all`, `logged_in` and `acl` (UnknownAccessType).
    pub(crate) const BAD_ACCESS_TYPE: i64 = 117;
    /// One environment variable named twice in a body (DuplicateEnvironmentVariable).
    pub(crate) const DUPLICATE_ENV_VAR: i64 = 149;
    /// A content permission's `principal_type` is neither `user` nor `group`
    /// (InvalidPrincipalType).
    pub(crate) const BAD_PRINCIPAL_TYPE: i64 = 152;
    /// A content permission's PUT names a user that has another entry (DuplicateUserPermission).
    pub(crate) const DUPLICATE_USER_PERMISSION: i64 = 154;
    /// A content permission's PUT names a group that has another entry
    /// (DuplicateGroupPermission).
    pub(crate) const DUPLICATE_GROUP_PERMISSION: i64 = 155;
    /// A content's new owner is not a publisher or an administrator the server knows
    /// (InvalidOwner).
    pub(crate) const BAD_OWNER: i64 = 156;
    /// An `include` value the operation does not know (InvalidInclude).
    pub(crate) const BAD_INCLUDE: i64 = 161;
    /// A create names a template the server does not have (OAuthTemplateNotFound).
    pub(crate) const NO_SUCH_TEMPLATE: i64 = 227;
    /// A config key is missing or its value is not allowed (OAuthTemplateConfig; seen on a real
    /// server).
    pub(crate) const BAD_CONFIG: i64 = 228;
    /// A PATCH tries to change an integration's template (OAuthTemplateProhibitedChange).
    pub(crate) const TEMPLATE_CHANGE: i64 = 229;
    /// A verify of an integration that is not a Service Account
    /// (OAuthServiceAccountTestInvalidAuthType).
    pub(crate) const VERIFY_NOT_SERVICE_ACCOUNT: i64 = 240;
    /// A verify whose token exchange the identity provider refused (OAuthUnableToRetrieveToken).
    pub(crate) const VERIFY_NO_TOKEN: i64 = 241;
    /// An environment variable without a name (EmptyEnvironmentVariableName).
    pub(crate) const EMPTY_ENV_NAME: i64 = 266;
    /// A permission (of an integration or of content) names a user the server does not know
    /// (InvalidUserGUID).
    pub(crate) const UNKNOWN_USER: i64 = 261;
    /// A permission (of an integration or of content) names a group the server does not know,
    /// or any group on a server with groups disabled (InvalidGroupGUID).
    pub(crate) const UNKNOWN_GROUP: i64 = 262;
}

/// An API error: the HTTP status plus the JSON body Connect would send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: i64,
    pub message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into() }
    }

    /// 400 for a body that cannot be read as the expected JSON.
    pub(crate) fn bad_body(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code::BAD_BODY, message)
    }

    /// 400 for a config that breaks the template's rules.
    pub(crate) fn bad_config(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code::BAD_CONFIG, message)
    }

    /// 404 for an object that does not exist.
    pub(crate) fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, code::NOT_FOUND, "The requested object does not exist.")
    }

    pub(crate) fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code::UNAUTHENTICATED, message)
    }

    pub(crate) fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, code::FORBIDDEN, "You don't have permission to perform this operation.")
    }

    /// The JSON body, as a value (handy for tests and the recorder).
    pub(crate) fn body(&self) -> serde_json::Value {
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
pub(crate) async fn unknown_path() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, code::UNSUPPORTED, "The requested endpoint does not exist.")
}

/// A 404 with an HTML body, as a server (or a proxy) without the route answers.
pub(crate) fn html_not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>",
    )
        .into_response()
}

/// Answer for a known path called with a method it does not support.
pub(crate) async fn wrong_method() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        code::UNSUPPORTED,
        "The requested method is not supported for this endpoint.",
    )
}

#[cfg(test)]
mod tests {
    use super::code;

    /// The names `code` gives in brackets are the published document's for those numbers
    /// (`APIErrorCode`'s `x-enumNames`, 1-based by position).
    #[test]
    fn codes_are_the_documents_names() {
        let document: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/contract/openapi/connect-openapi.json")).unwrap();
        let names = document["components"]["schemas"]["APIErrorCode"]["x-enumNames"].as_array().unwrap();
        let name = |code: i64| names[usize::try_from(code - 1).unwrap()].as_str().unwrap();
        for (code, expected) in [
            (code::UNSUPPORTED, "BadRequest"),
            (code::GROUPS_DISABLED, "BadRequest"),
            (code::NOT_FOUND, "ObjectDoesNotExist"),
            (code::BAD_CONTENT_NAME, "InvalidApplicationName"),
            (code::MISSING_FIELD, "ParameterMissing"),
            (code::FORBIDDEN, "PermissionDenied"),
            (code::UNAUTHENTICATED, "AuthRequired"),
            (code::BAD_PARAMETER, "InvalidParameter"),
            (code::NAME_IN_USE, "DuplicateName"),
            (code::BAD_BODY, "CannotParseRequestBody"),
            (code::BAD_ACCESS_TYPE, "UnknownAccessType"),
            (code::BAD_INCLUDE, "InvalidInclude"),
            (code::NO_SUCH_TEMPLATE, "OAuthTemplateNotFound"),
            (code::BAD_CONFIG, "OAuthTemplateConfig"),
            (code::TEMPLATE_CHANGE, "OAuthTemplateProhibitedChange"),
            (code::UNKNOWN_USER, "InvalidUserGUID"),
            (code::BAD_ROLE, "InvalidRoleAssignment"),
            (code::OWNER_PERMISSION, "InvalidCollaboratorOwner"),
            (code::VANITY_IN_USE, "VanityPathInUse"),
            (code::PROHIBITED_VANITY_PATH, "ProhibitedVanityPath"),
            (code::DUPLICATE_ENV_VAR, "DuplicateEnvironmentVariable"),
            (code::BAD_PRINCIPAL_TYPE, "InvalidPrincipalType"),
            (code::DUPLICATE_USER_PERMISSION, "DuplicateUserPermission"),
            (code::DUPLICATE_GROUP_PERMISSION, "DuplicateGroupPermission"),
            (code::BAD_OWNER, "InvalidOwner"),
            (code::EMPTY_ENV_NAME, "EmptyEnvironmentVariableName"),
            (code::UNKNOWN_GROUP, "InvalidGroupGUID"),
        ] {
            assert_eq!(name(code), expected, "code {code}");
        }
    }
}
