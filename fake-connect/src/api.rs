//! The HTTP routes and their handlers.
//!
//! Handlers read bodies as raw bytes and parse them here, so a malformed body gets a Connect-style
//! JSON error rather than axum's plain-text rejection.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use crate::errors::{self, code, ApiError};
use crate::middleware;
use crate::permissions;
use crate::principals;
use crate::rules;
use crate::state::AppState;
use crate::store::NewIntegration;
use crate::templates;
use crate::{content, content_environment, content_permissions, content_vanity};

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/__api__/server_settings", get(server_settings))
        .route("/__api__/v1/user", get(principals::current_user))
        .route("/__api__/v1/users", get(principals::list_users))
        .route("/__api__/v1/users/{guid}", get(principals::get_user))
        .route("/__api__/v1/groups", get(principals::list_groups))
        .route("/__api__/v1/groups/{guid}", get(principals::get_group))
        .route("/__api__/v1/oauth/integrations", get(list_integrations).post(create_integration))
        .route(
            "/__api__/v1/oauth/integrations/{guid}",
            get(get_integration).patch(update_integration).delete(delete_integration),
        )
        .route("/__api__/v1/oauth/integrations/{guid}/associations", get(associations))
        .route("/__api__/v1/oauth/integrations/{guid}/verify", post(verify_integration))
        .route(
            "/__api__/v1/content/{guid}/oauth/integrations/associations",
            get(content_associations).put(set_content_associations),
        )
        .route("/__api__/v1/content", get(content::list).post(content::create))
        .route("/__api__/v1/content/{guid}", get(content::get).patch(content::update))
        .route("/__api__/v1/content/{guid}/permissions", get(content_permissions::list).post(content_permissions::add))
        .route(
            "/__api__/v1/content/{guid}/permissions/{id}",
            get(content_permissions::get).put(content_permissions::update).delete(content_permissions::delete),
        )
        .route(
            "/__api__/v1/content/{guid}/vanity",
            get(content_vanity::get).put(content_vanity::set).delete(content_vanity::delete),
        )
        .route(
            "/__api__/v1/content/{guid}/environment",
            get(content_environment::get).patch(content_environment::update).put(content_environment::set),
        )
        .route("/__api__/v1/oauth/templates", get(list_templates))
        .route("/__api__/v1/oauth/templates/{id}", get(get_template))
        .fallback(errors::unknown_path)
        .method_not_allowed_fallback(errors::wrong_method)
        .layer(from_fn_with_state(state.clone(), middleware::profile_gate))
        .layer(from_fn_with_state(state.clone(), middleware::authenticate))
        .layer(from_fn_with_state(state.clone(), middleware::record))
        .with_state(state)
}

type ApiResult = Result<Response, ApiError>;

async fn server_settings(State(state): State<AppState>) -> Json<Value> {
    let version = state.store.server_version();
    Json(json!({
        "version": version,
        "build": format!("v{version}"),
        "hostname": "fake-connect",
        "authentication": {"provider": "password", "name": "Password"},
        "oauth_integrations_enabled": true,
    }))
}

async fn list_integrations(State(state): State<AppState>) -> Json<Value> {
    Json(Value::Array(state.store.integrations()))
}

async fn get_integration(State(state): State<AppState>, Path(guid): Path<String>) -> ApiResult {
    let item = state.store.get(&guid).ok_or_else(ApiError::not_found)?;
    Ok(Json(item).into_response())
}

/// A client secret the fake's "identity provider" refuses: one starting with `wrong`. Any other
/// stored secret is accepted, so tests make a failing verification with e.g. `wrong-secret`.
pub(crate) const REFUSED_SECRET_PREFIX: &str = "wrong";

/// `POST /v1/oauth/integrations/{guid}/verify`: Connect's simulated token exchange. 404 for a
/// missing integration; 400 code 240 for one that is not a Service Account; for a Service
/// Account, 200 with no body when its stored secret is accepted (see [`REFUSED_SECRET_PREFIX`]),
/// else 400 code 241 with a refusal worded as Microsoft Entra ID words one.
async fn verify_integration(State(state): State<AppState>, Path(guid): Path<String>) -> ApiResult {
    // What the server holds, not what its answers show (a profile may hide the auth type).
    let auth_type = state.store.auth_type(&guid).ok_or_else(ApiError::not_found)?;
    if auth_type != rules::SERVICE_ACCOUNT {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            code::VERIFY_NOT_SERVICE_ACCOUNT,
            format!(
                "OAuth integration verification is only supported for {} integrations; this one is {auth_type}.",
                rules::SERVICE_ACCOUNT
            ),
        ));
    }
    match state.store.secret(&guid) {
        Some(secret) if !secret.starts_with(REFUSED_SECRET_PREFIX) => Ok(StatusCode::OK.into_response()),
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            code::VERIFY_NO_TOKEN,
            "Unable to retrieve token: invalid_client: AADSTS7000215: Invalid client secret provided. Ensure the \
             secret being sent in the request is the client secret value, not the client secret ID.",
        )),
    }
}

async fn associations(State(state): State<AppState>, Path(guid): Path<String>) -> ApiResult {
    let item = state.store.get(&guid).ok_or_else(ApiError::not_found)?;
    let both = names_content_guid(&state.store.server_version());
    let list: Vec<Value> =
        state.store.content_of(&guid).into_iter().map(|c| association_json(&c, &item, both)).collect();
    Ok(Json(Value::Array(list)).into_response())
}

/// One association as Connect lists it: the content and a summary of the integration. The
/// content is `app_guid`, and also `content_guid` from 2025.07.0 on (`with_content_guid`).
fn association_json(content: &str, item: &Value, with_content_guid: bool) -> Value {
    let mut answer = json!({
        "app_guid": content,
        "oauth_integration_guid": item["guid"],
        "oauth_integration_name": item["name"],
        "oauth_integration_description": item["description"],
        "oauth_integration_template": item["template"],
        "oauth_integration_auth_type": item["auth_type"],
        "created_time": item["created_time"],
    });
    if with_content_guid {
        answer["content_guid"] = json!(content);
    }
    answer
}

/// Whether a server of this version names the content `content_guid` in associations
/// (2025.07.0 and later; connectapi's 2025.07.0 recordings have it, posit-sdk-py's 2024 ones not).
fn names_content_guid(version: &str) -> bool {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0)) >= (2025, 7)
}

async fn content_associations(State(state): State<AppState>, Path(content): Path<String>) -> ApiResult {
    let guids = state.store.associations(&content).ok_or_else(ApiError::not_found)?;
    let both = names_content_guid(&state.store.server_version());
    let list: Vec<Value> =
        guids.iter().filter_map(|g| state.store.get(g)).map(|item| association_json(&content, &item, both)).collect();
    Ok(Json(Value::Array(list)).into_response())
}

/// `PUT` replaces the whole set: `[{"oauth_integration_guid": "..."}]`, `[]` removes all.
async fn set_content_associations(
    State(state): State<AppState>,
    Path(content): Path<String>,
    body: Bytes,
) -> ApiResult {
    let items: Vec<Value> = serde_json::from_slice(&body)
        .map_err(|_| ApiError::bad_body("The request body must be a JSON array of associations."))?;
    let mut guids = Vec::new();
    for item in items {
        match item.get("oauth_integration_guid").and_then(Value::as_str) {
            Some(g) => guids.push(g.to_string()),
            None => return Err(ApiError::bad_body("Each association needs an oauth_integration_guid.")),
        }
    }
    if let Some(max) = state.store.profile().max_associations().filter(|m| guids.len() > *m) {
        return Err(ApiError::bad_config(format!(
            "A content item can be associated with at most {max} OAuth integration on this server."
        )));
    }
    match state.store.set_associations(&content, guids) {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(None) => Err(ApiError::not_found()),
        Err(Some(g)) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            code::NOT_FOUND,
            format!("The OAuth integration {g} does not exist."),
        )),
    }
}

async fn delete_integration(State(state): State<AppState>, Path(guid): Path<String>) -> ApiResult {
    if state.store.remove(&guid) {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found())
    }
}

async fn list_templates(State(state): State<AppState>) -> Response {
    if !state.store.profile().has_templates() {
        return errors::html_not_found();
    }
    Json(Value::Array(templates::all())).into_response()
}

async fn get_template(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    if !state.store.profile().has_templates() {
        return Ok(errors::html_not_found());
    }
    let template = templates::get(&id).ok_or_else(ApiError::not_found)?;
    Ok(Json(template).into_response())
}

async fn create_integration(State(state): State<AppState>, body: Bytes) -> ApiResult {
    let body = parse_object(&body)?;
    let template = match body.get("template") {
        None | Some(Value::Null) => return Err(missing("template")),
        Some(Value::String(t)) if rules::is_known_template(t) => t.clone(),
        Some(Value::String(t)) => {
            let message = format!("The template {t} is not a known OAuth integration template");
            return Err(ApiError::new(StatusCode::BAD_REQUEST, code::NO_SUCH_TEMPLATE, message));
        }
        Some(_) => return Err(wrong_type("template", "a string")),
    };
    let name = match optional_string(&body, "name")? {
        Some(name) if !name.trim().is_empty() => name,
        _ => return Err(missing("name")),
    };
    let description = optional_string(&body, "description")?.unwrap_or_default();
    let config = optional_object(&body, "config")?.unwrap_or_default();
    let profile = state.store.profile();
    let permissions = read_permissions(&state, &body)?.unwrap_or_default();

    profile.check_values(&config)?;
    let (mut config, secret) = rules::split_config(&config)?;
    profile.on_create(&template, &mut config)?;
    rules::check_config(&template, &config, secret.as_deref())?;
    let created = state.store.create(NewIntegration { template, name, description, config, secret, permissions });
    // Connect answers a create with 200, not 201.
    Ok(Json(created).into_response())
}

async fn update_integration(State(state): State<AppState>, Path(guid): Path<String>, body: Bytes) -> ApiResult {
    let body = parse_object(&body)?;
    if body.contains_key("template") {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            code::TEMPLATE_CHANGE,
            "The template of an OAuth integration cannot be changed",
        ));
    }
    let name = match body.get("name") {
        None => None,
        Some(Value::String(n)) if !n.trim().is_empty() => Some(n.clone()),
        Some(Value::String(_)) | Some(Value::Null) => return Err(missing("name")),
        Some(_) => return Err(wrong_type("name", "a string")),
    };
    let description = match body.get("description") {
        None => None,
        Some(Value::Null) => Some(String::new()),
        Some(Value::String(d)) => Some(d.clone()),
        Some(_) => return Err(wrong_type("description", "a string")),
    };
    let config = optional_object(&body, "config")?;
    let permissions = read_permissions(&state, &body)?;
    let profile = state.store.profile();

    let updated = state.store.update(&guid, |item| {
        if let Some(name) = name {
            item.name = Some(name);
        }
        if let Some(description) = description {
            item.description = Some(description);
        }
        if let Some(permissions) = permissions {
            item.permissions = permissions;
        }
        if let Some(config) = config {
            profile.on_update(item.template(), &config)?;
            rules::merge_config(&mut item.config, &mut item.secret, &config)?;
        }
        rules::check_config(item.template(), &item.config, item.secret.as_deref())
    })?;
    Ok(Json(updated).into_response())
}

/// A create's or a PATCH's `permissions`, when sent: each entry checked, and each user or group
/// known. `None` when not sent, or when the server predates permissions
/// ([`crate::Profile::NoPermissions`]), which ignores the field whatever it holds.
fn read_permissions(
    state: &AppState,
    body: &Map<String, Value>,
) -> Result<Option<Vec<permissions::Permission>>, ApiError> {
    let profile = state.store.profile();
    if !profile.has_permissions() {
        return Ok(None);
    }
    let Some(list) = optional_array(body, "permissions")?.map(permissions::read).transpose()? else {
        return Ok(None);
    };
    state.store.with_directory(|d| {
        permissions::check_known(&list, |u| d.user(u).is_some(), |g| profile.has_groups() && d.group(g).is_some())
    })?;
    Ok(Some(list))
}

fn parse_object(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_body("The request body must be a JSON object")),
        Err(e) => Err(ApiError::bad_body(format!("The request body is not valid JSON: {e}"))),
    }
}

fn missing(field: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code::MISSING_FIELD, format!("The {field} field is required"))
}

fn wrong_type(field: &str, expected: &str) -> ApiError {
    ApiError::bad_body(format!("The {field} field must be {expected}"))
}

/// A top-level field that may be absent or null.
fn optional_string(body: &Map<String, Value>, field: &str) -> Result<Option<String>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(wrong_type(field, "a string")),
    }
}

fn optional_object(body: &Map<String, Value>, field: &str) -> Result<Option<Map<String, Value>>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m.clone())),
        Some(_) => Err(wrong_type(field, "a JSON object")),
    }
}

fn optional_array(body: &Map<String, Value>, field: &str) -> Result<Option<Vec<Value>>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a.clone())),
        Some(_) => Err(wrong_type(field, "a JSON array")),
    }
}
