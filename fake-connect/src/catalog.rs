//! The content items the server holds: their own fields and their owner. Data only: the handlers
//! that serve them are in `content.rs`.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::errors::{code, ApiError};

/// One content item's own fields.
#[derive(Clone, Debug)]
pub(crate) struct ContentItem {
    id: u64,
    guid: String,
    name: String,
    title: Option<String>,
    description: String,
    access_type: String,
    created_time: String,
}

/// The fields of a new content item, validated.
pub(crate) struct NewContent {
    pub name: String,
    pub title: Option<String>,
    pub description: String,
    pub access_type: String,
}

/// Every content item's fields, and the user the API keys stand for (who owns them all).
#[derive(Debug)]
pub(crate) struct Catalog {
    items: BTreeMap<String, ContentItem>,
    next_id: u64,
    owner_guid: String,
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog { items: BTreeMap::new(), next_id: 1, owner_guid: uuid::Uuid::new_v4().to_string() }
    }
}

impl Catalog {
    /// Adds a content item under `guid`. `Err` when the owner already has one of that name
    /// (Connect refuses the same name twice for one owner).
    pub(crate) fn add(&mut self, guid: &str, new: NewContent) -> Result<Value, ApiError> {
        if self.items.values().any(|c| c.name == new.name) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                code::NAME_IN_USE,
                format!("A content item named {} already exists.", new.name),
            ));
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
            created_time: crate::clock::now(),
        };
        let answer = self.to_json(&item);
        self.items.insert(guid.to_string(), item);
        Ok(answer)
    }

    /// A name no item has yet, for content added behind the API.
    pub(crate) fn unused_name(&self) -> String {
        let mut n = self.next_id;
        loop {
            let name = format!("content-{n}");
            if !self.items.values().any(|c| c.name == name) {
                return name;
            }
            n += 1;
        }
    }

    /// The item as `GET /v1/content/{guid}` answers it without `include`.
    pub(crate) fn get(&self, guid: &str) -> Option<Value> {
        self.items.get(guid).map(|c| self.to_json(c))
    }

    /// The owner as `include=owner` adds it.
    pub(crate) fn owner(&self) -> Value {
        json!({"guid": self.owner_guid, "username": "admin", "first_name": "Fake", "last_name": "Admin"})
    }

    fn to_json(&self, c: &ContentItem) -> Value {
        json!({
            "guid": c.guid,
            "id": c.id.to_string(),
            "name": c.name,
            "title": c.title,
            "description": c.description,
            "access_type": c.access_type,
            "owner_guid": self.owner_guid,
            "created_time": c.created_time,
            // The document's `Content` has no null here (a date-time, not nullable): an item
            // never deployed answers the time it was made.
            "last_deployed_time": c.created_time,
            // Never deployed: no bundle, so Connect does not know what kind of content it is.
            "bundle_id": null,
            "app_mode": "unknown",
        })
    }
}
