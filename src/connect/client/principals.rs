//! Users and groups, looked up by exact name: `GET /v1/users` and `GET /v1/groups` are prefix
//! searches over several name fields, and a prefix search answers its first page only (at most
//! [`PAGE_SIZE`] results; later pages are empty). So a lookup asks for the prefix, keeps the
//! exact matches, and when the search had more results than one page holds, pages through the
//! whole list instead, so no exact match is missed. A child of `client` so it shares `send`.

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::transport::NotFound;
use super::{guid_segment, Client};
use crate::connect::Error;

/// The largest page Connect serves.
pub(crate) const PAGE_SIZE: u32 = 500;
/// How many pages a lookup reads at most: a million users or groups.
const MAX_PAGES: u32 = 2000;

/// A user as `GET /v1/users` lists it: the fields a lookup shows.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct User {
    /// What an integration's permissions name the user by.
    pub guid: String,
    /// Unique on a server: what a lookup matches, exactly.
    #[serde(default)]
    pub username: String,
    /// May be hidden from non-administrators.
    #[serde(default)]
    pub email: Option<String>,
    /// Shown beside the username, to tell whom a lookup found.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Shown beside the username, as `first_name`.
    #[serde(default)]
    pub last_name: Option<String>,
    /// `administrator`, `publisher` or `viewer`.
    #[serde(default)]
    pub user_role: Option<String>,
    /// Whether the account is locked (its user cannot sign in).
    #[serde(default)]
    pub locked: Option<bool>,
}

/// A group as `GET /v1/groups` lists it.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct Group {
    /// What an integration's permissions name the group by.
    pub guid: String,
    /// What a lookup matches; not unique on a server, so a lookup may find several.
    #[serde(default)]
    pub name: String,
}

/// One page of an `OffsetPaging` list.
#[derive(Deserialize)]
struct Page<T> {
    #[serde(default = "Vec::new")]
    results: Vec<T>,
    #[serde(default)]
    total: Option<u64>,
}

impl Client {
    /// Every user whose `username` is exactly `username` (Connect's usernames are unique, so
    /// zero or one; more is reported by the caller as the server's answer).
    pub async fn users_named(&self, username: &str) -> Result<Vec<User>, Error> {
        self.named(&["v1", "users"], username, |u: &User| u.username == username).await
    }

    /// Every group whose `name` is exactly `name` (group names need not be unique).
    pub async fn groups_named(&self, name: &str) -> Result<Vec<Group>, Error> {
        self.named(&["v1", "groups"], name, |g: &Group| g.name == name).await
    }

    /// `GET /v1/users/{guid}`; `None` when Connect has no such user (its "object does not
    /// exist", or a 404 that says nothing clear). An HTML 404 or "endpoint does not exist" is an
    /// error, never "no such user".
    pub async fn user_by_guid(&self, guid: &str) -> Result<Option<User>, Error> {
        self.by_guid("users", guid).await
    }

    /// `GET /v1/groups/{guid}`; `None` when Connect has no such group (as
    /// [`Client::user_by_guid`]). A server with groups disabled answers an error (a 400).
    pub async fn group_by_guid(&self, guid: &str) -> Result<Option<Group>, Error> {
        self.by_guid("groups", guid).await
    }

    async fn by_guid<T: DeserializeOwned>(&self, collection: &str, guid: &str) -> Result<Option<T>, Error> {
        let url = self.endpoint(&["v1", collection, guid_segment(guid)?]);
        let answer = self.send(Method::GET, url, None).await?;
        match answer.not_found() {
            None => answer.json().map(Some),
            Some(NotFound::Object | NotFound::Unclear) => Ok(None),
            Some(NotFound::Endpoint | NotFound::Page) => Err(answer.into_error()),
        }
    }

    async fn named<T: DeserializeOwned>(
        &self,
        path: &[&str],
        name: &str,
        exact: impl Fn(&T) -> bool,
    ) -> Result<Vec<T>, Error> {
        let first: Page<T> = self.page(path, Some(name), 1).await?;
        let seen = first.results.len() as u64;
        if first.total.is_none_or(|total| total <= seen) {
            return Ok(first.results.into_iter().filter(|t| exact(t)).collect());
        }
        // More matches than a prefix search shows: read the whole list, page by page, until a
        // short page or the total the server gave (and never more than MAX_PAGES, whatever a
        // server answers).
        let mut found = Vec::new();
        for number in 1..=MAX_PAGES {
            let page: Page<T> = self.page(path, None, number).await?;
            let last = page.results.len() < PAGE_SIZE as usize
                || page.total.is_some_and(|total| u64::from(number) * u64::from(PAGE_SIZE) >= total);
            found.extend(page.results.into_iter().filter(|t| exact(t)));
            if last {
                break;
            }
        }
        Ok(found)
    }

    async fn page<T: DeserializeOwned>(
        &self,
        path: &[&str],
        prefix: Option<&str>,
        number: u32,
    ) -> Result<Page<T>, Error> {
        let mut url = self.endpoint(path);
        {
            let mut query = url.query_pairs_mut();
            if let Some(prefix) = prefix {
                query.append_pair("prefix", prefix);
            }
            query.append_pair("page_number", &number.to_string());
            query.append_pair("page_size", &PAGE_SIZE.to_string());
        }
        self.send(Method::GET, url, None).await?.json()
    }
}
