//! The provider's own configuration: missing settings, a wrong or under-privileged key, an
//! unreachable server. Each fails with an error that says what to fix, and nothing is made.

use crate::support::*;

fn one_integration() -> String {
    Integration::new("msgraph", "Provider config test").secret("s3cret").hcl("this")
}

#[test]
fn missing_settings_name_the_attribute_and_env_var() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();

        // No API key anywhere: the plan fails, though it only creates (a CI plan gate must
        // not pass with a forgotten secret).
        let mut ws = Workspace::new(tf);
        ws.set_env("CONNECT_SERVER", &fake.url());
        ws.write_main(&main_tf(&ProviderConfig::Env, &one_integration()));
        let run = ws.try_plan();
        if run.success() {
            run.fail("a plan without an API key should fail");
        }
        run.assert_output_contains(&["connect_api_key", "CONNECT_API_KEY"]);

        // No server anywhere.
        let mut ws = Workspace::new(tf);
        ws.set_env("CONNECT_API_KEY", ADMIN_KEY);
        ws.write_main(&main_tf(&ProviderConfig::Env, &one_integration()));
        let run = ws.try_plan();
        if run.success() {
            run.fail("a plan without a server URL should fail");
        }
        run.assert_output_contains(&["connect_server", "CONNECT_SERVER"]);

        assert!(store.is_empty(), "nothing may be created without settings");
    });
}

#[test]
fn wrong_or_underprivileged_key_is_reported_with_its_status() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();

        let ws = Workspace::with_connect_env(tf, &fake.url(), "not-the-key");
        ws.write_main(&main_tf(&ProviderConfig::Env, &one_integration()));
        let run = ws.try_apply();
        if run.success() {
            run.fail("apply with a wrong API key should fail");
        }
        run.assert_output_contains(&["401"]);

        // A publisher's key may read but not create: the role read at configure fails the plan.
        let ws = Workspace::new(tf);
        ws.write_main(&main_tf(
            &ProviderConfig::Hcl { server: fake.url(), api_key: PUBLISHER_KEY.to_string() },
            &one_integration(),
        ));
        let run = ws.try_plan();
        if run.success() {
            run.fail("a plan with a publisher's key should fail");
        }
        run.assert_output_contains(&["\"publisher\"", "administrators", "connect_api_key"]);

        assert!(store.is_empty(), "nothing may be created with a bad key");
    });
}

#[test]
fn unreachable_server_is_named() {
    for_each_terraform(|tf| {
        // A loopback port that was free a moment ago: nothing listens there.
        let port = std::net::TcpListener::bind(("127.0.0.1", 0))
            .and_then(|l| l.local_addr())
            .expect("bind a loopback port")
            .port();
        let url = format!("http://127.0.0.1:{port}");
        let ws = Workspace::with_connect_env(tf, &url, ADMIN_KEY);
        ws.write_main(&main_tf(&ProviderConfig::Env, &one_integration()));
        let run = ws.try_apply();
        if run.success() {
            run.fail("apply against a server that is not there should fail");
        }
        run.assert_output_contains(&[&format!("127.0.0.1:{port}")]);
    });
}
