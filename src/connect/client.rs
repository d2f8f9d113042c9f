//! The HTTP client: one pooled `reqwest::Client` behind an `Arc`, one method per API call. This
//! file holds [`Client`], its construction and the one retry loop every call goes through,
//! creates included; the rest sits beside it: `settings` (the [`ClientConfig`] and what it
//! builds), `transport` (one attempt), and one file per part of the API (`integrations`,
//! `associations`, `content`, `templates`, `server`).
//!
//! Layering: [`Client::attempt`] makes a single attempt and returns any HTTP answer as an
//! [`Answer`] (or a [`Failed`] attempt that says whether the server may have acted); the retry
//! loop ([`Client::call`]) decides from that, by the rules in [`super::retry`], whether to try
//! again, and what a call's [`Recovery`] does where the calls differ: a read, update or delete
//! ([`SendAgain`], through [`Client::send`]) is sent again, a create
//! ([`Client::create_integration`]) looks for what it may have made first; the API methods
//! then turn an `Answer` into a value or an [`Error`].
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

use reqwest::Method;
use serde::Serialize;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::error::redact_url;
use super::retry::{next_step, parse_retry_after, Deadline, Next, Outcome, RetryPolicy};
use super::{Config, Error, GiveUp};
use settings::{normalise_server_url, ServerUrl};
use transport::{Answer, Failed};

pub(crate) mod associations;
pub(crate) mod content;
mod integrations;
pub(crate) mod principals;
pub(crate) mod server;
mod settings;
pub(crate) mod templates;
mod transport;

pub use settings::{ClientConfig, SecretHook, TlsOptions, DEFAULT_OPERATION_TIMEOUT, DEFAULT_TIMEOUT};
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
    on_secret: SecretHook,
    max_body: usize,
    /// The server's templates, asked for once (`Client::templates`).
    templates: super::ServerTemplates,
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
    ///
    /// The key goes to the [`SecretHook`] first, even when the configuration is then refused.
    pub fn new(cfg: ClientConfig) -> Result<Client, Error> {
        cfg.on_secret.hand(&cfg.api_key);
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
                on_secret: cfg.on_secret,
                max_body: cfg.max_body,
                templates: Default::default(),
            }),
        })
    }

    /// The client's one [`ServerTemplates`](super::ServerTemplates).
    pub(crate) fn server_templates(&self) -> &super::ServerTemplates {
        &self.inner.templates
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

    /// Hands each secret of a config about to be sent to the [`SecretHook`].
    fn hand_secrets(&self, config: &Config) {
        config.secrets.values().for_each(|s| self.inner.on_secret.hand(s));
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
        self.call(&method, &url, None, &deadline, NotConnected::Report, &SendAgain).await
    }

    /// [`Client::send`] within a deadline shared with other requests of the same call.
    async fn send_within(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
        deadline: &Deadline,
    ) -> Result<Answer, Error> {
        self.call(method, url, body, deadline, NotConnected::Retry, &SendAgain).await
    }

    /// The retry loop every call goes through, from the first attempt to the call's value:
    /// [`next_step`] says whether an attempt ends the call, is tried again after a wait, or (for
    /// a request that must not be repeated blindly, a create) is looked for first; `recovery`
    /// says what the call is (see [`Recovery`]), `not_connected` what a connection never made
    /// leads to.
    ///
    /// Once an attempt of an unrepeatable request may have been acted on, the call "may have
    /// done it": giving up (out of retries or of time) says so (`maybe_done` of
    /// [`Error::GaveUp`]), as does a stop ([`Error::Cancelled`] with `in_flight`), and every
    /// search looks from the start of that first uncertain attempt.
    async fn call<R: Recovery>(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
        deadline: &Deadline,
        not_connected: NotConnected,
        recovery: &R,
    ) -> Result<R::Out, Error> {
        let mut uncertain_since: Option<Instant> = None;
        let mut retry = 0;
        loop {
            let sent_at = Instant::now();
            let result = self.attempt(method, url, body, retry + 1, deadline).await;
            let (outcome, retry_after) = outcome_of(&result);
            let give_up =
                |result, why, maybe_done| gave_up(failure_error(result), retry + 1, deadline, why, maybe_done);
            if not_connected == NotConnected::Report && outcome == Outcome::NotSent {
                return Err(failure_error(result));
            }
            match next_step(R::REPEATABLE, outcome) {
                Next::Done => {
                    // A 2xx whose body cannot be read, or is too large to, still made what an
                    // unrepeatable request makes: look for it before reporting the error.
                    let (made, value) = match result {
                        Ok(answer) => (answer.status.is_success(), recovery.value(answer)),
                        Err(f) => (matches!(f.error, Error::TooLarge { status: 200..=299, .. }), Err(f.error)),
                    };
                    return match value {
                        Err(e) if made && !R::REPEATABLE => match recovery.search(self, sent_at, deadline).await {
                            Ok(Some(found)) => Ok(found),
                            _ => Err(e),
                        },
                        other => other,
                    };
                }
                Next::Retry => {
                    let maybe_done = uncertain_since.is_some();
                    if let Some(why) = self.no_more(retry, deadline) {
                        return Err(give_up(result, why, maybe_done));
                    }
                    match self.pause(method, url, retry, retry_after, &result, deadline).await {
                        Ok(()) => {}
                        // An earlier attempt was sent, and may have made it.
                        Err(Halt::Stopped(_)) if maybe_done => return Err(self.cancelled(method, url, true)),
                        Err(Halt::Stopped(e)) => return Err(e),
                        Err(Halt::GiveUp(why)) => return Err(give_up(result, why, maybe_done)),
                    }
                }
                Next::LookUpThenRetry => {
                    let since = *uncertain_since.get_or_insert(sent_at);
                    let mut why = self.no_more(retry, deadline);
                    // A slow server may still be making it: give it the backoff's time first,
                    // unless that ends past the deadline (then look at once, and give up).
                    if why.is_none() {
                        match self.pause(method, url, retry, retry_after, &result, deadline).await {
                            Ok(()) => {}
                            // Stopped while waiting: the request was sent, and may have made it.
                            Err(Halt::Stopped(_)) => return Err(self.cancelled(method, url, true)),
                            Err(Halt::GiveUp(w)) => why = Some(w),
                        }
                    }
                    if deadline.left().is_zero() {
                        let limit = self.inner.operation_timeout;
                        return Err(give_up(result, GiveUp::Deadline { limit }, true));
                    }
                    match recovery.search(self, since, deadline).await {
                        Ok(Some(found)) => return Ok(found),
                        Ok(None) if why.is_none() => {}
                        Err(e @ Error::AmbiguousCreate { .. }) => return Err(e),
                        Err(Error::Cancelled { .. }) => return Err(self.cancelled(method, url, true)),
                        // Without knowing, another attempt could make a second one.
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

/// What sets one call apart in [`Client::call`]'s loop: its value, and what follows an attempt
/// the server may have acted on without saying what it did (a timeout, a connection dropped
/// after sending, a 502 or 504, an answer cut short). [`SendAgain`] for a request that may be
/// repeated; a create brings its search (`integrations::FindCreated`).
pub(super) trait Recovery {
    /// What the call returns.
    type Out;

    /// Whether such an attempt may simply be sent again (GET, DELETE, a PATCH or PUT of desired
    /// values). When not (a create), it never is while what it did is unknown: the call
    /// [`Recovery::search`]es first, and sends it again only when that finds nothing.
    const REPEATABLE: bool;

    /// The call's value from the answer that ends it, whatever its status.
    fn value(&self, answer: Answer) -> Result<Self::Out, Error>;

    /// What an unrepeatable request made from `since` on (this machine's clock), asked of the
    /// server within `deadline`: `None` when nothing, [`Error::AmbiguousCreate`] when several
    /// could be it. Never called for a repeatable one.
    async fn search(&self, client: &Client, since: Instant, deadline: &Deadline) -> Result<Option<Self::Out>, Error>;
}

/// The [`Recovery`] of a request that may be repeated: its value is the answer itself.
struct SendAgain;

impl Recovery for SendAgain {
    type Out = Answer;
    const REPEATABLE: bool = true;

    fn value(&self, answer: Answer) -> Result<Answer, Error> {
        Ok(answer)
    }

    async fn search(&self, _: &Client, _: Instant, _: &Deadline) -> Result<Option<Answer>, Error> {
        Ok(None)
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

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::connect::client_tests::fast_retries;
    use crate::connect::test_server::{Reply, TestServer};
    use crate::connect::Secret;

    /// A [`Recovery`] that records where each search looks from, and finds something at its
    /// `finds_at`th search.
    struct Probe<const REPEATABLE: bool> {
        searches: Mutex<Vec<Instant>>,
        finds_at: usize,
    }

    impl<const R: bool> Probe<R> {
        fn new(finds_at: usize) -> Self {
            Probe { searches: Mutex::default(), finds_at }
        }
    }

    impl<const R: bool> Recovery for Probe<R> {
        type Out = String;
        const REPEATABLE: bool = R;

        fn value(&self, answer: Answer) -> Result<String, Error> {
            Ok(answer.status.to_string())
        }

        async fn search(&self, _: &Client, since: Instant, _: &Deadline) -> Result<Option<String>, Error> {
            let mut searches = self.searches.lock().unwrap();
            searches.push(since);
            Ok((searches.len() == self.finds_at).then(|| "found".to_owned()))
        }
    }

    async fn call<const R: bool>(server: &TestServer, probe: &Probe<R>) -> Result<String, Error> {
        let mut cfg = ClientConfig::new(server.url(), Secret::new("k"), "t");
        cfg.retry = fast_retries(3);
        let client = Client::new(cfg).unwrap();
        let url = client.endpoint(&["x"]);
        let deadline = Deadline::new(client.inner.operation_timeout);
        client.call(&Method::POST, &url, Some(b"{}"), &deadline, NotConnected::Retry, probe).await
    }

    #[tokio::test]
    async fn an_unrepeatable_request_searches_from_its_first_uncertain_attempt_until_found() {
        let server = TestServer::always(Reply::empty(502)).await;
        let probe = Probe::<false>::new(2);
        assert_eq!(call(&server, &probe).await.unwrap(), "found");
        // Sent again only after the first search found nothing; the second looked from the
        // same moment, since the first attempt may have acted as well.
        assert_eq!(server.seen().len(), 2);
        let searches = probe.searches.lock().unwrap();
        assert_eq!(searches.len(), 2);
        assert_eq!(searches[0], searches[1]);
    }

    #[tokio::test]
    async fn a_repeatable_request_is_sent_again_and_never_searched_for() {
        let server = TestServer::always(Reply::empty(502)).await;
        let probe = Probe::<true>::new(1);
        let e = call(&server, &probe).await.unwrap_err();
        assert!(matches!(e, Error::GaveUp { attempts: 4, maybe_done: false, .. }), "{e:?}");
        assert_eq!(server.seen().len(), 4);
        assert!(probe.searches.lock().unwrap().is_empty());
    }
}
