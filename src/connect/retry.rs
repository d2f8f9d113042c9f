//! When to try a request again, and how long to wait first.
//!
//! Pure functions, so the rules are tested without a server: [`RetryPolicy::delay`] (capped
//! exponential backoff with jitter, or the server's `Retry-After`), [`parse_retry_after`] and
//! [`next_step`] (which failures may be retried, and when a create must first look for what it
//! may already have made), and [`Deadline`] (the time budget of one client call).

use std::time::{Duration, Instant, SystemTime};

use super::GiveUp;

/// How a client retries.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts after the first; 0 turns retries off.
    pub max_retries: u32,
    /// The wait before the first retry; each further retry doubles it, up to `max_delay`.
    pub base_delay: Duration,
    /// The longest backoff, however many retries came before.
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; a longer one is cut to this.
    pub max_retry_after: Duration,
    /// Multiplies every wait (backoff and `Retry-After` alike): 1 in use, smaller in tests.
    /// Not the decision to give up: a `Retry-After` beyond the deadline ends the call whatever
    /// the scale, so tests see the real rule.
    pub delay_scale: f64,
}

/// [`RetryPolicy::max_retries`] unless set otherwise (the provider's `connect_max_retries`).
pub const DEFAULT_MAX_RETRIES: u32 = 5;

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: DEFAULT_MAX_RETRIES,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(15),
            max_retry_after: Duration::from_secs(60),
            delay_scale: 1.0,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy { max_retries: 0, ..Default::default() }
    }

    /// The wait before retry number `retry` (0 for the first retry).
    ///
    /// Without `Retry-After`: "equal jitter" backoff, half of `min(max_delay, base * 2^retry)`
    /// fixed and half random, so parallel clients spread out yet every wait grows. With it: the
    /// server's wait (at most `max_retry_after`) plus up to `base_delay` of jitter, so clients
    /// told the same second do not all come back at once. `unit` is a random number in [0, 1).
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>, unit: f64) -> Duration {
        let unit = unit.clamp(0.0, 1.0);
        let wait = match retry_after {
            Some(after) => after.min(self.max_retry_after) + self.base_delay.mul_f64(unit),
            None => {
                let exp = self.base_delay.saturating_mul(1u32 << retry.min(16)).min(self.max_delay);
                exp / 2 + (exp / 2).mul_f64(unit)
            }
        };
        wait.mul_f64(self.delay_scale.max(0.0))
    }
}

/// Reads a `Retry-After` header: delay-seconds (`120`) or an HTTP date (`Wed, 21 Oct 2015
/// 07:28:00 GMT`, or the two obsolete date forms). A date in the past means now; anything else
/// is ignored (`None`), and the client falls back to its own backoff.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Absurdly many digits: as long as the longest wait honoured anyway.
        return Some(value.parse().map(Duration::from_secs).unwrap_or(Duration::MAX));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// What one attempt tells about the server's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A whole answer with this status.
    Answered(u16),
    /// The request never reached the server (connection refused, name not resolved).
    NotSent,
    /// The request may have reached the server, and the server may have acted on it: a
    /// timeout, a connection dropped after sending, an answer cut short.
    Unknown,
    /// Trying again cannot help: the TLS certificate was refused, the client was stopped.
    Fatal,
}

/// What to do after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Keep this result, success or error.
    Done,
    /// Try again (if retries remain) after a wait.
    Retry,
    /// A create whose outcome is unknown: look for what it may have made; try again only when
    /// nothing is found.
    LookUpThenRetry,
}

/// Whether and how to retry. `idempotent` requests (GET, PATCH with the full desired values,
/// DELETE) retry freely; a create (POST) is retried only when the server surely did not act
/// (429 and 503 answers, a connection that was never made), and looks first when it cannot know.
pub(crate) fn next_step(idempotent: bool, outcome: Outcome) -> Next {
    let unknown = if idempotent { Next::Retry } else { Next::LookUpThenRetry };
    match outcome {
        // Rate limited, or the server (or the proxy in front of it) is not taking requests.
        Outcome::Answered(429 | 503) => Next::Retry,
        // A gateway that lost its upstream: the request may have got through before that.
        Outcome::Answered(502 | 504) => unknown,
        Outcome::Answered(_) => Next::Done,
        Outcome::NotSent => Next::Retry,
        Outcome::Unknown => unknown,
        Outcome::Fatal => Next::Done,
    }
}

/// The time budget of one client call (a request with its retries, or a create with its
/// retries and look-ups): each attempt gets at most the time left, and no wait ends past it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline {
    start: Instant,
    limit: Duration,
}

impl Deadline {
    pub(crate) fn new(limit: Duration) -> Deadline {
        Deadline { start: Instant::now(), limit }
    }

    pub(crate) fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    pub(crate) fn left(&self) -> Duration {
        self.limit.saturating_sub(self.elapsed())
    }

    /// The limit of the next attempt: the request timeout, cut to the time left (rounded up to
    /// whole milliseconds, so errors quoting it stay readable and an attempt cut short ends at
    /// the deadline, not just before it).
    pub(crate) fn attempt_timeout(&self, request_timeout: Duration) -> Duration {
        let nanos = request_timeout.min(self.left()).as_nanos();
        Duration::from_millis(nanos.div_ceil(1_000_000) as u64)
    }

    /// Why not to wait `wait` (the server having asked for `asked`) before another attempt:
    /// `None` when the wait ends before the deadline.
    pub(crate) fn refuse_wait(&self, wait: Duration, asked: Option<Duration>) -> Option<GiveUp> {
        refuse_wait(self.left(), self.limit, wait, asked)
    }
}

/// [`Deadline::refuse_wait`] with the time left given. A server asking for more than is left
/// (its own value, before any cap or scale) will not be ready in time: waiting less would only
/// hammer it.
fn refuse_wait(left: Duration, limit: Duration, wait: Duration, asked: Option<Duration>) -> Option<GiveUp> {
    if left.is_zero() {
        Some(GiveUp::Deadline { limit })
    } else if let Some(asked) = asked.filter(|a| *a >= left) {
        Some(GiveUp::AskedToWait { wait: asked, limit })
    } else if wait >= left {
        Some(GiveUp::WaitPastDeadline { wait, limit })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_equal_jitter() {
        let p = RetryPolicy::default();
        // The fixed half and the whole, at the two ends of the jitter.
        for (retry, full) in [(0, 500), (1, 1000), (2, 2000), (3, 4000), (4, 8000), (5, 15_000), (30, 15_000)] {
            assert_eq!(p.delay(retry, None, 0.0), ms(full / 2), "retry {retry}");
            assert_eq!(p.delay(retry, None, 1.0), ms(full), "retry {retry}");
            let mid = p.delay(retry, None, 0.5);
            assert!(mid > ms(full / 2) && mid < ms(full), "retry {retry}: {mid:?}");
        }
        // Out-of-range randomness is clamped, never negative or beyond the cap.
        assert_eq!(p.delay(0, None, -3.0), ms(250));
        assert_eq!(p.delay(0, None, 7.0), ms(500));
        assert_eq!(p.delay(u32::MAX, None, 1.0), ms(15_000));
    }

    #[test]
    fn retry_after_wins_over_backoff_and_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(4, Some(Duration::from_secs(2)), 0.0), Duration::from_secs(2));
        assert_eq!(p.delay(0, Some(Duration::from_secs(2)), 1.0), ms(2500));
        assert_eq!(p.delay(0, Some(Duration::ZERO), 0.0), Duration::ZERO);
        assert_eq!(p.delay(0, Some(Duration::from_secs(3600)), 0.0), Duration::from_secs(60));
        assert_eq!(p.delay(0, Some(Duration::MAX), 0.0), Duration::from_secs(60));
    }

    #[test]
    fn scale_shrinks_every_wait() {
        let p = RetryPolicy { delay_scale: 0.01, ..Default::default() };
        assert_eq!(p.delay(0, Some(Duration::from_secs(1)), 0.0), ms(10));
        assert_eq!(p.delay(1, None, 1.0), ms(10));
        let p = RetryPolicy { delay_scale: -1.0, ..Default::default() };
        assert_eq!(p.delay(1, None, 1.0), Duration::ZERO);
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("99999999999999999999999", now), Some(Duration::MAX));
        // IMF-fixdate, and the obsolete RFC 850 and asctime forms.
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Wednesday, 21-Oct-15 07:29:00 GMT", now), Some(Duration::from_secs(60)));
        assert_eq!(parse_retry_after("Wed Oct 21 07:28:05 2015", now), Some(Duration::from_secs(5)));
        // A date already past means "now".
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Some(Duration::ZERO));
        for bad in ["", "-1", "1.5", "soon", "12 s", "Wed, 32 Oct 2015 07:28:00 GMT"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn reads_updates_and_deletes_retry_freely() {
        for outcome in [
            Outcome::Answered(429),
            Outcome::Answered(502),
            Outcome::Answered(503),
            Outcome::Answered(504),
            Outcome::NotSent,
            Outcome::Unknown,
        ] {
            assert_eq!(next_step(true, outcome), Next::Retry, "{outcome:?}");
        }
        for outcome in [
            Outcome::Answered(200),
            Outcome::Answered(204),
            Outcome::Answered(400),
            Outcome::Answered(401),
            Outcome::Answered(404),
            Outcome::Answered(500),
            Outcome::Fatal,
        ] {
            assert_eq!(next_step(true, outcome), Next::Done, "{outcome:?}");
        }
    }

    #[test]
    fn creates_retry_only_when_the_server_surely_did_not_act() {
        assert_eq!(next_step(false, Outcome::Answered(429)), Next::Retry);
        assert_eq!(next_step(false, Outcome::Answered(503)), Next::Retry);
        assert_eq!(next_step(false, Outcome::NotSent), Next::Retry);
        // It may have acted: look before trying again.
        assert_eq!(next_step(false, Outcome::Unknown), Next::LookUpThenRetry);
        assert_eq!(next_step(false, Outcome::Answered(502)), Next::LookUpThenRetry);
        assert_eq!(next_step(false, Outcome::Answered(504)), Next::LookUpThenRetry);
        // Any other answer is final: a 500 may have made the object, a 400 did not.
        for status in [200, 400, 409, 500] {
            assert_eq!(next_step(false, Outcome::Answered(status)), Next::Done, "{status}");
        }
        assert_eq!(next_step(false, Outcome::Fatal), Next::Done);
    }

    #[test]
    fn waits_past_the_deadline_are_refused() {
        let (limit, s) = (Duration::from_secs(300), Duration::from_secs);
        assert_eq!(refuse_wait(s(10), limit, s(1), None), None);
        assert_eq!(refuse_wait(s(10), limit, s(1), Some(s(1))), None);
        assert_eq!(refuse_wait(Duration::ZERO, limit, Duration::ZERO, None), Some(GiveUp::Deadline { limit }));
        // The server's own value counts, not the capped or scaled wait.
        assert_eq!(
            refuse_wait(s(10), limit, ms(600), Some(s(3600))),
            Some(GiveUp::AskedToWait { wait: s(3600), limit })
        );
        assert_eq!(refuse_wait(s(2), limit, s(2), None), Some(GiveUp::WaitPastDeadline { wait: s(2), limit }));
    }

    #[test]
    fn attempts_get_at_most_the_time_left() {
        let d = Deadline::new(Duration::from_secs(3));
        assert_eq!(d.attempt_timeout(Duration::from_secs(1)), Duration::from_secs(1));
        let cut = d.attempt_timeout(Duration::from_secs(60));
        assert!(cut <= Duration::from_secs(3) && cut > Duration::from_secs(2), "{cut:?}");
        assert_eq!(cut.subsec_nanos() % 1_000_000, 0, "whole milliseconds");
        let spent = Deadline { start: Instant::now() - Duration::from_secs(5), limit: Duration::from_secs(3) };
        assert_eq!(spent.left(), Duration::ZERO);
        assert_eq!(spent.attempt_timeout(Duration::from_secs(60)), Duration::ZERO);
        assert_eq!(spent.refuse_wait(Duration::ZERO, None), Some(GiveUp::Deadline { limit: Duration::from_secs(3) }));
    }
}
