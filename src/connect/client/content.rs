//! Content items and what hangs off them: the item itself (`/v1/content`), its permissions
//! (who may view or edit it), its vanity URL and its environment variables. A child of `client`
//! so it shares `send` and the retry loop behind it.
//!
//! Every call here is sent again like a read when the outcome is unknown: the GETs, PATCHes and
//! PUTs state desired values, the DELETEs count a 404 as done, and the one POST (adding a
//! permission) is, by Posit's document, an upsert for that user or group.
//!
//! A 404 here means "gone" by one rule ([`gone`]): Connect's "object does not exist", or a 404
//! that says nothing clear (the content API is among Connect's oldest, so a server without it
//! is not a case to guard against). An HTML page (a proxy) or "endpoint does not exist" is an
//! error, never "gone".
//!
//! Environment variable values are secrets: each is handed to the [`SecretHook`] before it is
//! sent, a logged body shows none of them (`value` is a secret field name to
//! [`mask_body`](crate::connect::secret::mask_body)), and the types holding them print
//! [`MASK`](crate::connect::MASK) instead.
//!
//! [`SecretHook`]: crate::connect::SecretHook

use reqwest::Method;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use url::Url;

use super::transport::{Answer, NotFound};
use super::{guid_segment, json_body, Client};
use crate::connect::types::{null_as_default, string_or_number};
use crate::connect::{Deleted, Error, Secret};

/// Connect's error code for a vanity path already used by other content (`VanityPathInUse`),
/// which [`Client::set_vanity`] gets without `force`; read it with [`Error::code`].
pub const VANITY_PATH_IN_USE: i64 = 51;
/// Connect's error code for a vanity path it refuses outright (`ProhibitedVanityPath`: under
/// `/__`, a reserved prefix, or an ancestor or descendant of another vanity path).
pub const PROHIBITED_VANITY_PATH: i64 = 52;

/// A content item as `GET /v1/content/{guid}` gives it: the fields the provider reads.
///
/// Decoded leniently: a field Posit's document marks nullable, or one an older server omits,
/// reads as `None` (or `""` for strings callers only show), so one odd item never makes a whole
/// list undecodable. Only the guid is required.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct Content {
    /// What every other call names the item by.
    pub guid: String,
    /// Unique per owner; URL-friendly.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// Shown to people; nullable in the document.
    #[serde(default)]
    pub title: Option<String>,
    /// `""` when it has none.
    #[serde(default, deserialize_with = "null_as_default")]
    pub description: String,
    /// `all`, `logged_in` or `acl` (who may view it); `""` if the server does not say.
    #[serde(default, deserialize_with = "null_as_default")]
    pub access_type: String,
    /// The owning user's guid.
    #[serde(default, deserialize_with = "null_as_default")]
    pub owner_guid: String,
    /// What kind of content it is (`shiny`, `quarto-static`...).
    #[serde(default, deserialize_with = "null_as_default")]
    pub app_mode: String,
    /// Where the content is served.
    #[serde(default, deserialize_with = "null_as_default")]
    pub content_url: String,
    /// Where its page in Connect's dashboard is.
    #[serde(default, deserialize_with = "null_as_default")]
    pub dashboard_url: String,
    /// The vanity URL, when it has one and the server says (recorded answers omit it unless
    /// asked with `include=vanity_url`; [`Client::get_vanity`] is the reliable way). `""`
    /// reads as `None`.
    #[serde(default, deserialize_with = "non_empty")]
    pub vanity_url: Option<String>,
    /// RFC 3339, as the server wrote it.
    #[serde(default)]
    pub created_time: Option<String>,
    /// RFC 3339; `None` for content never deployed, on servers that send null for it.
    #[serde(default)]
    pub last_deployed_time: Option<String>,
}

/// A content item as `GET /v1/content/{guid}` gives it, for callers that only name it in
/// messages: nothing but the title, so no field of a server's answer can make it undecodable.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct ContentItem {
    /// Names the content for people, in messages about what uses an integration; `None` when
    /// it has none.
    #[serde(default)]
    pub title: Option<String>,
}

/// One entry of a content item's access list: a user or a group, and its role.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct ContentPermission {
    /// What updates and deletes name the entry by. A string in Posit's document (`"94"`);
    /// a number is accepted too and read as its digits.
    #[serde(deserialize_with = "required_id")]
    pub id: String,
    /// The content item the entry belongs to.
    #[serde(default, deserialize_with = "null_as_default")]
    pub content_guid: String,
    /// The user's or group's guid.
    pub principal_guid: String,
    /// `user` or `group` (a plain string in the document).
    #[serde(default, deserialize_with = "null_as_default")]
    pub principal_type: String,
    /// `viewer` or `owner` (collaborator); recorded lists also hold the owner's own entry with
    /// role `owner`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub role: String,
}

/// A content item's vanity URL.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct Vanity {
    /// The content item it leads to.
    #[serde(default, deserialize_with = "null_as_default")]
    pub content_guid: String,
    /// The path under the server, as Connect normalised it (e.g. `/sales/`): compare with
    /// what was asked for only after normalising that the same way.
    pub path: String,
    /// RFC 3339, as the server wrote it.
    #[serde(default)]
    pub created_time: Option<String>,
}

/// The body of `POST` and `PUT /v1/content/{guid}/permissions`.
#[derive(Serialize)]
struct PermissionInput<'a> {
    principal_guid: &'a str,
    principal_type: &'a str,
    role: &'a str,
    /// Only a POST sends it (false: the provider never mails anyone); a PUT ignores it.
    #[serde(skip_serializing_if = "Option::is_none")]
    send_email: Option<bool>,
}

/// One environment variable on the wire, its value exposed: built only by [`env_body`], right
/// before serialising. Deliberately no `Debug`.
#[derive(Serialize)]
struct EnvEntry<'a> {
    name: &'a str,
    /// `null` deletes the variable (PATCH only).
    value: Option<&'a str>,
}

impl Client {
    fn content_url(&self, content: &str, rest: &[&str]) -> Result<Url, Error> {
        let mut url = self.endpoint(&["v1", "content", guid_segment(content)?]);
        url.path_segments_mut().expect("an http(s) URL with a host always has path segments").extend(rest);
        Ok(url)
    }

    /// `GET /v1/content/{guid}`; `None` when the content is gone: Connect's "object does not
    /// exist", or a 404 that says nothing clear. An HTML 404 (a proxy) or "endpoint does not
    /// exist" is an error, as for every call here that reads a 404 as gone.
    pub async fn get_content(&self, content: &str) -> Result<Option<Content>, Error> {
        let answer = self.send(Method::GET, self.content_url(content, &[])?, None).await?;
        gone(answer)?.map(Answer::json).transpose()
    }

    /// [`Client::get_content`] for callers that only need the title (see [`ContentItem`]).
    pub async fn content_item(&self, content: &str) -> Result<Option<ContentItem>, Error> {
        let answer = self.send(Method::GET, self.content_url(content, &[])?, None).await?;
        gone(answer)?.map(Answer::json).transpose()
    }

    /// `GET /v1/content?name=...&owner_guid=...`: the content items named exactly `name`
    /// (owned by `owner_guid` when given; names are unique per owner, so then at most one).
    /// The answer is filtered again here, so a server that ignores a filter (or matches loosely)
    /// cannot return someone else's item. Not paginated by Connect.
    pub async fn find_content(&self, name: &str, owner_guid: Option<&str>) -> Result<Vec<Content>, Error> {
        let mut url = self.endpoint(&["v1", "content"]);
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("name", name);
            if let Some(owner) = owner_guid {
                query.append_pair("owner_guid", owner);
            }
        }
        let all: Vec<Content> = self.send(Method::GET, url, None).await?.json()?;
        Ok(all.into_iter().filter(|c| c.name == name && owner_guid.is_none_or(|o| c.owner_guid == o)).collect())
    }

    /// `PATCH /v1/content/{guid}` with `{"access_type": ...}` (`all`, `logged_in` or `acl`);
    /// the item as it now is. A 404 is an error: there is nothing to change.
    pub async fn update_content_access_type(&self, content: &str, access_type: &str) -> Result<Content, Error> {
        let body = json_body(&serde_json::json!({ "access_type": access_type }));
        self.send(Method::PATCH, self.content_url(content, &[])?, Some(body)).await?.json()
    }

    /// `GET /v1/content/{guid}/permissions`: the content's access list. A 404 is an error.
    pub async fn list_content_permissions(&self, content: &str) -> Result<Vec<ContentPermission>, Error> {
        self.send(Method::GET, self.content_url(content, &["permissions"])?, None).await?.json()
    }

    /// `POST /v1/content/{guid}/permissions` with `send_email: false`: gives a user or group
    /// (`principal_type` `user` or `group`) a role (`viewer` or `owner`). Sent again like a
    /// read when the outcome is unknown, since Posit's document calls it an upsert for that user
    /// or group. A 404 is an error.
    pub async fn add_content_permission(
        &self,
        content: &str,
        principal_guid: &str,
        principal_type: &str,
        role: &str,
    ) -> Result<ContentPermission, Error> {
        let body = PermissionInput { principal_guid, principal_type, role, send_email: Some(false) };
        let url = self.content_url(content, &["permissions"])?;
        self.send(Method::POST, url, Some(json_body(&body))).await?.json()
    }

    /// `PUT /v1/content/{guid}/permissions/{id}`: changes an entry. A 404 (the entry or the
    /// content gone) is an error: [`Error::status`] tells it.
    pub async fn update_content_permission(
        &self,
        content: &str,
        id: &str,
        principal_guid: &str,
        principal_type: &str,
        role: &str,
    ) -> Result<ContentPermission, Error> {
        let body = PermissionInput { principal_guid, principal_type, role, send_email: None };
        let url = self.content_url(content, &["permissions", guid_segment(id)?])?;
        self.send(Method::PUT, url, Some(json_body(&body))).await?.json()
    }

    /// `DELETE /v1/content/{guid}/permissions/{id}`; a 404 that means gone (the entry's, or the
    /// content's; by [`Client::get_content`]'s rule) is [`Deleted::AlreadyGone`].
    pub async fn delete_content_permission(&self, content: &str, id: &str) -> Result<Deleted, Error> {
        let url = self.content_url(content, &["permissions", guid_segment(id)?])?;
        deleted(self.send(Method::DELETE, url, None).await?)
    }

    /// `GET /v1/content/{guid}/vanity`; `None` when the content has no vanity URL, and also
    /// when the content itself is gone (Connect answers both with 404, read by
    /// [`Client::get_content`]'s rule; that call tells them apart).
    pub async fn get_vanity(&self, content: &str) -> Result<Option<Vanity>, Error> {
        let answer = self.send(Method::GET, self.content_url(content, &["vanity"])?, None).await?;
        gone(answer)?.map(Answer::json).transpose()
    }

    /// `PUT /v1/content/{guid}/vanity`: sets the vanity path. A path another item uses is
    /// refused (409, code [`VANITY_PATH_IN_USE`]) unless `force`, which moves it here; a
    /// reserved or nested path is refused with [`PROHIBITED_VANITY_PATH`].
    pub async fn set_vanity(&self, content: &str, path: &str, force: bool) -> Result<Vanity, Error> {
        let body = json_body(&serde_json::json!({ "path": path, "force": force }));
        self.send(Method::PUT, self.content_url(content, &["vanity"])?, Some(body)).await?.json()
    }

    /// `DELETE /v1/content/{guid}/vanity`; a 404 that means gone (no vanity URL, or no
    /// content; by [`Client::get_content`]'s rule) is [`Deleted::AlreadyGone`].
    pub async fn delete_vanity(&self, content: &str) -> Result<Deleted, Error> {
        deleted(self.send(Method::DELETE, self.content_url(content, &["vanity"])?, None).await?)
    }

    /// `GET /v1/content/{guid}/environment`: the names of the content's environment
    /// variables (Connect never returns values). A 404 is an error.
    pub async fn content_environment_names(&self, content: &str) -> Result<Vec<String>, Error> {
        self.send(Method::GET, self.content_url(content, &["environment"])?, None).await?.json()
    }

    /// `PATCH /v1/content/{guid}/environment`: sets each variable given a value and deletes
    /// each given `None`, leaving the others; the names the content then has. Every value goes
    /// to the [`SecretHook`](crate::connect::SecretHook) before anything is sent.
    pub async fn patch_content_environment(
        &self,
        content: &str,
        vars: &[(String, Option<Secret>)],
    ) -> Result<Vec<String>, Error> {
        let url = self.content_url(content, &["environment"])?;
        let body = self.env_body(vars.iter().map(|(name, value)| (name.as_str(), value.as_ref())));
        self.send(Method::PATCH, url, Some(body)).await?.json()
    }

    /// `PUT /v1/content/{guid}/environment`: replaces the whole set (variables not given are
    /// removed; an empty slice removes all); the names the content then has. Every value goes
    /// to the [`SecretHook`](crate::connect::SecretHook) before anything is sent.
    pub async fn set_content_environment(
        &self,
        content: &str,
        vars: &[(String, Secret)],
    ) -> Result<Vec<String>, Error> {
        let url = self.content_url(content, &["environment"])?;
        let body = self.env_body(vars.iter().map(|(name, value)| (name.as_str(), Some(value))));
        self.send(Method::PUT, url, Some(body)).await?.json()
    }

    /// The JSON array Connect takes, every value handed to the hook first (so the layer above
    /// masks it even in a server's echo of it) and exposed only into the bytes sent.
    fn env_body<'a>(&self, vars: impl Iterator<Item = (&'a str, Option<&'a Secret>)> + Clone) -> Vec<u8> {
        vars.clone().flat_map(|(_, v)| v).for_each(|s| self.inner.on_secret.hand(s));
        let entries: Vec<EnvEntry<'_>> =
            vars.map(|(name, value)| EnvEntry { name, value: value.map(Secret::expose) }).collect();
        json_body(&entries)
    }
}

/// The content API's rule for a 404 (see the module's doc): `Ok(None)` when the object is gone,
/// an error for a 404 that is not about it, the answer itself otherwise (any other status).
fn gone(answer: Answer) -> Result<Option<Answer>, Error> {
    match answer.not_found() {
        None => Ok(Some(answer)),
        Some(NotFound::Object | NotFound::Unclear) => Ok(None),
        Some(NotFound::Endpoint | NotFound::Page) => Err(answer.into_error()),
    }
}

/// A DELETE's answer: any 2xx, or a 404 that means gone by [`gone`]'s rule.
fn deleted(answer: Answer) -> Result<Deleted, Error> {
    match gone(answer)? {
        None => Ok(Deleted::AlreadyGone),
        Some(answer) => answer.success().map(|_| Deleted::Yes),
    }
}

/// A string or number, required: an entry without an id cannot be updated or deleted.
fn required_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    string_or_number(d)?.ok_or_else(|| D::Error::custom("the permission's id is null"))
}

/// `null`, absence and `""` as `None`.
fn non_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()))
}
