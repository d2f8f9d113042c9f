//! The OAuth integration calls: list, get, create, update and delete under
//! `/v1/oauth/integrations`, with the rules for when a 404 means "gone" and how a create whose
//! answer was lost is found again instead of repeated.

use std::time::{Duration, Instant, SystemTime};

use reqwest::Method;
use url::Url;

use super::transport::{Answer, NotFound};
use super::{guid_segment, json_body, Client, NotConnected, Recovery};
use crate::connect::error::{redact_url, EXCERPT_CHARS};
use crate::connect::retry::Deadline;
use crate::connect::{same_scopes, Deleted, Error, Integration, IntegrationUpdate, NewIntegration};
use crate::untrusted::server_text;

impl Client {
    /// `GET /v1/oauth/integrations`: every integration (the API does not paginate).
    /// A list naming one guid twice is an error ([`Error::DuplicateInList`]).
    pub async fn list_integrations(&self) -> Result<Vec<Integration>, Error> {
        let url = self.endpoint(&["v1", "oauth", "integrations"]);
        let all: Vec<Integration> = self.send(Method::GET, url.clone(), None).await?.json()?;
        let mut seen = std::collections::HashSet::with_capacity(all.len());
        if let Some(dup) = all.iter().find(|i| !seen.insert(i.guid.as_str())) {
            return Err(Error::DuplicateInList {
                url: redact_url(url.as_str()),
                what: "integration",
                key: server_text(&dup.guid, EXCERPT_CHARS),
            });
        }
        Ok(all)
    }

    /// `GET /v1/oauth/integrations/{guid}`; `None` only when the integration is surely gone
    /// (see [`Client::get_integration_after_list`]): a 404 that says nothing clear is confirmed
    /// with a list call first.
    pub async fn get_integration(&self, guid: &str) -> Result<Option<Integration>, Error> {
        self.get_integration_checked(guid, OauthApi::Unproven).await
    }

    /// [`Client::get_integration`] for a caller whose list of integrations has just answered,
    /// so Connect's OAuth API is known to be there.
    ///
    /// Which 404s mean "gone": what Connect's 404 for a missing integration looks like is not
    /// recorded anywhere public, so the rule keys on what can be told robustly. Gone: Connect's
    /// "object does not exist" error (code 4), or any other non-HTML 404 once the list call has
    /// answered (the API is there, so a 404 under it is about the integration). Never gone: the
    /// "endpoint does not exist" error (code 2: this server has no such API), an HTML page (a
    /// proxy, a wrong path prefix), or an unclear 404 while the API's presence is unproven; those
    /// are errors naming the status and the server's message, so state is never emptied by a
    /// server that cannot see the integration.
    pub async fn get_integration_after_list(&self, guid: &str) -> Result<Option<Integration>, Error> {
        self.get_integration_checked(guid, OauthApi::Listed).await
    }

    async fn get_integration_checked(&self, guid: &str, api: OauthApi) -> Result<Option<Integration>, Error> {
        let url = self.integration_url(guid)?;
        let answer = self.send(Method::GET, url, None).await?;
        match answer.not_found() {
            None => answer.json().map(Some),
            Some(NotFound::Object) => Ok(None),
            Some(NotFound::Unclear) if api == OauthApi::Listed => Ok(None),
            Some(NotFound::Unclear) => match self.list_integrations().await {
                Ok(all) => Ok(all.into_iter().find(|i| i.guid == guid)),
                Err(_) => Err(answer.into_error()),
            },
            Some(NotFound::Endpoint | NotFound::Page) => Err(answer.into_error()),
        }
    }

    /// `POST /v1/oauth/integrations`. Connect answers 200 (not 201); any 2xx is accepted.
    ///
    /// Never makes two: the POST is repeated only when the server surely did not act on it (429
    /// and 503 answers, a connection never made). When the outcome is unknown (a timeout, a
    /// connection dropped after sending, a gateway error, an answer cut short), the integration
    /// is looked for first (`FindCreated`), by name, template, description and config, among
    /// those created since the first uncertain attempt; one found is returned as if the POST had
    /// answered. Giving up after an uncertain attempt (out of retries or of time) says Connect
    /// may have made it. The loop that applies these rules is `Client::call`'s, in `client.rs`.
    pub async fn create_integration(&self, req: &NewIntegration) -> Result<Integration, Error> {
        let url = self.endpoint(&["v1", "oauth", "integrations"]);
        self.hand_secrets(&req.config);
        let body = json_body(req);
        let deadline = Deadline::new(self.inner.operation_timeout);
        self.call(&Method::POST, &url, Some(&body), &deadline, NotConnected::Retry, &FindCreated(req)).await
    }

    /// `PATCH /v1/oauth/integrations/{guid}`: only the fields set in `req` are sent.
    pub async fn update_integration(&self, guid: &str, req: &IntegrationUpdate) -> Result<Integration, Error> {
        let url = self.integration_url(guid)?;
        if let Some(config) = &req.config {
            self.hand_secrets(config);
        }
        self.send(Method::PATCH, url, Some(json_body(req))).await?.json()
    }

    /// `DELETE /v1/oauth/integrations/{guid}`; a 404 is not an error, as the goal is reached
    /// (also when a retried DELETE finds its first attempt did the job).
    pub async fn delete_integration(&self, guid: &str) -> Result<Deleted, Error> {
        let url = self.integration_url(guid)?;
        let answer = self.send(Method::DELETE, url, None).await?;
        // Gone already only by the rule of `get_integration_after_list`: an unclear 404 is
        // checked against the list.
        match answer.not_found() {
            None => {}
            Some(NotFound::Object) => return Ok(Deleted::AlreadyGone),
            Some(NotFound::Unclear) => {
                return match self.list_integrations().await {
                    Ok(all) if !all.iter().any(|i| i.guid == guid) => Ok(Deleted::AlreadyGone),
                    _ => Err(answer.into_error()),
                }
            }
            Some(NotFound::Endpoint | NotFound::Page) => return Err(answer.into_error()),
        }
        answer.success()?;
        Ok(Deleted::Yes)
    }

    /// `POST /v1/oauth/integrations/{guid}/verify`: Connect simulates a content session's token
    /// exchange with the integration's settings and answers 200 (no body) when the identity
    /// provider gave a token. `None` when the integration is surely gone (Connect's "object does
    /// not exist"); any other refusal is the error, typically [`Error::Api`] with status 400 and
    /// code 240 (not a Service Account integration) or 241 (no token: the identity provider's
    /// refusal is its message). Changes nothing, so it is sent again like a read.
    pub async fn verify_integration(&self, guid: &str) -> Result<Option<()>, Error> {
        let mut url = self.integration_url(guid)?;
        url.path_segments_mut().expect("an http(s) URL with a host always has path segments").push("verify");
        let answer = self.send(Method::POST, url, None).await?;
        match answer.not_found() {
            None => answer.success().map(|_| Some(())),
            Some(NotFound::Object) => Ok(None),
            Some(_) => Err(answer.into_error()),
        }
    }

    fn integration_url(&self, guid: &str) -> Result<Url, Error> {
        Ok(self.endpoint(&["v1", "oauth", "integrations", guid_segment(guid)?]))
    }

    /// The integration a create with an unknown outcome may have made: one with the same
    /// name, template, description and config values, created no earlier than `since` (on the
    /// server's clock, from its `Date` header, with 2 s of slack for whole-second times), so an
    /// older namesake is never taken for it. Several such: an error naming them.
    async fn find_created(
        &self,
        req: &NewIntegration,
        since: Instant,
        deadline: &Deadline,
    ) -> Result<Option<Integration>, Error> {
        let url = self.endpoint(&["v1", "oauth", "integrations"]);
        let answer = self.send_within(&Method::GET, &url, None, deadline).await?;
        let earliest = answer
            .date
            .as_deref()
            .and_then(|d| httpdate::parse_http_date(d).ok())
            .and_then(|now| now.checked_sub(since.elapsed() + Duration::from_secs(2)));
        let all: Vec<Integration> = answer.json()?;
        let mut found: Vec<Integration> =
            all.into_iter().filter(|i| same_integration(i, req) && created_since(i, earliest)).collect();
        match found.len() {
            0 => {
                tracing::debug!(name = %req.name, "no integration from the uncertain create: trying again");
                Ok(None)
            }
            1 => {
                let found = found.remove(0);
                tracing::info!(guid = %found.guid, name = ?found.name,
                    "the create's answer was lost, but it made the integration: using it");
                Ok(Some(found))
            }
            _ => Err(Error::AmbiguousCreate {
                url: redact_url(url.as_str()),
                name: req.name.clone(),
                guids: found.into_iter().map(|i| i.guid).collect(),
            }),
        }
    }
}

/// The [`Recovery`] of a create: its value is the integration the answer describes, and after an
/// attempt with an unknown outcome [`Client::find_created`] looks for the one it may have made.
struct FindCreated<'a>(&'a NewIntegration);

impl Recovery for FindCreated<'_> {
    type Out = Integration;
    const REPEATABLE: bool = false;

    fn value(&self, answer: Answer) -> Result<Integration, Error> {
        answer.json()
    }

    async fn search(&self, client: &Client, since: Instant, deadline: &Deadline) -> Result<Option<Integration>, Error> {
        client.find_created(self.0, since, deadline).await
    }
}

/// What is known of Connect's OAuth API when a GET of one integration answers a 404 that says
/// nothing clear (see [`Client::get_integration_after_list`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OauthApi {
    /// Not shown to be there yet: the 404 means "gone" only if a list call then answers without
    /// the integration.
    Unproven,
    /// The list of integrations has just answered, so a 404 under it is about the integration.
    Listed,
}

/// Whether a listed integration is what `req` would have made: same name, template and
/// description, and each config value sent is the one the server holds (strings compared as
/// [`same_scopes`] compares scopes, since servers may reorder them; keys the server does not
/// echo, like secrets, are not compared).
fn same_integration(i: &Integration, req: &NewIntegration) -> bool {
    let same_value = |sent: &serde_json::Value, held: &serde_json::Value| match (sent, held) {
        (serde_json::Value::String(a), serde_json::Value::String(b)) => same_scopes(a, b),
        (a, b) => a == b,
    };
    i.name.as_deref() == Some(req.name.as_str())
        && i.template.as_deref() == Some(req.template.as_str())
        && i.description == req.description
        && req
            .config
            .values
            .iter()
            .filter(|(k, _)| !req.config.secrets.contains_key(*k))
            .all(|(k, sent)| i.config.get(k).is_none_or(|held| same_value(sent, held)))
}

/// Whether an integration was created at or after `earliest`; true when either time is unknown.
fn created_since(i: &Integration, earliest: Option<SystemTime>) -> bool {
    let created = i
        .created_time
        .as_deref()
        .and_then(|t| time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok())
        .map(SystemTime::from);
    match (created, earliest) {
        (Some(created), Some(earliest)) => created >= earliest,
        _ => true,
    }
}
