//! The fake server's state: integrations, held secrets, and a log of requests.
//!
//! One `Store` is shared by the HTTP handlers and by the test that started the server, so a test
//! can look behind the API (what secret was sent, which requests came in) and play the part of an
//! administrator editing things in the dashboard.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{json, Map, Value};

use crate::catalog::{AccessRole, Catalog, ContentItem, NewContent, PrincipalType};
use crate::clock::now;
use crate::directory::{self, Directory, Group, User};
use crate::errors::ApiError;
use crate::permissions::Permission;
use crate::profiles::Profile;
use crate::rules;

/// The version `GET /__api__/server_settings` reports unless a test changes it.
pub const DEFAULT_SERVER_VERSION: &str = "2025.07.0";

/// One API request as the server received it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// As received (`GET`, `POST`...).
    pub method: String,
    /// The path, with the query string when there is one.
    pub path: String,
    /// The body parsed as JSON; a body that is not JSON is kept as a JSON string of its text;
    /// `None` when the body was empty.
    pub body: Option<Value>,
    /// The status answered (0 while the request is still being handled).
    pub status: u16,
}

/// One stored integration. `config` holds what clients sent, minus the secret; the keys the server
/// derives are added when it is rendered. `name`, `description` and `template` are null only in
/// an integration made elsewhere (see [`Profile::NullNames`]): the API never stores a null there.
#[derive(Clone, Debug)]
pub(crate) struct Integration {
    pub id: u64,
    pub guid: String,
    pub created_time: String,
    pub updated_time: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub template: Option<String>,
    pub config: Map<String, Value>,
    pub secret: Option<String>,
    pub permissions: Vec<Permission>,
}

impl Integration {
    /// The template's id; empty for an integration without one, which no template rule fits.
    pub(crate) fn template(&self) -> &str {
        self.template.as_deref().unwrap_or_default()
    }

    /// The object as Connect answers it: never with the secret, unless `reveal` (a hostile
    /// server, see [`Store::set_reveal_secrets`]).
    /// `uses` is how many content items the integration is associated with (`content_count`).
    pub(crate) fn to_json(&self, reveal: bool, profile: Profile, uses: usize) -> Value {
        let template = self.template();
        let mut config = rules::render_config(template, &self.config, self.secret.is_some());
        let mut auth_type = Some(rules::auth_type(template, &self.config).to_string());
        profile.render(template, &mut config, &mut auth_type);
        if reveal {
            if let Some(secret) = &self.secret {
                config.insert(rules::SECRET_KEY.to_string(), Value::from(secret.clone()));
            }
        }
        // Fields the template marks secret are never returned, like the client secret.
        if let Some(fields) =
            crate::templates::get(template).and_then(|t| t["fields"].as_array().cloned()).filter(|_| !reveal)
        {
            for f in fields.iter().filter(|f| f["secret"] == true) {
                if let Some(name) = f["name"].as_str() {
                    config.remove(name);
                }
            }
        }
        let mut answer = json!({
            "id": self.id.to_string(),
            "guid": self.guid,
            "created_time": self.created_time,
            "updated_time": self.updated_time,
            "name": self.name,
            "description": self.description,
            "template": self.template,
            "auth_type": auth_type,
            "config": config,
            "permissions": self.permissions.iter().map(|p| p.to_json(&self.guid)).collect::<Vec<_>>(),
            "environment_variables": crate::templates::environment_variables(template),
            "content_count": uses,
        });
        if !profile.has_permissions() {
            if let Some(fields) = answer.as_object_mut() {
                for key in ["permissions", "environment_variables", "content_count"] {
                    fields.remove(key);
                }
            }
        }
        answer
    }
}

/// The fields of a new integration, already validated.
pub(crate) struct NewIntegration {
    pub template: String,
    pub name: String,
    pub description: String,
    pub config: Map<String, Value>,
    pub secret: Option<String>,
    pub permissions: Vec<Permission>,
}

#[derive(Debug)]
struct Inner {
    next_id: u64,
    /// In creation order, which is also the order GET lists them in.
    integrations: Vec<Integration>,
    requests: Vec<(u64, RecordedRequest)>,
    next_request: u64,
    server_version: String,
    /// Content items (by guid) and the integration guids associated with each, in the order set.
    content: std::collections::BTreeMap<String, Vec<String>>,
    /// The content items' own fields (name, title...) and their owner.
    catalog: Catalog,
    /// See [`Store::set_reveal_secrets`].
    reveal_secrets: bool,
    profile: Profile,
    /// Users (the keys' own and those tests add) and groups.
    directory: Directory,
}

impl Inner {
    /// How many content items use the integration (its `content_count`).
    fn uses(&self, integration: &str) -> usize {
        self.content.values().filter(|gs| gs.iter().any(|g| g == integration)).count()
    }
}

/// The integration [`Profile::NullNames`] adds: made by another tool, without a name, a
/// description or a template (all null in its answers, as `OAuthIntegration` allows), a Viewer
/// integration of some identity provider.
fn made_elsewhere(id: u64, guid: &str) -> Integration {
    let time = now();
    let mut config = Map::new();
    config.insert("auth_type".into(), Value::from(rules::VIEWER));
    config.insert("client_id".into(), Value::from("made-elsewhere"));
    config.insert("scopes".into(), Value::from("openid offline_access"));
    Integration {
        id,
        guid: guid.to_string(),
        created_time: time.clone(),
        updated_time: time,
        name: None,
        description: None,
        template: None,
        config,
        secret: None,
        permissions: Vec::new(),
    }
}

/// Shared, cheaply clonable handle on the fake's state.
#[derive(Clone, Debug)]
pub struct Store {
    inner: Arc<Mutex<Inner>>,
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

impl Store {
    /// The guid of the administrator key's user (`GET /v1/user` with that key).
    pub const ADMIN_USER_GUID: &'static str = directory::ADMIN_USER_GUID;
    /// The guid of the publisher key's user; the store holds it whether or not the server has a
    /// publisher key.
    pub const PUBLISHER_USER_GUID: &'static str = directory::PUBLISHER_USER_GUID;

    /// A server with no integration, content or request yet, at [`DEFAULT_SERVER_VERSION`] and
    /// the default [`Profile`].
    pub fn new() -> Store {
        Store {
            inner: Arc::new(Mutex::new(Inner {
                next_id: 1,
                integrations: Vec::new(),
                requests: Vec::new(),
                next_request: 0,
                server_version: DEFAULT_SERVER_VERSION.to_string(),
                content: Default::default(),
                catalog: Default::default(),
                reveal_secrets: false,
                profile: Profile::default(),
                directory: Directory::default(),
            })),
        }
    }

    /// A panic while the lock was held (say, a failed assertion in a test's closure) must not take
    /// the whole server down, so a poisoned lock is used as it is.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// All integrations as `GET /v1/oauth/integrations` returns them, in creation order.
    pub fn integrations(&self) -> Vec<Value> {
        let inner = self.lock();
        inner.integrations.iter().map(|i| i.to_json(inner.reveal_secrets, inner.profile, inner.uses(&i.guid))).collect()
    }

    /// One integration as `GET /v1/oauth/integrations/{guid}` returns it.
    pub fn get(&self, guid: &str) -> Option<Value> {
        let inner = self.lock();
        inner
            .integrations
            .iter()
            .find(|i| i.guid == guid)
            .map(|i| i.to_json(inner.reveal_secrets, inner.profile, inner.uses(&i.guid)))
    }

    /// A config value as stored, secret fields included (tests check what was sent).
    pub fn stored_config(&self, guid: &str, key: &str) -> Option<Value> {
        self.lock().integrations.iter().find(|i| i.guid == guid).and_then(|i| i.config.get(key).cloned())
    }

    /// The client secret the server holds for an integration (which the API never reveals).
    pub fn secret(&self, guid: &str) -> Option<String> {
        self.lock().integrations.iter().find(|i| i.guid == guid).and_then(|i| i.secret.clone())
    }

    /// How many integrations the server holds.
    pub fn len(&self) -> usize {
        self.lock().integrations.len()
    }

    /// Whether the server holds no integration.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Simulates an edit in the dashboard, outside the API and without its validation. `field` is
    /// `name`, `description`, `permissions` (the whole list, as a create sends it) or
    /// `config.<key>` (`config.client_secret` sets the held secret);
    /// `Value::Null` removes a config key or empties the description. Bumps `updated_time`.
    /// Returns false when the integration does not exist or the edit makes no sense.
    pub fn edit(&self, guid: &str, field: &str, value: Value) -> bool {
        let mut inner = self.lock();
        let Some(item) = inner.integrations.iter_mut().find(|i| i.guid == guid) else {
            return false;
        };
        let applied = match (field, value) {
            ("name", Value::String(s)) => {
                item.name = Some(s);
                true
            }
            ("description", Value::String(s)) => {
                item.description = Some(s);
                true
            }
            ("permissions", Value::Array(list)) => match crate::permissions::read(list) {
                Ok(list) => {
                    item.permissions = list;
                    true
                }
                Err(_) => false,
            },
            ("description", Value::Null) => {
                item.description = Some(String::new());
                true
            }
            (field, value) => match field.strip_prefix("config.") {
                Some(rules::SECRET_KEY) => match value {
                    Value::Null => {
                        item.secret = None;
                        true
                    }
                    Value::String(s) => {
                        item.secret = Some(s);
                        true
                    }
                    _ => false,
                },
                Some(key) if !key.is_empty() => {
                    if value.is_null() {
                        item.config.remove(key);
                    } else {
                        item.config.insert(key.to_string(), value);
                    }
                    true
                }
                _ => false,
            },
        };
        if applied {
            item.updated_time = now();
        }
        applied
    }

    /// Deletes an integration as the dashboard would. Returns false when it did not exist.
    pub fn remove(&self, guid: &str) -> bool {
        let mut inner = self.lock();
        let before = inner.integrations.len();
        inner.integrations.retain(|i| i.guid != guid);
        // Deleting an integration also removes its content associations, as Connect does.
        for guids in inner.content.values_mut() {
            guids.retain(|g| g != guid);
        }
        inner.integrations.len() != before
    }

    /// Adds a content item (as if published) owned by the administrator key's user, and returns
    /// its guid; associations need one.
    pub fn add_content(&self) -> String {
        self.add_content_with_title(None)
    }

    /// [`Store::add_content`] with a title (any text: a test may give a hostile one).
    pub fn add_content_with_title(&self, title: Option<&str>) -> String {
        let mut inner = self.lock();
        let name = inner.catalog.unused_name(directory::ADMIN_USER_GUID);
        let new = NewContent {
            name,
            title: title.map(str::to_string),
            description: String::new(),
            access_type: "acl".into(),
            owner_guid: directory::ADMIN_USER_GUID.to_string(),
        };
        Self::insert_content(&mut inner, new).expect("an unused name").guid
    }

    /// Adds a content item named `name` owned by `owner_guid` (say a user from
    /// [`Store::add_user_with_role`], or [`Store::PUBLISHER_USER_GUID`]), as if that user had
    /// published it; returns its guid.
    ///
    /// # Panics
    /// When the owner is not a known user or already has an item of that name: a mistake in the
    /// calling test.
    pub fn add_content_owned_by(&self, owner_guid: &str, name: &str) -> String {
        let mut inner = self.lock();
        assert!(inner.directory.user(owner_guid).is_some(), "Store::add_content_owned_by: no user {owner_guid}");
        let new = NewContent {
            name: name.to_string(),
            title: None,
            description: String::new(),
            access_type: "acl".into(),
            owner_guid: owner_guid.to_string(),
        };
        match Self::insert_content(&mut inner, new) {
            Ok(item) => item.guid,
            Err(e) => panic!("Store::add_content_owned_by: {}", e.message),
        }
    }

    fn insert_content(inner: &mut Inner, new: NewContent) -> Result<ContentItem, ApiError> {
        let guid = uuid::Uuid::new_v4().to_string();
        let item = inner.catalog.add(&guid, new)?.clone();
        inner.content.insert(guid, Vec::new());
        Ok(item)
    }

    /// Creates a content item as `POST /v1/content` does.
    pub(crate) fn create_content(&self, new: NewContent) -> Result<ContentItem, ApiError> {
        Self::insert_content(&mut self.lock(), new)
    }

    /// Deletes a content item behind the API (as its owner would in the dashboard), with its
    /// permissions, vanity path, environment and integration associations. Returns false when
    /// it did not exist.
    pub fn remove_content(&self, guid: &str) -> bool {
        let mut inner = self.lock();
        inner.content.remove(guid);
        inner.catalog.remove(guid).is_some()
    }

    /// Runs `read` on the content items and the users and groups.
    pub(crate) fn with_content<R>(&self, read: impl FnOnce(&Catalog, &Directory) -> R) -> R {
        let inner = self.lock();
        read(&inner.catalog, &inner.directory)
    }

    /// Runs `change` on the content items (the users and groups at hand to check names against).
    pub(crate) fn update_content<R>(&self, change: impl FnOnce(&mut Catalog, &Directory) -> R) -> R {
        let mut inner = self.lock();
        let inner = &mut *inner;
        change(&mut inner.catalog, &inner.directory)
    }

    /// A content item's environment variables, values included (the API answers the names only);
    /// empty when there is no such item.
    pub fn content_env(&self, guid: &str) -> BTreeMap<String, String> {
        self.lock().catalog.get(guid).map(|c| c.environment.clone()).unwrap_or_default()
    }

    /// Sets (`Some`) or removes (`None`) an environment variable behind the API, without its
    /// checks. Returns false when there is no such item.
    pub fn set_content_env(&self, guid: &str, name: &str, value: Option<&str>) -> bool {
        let mut inner = self.lock();
        let Some(item) = inner.catalog.get_mut(guid) else {
            return false;
        };
        match value {
            Some(v) => item.environment.insert(name.to_string(), v.to_string()),
            None => item.environment.remove(name),
        };
        true
    }

    /// A content item's permissions as `GET /v1/content/{guid}/permissions` answers them;
    /// `None` when there is no such item.
    pub fn content_permissions(&self, guid: &str) -> Option<Vec<Value>> {
        let inner = self.lock();
        let item = inner.catalog.get(guid)?;
        Some(item.acl.iter().map(|e| crate::catalog::entry_json(guid, e)).collect())
    }

    /// Adds or changes (one per principal) a permission behind the API, without its checks (any
    /// guid, even the owner's); returns the entry's id, `None` when there is no such item.
    /// `principal_type` is `user` or `group`, `role` is `viewer` or `owner`.
    ///
    /// # Panics
    /// For another type or role: a mistake in the calling test.
    pub fn set_content_permission(
        &self,
        guid: &str,
        principal_type: &str,
        principal_guid: &str,
        role: &str,
    ) -> Option<String> {
        let principal_type = PrincipalType::parse(principal_type).expect("principal_type is user or group");
        let role = AccessRole::parse(role).expect("role is viewer or owner");
        let mut inner = self.lock();
        let (entry, _) = inner.catalog.upsert_entry(guid, principal_guid, principal_type, role)?;
        Some(entry.id.to_string())
    }

    /// Removes a permission behind the API. Returns false when there is no such item or entry.
    pub fn remove_content_permission(&self, guid: &str, id: &str) -> bool {
        let mut inner = self.lock();
        let Some(item) = inner.catalog.get_mut(guid) else {
            return false;
        };
        let before = item.acl.len();
        item.acl.retain(|e| e.id.to_string() != id);
        item.acl.len() != before
    }

    /// A content item's vanity path as answered (`/a/b/`), if it has one.
    pub fn content_vanity(&self, guid: &str) -> Option<String> {
        self.lock().catalog.get(guid).and_then(|c| c.vanity.as_ref().map(|v| v.path.clone()))
    }

    /// Sets (`Some`, taken as given: no normalising, no rule checked, taken from any item that
    /// holds it) or removes (`None`) a vanity path behind the API. Returns false when there is
    /// no such item.
    pub fn set_content_vanity(&self, guid: &str, path: Option<&str>) -> bool {
        let mut inner = self.lock();
        match path {
            Some(path) => inner.catalog.set_vanity(guid, path).is_some(),
            None => inner.catalog.get_mut(guid).map(|c| c.vanity = None).is_some(),
        }
    }

    /// Simulates an edit of a content item in the dashboard, without the API's checks: `field`
    /// is `name`, `title` (a string or null), `description`, `access_type` or `owner_guid`.
    /// Returns false when the item does not exist or the edit makes no sense.
    pub fn edit_content(&self, guid: &str, field: &str, value: Value) -> bool {
        let mut inner = self.lock();
        let Some(item) = inner.catalog.get_mut(guid) else {
            return false;
        };
        match (field, value) {
            ("name", Value::String(s)) => item.name = s,
            ("title", Value::String(s)) => item.title = Some(s),
            ("title", Value::Null) => item.title = None,
            ("description", Value::String(s)) => item.description = s,
            ("access_type", Value::String(s)) => item.access_type = s,
            ("owner_guid", Value::String(s)) => item.owner_guid = s,
            _ => return false,
        }
        true
    }

    /// The integration guids associated with a content item; `None` when there is no such content.
    pub fn associations(&self, content: &str) -> Option<Vec<String>> {
        self.lock().content.get(content).cloned()
    }

    /// Replaces a content item's associations. `Err` names what is missing: the content
    /// (`Err(None)`) or an integration (`Err(Some(guid))`).
    pub fn set_associations(&self, content: &str, guids: Vec<String>) -> Result<(), Option<String>> {
        let mut inner = self.lock();
        if let Some(unknown) = guids.iter().find(|g| !inner.integrations.iter().any(|i| &i.guid == *g)) {
            if inner.content.contains_key(content) {
                return Err(Some(unknown.clone()));
            }
        }
        let slot = inner.content.get_mut(content).ok_or(None)?;
        let mut unique = Vec::new();
        for g in guids {
            if !unique.contains(&g) {
                unique.push(g);
            }
        }
        *slot = unique;
        Ok(())
    }

    /// The content guids associated with an integration.
    pub fn content_of(&self, integration: &str) -> Vec<String> {
        let inner = self.lock();
        inner.content.iter().filter(|(_, gs)| gs.iter().any(|g| g == integration)).map(|(c, _)| c.clone()).collect()
    }

    /// The auth type the server holds for an integration, whatever its answers show of it (a
    /// profile may keep it out of them).
    pub(crate) fn auth_type(&self, guid: &str) -> Option<String> {
        let inner = self.lock();
        let item = inner.integrations.iter().find(|i| i.guid == guid)?;
        Some(rules::auth_type(item.template(), &item.config).to_string())
    }

    /// Inserts an integration as if made in the dashboard, without the API's validation; a
    /// `client_secret` in `config` becomes the held secret. Returns its guid.
    ///
    /// # Panics
    /// When `config` is neither a JSON object nor null: a mistake in the calling test.
    pub fn insert(&self, template: &str, name: &str, description: &str, config: Value) -> String {
        let mut config = match config {
            Value::Object(m) => m,
            Value::Null => Map::new(),
            other => panic!("Store::insert: config must be a JSON object, got {other}"),
        };
        let secret = match config.remove(rules::SECRET_KEY) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        };
        let created = self.create(NewIntegration {
            template: template.to_string(),
            name: name.to_string(),
            description: description.to_string(),
            config,
            secret,
            permissions: Vec::new(),
        });
        created["guid"].as_str().unwrap_or_default().to_string()
    }

    /// Adds a viewer named `username` (as an administrator would in the dashboard) and returns
    /// its guid. Its names come from the username (`jane.doe` is Jane Doe; one without `.`, `_`
    /// or `-` has the last name `Example`), its email is `USERNAME@fake-connect.invalid`.
    ///
    /// Nothing stops a second user of the same name: Connect refuses one (DuplicateUserName),
    /// so two make a broken server, which a test may want to stage.
    pub fn add_user(&self, username: &str) -> String {
        self.add_user_with_role(username, "viewer")
    }

    /// [`Store::add_user`] with a role: `administrator`, `publisher` or `viewer`.
    ///
    /// # Panics
    /// For any other role: a mistake in the calling test.
    pub fn add_user_with_role(&self, username: &str, role: &str) -> String {
        assert!(directory::is_role(role), "Store::add_user_with_role: no role {role:?}");
        let mut inner = self.lock();
        let guid = uuid::Uuid::new_v4().to_string();
        inner.directory.users.push(User::new(guid.clone(), username, role, now()));
        guid
    }

    /// Adds a group named `name`, made by the administrator (its `owner_guid`), without a
    /// `gid`; returns its guid. A name may repeat: Connect refuses a duplicate name in its API
    /// (DuplicateGroupName), but groups synchronised from identity providers may share one.
    pub fn add_group(&self, name: &str) -> String {
        let mut inner = self.lock();
        let guid = uuid::Uuid::new_v4().to_string();
        let owner_guid = Some(Store::ADMIN_USER_GUID.to_string());
        inner.directory.groups.push(Group { guid: guid.clone(), name: name.to_string(), owner_guid, gid: None });
        guid
    }

    /// Every user as an administrator lists them (`external_id` included), by username: the
    /// keys' users ([`Store::ADMIN_USER_GUID`], [`Store::PUBLISHER_USER_GUID`]) and those added.
    pub fn users(&self) -> Vec<Value> {
        self.lock().directory.sorted_users().into_iter().map(|u| u.to_json(true)).collect()
    }

    /// Every group, by name (whatever the profile).
    pub fn groups(&self) -> Vec<Value> {
        self.lock().directory.sorted_groups().into_iter().map(Group::to_json).collect()
    }

    /// Runs `read` on the users and groups.
    pub(crate) fn with_directory<R>(&self, read: impl FnOnce(&Directory) -> R) -> R {
        read(&self.lock().directory)
    }

    /// Every request received so far, in order of arrival.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.iter().map(|(_, r)| r.clone()).collect()
    }

    /// Forgets the requests received so far, so a test counts only those that follow.
    pub fn clear_requests(&self) {
        self.lock().requests.clear();
    }

    /// A hostile or buggy server: from now on every answer carries the secrets it holds (the
    /// client secret, and the config fields its template marks secret), which Connect never
    /// returns.
    pub fn set_reveal_secrets(&self, reveal: bool) {
        self.lock().reveal_secrets = reveal;
    }

    /// Makes the server behave as `profile` says from now on (see [`Profile`]). Under
    /// [`Profile::NullNames`] the integration made elsewhere is stored (once): it counts in
    /// [`Store::len`] and [`Store::integrations`] like any other, and stays when the profile
    /// changes again.
    pub fn set_profile(&self, profile: Profile) {
        let mut inner = self.lock();
        inner.profile = profile;
        let guid = Profile::NULL_NAMES_GUID;
        if profile == Profile::NullNames && !inner.integrations.iter().any(|i| i.guid == guid) {
            let id = inner.next_id;
            inner.next_id += 1;
            inner.integrations.push(made_elsewhere(id, guid));
        }
    }

    /// The server's behaviour profile.
    pub fn profile(&self) -> Profile {
        self.lock().profile
    }

    /// Changes the version `server_settings` reports, to test a client's version checks.
    pub fn set_server_version(&self, version: &str) {
        self.lock().server_version = version.to_string();
    }

    pub(crate) fn server_version(&self) -> String {
        let inner = self.lock();
        inner.profile.server_version().map_or_else(|| inner.server_version.clone(), str::to_string)
    }

    /// Stores a new integration and returns it as the API answers it.
    pub(crate) fn create(&self, new: NewIntegration) -> Value {
        let mut inner = self.lock();
        let id = inner.next_id;
        inner.next_id += 1;
        let time = now();
        let item = Integration {
            id,
            guid: uuid::Uuid::new_v4().to_string(),
            created_time: time.clone(),
            updated_time: time,
            name: Some(new.name),
            description: Some(new.description),
            template: Some(new.template),
            config: new.config,
            secret: new.secret,
            permissions: new.permissions,
        };
        let answer = item.to_json(inner.reveal_secrets, inner.profile, 0);
        inner.integrations.push(item);
        answer
    }

    /// Applies `change` to a copy of an integration and keeps the copy only when `change`
    /// succeeds, so a refused PATCH leaves no trace. Bumps `updated_time`.
    pub(crate) fn update(
        &self,
        guid: &str,
        change: impl FnOnce(&mut Integration) -> Result<(), ApiError>,
    ) -> Result<Value, ApiError> {
        let mut inner = self.lock();
        let (reveal, profile, uses) = (inner.reveal_secrets, inner.profile, inner.uses(guid));
        let item = inner.integrations.iter_mut().find(|i| i.guid == guid).ok_or_else(ApiError::not_found)?;
        let mut copy = item.clone();
        change(&mut copy)?;
        copy.updated_time = now();
        *item = copy;
        Ok(item.to_json(reveal, profile, uses))
    }

    /// Logs a request on arrival; returns the handle to give its status later.
    pub(crate) fn record_request(&self, method: &str, path: &str, body: Option<Value>) -> u64 {
        let mut inner = self.lock();
        let seq = inner.next_request;
        inner.next_request += 1;
        let request = RecordedRequest { method: method.to_string(), path: path.to_string(), body, status: 0 };
        inner.requests.push((seq, request));
        seq
    }

    /// Fills in the status of a logged request (unless the log was cleared in the meantime).
    pub(crate) fn record_status(&self, seq: u64, status: u16) {
        let mut inner = self.lock();
        if let Some((_, r)) = inner.requests.iter_mut().rev().find(|(s, _)| *s == seq) {
            r.status = status;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_edit_remove() {
        let store = Store::new();
        let guid = store.insert("azure", "n", "d", json!({"client_id": "c", "client_secret": "s"}));
        assert_eq!(store.secret(&guid).as_deref(), Some("s"));
        let got = store.get(&guid).unwrap();
        assert_eq!(got["id"], "1");
        assert!(got["config"].get("client_secret").is_none());
        assert!(store.edit(&guid, "config.scopes", json!("x offline_access")));
        assert!(store.edit(&guid, "config.client_id", Value::Null));
        assert!(store.edit(&guid, "name", json!("m")));
        assert!(!store.edit(&guid, "name", Value::Null));
        assert!(!store.edit(&guid, "template", json!("aws")));
        assert!(!store.edit("nope", "name", json!("m")));
        let got = store.get(&guid).unwrap();
        assert_eq!(got["name"], "m");
        assert_eq!(got["config"]["scopes"], "x offline_access");
        assert!(got["config"].get("client_id").is_none());
        assert_eq!(store.len(), 1);
        assert!(store.remove(&guid));
        assert!(!store.remove(&guid));
        assert!(store.is_empty());
    }
}
