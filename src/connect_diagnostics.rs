//! How Connect's errors become diagnostics a Terraform user can act on: the server's own message
//! and status, and a hint for the errors a user can fix.

use crate::connect::Error;
use tfplugin::diag::Diagnostic;

/// Turns a Connect error into a diagnostic whose summary says what failed and whose detail
/// carries the server's own message and status, plus a hint for the errors users can fix.
pub fn diagnostic(action: &str, err: &Error) -> Diagnostic {
    Diagnostic::error(action.to_string(), format!("{err}{}", hint(err)))
}

/// What [`diagnostic`] adds after the error (empty, or paragraphs starting with a blank line):
/// the fix for the errors a user can fix, and the settings that bound a call that gave up. For
/// a message that words the error itself (or is only a warning).
pub fn hint(err: &Error) -> String {
    let hint = match err.last_attempt() {
        Error::Unauthorized { .. } => {
            "\n\nConnect rejected the API key: check connect_api_key (or the CONNECT_API_KEY environment variable)."
        }
        Error::Forbidden { .. } => {
            "\n\nThe API key is valid but lacks the rights for this: managing OAuth integrations needs an administrator's API key."
        }
        Error::CertificateNotValidForHost { .. } => {
            "\n\nThe host in connect_server (or CONNECT_SERVER) is not one the server's TLS certificate names: \
             connect_server must use one of the names the certificate lists (or the server needs a certificate \
             for this host)."
        }
        Error::Unreachable { reason, .. } if reason.to_ascii_lowercase().contains("certificate") => {
            "\n\nConnect's TLS certificate is not trusted here: give its CA with connect_ca_certificate (or \
             CONNECT_CA_CERTIFICATE), or, for a test server only, set connect_insecure."
        }
        Error::Unreachable { .. } | Error::Timeout { .. } => {
            "\n\nCheck connect_server (or CONNECT_SERVER) and that the server is reachable from here."
        }
        Error::Api { status: 402, .. } => "\n\nThe Connect server's license does not include OAuth integrations.",
        e if e.is_missing_api() => {
            "\n\nThis 404 is not Connect saying the object is gone: the server does not serve this API there. Check \
             that connect_server points at Connect itself (not a proxy's page or another path prefix) and that the \
             server has the OAuth integrations API (Connect 2024.12.0 or later, the feature enabled)."
        }
        Error::TooLarge { .. } => {
            "\n\nConnect's answers to these requests are far smaller: check that connect_server points at Connect \
             itself, not at another service or a proxy's error page."
        }
        _ => "",
    };
    format!("{hint}{}", limits_hint(err))
}

/// For a call that stopped retrying: which settings bound it, and what a create whose outcome
/// is unknown leaves to check.
fn limits_hint(err: &Error) -> String {
    let Error::GaveUp { why, maybe_done, .. } = err else {
        return String::new();
    };
    let mut hint = if why.is_time() {
        "\n\nEach operation, retries included, must end within connect_operation_timeout (or \
         CONNECT_OPERATION_TIMEOUT); each attempt within connect_request_timeout, and connect_max_retries says how \
         many follow a failure. Raise connect_operation_timeout if Connect is slow but working."
            .to_string()
    } else {
        "\n\nThe request was tried connect_max_retries times more (or CONNECT_MAX_RETRIES) before giving up."
            .to_string()
    };
    if *maybe_done {
        hint.push_str(
            " Connect may have made the object: look for it in Connect before applying again, and import it (or \
             delete it) if it is there, or a second one may be made.",
        );
    }
    hint
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use reqwest::Method;

    use super::*;
    use crate::connect::GiveUp;

    fn gave_up(why: GiveUp, maybe_done: bool) -> Error {
        let last = Error::Timeout { method: Method::POST, url: "https://h/x".into(), after: Duration::from_secs(1) };
        Error::GaveUp { attempts: 4, over: Duration::from_millis(3040), why, maybe_done, last: Box::new(last) }
    }

    #[test]
    fn gave_up_names_the_settings_that_bound_it() {
        let limit = Duration::from_secs(3);
        let d = diagnostic("Could not create", &gave_up(GiveUp::Deadline { limit }, true));
        assert!(
            d.detail.starts_with(
                "Connect did not answer POST https://h/x within 1s; gave up after 4 attempts over 3.0s: the \
                 operation timeout (3s) was reached; the request had been sent, so Connect may have carried it out"
            ),
            "{}",
            d.detail
        );
        for needle in [
            "reachable from here",
            "connect_operation_timeout",
            "connect_request_timeout",
            "connect_max_retries",
            "a second one may be made",
        ] {
            assert!(d.detail.contains(needle), "{needle}: {}", d.detail);
        }
        let d = diagnostic("Could not read", &gave_up(GiveUp::NoRetriesLeft, false));
        assert!(d.detail.contains("connect_max_retries") && !d.detail.contains("connect_operation_timeout"));
        assert!(!d.detail.contains("second one"), "{}", d.detail);
    }

    #[test]
    fn a_certificate_for_other_names_points_at_connect_server_not_insecure() {
        let err = Error::CertificateNotValidForHost {
            url: "https://localhost:3939/__api__/v1/oauth/integrations".into(),
            host: "localhost".into(),
            names: vec!["127.0.0.1".into(), "connect.test".into()],
        };
        let d = diagnostic("Could not read", &err);
        assert!(
            d.detail.contains("not valid for host localhost (it names: 127.0.0.1, connect.test)")
                && d.detail.contains("connect_server must use one of the names the certificate lists"),
            "{}",
            d.detail
        );
        assert!(!d.detail.contains("connect_insecure"), "{}", d.detail);

        // An untrusted issuer still says how to trust it.
        let err = Error::Unreachable {
            url: "https://connect.test/__api__".into(),
            reason: "invalid peer certificate: UnknownIssuer (the server's TLS certificate is not trusted)".into(),
        };
        assert!(diagnostic("Could not read", &err).detail.contains("connect_ca_certificate"));
    }
}
