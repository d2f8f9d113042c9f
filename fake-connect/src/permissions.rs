//! Who may use an integration: its `permissions`, a list of users and groups.
//!
//! The published document takes `OAuthIntegrationPermissionInput` entries (`user_guid` or
//! `group_guid`, one of the two) and answers `OAuthIntegrationPermission` ones, which add the
//! entry's own `id` and `guid` and the integration's guid. Both schemas are closed, so the fake
//! refuses any other field rather than echo it into an answer the document does not allow.
//!
//! An entry naming a user or a group the server does not know (see [`crate::Store::add_user`]
//! and [`crate::Store::add_group`]) is refused, 400 with code 261 (InvalidUserGUID) or 262
//! (InvalidGroupGUID) and the guid in the message, so a client sending a stale guid meets
//! Connect's refusal rather than an entry for nobody. Under [`crate::Profile::NoPermissions`]
//! the field is not read at all (see `api.rs`).

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{json, Value};

use axum::http::StatusCode;

use crate::errors::{code, ApiError};

/// One entry, as stored.
#[derive(Clone, Debug)]
pub(crate) struct Permission {
    id: u64,
    guid: String,
    user_guid: Option<String>,
    group_guid: Option<String>,
}

/// Entry ids, unique in the process (Connect numbers them server-wide).
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Reads a create's or a PATCH's `permissions` (the whole list, which replaces the stored one).
pub(crate) fn read(list: Vec<Value>) -> Result<Vec<Permission>, ApiError> {
    list.iter().map(read_one).collect()
}

fn read_one(entry: &Value) -> Result<Permission, ApiError> {
    let invalid = || ApiError::bad_body("Each permission must name one user_guid or one group_guid");
    let fields = entry.as_object().ok_or_else(invalid)?;
    if fields.keys().any(|k| k != "user_guid" && k != "group_guid") {
        return Err(invalid());
    }
    let guid = |key: &str| match fields.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if uuid::Uuid::parse_str(s).is_ok() => Ok(Some(s.clone())),
        Some(_) => Err(invalid()),
    };
    let (user_guid, group_guid) = (guid("user_guid")?, guid("group_guid")?);
    if user_guid.is_some() == group_guid.is_some() {
        return Err(invalid());
    }
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    Ok(Permission { id, guid: uuid::Uuid::new_v4().to_string(), user_guid, group_guid })
}

/// Refuses the first entry naming a user or a group the server does not know.
pub(crate) fn check_known(
    list: &[Permission],
    known_user: impl Fn(&str) -> bool,
    known_group: impl Fn(&str) -> bool,
) -> Result<(), ApiError> {
    for p in list {
        if let Some(user) = p.user_guid.as_deref().filter(|u| !known_user(u)) {
            let message = format!("The user {user} named in permissions does not exist.");
            return Err(ApiError::new(StatusCode::BAD_REQUEST, code::UNKNOWN_USER, message));
        }
        if let Some(group) = p.group_guid.as_deref().filter(|g| !known_group(g)) {
            let message = format!("The group {group} named in permissions does not exist.");
            return Err(ApiError::new(StatusCode::BAD_REQUEST, code::UNKNOWN_GROUP, message));
        }
    }
    Ok(())
}

impl Permission {
    /// The entry as an integration's answer lists it.
    pub(crate) fn to_json(&self, integration_guid: &str) -> Value {
        json!({
            "id": self.id.to_string(),
            "guid": self.guid,
            "integration_guid": integration_guid,
            "user_guid": self.user_guid,
            "group_guid": self.group_guid,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER: &str = "6f1c2f4e-8a4b-4d0e-9b3a-1c2d3e4f5a6b";

    #[test]
    fn one_user_or_one_group_per_entry() {
        let read = read(vec![json!({"user_guid": USER}), json!({"group_guid": USER, "user_guid": null})]).unwrap();
        let answer = read[0].to_json("g");
        assert_eq!((answer["user_guid"].as_str(), answer["group_guid"].clone()), (Some(USER), Value::Null));
        assert_eq!(answer["integration_guid"], "g");
        assert!(answer["id"].as_str().is_some_and(|id| id.parse::<u64>().is_ok()), "{answer}");
        assert_eq!(read[1].to_json("g")["group_guid"], USER);
        for bad in [
            json!({}),
            json!({"user_guid": USER, "group_guid": USER}),
            json!({"user_guid": "someone"}),
            json!({"user_guid": USER, "role": "owner"}),
            json!(USER),
        ] {
            let e = super::read(vec![bad.clone()]).unwrap_err();
            assert_eq!((e.status.as_u16(), e.code), (400, crate::errors::code::BAD_BODY), "{bad}");
        }
    }

    #[test]
    fn unknown_principals_are_named() {
        const GROUP: &str = "7a2d3e4f-9b5c-4e1f-8c4b-2d3e4f5a6b7c";
        let list = read(vec![json!({"user_guid": USER}), json!({"group_guid": GROUP})]).unwrap();
        assert!(check_known(&list, |u| u == USER, |g| g == GROUP).is_ok());
        let e = check_known(&list, |_| false, |_| true).unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (400, 261));
        assert!(e.message.contains(USER), "{}", e.message);
        let e = check_known(&list, |_| true, |_| false).unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (400, 262));
        assert!(e.message.contains(GROUP), "{}", e.message);
    }
}
