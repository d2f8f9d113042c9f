//! A string that must never reach a log, an error message or a `{:?}` dump.

use std::fmt;

/// What [`Secret`] prints instead of its content.
const REDACTED: &str = crate::logging::MASK;

/// A string (API key, client secret) that never shows in `Debug` or `Display`: both print
/// `(sensitive)`.
///
/// The client hands each one it is given to its [`SecretHook`](super::SecretHook) before using
/// it, so the layer above can mask the value in what it shows, even in a server's echo of it.
///
/// It deliberately implements no `Serialize`: the few places that must put a secret on the wire
/// call [`Secret::expose`] explicitly, so a stray `#[derive(Serialize)]` cannot leak one.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The content, for the code that sends it. Named so that each use stands out in review.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret::new(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret::new(s)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_content() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "(sensitive)");
        assert_eq!(format!("{s}"), "(sensitive)");
        assert_eq!(format!("{:#?}", Some(s.clone())), "Some(\n    (sensitive),\n)");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn equality_compares_content() {
        assert_eq!(Secret::new("a"), Secret::from("a"));
        assert_ne!(Secret::new("a"), Secret::from("b".to_string()));
    }
}
