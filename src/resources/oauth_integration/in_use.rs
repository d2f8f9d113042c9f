//! Content that uses an OAuth integration Terraform deletes. Connect's DELETE also removes the
//! integration's content associations, so that content would lose access without a word.
//!
//! - At plan ([`check`]), a destroy or replace of an integration some content uses is named in a
//!   warning, leaving out the content whose association this run destroys first
//!   ([`PlannedRemovals`]); with `protect_used_integrations` the warning says that the delete will
//!   be refused at apply unless the uses are gone by then.
//! - At apply ([`may_delete`]), with `protect_used_integrations`, Connect is asked again right
//!   before the DELETE, after Terraform has removed the dependent associations: content still
//!   using the integration is an error naming it, and the integration stays in state.
//!
//! Titles, guids and error messages come from the server and are shown scrubbed and bounded
//! ([`server_text`]).

use crate::connect::{Client, IntegrationUse};
use crate::connect_diagnostics::hint;
#[cfg(doc)]
use crate::provider_data::PlannedRemovals;
use crate::provider_data::ProviderData;
use crate::untrusted::{server_text, MAX_MESSAGE_CHARS};
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::model::{Attr, Model};
use tfplugin::resource::{Removal, RemovalRequest};
use tfplugin::value::{Number, Value};

use super::model::IntegrationState;

/// The provider setting that has the delete refused.
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

/// At plan: asks Connect which content uses the integration `req.prior` describes and warns of
/// it, leaving out content whose association a destroy planned earlier in this process removes.
/// Skipped before configure could build a client (settings known only at apply), and when
/// Connect's own count (refreshed with the state) says no content uses it. Never an error: with
/// the setting, apply decides ([`may_delete`]).
pub(super) async fn check(connect: Option<&ProviderData>, req: &RemovalRequest<'_>, diags: &mut Diagnostics) {
    let Some(connect) = connect else { return };
    let prior = match IntegrationState::read(req.prior) {
        Ok(prior) => prior,
        Err(d) => return diags.push(d),
    };
    let Some(guid) = prior.guid.as_str() else { return };
    if prior.content_count == Attr::known(Number::Int(0)) {
        return;
    }
    let notice = RemovalNotice::of(&prior, Stage::Plan(&req.removal), connect.protect_used_integrations);
    match connect.client.integration_associations(guid).await {
        Err(e) => diags.push(notice.unchecked(&e.to_string(), &hint(&e))),
        Ok(None) => {} // already gone: deleting it breaks nothing more
        Ok(Some(uses)) => {
            let removed = connect.planned_removals.removed_from(guid);
            let (mut using, dropped): (Vec<_>, Vec<_>) =
                distinct(&uses).into_iter().partition(|u| u.guid.as_ref().is_none_or(|g| !removed.contains(g)));
            if using.is_empty() {
                return;
            }
            let shown = SHOWN.min(using.len());
            titled(&connect.client, &mut using[..shown]).await;
            diags.push(notice.in_use(&using, dropped.len()));
        }
    }
}

/// At apply, right before the DELETE of the integration `prior` describes: whether to go on.
/// Without the setting, always. With it, Connect is asked which content uses the integration
/// now; content still using it, or no answer, is an error pushed to `diags` (the framework then
/// keeps the integration in state). An integration already gone is deleted as usual.
pub(super) async fn may_delete(connect: &ProviderData, prior: &Value, diags: &mut Diagnostics) -> bool {
    if !connect.protect_used_integrations {
        return true;
    }
    let prior = match IntegrationState::read(prior) {
        Ok(prior) => prior,
        Err(d) => {
            diags.push(d);
            return false;
        }
    };
    let Some(guid) = prior.guid.as_str() else { return true };
    let notice = RemovalNotice::of(&prior, Stage::Apply, true);
    match connect.client.integration_associations(guid).await {
        Err(e) => {
            diags.push(notice.unchecked(&e.to_string(), &hint(&e)));
            false
        }
        Ok(None) => true,
        Ok(Some(uses)) => {
            let mut using = distinct(&uses);
            if using.is_empty() {
                return true;
            }
            let shown = SHOWN.min(using.len());
            titled(&connect.client, &mut using[..shown]).await;
            diags.push(notice.in_use(&using, 0));
            false
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

/// When a message is given: planning a destroy or a replacement, or deleting at apply.
#[derive(Clone, Copy, Debug)]
enum Stage<'a> {
    Plan(&'a Removal),
    Apply,
}

/// The message builder: which integration, when, and whether the setting is on.
struct RemovalNotice {
    /// `"name" (guid ...)`, scrubbed.
    integration: String,
    /// `"name"` (the guid when it has none), scrubbed, for the summary: Terraform's human output
    /// shows one of several warnings with the same summary, so each integration's has its name.
    short: String,
    /// At plan, "destroy" or "replace"; `None` at apply.
    verb: Option<&'static str>,
    /// Why a replacement, for the message: the attributes whose change requires it.
    because: String,
    protect: bool,
}

impl RemovalNotice {
    fn of(prior: &IntegrationState, stage: Stage<'_>, protect: bool) -> RemovalNotice {
        let name = server_text(prior.name.as_str().unwrap_or_default(), TITLE_CHARS);
        let guid = server_text(prior.guid.as_str().unwrap_or_default(), GUID_CHARS);
        let (verb, because) = match stage {
            Stage::Plan(Removal::Destroy) => (Some("destroy"), String::new()),
            Stage::Plan(Removal::Replace(paths)) => {
                let names: Vec<String> = paths.iter().map(ToString::to_string).collect();
                (Some("replace"), format!(" (a change of {} requires it)", names.join(", ")))
            }
            Stage::Apply => (None, String::new()),
        };
        let short = if name.is_empty() { format!("{guid:?}") } else { format!("{name:?}") };
        RemovalNotice { integration: format!("{name:?} (guid {guid})"), short, verb, because, protect }
    }

    /// At plan, the first sentence of every message: what the plan does and what Connect does
    /// then.
    fn what(&self, verb: &str) -> String {
        format!(
            "This plan would {verb} the OAuth integration {it}{because}. Connect removes an integration's content \
             associations when it deletes the integration",
            it = self.integration,
            because = self.because,
        )
    }

    /// At plan a warning, at apply (with the setting) the error, naming the content in use.
    /// `dropped`: how many more content items use it whose associations this run destroys
    /// first (at plan), left out of the list.
    fn in_use(&self, using: &[UsingContent], dropped: usize) -> Diagnostic {
        let count = items(using.len());
        let mut list: String = using.iter().take(SHOWN).map(|u| format!("\n  - {}", u.shown())).collect();
        if using.len() > SHOWN {
            list += &format!("\n  - and {} more", using.len() - SHOWN);
        }
        let Some(verb) = self.verb else {
            return Diagnostic::error(
                format!("OAuth integration {} is used by {count}: not deleted", self.short),
                format!(
                    "Content still uses the OAuth integration {it}, and Connect removes an integration's content \
                     associations when it deletes the integration, so this content would lose access to it:{list}\n\n\
                     {SETTING} is true, so the provider did not delete the integration, and it stays in state. To \
                     proceed, remove these associations (in Connect, or with posit_connect_content_oauth_integrations) \
                     and apply again, or set {SETTING} = false in the provider block. When this delete is part of \
                     replacing the integration, lifecycle {{ create_before_destroy = true }} on it lets Terraform \
                     move the associations it manages to the new integration before deleting this one.",
                    it = self.integration,
                ),
            );
        };
        let mut what = format!(
            "{}, so this content loses access to it until associated again{}:{list}",
            self.what(verb),
            if verb == "replace" { " (with the new integration)" } else { "" },
        );
        if dropped > 0 {
            what += &format!(
                "\n\nNot listed: {} whose association with it this plan destroys first \
                 (posit_connect_content_oauth_integrations).",
                items(dropped)
            );
        }
        if self.protect {
            Diagnostic::warning(
                format!(
                    "OAuth integration {} is used by {count}: the delete will be refused unless that changes",
                    self.short
                ),
                format!(
                    "{what}\n\n{SETTING} is true: at apply, right before deleting the integration, the provider asks \
                     Connect again and refuses the delete (the integration stays in state) if any content still uses \
                     it. Associations removed earlier in the same apply no longer count: Terraform removes a \
                     posit_connect_content_oauth_integrations that refers to the integration before deleting it. \
                     Otherwise remove these associations first (in Connect, or with \
                     posit_connect_content_oauth_integrations), or set {SETTING} = false in the provider block."
                ),
            )
        } else {
            Diagnostic::warning(
                format!("OAuth integration {} is used by {count}", self.short),
                format!(
                    "{what}\n\nTo have the delete refused while content still uses the integration, set {SETTING} = \
                     true in the provider block."
                ),
            )
        }
    }

    /// The associations could not be read: at plan a warning that nothing was checked (with the
    /// setting, apply asks again); at apply, with the setting, an error, since the check is the
    /// point. `hint` is the provider's own advice for that error (`errors::hint`), shown as it
    /// is.
    fn unchecked(&self, error: &str, hint: &str) -> Diagnostic {
        let why = server_text(error, MAX_MESSAGE_CHARS);
        let summary = format!("Could not check which content uses the OAuth integration {}", self.short);
        let Some(verb) = self.verb else {
            return Diagnostic::error(
                summary,
                format!(
                    "Asking Connect which content uses the OAuth integration {it} before deleting it failed: \
                     {why}{hint}\n\n{SETTING} is true, so the provider does not delete the integration without that \
                     check, and it stays in state. Apply again once Connect answers, or set {SETTING} = false in the \
                     provider block to delete it without the check.",
                    it = self.integration,
                ),
            );
        };
        let what = format!("{}, and asking Connect which content uses it failed: {why}{hint}", self.what(verb));
        let then = if self.protect {
            format!(
                "{SETTING} is true: at apply, right before deleting the integration, the provider asks Connect again, \
                 and refuses the delete if content still uses it or Connect still cannot say."
            )
        } else {
            "Check in Connect which content uses it before applying.".to_string()
        };
        Diagnostic::warning(summary, format!("{what}\n\n{then}"))
    }
}

/// "1 content item", "N content items".
fn items(n: usize) -> String {
    match n {
        1 => "1 content item".to_string(),
        n => format!("{n} content items"),
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

    fn planning(removal: &Removal, protect: bool) -> RemovalNotice {
        RemovalNotice::of(&prior(), Stage::Plan(removal), protect)
    }

    #[test]
    fn the_warning_counts_the_content_and_names_the_first_few() {
        let using: Vec<UsingContent> =
            (1..=7).map(|i| item(&format!("c-{i}"), (i % 2 == 1).then(|| format!("App {i}")).as_deref())).collect();
        let d = planning(&Removal::Destroy, false).in_use(&using, 0);
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(d.summary, "OAuth integration \"Graph\" is used by 7 content items");
        assert!(
            d.detail.starts_with("This plan would destroy the OAuth integration \"Graph\" (guid int-guid-1)."),
            "{}",
            d.detail
        );
        assert!(d.detail.contains("\n  - \"App 1\" (guid c-1)\n  - guid c-2\n"), "{}", d.detail);
        assert!(d.detail.contains("\n  - \"App 5\" (guid c-5)\n  - and 2 more\n"), "{}", d.detail);
        assert!(!d.detail.contains("c-6") && !d.detail.contains("App 7"), "{}", d.detail);
        assert!(d.detail.contains("set protect_used_integrations = true"), "{}", d.detail);
        assert!(!d.detail.contains("Not listed"), "{}", d.detail);

        let one = planning(&Removal::Destroy, false).in_use(&using[..1], 0);
        assert_eq!(one.summary, "OAuth integration \"Graph\" is used by 1 content item");
        assert!(!one.detail.contains("more"), "{}", one.detail);
    }

    #[test]
    fn with_protection_the_plan_warns_that_apply_will_refuse() {
        let replace = Removal::Replace(vec![AttributePath::root("template")]);
        let d = planning(&replace, true).in_use(&[item("c-1", Some("Sales"))], 0);
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(
            d.summary,
            "OAuth integration \"Graph\" is used by 1 content item: the delete will be refused unless that changes"
        );
        assert!(
            d.detail.contains(
                "would replace the OAuth integration \"Graph\" (guid int-guid-1) (a change of template requires it)"
            ),
            "{}",
            d.detail
        );
        assert!(d.detail.contains("\"Sales\" (guid c-1)"), "{}", d.detail);
        for needle in
            ["at apply", "refuses the delete", "remove these associations", "protect_used_integrations = false"]
        {
            assert!(d.detail.contains(needle), "{needle:?} missing: {}", d.detail);
        }
    }

    #[test]
    fn content_whose_association_the_run_destroys_is_counted_apart() {
        let d = planning(&Removal::Destroy, true).in_use(&[item("c-1", None)], 2);
        assert!(d.summary.starts_with("OAuth integration \"Graph\" is used by 1 content item:"), "{}", d.summary);
        assert!(
            d.detail.contains("Not listed: 2 content items whose association with it this plan destroys first"),
            "{}",
            d.detail
        );
        let one = planning(&Removal::Destroy, false).in_use(&[item("c-1", None)], 1);
        assert!(one.detail.contains("Not listed: 1 content item whose"), "{}", one.detail);
    }

    #[test]
    fn at_apply_a_use_is_an_error_naming_the_content_and_what_to_do() {
        let using = [item("c-1", Some("Sales")), item("c-2", None)];
        let d = RemovalNotice::of(&prior(), Stage::Apply, true).in_use(&using, 0);
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(d.summary, "OAuth integration \"Graph\" is used by 2 content items: not deleted");
        assert!(
            d.detail.starts_with("Content still uses the OAuth integration \"Graph\" (guid int-guid-1)"),
            "{}",
            d.detail
        );
        assert!(d.detail.contains("\n  - \"Sales\" (guid c-1)\n  - guid c-2\n"), "{}", d.detail);
        for needle in [
            "did not delete the integration, and it stays in state",
            "remove these associations",
            "protect_used_integrations = false",
            "create_before_destroy = true",
        ] {
            assert!(d.detail.contains(needle), "{needle:?} missing: {}", d.detail);
        }
        assert!(!d.detail.contains("This plan"), "{}", d.detail);
    }

    #[test]
    fn hostile_titles_and_messages_are_scrubbed_and_cut() {
        let hostile = format!("\u{1b}[31mRed\u{1b}[0m\r\n  - fake line\u{7}\u{202e}{}", "x".repeat(300));
        for stage in [Stage::Plan(&Removal::Destroy), Stage::Apply] {
            let d = RemovalNotice::of(&prior(), stage, true).in_use(&[item(&hostile, Some(&hostile))], 0);
            let item = d.detail.lines().find(|l| l.starts_with("  - ")).expect("an item line");
            assert!(item.starts_with("  - \"Red - fake line"), "{item}");
            assert!(
                !d.detail.contains('\u{1b}') && !d.detail.contains('\r') && !d.detail.contains('\u{202e}'),
                "{d:?}"
            );
            assert_eq!(
                d.detail.lines().filter(|l| l.starts_with("  - ")).count(),
                1,
                "one line per item: {}",
                d.detail
            );
            assert!(item.chars().count() < 300, "bounded: {item}");
        }
        // The integration's own name, in the summary too.
        let named = IntegrationState { name: Attr::known(hostile.clone()), ..prior() };
        let d = RemovalNotice::of(&named, Stage::Apply, true).in_use(&[item("c-1", None)], 0);
        assert!(d.summary.starts_with("OAuth integration \"Red - fake line"), "{}", d.summary);
        assert!(!d.summary.contains('\u{1b}') && d.summary.chars().count() < 200, "{}", d.summary);
        let unnamed = IntegrationState { name: Attr::known(String::new()), ..prior() };
        let d = RemovalNotice::of(&unnamed, Stage::Apply, true).in_use(&[item("c-1", None)], 0);
        assert!(d.summary.starts_with("OAuth integration \"int-guid-1\" is used by"), "{}", d.summary);

        let message = format!("boom\u{1b}]0;title\u{7}{}", "y".repeat(2000));
        let u = RemovalNotice::of(&prior(), Stage::Apply, true).unchecked(&message, "");
        assert_eq!(u.severity, Severity::Error);
        assert_eq!(u.summary, "Could not check which content uses the OAuth integration \"Graph\"");
        assert!(!u.detail.contains('\u{1b}') && u.detail.contains("boom"), "{}", u.detail);
        assert!(u.detail.contains("more characters not shown"), "{}", u.detail);
        assert!(u.detail.contains("stays in state") && u.detail.contains("protect_used_integrations = false"));
        let p = planning(&Removal::Destroy, true).unchecked(&message, "");
        assert_eq!(p.severity, Severity::Warning, "the plan goes on: apply checks again");
        assert!(!p.detail.contains('\u{1b}') && p.detail.contains("asks Connect again"), "{}", p.detail);
        let w = planning(&Removal::Destroy, false).unchecked("no such endpoint", "");
        assert_eq!(w.severity, Severity::Warning);
        assert!(w.detail.contains("no such endpoint") && w.detail.contains("before applying"), "{}", w.detail);
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
