//! The HTTP client: one pooled `reqwest::Client` behind an `Arc`, one method per API call. This
//! file holds [`Client`], its construction and the retry loop every repeatable call goes through;
//! the rest sits beside it: `settings` (the [`ClientConfig`] and what it builds), `transport` (one
//! attempt), and one file per part of the API (`integrations`, `associations`, `templates`,
//! `server`).
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
use std::time::{Duration, SystemTime};

use reqwest::Method;
use serde::Serialize;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::error::redact_url;
use super::retry::{next_step, parse_retry_after, Deadline, Next, Outcome, RetryPolicy};
use super::{Error, GiveUp};
use settings::{normalise_server_url, ServerUrl};
use transport::{Answer, Failed};

pub mod associations;
mod integrations;
pub mod server;
mod settings;
pub mod templates;
mod transport;

pub use settings::{ClientConfig, TlsOptions, DEFAULT_TIMEOUT};
pub use transport::CREATE_GRACE;

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

impl Client {
    /// Validates the configuration and builds the client; makes no request.
    ///
    /// Surrounding whitespace in the API key is dropped: keys never contain any, and a key read
    /// from a file usually ends with a newline.
    pub fn new(cfg: ClientConfig) -> Result<Client, Error> {
        let ServerUrl { shown: server_url, api_base: base } = normalise_server_url(&cfg.server_url)?;
        let http = cfg.http_client()?;
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

    fn endpoint(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.base.clone();
        url.path_segments_mut().expect("an http(s) URL with a host always has path segments").extend(segments);
        url
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
        self.send_retrying(&method, &url, None, &deadline, NotConnected::Report).await
    }

    /// [`Client::send`] within a deadline shared with other requests of the same call.
    async fn send_within(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
        deadline: &Deadline,
    ) -> Result<Answer, Error> {
        self.send_retrying(method, url, body, deadline, NotConnected::Retry).await
    }

    /// The retry loop of [`Client::send_within`] and [`Client::send_checked`], which differ in
    /// what a connection never made leads to.
    async fn send_retrying(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
        deadline: &Deadline,
        not_connected: NotConnected,
    ) -> Result<Answer, Error> {
        let mut retry = 0;
        loop {
            let result = self.attempt(method, url, body, retry + 1, deadline).await;
            let (outcome, retry_after) = outcome_of(&result);
            if next_step(true, outcome) == Next::Done
                || (not_connected == NotConnected::Report && outcome == Outcome::NotSent)
            {
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
}

/// What a connection that could not be made (refused, a name that does not resolve) leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NotConnected {
    /// Another attempt, like any failure the server surely did not act on.
    Retry,
    /// The error at once: when checking the settings it almost always means a wrong URL.
    Report,
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

/// Serialises a request body. Cannot fail for the API's types (string keys, JSON values only).
fn json_body<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).expect("request types serialise to JSON infallibly")
}

/// A guid as one path segment of a request, refused when it cannot be one: the url crate drops
/// "." and ".." segments and an empty one changes the path too, which would turn a GET of one
/// object into the list (or a PUT onto another path).
fn guid_segment(guid: &str) -> Result<&str, Error> {
    match guid {
        "" | "." | ".." => Err(Error::InvalidGuid { guid: guid.into() }),
        _ => Ok(guid),
    }
}
