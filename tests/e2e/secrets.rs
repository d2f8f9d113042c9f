//! Write-only client secrets (Terraform 1.11+) and resource identity (Terraform 1.12+).
//!
//! The secret reaches Terraform through an ephemeral variable, as it would in production, so
//! the only places it could leak into are the ones the provider controls: state and plan files.

use std::io::Read;

use serde_json::Value;

use crate::support::*;

const ADDR: &str = "posit_connect_oauth_integration.wo";

/// An integration whose secret comes from `var.client_secret`, written-only or plain.
fn config(fake: &fake_connect::FakeConnect, description: &str, secret: Secret) -> String {
    let secret_lines = match secret {
        Secret::WriteOnly { version } => {
            format!("    client_secret_wo         = var.client_secret\n    client_secret_wo_version = {version}\n")
        }
        Secret::Plain => "    client_secret            = var.client_secret\n".to_string(),
    };
    let body = format!(
        r#"variable "client_secret" {{
  type      = string
  sensitive = true
  ephemeral = {ephemeral}
}}

resource "posit_connect_oauth_integration" "wo" {{
  template    = "msgraph"
  name        = "Graph, secret kept out of state"
  description = {description}
  config {{
    tenant_id                = {tenant}
    client_id                = {client}
{secret_lines}  }}
}}
"#,
        ephemeral = matches!(secret, Secret::WriteOnly { .. }),
        description = hcl_string(description),
        tenant = hcl_string(TENANT_ID),
        client = hcl_string(CLIENT_ID),
    );
    main_tf(&admin(fake), &body)
}

#[derive(Clone, Copy)]
enum Secret {
    WriteOnly { version: u32 },
    Plain,
}

/// Every byte of the state file and of each member of every saved plan in the workspace
/// (a plan file is a zip archive), except the copy of the configuration (`tfconfig/`), which
/// holds the .tf files as written.
fn saved_bytes(ws: &Workspace) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(ws.path()).unwrap().flatten() {
        let path = entry.path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("terraform.tfstate") {
            out.push((name, std::fs::read(&path).unwrap()));
        } else if name.ends_with(".tfplan") {
            let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
            for i in 0..zip.len() {
                let mut member = zip.by_index(i).unwrap();
                if member.name().starts_with("tfconfig/") {
                    continue;
                }
                let mut bytes = Vec::new();
                member.read_to_end(&mut bytes).unwrap();
                out.push((format!("{name}:{}", member.name()), bytes));
            }
        }
    }
    out
}

#[track_caller]
fn assert_nowhere(ws: &Workspace, secret: &str, when: &str) {
    let files = saved_bytes(ws);
    assert!(files.iter().any(|(n, _)| n.starts_with("terraform.tfstate")), "no state file found {when}");
    for (name, bytes) in files {
        let hay = String::from_utf8_lossy(&bytes);
        assert!(!hay.contains(secret), "the secret {secret:?} is in {name} {when}");
    }
}

/// The secret carried by the last write request, if any: `Some(None)` for a write without one.
fn last_write_secret(store: &fake_connect::Store) -> Option<Option<String>> {
    writes(store)
        .last()
        .map(|r| r.body.as_ref().and_then(|b| b["config"]["client_secret"].as_str().map(str::to_string)))
}

#[test]
fn write_only_secret_lifecycle() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let mut ws = Workspace::new(tf);

        // Create: the secret reaches Connect, and neither the plan file nor the state holds it.
        ws.set_env("TF_VAR_client_secret", "wo-secret-one");
        ws.write_main(&config(&fake, "first", Secret::WriteOnly { version: 1 }));
        let plan = ws.plan_json();
        assert_actions(&plan, ADDR, &["create"], "creating with a write-only secret");
        ws.apply();
        let guid = only_integration(&store)["guid"].as_str().unwrap().to_string();
        assert_eq!(store.secret(&guid).as_deref(), Some("wo-secret-one"), "the fake received the secret");
        assert_eq!(only_integration(&store)["config"]["auth_mode"], "Confidential");
        let state = resource_values(&ws.state_json(), ADDR);
        assert_eq!(state["config"]["client_secret_wo"], Value::Null);
        assert_eq!(state["config"]["client_secret_wo_version"], 1);
        assert_eq!(state["config"]["auth_mode"], "Confidential");
        assert_nowhere(&ws, "wo-secret-one", "after create");
        ws.assert_no_changes("after creating with a write-only secret");

        // An unrelated update sends no secret.
        store.clear_requests();
        ws.write_main(&config(&fake, "second", Secret::WriteOnly { version: 1 }));
        ws.apply();
        assert_eq!(
            last_write_secret(&store),
            Some(None),
            "a description change must not send the secret:\n{}",
            request_log(&store)
        );
        assert_eq!(store.secret(&guid).as_deref(), Some("wo-secret-one"));

        // A new value without a version bump is not sent (Terraform cannot compare it)...
        ws.set_env("TF_VAR_client_secret", "wo-secret-two");
        ws.assert_no_changes("after changing only the write-only value");
        // ...bumping the version sends it.
        store.clear_requests();
        ws.write_main(&config(&fake, "second", Secret::WriteOnly { version: 2 }));
        ws.apply();
        assert_eq!(last_write_secret(&store), Some(Some("wo-secret-two".into())), "{}", request_log(&store));
        assert_eq!(store.secret(&guid).as_deref(), Some("wo-secret-two"));
        assert_nowhere(&ws, "wo-secret-two", "after rotating");
        ws.assert_no_changes("after rotating");

        ws.destroy();
        assert!(store.is_empty());
    });
}

/// `config.client_secret_wo` is write-only but not sensitive (a sensitive flag would only add a
/// path to every integration's state): a value from a plain variable, neither sensitive nor
/// ephemeral, must still show in no output of plan, apply or show (TF_LOG=trace included) and
/// not in the state.
#[test]
fn write_only_value_from_a_plain_variable_is_never_printed() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let mut ws = Workspace::new(tf);
        let secret = "wo-plain-variable-secret";
        ws.set_env("TF_VAR_client_secret", secret);
        let plain = config(&fake, "plain variable", Secret::WriteOnly { version: 1 })
            .replace("  sensitive = true\n", "")
            .replace("  ephemeral = true\n", "");
        assert!(!plain.contains("sensitive =") && !plain.contains("ephemeral ="), "{plain}");
        ws.write_main(&plain);

        let mut printed =
            vec![ws.try_plan().ok(), ws.run(&["plan", "-out=wo.tfplan", "-no-color", "-input=false"]).ok()];
        printed.push(ws.apply());
        let guid = only_integration(&store)["guid"].as_str().unwrap().to_string();
        assert_eq!(store.secret(&guid).as_deref(), Some(secret), "the fake received the secret");
        printed.push(ws.run(&["show", "-no-color"]).ok());
        printed.push(ws.run(&["show", "-json"]).ok());
        ws.set_env("TF_LOG", "trace");
        printed.push(ws.run(&["plan", "-no-color", "-input=false"]).ok());
        for run in &printed {
            assert!(!run.output().contains(secret), "the write-only value is printed:\n{}", run.describe());
        }
        assert!(
            printed[0].output().contains("(write-only attribute)"),
            "the plan shows the attribute as write-only:\n{}",
            printed[0].output()
        );
        // A plan file keeps the values of non-ephemeral variables whatever the schema says (the
        // reason the other tests use an ephemeral one), so only the state is searched here.
        let state_file = std::fs::read_to_string(ws.path().join("terraform.tfstate")).unwrap();
        assert!(!state_file.contains(secret), "the write-only value is in the state");
    });
}

#[test]
fn switching_from_plain_to_write_only_removes_the_secret_from_state() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let mut ws = Workspace::new(tf);
        ws.set_env("TF_VAR_client_secret", "plain-secret-one");
        ws.write_main(&config(&fake, "d", Secret::Plain));
        ws.apply();
        let guid = only_integration(&store)["guid"].as_str().unwrap().to_string();
        let state_file = std::fs::read_to_string(ws.path().join("terraform.tfstate")).unwrap();
        assert!(state_file.contains("plain-secret-one"), "a plain secret is in state (the reason for write-only)");

        store.clear_requests();
        ws.set_env("TF_VAR_client_secret", "wo-secret-three");
        ws.write_main(&config(&fake, "d", Secret::WriteOnly { version: 1 }));
        let plan = ws.plan_json();
        assert_actions(&plan, ADDR, &["update"], "switching to the write-only secret");
        ws.apply();
        assert_eq!(last_write_secret(&store), Some(Some("wo-secret-three".into())), "{}", request_log(&store));
        assert_eq!(store.secret(&guid).as_deref(), Some("wo-secret-three"));
        // The backup and the switching plan's prior state hold the state from before the switch,
        // with the plain secret by design; the current state must not.
        let state_file = std::fs::read_to_string(ws.path().join("terraform.tfstate")).unwrap();
        assert!(!state_file.contains("plain-secret-one"), "the plain secret is still in state after switching");
        assert_nowhere(&ws, "wo-secret-three", "after switching to client_secret_wo");
        ws.assert_no_changes("after switching");
    });
}

#[test]
fn write_only_conflicts_and_rules_at_plan() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let ws = Workspace::new(tf);
        let both = format!(
            r#"resource "posit_connect_oauth_integration" "x" {{
  template = "msgraph"
  name     = "n"
  config {{
    tenant_id                = {t}
    client_id                = {t}
    client_secret            = "a"
    client_secret_wo         = "b"
    client_secret_wo_version = 1
  }}
}}
"#,
            t = hcl_string(TENANT_ID)
        );
        ws.write_main(&main_tf(&admin(&fake), &both));
        ws.try_plan().failed().assert_output_contains(&["config.client_secret_wo", "cannot both be set"]);

        let version_alone = both
            .replace("    client_secret            = \"a\"\n", "")
            .replace("    client_secret_wo         = \"b\"\n", "    auth_type                = \"Service Account\"\n");
        ws.write_main(&main_tf(&admin(&fake), &version_alone));
        ws.try_plan().failed().assert_output_contains(&["config.client_secret_wo_version", "config.client_secret"]);
        assert!(fake.store().is_empty());
    });
}

#[test]
fn import_by_identity_and_generated_config() {
    for_each_terraform(|tf| {
        if !tf.at_least(1, 12) {
            eprintln!("e2e: resource identity needs Terraform 1.12+; {tf} skips it");
            return;
        }
        let fake = start_fake();
        let store = fake.store();
        let guid = store.insert(
            "azure-openai",
            "Made in the dashboard",
            "by hand",
            serde_json::json!({"auth_type": "Viewer", "tenant_id": TENANT_ID, "client_id": CLIENT_ID,
                "scopes": "https://cognitiveservices.azure.com/.default offline_access"}),
        );
        let ws = Workspace::new(tf);
        let body = format!("import {{\n  to       = {ADDR}\n  identity = {{ guid = {} }}\n}}\n", hcl_string(&guid));
        ws.write_main(&main_tf(&admin(&fake), &body));
        let run = ws.run(&["plan", "-no-color", "-input=false", "-generate-config-out=generated.tf"]);
        if !run.success() {
            run.fail("plan -generate-config-out after an import block by identity");
        }
        let generated = std::fs::read_to_string(ws.path().join("generated.tf")).unwrap();
        assert!(generated.contains("Made in the dashboard") && generated.contains(TENANT_ID), "{generated}");

        // The generated configuration imports with no other change.
        let plan = ws.plan_json();
        let change = resource_change(&plan, ADDR);
        assert_eq!(change["change"]["actions"], serde_json::json!(["no-op"]), "{change}");
        assert_eq!(change["change"]["importing"]["identity"]["guid"], guid.as_str(), "{change}");
        ws.apply();
        let state = ws.state_json();
        let resource = &state["values"]["root_module"]["resources"][0];
        assert_eq!(resource["values"]["guid"], guid.as_str());
        assert_eq!(resource["identity"]["guid"], guid.as_str(), "the identity is stored: {resource}");
        ws.assert_no_changes("after importing by identity");
    });
}

/// A content item's environment variables given write-only (issue 23): from an ephemeral
/// variable, the value is in no state or plan file; from a plain variable (neither sensitive nor
/// ephemeral), it shows in no output of plan, apply or show (TF_LOG=trace included) and is not
/// in the state; a rotation (version bump) keeps it so.
#[test]
fn write_only_environment_values_never_reach_state_plan_or_output() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let content = store.add_content();
        let mut ws = Workspace::new(tf);
        let (ephemeral, plain) = ("env-ephemeral-secret-one", "env-plain-variable-secret");
        ws.set_env("TF_VAR_token", ephemeral);
        ws.set_env("TF_VAR_plain", plain);
        let config = |version: u32| {
            let body = format!(
                r#"variable "token" {{
  type      = string
  sensitive = true
  ephemeral = true
}}

variable "plain" {{
  type = string
}}

resource "posit_connect_content_environment" "app" {{
  content_guid = {content}
  variables_wo = {{
    TOKEN = var.token
    PLAIN = var.plain
  }}
  variables_wo_version = {version}
}}
"#,
                content = hcl_string(&content)
            );
            main_tf(&admin(&fake), &body)
        };
        ws.write_main(&config(1));

        let mut printed =
            vec![ws.try_plan().ok(), ws.run(&["plan", "-out=env.tfplan", "-no-color", "-input=false"]).ok()];
        printed.push(ws.apply());
        let stored = store.content_env(&content);
        assert_eq!(
            (stored.get("TOKEN").map(String::as_str), stored.get("PLAIN").map(String::as_str)),
            (Some(ephemeral), Some(plain)),
            "the fake received the values"
        );
        assert_nowhere(&ws, ephemeral, "after create");
        printed.push(ws.run(&["show", "-no-color"]).ok());
        printed.push(ws.run(&["show", "-json"]).ok());

        // A rotation under TF_LOG=trace: the new values sent, shown nowhere.
        let rotated = "env-ephemeral-secret-two";
        ws.set_env("TF_VAR_token", rotated);
        ws.set_env("TF_LOG", "trace");
        ws.write_main(&config(2));
        printed.push(ws.run(&["plan", "-out=env2.tfplan", "-no-color", "-input=false"]).ok());
        printed.push(ws.apply());
        printed.push(ws.run(&["plan", "-no-color", "-input=false"]).ok());
        assert_eq!(store.content_env(&content).get("TOKEN").map(String::as_str), Some(rotated));
        assert_nowhere(&ws, rotated, "after rotating");
        for run in &printed {
            for secret in [ephemeral, plain, rotated] {
                assert!(!run.output().contains(secret), "a write-only value is printed:\n{}", run.describe());
            }
        }
        assert!(
            printed[0].output().contains("(write-only attribute)"),
            "the plan shows the attribute as write-only:\n{}",
            printed[0].output()
        );
        assert!(printed[5].output().contains("Connect API re"), "the provider's trace lines are missing");
        // A plan file keeps the values of non-ephemeral variables whatever the schema says, so
        // only the state is searched for the plain one.
        let state_file = std::fs::read_to_string(ws.path().join("terraform.tfstate")).unwrap();
        assert!(!state_file.contains(plain), "the write-only value is in the state");
        ws.destroy();
        assert!(store.content_env(&content).is_empty());
    });
}
