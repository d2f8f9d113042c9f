//! Templates beyond the Azure family: `custom` (with `use_pkce`, `extra` and the token endpoint
//! settings), `snowflake` and `connect`, each created, drift-checked on a template-specific key
//! and restored, then imported with no change but the secret.

use serde_json::{json, Value};

use crate::support::*;

const ADDR: &str = "posit_connect_oauth_integration.t";

struct Case {
    template: &'static str,
    /// The `config { ... }` body lines.
    config: &'static str,
    /// What the server must hold after create (config keys).
    expect: Value,
    secret: Option<&'static str>,
    /// A config key edited on the server, its drifted value.
    drift: (&'static str, Value),
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            template: "custom",
            config: r#"    client_id                  = "custom-client"
    client_secret              = "custom-secret"
    authorization_uri          = "https://idp.example.org/authorize"
    token_uri                  = "https://idp.example.org/token"
    token_endpoint_auth_method = "client_secret_post"
    use_pkce                   = true
    scopes                     = "openid profile offline_access"
    extra = {
      audience = "api://reports"
    }
"#,
            expect: json!({"client_id": "custom-client", "authorization_uri": "https://idp.example.org/authorize",
                "token_uri": "https://idp.example.org/token", "token_endpoint_auth_method": "client_secret_post",
                "use_pkce": true, "audience": "api://reports", "auth_type": "Viewer"}),
            secret: Some("custom-secret"),
            drift: ("config.audience", json!("api://other")),
        },
        Case {
            template: "snowflake",
            config: r#"    account_url   = "https://acme.snowflakecomputing.com"
    client_id     = "snow-client"
    client_secret = "snow-secret"
    scopes        = "refresh_token session:role:ANALYST"
"#,
            expect: json!({"account_url": "https://acme.snowflakecomputing.com", "client_id": "snow-client",
                "scopes": "refresh_token session:role:ANALYST"}),
            secret: Some("snow-secret"),
            drift: ("config.account_url", json!("https://other.snowflakecomputing.com")),
        },
        Case {
            template: "connect",
            config: "    max_role = \"Publisher\"\n",
            expect: json!({"max_role": "Publisher", "auth_type": "Visitor API Key"}),
            secret: None,
            drift: ("config.max_role", json!("Admin")),
        },
    ]
}

fn hcl(case: &Case) -> String {
    format!(
        "resource \"posit_connect_oauth_integration\" \"t\" {{\n  template = \"{}\"\n  name     = \"{} integration\"\n  config {{\n{}  }}\n}}\n",
        case.template, case.template, case.config
    )
}

#[test]
fn other_templates_lifecycle() {
    for_each_terraform(|tf| {
        for case in cases() {
            let fake = start_fake();
            let store = fake.store();
            let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
            ws.write_main(&main_tf(&ProviderConfig::Env, &hcl(&case)));
            let run = ws.try_apply();
            if !run.success() {
                run.fail(&format!("create a {} integration", case.template));
            }
            let server = only_integration(&store);
            let guid = server["guid"].as_str().unwrap().to_string();
            for (k, v) in case.expect.as_object().unwrap() {
                assert_eq!(&server["config"][k], v, "{}: server config key {k}: {server}", case.template);
            }
            assert_eq!(store.secret(&guid).as_deref(), case.secret, "{}: the secret the server holds", case.template);
            ws.assert_no_changes(&format!("after creating a {} integration", case.template));

            // Drift on a template-specific key is seen and restored.
            let (field, value) = &case.drift;
            assert!(store.edit(&guid, field, value.clone()));
            let plan = ws.plan_json();
            assert_actions(
                &plan,
                ADDR,
                &["update"],
                &format!("{}: after {field} changed on the server", case.template),
            );
            ws.apply();
            let key = field.strip_prefix("config.").unwrap();
            assert_eq!(
                store.get(&guid).unwrap()["config"][key],
                case.expect[key],
                "{}: {field} restored",
                case.template
            );
            ws.assert_no_changes(&format!("after restoring a {} integration", case.template));

            // Import: only the secret (never returned) differs.
            ws.run(&["state", "rm", ADDR]).ok();
            ws.import(ADDR, &guid);
            let plan = ws.plan_json();
            let expected: &[&str] = if case.secret.is_some() { &["update"] } else { &["no-op"] };
            assert_actions(&plan, ADDR, expected, &format!("{}: after import", case.template));
            if case.secret.is_some() {
                let change = &resource_change(&plan, ADDR)["change"];
                let changed = changed_paths(change);
                let only_secret = changed.iter().all(|p| p == "config.client_secret" || p == "updated_time");
                assert!(only_secret, "{}: after import only the secret may change: {changed:?}", case.template);
            }
            ws.destroy();
            assert!(store.is_empty());
        }
    });
}

#[test]
fn template_rules_at_plan() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        let cases: [(&str, &str, &[&str]); 4] = [
            ("custom", "    client_id = \"c\"\n", &["config.authorization_uri", "custom"]),
            (
                "snowflake",
                "    account_url = \"https://a.snowflakecomputing.com\"\n    client_id = \"c\"\n",
                &["config.client_secret", "Confidential"],
            ),
            ("connect", "    max_role = \"Owner\"\n", &["max_role", "Viewer", "Publisher", "Admin"]),
            ("github", "    client_id = \"c\"\n    auth_type = \"Visitor API Key\"\n", &["config.auth_type", "github"]),
        ];
        for (template, config, needles) in cases {
            let body = format!(
                "resource \"posit_connect_oauth_integration\" \"t\" {{\n  template = \"{template}\"\n  name     = \"n\"\n  config {{\n{config}  }}\n}}\n"
            );
            ws.write_main(&main_tf(&ProviderConfig::Env, &body));
            ws.try_plan().failed().assert_output_contains(needles);
        }
        assert!(fake.store().is_empty());
    });
}

#[test]
fn server_template_rules_at_plan() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        let cases: [(&str, &str, &[&str]); 2] = [
            (
                "custom",
                "    client_id         = \"c\"\n    authorization_uri = \"https://idp/authorize\"\n    token_uri         = \"https://idp/token\"\n    extra = {\n      warehouse = \"x\"\n    }\n",
                &["warehouse", "no such field", "audience"],
            ),
            (
                "snowflake",
                "    account_url   = \"acme.snowflakecomputing.com\"\n    client_id     = \"c\"\n    client_secret = \"s\"\n",
                &["acme.snowflakecomputing.com", "Account URL", "^https://"],
            ),
        ];
        for (template, config, needles) in cases {
            let body = format!(
                "resource \"posit_connect_oauth_integration\" \"t\" {{\n  template = \"{template}\"\n  name     = \"n\"\n  config {{\n{config}  }}\n}}\n"
            );
            ws.write_main(&main_tf(&ProviderConfig::Env, &body));
            ws.try_plan().failed().assert_output_contains(needles);
        }
        assert!(fake.store().is_empty(), "nothing reaches the server");
    });
}

#[test]
fn secret_template_fields_go_in_extra_sensitive() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        let body = |map: &str, value: &str| {
            format!(
                "resource \"posit_connect_oauth_integration\" \"t\" {{\n  template = \"custom\"\n  name     = \"n\"\n  config {{\n    client_id         = \"c\"\n    authorization_uri = \"https://idp/authorize\"\n    token_uri         = \"https://idp/token\"\n    {map} = {{\n      signing_key = \"{value}\"\n    }}\n  }}\n}}\n"
            )
        };
        // The server marks signing_key secret: refused in the plain map, at plan.
        ws.write_main(&main_tf(&ProviderConfig::Env, &body("extra", "key-one")));
        ws.try_plan().failed().assert_output_contains(&["signing_key", "extra_sensitive"]);

        ws.write_main(&main_tf(&ProviderConfig::Env, &body("extra_sensitive", "key-one")));
        let run = ws.try_apply();
        if !run.success() {
            run.fail("create with a secret field in extra_sensitive");
        }
        assert!(!run.output().contains("key-one"), "the value is hidden in Terraform's output");
        let guid = only_integration(&store)["guid"].as_str().unwrap().to_string();
        assert_eq!(store.stored_config(&guid, "signing_key"), Some(json!("key-one")));
        assert!(only_integration(&store)["config"].get("signing_key").is_none(), "never returned");
        ws.assert_no_changes("after creating with a secret extra field (never returned, not drift)");

        // A changed value is sent; another config change does not resend it.
        ws.write_main(&main_tf(&ProviderConfig::Env, &body("extra_sensitive", "key-two")));
        ws.apply();
        assert_eq!(store.stored_config(&guid, "signing_key"), Some(json!("key-two")));
        store.clear_requests();
        ws.write_main(&main_tf(
            &ProviderConfig::Env,
            &body("extra_sensitive", "key-two").replace("https://idp/token", "https://idp/token2"),
        ));
        ws.apply();
        let sent = writes(&store);
        assert!(sent.iter().any(|r| r.body.as_ref().is_some_and(|b| b["config"]["token_uri"] == "https://idp/token2")));
        assert!(
            sent.iter().all(|r| r.body.as_ref().is_none_or(|b| b["config"].get("signing_key").is_none())),
            "{}",
            request_log(&store)
        );
    });
}
