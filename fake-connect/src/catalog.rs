//! The content items the server holds: their own fields, owner, access list (the content
//! permissions), vanity path and environment variables. Data only, with the rules that need the
//! whole catalog (a name once per owner, a vanity path once and never nested); the handlers that
//! serve them are in `content.rs`, `content_permissions.rs`, `content_vanity.rs` and
//! `content_environment.rs`.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::errors::{code, ApiError};

/// Who an access-list entry names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PrincipalType {
    User,
    Group,
}

impl PrincipalType {
    pub(crate) fn parse(text: &str) -> Option<PrincipalType> {
        match text {
            "user" => Some(PrincipalType::User),
            "group" => Some(PrincipalType::Group),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            PrincipalType::User => "user",
            PrincipalType::Group => "group",
        }
    }
}

/// What an access-list entry lets its principal do: view, or also change (`owner`, which
/// Connect's dashboard calls a collaborator).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AccessRole {
    Viewer,
    Owner,
}

impl AccessRole {
    pub(crate) fn parse(text: &str) -> Option<AccessRole> {
        match text {
            "viewer" => Some(AccessRole::Viewer),
            "owner" => Some(AccessRole::Owner),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            AccessRole::Viewer => "viewer",
            AccessRole::Owner => "owner",
        }
    }
}

/// One entry of a content item's access list (a `Permission` in the document).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AccessEntry {
    /// Numbered server-wide, answered as a string.
    pub id: u64,
    pub principal_guid: String,
    pub principal_type: PrincipalType,
    pub role: AccessRole,
}

/// An entry as the permission operations answer it (`Permission`).
pub(crate) fn entry_json(content_guid: &str, e: &AccessEntry) -> Value {
    json!({
        "id": e.id.to_string(),
        "content_guid": content_guid,
        "principal_guid": e.principal_guid,
        "principal_type": e.principal_type.name(),
        "role": e.role.name(),
    })
}

/// A content item's vanity path, normalised (see `vanity_paths.rs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Vanity {
    pub path: String,
    pub created_time: String,
}

impl Vanity {
    /// As the vanity operations answer it (`Vanity`).
    pub(crate) fn to_json(&self, content_guid: &str) -> Value {
        json!({"content_guid": content_guid, "path": self.path, "created_time": self.created_time})
    }
}

/// One content item.
#[derive(Clone, Debug)]
pub(crate) struct ContentItem {
    pub id: u64,
    pub guid: String,
    pub name: String,
    pub title: Option<String>,
    pub description: String,
    pub access_type: String,
    pub owner_guid: String,
    pub created_time: String,
    pub acl: Vec<AccessEntry>,
    pub vanity: Option<Vanity>,
    /// Names and values; the API answers the names only.
    pub environment: BTreeMap<String, String>,
}

impl ContentItem {
    /// The entry naming this user or group, if any.
    pub(crate) fn entry_for(&self, principal_guid: &str) -> Option<&AccessEntry> {
        self.acl.iter().find(|e| e.principal_guid == principal_guid)
    }

    /// Whether `user` may change the item: its owner, or a user with an `owner` entry. (The
    /// fake's users belong to no group, so a group entry grants nothing to a key's user.)
    pub(crate) fn changeable_by(&self, user: &str) -> bool {
        self.owner_guid == user || self.entry_for(user).is_some_and(|e| e.role == AccessRole::Owner)
    }

    /// Whether `user` sees the item in lists and may read it: its owner, or a user with an entry.
    pub(crate) fn visible_to(&self, user: &str) -> bool {
        self.owner_guid == user || self.entry_for(user).is_some()
    }
}

/// The fields of a new content item, validated.
pub(crate) struct NewContent {
    pub name: String,
    pub title: Option<String>,
    pub description: String,
    pub access_type: String,
    pub owner_guid: String,
}

/// Every content item.
#[derive(Debug)]
pub(crate) struct Catalog {
    items: BTreeMap<String, ContentItem>,
    next_id: u64,
    next_entry_id: u64,
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog { items: BTreeMap::new(), next_id: 1, next_entry_id: 1 }
    }
}

fn name_in_use(name: &str, status: StatusCode) -> ApiError {
    ApiError::new(status, code::NAME_IN_USE, format!("A content item named {name} already exists for its owner."))
}

impl Catalog {
    /// Adds a content item under `guid`. `Err` (409, DuplicateName) when its owner already has
    /// one of that name: names are unique per owner.
    pub(crate) fn add(&mut self, guid: &str, new: NewContent) -> Result<&ContentItem, ApiError> {
        if self.name_taken(&new.name, &new.owner_guid, None) {
            return Err(name_in_use(&new.name, StatusCode::CONFLICT));
        }
        let id = self.next_id;
        self.next_id += 1;
        let item = ContentItem {
            id,
            guid: guid.to_string(),
            name: new.name,
            title: new.title,
            description: new.description,
            access_type: new.access_type,
            owner_guid: new.owner_guid,
            created_time: crate::clock::now(),
            acl: Vec::new(),
            vanity: None,
            environment: BTreeMap::new(),
        };
        Ok(self.items.entry(guid.to_string()).or_insert(item))
    }

    /// Whether `owner` has an item named `name` other than `except`.
    pub(crate) fn name_taken(&self, name: &str, owner: &str, except: Option<&str>) -> bool {
        self.items.values().any(|c| c.name == name && c.owner_guid == owner && Some(c.guid.as_str()) != except)
    }

    /// A PATCH's rename or change of owner: `Err` (400, DuplicateName: the operation lists no
    /// 409) when the owner already has another item of that name.
    pub(crate) fn check_unique(&self, guid: &str, name: &str, owner: &str) -> Result<(), ApiError> {
        if self.name_taken(name, owner, Some(guid)) {
            return Err(name_in_use(name, StatusCode::BAD_REQUEST));
        }
        Ok(())
    }

    /// A name `owner` has no item of yet, for content added behind the API.
    pub(crate) fn unused_name(&self, owner: &str) -> String {
        let mut n = self.next_id;
        loop {
            let name = format!("content-{n}");
            if !self.name_taken(&name, owner, None) {
                return name;
            }
            n += 1;
        }
    }

    pub(crate) fn get(&self, guid: &str) -> Option<&ContentItem> {
        self.items.get(guid)
    }

    pub(crate) fn get_mut(&mut self, guid: &str) -> Option<&mut ContentItem> {
        self.items.get_mut(guid)
    }

    /// Every item, by guid.
    pub(crate) fn items(&self) -> impl Iterator<Item = &ContentItem> {
        self.items.values()
    }

    pub(crate) fn remove(&mut self, guid: &str) -> Option<ContentItem> {
        self.items.remove(guid)
    }

    /// Adds or changes the entry for a principal (one entry per principal). Returns the entry
    /// and whether it is new.
    pub(crate) fn upsert_entry(
        &mut self,
        guid: &str,
        principal_guid: &str,
        principal_type: PrincipalType,
        role: AccessRole,
    ) -> Option<(AccessEntry, bool)> {
        let next = self.next_entry_id;
        let item = self.items.get_mut(guid)?;
        if let Some(entry) = item.acl.iter_mut().find(|e| e.principal_guid == principal_guid) {
            entry.principal_type = principal_type;
            entry.role = role;
            return Some((entry.clone(), false));
        }
        let entry = AccessEntry { id: next, principal_guid: principal_guid.to_string(), principal_type, role };
        item.acl.push(entry.clone());
        self.next_entry_id += 1;
        Some((entry, true))
    }

    /// The item holding exactly `path`, if any.
    pub(crate) fn vanity_holder(&self, path: &str) -> Option<&ContentItem> {
        self.items.values().find(|c| c.vanity.as_ref().is_some_and(|v| v.path == path))
    }

    /// Another item whose vanity path is an ancestor or a descendant of `path` (both normalised,
    /// so with a trailing `/`): Connect refuses nested vanity paths.
    pub(crate) fn nested_vanity(&self, guid: &str, path: &str) -> Option<&ContentItem> {
        self.items.values().filter(|c| c.guid != guid).find(|c| {
            c.vanity.as_ref().is_some_and(|v| v.path != path && (v.path.starts_with(path) || path.starts_with(&v.path)))
        })
    }

    /// Gives `guid` the vanity `path`, taking it from any item that holds it. The caller has
    /// checked the rules.
    pub(crate) fn set_vanity(&mut self, guid: &str, path: &str) -> Option<Vanity> {
        if self.items.get(guid)?.vanity.as_ref().is_some_and(|v| v.path == path) {
            return self.items.get(guid)?.vanity.clone();
        }
        for item in self.items.values_mut() {
            if item.vanity.as_ref().is_some_and(|v| v.path == path) {
                item.vanity = None;
            }
        }
        let vanity = Vanity { path: path.to_string(), created_time: crate::clock::now() };
        self.items.get_mut(guid)?.vanity = Some(vanity.clone());
        Some(vanity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(name: &str, owner: &str) -> NewContent {
        NewContent {
            name: name.into(),
            title: None,
            description: String::new(),
            access_type: "acl".into(),
            owner_guid: owner.into(),
        }
    }

    #[test]
    fn names_are_unique_per_owner() {
        let mut c = Catalog::default();
        c.add("a", new("report", "alice")).unwrap();
        let e = c.add("b", new("report", "alice")).unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (409, code::NAME_IN_USE));
        c.add("b", new("report", "bob")).unwrap();
        assert!(c.check_unique("b", "report", "bob").is_ok());
        let e = c.check_unique("b", "report", "alice").unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (400, code::NAME_IN_USE));
        assert_eq!(c.unused_name("alice"), "content-3");
    }

    #[test]
    fn one_entry_per_principal() {
        let mut c = Catalog::default();
        c.add("a", new("report", "alice")).unwrap();
        let (first, created) = c.upsert_entry("a", "bob", PrincipalType::User, AccessRole::Viewer).unwrap();
        assert!(created);
        let (again, created) = c.upsert_entry("a", "bob", PrincipalType::User, AccessRole::Owner).unwrap();
        assert!(!created);
        assert_eq!((again.id, again.role), (first.id, AccessRole::Owner));
        assert_eq!(c.get("a").unwrap().acl.len(), 1);
        assert!(c.get("a").unwrap().changeable_by("bob") && c.get("a").unwrap().changeable_by("alice"));
        assert!(!c.get("a").unwrap().changeable_by("carol"));
        assert!(c.upsert_entry("nope", "bob", PrincipalType::User, AccessRole::Viewer).is_none());
    }

    #[test]
    fn vanity_paths_are_held_once_and_never_nested() {
        let mut c = Catalog::default();
        for (guid, name) in [("a", "one"), ("b", "two"), ("c", "three")] {
            c.add(guid, new(name, "alice")).unwrap();
        }
        c.set_vanity("a", "/finance/budget/").unwrap();
        assert_eq!(c.vanity_holder("/finance/budget/").map(|i| i.guid.as_str()), Some("a"));
        assert_eq!(c.nested_vanity("b", "/finance/").map(|i| i.guid.as_str()), Some("a"));
        assert_eq!(c.nested_vanity("b", "/finance/budget/q1/").map(|i| i.guid.as_str()), Some("a"));
        assert!(c.nested_vanity("b", "/finance/report/").is_none());
        assert!(c.nested_vanity("b", "/finance/budget/").is_none(), "the same path is a holder, not nesting");
        assert!(c.nested_vanity("a", "/finance/").is_none(), "an item's own path does not count");
        assert!(c.nested_vanity("b", "/fin/").is_none(), "a prefix of a segment is not an ancestor");
        // Taking a path moves it.
        c.set_vanity("b", "/finance/budget/").unwrap();
        assert!(c.get("a").unwrap().vanity.is_none());
        assert_eq!(c.vanity_holder("/finance/budget/").map(|i| i.guid.as_str()), Some("b"));
    }
}
