//! What the content resources (access, vanity URL, environment) say about the content item they
//! attach to: a `content_guid` that cannot be a guid, a content item Connect does not have, and a
//! key whose user may not change it. Written once so the three resources say it alike.

use tfplugin::diag::{AttributePath, Diagnostic};
use tfplugin::validators::Guid;

use crate::connect::Error;
use crate::connect_diagnostics::hint;
use crate::untrusted::server_text;

/// A content guid (configured, or an import ID: `given_as` says which) that cannot be one, said
/// as such with the form expected and where to find it, rather than asking Connect and
/// reporting no such content.
pub fn not_a_content_guid(id: &str, given_as: &str) -> Option<Diagnostic> {
    if Guid::is_guid(id) {
        return None;
    }
    let shown = server_text(id, 100);
    Some(Diagnostic::error(
        "Not a content guid",
        format!(
            "{given_as} is {shown:?}, which is not a guid: a content item is named by its guid, 8-4-4-4-12 \
             hexadecimal digits such as f2f37341-e21d-3d80-c698-a935ad614066 (in the content's URL on Connect, its \
             Info panel, or the posit_connect_content data source's guid)."
        ),
    ))
}

/// The error for a content item Connect does not have (or does not show this key's user), at
/// `content_guid`, with Connect's own words after when an error said so.
pub fn no_such_content(server: &str, content: &str, err: Option<&Error>) -> Diagnostic {
    let shown = server_text(content, 100);
    let said = err.map(|e| format!("\n\n{e}{}", hint(e))).unwrap_or_default();
    Diagnostic::error(
        format!("No content item {shown:?} on Connect"),
        format!(
            "content_guid is {shown:?}, but Connect at {server} has no content item with that guid that this API key \
             may see: check content_guid (the guid in the content's URL on Connect, or in its Info panel). A \
             publisher's key sees only the content it owns or has a permission on.{said}"
        ),
    )
    .at(AttributePath::root("content_guid"))
}

/// Connect's refusal of the key's rights on a content item (a 403), in its own words, and who
/// may change `what` ("its access", "its environment variables"): the integrations' hint (an
/// administrator's key) would mislead here, since publishers may change their own content.
pub fn may_not_change(err: &Error, what: &str) -> String {
    format!(
        "{err}\n\nConnect lets a content item's owner, its collaborators and administrators change {what}: the API \
         key's user is none of these for this content item (a publisher's key manages only the content it owns or \
         collaborates on)."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: &str = "f2f37341-e21d-3d80-c698-a935ad614066";

    fn forbidden() -> Error {
        Error::Forbidden {
            method: reqwest::Method::POST,
            url: format!("https://c/__api__/v1/content/{C}/permissions"),
            status: 403,
            message: Some("You may not change the content item".into()),
        }
    }

    #[test]
    fn a_content_guid_must_be_a_guid() {
        assert!(not_a_content_guid(C, "The import ID").is_none());
        assert!(not_a_content_guid(&C.to_uppercase(), "The import ID").is_none());
        let d = not_a_content_guid("my-app\u{1b}[2J", "content_guid").expect("an error");
        assert!(d.detail.starts_with("content_guid is \"my-app"), "{}", d.detail);
        assert!(!d.detail.contains('\u{1b}'), "scrubbed: {}", d.detail);
    }

    #[test]
    fn missing_content_is_said_at_content_guid_with_connects_words() {
        let d = no_such_content("https://c", C, None);
        assert_eq!(d.attribute, Some(AttributePath::root("content_guid")));
        assert!(d.summary.contains(C) && d.detail.contains("publisher's key sees only"), "{}", d.detail);
        let d = no_such_content("https://c", C, Some(&forbidden()));
        assert!(d.detail.contains("You may not change the content item"), "{}", d.detail);
    }

    #[test]
    fn a_refusal_says_who_may_change_content() {
        let text = may_not_change(&forbidden(), "its access");
        assert!(text.contains("You may not change the content item"), "{text}");
        assert!(text.contains("change its access") && text.contains("only the content it owns"), "{text}");
        assert!(!text.contains("OAuth"), "{text}");
    }
}
