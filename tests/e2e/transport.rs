//! The plugin transport: go-plugin serves over TCP on 127.0.0.1 on Windows (a unix socket
//! elsewhere), and Terraform dials whichever network the handshake line names, on any platform.
//! `POSIT_PROVIDER_TRANSPORT=tcp` makes the provider serve over TCP here, so the Windows
//! transport runs through real Terraform on this machine: create, empty plan, destroy.
//!
//! The whole suite can run this way too: `POSIT_E2E_TRANSPORT=tcp cargo test --test e2e`.

use crate::support::*;

const ADDR: &str = "posit_connect_oauth_integration.tcp";

/// The provider's own debug line naming where it listens, as Terraform relays it from the
/// provider's stderr: `... plugin address: ... network=tcp address=127.0.0.1:PORT ...`.
fn plugin_addresses(run: &TfRun) -> Vec<String> {
    run.stderr.lines().filter(|l| l.contains("plugin address")).map(str::to_string).collect()
}

#[track_caller]
fn assert_served_over_tcp(run: &TfRun) {
    let lines = plugin_addresses(run);
    if lines.is_empty() {
        run.fail("TF_LOG=DEBUG output should carry the provider's \"plugin address\" line");
    }
    for line in &lines {
        if !line.contains("network=tcp") {
            run.fail(&format!("the provider should have served over TCP: {line}"));
        }
        // Terraform's go-plugin client sends PLUGIN_MIN_PORT=10000 and PLUGIN_MAX_PORT=25000.
        let port = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix("address=127.0.0.1:"))
            .and_then(|p| p.parse::<u16>().ok())
            .unwrap_or_else(|| run.fail(&format!("no 127.0.0.1 address in: {line}")));
        if !(10000..=25000).contains(&port) {
            run.fail(&format!("port {port} is outside PLUGIN_MIN_PORT..PLUGIN_MAX_PORT (10000..25000): {line}"));
        }
    }
}

#[test]
fn lifecycle_over_tcp() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let mut ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        ws.set_env("POSIT_PROVIDER_TRANSPORT", "tcp");
        ws.set_env("TF_LOG", "DEBUG");
        let integration = Integration::new("msgraph", "Served over TCP").secret("tcp-secret-1");
        ws.write_main(&main_tf(&ProviderConfig::Env, &integration.hcl("tcp")));

        let apply = ws.apply();
        assert_served_over_tcp(&apply);
        let guid = resource_values(&ws.state_json(), ADDR)["guid"].as_str().unwrap_or_default().to_string();
        assert!(fake.store().get(&guid).is_some(), "apply over TCP created the integration {guid:?}");

        let plan = ws.plan_detailed();
        assert_served_over_tcp(&plan);
        if plan.code() != 0 {
            plan.fail("expected an empty plan after apply over TCP");
        }

        let destroy = ws.destroy();
        assert_served_over_tcp(&destroy);
        assert!(fake.store().is_empty(), "destroy over TCP deleted the integration");
    });
}

/// Without the knob the provider keeps go-plugin's choice for the platform: a unix socket here.
#[cfg(unix)]
#[test]
fn unix_socket_by_default() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let mut ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        ws.set_env("POSIT_PROVIDER_TRANSPORT", "");
        ws.set_env("TF_LOG", "DEBUG");
        ws.write_main(&main_tf(&ProviderConfig::Env, &Integration::new("msgraph", "Served over a socket").hcl("s")));
        let plan = ws.run(&["plan", "-no-color", "-input=false"]).ok();
        let lines = plugin_addresses(&plan);
        if lines.is_empty() || !lines.iter().all(|l| l.contains("network=unix")) {
            plan.fail(&format!("the provider should have served over a unix socket: {lines:?}"));
        }
    });
}
