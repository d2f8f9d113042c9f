//! A content item's permissions (its access list): `GET` and `POST
//! /v1/content/{guid}/permissions`, `GET`, `PUT` and `DELETE /v1/content/{guid}/permissions/{id}`.
//!
//! The document types `principal_type` and `role` as plain strings; the fake takes `user` or
//! `group` and `viewer` or `owner` (Connect's dashboard calls an `owner` entry a collaborator),
//! and refuses anything else: 400 with code 152 (InvalidPrincipalType) or 23
//! (InvalidRoleAssignment, the closest name the document has for a content role). The request
//! schema is closed: another field is a 400 (code 87); `principal_guid`, `principal_type` and
//! `role` are required (code 12), `send_email` is optional and only read by POST.
//!
//! - A principal the server does not know: 400, code 261 (InvalidUserGUID) or 262
//!   (InvalidGroupGUID), the message naming the guid. Under [`crate::Profile::NoGroups`] every
//!   group is unknown (as for integration permissions).
//! - The content's owner needs no entry: 400, code 34 (InvalidCollaboratorOwner).
//! - POST is an upsert: one entry per principal. A new entry answers 201, a changed one 200
//!   (the document lists both; which one a real server answers is not recorded).
//! - PUT changes the entry named in the path; naming a principal that has another entry is a
//!   400, code 154 (DuplicateUserPermission) or 155 (DuplicateGroupPermission).
//! - Reading needs the right to see the item; changing needs the right to change it (see
//!   `content.rs`).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{Map, Value};

use crate::catalog::{entry_json, AccessRole, ContentItem, PrincipalType};
use crate::content::{authorised, missing, read_object, Need};
use crate::directory::Directory;
use crate::errors::{code, ApiError};
use crate::profiles::Profile;
use crate::state::{self, AppState};

const INPUT_FIELDS: &[&str] = &["principal_guid", "principal_type", "role", "send_email"];

/// A `PermissionInput`, read and checked on its own.
#[derive(Debug, PartialEq, Eq)]
struct PermissionInput {
    principal_guid: String,
    principal_type: PrincipalType,
    role: AccessRole,
}

fn required_string(body: &Map<String, Value>, field: &str) -> Result<String, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Err(missing(field)),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(ApiError::bad_body(format!("The {field} field must be a string"))),
    }
}

fn read_input(body: &Map<String, Value>) -> Result<PermissionInput, ApiError> {
    if let Some(field) = body.keys().find(|k| !INPUT_FIELDS.contains(&k.as_str())) {
        return Err(ApiError::bad_body(format!("The field {field} is not a field of a permission")));
    }
    if body.get("send_email").is_some_and(|v| !v.is_boolean()) {
        return Err(ApiError::bad_body("The send_email field must be a boolean"));
    }
    let principal_guid = required_string(body, "principal_guid")?;
    let principal_type = required_string(body, "principal_type")?;
    let principal_type = PrincipalType::parse(&principal_type).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            code::BAD_PRINCIPAL_TYPE,
            format!("The principal_type {principal_type:?} is neither user nor group"),
        )
    })?;
    let role = required_string(body, "role")?;
    let role = AccessRole::parse(&role).ok_or_else(|| {
        ApiError::new(StatusCode::BAD_REQUEST, code::BAD_ROLE, format!("The role {role:?} is neither viewer nor owner"))
    })?;
    Ok(PermissionInput { principal_guid, principal_type, role })
}

/// Refuses a principal the server does not know, and the item's owner.
fn check_principal(
    input: &PermissionInput,
    item: &ContentItem,
    directory: &Directory,
    profile: Profile,
) -> Result<(), ApiError> {
    let guid = &input.principal_guid;
    match input.principal_type {
        PrincipalType::User if directory.user(guid).is_none() => {
            Err(ApiError::new(StatusCode::BAD_REQUEST, code::UNKNOWN_USER, format!("The user {guid} does not exist.")))
        }
        PrincipalType::Group if !profile.has_groups() || directory.group(guid).is_none() => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            code::UNKNOWN_GROUP,
            format!("The group {guid} does not exist."),
        )),
        PrincipalType::User if *guid == item.owner_guid => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            code::OWNER_PERMISSION,
            format!("The user {guid} owns this content item and cannot also be given a permission on it."),
        )),
        _ => Ok(()),
    }
}

/// `GET /v1/content/{guid}/permissions`.
pub(crate) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(guid): Path<String>,
) -> Result<Response, ApiError> {
    let caller = state::caller(&headers, &state.opts)?;
    let answer = state.store.with_content(|catalog, _| {
        let item = authorised(catalog, caller, &guid, Need::View)?;
        Ok::<_, ApiError>(item.acl.iter().map(|e| entry_json(&guid, e)).collect::<Vec<_>>())
    })?;
    Ok(Json(Value::Array(answer)).into_response())
}

/// `POST /v1/content/{guid}/permissions`: an upsert per principal.
pub(crate) async fn add(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(guid): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let caller = state::caller(&headers, &state.opts)?;
    let profile = state.store.profile();
    let (entry, created) = state.store.update_content(|catalog, directory| {
        let item = authorised(catalog, caller, &guid, Need::Change)?;
        let input = read_input(&read_object(&body)?)?;
        check_principal(&input, item, directory, profile)?;
        catalog
            .upsert_entry(&guid, &input.principal_guid, input.principal_type, input.role)
            .ok_or_else(ApiError::not_found)
    })?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(entry_json(&guid, &entry))).into_response())
}

/// `GET /v1/content/{guid}/permissions/{id}`: 404 when the item has no such entry.
pub(crate) async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((guid, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let caller = state::caller(&headers, &state.opts)?;
    let answer = state.store.with_content(|catalog, _| {
        let item = authorised(catalog, caller, &guid, Need::View)?;
        item.acl.iter().find(|e| e.id.to_string() == id).map(|e| entry_json(&guid, e)).ok_or_else(ApiError::not_found)
    })?;
    Ok(Json(answer).into_response())
}

/// `PUT /v1/content/{guid}/permissions/{id}`: changes that entry.
pub(crate) async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((guid, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let caller = state::caller(&headers, &state.opts)?;
    let profile = state.store.profile();
    let answer = state.store.update_content(|catalog, directory| {
        let item = authorised(catalog, caller, &guid, Need::Change)?;
        if !item.acl.iter().any(|e| e.id.to_string() == id) {
            return Err(ApiError::not_found());
        }
        let input = read_input(&read_object(&body)?)?;
        check_principal(&input, item, directory, profile)?;
        if item.acl.iter().any(|e| e.id.to_string() != id && e.principal_guid == input.principal_guid) {
            let (code, what) = match input.principal_type {
                PrincipalType::User => (code::DUPLICATE_USER_PERMISSION, "user"),
                PrincipalType::Group => (code::DUPLICATE_GROUP_PERMISSION, "group"),
            };
            let message = format!("The {what} {} already has another permission on this item.", input.principal_guid);
            return Err(ApiError::new(StatusCode::BAD_REQUEST, code, message));
        }
        let item = catalog.get_mut(&guid).ok_or_else(ApiError::not_found)?;
        let entry = item.acl.iter_mut().find(|e| e.id.to_string() == id).ok_or_else(ApiError::not_found)?;
        entry.principal_guid = input.principal_guid;
        entry.principal_type = input.principal_type;
        entry.role = input.role;
        Ok(entry_json(&guid, entry))
    })?;
    Ok(Json(answer).into_response())
}

/// `DELETE /v1/content/{guid}/permissions/{id}`: 204, or 404 when the item has no such entry.
pub(crate) async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((guid, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let caller = state::caller(&headers, &state.opts)?;
    state.store.update_content(|catalog, _| {
        authorised(catalog, caller, &guid, Need::Change)?;
        let item = catalog.get_mut(&guid).ok_or_else(ApiError::not_found)?;
        let before = item.acl.len();
        item.acl.retain(|e| e.id.to_string() != id);
        if item.acl.len() == before {
            return Err(ApiError::not_found());
        }
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const USER: &str = "6f1c2f4e-8a4b-4d0e-9b3a-1c2d3e4f5a6b";

    fn input(v: Value) -> Result<PermissionInput, ApiError> {
        read_input(v.as_object().unwrap())
    }

    #[test]
    fn inputs_are_closed_and_checked() {
        let ok = input(json!({"principal_guid": USER, "principal_type": "user", "role": "owner", "send_email": true}));
        assert_eq!(
            ok.unwrap(),
            PermissionInput {
                principal_guid: USER.into(),
                principal_type: PrincipalType::User,
                role: AccessRole::Owner
            }
        );
        for (bad, expected) in [
            (json!({"principal_guid": USER, "principal_type": "user", "role": "viewer", "extra": 1}), 87),
            (json!({"principal_guid": USER, "principal_type": "user", "role": "viewer", "send_email": "yes"}), 87),
            (json!({"principal_type": "user", "role": "viewer"}), 12),
            (json!({"principal_guid": USER, "role": "viewer"}), 12),
            (json!({"principal_guid": USER, "principal_type": "user"}), 12),
            (json!({"principal_guid": USER, "principal_type": "robot", "role": "viewer"}), 152),
            (json!({"principal_guid": USER, "principal_type": "user", "role": "collaborator"}), 23),
            (json!({"principal_guid": 7, "principal_type": "user", "role": "viewer"}), 87),
        ] {
            let e = input(bad.clone()).unwrap_err();
            assert_eq!((e.status.as_u16(), e.code), (400, expected), "{bad}");
        }
    }
}
