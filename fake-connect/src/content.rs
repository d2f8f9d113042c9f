//! Minimal content items: `POST /v1/content` and `GET /v1/content/{guid}`.
//!
//! Just enough for a client to make a content item to associate integrations with, the way
//! posit-sdk-py's `client.content.create(name=...)` and `client.content.get(guid)` do: no bundles,
//! no deployments, no updates. The answer carries the fields that client reads (`guid`, `name`,
//! `title`, `description`, `owner_guid`, the times, `app_mode`...) and no others.
//!
//! Connect's rules for content names (3 to 64 letters, digits, `-` and `_`, as connectapi's
//! `verify_content_name` states them) are enforced; where nothing is known the fake refuses:
//! unknown body fields and query parameters get a 400.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use crate::catalog::NewContent;
use crate::errors::{code, ApiError};
use crate::state::AppState;

/// The body fields `POST /v1/content` accepts here (Connect accepts many more, all optional).
const CREATE_FIELDS: &[&str] = &["name", "title", "description", "access_type"];
const ACCESS_TYPES: &[&str] = &["all", "logged_in", "acl"];
/// The `include` values of `GET /v1/content/{guid}` (posit-sdk-py asks for all three).
const INCLUDES: &[&str] = &["owner", "tags", "vanity_url"];

/// `POST /v1/content`: 200 with the new item.
pub(crate) async fn create(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let body = match serde_json::from_slice(&body) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return Err(ApiError::bad_body("The request body must be a JSON object")),
        Err(e) => return Err(ApiError::bad_body(format!("The request body is not valid JSON: {e}"))),
    };
    let new = parse_new(&body)?;
    let created = state.store.create_content(new)?;
    Ok(Json(created).into_response())
}

fn parse_new(body: &Map<String, Value>) -> Result<NewContent, ApiError> {
    if let Some(field) = body.keys().find(|k| !CREATE_FIELDS.contains(&k.as_str())) {
        return Err(ApiError::bad_body(format!("The field {field} is not supported when creating content")));
    }
    let string = |field: &str| match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad_body(format!("The {field} field must be a string"))),
    };
    let name = string("name")?
        .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, code::MISSING_FIELD, "The name field is required"))?;
    let valid = (3..=64).contains(&name.chars().count())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            code::BAD_CONTENT_NAME,
            "The content name must be 3 to 64 characters: letters, digits, hyphens and underscores",
        ));
    }
    let access_type = string("access_type")?.unwrap_or_else(|| "acl".to_string());
    if !ACCESS_TYPES.contains(&access_type.as_str()) {
        let message = format!("The access_type must be one of {}", ACCESS_TYPES.join(", "));
        return Err(ApiError::new(StatusCode::BAD_REQUEST, code::BAD_ACCESS_TYPE, message));
    }
    Ok(NewContent {
        name,
        title: string("title")?,
        description: string("description")?.unwrap_or_default(),
        access_type,
    })
}

/// `GET /v1/content/{guid}[?include=owner,tags,vanity_url]`: 404 when there is no such item.
pub(crate) async fn get(
    State(state): State<AppState>,
    Path(guid): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let mut include = Vec::new();
    for (key, value) in &query {
        if key != "include" {
            let message = format!("The query parameter {key} is not supported");
            return Err(ApiError::new(StatusCode::BAD_REQUEST, code::BAD_PARAMETER, message));
        }
        for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if !INCLUDES.contains(&part) {
                let message = format!("include must name some of {}", INCLUDES.join(", "));
                return Err(ApiError::new(StatusCode::BAD_REQUEST, code::BAD_INCLUDE, message));
            }
            include.push(part.to_string());
        }
    }
    let (mut item, owner) = state.store.content_item(&guid).ok_or_else(ApiError::not_found)?;
    if include.iter().any(|i| i == "owner") {
        item["owner"] = owner;
    }
    if include.iter().any(|i| i == "tags") {
        item["tags"] = json!([]);
    }
    // `vanity_url` is only answered when the item has one, and these never do.
    Ok(Json(item).into_response())
}
