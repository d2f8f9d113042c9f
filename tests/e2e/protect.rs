//! A plan that destroys or replaces an OAuth integration some content uses (Connect's delete
//! removes the associations): a warning naming the content (how many, titles and guids), or with
//! `protect_used_integrations = true` an error that stops the plan and deletes nothing; nothing
//! said when no content uses it; servers before 2025.07.0 (content named by `app_guid` only);
//! a server that cannot say (a warning, or with the setting an error); an unclear 404 read by
//! whether the integration is there; hostile titles shown clean.

use fake_connect::{Fault, FaultAction, Profile, Store};
use serde_json::Value;

use crate::support::*;

const USED: &str = "posit_connect_oauth_integration.used";
const IN_USE: &str = "OAuth integration used by";

/// `main.tf`: the provider block (with the setting when `protect` is given), an integration of
/// `template` labelled `used` and the integrations `more` holds.
fn config(protect: Option<bool>, template: &str, more: &str) -> String {
    let provider = protect
        .map(|p| format!("provider \"posit\" {{\n  protect_used_integrations = {p}\n}}\n\n"))
        .unwrap_or_default();
    let body = provider + &Integration::new(template, "Used").hcl("used") + more;
    main_tf(&ProviderConfig::Env, &body)
}

/// The diagnostics whose summary starts with `prefix`.
fn starting<'a>(diags: &'a [Value], prefix: &str) -> Vec<&'a Value> {
    diags.iter().filter(|d| d["summary"].as_str().unwrap_or_default().starts_with(prefix)).collect()
}

/// The diagnostics saying content uses an integration.
fn in_use(diags: &[Value]) -> Vec<&Value> {
    starting(diags, IN_USE)
}

/// The diagnostic of `severity` saying the associations could not be read.
#[track_caller]
fn could_not_check<'a>(diags: &'a [Value], severity: &str) -> &'a Value {
    starting(diags, "Could not check")
        .into_iter()
        .find(|d| d["severity"] == severity)
        .unwrap_or_else(|| panic!("no {severity} saying the check could not be made: {diags:?}"))
}

/// The one in-use diagnostic, which must have `severity`; its detail.
#[track_caller]
fn the_in_use(run: &TfRun, diags: &[Value], severity: &str) -> String {
    let found = in_use(diags);
    if found.len() != 1 || found[0]["severity"] != severity {
        run.fail(&format!("expected one {severity} saying {IN_USE:?}, got {diags:?}"));
    }
    found[0]["detail"].as_str().unwrap_or_default().to_string()
}

/// Applies `main.tf` and returns the guid of `USED`.
#[track_caller]
fn apply_used(ws: &Workspace) -> String {
    ws.apply();
    resource_values(&ws.state_json(), USED)["guid"].as_str().expect("a guid").to_string()
}

/// A content item titled `title` using `integration`; its guid.
fn used_by(store: &Store, integration: &str, title: &str) -> String {
    let content = store.add_content_with_title(Some(title));
    store.set_associations(&content, vec![integration.to_string()]).unwrap();
    content
}

/// Two content items using `integration`: one titled, one without a title. Their guids.
fn two_users(store: &Store, integration: &str) -> (String, String) {
    let titled = store.add_content_with_title(Some("Sales dashboard"));
    let untitled = store.add_content();
    for c in [&titled, &untitled] {
        store.set_associations(c, vec![integration.to_string()]).unwrap();
    }
    (titled, untitled)
}

#[test]
fn protect_warns_of_content_using_an_integration_destroyed_or_replaced() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        ws.write_main(&config(None, "msgraph", ""));
        let guid = apply_used(&ws);
        let (titled, untitled) = two_users(&store, &guid);

        // (a) A destroy plan names the content: how many, the title and the guids.
        let (run, diags) = ws.plan_diagnostics_with(&["-destroy"]);
        let detail = the_in_use(&run.ok(), &diags, "warning");
        assert!(in_use(&diags)[0]["summary"].as_str().unwrap().contains("2 content items"), "{diags:?}");
        for needle in ["would destroy", "\"Sales dashboard\"", &titled, &untitled, &guid, "protect_used_integrations"] {
            assert!(detail.contains(needle), "{needle:?} missing from: {detail}");
        }

        // (b) So does a template change, which replaces the integration.
        ws.write_main(&config(None, "sharepoint", ""));
        let (run, diags) = ws.plan_diagnostics();
        let detail = the_in_use(&run.ok(), &diags, "warning");
        assert!(detail.contains("would replace") && detail.contains("template"), "{detail}");
        assert!(detail.contains(&titled) && detail.contains("\"Sales dashboard\""), "{detail}");

        // A warning only: the destroy goes ahead (and Connect drops the associations).
        let destroyed = ws.destroy();
        destroyed.assert_said(&[IN_USE, "Sales dashboard"]);
        assert!(store.is_empty(), "the integration is deleted");
        assert_eq!(store.associations(&titled).unwrap(), Vec::<String>::new());
    });
}

#[test]
fn protect_used_integrations_stops_the_plan() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        ws.write_main(&config(Some(true), "msgraph", ""));
        let guid = apply_used(&ws);
        let (titled, _) = two_users(&store, &guid);

        // (c) Destroy: an error naming the content and how to proceed; nothing deleted.
        let (run, diags) = ws.plan_diagnostics_with(&["-destroy"]);
        let run = run.failed();
        let detail = the_in_use(&run, &diags, "error");
        assert!(detail.contains(&titled) && detail.contains("protect_used_integrations = false"), "{detail}");
        ws.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
            .failed()
            .assert_said(&[IN_USE, "Sales dashboard"]);
        assert_eq!(store.len(), 1, "nothing deleted");
        assert_eq!(store.associations(&titled).unwrap(), vec![guid.clone()]);

        // A replacement likewise.
        ws.write_main(&config(Some(true), "sharepoint", ""));
        let (run, diags) = ws.plan_diagnostics();
        let detail = the_in_use(&run.failed(), &diags, "error");
        assert!(detail.contains("would replace"), "{detail}");
        ws.try_apply().failed();
        assert!(store.get(&guid).is_some() && store.len() == 1, "the integration is still there");
        assert!(writes(&store).iter().all(|r| r.method != "DELETE"), "{}", request_log(&store));

        // Once no content uses it, as the error says, the destroy goes ahead.
        for c in store.content_of(&guid) {
            store.set_associations(&c, vec![]).unwrap();
        }
        ws.destroy();
        assert!(store.is_empty());
    });
}

#[test]
fn protect_says_nothing_of_an_integration_no_content_uses() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        let other = Integration::new("msgraph", "Other").hcl("other");
        ws.write_main(&config(Some(true), "msgraph", &other));
        let guid = apply_used(&ws);
        let unused = resource_values(&ws.state_json(), "posit_connect_oauth_integration.other")["guid"]
            .as_str()
            .unwrap()
            .to_string();
        // (d) Content uses `used` only: replacing `other` is silent, even protected.
        used_by(&store, &guid, "Uses the other one");
        let other = Integration::new("sharepoint", "Other").hcl("other");
        ws.write_main(&config(Some(true), "msgraph", &other));
        let (run, diags) = ws.plan_diagnostics();
        run.ok();
        assert!(in_use(&diags).is_empty(), "nothing to say: {diags:?}");
        assert_actions(&ws.plan_json(), "posit_connect_oauth_integration.other", &["delete", "create"], "template");
        ws.apply();
        assert!(store.get(&unused).is_none(), "replaced");

        // Destroying both warns of `used` alone.
        ws.write_main(&config(None, "msgraph", &other));
        let (run, diags) = ws.plan_diagnostics_with(&["-destroy"]);
        let detail = the_in_use(&run.ok(), &diags, "warning");
        assert!(detail.contains(&guid) && detail.contains("\"Used\""), "{detail}");
    });
}

#[test]
fn protect_names_content_on_servers_before_2025_07() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        // (e) Connect 2024.12: associations name the content by `app_guid` only.
        store.set_profile(Profile::Older);
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        ws.write_main(&config(None, "msgraph", ""));
        let guid = apply_used(&ws);
        let content = used_by(&store, &guid, "Quarterly report");

        let (run, diags) = ws.plan_diagnostics_with(&["-destroy"]);
        let detail = the_in_use(&run.ok(), &diags, "warning");
        assert!(in_use(&diags)[0]["summary"].as_str().unwrap().ends_with("1 content item"), "{diags:?}");
        assert!(detail.contains(&content) && detail.contains("\"Quarterly report\""), "{detail}");
    });
}

#[test]
fn protect_says_when_it_could_not_check_and_shows_server_text_clean() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        ws.write_main(&config(None, "msgraph", ""));
        let guid = apply_used(&ws);
        used_by(&store, &guid, "\u{1b}[31mRed\u{1b}[0m title\u{1b}]0;retitled-9c2d\u{7}");

        // A hostile title reaches the terminal without its escape sequences.
        let run = ws.run(&["plan", "-destroy", "-no-color", "-input=false"]).ok();
        run.assert_said(&[IN_USE, "\"Red title\""]);
        if run.output().contains('\u{1b}') || run.output().contains("retitled-9c2d") {
            run.fail("an escape sequence from a content title reached Terraform's output");
        }

        // A server without the associations endpoint: a warning that nothing was checked...
        let path = format!("/__api__/v1/oauth/integrations/{guid}/associations");
        let message = "The requested endpoint does not exist. \u{1b}[2Jcleared".to_string();
        fake.faults().set(vec![Fault::new(1, FaultAction::Message { status: 404, message }).on_path(&path)]);
        let (run, diags) = ws.plan_diagnostics_with(&["-destroy"]);
        run.ok();
        let detail = could_not_check(&diags, "warning")["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("endpoint does not exist") && detail.contains("cleared"), "{detail}");
        assert!(!detail.contains('\u{1b}'), "{detail}");

        // ...and with protection, an error saying why; nothing deleted.
        ws.write_main(&config(Some(true), "msgraph", ""));
        let (run, diags) = ws.plan_diagnostics_with(&["-destroy"]);
        run.failed();
        let error = could_not_check(&diags, "error");
        assert!(error["detail"].as_str().unwrap_or_default().contains("endpoint does not exist"), "{error}");
        assert_eq!(store.len(), 1);
    });
}

/// Connect's 404 body for a missing integration is not recorded, so an unclear 404 from the
/// associations is taken both ways: for an integration that is there it is a failed check (an
/// error, protected); for one already gone (deleted in the dashboard, planned without refresh) it
/// is nothing to check, and the destroy goes through.
#[test]
fn protect_reads_an_unclear_404_by_whether_the_integration_is_there() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        ws.write_main(&config(Some(true), "msgraph", ""));
        let guid = apply_used(&ws);
        // Used by content, and the state knows it (Connect's count of 0 would spare the check).
        used_by(&store, &guid, "Uses it");
        ws.run(&["apply", "-refresh-only", "-auto-approve", "-no-color", "-input=false"]).ok();
        let path = format!("/__api__/v1/oauth/integrations/{guid}/associations");
        let message = "Not found.".to_string();
        fake.faults().set(vec![Fault::new(1, FaultAction::Message { status: 404, message }).on_path(&path)]);

        let (run, diags) = ws.plan_diagnostics_with(&["-destroy"]);
        run.failed();
        assert!(could_not_check(&diags, "error")["detail"].as_str().unwrap_or_default().contains("Not found."));

        assert!(store.remove(&guid), "deleted in the dashboard");
        let (run, diags) = ws.plan_diagnostics_with(&["-destroy", "-refresh=false"]);
        run.ok();
        assert!(starting(&diags, "Could not check").is_empty(), "{diags:?}");
        ws.run(&["destroy", "-auto-approve", "-refresh=false", "-no-color", "-input=false"]).ok();
        assert!(state_addresses(&ws.state_json()).is_empty());
    });
}

#[test]
fn connect_s_content_count_spares_the_associations_call() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        let other = Integration::new("msgraph", "Other").hcl("other");
        ws.write_main(&config(Some(true), "msgraph", &other));
        let guid = apply_used(&ws);
        used_by(&store, &guid, "Uses one");
        // The state shows what the integration provides, once refreshed.
        ws.run(&["apply", "-refresh-only", "-auto-approve", "-no-color", "-input=false"]).ok();
        let state = ws.state_json();
        let used = resource_values(&state, USED);
        assert_eq!(used["content_count"], 1, "{used}");
        assert_eq!(used["environment_variables"], serde_json::json!(["AZURE_TENANT_ID", "AZURE_CLIENT_ID"]));
        assert_eq!(resource_values(&state, "posit_connect_oauth_integration.other")["content_count"], 0);

        // A destroy plan asks about the associations of the used one only: Connect's count of
        // 0 says the other needs no look.
        store.clear_requests();
        let (run, diags) = ws.plan_diagnostics_with(&["-destroy"]);
        run.failed();
        assert_eq!(in_use(&diags).len(), 1, "{diags:?}");
        let asked: Vec<String> = store
            .requests()
            .into_iter()
            .filter(|r| r.method == "GET" && r.path.ends_with("/associations"))
            .map(|r| r.path)
            .collect();
        assert_eq!(asked, [format!("/__api__/v1/oauth/integrations/{guid}/associations")], "{}", request_log(&store));
    });
}
