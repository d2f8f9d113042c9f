//! Invalid configurations fail at `terraform plan`, before anything reaches the server, each
//! with an error naming the attribute at fault. Template-independent: run once per Terraform.

use serde_json::Value;

use crate::support::*;

/// (what is wrong, the attribute the error must name, the configuration)
fn invalid_cases() -> Vec<(&'static str, &'static str, Integration)> {
    let base = || Integration::new("msgraph", "Invalid input").secret("s3cret");
    let mut missing_tenant = base();
    missing_tenant.tenant_id = None;
    vec![
        ("an unknown template", "template", Integration::new("gcp", "Unknown template").secret("s3cret")),
        ("an auth_type that is not allowed", "auth_type", base().auth_type("Visitor API Key")),
        ("a Service Account without a secret", "client_secret", {
            let mut i = base().auth_type("Service Account");
            i.client_secret = None;
            i
        }),
        ("a missing tenant_id", "tenant_id", missing_tenant),
        ("a malformed tenant_id", "tenant_id", {
            let mut i = base();
            i.tenant_id = Some("contoso.onmicrosoft".to_string());
            i
        }),
        ("a malformed client_id", "client_id", {
            let mut i = base();
            i.client_id = Some("12345".to_string());
            i
        }),
        ("an empty name", "name", {
            let mut i = base();
            i.name = String::new();
            i
        }),
        ("azure without scopes", "scopes", Integration::new("azure", "Azure without scopes").secret("s3cret")),
    ]
}

/// `word` appears in `text` not as part of a longer identifier.
fn contains_word(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

#[test]
fn invalid_inputs_fail_at_plan_naming_the_attribute() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        let mut failures = Vec::new();
        for (what, attribute, spec) in invalid_cases() {
            ws.write_main(&main_tf(&ProviderConfig::Env, &spec.hcl("bad")));
            let (run, diags) = ws.plan_diagnostics();
            let errors: Vec<&Value> = diags.iter().filter(|d| d["severity"] == "error").collect();
            let names_it = errors.iter().any(|d| {
                let text = format!(
                    "{} {}",
                    d["summary"].as_str().unwrap_or_default(),
                    d["detail"].as_str().unwrap_or_default()
                );
                contains_word(&text, attribute)
            });
            if run.exit_code != Some(1) || !names_it {
                eprintln!(
                    "{what}: expected `plan` to fail with an error whose summary or detail names `{attribute}`\n{}",
                    run.describe()
                );
                failures.push(what);
            }
        }
        assert!(
            failures.is_empty(),
            "these invalid inputs did not give their error at plan: {failures:?} (details above)"
        );
        assert!(
            writes(&store).is_empty() && store.is_empty(),
            "invalid configurations must not reach the server; requests:\n{}",
            request_log(&store)
        );
    });
}

#[test]
fn viewer_without_offline_access_warns() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        let spec = Integration::new("azure", "No refresh token")
            .secret("s3cret")
            .scopes("https://management.azure.com/.default");
        ws.write_main(&main_tf(&ProviderConfig::Env, &spec.hcl("viewer")));
        let (run, diags) = ws.plan_diagnostics();
        if !run.success() {
            run.fail("a Viewer integration without offline_access is valid: plan should succeed");
        }
        let warned = diags.iter().any(|d| {
            d["severity"] == "warning" && format!("{} {}", d["summary"], d["detail"]).contains("offline_access")
        });
        if !warned {
            run.fail("expected a warning that mentions offline_access (no refresh token)");
        }
    });
}

#[test]
fn word_matching() {
    assert!(contains_word("The argument \"tenant_id\" is required", "tenant_id"));
    assert!(contains_word("name must not be empty", "name"));
    assert!(!contains_word("template_name is bad", "name"));
    assert!(!contains_word("renamed", "name"));
}
