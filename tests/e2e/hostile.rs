//! A hostile or broken Connect (what a misconfigured proxy, a buggy server version or an attacker
//! in the middle could answer) cannot make a secret show, or hurt the terminal: errors echoing
//! the request body or its headers, `TF_LOG=trace` with secrets that JSON escapes, secrets a
//! server sends back in a later run, terminal escape sequences and megabytes in a message, and a
//! list naming one integration twice. Content environment variable values get the same checks.
//!
//! Each secret carries a unique marker; a test searches everything Terraform printed (and the
//! state, for write-only values) for the markers, so any form of the secret (raw, escaped,
//! encoded) is caught.

use fake_connect::{Fault, FaultAction};

use crate::support::*;

const LIST_PATH: &str = "/__api__/v1/oauth/integrations";

/// The secrets of one configuration, each with its marker.
struct Secrets {
    /// `config.client_secret`, with quotes (JSON escapes them).
    client_secret: String,
    /// `config.client_secret_wo`.
    write_only: String,
    /// `config.extra_sensitive.signing_key`: a PEM-like text with newlines, a quote and a tab.
    signing_key: String,
    markers: Vec<String>,
}

impl Secrets {
    fn new(tag: &str) -> Secrets {
        let m = |what: &str| format!("{what}{tag}");
        let markers = vec![m("csmark"), m("womark"), m("pemmark")];
        Secrets {
            client_secret: format!("client-\"{}\"-secret", markers[0]),
            write_only: format!("write-only-{}", markers[1]),
            signing_key: format!("-----BEGIN PRIVATE KEY-----\nMII{}\"q\"\ttab\n-----END PRIVATE KEY-----", markers[2]),
            markers,
        }
    }

    /// A `custom` integration with a client secret and a secret template field, and a
    /// `msgraph` one with a write-only secret (at `wo_version`).
    fn config(&self, description: &str, wo_version: u32) -> String {
        let body = format!(
            r#"resource "posit_connect_oauth_integration" "custom" {{
  template    = "custom"
  name        = "Hostile custom"
  description = {description}
  config {{
    client_id         = "c"
    client_secret     = {client_secret}
    authorization_uri = "https://idp/authorize"
    token_uri         = "https://idp/token"
    extra_sensitive = {{
      signing_key = {signing_key}
    }}
  }}
}}

resource "posit_connect_oauth_integration" "graph" {{
  template    = "msgraph"
  name        = "Hostile graph"
  description = {description}
  config {{
    auth_type                = "Service Account"
    tenant_id                = {tenant}
    client_id                = {client}
    client_secret_wo         = {write_only}
    client_secret_wo_version = {wo_version}
  }}
}}
"#,
            description = hcl_string(description),
            client_secret = hcl_string(&self.client_secret),
            signing_key = hcl_string(&self.signing_key),
            write_only = hcl_string(&self.write_only),
            tenant = hcl_string(TENANT_ID),
            client = hcl_string(CLIENT_ID),
        );
        main_tf(&ProviderConfig::Env, &body)
    }
}

/// Fails when any marker of `secrets` is in the run's output.
#[track_caller]
fn assert_hidden(run: &TfRun, secrets: &[&Secrets], when: &str) {
    let output = run.output();
    for marker in secrets.iter().flat_map(|s| &s.markers) {
        if output.contains(marker.as_str()) {
            run.fail(&format!("a secret (marker {marker}) is in Terraform's output {when}"));
        }
    }
}

/// Fails when the run succeeded, or did not say `needle`.
#[track_caller]
fn assert_failed_saying(run: &TfRun, needle: &str) {
    if run.success() {
        run.fail("expected this command to fail");
    }
    run.assert_said(&[needle]);
    if run.output().contains("panicked") {
        run.fail("the provider panicked");
    }
}

#[test]
fn errors_echoing_the_request_body_show_no_secret() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let mut ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        // Traced too: the response body logged raw holds the echoed body escaped twice.
        ws.set_env("TF_LOG", "trace");
        let first = Secrets::new("a1f3");
        ws.write_main(&first.config("one", 1));

        // A create refused with an error that quotes the POST body.
        fake.faults().set(vec![Fault::new(1, FaultAction::EchoBody { status: 400 }).only("POST")]);
        let run = ws.try_apply();
        assert_failed_saying(&run, "Invalid request body");
        assert_said_masked(&run);
        assert_hidden(&run, &[&first], "after a create whose error echoed the request");

        // An update refused the same way, every secret changed (so every one is sent).
        fake.faults().clear();
        ws.apply();
        let second = Secrets::new("b2e4");
        ws.write_main(&second.config("two", 2));
        fake.faults().set(vec![Fault::new(1, FaultAction::EchoBody { status: 400 }).only("PATCH")]);
        let run = ws.try_apply();
        assert_failed_saying(&run, "Invalid request body");
        assert_hidden(&run, &[&first, &second], "after an update whose error echoed the request");
        let state = std::fs::read_to_string(ws.path().join("terraform.tfstate")).unwrap();
        for marker in [&first.markers[1], &second.markers[1]] {
            assert!(!state.contains(marker.as_str()), "the write-only secret is in the state");
        }
    });
}

/// The masked value shows where the secret was, so the test searched the right text.
#[track_caller]
fn assert_said_masked(run: &TfRun) {
    if !run.output().contains("(sensitive)") {
        run.fail("expected the server's echo to show with its secrets masked as (sensitive)");
    }
}

#[test]
fn an_error_page_echoing_the_headers_shows_no_api_key() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        ws.write_main(&main_tf(&ProviderConfig::Env, &Integration::new("msgraph", "Echoed headers").hcl("this")));
        fake.faults().set(vec![Fault::new(1, FaultAction::EchoHeaders { status: 500 })]);
        let run = ws.try_apply();
        assert_failed_saying(&run, "unexpected answer 500 Internal Server Error");
        assert_said_masked(&run);
        if run.output().contains(ADMIN_KEY) {
            run.fail("the API key is in Terraform's output");
        }
    });
}

#[test]
fn trace_logs_mask_secrets_that_json_escapes() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let mut ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        ws.set_env("TF_LOG", "trace");
        let secrets = Secrets::new("c3d5");
        ws.write_main(&secrets.config("traced", 1));
        for run in [ws.apply(), ws.plan_detailed(), ws.destroy()] {
            assert_hidden(&run, &[&secrets], "with TF_LOG=trace");
            if !run.output().contains("Connect API re") {
                run.fail("the provider's trace lines are missing: nothing was searched");
            }
        }
    });
}

#[test]
fn secrets_a_server_sends_back_in_a_later_run_are_not_logged() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let mut ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        let secrets = Secrets::new("d4c6");
        ws.write_main(&secrets.config("sent earlier", 1));
        ws.apply();

        // A later run (a new provider process, which sends nothing) against a server that now
        // returns the secrets it holds in every answer, the list included.
        fake.store().set_reveal_secrets(true);
        let listed = serde_json::to_string(&fake.store().integrations()).unwrap();
        assert!(listed.contains(&secrets.markers[2]), "the fake reveals the secret field: {listed}");
        ws.set_env("TF_LOG", "trace");
        let run = ws.plan_detailed();
        assert_hidden(&run, &[&secrets], "in a refresh against a server revealing secrets");
        if run.code() != 0 {
            run.fail("secrets the server reveals are no drift");
        }
        if !run.output().contains("Connect API response body") {
            run.fail("the list answer's trace line is missing: nothing was searched");
        }
    });
}

/// A content item's environment variables (issue 23), in both forms: the written-only values
/// and those kept in state, each with a quote, a newline or a tab (escaped in JSON) and a marker.
struct EnvSecrets {
    write_only: String,
    in_state: String,
    markers: Vec<String>,
}

impl EnvSecrets {
    fn new(tag: &str) -> EnvSecrets {
        let markers = vec![format!("envwomark{tag}"), format!("envstatemark{tag}")];
        EnvSecrets {
            write_only: format!("env-\"{}\"-\twritten-only", markers[0]),
            in_state: format!("env-line1\n{}-in-state", markers[1]),
            markers,
        }
    }

    /// The values reach Terraform as variables, as in production: the written-only one from a
    /// plain variable (neither sensitive nor ephemeral, the case Terraform itself masks least),
    /// the one in state from a sensitive variable.
    fn give(&self, ws: &mut Workspace) {
        ws.set_env("TF_VAR_wo_token", &self.write_only);
        ws.set_env("TF_VAR_state_token", &self.in_state);
    }

    #[track_caller]
    fn assert_hidden(&self, run: &TfRun, when: &str) {
        for marker in &self.markers {
            if run.output().contains(marker.as_str()) {
                run.fail(&format!("an environment value (marker {marker}) is in Terraform's output {when}"));
            }
        }
    }
}

/// Two content items' variables: one set write-only (at `version`), one kept in state.
fn env_config(wo_content: &str, state_content: &str, version: u32) -> String {
    let body = format!(
        r#"variable "wo_token" {{
  type = string
}}

variable "state_token" {{
  type      = string
  sensitive = true
}}

resource "posit_connect_content_environment" "wo" {{
  content_guid = {wo_content}
  variables_wo = {{
    TOKEN = var.wo_token
  }}
  variables_wo_version = {version}
}}

resource "posit_connect_content_environment" "state" {{
  content_guid = {state_content}
  variables = {{
    TOKEN = var.state_token
  }}
}}
"#,
        wo_content = hcl_string(wo_content),
        state_content = hcl_string(state_content),
    );
    main_tf(&ProviderConfig::Env, &body)
}

/// Environment variable values have the client secrets' guarantees: a PATCH refused with an
/// error echoing its body (a diagnostic on the attribute holding the variables) shows them
/// masked, every run under `TF_LOG=trace` shows none, and the written-only one never reaches the
/// state.
#[test]
fn environment_values_never_show() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let (wo_content, state_content) = (fake.store().add_content(), fake.store().add_content());
        let mut ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        let first = EnvSecrets::new("e5a7");
        first.give(&mut ws);
        ws.write_main(&env_config(&wo_content, &state_content, 1));

        // Creates refused with an error that quotes the PATCH body.
        fake.faults().set(vec![Fault::new(1, FaultAction::EchoBody { status: 400 }).only("PATCH")]);
        let run = ws.try_apply();
        assert_failed_saying(&run, "Invalid request body");
        assert_said_masked(&run);
        first.assert_hidden(&run, "after creates whose errors echoed the request");

        // Under TF_LOG=trace: create, rotate (every value sent again), plan.
        fake.faults().clear();
        ws.set_env("TF_LOG", "trace");
        let mut runs = vec![(ws.apply(), "creating")];
        let second = EnvSecrets::new("f6b8");
        second.give(&mut ws);
        ws.write_main(&env_config(&wo_content, &state_content, 2));
        runs.push((ws.apply(), "rotating"));
        runs.push((ws.plan_detailed(), "planning"));
        for (run, when) in &runs {
            first.assert_hidden(run, &format!("{when} with TF_LOG=trace"));
            second.assert_hidden(run, &format!("{when} with TF_LOG=trace"));
            if !run.output().contains("Connect API re") {
                run.fail("the provider's trace lines are missing: nothing was searched");
            }
        }
        let env = fake.store().content_env(&wo_content);
        assert_eq!(env.get("TOKEN"), Some(&second.write_only), "the fake received the rotated value");
        let state = std::fs::read_to_string(ws.path().join("terraform.tfstate")).unwrap();
        for marker in [&first.markers[0], &second.markers[0]] {
            assert!(!state.contains(marker.as_str()), "the write-only value is in the state");
        }

        // Updates refused the same way: the PATCH of the rotated values echoed.
        let third = EnvSecrets::new("a9c1");
        third.give(&mut ws);
        ws.write_main(&env_config(&wo_content, &state_content, 3));
        fake.faults().set(vec![Fault::new(1, FaultAction::EchoBody { status: 400 }).only("PATCH")]);
        let run = ws.try_apply();
        assert_failed_saying(&run, "Invalid request body");
        assert_said_masked(&run);
        third.assert_hidden(&run, "after updates whose errors echoed the request");
        fake.faults().clear();
        let run = ws.destroy();
        third.assert_hidden(&run, "destroying with TF_LOG=trace");
    });
}

#[test]
fn server_text_reaches_the_terminal_clean_and_bounded() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        ws.write_main(&main_tf(&ProviderConfig::Env, &Integration::new("msgraph", "Terminal").hcl("this")));
        let message = format!(
            "\u{1b}[31mColoured\u{1b}[0m refusal \u{1b}]0;window-title-e5f7\u{7}over\rwritten {}",
            "x".repeat(2 * 1024 * 1024)
        );
        fake.faults().set(vec![Fault::new(1, FaultAction::Message { status: 400, message })]);
        let run = ws.try_apply();
        assert_failed_saying(&run, "Coloured refusal over written xxxx");
        let output = run.output();
        for (what, bad) in
            [("an escape", "\u{1b}"), ("a bell", "\u{7}"), ("a carriage return", "\r"), ("OSC text", "e5f7")]
        {
            if output.contains(bad) {
                run.fail(&format!("{what} from the server reached Terraform's output"));
            }
        }
        if output.len() > 64 * 1024 {
            run.fail(&format!("a 2 MB message was printed ({} bytes of output)", output.len()));
        }
        assert_failed_saying(&run, "more characters not shown");
    });
}

#[test]
fn a_list_naming_an_integration_twice_is_an_error() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        let body = [Integration::new("msgraph", "Twice").hcl("a"), Integration::new("sharepoint", "Once").hcl("b")];
        ws.write_main(&main_tf(&ProviderConfig::Env, &body.join("\n")));
        ws.apply();
        let guid = fake.store().integrations()[0]["guid"].as_str().unwrap().to_string();
        fake.faults().set(vec![Fault::new(1, FaultAction::DuplicateInList).only("GET").on_path(LIST_PATH)]);
        let run = ws.try_plan();
        assert_failed_saying(&run, &format!("lists integration {guid} more than once"));
    });
}
