//! The HTTP client: one pooled `reqwest::Client` behind an `Arc`, one method per API call.
//!
//! Layering: [`Client::attempt`] makes a single attempt and returns any HTTP answer as an
//! [`Answer`] (or a [`Failed`] attempt that says whether the server may have acted); the retry
//! loops ([`Client::send`] for reads, updates, deletes and other repeatable requests,
//! [`Client::create_integration`] for creates) decide from that, by the rules in
//! [`super::retry`], whether to try again; the API methods then turn an `Answer` into a value or
//! an [`Error`].
//!
//! Every request and every wait listens to the client's cancellation token, so stopping the
//! client (Terraform's StopProvider) ends them at once; only a create already sent is given
//! [`CREATE_GRACE`] to answer, since its answer is the only record of what it made.
//!
//! Bounded resources: each call (retries and look-ups included) ends by its operation timeout,
//! each attempt by the request timeout or the time left, and no answer body above the size cap
//! is held in memory.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, DATE, LOCATION, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::error::{excerpt, parse_error_body, redact_url, root_cause, EXCERPT_CHARS};
use super::retry::{next_step, parse_retry_after, Deadline, Next, Outcome, RetryPolicy};
use super::tls;
use super::types::PLAIN_CONFIG_KEYS;
use super::{Deleted, Error, GiveUp, Integration, IntegrationUpdate, NewIntegration, Secret};
use crate::logging::mask_body;
use crate::untrusted::server_text;

pub mod associations;
pub mod server;
pub mod templates;

/// Where the API lives under a Connect server's URL.
const API_PREFIX: &str = "__api__";

/// How long a create already sent may still take to answer once the client is stopped.
pub const CREATE_GRACE: Duration = Duration::from_secs(3);

/// The default limit for one attempt.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The default limit for one call, retries included: five default attempts, or a few waits of
/// the longest `Retry-After` honoured, yet a stalled server fails within minutes.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(300);

/// The largest answer body read: Connect's largest answer, the list of every integration, is
/// about 3 MB for 10,000 of them; anything far bigger is not Connect's and must not exhaust
/// memory.
pub const MAX_BODY: usize = 64 << 20;

/// How to reach one Connect server.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// `https://host`, with or without a trailing slash or a path prefix.
    pub server_url: String,
    pub api_key: Secret,
    pub user_agent: String,
    /// Limit for one attempt at a request, connecting included.
    pub timeout: Duration,
    /// Limit for one call, every attempt and wait included.
    pub operation_timeout: Duration,
    pub tls: TlsOptions,
    pub retry: RetryPolicy,
    /// Cancelling it stops every request of the client (and of its clones).
    pub cancel: CancellationToken,
    /// Bodies larger than this are refused unread: [`MAX_BODY`], smaller in tests.
    pub(crate) max_body: usize,
}

impl ClientConfig {
    /// Defaults for the rest: [`DEFAULT_TIMEOUT`], [`DEFAULT_OPERATION_TIMEOUT`], the system's
    /// and Mozilla's CAs, the default [`RetryPolicy`], a token of its own.
    pub fn new(server_url: impl Into<String>, api_key: Secret, user_agent: impl Into<String>) -> Self {
        ClientConfig {
            server_url: server_url.into(),
            api_key,
            user_agent: user_agent.into(),
            timeout: DEFAULT_TIMEOUT,
            operation_timeout: DEFAULT_OPERATION_TIMEOUT,
            tls: TlsOptions::default(),
            retry: RetryPolicy::default(),
            cancel: CancellationToken::new(),
            max_body: MAX_BODY,
        }
    }
}

/// Which servers to trust. By default the system's CAs and Mozilla's (webpki-roots).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TlsOptions {
    /// More CAs to trust, as PEM (one or more `-----BEGIN CERTIFICATE-----` blocks): for a Connect
    /// whose certificate comes from a private CA.
    pub ca_certificates_pem: Option<String>,
    /// Accept any certificate: for test servers only.
    pub insecure: bool,
}

impl TlsOptions {
    /// Checks the CA certificates without building a client (for validation before use).
    pub fn check(&self) -> Result<(), Error> {
        match &self.ca_certificates_pem {
            Some(pem) => tls::ca_certificates(pem).map(|_| ()),
            None => Ok(()),
        }
    }
}

/// A Connect API client. Cheap to clone: clones share one connection pool and one
/// cancellation token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// Normalised, without a trailing slash.
    server_url: String,
    /// `server_url` + `/__api__`.
    base: Url,
    timeout: Duration,
    operation_timeout: Duration,
    retry: RetryPolicy,
    cancel: CancellationToken,
    max_body: usize,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("server_url", &self.inner.server_url).finish_non_exhaustive()
    }
}

/// An attempt that got no whole answer, and what that says about the server's side.
#[derive(Debug)]
pub(crate) struct Failed {
    pub error: Error,
    pub outcome: Outcome,
}

impl Client {
    /// Validates the configuration and builds the client; makes no request.
    ///
    /// Surrounding whitespace in the API key is dropped: keys never contain any, and a key read
    /// from a file usually ends with a newline.
    pub fn new(cfg: ClientConfig) -> Result<Client, Error> {
        let (server_url, base) = normalise_server_url(&cfg.server_url)?;

        let mut auth = HeaderValue::from_str(&format!("Key {}", cfg.api_key.expose().trim())).map_err(|_| {
            Error::InvalidApiKey { reason: "it contains characters that cannot go in an HTTP header".into() }
        })?;
        auth.set_sensitive(true);
        let user_agent = HeaderValue::from_str(&cfg.user_agent).map_err(|_| Error::Setup {
            reason: format!("user agent `{}` cannot go in an HTTP header", cfg.user_agent),
        })?;
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));

        // HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY are honoured: reqwest reads them here.
        let mut builder = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(user_agent)
            .timeout(cfg.timeout)
            .redirect(reqwest::redirect::Policy::none());
        let ca_certificates = match &cfg.tls.ca_certificates_pem {
            Some(pem) => tls::ca_certificates(pem)?,
            None => Vec::new(),
        };
        builder = if cfg.tls.insecure {
            builder.danger_accept_invalid_certs(true)
        } else {
            builder.use_preconfigured_tls(tls::client_config(ca_certificates)?)
        };
        let http = builder.build().map_err(|e| {
            if cfg.tls.ca_certificates_pem.is_some() {
                Error::InvalidCaCertificate { reason: root_cause(&e) }
            } else {
                Error::Setup { reason: root_cause(&e) }
            }
        })?;

        Ok(Client {
            inner: Arc::new(Inner {
                http,
                server_url,
                base,
                timeout: cfg.timeout,
                operation_timeout: cfg.operation_timeout,
                retry: cfg.retry,
                cancel: cfg.cancel,
                max_body: cfg.max_body,
            }),
        })
    }

    /// The server URL as normalised by [`Client::new`], without a trailing slash.
    pub fn server_url(&self) -> &str {
        &self.inner.server_url
    }

    /// Stops every request of this client and its clones, now and later: waits end, requests in
    /// flight are abandoned (a create already sent gets [`CREATE_GRACE`] to answer), and each
    /// call returns [`Error::Cancelled`].
    pub fn cancel(&self) {
        self.inner.cancel.cancel();
    }

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
        self.get_integration_checked(guid, false).await
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
        self.get_integration_checked(guid, true).await
    }

    async fn get_integration_checked(&self, guid: &str, listed: bool) -> Result<Option<Integration>, Error> {
        let url = self.integration_url(guid)?;
        let answer = self.send(Method::GET, url, None).await?;
        match answer.not_found() {
            None => answer.json().map(Some),
            Some(NotFound::Object) => Ok(None),
            Some(NotFound::Unclear) if listed => Ok(None),
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
    /// is looked for first, by name, template, description and config, among those created
    /// since the first uncertain attempt; one found is returned as if the POST had answered.
    /// Giving up after an uncertain attempt (out of retries or of time) says Connect may have
    /// made it.
    pub async fn create_integration(&self, req: &NewIntegration) -> Result<Integration, Error> {
        let url = self.endpoint(&["v1", "oauth", "integrations"]);
        let body = json_body(req);
        let deadline = Deadline::new(self.inner.operation_timeout);
        let mut uncertain_since: Option<Instant> = None;
        let mut retry = 0;
        loop {
            let sent_at = Instant::now();
            let result = self.attempt(&Method::POST, &url, Some(&body), retry + 1, &deadline).await;
            let (outcome, retry_after) = outcome_of(&result);
            let give_up =
                |result, why, maybe_done| gave_up(failure_error(result), retry + 1, &deadline, why, maybe_done);
            match next_step(false, outcome) {
                Next::Done => {
                    // A 2xx whose body cannot be read, or is too large to, still made the integration.
                    let (made, value) = match result {
                        Ok(answer) => (answer.status.is_success(), answer.json()),
                        Err(f) => (matches!(f.error, Error::TooLarge { status: 200..=299, .. }), Err(f.error)),
                    };
                    return match value {
                        Err(e) if made => match self.find_created(req, sent_at, &deadline).await {
                            Ok(Some(found)) => Ok(found),
                            _ => Err(e),
                        },
                        other => other,
                    };
                }
                Next::Retry => {
                    let maybe_done = uncertain_since.is_some();
                    if let Some(why) = self.no_more(retry, &deadline) {
                        return Err(give_up(result, why, maybe_done));
                    }
                    match self.pause(&Method::POST, &url, retry, retry_after, &result, &deadline).await {
                        Ok(()) => {}
                        // An earlier attempt was sent, and may have made it.
                        Err(Halt::Stopped(_)) if maybe_done => return Err(self.cancelled(&Method::POST, &url, true)),
                        Err(Halt::Stopped(e)) => return Err(e),
                        Err(Halt::GiveUp(why)) => return Err(give_up(result, why, maybe_done)),
                    }
                }
                Next::LookUpThenRetry => {
                    let since = *uncertain_since.get_or_insert(sent_at);
                    let mut why = self.no_more(retry, &deadline);
                    // A slow server may still be making it: give it the backoff's time first,
                    // unless that ends past the deadline (then look at once, and give up).
                    if why.is_none() {
                        match self.pause(&Method::POST, &url, retry, retry_after, &result, &deadline).await {
                            Ok(()) => {}
                            // Stopped while waiting: the request was sent, and may have made it.
                            Err(Halt::Stopped(_)) => return Err(self.cancelled(&Method::POST, &url, true)),
                            Err(Halt::GiveUp(w)) => why = Some(w),
                        }
                    }
                    if deadline.left().is_zero() {
                        let limit = self.inner.operation_timeout;
                        return Err(give_up(result, GiveUp::Deadline { limit }, true));
                    }
                    match self.find_created(req, since, &deadline).await {
                        Ok(Some(found)) => return Ok(found),
                        Ok(None) if why.is_none() => {}
                        Err(e @ Error::AmbiguousCreate { .. }) => return Err(e),
                        Err(Error::Cancelled { .. }) => return Err(self.cancelled(&Method::POST, &url, true)),
                        // Without knowing, another POST could make a second one.
                        looked => {
                            let time = match &looked {
                                Err(Error::GaveUp { why, .. }) if why.is_time() => Some(*why),
                                _ => None,
                            };
                            return Err(match time.or(why) {
                                Some(why) => give_up(result, why, true),
                                None => failure_error(result),
                            });
                        }
                    }
                }
            }
            retry += 1;
        }
    }

    /// `PATCH /v1/oauth/integrations/{guid}`: only the fields set in `req` are sent.
    pub async fn update_integration(&self, guid: &str, req: &IntegrationUpdate) -> Result<Integration, Error> {
        let url = self.integration_url(guid)?;
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

    /// `GET /server_settings`: the server's version and features, as raw JSON since its shape
    /// varies across versions. Also a cheap check that URL and key work.
    pub async fn server_settings(&self) -> Result<serde_json::Value, Error> {
        let url = self.endpoint(&["server_settings"]);
        self.send(Method::GET, url, None).await?.json()
    }

    fn endpoint(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.base.clone();
        url.path_segments_mut().expect("an http(s) URL with a host always has path segments").extend(segments);
        url
    }

    fn integration_url(&self, guid: &str) -> Result<Url, Error> {
        // The url crate drops "." and ".." segments, which would turn a GET of one integration
        // into the list; an empty segment would do the same.
        if matches!(guid, "" | "." | "..") {
            return Err(Error::InvalidGuid { guid: guid.into() });
        }
        Ok(self.endpoint(&["v1", "oauth", "integrations", guid]))
    }

    /// A request that may be repeated (GET, DELETE, a PATCH or PUT of desired values), with
    /// retries, within one operation timeout. Returns the last answer of any status; errors when
    /// no answer came, or when retrying stopped on one that asked for it (a 503, say). Not for
    /// POSTs that create: see [`Client::create_integration`].
    async fn send(&self, method: Method, url: Url, body: Option<Vec<u8>>) -> Result<Answer, Error> {
        let deadline = Deadline::new(self.inner.operation_timeout);
        self.send_within(&method, &url, body.as_deref(), &deadline).await
    }

    /// [`Client::send`] for a check of the settings: a connection that cannot be made (refused,
    /// a name that does not resolve) is reported at once rather than retried through the backoff,
    /// since it almost always means a wrong URL; answers asking to wait (429, 503) and
    /// connections broken mid-way are still retried.
    async fn send_checked(&self, method: Method, url: Url) -> Result<Answer, Error> {
        let deadline = Deadline::new(self.inner.operation_timeout);
        self.send_retrying(&method, &url, None, &deadline, false).await
    }

    /// [`Client::send`] within a deadline shared with other requests of the same call.
    async fn send_within(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
        deadline: &Deadline,
    ) -> Result<Answer, Error> {
        self.send_retrying(method, url, body, deadline, true).await
    }

    /// The retry loop of [`Client::send_within`]; `retry_unsent` false makes a connection never
    /// made final.
    async fn send_retrying(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
        deadline: &Deadline,
        retry_unsent: bool,
    ) -> Result<Answer, Error> {
        let mut retry = 0;
        loop {
            let result = self.attempt(method, url, body, retry + 1, deadline).await;
            let (outcome, retry_after) = outcome_of(&result);
            if next_step(true, outcome) == Next::Done || (!retry_unsent && outcome == Outcome::NotSent) {
                return result.map_err(|f| f.error);
            }
            let why = match self.no_more(retry, deadline) {
                Some(why) => why,
                None => match self.pause(method, url, retry, retry_after, &result, deadline).await {
                    Ok(()) => {
                        retry += 1;
                        continue;
                    }
                    Err(Halt::Stopped(e)) => return Err(e),
                    Err(Halt::GiveUp(why)) => why,
                },
            };
            return Err(gave_up(failure_error(result), retry + 1, deadline, why, false));
        }
    }

    /// Why no retry may follow retry number `retry`, if none may: the time is up, or the retries.
    fn no_more(&self, retry: u32, deadline: &Deadline) -> Option<GiveUp> {
        if deadline.left().is_zero() {
            Some(GiveUp::Deadline { limit: self.inner.operation_timeout })
        } else if retry >= self.inner.retry.max_retries {
            Some(GiveUp::NoRetriesLeft)
        } else {
            None
        }
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
                tracing::info!(guid = %found.guid, name = %found.name,
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

    /// Waits before retry number `retry`; stopped first, [`Error::Cancelled`]; a wait that would
    /// end past the deadline is not begun.
    async fn pause(
        &self,
        method: &Method,
        url: &Url,
        retry: u32,
        retry_after: Option<Duration>,
        last: &Result<Answer, Failed>,
        deadline: &Deadline,
    ) -> Result<(), Halt> {
        let wait = self.inner.retry.delay(retry, retry_after, fastrand::f64());
        if let Some(why) = deadline.refuse_wait(wait, retry_after) {
            return Err(Halt::GiveUp(why));
        }
        let reason = match last {
            Ok(answer) => answer.status.to_string(),
            Err(f) => f.error.to_string(),
        };
        tracing::debug!(method = %method, path = url.path(), attempt = retry + 1, wait_ms = wait.as_millis() as u64,
            reason = %reason, "Connect API request will be retried");
        tokio::select! {
            _ = tokio::time::sleep(wait) => Ok(()),
            _ = self.inner.cancel.cancelled() => Err(Halt::Stopped(self.cancelled(method, url, false))),
        }
    }

    fn cancelled(&self, method: &Method, url: &Url, in_flight: bool) -> Error {
        Error::Cancelled { method: method.clone(), url: redact_url(url.as_str()), in_flight }
    }

    /// One attempt at one request, within the request timeout and the time `deadline` leaves.
    /// Any whole HTTP answer is an `Ok(Answer)`; a failure says whether the server may have
    /// acted. Logs one DEBUG line (method, path, status or error, duration, attempt), and at
    /// TRACE the bodies with their secrets masked; never headers.
    async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
        attempt: u32,
        deadline: &Deadline,
    ) -> Result<Answer, Failed> {
        if self.inner.cancel.is_cancelled() {
            return Err(Failed { error: self.cancelled(method, url, false), outcome: Outcome::Fatal });
        }
        if let Some(body) = body.filter(|_| tracing::enabled!(tracing::Level::TRACE)) {
            tracing::trace!(method = %method, path = url.path(), attempt, body = %mask_body(body, PLAIN_CONFIG_KEYS),
                "Connect API request body");
        }
        let started = Instant::now();
        let timeout = deadline.attempt_timeout(self.inner.timeout);
        let exchange = self.exchange(method, url, body, timeout);
        tokio::pin!(exchange);
        let result = tokio::select! {
            biased;
            result = &mut exchange => result,
            _ = self.inner.cancel.cancelled() => {
                // A create already sent may have made the integration, and its answer is the
                // only record of it: give it a moment.
                let grace = if *method == Method::POST { CREATE_GRACE } else { Duration::ZERO };
                match tokio::time::timeout(grace, &mut exchange).await {
                    Ok(result) => result,
                    Err(_) => Err(Failed { error: self.cancelled(method, url, true), outcome: Outcome::Fatal }),
                }
            }
        };
        let duration_ms = started.elapsed().as_millis() as u64;
        match &result {
            Ok(answer) => {
                tracing::debug!(method = %method, path = url.path(), status = answer.status.as_u16(), duration_ms,
                    attempt, "Connect API request");
                if tracing::enabled!(tracing::Level::TRACE) {
                    tracing::trace!(method = %method, path = url.path(), status = answer.status.as_u16(), attempt,
                        body = %mask_body(&answer.body, PLAIN_CONFIG_KEYS), "Connect API response body");
                }
            }
            Err(f) => tracing::debug!(method = %method, path = url.path(), duration_ms, attempt, error = %f.error,
                "Connect API request failed"),
        }
        result
    }

    /// The request and the whole answer, without retries, logs or cancellation. The body is
    /// read in chunks into one buffer, and refused once above the cap (by its `Content-Length`
    /// before reading, else as soon as the read total passes it).
    async fn exchange(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
        timeout: Duration,
    ) -> Result<Answer, Failed> {
        let mut req = self.inner.http.request(method.clone(), url.clone()).timeout(timeout);
        if let Some(body) = body {
            req = req.header(CONTENT_TYPE, HeaderValue::from_static("application/json")).body(body.to_vec());
        }
        // The timeout may be the deadline's rest rather than the configured one: say which.
        let mut resp = req.send().await.map_err(|e| took(self.transport_failure(method, url, e), timeout))?;
        let status = resp.status();
        let header = |name| resp.headers().get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_owned);
        let content_type = header(CONTENT_TYPE);
        let location = header(LOCATION);
        let retry_after = header(RETRY_AFTER);
        let date = header(DATE);
        let max = self.inner.max_body;
        let too_large = || Failed {
            error: Error::TooLarge {
                method: method.clone(),
                url: redact_url(url.as_str()),
                status: status.as_u16(),
                limit: max,
            },
            // Not retried: another attempt would get the same. A create checks for a 2xx.
            outcome: Outcome::Fatal,
        };
        let announced = resp.content_length();
        if announced.is_some_and(|n| n > max as u64) {
            return Err(too_large());
        }
        let mut body = Vec::with_capacity(announced.unwrap_or(0) as usize);
        loop {
            let chunk = resp.chunk().await.map_err(|e| Failed {
                error: if e.is_timeout() {
                    Error::Timeout { method: method.clone(), url: redact_url(url.as_str()), after: timeout }
                } else {
                    Error::Interrupted {
                        method: method.clone(),
                        url: redact_url(url.as_str()),
                        status: status.as_u16(),
                        reason: root_cause(&e),
                    }
                },
                // The server answered, so it got the request; what it did is unknown.
                outcome: Outcome::Unknown,
            })?;
            let Some(chunk) = chunk else { break };
            // Checked before copying, so the buffer never grows past the cap.
            if body.len() + chunk.len() > max {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer { method: method.clone(), url: url.clone(), status, content_type, location, retry_after, date, body })
    }

    /// A failure before any answer: whether the request got out decides what a retry risks.
    fn transport_failure(&self, method: &Method, url: &Url, e: reqwest::Error) -> Failed {
        let shown = redact_url(url.as_str());
        if let Some(tls) = tls_error(&e) {
            // A refused certificate stays refused.
            use rustls::CertificateError::{NotValidForName, NotValidForNameContext};
            if let rustls::Error::InvalidCertificate(cert @ (NotValidForName | NotValidForNameContext { .. })) = tls {
                let (host, names) = match cert {
                    NotValidForNameContext { expected, presented } => {
                        (expected.to_str().into_owned(), presented.clone())
                    }
                    _ => (url.host_str().unwrap_or_default().to_owned(), Vec::new()),
                };
                let error = Error::CertificateNotValidForHost { url: shown, host, names };
                return Failed { error, outcome: Outcome::Fatal };
            }
            let mut reason = root_cause(&e);
            if matches!(tls, rustls::Error::InvalidCertificate(_)) {
                reason.push_str(
                    " (the server's TLS certificate is not trusted: trust the certificate authority that signed it \
                     by giving its CA certificate, or turn certificate verification off for testing)",
                );
            }
            return Failed { error: Error::Unreachable { url: shown, reason }, outcome: Outcome::Fatal };
        }
        if e.is_builder() {
            return Failed { error: Error::Setup { reason: root_cause(&e) }, outcome: Outcome::Fatal };
        }
        if e.is_connect() {
            let error = if e.is_timeout() {
                self.timeout_error(method, url)
            } else {
                Error::Unreachable { url: shown, reason: root_cause(&e) }
            };
            return Failed { error, outcome: Outcome::NotSent };
        }
        let error = if e.is_timeout() {
            self.timeout_error(method, url)
        } else {
            Error::Dropped { method: method.clone(), url: shown, reason: root_cause(&e) }
        };
        Failed { error, outcome: Outcome::Unknown }
    }

    fn timeout_error(&self, method: &Method, url: &Url) -> Error {
        Error::Timeout { method: method.clone(), url: redact_url(url.as_str()), after: self.inner.timeout }
    }
}

/// Why a wait between attempts ended the call.
enum Halt {
    /// The client was stopped: [`Error::Cancelled`].
    Stopped(Error),
    /// The wait would end past the deadline.
    GiveUp(GiveUp),
}

/// The error of a call that stopped retrying, with its attempts and time; the last error alone
/// when retries are off and nothing else is worth saying.
fn gave_up(last: Error, attempts: u32, deadline: &Deadline, why: GiveUp, maybe_done: bool) -> Error {
    if attempts <= 1 && why == GiveUp::NoRetriesLeft && !maybe_done {
        return last;
    }
    Error::GaveUp { attempts, over: deadline.elapsed(), why, maybe_done, last: Box::new(last) }
}

/// A timeout error naming the limit the attempt really had.
fn took(mut failed: Failed, timeout: Duration) -> Failed {
    if let Error::Timeout { after, .. } = &mut failed.error {
        *after = timeout;
    }
    failed
}

/// What an attempt says for the retry rules, and the server's `Retry-After` if it gave one.
fn outcome_of(result: &Result<Answer, Failed>) -> (Outcome, Option<Duration>) {
    match result {
        Ok(answer) => (
            Outcome::Answered(answer.status.as_u16()),
            answer.retry_after.as_deref().and_then(|v| parse_retry_after(v, SystemTime::now())),
        ),
        Err(f) => (f.outcome, None),
    }
}

/// The error of an attempt, as the API methods would report it.
fn failure_error(result: Result<Answer, Failed>) -> Error {
    match result {
        Ok(answer) => answer.into_error(),
        Err(f) => f.error,
    }
}

/// The rustls error behind a transport failure, if TLS is what failed. An `io::Error`'s
/// `source()` skips the error it wraps (and hyper-rustls wraps io errors in io errors), so
/// wrapped errors are opened too.
fn tls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        cur = match err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

/// Whether a listed integration is what `req` would have made: same name, template and
/// description, and each config value sent is the one the server holds (strings compared as
/// sets of words, since servers may reorder scopes; keys the server does not echo, like
/// secrets, are not compared).
fn same_integration(i: &Integration, req: &NewIntegration) -> bool {
    fn words(s: &str) -> Vec<&str> {
        let mut w: Vec<&str> = s.split_whitespace().collect();
        w.sort_unstable();
        w.dedup();
        w
    }
    let same_value = |sent: &serde_json::Value, held: &serde_json::Value| match (sent, held) {
        (serde_json::Value::String(a), serde_json::Value::String(b)) => words(a) == words(b),
        (a, b) => a == b,
    };
    i.name == req.name
        && i.template == req.template
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

/// Serialises a request body. Cannot fail for the API's types (string keys, JSON values only).
fn json_body<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).expect("request types serialise to JSON infallibly")
}

/// Checks and normalises a server URL; returns it without a trailing slash, plus the API base.
///
/// A path prefix is kept (Connect can live under `https://host/connect/`); a trailing
/// `/__api__` is dropped since people paste API URLs. Credentials in the URL are refused: the
/// API key authenticates, and userinfo would leak into logs and errors.
pub(crate) fn normalise_server_url(raw: &str) -> Result<(String, Url), Error> {
    let invalid = |reason: &str| Error::InvalidServerUrl { value: redact_url(raw), reason: reason.to_owned() };
    let trimmed = raw.trim();
    let mut url = Url::parse(trimmed).map_err(|e| match e {
        url::ParseError::RelativeUrlWithoutBase => invalid("it has no scheme; write it as https://<host>"),
        e => invalid(&e.to_string()),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(if trimmed.contains("://") {
            invalid(&format!("the scheme must be http or https, not `{}`", url.scheme()))
        } else {
            invalid("it has no scheme; write it as https://<host>")
        });
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("it must not contain a user name or password; the API key authenticates"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not contain a query (?) or fragment (#)"));
    }

    let mut path = url.path().trim_end_matches('/');
    if let Some(p) = path.strip_suffix(&format!("/{API_PREFIX}")) {
        path = p.trim_end_matches('/');
    }
    let path = path.to_owned();
    url.set_path(&path);
    let server_url = url.as_str().trim_end_matches('/').to_owned();
    url.set_path(&format!("{path}/{API_PREFIX}"));
    Ok((server_url, url))
}

/// A complete HTTP answer of any status, with what is needed to explain it in an error.
#[derive(Debug)]
pub(crate) struct Answer {
    pub method: Method,
    pub url: Url,
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub retry_after: Option<String>,
    /// The server's clock (`Date`), to tell what it created since a moment.
    pub date: Option<String>,
    pub body: Vec<u8>,
}

/// What a 404 answer says, for deciding whether the object asked for is gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NotFound {
    /// Connect's error for a missing object: code 4, "The requested object does not exist."
    Object,
    /// Connect's error for a path it does not serve: code 2, "The requested endpoint does not
    /// exist." The server lacks this API (too old, or the feature is off): nothing is gone.
    Endpoint,
    /// Neither: an empty or plain-text body, or JSON with another code. Connect's API may have
    /// said "no such object" in words not recorded anywhere, or something else answered.
    Unclear,
    /// An HTML page: a proxy, a load balancer or a wrong path prefix, not the API.
    Page,
}

impl Answer {
    /// A 404 from Connect itself, of any kind but an HTML page. For optional lookups only
    /// (a template definition): whether an object is gone is [`Answer::not_found`]'s question.
    fn is_not_found(&self) -> bool {
        self.status == StatusCode::NOT_FOUND && !self.looks_like_html()
    }

    /// What a 404 says; `None` for any other status.
    fn not_found(&self) -> Option<NotFound> {
        if self.status != StatusCode::NOT_FOUND {
            return None;
        }
        if self.looks_like_html() {
            return Some(NotFound::Page);
        }
        let Some(api) = parse_error_body(&self.body) else { return Some(NotFound::Unclear) };
        let message = api.message.to_ascii_lowercase();
        Some(match api.code {
            Some(4) => NotFound::Object,
            Some(2) => NotFound::Endpoint,
            _ if message.contains("endpoint") => NotFound::Endpoint,
            _ if message.contains("object does not exist") => NotFound::Object,
            _ => NotFound::Unclear,
        })
    }

    fn looks_like_html(&self) -> bool {
        self.content_type.as_deref().is_some_and(|ct| ct.to_ascii_lowercase().contains("html"))
            || self.body.trim_ascii_start().starts_with(b"<")
    }

    /// `Ok` for a 2xx answer, the matching [`Error`] otherwise.
    fn success(self) -> Result<Answer, Error> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(self.into_error())
        }
    }

    /// The body of a 2xx answer decoded as `T`; a body of another shape is an error, not a panic.
    fn json<T: DeserializeOwned>(self) -> Result<T, Error> {
        let answer = self.success()?;
        serde_json::from_slice(&answer.body).map_err(|e| {
            let problem = match e.classify() {
                serde_json::error::Category::Eof if answer.body.trim_ascii().is_empty() => {
                    "expected JSON, got an empty body".to_owned()
                }
                serde_json::error::Category::Eof => "truncated JSON".to_owned(),
                serde_json::error::Category::Syntax => "not JSON".to_owned(),
                _ => format!("JSON of an unexpected shape: {e}"),
            };
            answer.unexpected(problem)
        })
    }

    fn into_error(self) -> Error {
        let method = self.method.clone();
        let url = redact_url(self.url.as_str());
        let status = self.status.as_u16();
        let api = parse_error_body(&self.body);
        match self.status {
            StatusCode::UNAUTHORIZED => Error::Unauthorized { method, url, status, message: api.map(|a| a.message) },
            StatusCode::FORBIDDEN => Error::Forbidden { method, url, status, message: api.map(|a| a.message) },
            s if s.is_redirection() => Error::Redirected {
                method,
                url,
                status,
                location: self.location.as_deref().map(|l| server_text(&redact_url(l), EXCERPT_CHARS)),
            },
            _ => match api {
                Some(api) => Error::Api { method, url, status, code: api.code, message: api.message },
                None => self.unexpected("not Connect's JSON error body".to_owned()),
            },
        }
    }

    fn unexpected(&self, problem: String) -> Error {
        Error::UnexpectedResponse {
            method: self.method.clone(),
            url: redact_url(self.url.as_str()),
            status: self.status.as_u16(),
            problem,
            excerpt: excerpt(&self.body),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(raw: &str) -> (String, String) {
        let (server, base) = normalise_server_url(raw).unwrap();
        (server, base.to_string())
    }

    fn reason(raw: &str) -> String {
        match normalise_server_url(raw) {
            Err(Error::InvalidServerUrl { value, reason }) => format!("{value} | {reason}"),
            other => panic!("{raw}: {other:?}"),
        }
    }

    #[test]
    fn server_urls_normalise() {
        let plain = ("https://host".to_owned(), "https://host/__api__".to_owned());
        assert_eq!(norm("https://host"), plain);
        assert_eq!(norm("https://host/"), plain);
        assert_eq!(norm("  https://HOST//  "), plain);
        assert_eq!(norm("https://host/__api__/"), plain);
        assert_eq!(
            norm("https://host/prefix/"),
            ("https://host/prefix".to_owned(), "https://host/prefix/__api__".to_owned())
        );
        assert_eq!(
            norm("http://host:3939/a/b/__api__"),
            ("http://host:3939/a/b".to_owned(), "http://host:3939/a/b/__api__".to_owned())
        );
        assert_eq!(norm("https://host:443").0, "https://host");
    }

    #[test]
    fn bad_server_urls_are_refused_with_a_reason() {
        assert_eq!(reason("connect.example.com"), "connect.example.com | it has no scheme; write it as https://<host>");
        assert_eq!(
            reason("connect.example.com:3939"),
            "connect.example.com:3939 | it has no scheme; write it as https://<host>"
        );
        assert_eq!(reason("ftp://host"), "ftp://host | the scheme must be http or https, not `ftp`");
        assert!(reason("https://").contains("empty host"));
        let r = reason("https://ho st/");
        assert!(r.starts_with("https://ho st/ | "), "{r}");
        assert_eq!(reason("https://host/?a=b"), "https://host/?a=b | it must not contain a query (?) or fragment (#)");
        assert_eq!(reason(""), " | it has no scheme; write it as https://<host>");
        // Credentials are refused and never echoed.
        let r = reason("https://bob:hunter2@host/");
        assert!(!r.contains("hunter2") && !r.contains("bob"), "{r}");
        assert!(r.contains("user name or password"), "{r}");
    }

    fn config(key: &str, user_agent: &str) -> ClientConfig {
        ClientConfig::new("https://host/", Secret::new(key), user_agent)
    }

    #[test]
    fn new_checks_key_and_user_agent_without_echoing_the_key() {
        let c = Client::new(config(" abc\n", "ua")).unwrap();
        assert_eq!(c.server_url(), "https://host");
        assert_eq!(format!("{c:?}"), "Client { server_url: \"https://host\", .. }");

        let e = Client::new(config("ab\ncd", "ua")).unwrap_err();
        assert!(matches!(e, Error::InvalidApiKey { .. }));
        assert!(!e.to_string().contains("ab\ncd"));
        assert!(matches!(Client::new(config("k", "bad\nua")), Err(Error::Setup { .. })));
        let dbg = format!("{:?}", config("the-key", "ua"));
        assert!(!dbg.contains("the-key"), "{dbg}");
    }

    fn answer(status: u16, content_type: Option<&str>, body: &str) -> Answer {
        Answer {
            method: Method::GET,
            url: Url::parse("https://host/__api__/x").unwrap(),
            status: StatusCode::from_u16(status).unwrap(),
            content_type: content_type.map(str::to_owned),
            location: None,
            retry_after: None,
            date: None,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn not_found_means_connect_said_so() {
        assert!(answer(404, Some("application/json"), r#"{"code":4,"error":"x"}"#).is_not_found());
        assert!(answer(404, None, "").is_not_found());
        assert!(answer(404, Some("text/plain"), "404 page not found").is_not_found());
        assert!(!answer(404, Some("text/html; charset=utf-8"), "Not Found").is_not_found());
        assert!(!answer(404, None, "  <!DOCTYPE html>").is_not_found());
        assert!(!answer(400, None, "").is_not_found());
    }

    #[test]
    fn a_404_says_what_is_missing() {
        let kind = |ct: Option<&str>, body: &str| answer(404, ct, body).not_found();
        let json = Some("application/json");
        assert_eq!(
            kind(json, r#"{"code":4,"error":"The requested object does not exist.","payload":null}"#),
            Some(NotFound::Object)
        );
        assert_eq!(kind(json, r#"{"error":"The requested object does not exist."}"#), Some(NotFound::Object));
        assert_eq!(
            kind(json, r#"{"code":2,"error":"The requested endpoint does not exist.","payload":null}"#),
            Some(NotFound::Endpoint)
        );
        assert_eq!(kind(json, r#"{"code":99,"error":"No such endpoint."}"#), Some(NotFound::Endpoint));
        assert_eq!(kind(json, r#"{"code":17,"error":"Integration not found."}"#), Some(NotFound::Unclear));
        assert_eq!(kind(None, ""), Some(NotFound::Unclear));
        assert_eq!(kind(Some("text/plain"), "404 page not found"), Some(NotFound::Unclear));
        assert_eq!(kind(Some("text/html; charset=utf-8"), "Not Found"), Some(NotFound::Page));
        assert_eq!(kind(None, "  <!DOCTYPE html>"), Some(NotFound::Page));
        assert_eq!(answer(400, None, "").not_found(), None);
        assert_eq!(answer(200, json, "{}").not_found(), None);
    }

    #[test]
    fn any_2xx_is_success() {
        assert!(answer(204, None, "").success().is_ok());
        assert!(answer(201, None, "").success().is_ok());
        let e = answer(500, None, "").success().unwrap_err();
        assert!(matches!(e, Error::UnexpectedResponse { status: 500, .. }), "{e:?}");
        let e = answer(500, None, r#"{"code":1,"error":"boom","payload":{}}"#).success().unwrap_err();
        assert!(matches!(e, Error::Api { status: 500, code: Some(1), .. }), "{e:?}");
    }
}
