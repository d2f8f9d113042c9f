//! Checks of the harness itself: the HCL it writes and its readers of Terraform's JSON.

use serde_json::json;

use crate::support::*;

#[test]
fn generated_hcl_is_canonical() {
    for_each_terraform(|tf| {
        let ws = Workspace::new(tf);
        let full = Integration::new("azure", "A \"quoted\" ${name} %{x}")
            .description("d")
            .auth_type("Service Account")
            .secret("s")
            .scopes("a b");
        let minimal = Integration::new("msgraph", "m");
        let body = format!("{}\n{}\n{}", full.hcl("full"), minimal.hcl("minimal"), import_block("x.y", "g"));
        let provider = ProviderConfig::Hcl { server: "http://127.0.0.1:1/".into(), api_key: "k".into() };
        ws.write_main(&main_tf(&provider, &body));
        // `fmt -check` parses the file (HCL syntax, string escapes) and compares its layout.
        let run = ws.run(&["fmt", "-check", "-diff", "-no-color"]);
        if !run.success() {
            run.fail("the HCL the harness writes should be valid and formatted as `terraform fmt` would");
        }
    });
}

#[test]
fn json_readers() {
    let change = json!({
        "before": {"guid": "g", "name": "a", "config": {"scopes": "x", "client_secret": null}},
        "after": {"guid": "g", "name": "b", "config": {"scopes": "x", "client_secret": "s"}},
        "after_unknown": {"updated_time": true, "config": {"auth_mode": false}},
    });
    assert_eq!(changed_paths(&change), ["config.client_secret", "name", "updated_time"]);
    assert_eq!(unknown_paths(&change["after_unknown"]), ["updated_time"]);

    let plan = json!({
        "resource_changes": [{"address": "a.b", "change": {"actions": ["delete", "create"]}}],
        "resource_drift": [{"address": "a.b", "change": {"actions": ["update"]}}],
    });
    assert_eq!(resource_changes(&plan), [("a.b".to_string(), vec!["delete".to_string(), "create".to_string()])]);
    assert_eq!(resource_drift(&plan), [("a.b".to_string(), vec!["update".to_string()])]);

    let state = json!({"values": {"root_module": {"resources": [{"address": "a.b", "values": {"guid": "g"}}]}}});
    assert_eq!(resource_values(&state, "a.b")["guid"], "g");
    assert_eq!(state_addresses(&state), ["a.b"]);
    assert!(find_resource_values(&state, "a.c").is_none());
    assert!(state_addresses(&json!({"format_version": "1.0"})).is_empty());
}
