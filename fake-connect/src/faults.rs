//! Faults the fake injects on purpose, to test how clients cope: rate limits and unavailability
//! (429/503 with `Retry-After`), slow answers, connections dropped after the request was read
//! and acted on (the answer lost, the change made), and oversized answers (a 200 of many
//! megabytes, streamed without a `Content-Length`, the request not acted on).
//!
//! Some are hostile: what a misconfigured proxy, a buggy server version or an attacker in the
//! middle could answer. An error that echoes the request body ([`FaultAction::EchoBody`]) or
//! its headers in an HTML page ([`FaultAction::EchoHeaders`]), an error message of the test's
//! choosing (terminal escape sequences, megabytes: [`FaultAction::Message`]), and a list naming
//! an object twice ([`FaultAction::DuplicateInList`]). The server also reveals secrets when told
//! to ([`crate::Store::set_reveal_secrets`]).
//!
//! Each [`Fault`] counts the requests it applies to (all, or one method's, or one path's) and
//! fires on every Nth of them. Set them on a running server through its [`Faults`] handle:
//!
//! ```no_run
//! use fake_connect::{Fault, FakeConnect, Options};
//! let server = FakeConnect::spawn(Options::new("admin-key"));
//! server.faults().set(vec![Fault::refuse(3, 429, Some("1")), Fault::drop_after_acting(4).only("POST")]);
//! ```

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// What a fault does to the request it fires on.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultAction {
    /// Answer `status` (429, 503...) with a Connect-style JSON error and, when given, this
    /// `Retry-After` value, without acting on the request.
    Refuse {
        /// The error status.
        status: u16,
        /// The `Retry-After` header's value, sent as given (seconds, an HTTP date, or anything
        /// a client must survive).
        retry_after: Option<String>,
    },
    /// Wait this long before handling the request (on top of [`crate::Options::latency`]).
    Delay(Duration),
    /// Handle the request (a POST creates, a DELETE deletes), then close the connection without
    /// answering.
    DropAfterActing,
    /// Answer `status` with a Connect-style JSON error whose message quotes the request body
    /// (secrets included), without acting.
    EchoBody {
        /// The error status.
        status: u16,
    },
    /// Answer `status` with an HTML error page listing the request's headers (the API key
    /// included), without acting.
    EchoHeaders {
        /// The error status.
        status: u16,
    },
    /// Answer `status` with a Connect-style JSON error carrying this message, without acting.
    Message {
        /// The error status.
        status: u16,
        /// The body's `error` text.
        message: String,
    },
    /// Answer `status` with Connect's error body carrying this code and message, without acting:
    /// a refusal a real server gives for what the fake's own rules accept (an Entra ID tenant
    /// Connect finds invalid: 204 InvalidOAuthTenantId).
    Refusal {
        /// The error status.
        status: u16,
        /// Connect's error code, e.g. 204.
        code: i64,
        /// The body's `error` text.
        message: String,
    },
    /// Handle the request; if the answer is a JSON array, name its first item twice.
    DuplicateInList,
    /// Answer 200 with a JSON array of `bytes` bytes instead of handling the request, streamed
    /// in chunks without a `Content-Length` (never whole in memory), so a client must count.
    Oversized {
        /// The size of the answer.
        bytes: u64,
    },
}

impl FaultAction {
    /// The action's kind, as a `--fault` SPEC starts (`refuse`, `drop`, `echo-body`...).
    pub fn kind(&self) -> &'static str {
        match self {
            FaultAction::Refuse { .. } => "refuse",
            FaultAction::Delay(_) => "delay",
            FaultAction::DropAfterActing => "drop",
            FaultAction::EchoBody { .. } => "echo-body",
            FaultAction::EchoHeaders { .. } => "echo-headers",
            FaultAction::Message { .. } => "message",
            FaultAction::Refusal { .. } => "refusal",
            FaultAction::DuplicateInList => "duplicate-list",
            FaultAction::Oversized { .. } => "oversized",
        }
    }
}

/// One fault: an action on every Nth request it applies to.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    /// The method it applies to (`"POST"`), or every method.
    pub method: Option<String>,
    /// The path it applies to (`"/__api__/v1/oauth/integrations"`, exactly), or every path.
    pub path: Option<String>,
    /// Fires on the Nth, 2Nth, 3Nth... request it applies to; 1 fires on each, 0 never.
    pub every: u64,
    /// What it does when it fires.
    pub action: FaultAction,
}

impl Fault {
    /// Every `every`th request answered `status` with `Retry-After: retry_after`.
    pub fn refuse(every: u64, status: u16, retry_after: Option<&str>) -> Fault {
        Fault::new(every, FaultAction::Refuse { status, retry_after: retry_after.map(str::to_string) })
    }

    /// Every `every`th request gets `action`, whatever its method and path.
    pub fn new(every: u64, action: FaultAction) -> Fault {
        Fault { method: None, path: None, every, action }
    }

    /// Every `every`th request delayed by `by`.
    pub fn delay(every: u64, by: Duration) -> Fault {
        Fault::new(every, FaultAction::Delay(by))
    }

    /// Every `every`th request acted on, then its connection dropped without an answer.
    pub fn drop_after_acting(every: u64) -> Fault {
        Fault::new(every, FaultAction::DropAfterActing)
    }

    /// Every `every`th request answered with a 200 body of `bytes` bytes.
    pub fn oversized(every: u64, bytes: u64) -> Fault {
        Fault::new(every, FaultAction::Oversized { bytes })
    }

    /// The same fault, for one method only.
    pub fn only(mut self, method: &str) -> Fault {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    /// The same fault, for one path only (compared exactly, without the query).
    pub fn on_path(mut self, path: &str) -> Fault {
        self.path = Some(path.to_string());
        self
    }

    fn applies_to(&self, method: &str, path: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.path.as_deref().is_none_or(|p| p == path)
    }
}

/// What the faults decided for one request.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Decision {
    pub delay: Duration,
    /// An answer given instead of handling the request: a [`FaultAction::Refuse`],
    /// [`FaultAction::Oversized`], [`FaultAction::EchoBody`], [`FaultAction::EchoHeaders`] or
    /// [`FaultAction::Message`].
    pub answer: Option<FaultAction>,
    pub drop_after: bool,
    pub duplicate_in_list: bool,
}

#[derive(Debug, Default)]
struct State {
    faults: Vec<(Fault, u64)>,
    fired: u64,
}

/// A running server's faults, shared with the server. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    inner: Arc<Mutex<State>>,
}

impl Faults {
    /// None yet: every request is handled as Connect would.
    pub fn new() -> Faults {
        Faults::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Replaces the faults; their counts start again from zero.
    pub fn set(&self, faults: Vec<Fault>) {
        self.lock().faults = faults.into_iter().map(|f| (f, 0)).collect();
    }

    /// No more faults.
    pub fn clear(&self) {
        self.set(Vec::new());
    }

    /// How many times a fault has fired since the server started.
    pub fn fired(&self) -> u64 {
        self.lock().fired
    }

    /// Counts a request against every fault and says what to do with it. An answer instead of
    /// handling wins over a drop (a refused request is not acted on), the first such fault over
    /// later ones; delays add up.
    pub(crate) fn decide(&self, method: &str, path: &str) -> Decision {
        let mut state = self.lock();
        let mut decision = Decision::default();
        let mut fired = 0;
        for (fault, count) in state.faults.iter_mut() {
            if !fault.applies_to(method, path) {
                continue;
            }
            *count += 1;
            if fault.every == 0 || *count % fault.every != 0 {
                continue;
            }
            fired += 1;
            match &fault.action {
                FaultAction::Delay(by) => decision.delay += *by,
                FaultAction::DropAfterActing => decision.drop_after = true,
                FaultAction::DuplicateInList => decision.duplicate_in_list = true,
                answer => {
                    decision.answer.get_or_insert_with(|| answer.clone());
                }
            }
        }
        if decision.answer.is_some() {
            decision.drop_after = false;
        }
        state.fired += fired;
        decision
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_fire_on_every_nth_matching_request() {
        let faults = Faults::new();
        faults.set(vec![
            Fault::refuse(3, 429, Some("1")),
            Fault::drop_after_acting(2).only("post"),
            Fault::delay(2, Duration::from_millis(5)),
        ]);
        let decisions: Vec<Decision> =
            ["GET", "POST", "GET", "POST", "POST", "GET"].iter().map(|m| faults.decide(m, "/p")).collect();
        // Refusals: the 3rd and 6th requests.
        assert_eq!(decisions[2].answer, Some(FaultAction::Refuse { status: 429, retry_after: Some("1".into()) }));
        assert_eq!(decisions[5].answer, Some(FaultAction::Refuse { status: 429, retry_after: Some("1".into()) }));
        assert_eq!(decisions.iter().filter(|d| d.answer.is_some()).count(), 2);
        // Drops: the 2nd POST (the 4th request); the 4th POST never came.
        assert!(decisions[3].drop_after);
        assert_eq!(decisions.iter().filter(|d| d.drop_after).count(), 1);
        // Delays: every 2nd request.
        assert_eq!(decisions[1].delay, Duration::from_millis(5));
        assert_eq!(decisions[0].delay, Duration::ZERO);
        assert_eq!(faults.fired(), 2 + 1 + 3);

        // A refusal wins over a drop on the same request.
        faults.set(vec![Fault::drop_after_acting(1), Fault::refuse(1, 503, None)]);
        assert_eq!(
            faults.decide("POST", "/p"),
            Decision { answer: Some(FaultAction::Refuse { status: 503, retry_after: None }), ..Decision::default() }
        );
        faults.set(vec![Fault::refuse(0, 503, None)]);
        assert_eq!(faults.decide("GET", "/p"), Decision::default());
        faults.clear();
        assert_eq!(faults.decide("GET", "/p"), Decision::default());
    }

    #[test]
    fn faults_can_target_one_path_and_the_first_answer_wins() {
        let faults = Faults::new();
        let list = "/__api__/v1/oauth/integrations";
        faults.set(vec![
            Fault::delay(1, Duration::from_millis(5)).only("GET").on_path(list),
            Fault::new(1, FaultAction::Message { status: 500, message: "first".into() }).only("POST"),
            Fault::new(1, FaultAction::EchoBody { status: 400 }),
            Fault::new(1, FaultAction::DuplicateInList).on_path(list),
        ]);
        let d = faults.decide("GET", list);
        assert_eq!(d.delay, Duration::from_millis(5));
        assert!(d.duplicate_in_list);
        assert_eq!(d.answer, Some(FaultAction::EchoBody { status: 400 }));
        let d = faults.decide("GET", "/__api__/v1/oauth/integrations/x");
        assert_eq!((d.delay, d.duplicate_in_list), (Duration::ZERO, false));
        let d = faults.decide("POST", list);
        assert_eq!(d.answer, Some(FaultAction::Message { status: 500, message: "first".into() }));
    }

    #[test]
    fn oversized_answers_replace_the_handling() {
        let faults = Faults::new();
        faults.set(vec![Fault::oversized(2, 70 << 20).only("GET"), Fault::drop_after_acting(1)]);
        assert_eq!(faults.decide("GET", "/p").answer, None);
        let second = faults.decide("GET", "/p");
        assert_eq!(second.answer, Some(FaultAction::Oversized { bytes: 70 << 20 }));
        assert!(!second.drop_after, "an oversized answer is not acted on, so nothing is dropped");
        assert_eq!(faults.decide("POST", "/p").answer, None);
        // The first answering fault wins.
        faults.set(vec![Fault::refuse(1, 429, None), Fault::oversized(1, 10)]);
        let d = faults.decide("GET", "/p");
        assert_eq!(d.answer, Some(FaultAction::Refuse { status: 429, retry_after: None }));
    }
}
