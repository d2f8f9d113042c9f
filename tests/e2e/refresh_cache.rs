//! Refresh through one list call (see `src/resources/cache.rs`): the reads of one plan share a
//! single `GET /v1/oauth/integrations`, yet a change made on the server between two runs is
//! still seen, and an integration missing from the list is confirmed by a direct read before
//! Terraform is told it was deleted.

use serde_json::{json, Value};

use crate::support::*;

const LIST_PATH: &str = "/__api__/v1/oauth/integrations";

/// Three integrations, labelled a, b and c.
fn specs() -> Vec<(&'static str, Integration)> {
    vec![
        ("a", Integration::new("msgraph", "Cache test A")),
        ("b", Integration::new("sharepoint", "Cache test B").description("second")),
        ("c", Integration::new("azure-openai", "Cache test C").secret("cache-secret-c")),
    ]
}

fn addr(label: &str) -> String {
    format!("{RESOURCE_TYPE}.{label}")
}

/// A workspace with the three integrations applied; returns it with each label's guid.
fn applied(tf: &Terraform, fake: &fake_connect::FakeConnect) -> (Workspace, Vec<(&'static str, String)>) {
    let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
    let body: String = specs().iter().map(|(label, spec)| spec.hcl(label) + "\n").collect();
    ws.write_main(&main_tf(&ProviderConfig::Env, &body));
    ws.apply();
    let state = ws.state_json();
    let guids = specs()
        .iter()
        .map(|(label, _)| {
            let guid = resource_values(&state, &addr(label))["guid"].as_str().unwrap_or_default().to_string();
            assert!(!guid.is_empty(), "{label} has a guid in state");
            (*label, guid)
        })
        .collect();
    (ws, guids)
}

/// The reads of integrations since the last `clear_requests`: how many list calls, and the
/// direct GETs as (guid, status).
fn integration_reads(store: &fake_connect::Store) -> (usize, Vec<(String, u16)>) {
    let mut lists = 0;
    let mut gets = Vec::new();
    for r in store.requests().into_iter().filter(|r| r.method == "GET") {
        let path = r.path.split('?').next().unwrap_or_default();
        if path == LIST_PATH {
            lists += 1;
        } else if let Some(guid) = path.strip_prefix(&format!("{LIST_PATH}/")) {
            if !guid.contains('/') {
                gets.push((guid.to_string(), r.status));
            }
        }
    }
    (lists, gets)
}

#[test]
fn a_refresh_of_several_integrations_makes_one_list_call() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let (ws, _) = applied(tf, &fake);
        store.clear_requests();
        ws.assert_no_changes("right after apply");
        let (lists, gets) = integration_reads(&store);
        assert!(
            lists == 1 && gets.is_empty(),
            "a refresh of 3 integrations should make one list call and no per-integration GET; \
             got {lists} list call(s) and GETs {gets:?}; requests:\n{}",
            request_log(&store)
        );
    });
}

#[test]
fn a_change_on_the_server_between_two_runs_is_seen() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let (ws, guids) = applied(tf, &fake);
        ws.assert_no_changes("right after apply");

        // Each run is a new provider process with a new listing: an edit made between two runs
        // shows in the next, on exactly the integration edited.
        for (i, (label, guid)) in guids.iter().enumerate() {
            let field = if i % 2 == 0 { "name" } else { "description" };
            assert!(store.edit(guid, field, json!(format!("Edited in the dashboard ({i})"))));
            let plan = ws.plan_json();
            let drift: Vec<String> = resource_drift(&plan.json).into_iter().map(|(a, _)| a).collect();
            if drift != [addr(label)] {
                plan.fail(&format!(
                    "{field} of {label} edited on the server: drift should name only it, got {drift:?}"
                ));
            }
            for (other, _) in &guids {
                let expected: &[&str] = if other == label { &["update"] } else { &["no-op"] };
                assert_actions(&plan, &addr(other), expected, &format!("after editing {label}"));
            }
            let before = &resource_change(&plan, &addr(label))["change"]["before"];
            if before[field] != json!(format!("Edited in the dashboard ({i})")) {
                plan.fail(&format!("the plan's `before` of {label} should hold the {field} read from the server"));
            }
            ws.apply();
            ws.assert_no_changes(&format!("after reverting the edit of {label}"));
        }
    });
}

#[test]
fn a_missing_integration_is_confirmed_by_a_direct_read() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let (ws, guids) = applied(tf, &fake);
        let (gone_label, gone) = guids[1].clone();
        assert!(store.remove(&gone));
        store.clear_requests();

        let plan = ws.plan_json();
        for (label, _) in &guids {
            let expected: &[&str] = if *label == gone_label { &["create"] } else { &["no-op"] };
            assert_actions(&plan, &addr(label), expected, "after a deletion on the server");
        }
        let (lists, gets) = integration_reads(&store);
        if lists != 1 || gets != [(gone.clone(), 404)] {
            plan.fail(&format!(
                "expected one list call, then one direct GET of the missing {gone} answered 404 (and no GET of \
                 the others); got {lists} list call(s) and GETs {gets:?}; requests:\n{}",
                request_log(&store)
            ));
        }
        // The direct read came after the list that missed it.
        let order: Vec<String> = store
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path.starts_with(LIST_PATH))
            .map(|r| r.path.clone())
            .collect();
        assert_eq!(order, [LIST_PATH.to_string(), format!("{LIST_PATH}/{gone}")], "list first, then the direct read");

        ws.apply();
        assert_eq!(store.len(), 3, "the missing integration is created again");
        let state = ws.state_json();
        let new_guid: Value = resource_values(&state, &addr(gone_label))["guid"].clone();
        assert_ne!(new_guid, json!(gone), "re-created with a new guid");
        ws.assert_no_changes("after re-creating");
    });
}

#[test]
fn a_list_slower_than_the_cache_life_is_shared_by_every_waiting_read() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let (ws, _) = applied(tf, &fake);
        // The list answers after 6 s, more than a snapshot lives (5 s): the reads waiting for it
        // must use its answer, not list again one after another.
        let store = fake.store();
        store.clear_requests();
        fake.faults()
            .set(vec![fake_connect::Fault::delay(1, std::time::Duration::from_secs(6)).only("GET").on_path(LIST_PATH)]);
        ws.assert_no_changes("with a slow list");
        let (lists, gets) = integration_reads(&store);
        assert_eq!((lists, gets.len()), (1, 0), "one list for the whole refresh\n{}", request_log(&store));
    });
}
