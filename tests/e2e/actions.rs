//! The `posit_connect_oauth_integration_verify` action (Terraform 1.14+; skipped on older
//! binaries, which reject `action` blocks): a Service Account verified after create, a wrong
//! secret failing the apply with the identity provider's words (the integration staying in
//! state), `-invoke` by hand, and a Viewer integration refused at plan. The fake accepts any
//! secret not starting with `wrong`.

use crate::support::*;

const ACTION: &str = "action.posit_connect_oauth_integration_verify.check";

/// The action block, verifying `posit_connect_oauth_integration.this`.
fn action_block() -> String {
    "action \"posit_connect_oauth_integration_verify\" \"check\" {\n  config {\n    integration_guid = \
     posit_connect_oauth_integration.this.guid\n  }\n}\n"
        .to_string()
}

/// The integration, verified after each create and update when `triggered`.
fn integration(auth_type: &str, secret: &str, triggered: bool) -> String {
    let hcl = Integration::new("azure-openai", "Verified").auth_type(auth_type).secret(secret).hcl("this");
    if !triggered {
        return hcl;
    }
    hcl.replacen(
        "  config {",
        &format!(
            "  lifecycle {{\n    action_trigger {{\n      events  = [after_create, after_update]\n      actions = \
             [{ACTION}]\n    }}\n  }}\n  config {{"
        ),
        1,
    )
}

fn verify_calls(store: &fake_connect::Store) -> usize {
    store.requests().iter().filter(|r| r.method == "POST" && r.path.ends_with("/verify")).count()
}

#[test]
fn a_service_account_is_verified_after_create_and_a_wrong_secret_fails_the_update() {
    for_each_terraform(|tf| {
        if !tf.at_least(1, 14) {
            eprintln!("e2e: actions need Terraform 1.14+; {tf} skips them");
            return;
        }
        let fake = start_fake();
        let store = fake.store();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        let body = |secret| format!("{}\n{}", integration("Service Account", secret, true), action_block());

        ws.write_main(&main_tf(&ProviderConfig::Env, &body("good-secret")));
        ws.apply();
        assert_eq!(verify_calls(&store), 1, "verified once, after create:\n{}", request_log(&store));

        ws.write_main(&main_tf(&ProviderConfig::Env, &body("wrong-secret")));
        let run = ws.try_apply().failed();
        run.assert_output_contains(&[
            "OAuth integration verification failed",
            "AADSTS7000215: Invalid client secret provided.",
            "tenant_id",
            "client_id",
            "scopes",
        ]);
        assert!(!run.output().contains("wrong-secret"), "the secret never shows:\n{}", run.output());
        assert_eq!(verify_calls(&store), 2, "verified again after the update:\n{}", request_log(&store));
        // The update itself happened and is recorded: only the action failed.
        assert_eq!(store.secret(only_integration(&store)["guid"].as_str().unwrap()).as_deref(), Some("wrong-secret"));
        assert!(state_addresses(&ws.state_json()).contains(&"posit_connect_oauth_integration.this".to_string()));
    });
}

#[test]
fn invoke_by_hand_and_a_viewer_is_refused_at_plan() {
    for_each_terraform(|tf| {
        if !tf.at_least(1, 14) {
            eprintln!("e2e: actions need Terraform 1.14+; {tf} skips them");
            return;
        }
        let fake = start_fake();
        let store = fake.store();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        let invoke = format!("-invoke={ACTION}");

        // A Service Account, verified only when asked.
        ws.write_main(&main_tf(
            &ProviderConfig::Env,
            &format!("{}\n{}", integration("Service Account", "good-secret", false), action_block()),
        ));
        ws.apply();
        assert_eq!(verify_calls(&store), 0, "nothing triggers it");
        ws.run(&["apply", "-auto-approve", "-no-color", "-input=false", &invoke]).ok();
        assert_eq!(verify_calls(&store), 1, "{}", request_log(&store));

        // A Viewer integration: refused at plan, before any verify call.
        ws.write_main(&main_tf(
            &ProviderConfig::Env,
            &format!("{}\n{}", integration("Viewer", "good-secret", false), action_block()),
        ));
        ws.apply();
        let run = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false", &invoke]).failed();
        run.assert_output_contains(&["Only Service Account integrations can be verified", "is a Viewer"]);
        assert_eq!(verify_calls(&store), 1, "no verify call for a Viewer:\n{}", request_log(&store));
    });
}

#[test]
fn the_auth_type_is_read_wherever_the_server_puts_it() {
    for_each_terraform(|tf| {
        if !tf.at_least(1, 14) {
            eprintln!("e2e: actions need Terraform 1.14+; {tf} skips them");
            return;
        }
        // Only in `config`, or (Connect 2024.12) nowhere: a Service Account is still verified.
        for profile in [fake_connect::Profile::AuthTypeInConfig, fake_connect::Profile::Older] {
            let fake = start_fake();
            let store = fake.store();
            store.set_profile(profile);
            let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
            ws.write_main(&main_tf(
                &ProviderConfig::Env,
                &format!("{}\n{}", integration("Service Account", "good-secret", false), action_block()),
            ));
            ws.apply();
            ws.run(&["apply", "-auto-approve", "-no-color", "-input=false", &format!("-invoke={ACTION}")]).ok();
            assert_eq!(verify_calls(&store), 1, "{}: {}", profile.name(), request_log(&store));
        }
    });
}
