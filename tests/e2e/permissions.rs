//! Who may use an integration: `permissions` on `posit_connect_oauth_integration`, and the
//! `posit_connect_user` and `posit_connect_group` data sources that give the guids. Asserted on
//! Terraform's JSON and on what the fake holds (the list Connect would answer).

use fake_connect::{Profile, Store};
use serde_json::{json, Value};

use crate::support::*;

const ADDR: &str = "posit_connect_oauth_integration.this";

/// The fake's list for the integration, as (users, groups), each sorted.
fn held(store: &Store, guid: &str) -> (Vec<String>, Vec<String>) {
    let item = store.get(guid).expect("the integration is on the server");
    let list = item["permissions"].as_array().cloned().unwrap_or_default();
    let pick = |key: &str| {
        let mut v: Vec<String> = list.iter().filter_map(|p| p[key].as_str().map(str::to_string)).collect();
        v.sort();
        v
    };
    (pick("user_guid"), pick("group_guid"))
}

/// An integration with `permissions` as given (HCL of the object, or none), the lookups before it.
fn config(permissions: Option<&str>) -> String {
    let mut hcl = String::from(
        "data \"posit_connect_group\" \"ai\" {\n  name = \"AI team\"\n}\n\ndata \"posit_connect_user\" \"ana\" {\n  username = \"ana\"\n}\n\n",
    );
    let spec = Integration::new("azure-openai", "OpenAI for the AI team").secret("s3cret").hcl("this");
    match permissions {
        Some(p) => {
            // Inside the resource block, before its closing brace.
            let at = spec.rfind('}').expect("a resource block");
            hcl += &format!("{}  permissions = {p}\n}}\n", &spec[..at]);
        }
        None => hcl += &spec,
    }
    hcl
}

#[test]
fn restrict_to_a_group_add_a_user_drift_and_import() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let group = store.add_group("AI team");
        let user = store.add_user("ana");
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);

        // Restricted to a group looked up by name.
        ws.write_main(&main_tf(&ProviderConfig::Env, &config(Some("{ groups = [data.posit_connect_group.ai.guid] }"))));
        ws.apply();
        let guid = only_integration(&store)["guid"].as_str().unwrap().to_string();
        assert_eq!(held(&store, &guid), (vec![], vec![group.clone()]));
        ws.assert_no_changes("restricted to a group");

        // A user added too: one update, then no change.
        let both =
            "{\n    groups = [data.posit_connect_group.ai.guid]\n    users  = [data.posit_connect_user.ana.guid]\n  }";
        ws.write_main(&main_tf(&ProviderConfig::Env, &config(Some(both))));
        assert_actions(&ws.plan_json(), ADDR, &["update"], "adding a user");
        ws.apply();
        assert_eq!(held(&store, &guid), (vec![user.clone()], vec![group.clone()]));
        ws.assert_no_changes("a user added");

        // The server spells a guid in capitals, and lists them in another order: no change.
        let upper = json!([{"user_guid": user}, {"group_guid": group.to_ascii_uppercase()}]);
        assert!(store.edit(&guid, "permissions", upper));
        ws.assert_no_changes("the same guids in another case and order");

        // Someone opens it to everyone in the dashboard: the plan shows it, apply restores it.
        assert!(store.edit(&guid, "permissions", json!([])));
        let plan = ws.plan_json();
        assert_actions(&plan, ADDR, &["update"], "opened in the dashboard");
        let after = &resource_change(&plan, ADDR)["change"]["after"]["permissions"];
        assert_eq!(after["all_publishers"], json!(false), "{after}");
        ws.apply();
        assert_eq!(held(&store, &guid).1, vec![group.clone()]);
        ws.assert_no_changes("restored");

        // Import reads the list.
        let state = ws.state_json();
        ws.run(&["state", "rm", ADDR]).ok();
        ws.import(ADDR, &guid);
        let imported = resource_values(&ws.state_json(), ADDR);
        assert_eq!(imported["permissions"], resource_values(&state, ADDR)["permissions"]);

        // Unmanaged: the state shows the server's list, and nothing is sent.
        ws.write_main(&main_tf(&ProviderConfig::Env, &config(None)));
        ws.apply();
        assert_eq!(held(&store, &guid).1, vec![group.clone()], "an unmanaged list is left alone");
        assert!(store.edit(&guid, "permissions", json!([{"user_guid": user}])));
        ws.assert_no_changes("an unmanaged list changed in the dashboard");
        let shown = resource_values(&ws.state_json(), ADDR)["permissions"].clone();
        assert_eq!(shown["users"], json!([user]), "the state shows what Connect has: {shown}");

        // Every publisher, on purpose.
        ws.write_main(&main_tf(&ProviderConfig::Env, &config(Some("{ all_publishers = true }"))));
        ws.apply();
        assert_eq!(held(&store, &guid), (vec![], vec![]));
        ws.assert_no_changes("open to all publishers");
    });
}

#[test]
fn an_empty_list_and_an_older_server_are_refused_at_plan() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        store.add_group("AI team");
        store.add_user("ana");
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);

        ws.write_main(&main_tf(&ProviderConfig::Env, &config(Some("{ groups = [] }"))));
        let (run, diags) = ws.plan_diagnostics();
        if run.success() {
            run.fail("an empty permissions list must fail the plan");
        }
        let text: Vec<String> = diags
            .iter()
            .map(|d| {
                format!("{} {}", d["summary"].as_str().unwrap_or_default(), d["detail"].as_str().unwrap_or_default())
            })
            .collect();
        assert!(
            text.iter().any(|t| t.contains("Empty permissions") && t.contains("all_publishers = true")),
            "{text:?}"
        );

        // A server without permissions on integrations (one integration there tells).
        store.set_profile(Profile::NoPermissions);
        store.insert("msgraph", "Made by hand", "", json!({"tenant_id": TENANT_ID, "client_id": CLIENT_ID}));
        ws.write_main(&main_tf(&ProviderConfig::Env, &config(Some("{ groups = [data.posit_connect_group.ai.guid] }"))));
        let (run, diags) = ws.plan_diagnostics();
        if run.success() {
            run.fail("permissions on a server without them must fail the plan");
        }
        assert!(diags.iter().any(|d| d["summary"] == "Connect has no permissions on OAuth integrations"), "{diags:?}");
        // Left out, all works as before.
        ws.write_main(&main_tf(&ProviderConfig::Env, &config(None)));
        ws.apply();
        ws.assert_no_changes("without permissions on an older server");
        assert_eq!(store.len(), 2);
        assert!(writes(&store).iter().all(|r| r.body.as_ref().is_none_or(|b| b.get("permissions").is_none())));
    });
}

#[test]
fn users_and_groups_are_found_by_exact_name() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let ana = store.add_user("ana");
        store.add_user("anabel"); // matches the prefix "ana" too
        for i in 0..30 {
            store.add_user(&format!("ana{i:02}"));
        }
        let team = store.add_group("team");
        store.add_group("teammates");
        store.add_group("twins");
        store.add_group("twins");
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        let lookups = r#"
data "posit_connect_user" "ana" {
  username = "ana"
}

data "posit_connect_group" "team" {
  name = "team"
}

output "ana" {
  value = data.posit_connect_user.ana.guid
}

output "team" {
  value = data.posit_connect_group.team.guid
}
"#;
        ws.write_main(&main_tf(&ProviderConfig::Env, lookups));
        ws.apply();
        let outputs = ws.state_json()["values"]["outputs"].clone();
        assert_eq!(outputs["ana"]["value"], Value::from(ana));
        assert_eq!(outputs["team"]["value"], Value::from(team));

        for (hcl, needles) in [
            (
                "data \"posit_connect_user\" \"x\" {\n  username = \"nobody\"\n}\n",
                vec!["No user \"nobody\" on Connect"],
            ),
            (
                "data \"posit_connect_group\" \"x\" {\n  name = \"twins\"\n}\n",
                vec!["2 groups named \"twins\"", "guids"],
            ),
            ("data \"posit_connect_group\" \"x\" {\n  name = \"Team\"\n}\n", vec!["No group \"Team\" on Connect"]),
        ] {
            ws.write_main(&main_tf(&ProviderConfig::Env, hcl));
            let (run, diags) = ws.plan_diagnostics();
            if run.success() {
                run.fail(&format!("the lookup must fail: {hcl}"));
            }
            let text: String = diags
                .iter()
                .map(|d| {
                    format!(
                        "{} {}\n",
                        d["summary"].as_str().unwrap_or_default(),
                        d["detail"].as_str().unwrap_or_default()
                    )
                })
                .collect();
            for needle in needles {
                assert!(text.contains(needle), "{needle:?} in {text}");
            }
        }
    });
}

#[test]
fn a_replacement_that_would_lose_dashboard_permissions_warns() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let group = store.add_group("AI team");
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        let spec = |template: &str| Integration::new(template, "Graph").secret("s3cret").hcl("this");
        ws.write_main(&main_tf(&ProviderConfig::Env, &spec("msgraph")));
        ws.apply();
        let guid = only_integration(&store)["guid"].as_str().unwrap().to_string();
        // Restricted in the dashboard, while Terraform does not manage permissions.
        assert!(store.edit(&guid, "permissions", json!([{"group_guid": group}])));
        ws.write_main(&main_tf(&ProviderConfig::Env, &spec("sharepoint")));
        let (run, diags) = ws.plan_diagnostics();
        if !run.success() {
            run.fail("a replacement plan");
        }
        let warning = diags
            .iter()
            .find(|d| d["summary"] == "The replacement does not keep who may use the integration")
            .unwrap_or_else(|| panic!("no warning about the permissions lost: {diags:?}"));
        assert_eq!(warning["severity"], "warning");
        assert!(warning["detail"].as_str().unwrap_or_default().contains("0 user(s) and 1 group(s)"), "{warning}");
    });
}
