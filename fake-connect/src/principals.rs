//! Users and groups, for lookups: `GET /v1/users`, `GET /v1/users/{guid}`, `GET /v1/groups` and
//! `GET /v1/groups/{guid}` (read only; a test adds them with [`crate::Store::add_user`] and
//! [`crate::Store::add_group`]).
//!
//! As Posit's published document has them (`getUsers`, `getUser`, `getGroups`, `getGroup`):
//!
//! - A list is `OffsetPaging` plus `results`: `{"current_page", "total", "results"}`, with
//!   `page_number` (default 1), `page_size` (default 20, at most 500: more is a 400) and
//!   `asc_order` (default true).
//! - `prefix` is a case-insensitive prefix search: over a user's `username`, `first_name`,
//!   `last_name` and `email`, over a group's `name`. A prefix search answers its first page only:
//!   later pages are empty while `total` still counts every match (the document says so of users;
//!   this project's notes of both, and connectapi's issue 328 of groups on servers before
//!   2025.04.0). A listing without `prefix` pages normally. A group's DN or provider id, which
//!   `prefix` may also match exactly on a real server, the fake's groups do not have.
//! - Users also take `sort` and `user_role` (several roles joined by `|`, as the document's
//!   prose allows). `account_status` is documented too, but the fake does not track what it
//!   filters on (licensing, recent activity), so it refuses it rather than ignore it; any other
//!   query parameter is refused as well (400, InvalidParameter).
//! - A user's `external_id` is shown only to administrators and to the user themself; `email` is
//!   shown to everyone (the document allows a server to hide it from non-administrators).
//! - A group answers `guid`, `name`, `owner_guid` and `gid`: the fields of the unreferenced
//!   `GroupOutput`, which real answers carry (the published `Group` is composed of other fields
//!   by a slip, and is not closed, so these still validate).
//!
//! Without a sort asked for, users are listed by `username` and groups by `name` (compared
//! without case), which the document leaves open. Under [`crate::Profile::NoGroups`] both group
//! operations answer an error, as a server with groups disabled does.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::directory::{is_role, starts_with, Group, User, ADMIN_USER_GUID, PUBLISHER_USER_GUID, ROLES};
use crate::errors::{code, ApiError};
use crate::state::{self, AppState, Role};

/// The largest `page_size` the lists take.
pub(crate) const MAX_PAGE_SIZE: i64 = 500;
const DEFAULT_PAGE_SIZE: i64 = 20;

const USER_SORTS: [&str; 6] = ["first_name", "last_name", "username", "active_time", "created_time", "user_role"];

fn bad_parameter(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code::BAD_PARAMETER, message)
}

/// What every list takes: `prefix`, `page_number`, `page_size`, `asc_order`.
#[derive(Debug, PartialEq, Eq)]
struct Paging {
    /// `None` also for an empty `prefix=`, which filters nothing.
    prefix: Option<String>,
    page_number: i64,
    page_size: i64,
    asc_order: bool,
}

/// Reads the query: the paging parameters, and `extra` ones (returned by name) that the
/// operation takes besides. Each parameter at most once; any other is refused.
fn read_query(query: &[(String, String)], extra: &[&str]) -> Result<(Paging, Vec<(String, String)>), ApiError> {
    let mut paging = Paging { prefix: None, page_number: 1, page_size: DEFAULT_PAGE_SIZE, asc_order: true };
    let mut others = Vec::new();
    for (i, (key, value)) in query.iter().enumerate() {
        if query[..i].iter().any(|(k, _)| k == key) {
            return Err(bad_parameter(format!("The query parameter {key} is given more than once")));
        }
        let int32 =
            |min: i64| {
                value.trim().parse::<i32>().ok().map(i64::from).filter(|n| *n >= min).ok_or_else(|| {
                    bad_parameter(format!("The query parameter {key} must be a whole number from {min}"))
                })
            };
        match key.as_str() {
            "prefix" => paging.prefix = Some(value.clone()).filter(|p| !p.is_empty()),
            "page_number" => paging.page_number = int32(1)?,
            "page_size" => paging.page_size = int32(1)?,
            "asc_order" => {
                paging.asc_order = match value.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(bad_parameter("The query parameter asc_order must be true or false")),
                }
            }
            k if extra.contains(&k) => others.push((key.clone(), value.clone())),
            _ => return Err(bad_parameter(format!("The query parameter {key} is not supported"))),
        }
    }
    if paging.page_size > MAX_PAGE_SIZE {
        return Err(bad_parameter(format!("The page_size must be at most {MAX_PAGE_SIZE}")));
    }
    Ok((paging, others))
}

/// The page asked for, of `matches` (already filtered and sorted): a prefix search has its first
/// page only.
fn page(paging: &Paging, matches: Vec<Value>) -> Value {
    let total = matches.len();
    let results: Vec<Value> = if paging.prefix.is_some() && paging.page_number > 1 {
        Vec::new()
    } else {
        let skip = usize::try_from((paging.page_number - 1).saturating_mul(paging.page_size)).unwrap_or(usize::MAX);
        matches.into_iter().skip(skip).take(usize::try_from(paging.page_size).unwrap_or(usize::MAX)).collect()
    };
    json!({"current_page": paging.page_number, "total": total, "results": results})
}

/// Whether the caller may see `user`'s `external_id`: an administrator, or the user themself.
fn shows_external_id(role: Option<Role>, user: &User) -> bool {
    match role {
        Some(Role::Admin) => true,
        Some(Role::Publisher) => user.guid == PUBLISHER_USER_GUID,
        None => false,
    }
}

/// `GET /v1/users`.
pub(crate) async fn list_users(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let role = state::role_of(&headers, &state.opts)?;
    let (paging, others) = read_query(&query, &["sort", "user_role", "account_status"])?;
    let mut sort = None;
    let mut roles: Option<Vec<String>> = None;
    for (key, value) in others {
        match key.as_str() {
            "sort" if USER_SORTS.contains(&value.as_str()) => sort = Some(value),
            "sort" => return Err(bad_parameter(format!("sort must be one of {}", USER_SORTS.join(", ")))),
            "user_role" => {
                let asked: Vec<String> = value.split('|').map(|r| r.trim().to_string()).collect();
                if let Some(bad) = asked.iter().find(|r| !is_role(r)) {
                    return Err(bad_parameter(format!("The user_role {bad:?} is not one of {}", ROLES.join(", "))));
                }
                roles = Some(asked);
            }
            _ => return Err(bad_parameter(format!("The query parameter {key} is not supported by this server"))),
        }
    }
    let answer = state.store.with_directory(|directory| {
        let mut users = directory.sorted_users();
        users.retain(|u| paging.prefix.as_deref().is_none_or(|p| u.matches(p)));
        users.retain(|u| roles.as_ref().is_none_or(|rs| rs.contains(&u.user_role)));
        if let Some(sort) = &sort {
            users.sort_by_cached_key(|u| match sort.as_str() {
                "first_name" => Some(u.first_name.to_lowercase()),
                "last_name" => Some(u.last_name.to_lowercase()),
                "active_time" => u.active_time.clone(),
                "created_time" => Some(u.created_time.clone()),
                "user_role" => Some(u.user_role.clone()),
                _ => Some(u.username.to_lowercase()),
            });
        }
        if !paging.asc_order {
            users.reverse();
        }
        page(&paging, users.into_iter().map(|u| u.to_json(shows_external_id(role, u))).collect())
    });
    Ok(Json(answer).into_response())
}

/// `GET /v1/users/{guid}`: 404 when there is no such user.
pub(crate) async fn get_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(guid): Path<String>,
) -> Result<Response, ApiError> {
    let role = state::role_of(&headers, &state.opts)?;
    let answer = state.store.with_directory(|d| d.user(&guid).map(|u| u.to_json(shows_external_id(role, u))));
    Ok(Json(answer.ok_or_else(ApiError::not_found)?).into_response())
}

/// `GET /v1/user`: the key's user, as posit-sdk-py's `client.me` reads it.
pub(crate) async fn current_user(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let guid = match state::role_of(&headers, &state.opts)? {
        Some(Role::Admin) => ADMIN_USER_GUID,
        Some(Role::Publisher) => PUBLISHER_USER_GUID,
        None => return Err(ApiError::unauthenticated("This request requires an API key.")),
    };
    let answer = state.store.with_directory(|d| d.user(guid).map(|u| u.to_json(true)));
    Ok(Json(answer.ok_or_else(ApiError::not_found)?).into_response())
}

/// What a server with groups disabled answers on the group operations.
///
/// 400, because the document lists only 400, 401 and 500 for `getGroups` (no 403, which a
/// validator would flag), and the request is one this server's configuration cannot serve
/// rather than one the key lacks the right for. The code is 2 (BadRequest): the document's
/// `APIErrorCode` names no code for disabled groups (its `...Disabled` names are for Git, cache
/// management and run-as), and the other fits name a bad parameter or a bad group, which the
/// request does not have.
fn groups_disabled() -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code::GROUPS_DISABLED, "Groups are disabled on this server.")
}

/// `GET /v1/groups`.
pub(crate) async fn list_groups(
    State(state): State<AppState>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    if !state.store.profile().has_groups() {
        return Err(groups_disabled());
    }
    let (paging, _) = read_query(&query, &[])?;
    let answer = state.store.with_directory(|directory| {
        let mut groups = directory.sorted_groups();
        groups.retain(|g| paging.prefix.as_deref().is_none_or(|p| starts_with(&g.name, p)));
        if !paging.asc_order {
            groups.reverse();
        }
        page(&paging, groups.into_iter().map(Group::to_json).collect())
    });
    Ok(Json(answer).into_response())
}

/// `GET /v1/groups/{guid}`: 404 when there is no such group.
pub(crate) async fn get_group(State(state): State<AppState>, Path(guid): Path<String>) -> Result<Response, ApiError> {
    if !state.store.profile().has_groups() {
        return Err(groups_disabled());
    }
    let answer = state.store.with_directory(|d| d.group(&guid).map(Group::to_json));
    Ok(Json(answer.ok_or_else(ApiError::not_found)?).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn names_come_from_the_username() {
        let u = User::new("g".into(), "jane.doe-smith", "viewer", "t".into());
        assert_eq!((u.first_name.as_str(), u.last_name.as_str()), ("Jane", "Doe Smith"));
        assert_eq!(u.email, "jane.doe-smith@fake-connect.invalid");
        let u = User::new("g".into(), "alice", "viewer", "t".into());
        assert_eq!((u.first_name.as_str(), u.last_name.as_str()), ("Alice", "Example"));
        assert!(u.matches("ALI") && u.matches("exa") && u.matches("alice@") && !u.matches("bob"));
    }

    #[test]
    fn paging_defaults_and_bounds() {
        let (p, _) = read_query(&[], &[]).unwrap();
        assert_eq!(p, Paging { prefix: None, page_number: 1, page_size: 20, asc_order: true });
        let (p, _) = read_query(&query(&[("prefix", ""), ("page_size", "500")]), &[]).unwrap();
        assert_eq!((p.prefix, p.page_size), (None, 500));
        for bad in [
            query(&[("page_size", "501")]),
            query(&[("page_size", "0")]),
            query(&[("page_number", "0")]),
            query(&[("page_number", "x")]),
            query(&[("page_number", "9999999999")]),
            query(&[("asc_order", "yes")]),
            query(&[("prefix", "a"), ("prefix", "b")]),
            query(&[("sort", "username")]),
        ] {
            let e = read_query(&bad, &[]).unwrap_err();
            assert_eq!((e.status.as_u16(), e.code), (400, code::BAD_PARAMETER), "{bad:?}");
        }
    }

    #[test]
    fn a_prefix_search_has_its_first_page_only() {
        let items: Vec<Value> = (0..5).map(|i| json!(i)).collect();
        let paging = |prefix: Option<&str>, page_number| Paging {
            prefix: prefix.map(str::to_string),
            page_number,
            page_size: 2,
            asc_order: true,
        };
        assert_eq!(page(&paging(None, 3), items.clone()), json!({"current_page": 3, "total": 5, "results": [4]}));
        assert_eq!(
            page(&paging(Some("a"), 1), items.clone()),
            json!({"current_page": 1, "total": 5, "results": [0, 1]})
        );
        assert_eq!(page(&paging(Some("a"), 2), items), json!({"current_page": 2, "total": 5, "results": []}));
    }
}
