//! The time, as Connect writes it in answers.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Now, as Connect writes times: RFC 3339, UTC, whole seconds, `Z`.
pub(crate) fn now() -> String {
    let now = OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&Rfc3339).expect("a UTC time always formats")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_whole_seconds_in_utc() {
        let t = now();
        assert_eq!(t.len(), "2025-08-06T23:06:42Z".len(), "{t}");
        assert!(t.ends_with('Z'));
    }
}
