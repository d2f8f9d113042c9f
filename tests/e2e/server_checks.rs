//! What the provider checks of the server, once, at configure, and what a 404 may remove from
//! state: a wrong key or URL fails a plan that only creates (and fails fast), `validate` stays
//! offline, a Connect older than 2024.12.0 is refused, several associations per content item
//! need 2025.07.0, and only Connect's OAuth API saying 404 drops an integration from state.

use fake_connect::Profile;

use crate::support::*;

const ADDR: &str = "posit_connect_oauth_integration.this";
const ASSOC: &str = "posit_connect_content_oauth_integrations.app";

fn one_integration() -> String {
    Integration::new("msgraph", "Server checks").secret("s3cret").hcl("this")
}

fn associations(content: &str, guids: &[&str]) -> String {
    let list = guids.iter().map(|g| hcl_string(g)).collect::<Vec<_>>().join(", ");
    format!(
        "resource \"posit_connect_content_oauth_integrations\" \"app\" {{\n  content_guid      = {}\n  integration_guids = [{list}]\n}}\n",
        hcl_string(content)
    )
}

/// A loopback port that was free a moment ago: nothing listens there, so connections are refused.
fn closed_port_url() -> String {
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .expect("bind a loopback port")
        .port();
    format!("http://127.0.0.1:{port}")
}

#[test]
fn a_create_only_plan_checks_the_key() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let ws = Workspace::new(tf);
        ws.write_main(&main_tf(
            &ProviderConfig::Hcl { server: fake.url(), api_key: "not-the-key".into() },
            &one_integration(),
        ));
        let run = ws.try_plan();
        if run.success() {
            run.fail("a plan with a wrong API key must fail, even when it only creates");
        }
        run.assert_output_contains(&["401", "connect_api_key"]);
        if run.output().contains("not-the-key") {
            run.fail("the key is never shown");
        }
        assert!(fake.store().is_empty());
    });
}

#[test]
fn a_create_only_plan_against_a_closed_port_fails_fast() {
    for_each_terraform(|tf| {
        let url = closed_port_url();
        let mut ws = Workspace::with_connect_env(tf, &url, ADMIN_KEY);
        // The provider's own log says each attempt and each retry: one attempt, no retry.
        ws.set_env("TF_LOG_PROVIDER", "debug");
        ws.write_main(&main_tf(&ProviderConfig::Env, &one_integration()));
        let run = ws.try_plan();
        if run.success() {
            run.fail("a plan against a server that is not there must fail");
        }
        run.assert_output_contains(&[url.as_str(), "connect_server", "Connect API request failed"]);
        if run.output().contains("will be retried") {
            run.fail("the refused connection was retried at configure");
        }
    });
}

#[test]
fn validate_stays_offline() {
    for_each_terraform(|tf| {
        let ws = Workspace::with_connect_env(tf, &closed_port_url(), "not-the-key");
        ws.write_main(&main_tf(&ProviderConfig::Env, &one_integration()));
        ws.run(&["validate", "-no-color"]).ok();
    });
}

#[test]
fn a_connect_older_than_2024_12_is_refused_at_plan() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        fake.store().set_server_version("2024.11.0");
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        ws.write_main(&main_tf(&ProviderConfig::Env, &one_integration()));
        let run = ws.try_plan();
        if run.success() {
            run.fail("a plan against Connect 2024.11.0 must fail");
        }
        run.assert_output_contains(&["2024.11.0", "2024.12.0", "connect_server"]);
        assert!(fake.store().is_empty());
    });
}

#[test]
fn several_associations_need_connect_2025_07() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        store.set_profile(Profile::Older);
        let cfg = serde_json::json!({"auth_type": "Viewer", "tenant_id": TENANT_ID, "client_id": CLIENT_ID});
        let a = store.insert("msgraph", "A", "", cfg.clone());
        let b = store.insert("sharepoint", "B", "", cfg);
        let content = store.add_content();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);

        ws.write_main(&main_tf(&ProviderConfig::Env, &associations(&content, &[&a, &b])));
        let (run, diags) = ws.plan_diagnostics();
        if run.success() {
            run.fail("two integrations for one content item on Connect 2024.12.0 must fail at plan");
        }
        let error = diags
            .iter()
            .find(|d| d["severity"] == "error" && d["summary"].as_str().unwrap_or_default().contains("2025.07.0"))
            .unwrap_or_else(|| run.fail("no error naming 2025.07.0"));
        assert!(error["detail"].as_str().unwrap_or_default().contains("2024.12.0"), "{error}");
        assert!(
            error["snippet"]["code"].as_str().is_some_and(|c| c.contains("integration_guids")),
            "the error points at integration_guids: {error}"
        );
        assert!(writes(&store).is_empty(), "nothing is sent");

        // One is what this server takes.
        ws.write_main(&main_tf(&ProviderConfig::Env, &associations(&content, &[&a])));
        ws.apply();
        assert_eq!(store.associations(&content).unwrap(), vec![a.clone()]);
        ws.assert_no_changes("after associating one integration");
    });
}

#[test]
fn a_server_without_the_oauth_api_drops_nothing_from_state() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let content = store.add_content();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        let body = format!("{}\n{}", one_integration(), associations(&content, &[]))
            .replace("integration_guids = []", "integration_guids = [posit_connect_oauth_integration.this.guid]");
        ws.write_main(&main_tf(&ProviderConfig::Env, &body));
        ws.apply();
        let before = state_addresses(&ws.state_json());
        assert_eq!(before.len(), 2, "{before:?}");

        // The same URL now answers every OAuth path with Connect's "endpoint does not exist".
        store.set_profile(Profile::NoOAuthApi);
        let run = ws.try_plan();
        if run.success() {
            run.fail("a plan whose refresh gets 404 for an unknown endpoint must fail, not plan a create");
        }
        run.assert_output_contains(&["404", "The requested endpoint does not exist."]);
        assert!(!run.output().contains("has been deleted"), "{}", run.output());

        // A refresh-only apply would write a removal to state: it fails and keeps both.
        let run = ws.run(&["apply", "-refresh-only", "-auto-approve", "-no-color", "-input=false"]);
        if run.success() {
            run.fail("a refresh against a server without the OAuth API must fail");
        }
        let listed = ws.run(&["state", "list"]).ok();
        for addr in [ADDR, ASSOC] {
            assert!(listed.stdout.lines().any(|l| l.trim() == addr), "{addr} left the state:\n{}", listed.stdout);
        }
        assert_eq!(state_addresses(&ws.state_json()), before);
    });
}

#[test]
fn an_integration_deleted_on_the_server_is_still_dropped_and_recreated() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        ws.write_main(&main_tf(&ProviderConfig::Env, &one_integration()));
        ws.apply();
        let guid = only_integration(&store)["guid"].as_str().unwrap().to_string();
        assert!(store.remove(&guid));

        let plan = ws.plan_json();
        assert_actions(&plan, ADDR, &["create"], "after the integration was deleted in Connect");
        ws.apply();
        assert_eq!(store.len(), 1);
        assert_ne!(only_integration(&store)["guid"], guid.as_str());
    });
}
