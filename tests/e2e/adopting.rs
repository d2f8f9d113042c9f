//! Adopting integrations made by hand (Terraform 1.14+): a `list` block in a `.tfquery.hcl`
//! file, `terraform query -generate-config-out`, then a plan that imports them all with no
//! other change; and `terraform plan -generate-config-out` with `import` blocks. Terraform 1.14+
//! asks the provider for the configuration it writes (GenerateResourceConfig): only what a person
//! would write, and a warning for a secret Connect never returns.

use serde_json::json;

use crate::support::*;

/// The config keys Terraform itself writes as `= null` (or `null # sensitive`) when the
/// provider leaves them null: optional and not computed, so core writes them whatever the
/// provider answers (hashicorp/terraform `internal/genconfig`). Every other null is left out.
const CORE_WRITES_NULL: &[&str] = &[
    "account_url",
    "authorization_uri",
    "client_secret",
    "client_secret_wo",
    "client_secret_wo_version",
    "extra",
    "extra_sensitive",
    "max_role",
    "token_uri",
];

/// Checks a generated file as a person would read it (Terraform 1.14+): no `= null` but the
/// ones core writes itself, and none of the keys that repeat what the plan gives anyway.
#[track_caller]
fn assert_reads_as_written_by_hand(generated: &str) {
    for line in generated.lines().map(str::trim) {
        let Some((key, value)) = line.split_once('=') else { continue };
        let (key, value) = (key.trim(), value.trim());
        if value.starts_with("null") {
            assert!(CORE_WRITES_NULL.contains(&key), "{key} = null written:\n{generated}");
        }
        for derived in ["auth_mode", "use_pkce", "token_endpoint_auth_method", "all_publishers", "permissions"] {
            assert_ne!(key, derived, "{derived} is Connect's to derive; written:\n{generated}");
        }
        assert!(key != "auth_type" || value != "\"Viewer\"", "the template's default auth type:\n{generated}");
        assert!(key != "description" || value != "\"\"", "the default description:\n{generated}");
    }
}

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
        ws.write_main(&main_tf(&admin(&fake), ""));
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
        // Core names each block after the list block and its index; the provider has no say.
        for i in 0..12 {
            assert!(generated.contains(&format!("\"{RESOURCE_TYPE}\" \"teams_{i}\"")), "teams_{i}:\n{generated}");
        }
        assert_reads_as_written_by_hand(&generated);
        // Default scopes are left out (planned anyway); the `azure` template has none to plan.
        assert_eq!(generated.matches("scopes").count(), 3, "only the azure ones:\n{generated}");

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

#[test]
fn plan_generates_config_people_would_write_and_asks_for_the_secret() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let scopes = default_scopes("azure-openai").unwrap();
        let openai = store.insert(
            "azure-openai",
            "Finance OpenAI",
            "",
            json!({"auth_type": "Viewer", "tenant_id": TENANT_ID, "client_id": CLIENT_ID, "scopes": scopes}),
        );
        let graph = store.insert(
            "msgraph",
            "Finance Graph",
            "Reports",
            json!({"auth_type": "Viewer", "tenant_id": TENANT_ID, "client_id": CLIENT_ID,
                   "scopes": default_scopes("msgraph").unwrap(), "client_secret": "adopt-secret-on-connect"}),
        );
        let ws = Workspace::new(tf);
        let provider = admin(&fake);
        let imports = format!(
            "{}{}",
            import_block(&format!("{RESOURCE_TYPE}.finance_openai"), &openai),
            import_block(&format!("{RESOURCE_TYPE}.finance_graph"), &graph)
        );
        ws.write_main(&main_tf(&provider, &imports));
        let run = ws.run(&["plan", "-no-color", "-input=false", "-generate-config-out=generated.tf"]).ok();
        let generated = std::fs::read_to_string(ws.path().join("generated.tf")).unwrap();
        assert!(generated.contains(&format!("resource \"{RESOURCE_TYPE}\" \"finance_graph\"")), "{generated}");
        if tf.at_least(1, 14) {
            assert_reads_as_written_by_hand(&generated);
            assert!(!generated.contains("scopes"), "default scopes:\n{generated}");
        }
        // Said by the import (Terraform up to 1.15 shows no warning of the generation).
        run.assert_said(&[
            "Add the client secret to the configuration",
            "The OAuth integration \"Finance Graph\" is a Confidential application",
            "client_secret_wo = var.client_secret",
            "Without one, the integration keeps the secret it has and the plan changes nothing.",
        ]);
        assert!(!run.output().contains("adopt-secret-on-connect") && !generated.contains("adopt-secret"));

        // The generated configuration imports both with no other change.
        let plan = ws.plan_json();
        let changes = resource_changes(&plan.json);
        assert_eq!(changes.len(), 2, "{changes:?}");
        for (addr, actions) in &changes {
            assert_eq!(actions, &["no-op"], "{addr} should be imported with no other change");
        }
        ws.apply();
        ws.assert_no_changes("after adopting with a generated configuration");

        if !tf.at_least(1, 14) {
            return;
        }
        // What the warning says to add: the secret is sent again, nothing else changes.
        let block_start = generated.find("\"finance_graph\"").unwrap();
        let (before, after) = generated.split_at(block_start);
        let after = after
            .replacen("client_secret_wo         = null", "client_secret_wo         = var.client_secret", 1)
            .replacen("client_secret_wo_version = null", "client_secret_wo_version = 1", 1);
        ws.write_file("generated.tf", &format!("{before}{after}"));
        ws.write_file(
            "secret.tf",
            "variable \"client_secret\" {\n  sensitive = true\n  default = \"a-new-secret\"\n}\n",
        );
        let plan = ws.plan_json();
        assert_actions(&plan, &format!("{RESOURCE_TYPE}.finance_graph"), &["update"], "sending the secret");
        assert_actions(&plan, &format!("{RESOURCE_TYPE}.finance_openai"), &["no-op"], "sending another's secret");
        ws.apply();
        ws.assert_no_changes("after sending the secret");

        // A service account cannot go without its secret: the plan says precisely what is
        // missing (the file is written all the same).
        let service = store.insert(
            "msgraph",
            "Nightly export",
            "",
            json!({"auth_type": "Service Account", "tenant_id": TENANT_ID, "client_id": CLIENT_ID,
                   "scopes": default_scopes("msgraph").unwrap(), "client_secret": "adopt-secret-on-connect"}),
        );
        let ws = Workspace::new(tf);
        ws.write_main(&main_tf(&provider, &import_block(&format!("{RESOURCE_TYPE}.nightly"), &service)));
        let run = ws.run(&["plan", "-no-color", "-input=false", "-generate-config-out=generated.tf"]).failed();
        run.assert_said(&[
            "The plan refuses a configuration without one (its auth type or template requires one).",
            "Missing config.client_secret",
            "config.client_secret (or config.client_secret_wo) is required when config.auth_type is \"Service Account\"",
        ]);
        let generated = std::fs::read_to_string(ws.path().join("generated.tf")).unwrap();
        assert!(generated.contains("auth_type                = \"Service Account\""), "{generated}");
    });
}
