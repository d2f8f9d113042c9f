//! `posit_connect_content_access` and `data "posit_connect_content"`: a content item's access type
//! and whole access list, changed an entry at a time; drift on the server seen and restored (the
//! owner's own entry ignored); import by content guid; destroy removes the entries and leaves the
//! access type; bad input refused at plan; a publisher's key on its own content and refused on
//! another's; content deleted outside Terraform.

use std::collections::BTreeSet;

use fake_connect::{Profile, Store};
use serde_json::{json, Value};
use terraform_provider_posit::connect::{Client, ClientConfig, Secret};

use crate::support::*;

const ADDR: &str = "posit_connect_content_access.app";

/// `viewers`/`collaborators` as HCL: `None` leaves the list out.
fn body(content: &str, access: &str, viewers: Option<&str>, collaborators: Option<&str>) -> String {
    let mut s = format!(
        "resource \"posit_connect_content_access\" \"app\" {{\n  content_guid = {}\n  access_type  = {}\n",
        hcl_string(content),
        hcl_string(access)
    );
    if let Some(v) = viewers {
        s += &format!("  viewers = {v}\n");
    }
    if let Some(c) = collaborators {
        s += &format!("  collaborators = {c}\n");
    }
    s + "}\n"
}

fn list(users: &[&str], groups: &[&str]) -> String {
    let q = |v: &[&str]| v.iter().map(|g| hcl_string(g)).collect::<Vec<_>>().join(", ");
    format!("{{ users = [{}], groups = [{}] }}", q(users), q(groups))
}

/// The content's access list as (principal guid, type, role), sorted.
fn entries(store: &Store, content: &str) -> BTreeSet<(String, String, String)> {
    let s = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
    store
        .content_permissions(content)
        .expect("the content exists")
        .iter()
        .map(|e| (s(e, "principal_guid"), s(e, "principal_type"), s(e, "role")))
        .collect()
}

fn entry(guid: &str, principal_type: &str, role: &str) -> (String, String, String) {
    (guid.to_string(), principal_type.to_string(), role.to_string())
}

/// The content's access type, as Connect's API answers it.
fn access_type(server: &str, content: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    let client = Client::new(ClientConfig::new(server, Secret::new(ADMIN_KEY), "e2e-content-access")).unwrap();
    rt.block_on(client.get_content(content)).unwrap().expect("the content exists").access_type
}

fn texts(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| format!("{}: {}", d["summary"].as_str().unwrap_or_default(), d["detail"].as_str().unwrap_or_default()))
        .collect()
}

#[test]
fn content_access_lifecycle() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let ana = store.add_user("ana");
        let bob = store.add_user("bob");
        let carl = store.add_user("carl");
        let ai = store.add_group("AI team");
        let content = store.add_content();
        let provider = admin(&fake);
        let ws = Workspace::new(tf);

        // Create: ana and the AI team may view, bob may change; the access type is changed too.
        let upper_ana = ana.to_ascii_uppercase();
        ws.write_main(&main_tf(
            &provider,
            &body(&content, "logged_in", Some(&list(&[&upper_ana], &[&ai])), Some(&list(&[&bob], &[]))),
        ));
        ws.apply();
        assert_eq!(
            entries(&store, &content),
            BTreeSet::from([
                entry(&ana, "user", "viewer"),
                entry(&ai, "group", "viewer"),
                entry(&bob, "user", "owner")
            ])
        );
        assert_eq!(access_type(&fake.url(), &content), "logged_in");
        let state = resource_values(&ws.state_json(), ADDR);
        assert_eq!(state["owner_guid"], json!(Store::ADMIN_USER_GUID));
        assert_eq!(state["id"], json!(content));
        ws.assert_no_changes("after create (a guid in capitals is the same guid)");

        // Update in place: bob becomes a viewer (a role change), ana and the group go, acl.
        store.clear_requests();
        ws.write_main(&main_tf(&provider, &body(&content, "acl", Some(&list(&[&bob], &[])), None)));
        ws.apply();
        assert_eq!(entries(&store, &content), BTreeSet::from([entry(&bob, "user", "viewer")]));
        assert_eq!(access_type(&fake.url(), &content), "acl");
        let calls: Vec<String> = writes(&store).iter().map(|r| r.method.clone()).collect();
        assert_eq!(
            calls.iter().filter(|m| *m == "POST").count(),
            1,
            "one upsert for the role change: {}",
            request_log(&store)
        );
        assert_eq!(calls.iter().filter(|m| *m == "DELETE").count(), 2, "{}", request_log(&store));
        ws.assert_no_changes("after the update");

        // Drift: a viewer added and the access type changed in the dashboard; the owner's own
        // entry (which some Connect versions list) is no drift.
        store.set_content_permission(&content, "user", &carl, "viewer").unwrap();
        store.set_content_permission(&content, "user", Store::ADMIN_USER_GUID, "owner").unwrap();
        assert!(store.edit_content(&content, "access_type", json!("all")));
        let plan = ws.plan_json();
        assert_actions(&plan, ADDR, &["update"], "after changes in the dashboard");
        assert!(resource_drift(&plan.json).iter().any(|(addr, _)| addr == ADDR), "drift is reported");
        ws.apply();
        assert_eq!(
            entries(&store, &content),
            BTreeSet::from([entry(&bob, "user", "viewer"), entry(Store::ADMIN_USER_GUID, "user", "owner")]),
            "carl removed, the owner's entry left alone"
        );
        assert_eq!(access_type(&fake.url(), &content), "acl");
        ws.assert_no_changes("after drift was restored");

        // Import by content guid (a malformed id is refused first).
        ws.run(&["state", "rm", ADDR]).ok();
        ws.try_import(ADDR, "my-app").failed().assert_said(&["which is not a guid"]);
        ws.import(ADDR, &content);
        let imported = resource_values(&ws.state_json(), ADDR);
        assert_eq!(imported["viewers"], json!({"users": [bob], "groups": []}));
        assert_eq!(imported["collaborators"], json!({"users": [], "groups": []}));
        ws.assert_no_changes("after import");

        // Destroy removes the entries it manages and leaves the access type.
        ws.destroy();
        assert_eq!(entries(&store, &content), BTreeSet::from([entry(Store::ADMIN_USER_GUID, "user", "owner")]));
        assert_eq!(access_type(&fake.url(), &content), "acl");
    });
}

#[test]
fn content_access_bad_input_is_refused_at_plan() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let ana = store.add_user("ana");
        let content = store.add_content();
        let provider = admin(&fake);
        let ws = Workspace::new(tf);
        let nobody = "00000000-0000-4000-8000-00000000dead";

        let cases: Vec<(String, &str, &str)> = vec![
            (body(&content, "public", None, None), "Invalid value for access_type", "\"all\", \"logged_in\", \"acl\""),
            (body("my-app", "acl", None, None), "content_guid is not a guid", "\"my-app\", which is not a guid"),
            (body(&content, "acl", Some(&list(&["ana"], &[])), None), "Malformed guid in viewers.users", "\"ana\""),
            (
                body(&content, "acl", Some(&list(&[&ana], &[])), Some(&list(&[&ana], &[]))),
                "listed twice",
                "both viewers.users and collaborators.users",
            ),
            (body(&content, "acl", Some(&list(&[nobody], &[])), None), "No user", "has no user with that guid"),
            (body(&content, "acl", None, Some(&list(&[], &[nobody]))), "No group", "has no group with that guid"),
            (
                body(&content, "acl", Some(&list(&[Store::ADMIN_USER_GUID], &[])), None),
                "The content's owner is listed in viewers.users",
                "Remove it from viewers.users",
            ),
            (body(nobody, "acl", None, None), "No content item", "has no content item with that guid"),
        ];
        for (hcl, summary, detail) in cases {
            ws.write_main(&main_tf(&provider, &hcl));
            let (run, diags) = ws.plan_diagnostics();
            if run.success() {
                run.fail(&format!("expected the plan to fail with {summary:?}"));
            }
            let t = texts(&diags);
            assert!(t.iter().any(|t| t.contains(summary) && t.contains(detail)), "{summary}: {t:?}");
        }
        assert!(writes(&store).is_empty(), "nothing changed: {}", request_log(&store));

        // Groups disabled: the lookup cannot tell, so Connect's refusal comes at apply, on the
        // attribute, naming the group.
        let ai = store.add_group("AI team");
        store.set_profile(Profile::NoGroups);
        ws.write_main(&main_tf(&provider, &body(&content, "acl", Some(&list(&[&ana], &[&ai])), None)));
        let run = ws.try_apply().failed();
        run.assert_said(&["Could not give group", &ai, &format!("The group {ai} does not exist")]);
        assert_eq!(entries(&store, &content), BTreeSet::from([entry(&ana, "user", "viewer")]), "ana still added");
    });
}

#[test]
fn content_access_with_a_publishers_key() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let ana = store.add_user("ana");
        let own = store.add_content_owned_by(Store::PUBLISHER_USER_GUID, "publisher-app");
        let theirs = store.add_content();
        // The publisher may see the administrator's content, not change it.
        store.set_content_permission(&theirs, "user", Store::PUBLISHER_USER_GUID, "viewer").unwrap();
        let provider = publisher(&fake);
        let ws = Workspace::new(tf);

        // Its own content, found by name through the data source.
        let own_hcl = format!(
            "data \"posit_connect_content\" \"mine\" {{\n  name       = \"publisher-app\"\n  owner_guid = {}\n}}\n\n{}",
            hcl_string(Store::PUBLISHER_USER_GUID),
            body("CONTENT", "logged_in", Some(&list(&[&ana], &[])), None)
        )
        .replace("\"CONTENT\"", "data.posit_connect_content.mine.guid");
        ws.write_main(&main_tf(&provider, &own_hcl));
        ws.apply();
        assert_eq!(entries(&store, &own), BTreeSet::from([entry(&ana, "user", "viewer")]));
        ws.assert_no_changes("on the publisher's own content");
        ws.destroy();
        assert!(entries(&store, &own).is_empty());

        // Someone else's content: Connect's refusal, on the resource.
        ws.write_main(&main_tf(&provider, &body(&theirs, "acl", Some(&list(&[&ana], &[])), None)));
        let run = ws.try_apply().failed();
        run.assert_said(&[
            "Could not give user",
            "You may not change the content item",
            "only the content it owns or collaborates on",
        ]);
        assert_eq!(entries(&store, &theirs), BTreeSet::from([entry(Store::PUBLISHER_USER_GUID, "user", "viewer")]));
    });
}

#[test]
fn content_access_when_the_content_is_deleted_outside_terraform() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let ana = store.add_user("ana");
        let content = store.add_content();
        let provider = admin(&fake);
        let ws = Workspace::new(tf);
        ws.write_main(&main_tf(&provider, &body(&content, "acl", Some(&list(&[&ana], &[])), None)));
        ws.apply();

        assert!(store.remove_content(&content));
        // The refresh drops it with a warning; recreating it is refused at plan, on content_guid.
        let (run, diags) = ws.plan_diagnostics();
        if run.success() {
            run.fail("a plan for content that no longer exists must fail");
        }
        let t = texts(&diags);
        assert!(t.iter().any(|t| t.contains("no longer exists on Connect")), "{t:?}");
        assert!(t.iter().any(|t| t.contains("No content item")), "{t:?}");
        // Leaving it out of the configuration (or destroying) goes through: nothing is left.
        ws.write_main(&main_tf(&provider, ""));
        ws.apply();
        assert!(state_addresses(&ws.state_json()).is_empty());
    });
}

#[test]
fn content_data_source_by_guid_and_by_name() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let other = store.add_user_with_role("pat", "publisher");
        let mine = store.add_content_owned_by(Store::ADMIN_USER_GUID, "dashboard");
        let theirs = store.add_content_owned_by(&other, "dashboard");
        assert!(store.edit_content(&mine, "title", json!("Sales dashboard")));
        assert!(store.set_content_vanity(&mine, Some("/sales/")));
        let provider = admin(&fake);
        let ws = Workspace::new(tf);

        let hcl = format!(
            "data \"posit_connect_content\" \"by_guid\" {{\n  guid = {}\n}}\n\
             data \"posit_connect_content\" \"by_name\" {{\n  name       = \"dashboard\"\n  owner_guid = {}\n}}\n",
            hcl_string(&mine),
            hcl_string(&other)
        );
        ws.write_main(&main_tf(&provider, &hcl));
        ws.apply();
        let state = ws.state_json();
        let by_guid = resource_values(&state, "data.posit_connect_content.by_guid");
        assert_eq!(by_guid["name"], json!("dashboard"));
        assert_eq!(by_guid["title"], json!("Sales dashboard"));
        assert_eq!(by_guid["access_type"], json!("acl"));
        assert_eq!(by_guid["owner_guid"], json!(Store::ADMIN_USER_GUID));
        assert_eq!(by_guid["vanity_url"], json!(format!("{}/sales/", fake.url())));
        assert!(by_guid["content_url"].as_str().unwrap().contains(&mine), "{by_guid}");
        assert!(by_guid["dashboard_url"].as_str().unwrap().contains(&mine), "{by_guid}");
        assert!(by_guid["app_mode"].is_string(), "{by_guid}");
        let by_name = resource_values(&state, "data.posit_connect_content.by_name");
        assert_eq!(by_name["guid"], json!(theirs));
        assert_eq!(by_name["vanity_url"], Value::Null);
        ws.assert_no_changes("after reading");

        // The name alone matches two owners' items: an error naming both.
        ws.write_main(&main_tf(&provider, "data \"posit_connect_content\" \"x\" {\n  name = \"dashboard\"\n}\n"));
        let (run, diags) = ws.plan_diagnostics();
        if run.success() {
            run.fail("two matches must fail");
        }
        let t = texts(&diags);
        assert!(
            t.iter().any(|t| t.contains("2 content items match") && t.contains(&mine) && t.contains(&theirs)),
            "{t:?}"
        );
        // None: what was searched.
        ws.write_main(&main_tf(&provider, "data \"posit_connect_content\" \"x\" {\n  name = \"nothing-here\"\n}\n"));
        let (_, diags) = ws.plan_diagnostics();
        assert!(
            texts(&diags).iter().any(|t| t.contains("no content item named exactly \"nothing-here\"")),
            "{diags:?}"
        );
        // Both guid and name: refused at validate.
        let both =
            format!("data \"posit_connect_content\" \"x\" {{\n  guid = {}\n  name = \"x\"\n}}\n", hcl_string(&mine));
        ws.write_main(&main_tf(&provider, &both));
        let (_, diags) = ws.plan_diagnostics();
        assert!(texts(&diags).iter().any(|t| t.contains("guid or name, not both")), "{diags:?}");
    });
}
