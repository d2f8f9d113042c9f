//! A plan that destroys or replaces an OAuth integration some content uses (Connect's delete
//! removes the associations): a warning naming the content (how many, titles and guids), one per
//! integration; with `protect_used_integrations = true` the delete is refused at apply while
//! content still uses the integration (an error naming it, the integration kept in state), after
//! Terraform has removed the associations the configuration manages, so a destroy of both goes
//! through and the plan leaves that content out of its warning; several refusals reported
//! together; nothing said when no content uses it; servers before 2025.07.0 (content named by
//! `app_guid` only); a server that cannot say (a warning at plan, with the setting an error at
//! apply); an unclear 404 read by whether the integration is there; hostile titles shown clean.

use fake_connect::{Fault, FaultAction, Profile, Store};
use serde_json::Value;

use crate::support::*;

const USED: &str = "posit_connect_oauth_integration.used";
/// What a summary saying content uses an integration says after the integration's name.
const IN_USE: &str = " is used by ";
/// The summary's end of the error of a delete refused at apply.
const NOT_DELETED: &str = "not deleted";
const DESTROY: &[&str] = &["destroy", "-auto-approve", "-no-color", "-input=false"];

/// `main.tf`: the provider block (with the setting when `protect` is given), an integration of
/// `template` labelled `used` and the integrations `more` holds.
fn config(protect: Option<bool>, template: &str, more: &str) -> String {
    let provider = protect
        .map(|p| format!("provider \"posit\" {{\n  protect_used_integrations = {p}\n}}\n\n"))
        .unwrap_or_default();
    let body = provider + &Integration::new(template, "Used").hcl("used") + more;
    main_tf(&ProviderConfig::Env, &body)
}

/// `content`'s associations as a resource labelled `label`, listing `integrations` (HCL
/// expressions).
fn association(label: &str, content: &str, integrations: &str) -> String {
    format!(
        "resource \"posit_connect_content_oauth_integrations\" \"{label}\" {{\n  content_guid      = {}\n  \
         integration_guids = [{integrations}]\n}}\n",
        hcl_string(content)
    )
}

/// How many times the output says `needle`.
fn times(run: &TfRun, needle: &str) -> usize {
    run.output().matches(needle).count()
}

/// The diagnostics whose summary starts with `prefix`.
fn starting<'a>(diags: &'a [Value], prefix: &str) -> Vec<&'a Value> {
    diags.iter().filter(|d| d["summary"].as_str().unwrap_or_default().starts_with(prefix)).collect()
}

/// The diagnostics saying content uses an integration (`OAuth integration "NAME" is used by ...`).
fn in_use(diags: &[Value]) -> Vec<&Value> {
    starting(diags, "OAuth integration ")
        .into_iter()
        .filter(|d| d["summary"].as_str().unwrap_or_default().contains(IN_USE))
        .collect()
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
fn protect_used_integrations_refuses_the_delete_at_apply() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        ws.write_main(&config(Some(true), "msgraph", ""));
        let guid = apply_used(&ws);
        let (titled, untitled) = two_users(&store, &guid);

        // (c) Destroy: the plan warns that the delete will be refused, naming the content...
        let (run, diags) = ws.plan_diagnostics_with(&["-destroy"]);
        let run = run.ok();
        let detail = the_in_use(&run, &diags, "warning");
        assert!(in_use(&diags)[0]["summary"].as_str().unwrap().ends_with("refused unless that changes"), "{diags:?}");
        assert!(detail.contains(&titled) && detail.contains("protect_used_integrations = false"), "{detail}");
        // ...and apply refuses it, naming the content; nothing deleted, the state kept.
        ws.run(DESTROY).failed().assert_said(&[NOT_DELETED, "Sales dashboard", &titled, &untitled]);
        assert_eq!(store.len(), 1, "nothing deleted");
        assert_eq!(store.associations(&titled).unwrap(), vec![guid.clone()]);
        assert_eq!(state_addresses(&ws.state_json()), [USED]);

        // A replacement likewise: its delete half is refused, so nothing is created either.
        ws.write_main(&config(Some(true), "sharepoint", ""));
        let (run, diags) = ws.plan_diagnostics();
        let detail = the_in_use(&run.ok(), &diags, "warning");
        assert!(detail.contains("would replace"), "{detail}");
        ws.try_apply().failed().assert_said(&[NOT_DELETED, "Sales dashboard", "create_before_destroy"]);
        assert!(store.get(&guid).is_some() && store.len() == 1, "the integration is still there");
        assert!(writes(&store).iter().all(|r| r.method != "DELETE"), "{}", request_log(&store));
        assert_eq!(resource_values(&ws.state_json(), USED)["guid"], guid.as_str());

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

        // ...and with protection, a warning that apply asks again, then at apply an error saying
        // why; nothing deleted.
        ws.write_main(&config(Some(true), "msgraph", ""));
        let (run, diags) = ws.plan_diagnostics_with(&["-destroy"]);
        run.ok();
        let warning = could_not_check(&diags, "warning");
        assert!(warning["detail"].as_str().unwrap_or_default().contains("asks Connect again"), "{warning}");
        let run = ws.run(DESTROY).failed();
        run.assert_said(&["Could not check which content uses", "endpoint does not exist", "stays in state"]);
        if run.output().contains('\u{1b}') {
            run.fail("an escape sequence from the server reached Terraform's output");
        }
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
        run.ok();
        assert!(could_not_check(&diags, "warning")["detail"].as_str().unwrap_or_default().contains("Not found."));
        ws.run(DESTROY).failed().assert_said(&["Could not check which content uses", "Not found."]);
        assert!(store.get(&guid).is_some(), "not deleted");

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
        run.ok();
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

/// With protection, a configuration managing both an integration and the association using it
/// is destroyed: Terraform removes the association first, so at the integration's delete Connect
/// names no content; the plan knows it (the association's destroy is planned first) and leaves
/// that content out of its warning, listing only content associated outside Terraform, whose use
/// still has the delete refused.
#[test]
fn protect_lets_a_destroy_remove_its_own_associations_first() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        let managed = store.add_content_with_title(Some("Managed app"));
        let outside = store.add_content_with_title(Some("Outside app"));
        let both = config(Some(true), "msgraph", &association("app", &managed, &format!("{USED}.guid")));
        ws.write_main(&both);
        let guid = apply_used(&ws);
        assert_eq!(store.associations(&managed).unwrap(), vec![guid.clone()]);
        store.set_associations(&outside, vec![guid.clone()]).unwrap();

        // The plan warns of the content associated outside Terraform only.
        let (run, diags) = ws.plan_diagnostics_with(&["-destroy"]);
        let detail = the_in_use(&run.ok(), &diags, "warning");
        assert!(in_use(&diags)[0]["summary"].as_str().unwrap().contains("by 1 content item"), "{diags:?}");
        assert!(detail.contains(&outside) && detail.contains("\"Outside app\""), "{detail}");
        assert!(!detail.contains(&managed) && !detail.contains("Managed app"), "{detail}");
        assert!(detail.contains("Not listed: 1 content item whose association"), "{detail}");

        // Apply removes the managed association, then refuses the integration's delete.
        let run = ws.run(DESTROY).failed();
        run.assert_said(&[NOT_DELETED, "Outside app", &outside]);
        assert_eq!(times(&run, NOT_DELETED), 1, "{}", run.describe());
        assert_eq!(store.associations(&managed).unwrap(), Vec::<String>::new());
        assert_eq!(store.associations(&outside).unwrap(), vec![guid.clone()]);
        assert_eq!(state_addresses(&ws.state_json()), [USED]);
        assert!(store.get(&guid).is_some());

        // Without the outside use, the destroy goes through.
        store.set_associations(&outside, vec![]).unwrap();
        ws.destroy();
        assert!(store.is_empty());

        // Both again: `terraform destroy` says nothing of the managed association and deletes.
        ws.write_main(&both);
        let guid = apply_used(&ws);
        let (run, diags) = ws.plan_diagnostics_with(&["-destroy"]);
        run.ok();
        assert!(in_use(&diags).is_empty(), "{diags:?}");
        let run = ws.destroy();
        assert_eq!(times(&run, IN_USE), 0, "{}", run.describe());
        assert!(store.get(&guid).is_none());
        assert_eq!(store.associations(&managed).unwrap(), Vec::<String>::new());

        // Both taken out of the configuration: apply goes through. (The plan may warn of the
        // managed association: Terraform does not promise to plan orphans' destroys in
        // dependency order, and 1.15 was seen planning the integration's first. Apply decides.)
        ws.write_main(&both);
        apply_used(&ws);
        ws.write_main(&main_tf(&ProviderConfig::Env, "provider \"posit\" {\n  protect_used_integrations = true\n}\n"));
        let (run, diags) = ws.plan_diagnostics();
        run.ok();
        assert!(diags.iter().all(|d| d["severity"] != "error"), "{diags:?}");
        ws.apply();
        assert!(store.is_empty());
        assert!(state_addresses(&ws.state_json()).is_empty());
    });
}

/// Two integrations used outside Terraform: the plan warns of each, and apply reports both
/// refusals together (Terraform carries on with independent deletes after one fails); without
/// protection both are deleted, with the warnings.
#[test]
fn protect_reports_every_integration_content_still_uses() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        let second = Integration::new("sharepoint", "Second").hcl("second");
        ws.write_main(&config(Some(true), "msgraph", &second));
        let guid = apply_used(&ws);
        let other = resource_values(&ws.state_json(), "posit_connect_oauth_integration.second")["guid"]
            .as_str()
            .unwrap()
            .to_string();
        let first_app = used_by(&store, &guid, "First app");
        let second_app = used_by(&store, &other, "Second app");

        let (run, diags) = ws.plan_diagnostics_with(&["-destroy"]);
        run.ok();
        let found = in_use(&diags);
        assert_eq!(found.len(), 2, "one warning per integration: {diags:?}");
        assert!(found.iter().all(|d| d["severity"] == "warning"), "{diags:?}");
        for (integration, app) in [(&guid, &first_app), (&other, &second_app)] {
            assert!(
                found.iter().any(|d| {
                    let detail = d["detail"].as_str().unwrap_or_default();
                    detail.contains(integration.as_str()) && detail.contains(app.as_str())
                }),
                "{diags:?}"
            );
        }

        let run = ws.run(DESTROY).failed();
        run.assert_said(&["First app", &first_app, "Second app", &second_app]);
        assert_eq!(times(&run, NOT_DELETED), 2, "both refusals reported: {}", run.describe());
        assert_eq!(store.len(), 2);
        assert_eq!(state_addresses(&ws.state_json()).len(), 2);
        assert!(writes(&store).iter().all(|r| r.method != "DELETE"), "{}", request_log(&store));

        // Protection off: deleted, with a warning for each (each shown: their summaries differ
        // by the integration's name, so Terraform does not fold them into one).
        ws.write_main(&config(Some(false), "msgraph", &second));
        let run = ws.destroy();
        run.assert_said(&["\"Used\" is used by", "First app", "\"Second\" is used by", "Second app"]);
        assert_eq!(times(&run, NOT_DELETED), 0, "{}", run.describe());
        assert!(store.is_empty());
        assert_eq!(store.associations(&first_app).unwrap(), Vec::<String>::new());
    });
}

/// With protection, replacing an integration the configuration's own association uses: without
/// `create_before_destroy` Terraform deletes the old integration before updating the association,
/// so Connect still names the content and the delete is refused, as the error says; with it the
/// association moves to the new integration first and the old one is deleted.
#[test]
fn protect_lets_a_create_before_destroy_replacement_move_its_associations() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        let managed = store.add_content_with_title(Some("Managed app"));
        let body = |template: &str, cbd: bool| {
            let mut hcl = Integration::new(template, "Used").hcl("used");
            if cbd {
                let open = hcl.trim_end().strip_suffix('}').expect("a block").to_string();
                hcl = open + "  lifecycle {\n    create_before_destroy = true\n  }\n}\n";
            }
            let provider = "provider \"posit\" {\n  protect_used_integrations = true\n}\n\n".to_string();
            main_tf(&ProviderConfig::Env, &(provider + &hcl + &association("app", &managed, &format!("{USED}.guid"))))
        };
        ws.write_main(&body("msgraph", false));
        let old = apply_used(&ws);

        ws.write_main(&body("sharepoint", false));
        ws.try_apply().failed().assert_said(&[NOT_DELETED, "Managed app", "create_before_destroy"]);
        assert!(store.get(&old).is_some() && store.len() == 1);
        assert_eq!(store.associations(&managed).unwrap(), vec![old.clone()]);

        ws.write_main(&body("sharepoint", true));
        let new = apply_used(&ws);
        assert_ne!(new, old);
        assert!(store.get(&old).is_none() && store.len() == 1);
        assert_eq!(store.associations(&managed).unwrap(), vec![new]);
    });
}
