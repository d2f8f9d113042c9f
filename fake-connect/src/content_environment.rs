//! A content item's environment variables: `GET`, `PATCH` and `PUT
//! /v1/content/{guid}/environment`.
//!
//! Every answer is the names alone, sorted (`EnvironmentVariableNames`): values are stored (a
//! test reads them with [`crate::Store::content_env`]) and never sent back. A body is a JSON
//! array of `{name, value}` (closed: another field is a 400, code 87; `value` is a string or
//! null and must be sent: code 12 when it is absent).
//!
//! - `PATCH` adds and changes the variables sent; a `null` value deletes that variable (one not
//!   set is no error).
//! - `PUT` replaces the whole set with the variables sent; a `null` value there leaves that
//!   variable unset.
//! - An empty name is a 400 with code 266 (EmptyEnvironmentVariableName); a name sent twice in
//!   one body, code 149 (DuplicateEnvironmentVariable). A refused body changes nothing.
//! - Reading needs the right to see the item, changing the right to change it (see
//!   `content.rs`); a refused change is 403 (code 22), which the document does not list for
//!   these operations (see the contract test's corrections).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::content::{authorised, missing, read_json, Need};
use crate::errors::{code, ApiError};
use crate::state::{self, AppState};

/// Variables as a body sends them: a name and its value (`None` for null), in order.
type Sent = Vec<(String, Option<String>)>;

/// The variables a body sends, in order: a name and its value (`None` for null).
fn read_variables(body: &Value) -> Result<Sent, ApiError> {
    let list = body.as_array().ok_or_else(|| ApiError::bad_body("The request body must be a JSON array"))?;
    let mut variables: Sent = Vec::new();
    for entry in list {
        let fields = entry.as_object().ok_or_else(|| ApiError::bad_body("Each variable must be a JSON object"))?;
        if let Some(field) = fields.keys().find(|k| *k != "name" && *k != "value") {
            return Err(ApiError::bad_body(format!("The field {field} is not a field of an environment variable")));
        }
        let name = match fields.get("name") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(n)) => n.clone(),
            Some(_) => return Err(ApiError::bad_body("A variable's name must be a string")),
        };
        if name.is_empty() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                code::EMPTY_ENV_NAME,
                "An environment variable must have a name",
            ));
        }
        let value = match fields.get("value") {
            None => return Err(missing("value")),
            Some(Value::Null) => None,
            Some(Value::String(v)) => Some(v.clone()),
            Some(_) => return Err(ApiError::bad_body("A variable's value must be a string or null")),
        };
        if variables.iter().any(|(n, _)| *n == name) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                code::DUPLICATE_ENV_VAR,
                format!("The environment variable {name} is given more than once"),
            ));
        }
        variables.push((name, value));
    }
    Ok(variables)
}

/// `PATCH`'s change: set or delete each variable sent.
fn patch(environment: &mut BTreeMap<String, String>, variables: Sent) {
    for (name, value) in variables {
        match value {
            Some(v) => environment.insert(name, v),
            None => environment.remove(&name),
        };
    }
}

/// `PUT`'s change: the variables sent with a value, and no others.
fn replace(environment: &mut BTreeMap<String, String>, variables: Sent) {
    *environment = variables.into_iter().filter_map(|(n, v)| v.map(|v| (n, v))).collect();
}

fn names(environment: &BTreeMap<String, String>) -> Value {
    json!(environment.keys().collect::<Vec<_>>())
}

/// `GET /v1/content/{guid}/environment`.
pub(crate) async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(guid): Path<String>,
) -> Result<Response, ApiError> {
    let caller = state::caller(&headers, &state.opts)?;
    let answer = state
        .store
        .with_content(|catalog, _| authorised(catalog, caller, &guid, Need::View).map(|c| names(&c.environment)))?;
    Ok(Json(answer).into_response())
}

async fn change(
    state: AppState,
    headers: HeaderMap,
    guid: String,
    body: Bytes,
    apply: fn(&mut BTreeMap<String, String>, Sent),
) -> Result<Response, ApiError> {
    let caller = state::caller(&headers, &state.opts)?;
    let answer = state.store.update_content(|catalog, _| {
        authorised(catalog, caller, &guid, Need::Change)?;
        let variables = read_variables(&read_json(&body)?)?;
        let item = catalog.get_mut(&guid).ok_or_else(ApiError::not_found)?;
        apply(&mut item.environment, variables);
        Ok::<_, ApiError>(names(&item.environment))
    })?;
    Ok(Json(answer).into_response())
}

/// `PATCH /v1/content/{guid}/environment`.
pub(crate) async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(guid): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    change(state, headers, guid, body, patch).await
}

/// `PUT /v1/content/{guid}/environment`.
pub(crate) async fn set(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(guid): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    change(state, headers, guid, body, replace).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn patch_sets_changes_and_deletes_with_null() {
        let mut e = env(&[("A", "1"), ("B", "2")]);
        let sent = read_variables(&json!([{"name": "B", "value": null}, {"name": "C", "value": "3"},
                                            {"name": "A", "value": "one"}, {"name": "GONE", "value": null}]))
        .unwrap();
        patch(&mut e, sent);
        assert_eq!(e, env(&[("A", "one"), ("C", "3")]));
        assert_eq!(names(&e), json!(["A", "C"]));
    }

    #[test]
    fn put_replaces_everything() {
        let mut e = env(&[("A", "1"), ("B", "2")]);
        replace(&mut e, read_variables(&json!([{"name": "Z", "value": "z"}, {"name": "Y", "value": null}])).unwrap());
        assert_eq!(e, env(&[("Z", "z")]));
        replace(&mut e, read_variables(&json!([])).unwrap());
        assert!(e.is_empty());
    }

    #[test]
    fn bodies_are_checked() {
        for (bad, expected) in [
            (json!({"name": "A", "value": "1"}), 87),
            (json!(["A"]), 87),
            (json!([{"name": "A", "value": "1", "secret": true}]), 87),
            (json!([{"name": "A", "value": 1}]), 87),
            (json!([{"name": 1, "value": "1"}]), 87),
            (json!([{"name": "", "value": "1"}]), 266),
            (json!([{"value": "1"}]), 266),
            (json!([{"name": "A"}]), 12),
            (json!([{"name": "A", "value": "1"}, {"name": "A", "value": null}]), 149),
        ] {
            let e = read_variables(&bad).unwrap_err();
            assert_eq!((e.status.as_u16(), e.code), (400, expected), "{bad}");
        }
    }
}
