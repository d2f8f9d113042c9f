//! A content item's vanity path: `GET`, `PUT` and `DELETE /v1/content/{guid}/vanity`.
//!
//! - `GET` answers the `Vanity` (`content_guid`, `path`, `created_time`), 404 (code 4) when the
//!   item has none.
//! - `PUT` takes `VanityInput` (closed: `path` required, `force` optional, default false). The
//!   path is checked and normalised as `vanity_paths.rs` says (400, code 52). A path another
//!   item holds is refused without `force` (409, code 51, VanityPathInUse: the document lists
//!   409 for this operation only); with `force` it moves, when the caller may also change the
//!   item that held it (Connect's reference: "an administrator or collaborator/owner of both").
//!   A path that is an ancestor or a descendant of another item's is refused whatever `force`
//!   says, also 409 with code 51: the path conflicts with one in use rather than being
//!   malformed. Setting the path an item already has changes nothing (the same `created_time`).
//! - `DELETE` answers 204, 404 when the item has no vanity path.
//! - Changes need the right to change the item (see `content.rs`) and, for a publisher,
//!   `Authorization.PublishersCanManageVanities` (off under [`crate::Profile::PublishersNoVanity`]).
//!   Both refusals are 403 (code 22), which the document does not list for these operations
//!   (see the contract test's corrections).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use crate::content::{authorised, missing, read_object, Need};
use crate::errors::{code, ApiError};
use crate::profiles::Profile;
use crate::state::{self, AppState, Caller};
use crate::vanity_paths;

/// The refusal of a publisher's change on a server where publishers do not manage vanities.
fn publishers_may_not() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        code::FORBIDDEN,
        "Only administrators may set or delete vanity URLs on this server \
         (Authorization.PublishersCanManageVanities is off).",
    )
}

/// Whether the caller may manage vanities at all. `profile` is read before the store's lock is
/// taken (the lock is not reentrant).
fn may_manage_vanities(profile: Profile, caller: Caller) -> Result<(), ApiError> {
    if caller.is_admin() || profile.publishers_manage_vanities() {
        Ok(())
    } else {
        Err(publishers_may_not())
    }
}

/// `GET /v1/content/{guid}/vanity`.
pub(crate) async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(guid): Path<String>,
) -> Result<Response, ApiError> {
    let caller = state::caller(&headers, &state.opts)?;
    let answer = state.store.with_content(|catalog, _| {
        let item = authorised(catalog, caller, &guid, Need::View)?;
        item.vanity.as_ref().map(|v| v.to_json(&guid)).ok_or_else(|| {
            ApiError::new(StatusCode::NOT_FOUND, code::NOT_FOUND, "This content item has no vanity URL.")
        })
    })?;
    Ok(Json(answer).into_response())
}

/// `PUT /v1/content/{guid}/vanity`.
pub(crate) async fn set(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(guid): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let caller = state::caller(&headers, &state.opts)?;
    let profile = state.store.profile();
    let answer = state.store.update_content(|catalog, _| {
        authorised(catalog, caller, &guid, Need::Change)?;
        may_manage_vanities(profile, caller)?;
        let body = read_object(&body)?;
        if let Some(field) = body.keys().find(|k| *k != "path" && *k != "force") {
            return Err(ApiError::bad_body(format!("The field {field} is not a field of a vanity URL")));
        }
        let force = match body.get("force") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(ApiError::bad_body("The force field must be a boolean")),
        };
        let sent = match body.get("path") {
            None | Some(Value::Null) => return Err(missing("path")),
            Some(Value::String(p)) => p.clone(),
            Some(_) => return Err(ApiError::bad_body("The path field must be a string")),
        };
        let path = vanity_paths::normalise(&sent)?;
        if let Some(other) = catalog.nested_vanity(&guid, &path) {
            let theirs = other.vanity.as_ref().map(|v| v.path.clone()).unwrap_or_default();
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                code::VANITY_IN_USE,
                format!("The vanity path {path} would nest with {theirs}, which another content item uses."),
            ));
        }
        if let Some(holder) = catalog.vanity_holder(&path).filter(|h| h.guid != guid) {
            if !force {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    code::VANITY_IN_USE,
                    format!("The vanity path {path} is in use by another content item; set force to move it."),
                ));
            }
            if !caller.may_change(holder) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    code::FORBIDDEN,
                    format!("The vanity path {path} belongs to a content item you may not change."),
                ));
            }
        }
        let vanity = catalog.set_vanity(&guid, &path).ok_or_else(ApiError::not_found)?;
        Ok(vanity.to_json(&guid))
    })?;
    Ok(Json(answer).into_response())
}

/// `DELETE /v1/content/{guid}/vanity`.
pub(crate) async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(guid): Path<String>,
) -> Result<Response, ApiError> {
    let caller = state::caller(&headers, &state.opts)?;
    let profile = state.store.profile();
    state.store.update_content(|catalog, _| {
        authorised(catalog, caller, &guid, Need::Change)?;
        may_manage_vanities(profile, caller)?;
        let item = catalog.get_mut(&guid).ok_or_else(ApiError::not_found)?;
        match item.vanity.take() {
            Some(_) => Ok(()),
            None => Err(ApiError::new(StatusCode::NOT_FOUND, code::NOT_FOUND, "This content item has no vanity URL.")),
        }
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
