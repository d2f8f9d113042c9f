//! Adopting integrations made by hand (Terraform 1.14+): a `list` block in a `.tfquery.hcl`
//! file, `terraform query -generate-config-out`, then a plan that imports them all with no
//! other change.

use serde_json::json;

use crate::support::*;

#[test]
fn query_adopts_hand_made_integrations() {
    for_each_terraform(|tf| {
        if !tf.at_least(1, 14) {
            eprintln!("e2e: list resources need Terraform 1.14+; {tf} skips adoption");
            return;
        }
        let fake = start_fake();
        let store = fake.store();
        let mut adopted = Vec::new();
        for i in 0..12 {
            let (template, scopes) = AZURE_TEMPLATES[i % 4];
            let scopes = scopes.unwrap_or("https://management.azure.com/.default offline_access");
            let guid = store.insert(
                template,
                &format!("Team {i:02}"),
                if i % 3 == 0 { "" } else { "made in the dashboard" },
                json!({"auth_type": "Viewer", "tenant_id": TENANT_ID, "client_id": CLIENT_ID, "scopes": scopes}),
            );
            adopted.push(guid);
        }
        // Not matched by the name pattern, so not adopted.
        store.insert("msgraph", "Legacy graph", "", json!({"tenant_id": TENANT_ID, "client_id": CLIENT_ID}));

        let ws = Workspace::new(tf);
        ws.write_main(&main_tf(&ProviderConfig::Hcl { server: fake.url(), api_key: ADMIN_KEY.into() }, ""));
        ws.write_file(
            "adopt.tfquery.hcl",
            "list \"posit_connect_oauth_integration\" \"teams\" {\n  provider = posit\n  config {\n    name_pattern = \"Team *\"\n  }\n}\n",
        );
        let run = ws.run(&["query", "-no-color", "-generate-config-out=adopted.tf"]);
        if !run.success() {
            run.fail("terraform query -generate-config-out");
        }
        let generated = std::fs::read_to_string(ws.path().join("adopted.tf")).unwrap();
        for guid in &adopted {
            assert!(generated.contains(guid.as_str()), "no import block for {guid}:\n{generated}");
        }
        assert!(!generated.contains("Legacy graph"), "the name pattern filters:\n{generated}");

        let plan = ws.plan_json();
        let changes = resource_changes(&plan.json);
        assert_eq!(changes.len(), 12, "{changes:?}");
        for (addr, actions) in &changes {
            assert_eq!(actions, &["no-op"], "{addr} should be imported with no other change");
        }
        ws.apply();
        assert_eq!(state_addresses(&ws.state_json()).len(), 12);
        ws.assert_no_changes("after adopting");
        assert_eq!(store.len(), 13, "adopting creates nothing");
    });
}
