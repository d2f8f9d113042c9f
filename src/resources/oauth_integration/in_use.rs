//! A plan that destroys or replaces an OAuth integration some content uses. Connect's DELETE
//! also removes the integration's content associations, so that content would lose access
//! without a word: the plan names it in a warning, or, with `protect_used_integrations`, stops
//! with an error. Titles, guids and error messages come from the server and are shown scrubbed
//! and bounded ([`server_text`]).

use crate::connect::{Client, IntegrationUse};
use crate::connect_diagnostics::hint;
use crate::provider_data::ProviderData;
use crate::untrusted::{server_text, MAX_MESSAGE_CHARS};
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::model::{Attr, Model};
use tfplugin::resource::{Removal, RemovalRequest};
use tfplugin::value::Number;

use super::model::IntegrationState;

/// The provider setting that turns the warning into an error.
const SETTING: &str = "protect_used_integrations";
/// How many content items a message names (one title lookup each); the rest are counted.
const SHOWN: usize = 5;
/// How many characters of a title, a guid or a name a message shows.
const TITLE_CHARS: usize = 80;
const GUID_CHARS: usize = 64;

/// One content item using the integration: its guid (`None` when the server gave none) and,
/// once looked up, its title.
#[derive(Clone, Debug, Default, PartialEq)]
struct UsingContent {
    guid: Option<String>,
    title: Option<String>,
}

/// Asks Connect which content uses the integration `req.prior` describes and reports it. Skipped
/// before configure could build a client (settings known only at apply).
pub(super) async fn check(connect: Option<&ProviderData>, req: &RemovalRequest<'_>, diags: &mut Diagnostics) {
    let Some(connect) = connect else { return };
    let prior = match IntegrationState::read(req.prior) {
        Ok(prior) => prior,
        Err(d) => return diags.push(d),
    };
    let Some(guid) = prior.guid.as_str() else { return };
    // Connect's own count (refreshed with the state) says no content uses it: nothing to ask.
    if prior.content_count == Attr::known(Number::Int(0)) {
        return;
    }
    let notice = RemovalNotice::of(&prior, &req.removal, connect.protect_used_integrations);
    match connect.client.integration_associations(guid).await {
        Err(e) => diags.push(notice.unchecked(&e.to_string(), &hint(&e))),
        Ok(None) => {} // already gone: deleting it breaks nothing more
        Ok(Some(uses)) => {
            let mut using = distinct(&uses);
            if using.is_empty() {
                return;
            }
            let shown = SHOWN.min(using.len());
            titled(&connect.client, &mut using[..shown]).await;
            diags.push(notice.in_use(&using));
        }
    }
}

/// One entry per content item, in the server's order: repeated guids once, entries naming no
/// content each counted (they are uses all the same).
fn distinct(uses: &[IntegrationUse]) -> Vec<UsingContent> {
    let mut out: Vec<UsingContent> = Vec::new();
    for u in uses {
        let guid = u.content().map(str::to_string);
        if guid.is_none() || !out.iter().any(|o| o.guid == guid) {
            out.push(UsingContent { guid, title: None });
        }
    }
    out
}

/// Fills in the titles of `using`; a lookup that fails (the item gone, no right to read it)
/// leaves the guid alone to name it.
async fn titled(client: &Client, using: &mut [UsingContent]) {
    for item in using {
        if let Some(guid) = &item.guid {
            item.title = match client.content_item(guid).await {
                Ok(item) => item.and_then(|c| c.title),
                Err(e) => {
                    tracing::debug!(content = %guid, error = %e, "content title not available");
                    None
                }
            };
        }
    }
}

/// The message builder: what the plan does to which integration, and whether the setting makes
/// a use an error.
struct RemovalNotice {
    /// `"name" (guid ...)`, scrubbed.
    integration: String,
    /// "destroy" or "replace".
    verb: &'static str,
    /// Why a replacement, for the message: the attributes whose change requires it.
    because: String,
    protect: bool,
}

impl RemovalNotice {
    fn of(prior: &IntegrationState, removal: &Removal, protect: bool) -> RemovalNotice {
        let name = server_text(prior.name.as_str().unwrap_or_default(), TITLE_CHARS);
        let guid = server_text(prior.guid.as_str().unwrap_or_default(), GUID_CHARS);
        let (verb, because) = match removal {
            Removal::Destroy => ("destroy", String::new()),
            Removal::Replace(paths) => {
                let names: Vec<String> = paths.iter().map(ToString::to_string).collect();
                ("replace", format!(" (a change of {} requires it)", names.join(", ")))
            }
        };
        RemovalNotice { integration: format!("{name:?} (guid {guid})"), verb, because, protect }
    }

    /// The first sentence of every message: what the plan does and what Connect does then.
    fn what(&self) -> String {
        format!(
            "This plan would {verb} the OAuth integration {it}{because}. Connect removes an integration's content \
             associations when it deletes the integration",
            verb = self.verb,
            it = self.integration,
            because = self.because,
        )
    }

    /// The warning, or with the setting the error, naming the content in use.
    fn in_use(&self, using: &[UsingContent]) -> Diagnostic {
        let count = match using.len() {
            1 => "1 content item".to_string(),
            n => format!("{n} content items"),
        };
        let mut list: String = using.iter().take(SHOWN).map(|u| format!("\n  - {}", u.shown())).collect();
        if using.len() > SHOWN {
            list += &format!("\n  - and {} more", using.len() - SHOWN);
        }
        let what = format!(
            "{}, so this content loses access to it until associated again{}:{list}",
            self.what(),
            if self.verb == "replace" { " (with the new integration)" } else { "" },
        );
        if self.protect {
            Diagnostic::error(
                format!("OAuth integration used by {count}: not going to {} it", self.verb),
                format!(
                    "{what}\n\n{SETTING} is true, so the plan stops here. To proceed, remove this content's \
                     associations with the integration first (in Connect, or with \
                     posit_connect_content_oauth_integrations), or set {SETTING} = false in the provider block."
                ),
            )
        } else {
            Diagnostic::warning(
                format!("OAuth integration used by {count}"),
                format!(
                    "{what}\n\nTo make this an error that stops the plan, set {SETTING} = true in the provider block."
                ),
            )
        }
    }

    /// The associations could not be read: with the setting an error (the check is the point),
    /// else a warning that nothing was checked. `hint` is the provider's own advice for that
    /// error (`errors::hint`), shown as it is.
    fn unchecked(&self, error: &str, hint: &str) -> Diagnostic {
        let why = server_text(error, MAX_MESSAGE_CHARS);
        let what = format!("{}, and asking Connect which content uses it failed: {why}{hint}", self.what());
        if self.protect {
            Diagnostic::error(
                "Could not check which content uses the OAuth integration",
                format!(
                    "{what}\n\n{SETTING} is true, so the plan stops here. RemovalNotice again once Connect answers, or set \
                     {SETTING} = false in the provider block to go ahead without the check."
                ),
            )
        } else {
            Diagnostic::warning(
                "Could not check which content uses the OAuth integration",
                format!("{what}\n\nCheck in Connect which content uses it before applying."),
            )
        }
    }
}

impl UsingContent {
    /// `"Title" (guid ...)`, or the guid alone, scrubbed and bounded.
    fn shown(&self) -> String {
        let guid = self.guid.as_deref().map(|g| server_text(g, GUID_CHARS));
        let title = self.title.as_deref().map(|t| server_text(t, TITLE_CHARS)).filter(|t| !t.is_empty());
        match (title, guid) {
            (Some(t), Some(g)) => format!("{t:?} (guid {g})"),
            (None, Some(g)) => format!("guid {g}"),
            (_, None) => "a content item the server did not name".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::diag::{AttributePath, Severity};

    fn prior() -> IntegrationState {
        IntegrationState {
            guid: tfplugin::model::Attr::known("int-guid-1".into()),
            name: tfplugin::model::Attr::known("Graph".into()),
            ..Default::default()
        }
    }

    fn item(guid: &str, title: Option<&str>) -> UsingContent {
        UsingContent { guid: Some(guid.into()), title: title.map(Into::into) }
    }

    #[test]
    fn the_warning_counts_the_content_and_names_the_first_few() {
        let using: Vec<UsingContent> =
            (1..=7).map(|i| item(&format!("c-{i}"), (i % 2 == 1).then(|| format!("App {i}")).as_deref())).collect();
        let d = RemovalNotice::of(&prior(), &Removal::Destroy, false).in_use(&using);
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(d.summary, "OAuth integration used by 7 content items");
        assert!(
            d.detail.starts_with("This plan would destroy the OAuth integration \"Graph\" (guid int-guid-1)."),
            "{}",
            d.detail
        );
        assert!(d.detail.contains("\n  - \"App 1\" (guid c-1)\n  - guid c-2\n"), "{}", d.detail);
        assert!(d.detail.contains("\n  - \"App 5\" (guid c-5)\n  - and 2 more\n"), "{}", d.detail);
        assert!(!d.detail.contains("c-6") && !d.detail.contains("App 7"), "{}", d.detail);
        assert!(d.detail.contains("set protect_used_integrations = true"), "{}", d.detail);

        let one = RemovalNotice::of(&prior(), &Removal::Destroy, false).in_use(&using[..1]);
        assert_eq!(one.summary, "OAuth integration used by 1 content item");
        assert!(!one.detail.contains("more"), "{}", one.detail);
    }

    #[test]
    fn with_protection_it_is_an_error_saying_how_to_proceed() {
        let replace = Removal::Replace(vec![AttributePath::root("template")]);
        let d = RemovalNotice::of(&prior(), &replace, true).in_use(&[item("c-1", Some("Sales"))]);
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(d.summary, "OAuth integration used by 1 content item: not going to replace it");
        assert!(
            d.detail.contains(
                "would replace the OAuth integration \"Graph\" (guid int-guid-1) (a change of template requires it)"
            ),
            "{}",
            d.detail
        );
        assert!(d.detail.contains("\"Sales\" (guid c-1)"), "{}", d.detail);
        assert!(
            d.detail.contains("remove this content's associations")
                && d.detail.contains("protect_used_integrations = false"),
            "{}",
            d.detail
        );
    }

    #[test]
    fn hostile_titles_and_messages_are_scrubbed_and_cut() {
        let hostile = format!("\u{1b}[31mRed\u{1b}[0m\r\n  - fake line\u{7}\u{202e}{}", "x".repeat(300));
        let d = RemovalNotice::of(&prior(), &Removal::Destroy, false).in_use(&[item(&hostile, Some(&hostile))]);
        let item = d.detail.lines().find(|l| l.starts_with("  - ")).expect("an item line");
        assert!(item.starts_with("  - \"Red - fake line"), "{item}");
        assert!(!d.detail.contains('\u{1b}') && !d.detail.contains('\r') && !d.detail.contains('\u{202e}'), "{d:?}");
        assert_eq!(d.detail.lines().filter(|l| l.starts_with("  - ")).count(), 1, "one line per item: {}", d.detail);
        assert!(item.chars().count() < 300, "bounded: {item}");

        let u = RemovalNotice::of(&prior(), &Removal::Destroy, true)
            .unchecked(&format!("boom\u{1b}]0;title\u{7}{}", "y".repeat(2000)), "");
        assert_eq!(u.severity, Severity::Error);
        assert!(!u.detail.contains('\u{1b}') && u.detail.contains("boom"), "{}", u.detail);
        assert!(u.detail.contains("more characters not shown"), "{}", u.detail);
        assert!(u.detail.contains("protect_used_integrations = false"), "{}", u.detail);
        let w = RemovalNotice::of(&prior(), &Removal::Destroy, false).unchecked("no such endpoint", "");
        assert_eq!(w.severity, Severity::Warning);
        assert!(w.detail.contains("no such endpoint"), "{}", w.detail);
    }

    #[test]
    fn each_content_item_counts_once() {
        let uses = [
            IntegrationUse { content_guid: Some("a".into()), app_guid: Some("a".into()) },
            IntegrationUse { content_guid: None, app_guid: Some("b".into()) },
            IntegrationUse { content_guid: None, app_guid: Some("a".into()) },
            IntegrationUse::default(),
            IntegrationUse::default(),
        ];
        let using = distinct(&uses);
        let guids: Vec<_> = using.iter().map(|u| u.guid.as_deref()).collect();
        assert_eq!(guids, [Some("a"), Some("b"), None, None]);
        assert_eq!(using[2].shown(), "a content item the server did not name");
    }
}
