//! `posit_connect_content_vanity_url`: a content item's vanity path, set by PUT; a path written
//! with or without slashes plans no change; drift (changed, removed) seen and restored; import by
//! content guid; destroy deletes it; a path taken, nested or reserved refused on `path`, taken
//! only with `force`; bad input refused at plan; publisher keys on their own content (and under
//! `publishers-no-vanity`) and elsewhere; content deleted outside Terraform.

use fake_connect::{Profile, Store};
use serde_json::json;

use crate::support::*;

const ADDR: &str = "posit_connect_content_vanity_url.app";

fn body(content: &str, path: &str, force: Option<bool>) -> String {
    let force = force.map(|f| format!("  force        = {f}\n")).unwrap_or_default();
    format!(
        "resource \"posit_connect_content_vanity_url\" \"app\" {{\n  content_guid = {}\n  path         = {}\n{force}}}\n",
        hcl_string(content),
        hcl_string(path)
    )
}

#[test]
fn content_vanity_url_lifecycle() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let content = store.add_content();
        let provider = admin(&fake);
        let ws = Workspace::new(tf);

        // Written without slashes: Connect stores /my-app/, the state keeps what was written.
        ws.write_main(&main_tf(&provider, &body(&content, "my-app", None)));
        ws.apply();
        assert_eq!(store.content_vanity(&content).as_deref(), Some("/my-app/"));
        let state = resource_values(&ws.state_json(), ADDR);
        assert_eq!((&state["path"], &state["force"], &state["id"]), (&json!("my-app"), &json!(false), &json!(content)));
        ws.assert_no_changes("after setting the vanity path");
        ws.write_main(&main_tf(&provider, &body(&content, "/my-app/", None)));
        ws.assert_no_changes("with the same path written with slashes");

        // An update in place.
        ws.write_main(&main_tf(&provider, &body(&content, "team/sales", None)));
        assert_actions(&ws.plan_json(), ADDR, &["update"], "after changing the path");
        ws.apply();
        assert_eq!(store.content_vanity(&content).as_deref(), Some("/team/sales/"));
        ws.assert_no_changes("after changing the path");

        // Drift: the path changed in the dashboard is seen and put back.
        assert!(store.set_content_vanity(&content, Some("/renamed/")));
        let plan = ws.plan_json();
        assert_actions(&plan, ADDR, &["update"], "after the path was changed on the server");
        assert!(resource_drift(&plan.json).iter().any(|(addr, _)| addr == ADDR), "drift is reported");
        ws.apply();
        assert_eq!(store.content_vanity(&content).as_deref(), Some("/team/sales/"));

        // Drift: the vanity URL removed in the dashboard is set again.
        assert!(store.set_content_vanity(&content, None));
        assert_actions(&ws.plan_json(), ADDR, &["create"], "after the vanity URL was removed on the server");
        ws.apply();
        assert_eq!(store.content_vanity(&content).as_deref(), Some("/team/sales/"));
        ws.assert_no_changes("after restoring the vanity URL");

        // Import by content guid: the server's form in state, no change against the written one.
        ws.run(&["state", "rm", ADDR]).ok();
        ws.try_import(ADDR, "sales-report").failed().assert_said(&["not a guid"]);
        ws.import(ADDR, &content);
        let imported = resource_values(&ws.state_json(), ADDR);
        assert_eq!((&imported["path"], &imported["force"]), (&json!("/team/sales/"), &json!(false)));
        ws.assert_no_changes("after import");

        // Destroy deletes it, and leaves the content.
        ws.destroy();
        assert_eq!(store.content_vanity(&content), None);
        assert!(store.content_permissions(&content).is_some(), "the content item stays");

        // Content deleted outside Terraform: the refresh warns and drops it, the plan sets it
        // again, and the apply says which content_guid is missing.
        ws.apply();
        assert_content_deleted_outside(&ws, &store, &content, ADDR);
    });
}

#[test]
fn content_vanity_url_conflicts_and_force() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let (mine, theirs) = (store.add_content(), store.add_content());
        assert!(store.set_content_vanity(&theirs, Some("/shared/")));
        let provider = admin(&fake);
        let ws = Workspace::new(tf);

        // Taken by other content: refused on `path`, naming force; nothing moved.
        ws.write_main(&main_tf(&provider, &body(&mine, "shared", None)));
        let (run, diags) = ws.json_diagnostics("apply", &[]);
        assert_error_at(&run, &diags, "path", &["is in use", "set force = true", "loses its vanity URL"]);
        assert_eq!(store.content_vanity(&theirs).as_deref(), Some("/shared/"));
        assert_eq!(store.content_vanity(&mine), None);

        // Nested in another vanity path: refused on `path`, with force too.
        ws.write_main(&main_tf(&provider, &body(&mine, "shared/sub", Some(true))));
        let (run, diags) = ws.json_diagnostics("apply", &[]);
        assert_error_at(&run, &diags, "path", &["would nest", "whatever force says"]);

        // Reserved in a way only the server knows (its prefixes compared without case).
        ws.write_main(&main_tf(&provider, &body(&mine, "/Connect/x", None)));
        let (run, diags) = ws.json_diagnostics("apply", &[]);
        assert_error_at(&run, &diags, "path", &["Connect refuses the vanity path", "which Connect keeps for itself"]);
        assert_eq!(store.content_vanity(&mine), None);

        // With force the path moves: the other content loses its vanity URL.
        ws.write_main(&main_tf(&provider, &body(&mine, "shared", Some(true))));
        ws.apply();
        assert_eq!(store.content_vanity(&mine).as_deref(), Some("/shared/"));
        assert_eq!(store.content_vanity(&theirs), None);
        ws.assert_no_changes("after taking the path with force");

        // Taken back in the dashboard: seen as removed, and created again (with force) on apply.
        assert!(store.set_content_vanity(&theirs, Some("/shared/")));
        assert_actions(&ws.plan_json(), ADDR, &["create"], "after the path moved to other content");
        ws.apply();
        assert_eq!(store.content_vanity(&mine).as_deref(), Some("/shared/"));

        ws.destroy();
        assert_eq!(store.content_vanity(&mine), None);
    });
}

#[test]
fn content_vanity_url_bad_input_fails_at_plan() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let content = store.add_content();
        let provider = admin(&fake);
        let ws = Workspace::new(tf);
        for (guid, path, attribute, needle) in [
            (content.as_str(), "", "path", "is empty"),
            (content.as_str(), "/", "path", "root"),
            (content.as_str(), "has space", "path", "Connect accepts letters, digits"),
            (content.as_str(), "report.html", "path", "holds '.'"),
            (content.as_str(), "/__api__/x", "path", "under /__"),
            (content.as_str(), "connect/apps", "path", "starts with /connect/"),
            ("sales-report", "sales", "content_guid", "not a guid"),
        ] {
            ws.write_main(&main_tf(&provider, &body(guid, path, None)));
            let (run, diags) = ws.json_diagnostics("plan", &[]);
            assert_error_at(&run, &diags, attribute, &[needle]);
        }
        assert!(writes(&store).is_empty(), "nothing reaches the server:\n{}", request_log(&store));
    });
}

#[test]
fn content_vanity_url_with_a_publisher_key() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let own = store.add_content_owned_by(Store::PUBLISHER_USER_GUID, "publishers-app");
        let other = store.add_content();
        // The publisher may see the administrator's content, not change it.
        store.set_content_permission(&other, "user", Store::PUBLISHER_USER_GUID, "viewer").unwrap();
        let publisher = publisher(&fake);
        let ws = Workspace::new(tf);

        // On content it owns: the whole lifecycle.
        ws.write_main(&main_tf(&publisher, &body(&own, "publishers-app", None)));
        ws.apply();
        assert_eq!(store.content_vanity(&own).as_deref(), Some("/publishers-app/"));
        ws.assert_no_changes("after a publisher set its content's vanity path");
        ws.write_main(&main_tf(&publisher, &body(&own, "publishers-app-2", None)));
        ws.apply();
        assert_eq!(store.content_vanity(&own).as_deref(), Some("/publishers-app-2/"));
        ws.destroy();
        assert_eq!(store.content_vanity(&own), None);

        // On content it may not change: Connect's refusal on the resource, and what it requires.
        ws.write_main(&main_tf(&publisher, &body(&other, "not-mine", None)));
        let (run, diags) = ws.json_diagnostics("apply", &[]);
        assert_error_at(
            &run,
            &diags,
            "resource",
            &["You may not change the content item", "Authorization.PublishersCanManageVanities"],
        );
        assert_eq!(store.content_vanity(&other), None);

        // A server where publishers may not manage vanity URLs: refused even on its own content.
        store.set_profile(Profile::PublishersNoVanity);
        ws.write_main(&main_tf(&publisher, &body(&own, "publishers-app", None)));
        let (run, diags) = ws.json_diagnostics("apply", &[]);
        assert_error_at(
            &run,
            &diags,
            "resource",
            &["Only administrators may set or delete vanity URLs", "Authorization.PublishersCanManageVanities"],
        );
        assert_eq!(store.content_vanity(&own), None);
        // An administrator still may.
        ws.write_main(&main_tf(&admin(&fake), &body(&own, "publishers-app", None)));
        ws.apply();
        assert_eq!(store.content_vanity(&own).as_deref(), Some("/publishers-app/"));
        ws.destroy();
    });
}
