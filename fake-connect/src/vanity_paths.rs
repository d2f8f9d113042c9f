//! What Connect accepts as a vanity path, and the form it stores it in.
//!
//! From Connect's API reference for `PUT /v1/content/{guid}/vanity` (as generated clients of
//! older releases copy it, and posit-sdk-py's `vanities.py` repeats it): a path consists of
//! letters, digits, `-`, `_` and `/`; the root `/` and anything under `/__` are refused, and so are
//! the prefixes `/favicon.ico`, `/connect`, `/apps`, `/users`, `/groups`, `/setpassword`,
//! `/user-completion`, `/confirm`, `/recent`, `/reports`, `/plots`, `/unpublished`, `/settings`,
//! `/metrics`, `/tokens`, `/help`, `/login`, `/welcome`, `/register`, `/resetpassword` and
//! `/content`. Connect's cookbook shows a path answered as `/shakespeare/`: leading and trailing
//! slash.
//!
//! What the sources leave open, the fake decides strictly:
//! - Normal form: a path is answered with one leading and one trailing `/`, repeated slashes
//!   collapsed (`finance//q1` is `/finance/q1/`); the case is kept.
//! - A reserved prefix is a whole first segment compared without case (`/Connect/x/` is refused,
//!   `/connected/` is not; rsconnect's issue 349 quotes Connect's message "may not begin with
//!   '/connect/'"). Anything under `/__` is refused, whatever follows the two underscores.
//! - Refusals are 400 with code 52 (ProhibitedVanityPath), the message naming the path.

use axum::http::StatusCode;

use crate::errors::{code, ApiError};

/// The first segments Connect keeps for itself (besides anything starting with `__`).
pub(crate) const RESERVED: [&str; 21] = [
    "favicon.ico",
    "connect",
    "apps",
    "users",
    "groups",
    "setpassword",
    "user-completion",
    "confirm",
    "recent",
    "reports",
    "plots",
    "unpublished",
    "settings",
    "metrics",
    "tokens",
    "help",
    "login",
    "welcome",
    "register",
    "resetpassword",
    "content",
];

fn prohibited(path: &str, why: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code::PROHIBITED_VANITY_PATH, format!("The vanity path {path:?} {why}."))
}

/// The path as Connect stores and answers it (`/a/b/`), or the refusal of a path it does not
/// accept.
pub(crate) fn normalise(sent: &str) -> Result<String, ApiError> {
    if let Some(c) = sent.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/'))) {
        return Err(prohibited(sent, &format!("has {c:?}: only letters, digits, '-', '_' and '/' are allowed")));
    }
    let segments: Vec<&str> = sent.split('/').filter(|s| !s.is_empty()).collect();
    let Some(first) = segments.first() else {
        return Err(prohibited(sent, "is the root path"));
    };
    if first.starts_with("__") {
        return Err(prohibited(sent, "is under /__, which Connect keeps for itself"));
    }
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(first)) {
        return Err(prohibited(sent, &format!("starts with /{first}/, which Connect keeps for itself")));
    }
    Ok(format!("/{}/", segments.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_get_a_leading_and_a_trailing_slash() {
        for (sent, stored) in [
            ("shakespeare", "/shakespeare/"),
            ("/shakespeare", "/shakespeare/"),
            ("shakespeare/", "/shakespeare/"),
            ("/shakespeare/", "/shakespeare/"),
            ("//finance//Q1_report-2", "/finance/Q1_report-2/"),
            ("connected", "/connected/"),
            ("apps_of_mine", "/apps_of_mine/"),
            ("team/connect", "/team/connect/"),
        ] {
            assert_eq!(normalise(sent).as_deref(), Ok(stored), "{sent}");
        }
    }

    #[test]
    fn reserved_and_malformed_paths_are_refused() {
        for sent in [
            "",
            "/",
            "//",
            "__api__",
            "/__anything/x",
            "/connect",
            "/Connect/x",
            "content/",
            "/apps/mine",
            "favicon.ico",
            "has space",
            "dotted.name",
            "q?x=1",
            "ü",
            "../up",
        ] {
            let e = normalise(sent).unwrap_err();
            assert_eq!((e.status.as_u16(), e.code), (400, 52), "{sent}");
        }
    }
}
