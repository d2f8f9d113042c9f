//! `posit_connect_content_environment`: a content item's environment variables, owned by name
//! (PATCH): write-only values sent on create, on a version bump and for a name missing on the
//! server, never in state; sensitive values kept in state, sent when changed; a name removed
//! from the configuration deleted, other variables (a deploy tool's) left alone; drift (a
//! variable deleted outside Terraform) seen and restored; import by content guid (names only,
//! owning none until the first apply); destroy deletes the managed variables only; bad input
//! refused at plan; publisher keys on their own content and refused elsewhere; content deleted
//! outside Terraform. The secrecy of the values under a hostile server is in `hostile.rs` and
//! `secrets.rs`.

use std::collections::BTreeMap;

use fake_connect::Store;
use serde_json::{json, Value};

use crate::support::*;

const ADDR: &str = "posit_connect_content_environment.app";

/// The variable set by someone else (a deploy tool) that the resource must leave alone.
const DEPLOYED: (&str, &str) = ("DEPLOY_TOOL_SETTING", "from-rsconnect");

/// A write-only configuration: `A` from an ephemeral variable (`TF_VAR_a`), the others literal.
fn write_only(content: &str, others: &[(&str, &str)], version: u32) -> String {
    let mut lines = String::from("    A = var.a\n");
    for (k, v) in others {
        lines.push_str(&format!("    {k} = {}\n", hcl_string(v)));
    }
    format!(
        "variable \"a\" {{\n  type      = string\n  sensitive = true\n  ephemeral = true\n}}\n\n\
         resource \"posit_connect_content_environment\" \"app\" {{\n  content_guid = {}\n  variables_wo = {{\n{lines}  }}\n  \
         variables_wo_version = {version}\n}}\n",
        hcl_string(content)
    )
}

/// A configuration with the values in state (`variables`).
fn sensitive(content: &str, vars: &[(&str, &str)]) -> String {
    let lines: String = vars.iter().map(|(k, v)| format!("    {k} = {}\n", hcl_string(v))).collect();
    format!(
        "resource \"posit_connect_content_environment\" \"app\" {{\n  content_guid = {}\n  variables = {{\n{lines}  }}\n}}\n",
        hcl_string(content)
    )
}

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The environment PATCH bodies sent since the requests were last cleared.
fn patches(store: &Store) -> Vec<Value> {
    writes(store).into_iter().filter(|r| r.path.ends_with("/environment")).filter_map(|r| r.body).collect()
}

#[track_caller]
fn assert_not_in_state(ws: &Workspace, secret: &str, when: &str) {
    let state = std::fs::read_to_string(ws.path().join("terraform.tfstate")).unwrap();
    assert!(!state.contains(secret), "the write-only value {secret:?} is in the state {when}");
}

#[test]
fn content_environment_write_only_lifecycle() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let content = store.add_content();
        assert!(store.set_content_env(&content, DEPLOYED.0, Some(DEPLOYED.1)));
        let provider = admin(&fake);
        let mut ws = Workspace::new(tf);
        ws.set_env("TF_VAR_a", "env-secret-one");

        // Create: the values reach Connect, the names reach state, the values do not; the
        // deploy tool's variable stays.
        ws.write_main(&main_tf(&provider, &write_only(&content, &[("B", "plain-b")], 1)));
        let plan = ws.plan_json();
        assert_actions(&plan, ADDR, &["create"], "creating");
        assert_eq!(resource_change(&plan, ADDR)["change"]["after"]["names"], json!(["A", "B"]), "names known at plan");
        ws.apply();
        assert_eq!(store.content_env(&content), env(&[("A", "env-secret-one"), ("B", "plain-b"), DEPLOYED]));
        let state = resource_values(&ws.state_json(), ADDR);
        assert_eq!(state["names"], json!(["A", "B"]));
        assert_eq!((&state["variables_wo"], &state["variables"]), (&Value::Null, &Value::Null));
        assert_eq!((&state["variables_wo_version"], &state["id"]), (&json!(1), &json!(content)));
        assert_not_in_state(&ws, "env-secret-one", "after create");
        ws.assert_no_changes("after create");

        // A new value alone is not seen (Terraform cannot compare write-only values)...
        ws.set_env("TF_VAR_a", "env-secret-two");
        ws.assert_no_changes("after changing only a write-only value");
        // ...a version bump sends every value.
        store.clear_requests();
        ws.write_main(&main_tf(&provider, &write_only(&content, &[("B", "plain-b")], 2)));
        assert_actions(&ws.plan_json(), ADDR, &["update"], "after bumping the version");
        ws.apply();
        assert_eq!(store.content_env(&content), env(&[("A", "env-secret-two"), ("B", "plain-b"), DEPLOYED]));
        assert_eq!(patches(&store).len(), 1, "{}", request_log(&store));
        assert_not_in_state(&ws, "env-secret-two", "after rotating");
        ws.assert_no_changes("after rotating");

        // A name added and one removed: the new one sent alone, the removed one deleted, the
        // deploy tool's left.
        store.clear_requests();
        ws.write_main(&main_tf(&provider, &write_only(&content, &[("C", "plain-c")], 2)));
        let plan = ws.plan_json();
        assert_actions(&plan, ADDR, &["update"], "after changing the names");
        assert_eq!(resource_change(&plan, ADDR)["change"]["after"]["names"], json!(["A", "C"]));
        ws.apply();
        assert_eq!(store.content_env(&content), env(&[("A", "env-secret-two"), ("C", "plain-c"), DEPLOYED]));
        assert_eq!(
            patches(&store),
            vec![json!([{"name": "C", "value": "plain-c"}, {"name": "B", "value": null}])],
            "{}",
            request_log(&store)
        );
        ws.assert_no_changes("after changing the names");

        // Drift: a variable deleted in the dashboard shows, and the apply sends its value again.
        assert!(store.set_content_env(&content, "A", None));
        let plan = ws.plan_json();
        assert_actions(&plan, ADDR, &["update"], "after a variable was deleted on the server");
        assert!(resource_drift(&plan.json).iter().any(|(addr, _)| addr == ADDR), "drift is reported");
        ws.apply();
        assert_eq!(store.content_env(&content), env(&[("A", "env-secret-two"), ("C", "plain-c"), DEPLOYED]));
        ws.assert_no_changes("after restoring the variable");
        // A value changed in the dashboard cannot be seen (Connect returns no values).
        assert!(store.set_content_env(&content, "C", Some("tampered")));
        ws.assert_no_changes("after a value changed on the server");

        // Import by content guid: every name, owning none until the first apply, which sends
        // the configured values and leaves the deploy tool's variable.
        ws.run(&["state", "rm", ADDR]).ok();
        ws.import(ADDR, &content);
        let imported = resource_values(&ws.state_json(), ADDR);
        assert_eq!(imported["names"], json!(["A", "C", DEPLOYED.0]));
        assert_eq!((&imported["variables_wo_version"], &imported["variables"]), (&Value::Null, &Value::Null));
        assert_actions(&ws.plan_json(), ADDR, &["update"], "after import");
        ws.apply();
        assert_eq!(store.content_env(&content), env(&[("A", "env-secret-two"), ("C", "plain-c"), DEPLOYED]));
        assert_eq!(resource_values(&ws.state_json(), ADDR)["names"], json!(["A", "C"]));
        ws.assert_no_changes("after the first apply following an import");
        ws.run(&["state", "rm", ADDR]).ok();
        ws.try_import(ADDR, "my-app").failed().assert_said(&["not a guid"]);
        ws.import(ADDR, &content);
        ws.apply();

        // Destroy deletes the managed variables only.
        ws.destroy();
        assert_eq!(store.content_env(&content), env(&[DEPLOYED]));

        // Content deleted outside Terraform: the plan creates the resource again, and the apply
        // says which content_guid is missing.
        ws.apply();
        assert_content_deleted_outside(&ws, &store, &content, ADDR);
    });
}

#[test]
fn content_environment_values_in_state() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let content = store.add_content();
        let provider = admin(&fake);
        let ws = Workspace::new(tf);

        ws.write_main(&main_tf(&provider, &sensitive(&content, &[("A", "one"), ("B", "two")])));
        let run = ws.try_plan().ok();
        assert!(!run.output().contains("\"one\"") && run.output().contains("(sensitive value)"), "{}", run.output());
        ws.apply();
        assert_eq!(store.content_env(&content), env(&[("A", "one"), ("B", "two")]));
        assert_eq!(resource_values(&ws.state_json(), ADDR)["names"], json!(["A", "B"]));
        ws.assert_no_changes("after create");

        // A changed value is an update that sends that value alone.
        store.clear_requests();
        ws.write_main(&main_tf(&provider, &sensitive(&content, &[("A", "one"), ("B", "changed")])));
        assert_actions(&ws.plan_json(), ADDR, &["update"], "after changing a value");
        ws.apply();
        assert_eq!(patches(&store), vec![json!([{"name": "B", "value": "changed"}])], "{}", request_log(&store));
        assert_eq!(store.content_env(&content), env(&[("A", "one"), ("B", "changed")]));
        ws.assert_no_changes("after changing a value");

        // Drift: a deleted variable is sent again.
        assert!(store.set_content_env(&content, "B", None));
        assert_actions(&ws.plan_json(), ADDR, &["update"], "after a variable was deleted on the server");
        ws.apply();
        assert_eq!(store.content_env(&content), env(&[("A", "one"), ("B", "changed")]));

        // An empty map manages nothing: every variable it had is deleted.
        ws.write_main(&main_tf(&provider, &sensitive(&content, &[])));
        ws.apply();
        assert!(store.content_env(&content).is_empty());
        ws.assert_no_changes("with an empty map");
        ws.destroy();
    });
}

#[test]
fn content_environment_bad_input_fails_at_plan() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let content = store.add_content();
        let provider = admin(&fake);
        let ws = Workspace::new(tf);
        let guid = hcl_string(&content);
        let resource = |body: &str| {
            format!("resource \"posit_connect_content_environment\" \"app\" {{\n  content_guid = {guid}\n{body}}}\n")
        };
        for (body, attribute, needles) in [
            (resource("  variables = { \"\" = \"x\" }\n"), "variables", &["must not be empty", "266"][..]),
            (
                resource("  variables_wo = { \" \" = \"x\" }\n  variables_wo_version = 1\n"),
                "variables_wo",
                &["must not be empty"][..],
            ),
            (resource("  variables = { A = null }\n"), "variables", &["is null"][..]),
            (
                resource("  variables = { A = \"1\" }\n  variables_wo = { A = \"1\" }\n  variables_wo_version = 1\n"),
                "variables_wo",
                &["cannot both be set"][..],
            ),
            (resource("  variables_wo = { A = \"1\" }\n"), "resource", &["variables_wo_version is required"][..]),
            (
                resource("  variables = { A = \"1\" }\n  variables_wo_version = 1\n"),
                "variables_wo_version",
                &["set variables_wo too"][..],
            ),
            (resource(""), "resource", &["Give the content's environment variables"][..]),
            (
                "resource \"posit_connect_content_environment\" \"app\" {\n  content_guid = \"my-app\"\n  variables = {}\n}\n"
                    .to_string(),
                "content_guid",
                &["not a guid"][..],
            ),
        ] {
            ws.write_main(&main_tf(&provider, &body));
            let (run, diags) = ws.json_diagnostics("plan", &[]);
            assert_error_at(&run, &diags, attribute, needles);
        }
        assert!(writes(&store).is_empty(), "nothing reaches the server:\n{}", request_log(&store));
    });
}

#[test]
fn content_environment_with_a_publisher_key() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let own = store.add_content_owned_by(Store::PUBLISHER_USER_GUID, "publishers-app");
        let other = store.add_content();
        store.set_content_permission(&other, "user", Store::PUBLISHER_USER_GUID, "viewer").unwrap();
        let publisher = publisher(&fake);
        let ws = Workspace::new(tf);

        // On content it owns: the whole lifecycle.
        ws.write_main(&main_tf(&publisher, &sensitive(&own, &[("A", "1")])));
        ws.apply();
        assert_eq!(store.content_env(&own), env(&[("A", "1")]));
        ws.assert_no_changes("after a publisher set its content's variables");
        ws.write_main(&main_tf(&publisher, &sensitive(&own, &[("A", "2")])));
        ws.apply();
        assert_eq!(store.content_env(&own), env(&[("A", "2")]));
        ws.destroy();
        assert!(store.content_env(&own).is_empty());

        // On content it may only view: Connect's refusal, on content_guid, saying who may.
        ws.write_main(&main_tf(&publisher, &sensitive(&other, &[("A", "1")])));
        let (run, diags) = ws.json_diagnostics("apply", &[]);
        assert_error_at(&run, &diags, "content_guid", &["403", "owner, its collaborators and administrators"]);
        assert!(store.content_env(&other).is_empty());
    });
}
