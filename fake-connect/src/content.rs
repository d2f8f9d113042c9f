//! Content items: `GET` and `POST /v1/content`, `GET` and `PATCH /v1/content/{guid}`.
//!
//! No bundles and no deployments: an item is its name, title, description, access type and
//! owner, with its permissions (`content_permissions.rs`), vanity path (`content_vanity.rs`) and
//! environment (`content_environment.rs`). The answer is the document's `Content` (closed), with
//! the fields clients read and no others: `guid`, `id`, `name`, `title`, `description`,
//! `access_type`, `locked`, `locked_message`, `owner_guid`, `created_time`,
//! `last_deployed_time`, `bundle_id`, `app_mode`, `content_category`, `parameterized`,
//! `content_url`, `dashboard_url`, `app_role`, and with `include`: `owner`, `tags` (always
//! empty) and `vanity_url` (only when the item has a vanity path: the field is a plain string,
//! not nullable).
//!
//! Who sees what: an administrator sees and may change every item; a publisher sees the items
//! they own or have a permission entry on, and may change those they own or have an `owner`
//! entry on (Connect's collaborators). An item the caller cannot see answers 404 as if missing
//! (`getContent` lists no 403); a change to one they see but may not change answers 403 (code
//! 22). `app_role` is the caller's: `owner` for the owner and collaborators, `viewer` for a
//! viewer entry, `none` otherwise (an administrator's own role is not the item's).
//!
//! Connect's rules for content names (3 to 64 letters, digits, `-` and `_`, as connectapi's
//! `verify_content_name` states them) are enforced, and names are unique per owner; where
//! nothing is known the fake refuses: unknown body fields and query parameters get a 400.
//! `PATCH` takes `name`, `title`, `description`, `access_type` and `owner_guid` (administrators
//! only, as the document says; the new owner must be a publisher or an administrator); the
//! document's other `UpdateContentInput` fields (timeouts, processes, run-as...) are refused
//! with a 400 naming the field, as the fake does not model them.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use crate::catalog::{AccessRole, Catalog, ContentItem, NewContent};
use crate::directory::Directory;
use crate::errors::{code, ApiError};
use crate::state::{self, AppState, Caller};

/// The body fields `POST /v1/content` accepts here (Connect accepts many more, all optional).
const CREATE_FIELDS: &[&str] = &["name", "title", "description", "access_type"];
/// The body fields `PATCH /v1/content/{guid}` accepts here.
const UPDATE_FIELDS: &[&str] = &["name", "title", "description", "access_type", "owner_guid"];
/// The rest of the document's `UpdateContentInput`: refused as not modelled, not as unknown.
const UNMODELLED_UPDATE_FIELDS: &[&str] = &[
    "locked",
    "locked_message",
    "connection_timeout",
    "read_timeout",
    "init_timeout",
    "idle_timeout",
    "max_processes",
    "min_processes",
    "max_conns_per_process",
    "load_factor",
    "default_r_environment_management",
    "default_py_environment_management",
    "run_as",
    "run_as_current_user",
    "memory_request",
    "memory_limit",
    "cpu_request",
    "cpu_limit",
    "amd_gpu_limit",
    "nvidia_gpu_limit",
    "service_account_name",
    "default_image_name",
    "default_environment_guid",
    "metrics_collection_enabled",
    "notify_on_share",
    "otel_enabled",
    "content_category",
];
const ACCESS_TYPES: &[&str] = &["all", "logged_in", "acl"];
/// The `include` values answered (posit-sdk-py asks for all three). The document's enum also
/// has `bookmarked` and `schedule`, which the fake does not model: refused.
const INCLUDES: &[&str] = &["owner", "tags", "vanity_url"];

/// What a caller needs for an operation on one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Need {
    View,
    Change,
}

/// The item, when `caller` may do what `need` says with it: 404 when it is missing or the
/// caller cannot see it, 403 (code 22) when they see it but may not change it.
pub(crate) fn authorised<'a>(
    catalog: &'a Catalog,
    caller: Caller,
    guid: &str,
    need: Need,
) -> Result<&'a ContentItem, ApiError> {
    let item = catalog.get(guid).filter(|item| caller.may_view(item)).ok_or_else(ApiError::not_found)?;
    if need == Need::Change && !caller.may_change(item) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            code::FORBIDDEN,
            format!(
                "You may not change the content item {guid}: only its owner, its collaborators and administrators may."
            ),
        ));
    }
    Ok(item)
}

/// The body as a JSON value, or a 400 (code 87).
pub(crate) fn read_json(body: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::bad_body(format!("The request body is not valid JSON: {e}")))
}

/// The body as a JSON object, or a 400 (code 87).
pub(crate) fn read_object(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    match read_json(body)? {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::bad_body("The request body must be a JSON object")),
    }
}

pub(crate) fn missing(field: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code::MISSING_FIELD, format!("The {field} field is required"))
}

fn role_on(caller: Caller, item: &ContentItem) -> &'static str {
    if item.changeable_by(caller.user_guid) {
        "owner"
    } else if item.entry_for(caller.user_guid).is_some_and(|e| e.role == AccessRole::Viewer) {
        "viewer"
    } else {
        "none"
    }
}

/// The item as the content operations answer it, for `caller`, with what `include` asks for.
fn content_json(item: &ContentItem, caller: Caller, base: &str, include: &[String], directory: &Directory) -> Value {
    let mut answer = json!({
        "guid": item.guid,
        "id": item.id.to_string(),
        "name": item.name,
        "title": item.title,
        "description": item.description,
        "access_type": item.access_type,
        "locked": false,
        "locked_message": "",
        "owner_guid": item.owner_guid,
        "created_time": item.created_time,
        // The document's `Content` has no null here (a date-time, not nullable): an item
        // never deployed answers the time it was made.
        "last_deployed_time": item.created_time,
        // Never deployed: no bundle, so Connect does not know what kind of content it is.
        "bundle_id": null,
        "app_mode": "unknown",
        "content_category": "",
        "parameterized": false,
        "content_url": format!("{base}/content/{}/", item.guid),
        "dashboard_url": format!("{base}/connect/#/apps/{}", item.guid),
        "app_role": role_on(caller, item),
    });
    let asked = |what: &str| include.iter().any(|i| i == what);
    if asked("owner") {
        let owner = directory.user(&item.owner_guid);
        answer["owner"] = json!({
            "guid": item.owner_guid,
            "username": owner.map(|u| u.username.clone()),
            "first_name": owner.map(|u| u.first_name.clone()),
            "last_name": owner.map(|u| u.last_name.clone()),
        });
    }
    if asked("tags") {
        answer["tags"] = json!([]);
    }
    if let Some(vanity) = item.vanity.as_ref().filter(|_| asked("vanity_url")) {
        answer["vanity_url"] = json!(format!("{base}{}", vanity.path));
    }
    answer
}

fn bad_parameter(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code::BAD_PARAMETER, message)
}

/// The `include` values of a query (comma-separated, as the prose says), and the other
/// parameters the operation takes (`extra`), by name. Anything else is refused.
/// Query parameters by name and value, in the order sent.
type Params = Vec<(String, String)>;

fn read_query(query: &[(String, String)], extra: &[&str]) -> Result<(Vec<String>, Params), ApiError> {
    let mut include = Vec::new();
    let mut others = Vec::new();
    for (key, value) in query {
        if key == "include" {
            for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                if !INCLUDES.contains(&part) {
                    let message = format!("include must name some of {}", INCLUDES.join(", "));
                    return Err(ApiError::new(StatusCode::BAD_REQUEST, code::BAD_INCLUDE, message));
                }
                include.push(part.to_string());
            }
        } else if extra.contains(&key.as_str()) {
            if others.iter().any(|(k, _): &(String, String)| k == key) {
                return Err(bad_parameter(format!("The query parameter {key} is given more than once")));
            }
            others.push((key.clone(), value.clone()));
        } else {
            return Err(bad_parameter(format!("The query parameter {key} is not supported")));
        }
    }
    Ok((include, others))
}

/// `GET /v1/content[?name=&owner_guid=&include=]`: the items the caller sees, by guid. No
/// paging, as documented.
pub(crate) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let caller = state::caller(&headers, &state.opts)?;
    let (include, filters) = read_query(&query, &["name", "owner_guid"])?;
    let mut name = None;
    let mut owner = None;
    for (key, value) in filters {
        if key == "owner_guid" {
            if uuid::Uuid::parse_str(&value).is_err() {
                return Err(bad_parameter(format!("The owner_guid {value:?} is not a guid")));
            }
            owner = Some(value);
        } else {
            name = Some(value);
        }
    }
    let base = state.base_url(&headers);
    let answer = state.store.with_content(|catalog, directory| {
        catalog
            .items()
            .filter(|c| caller.may_view(c))
            .filter(|c| name.as_ref().is_none_or(|n| &c.name == n))
            .filter(|c| owner.as_ref().is_none_or(|o| &c.owner_guid == o))
            .map(|c| content_json(c, caller, &base, &include, directory))
            .collect::<Vec<_>>()
    });
    Ok(Json(Value::Array(answer)).into_response())
}

/// `POST /v1/content`: 200 with the new item, owned by the caller.
pub(crate) async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let caller = state::caller(&headers, &state.opts)?;
    let body = read_object(&body)?;
    let new = parse_new(&body, caller.user_guid)?;
    let created = state.store.create_content(new)?;
    let base = state.base_url(&headers);
    let answer = state.store.with_content(|_, directory| content_json(&created, caller, &base, &[], directory));
    Ok(Json(answer).into_response())
}

fn string_field(body: &Map<String, Value>, field: &str) -> Result<Option<String>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad_body(format!("The {field} field must be a string"))),
    }
}

/// A field the document does not make nullable: a string when sent.
fn non_null_string(body: &Map<String, Value>, field: &str) -> Result<Option<String>, ApiError> {
    match body.get(field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad_body(format!("The {field} field must be a string (not null)"))),
    }
}

fn check_name(name: &str) -> Result<(), ApiError> {
    let valid = (3..=64).contains(&name.chars().count())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            code::BAD_CONTENT_NAME,
            "The content name must be 3 to 64 characters: letters, digits, hyphens and underscores",
        ));
    }
    Ok(())
}

fn check_access_type(access_type: &str) -> Result<(), ApiError> {
    if !ACCESS_TYPES.contains(&access_type) {
        let message = format!("The access_type must be one of {}", ACCESS_TYPES.join(", "));
        return Err(ApiError::new(StatusCode::BAD_REQUEST, code::BAD_ACCESS_TYPE, message));
    }
    Ok(())
}

fn parse_new(body: &Map<String, Value>, owner_guid: &str) -> Result<NewContent, ApiError> {
    if let Some(field) = body.keys().find(|k| !CREATE_FIELDS.contains(&k.as_str())) {
        return Err(ApiError::bad_body(format!("The field {field} is not supported when creating content")));
    }
    let name = string_field(body, "name")?.ok_or_else(|| missing("name"))?;
    check_name(&name)?;
    let access_type = string_field(body, "access_type")?.unwrap_or_else(|| "acl".to_string());
    check_access_type(&access_type)?;
    Ok(NewContent {
        name,
        title: string_field(body, "title")?,
        description: string_field(body, "description")?.unwrap_or_default(),
        access_type,
        owner_guid: owner_guid.to_string(),
    })
}

/// `GET /v1/content/{guid}[?include=owner,tags,vanity_url]`: 404 when there is no such item (or
/// the caller cannot see it).
pub(crate) async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(guid): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let caller = state::caller(&headers, &state.opts)?;
    let (include, _) = read_query(&query, &[])?;
    let base = state.base_url(&headers);
    let answer = state.store.with_content(|catalog, directory| {
        authorised(catalog, caller, &guid, Need::View)
            .map(|item| content_json(item, caller, &base, &include, directory))
    })?;
    Ok(Json(answer).into_response())
}

/// What a PATCH changes, read and checked on its own (the item's state is checked under the
/// store's lock).
#[derive(Debug, Default)]
struct ContentPatch {
    name: Option<String>,
    /// `Some(None)` clears the title (the field is nullable).
    title: Option<Option<String>>,
    description: Option<String>,
    access_type: Option<String>,
    owner_guid: Option<String>,
}

fn parse_patch(body: &Map<String, Value>) -> Result<ContentPatch, ApiError> {
    if let Some(field) = body.keys().find(|k| UNMODELLED_UPDATE_FIELDS.contains(&k.as_str())) {
        return Err(ApiError::bad_body(format!(
            "The field {field} is not supported by this server (fake-connect does not model it)"
        )));
    }
    if let Some(field) = body.keys().find(|k| !UPDATE_FIELDS.contains(&k.as_str())) {
        return Err(ApiError::bad_body(format!("The field {field} is not a field of a content update")));
    }
    let name = non_null_string(body, "name")?;
    if let Some(name) = &name {
        check_name(name)?;
    }
    let title = match body.get("title") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(t)) => Some(Some(t.clone())),
        Some(_) => return Err(ApiError::bad_body("The title field must be a string or null")),
    };
    let access_type = non_null_string(body, "access_type")?;
    if let Some(access_type) = &access_type {
        check_access_type(access_type)?;
    }
    let owner_guid = match body.get("owner_guid") {
        None => None,
        Some(Value::String(o)) => Some(o.clone()),
        Some(_) => {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, code::BAD_OWNER, "The owner_guid must name a user"))
        }
    };
    Ok(ContentPatch { name, title, description: non_null_string(body, "description")?, access_type, owner_guid })
}

/// `PATCH /v1/content/{guid}`: 200 with the item as changed. A refused PATCH changes nothing.
pub(crate) async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(guid): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let caller = state::caller(&headers, &state.opts)?;
    let base = state.base_url(&headers);
    let answer = state.store.update_content(|catalog, directory| {
        let item = authorised(catalog, caller, &guid, Need::Change)?;
        let patch = parse_patch(&read_object(&body)?)?;
        if let Some(owner) = &patch.owner_guid {
            if !caller.is_admin() {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    code::FORBIDDEN,
                    "Only an administrator may change the owner of a content item.",
                ));
            }
            let fit =
                directory.user(owner).is_some_and(|u| u.user_role == "publisher" || u.user_role == "administrator");
            if !fit {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    code::BAD_OWNER,
                    format!("The new owner {owner} must be a publisher or an administrator of this server."),
                ));
            }
        }
        let name = patch.name.clone().unwrap_or_else(|| item.name.clone());
        let owner = patch.owner_guid.clone().unwrap_or_else(|| item.owner_guid.clone());
        catalog.check_unique(&guid, &name, &owner)?;
        let item = catalog.get_mut(&guid).ok_or_else(ApiError::not_found)?;
        item.name = name;
        if let Some(title) = patch.title {
            item.title = title;
        }
        if let Some(description) = patch.description {
            item.description = description;
        }
        if let Some(access_type) = patch.access_type {
            item.access_type = access_type;
        }
        if item.owner_guid != owner {
            // The owner needs no entry of their own (and may not have one).
            item.acl.retain(|e| e.principal_guid != owner);
            item.owner_guid = owner;
        }
        Ok(content_json(item, caller, &base, &[], directory))
    })?;
    Ok(Json(answer).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_are_closed_and_typed() {
        let patch = |v: Value| parse_patch(v.as_object().unwrap());
        let p = patch(json!({"name": "new-name", "title": null, "description": "", "access_type": "all"})).unwrap();
        assert_eq!((p.name.as_deref(), p.title, p.access_type.as_deref()), (Some("new-name"), Some(None), Some("all")));
        for (bad, expected) in [
            (json!({"min_processes": 2}), 87),
            (json!({"colour": "red"}), 87),
            (json!({"name": null}), 87),
            (json!({"description": null}), 87),
            (json!({"access_type": null}), 87),
            (json!({"access_type": "everyone"}), 117),
            (json!({"name": "a b"}), 5),
            (json!({"owner_guid": null}), 156),
        ] {
            let e = patch(bad.clone()).unwrap_err();
            assert_eq!((e.status.as_u16(), e.code), (400, expected), "{bad}");
        }
        let e = patch(json!({"min_processes": 2})).unwrap_err();
        assert!(e.message.contains("not supported"), "{}", e.message);
    }

    #[test]
    fn queries_take_comma_separated_includes() {
        let q = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        let (include, others) = read_query(&q(&[("include", "owner,vanity_url"), ("name", "x")]), &["name"]).unwrap();
        assert_eq!((include, others), (vec!["owner".to_string(), "vanity_url".to_string()], q(&[("name", "x")])));
        assert_eq!(read_query(&q(&[("include", "bookmarked")]), &[]).unwrap_err().code, 161);
        assert_eq!(read_query(&q(&[("name", "x")]), &[]).unwrap_err().code, 25);
        assert_eq!(read_query(&q(&[("name", "x"), ("name", "y")]), &["name"]).unwrap_err().code, 25);
    }
}
