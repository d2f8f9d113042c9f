//! The users and groups the server knows: the API keys' own users and those a test adds
//! ([`crate::Store::add_user`], [`crate::Store::add_group`]). Data only: the lookups that serve
//! them over HTTP are in `principals.rs`.

use serde_json::{json, Value};

/// The guid of the administrator key's user (`GET /v1/user` with the admin key).
pub(crate) const ADMIN_USER_GUID: &str = "b3b4f1a2-5c6d-4e7f-8a9b-0c1d2e3f4a5b";
/// The guid of the publisher key's user.
pub(crate) const PUBLISHER_USER_GUID: &str = "c4c5a2b3-6d7e-4f8a-9b0c-1d2e3f4a5b6c";

pub(crate) const ROLES: [&str; 3] = ["administrator", "publisher", "viewer"];
/// The keys' users were made before anything a test adds.
const KEY_USERS_TIME: &str = "2024-01-01T00:00:00Z";

/// One user, as the document's `User` has it.
#[derive(Clone, Debug)]
pub(crate) struct User {
    pub guid: String,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub user_role: String,
    pub created_time: String,
    pub updated_time: String,
    pub active_time: Option<String>,
    pub confirmed: bool,
    pub locked: bool,
    pub external_id: String,
}

impl User {
    /// A user as an administrator made it in the dashboard: names from the username
    /// (`jane.doe` is Jane Doe; a username without `.`, `_` or `-` gets the last name
    /// `Example`), an address at `fake-connect.invalid`, confirmed, never active.
    pub(crate) fn new(guid: String, username: &str, role: &str, time: String) -> User {
        let mut parts = username.split(['.', '_', '-']).filter(|p| !p.is_empty()).map(capitalized);
        let first_name = parts.next().unwrap_or_else(|| username.to_string());
        let last_name = parts.collect::<Vec<_>>().join(" ");
        User {
            external_id: guid.clone(),
            guid,
            username: username.to_string(),
            email: format!("{username}@fake-connect.invalid"),
            first_name,
            last_name: if last_name.is_empty() { "Example".to_string() } else { last_name },
            user_role: role.to_string(),
            created_time: time.clone(),
            updated_time: time,
            active_time: None,
            confirmed: true,
            locked: false,
        }
    }

    /// The user of an API key: username and role both the role's name, as `GET /v1/user` has
    /// always answered them here.
    fn of_key(guid: &str, role: &str) -> User {
        User {
            guid: guid.to_string(),
            username: role.to_string(),
            email: format!("{role}@fake-connect.invalid"),
            first_name: "Fake".to_string(),
            last_name: "User".to_string(),
            user_role: role.to_string(),
            created_time: KEY_USERS_TIME.to_string(),
            updated_time: KEY_USERS_TIME.to_string(),
            active_time: None,
            confirmed: true,
            locked: false,
            external_id: guid.to_string(),
        }
    }

    /// The user as answered; `external_id` only when the reader may see it.
    pub(crate) fn to_json(&self, with_external_id: bool) -> Value {
        let mut answer = json!({
            "guid": self.guid,
            "username": self.username,
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "user_role": self.user_role,
            "created_time": self.created_time,
            "updated_time": self.updated_time,
            "active_time": self.active_time,
            "confirmed": self.confirmed,
            "locked": self.locked,
        });
        if with_external_id {
            answer["external_id"] = json!(self.external_id);
        }
        answer
    }

    pub(crate) fn matches(&self, prefix: &str) -> bool {
        [&self.username, &self.first_name, &self.last_name, &self.email].into_iter().any(|f| starts_with(f, prefix))
    }
}

/// One group, with the fields real answers carry.
#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub guid: String,
    pub name: String,
    /// Who made it; `None` for a group synchronised from an identity provider.
    pub owner_guid: Option<String>,
    /// The Unix group id, when one is set (none for groups made in the dashboard).
    pub gid: Option<i64>,
}

impl Group {
    pub(crate) fn to_json(&self) -> Value {
        json!({"guid": self.guid, "name": self.name, "owner_guid": self.owner_guid, "gid": self.gid})
    }
}

/// Every user and group the server knows.
#[derive(Debug)]
pub(crate) struct Directory {
    pub users: Vec<User>,
    pub groups: Vec<Group>,
}

impl Default for Directory {
    /// The keys' users, no group.
    fn default() -> Self {
        Directory {
            users: vec![User::of_key(ADMIN_USER_GUID, "administrator"), User::of_key(PUBLISHER_USER_GUID, "publisher")],
            groups: Vec::new(),
        }
    }
}

impl Directory {
    pub(crate) fn user(&self, guid: &str) -> Option<&User> {
        self.users.iter().find(|u| u.guid == guid)
    }

    pub(crate) fn group(&self, guid: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.guid == guid)
    }

    /// Users in the default order (by username).
    pub(crate) fn sorted_users(&self) -> Vec<&User> {
        let mut users: Vec<&User> = self.users.iter().collect();
        users.sort_by_cached_key(|u| (u.username.to_lowercase(), u.guid.clone()));
        users
    }

    /// Groups in the default order (by name).
    pub(crate) fn sorted_groups(&self) -> Vec<&Group> {
        let mut groups: Vec<&Group> = self.groups.iter().collect();
        groups.sort_by_cached_key(|g| (g.name.to_lowercase(), g.guid.clone()));
        groups
    }
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

pub(crate) fn starts_with(field: &str, prefix: &str) -> bool {
    field.to_lowercase().starts_with(&prefix.to_lowercase())
}

/// Whether `role` is one of the document's `user_role` values.
pub(crate) fn is_role(role: &str) -> bool {
    ROLES.contains(&role)
}
