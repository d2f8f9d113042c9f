//! The API's request and response bodies.
//!
//! Responses are decoded leniently (unknown fields ignored, optional ones defaulted) because
//! Connect adds fields between versions and older servers omit some.

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::Secret;

/// The config keys Connect documents across its templates, none of them secret: the only ones
/// whose values a logged body shows (see `secret::mask_body`); any other key may be a
/// template's secret field under a name that does not say so.
pub const PLAIN_CONFIG_KEYS: &[&str] = &[
    "auth_type",
    "auth_mode",
    "tenant_id",
    "client_id",
    "scopes",
    "authorization_uri",
    "token_uri",
    "token_endpoint_auth_method",
    "use_pkce",
    "account_url",
    "max_role",
];

/// An OAuth integration as Connect returns it.
///
/// The server never returns secret config values (`client_secret`), and it adds keys nobody sent
/// (`auth_mode`, `use_pkce`...), so `config` is not a mirror of what was sent.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Integration {
    /// What every other call names it by, and the resource's id in Terraform.
    pub guid: String,
    /// Numeric id; servers send it as a string ("77") or a number (77), so both are accepted.
    #[serde(default, deserialize_with = "string_or_number")]
    pub id: Option<String>,
    /// Nullable in Posit's published document: an integration made by another tool may have
    /// none, and one such integration must not make a whole list undecodable.
    #[serde(default)]
    pub name: Option<String>,
    /// Empty when the server has none: `null` and absence read as `""`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub description: String,
    /// Nullable in Posit's published document, as `name`.
    #[serde(default)]
    pub template: Option<String>,
    /// Omitted by servers older than 2025.
    #[serde(default)]
    pub auth_type: Option<String>,
    /// The non-secret config as the server holds it: what it added included, secrets never.
    #[serde(default, deserialize_with = "null_as_default")]
    pub config: Map<String, Value>,
    /// RFC 3339; a create whose answer was lost looks only at integrations made since it was
    /// sent.
    #[serde(default)]
    pub created_time: Option<String>,
    /// RFC 3339; shown by the data sources.
    #[serde(default)]
    pub updated_time: Option<String>,
    /// The users and groups allowed to use the integration (empty: every publisher). `None` when
    /// the server does not say: servers before permissions on integrations (2025.07.0 answers
    /// lack the field; which version added it is not recorded).
    #[serde(default)]
    pub permissions: Option<Vec<Permission>>,
    /// How many content items use the integration; administrators only (`None` for other keys
    /// and for servers that do not say).
    #[serde(default)]
    pub content_count: Option<i64>,
    /// The names of the environment variables the integration gives content; `None` when the
    /// server does not say.
    #[serde(default)]
    pub environment_variables: Option<Vec<String>>,
}

/// One user or group allowed to use an integration: exactly one of the two guids. Connect
/// answers more (the entry's own `id` and `guid`, the integration's guid), which callers do not
/// need; a request sends only the guid it names.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Permission {
    /// Set for a user's entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_guid: Option<String>,
    /// Set for a group's entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_guid: Option<String>,
}

impl Permission {
    /// A user's entry.
    pub fn user(guid: impl Into<String>) -> Self {
        Permission { user_guid: Some(guid.into()), group_guid: None }
    }

    /// A group's entry.
    pub fn group(guid: impl Into<String>) -> Self {
        Permission { user_guid: None, group_guid: Some(guid.into()) }
    }
}

/// The body of `POST /v1/oauth/integrations`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct NewIntegration {
    /// The template's id (`azure`, `custom`...): fixed once created.
    pub template: String,
    /// Not unique in Connect; with the rest, what finds a create whose answer was lost.
    pub name: String,
    /// Sent even when empty.
    pub description: String,
    /// The template's keys, secrets included.
    pub config: Config,
    /// Sent only when managed; an empty list opens the integration to every publisher.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<Permission>>,
}

/// The body of `PATCH /v1/oauth/integrations/{guid}`: only the `Some` fields are sent, so a
/// caller can change one thing without restating the rest. `template` is absent because Connect
/// cannot change it.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct IntegrationUpdate {
    /// The new name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The new description; `Some("")` clears it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Merged by Connect into the config it holds: a key not sent keeps its value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<Config>,
    /// Replaces the whole list when sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<Permission>>,
}

/// An integration's config to send: plain values plus secrets.
///
/// Secrets are kept apart as [`Secret`] so that `Debug` (and so any log of a request) never
/// shows them; on the wire both halves form one flat JSON object. Should a key be in both, the
/// secret wins.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// Keys whose values may show, in `Debug` and so in logs.
    pub values: Map<String, Value>,
    /// Keys whose values `Debug` never shows; sent as plain strings all the same.
    pub secrets: BTreeMap<String, Secret>,
}

impl Config {
    /// An empty config, to build on with [`Config::with_value`] and [`Config::with_secret`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a plain value; for building configs in one expression.
    pub fn with_value(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.values.insert(key.into(), value.into());
        self
    }

    /// Adds a secret value; for building configs in one expression.
    pub fn with_secret(mut self, key: impl Into<String>, value: impl Into<Secret>) -> Self {
        self.secrets.insert(key.into(), value.into());
        self
    }
}

impl Serialize for Config {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let plain = self.values.iter().filter(|(k, _)| !self.secrets.contains_key(*k));
        let mut map = serializer.serialize_map(Some(plain.clone().count() + self.secrets.len()))?;
        for (k, v) in plain {
            map.serialize_entry(k, v)?;
        }
        for (k, v) in &self.secrets {
            map.serialize_entry(k, v.expose())?;
        }
        map.end()
    }
}

/// Whether two scope lists are the same: Connect's scopes are one string of space-separated
/// tokens whose order and spacing carry no meaning (a server may give them back reordered). The
/// one place this is decided, for plans, state and the search for a create's lost answer.
pub fn same_scopes(a: &str, b: &str) -> bool {
    fn set(s: &str) -> std::collections::BTreeSet<&str> {
        s.split_whitespace().collect()
    }
    set(a) == set(b)
}

/// The outcome of a delete, so callers can tell "removed now" from "someone else removed it".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deleted {
    /// Connect answered the DELETE with success.
    Yes,
    /// A 404 that surely means the object (integration, content permission, vanity URL) is
    /// gone: removed by someone else, or by an earlier attempt of the same call whose answer was
    /// lost.
    AlreadyGone,
}

/// Accepts `"77"`, `77` or `null` (and absence, through `#[serde(default)]`).
pub(crate) fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        S(String),
        N(serde_json::Number),
    }
    Ok(Option::<Id>::deserialize(d)?.map(|id| match id {
        Id::S(s) => s,
        Id::N(n) => n.to_string(),
    }))
}

/// Treats an explicit `null` like an absent field.
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn config_serialises_flat_with_secrets_and_debug_hides_them() {
        let cfg = Config::new()
            .with_value("client_id", "abc")
            .with_value("use_pkce", true)
            .with_secret("client_secret", "s3cr3t");
        let v = serde_json::to_value(&cfg).unwrap();
        assert_eq!(v, json!({"client_id": "abc", "use_pkce": true, "client_secret": "s3cr3t"}));
        let dbg = format!("{cfg:?} {cfg:#?}");
        assert!(!dbg.contains("s3cr3t"), "{dbg}");
        assert!(dbg.contains("client_secret") && dbg.contains("(sensitive)"), "{dbg}");
    }

    #[test]
    fn secret_wins_over_a_plain_value_with_the_same_key() {
        let cfg = Config::new().with_value("client_secret", "plain").with_secret("client_secret", "hidden");
        let s = serde_json::to_string(&cfg).unwrap();
        assert_eq!(s, r#"{"client_secret":"hidden"}"#);
    }

    #[test]
    fn new_integration_body_and_debug() {
        let req = NewIntegration {
            template: "azure".into(),
            name: "n".into(),
            description: "".into(),
            config: Config::new().with_secret("client_secret", "s3cr3t"),
            permissions: None,
        };
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"template": "azure", "name": "n", "description": "",
                   "config": {"client_secret": "s3cr3t"}})
        );
        assert!(!format!("{req:?}").contains("s3cr3t"));
    }

    #[test]
    fn update_sends_only_what_is_set() {
        let upd = IntegrationUpdate { description: Some("d".into()), ..Default::default() };
        assert_eq!(serde_json::to_string(&upd).unwrap(), r#"{"description":"d"}"#);
        assert_eq!(serde_json::to_string(&IntegrationUpdate::default()).unwrap(), "{}");
    }

    #[test]
    fn integration_decodes_the_documented_object() {
        let body = json!({"id": "77", "guid": "60586f1c", "created_time": "2025-08-06T23:06:42Z",
            "updated_time": "2025-08-06T23:06:42Z", "name": "n", "description": "d",
            "template": "azure-openai", "auth_type": "Viewer",
            "config": {"auth_type": "Viewer", "use_pkce": true},
            "permissions": [], "environment_variables": [], "content_count": 0});
        let i: Integration = serde_json::from_value(body).unwrap();
        assert_eq!(i.id.as_deref(), Some("77"));
        assert_eq!(i.auth_type.as_deref(), Some("Viewer"));
        assert_eq!(i.config["use_pkce"], json!(true));
        assert_eq!(i.created_time.as_deref(), Some("2025-08-06T23:06:42Z"));
    }

    #[test]
    fn integration_tolerates_old_servers_and_numeric_ids() {
        let i: Integration = serde_json::from_value(json!({
            "id": 77, "guid": "g", "name": "n", "template": "custom",
            "description": null, "config": null}))
        .unwrap();
        assert_eq!(i.id.as_deref(), Some("77"));
        assert_eq!(i.description, "");
        assert!(i.config.is_empty() && i.auth_type.is_none() && i.created_time.is_none());

        let i: Integration =
            serde_json::from_value(json!({"guid": "g", "name": "n", "template": "t", "id": null})).unwrap();
        assert_eq!(i.id, None);
    }

    #[test]
    fn scopes_compare_as_sets() {
        assert!(same_scopes("a b  c", " c a b"));
        assert!(same_scopes("a a b", "b a"));
        assert!(!same_scopes("a b", "a"));
        assert!(!same_scopes("a b", "a c"));
    }

    #[test]
    fn integration_decodes_what_the_document_allows_to_be_null() {
        let i: Integration = serde_json::from_value(json!({"guid": "g", "name": null, "description": null,
            "template": null, "auth_type": null, "content_count": null}))
        .unwrap();
        assert_eq!((i.name, i.template, i.auth_type), (None, None, None));
        assert_eq!(i.description, "");
    }

    #[test]
    fn integration_rejects_a_wrong_shape() {
        assert!(serde_json::from_value::<Integration>(json!({"name": "n"})).is_err());
        assert!(serde_json::from_value::<Integration>(json!({"guid": "g", "name": "n",
            "template": "t", "id": [1]}))
        .is_err());
    }
}
