//! What Posit's published API description (`tests/contract/openapi/`) asks of the provider,
//! through Terraform: answers it allows are read (an integration made elsewhere with a null
//! name, description and template), and requests keep to it (a config value is never `null`,
//! so a secret is never removed by an update: the integration is replaced, and the plan says
//! why). Each runs against a lenient server and one that refuses any config value that is not a
//! string or a boolean (`Profile::StrictValues`, 400 with code 228).

use fake_connect::{Fault, FaultAction, Profile, Store};
use serde_json::Value;

use crate::support::*;

const ADDR: &str = "posit_connect_oauth_integration.this";

/// Every config value the provider sent in a create or update that is not a string or a
/// boolean, as "METHOD path: key".
fn non_string_config_values(store: &Store) -> Vec<String> {
    let mut found = Vec::new();
    for r in writes(store) {
        let Some(Value::Object(config)) = r.body.as_ref().and_then(|b| b.get("config")) else { continue };
        for (key, value) in config {
            if !(value.is_string() || value.is_boolean()) {
                found.push(format!("{} {}: {key} = {value}", r.method, r.path));
            }
        }
    }
    found
}

#[test]
fn a_public_application_and_a_removed_secret_never_send_null() {
    for_each_terraform(|tf| {
        for profile in [Profile::Derives, Profile::StrictValues] {
            let when = |what: &str| format!("{what} ({}, {tf})", profile.name());
            let fake = start_fake();
            let store = fake.store();
            store.set_profile(profile);
            let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
            let public = Integration::new("sharepoint", "Public viewer app");
            let confidential = public.clone().secret("first-secret");

            // The seed page's common case: a Viewer with a Public application, no secret at all.
            ws.write_main(&main_tf(&ProviderConfig::Env, &public.hcl("this")));
            ws.apply();
            let first = only_integration(&store)["guid"].as_str().unwrap().to_string();
            assert_eq!(store.secret(&first), None, "{}", when("a Public application has no secret"));

            // Given a secret: an update in place.
            ws.write_main(&main_tf(&ProviderConfig::Env, &confidential.hcl("this")));
            assert_actions(&ws.plan_json(), ADDR, &["update"], &when("adding a secret"));
            ws.apply();
            assert_eq!(store.secret(&first).as_deref(), Some("first-secret"), "{}", when("the secret is sent"));

            // The secret taken away: no request can say so, so the plan replaces and says why.
            ws.write_main(&main_tf(&ProviderConfig::Env, &public.hcl("this")));
            let plan = ws.plan_json();
            assert_actions(&plan, ADDR, &["delete", "create"], &when("removing the secret"));
            let (_, diagnostics) = ws.plan_diagnostics();
            let warning = diagnostics
                .iter()
                .find(|d| d["summary"] == "Removing a config key replaces the OAuth integration")
                .unwrap_or_else(|| panic!("{}: {diagnostics:?}", when("no warning says why the plan replaces")));
            assert_eq!(warning["severity"], "warning");
            let detail = warning["detail"].as_str().unwrap_or_default();
            assert!(detail.contains("removes config.client_secret"), "{detail}");
            assert!(!detail.contains("first-secret"), "the warning never shows the secret: {detail}");
            ws.apply();
            let second = only_integration(&store)["guid"].as_str().unwrap().to_string();
            assert_ne!(first, second, "{}", when("replaced"));
            assert_eq!(store.secret(&second), None, "{}", when("the new integration has no secret"));
            ws.assert_no_changes(&when("after the replacement"));

            let sent = non_string_config_values(&store);
            assert!(
                sent.is_empty(),
                "{}: {sent:?}\n{}",
                when("config values that are not strings"),
                request_log(&store)
            );
        }
    });
}

#[test]
fn an_integration_without_name_or_template_breaks_no_list() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        // The list also holds an integration made by another tool, with null name, description
        // and template, as Posit's document allows.
        store.set_profile(Profile::NullNames);
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        // Its answer lost after Connect made it: the create is found in the list, not repeated.
        fake.faults().set(vec![Fault::drop_after_acting(1).only("POST")]);
        let mine = Integration::new("msgraph", "Mine").secret("s3cret");
        let body = format!(
            "{}\n{}",
            mine.hcl("this"),
            r#"
data "posit_connect_oauth_integrations" "all" {
  depends_on = [posit_connect_oauth_integration.this]
}

data "posit_connect_oauth_integration" "mine" {
  name       = "Mine"
  depends_on = [posit_connect_oauth_integration.this]
}

output "all" {
  value = data.posit_connect_oauth_integrations.all.integrations
}

output "mine" {
  value = data.posit_connect_oauth_integration.mine.guid
}
"#
        );
        ws.write_main(&main_tf(&ProviderConfig::Env, &body));
        ws.apply();
        fake.faults().set(vec![]);
        let posts = store.requests().iter().filter(|r| r.method == "POST").count();
        assert_eq!(posts, 1, "the lost create was found, not repeated:\n{}", request_log(&store));

        let state = ws.state_json();
        let guid = resource_values(&state, ADDR)["guid"].as_str().unwrap().to_string();
        let outputs = &state["values"]["outputs"];
        assert_eq!(outputs["mine"]["value"], Value::from(guid.as_str()), "the by-name lookup skips the unnamed one");
        let all = outputs["all"]["value"].as_array().cloned().unwrap_or_default();
        assert_eq!(all.len(), 2, "both integrations are listed: {all:?}");
        let unnamed = all.iter().find(|i| i["guid"] != guid.as_str()).unwrap();
        assert_eq!((&unnamed["name"], &unnamed["template"]), (&Value::Null, &Value::Null), "{unnamed}");
        ws.assert_no_changes("with an unnamed integration on the server");

        if tf.at_least(1, 14) {
            // terraform query lists what it can adopt: not an integration without a template.
            ws.write_file(
                "adopt.tfquery.hcl",
                "list \"posit_connect_oauth_integration\" \"all\" {\n  provider = posit\n}\n",
            );
            let run = ws.run(&["query", "-no-color", "-generate-config-out=adopted.tf"]);
            if !run.success() {
                run.fail("terraform query with an unnamed integration on the server");
            }
            let generated = std::fs::read_to_string(ws.path().join("adopted.tf")).unwrap();
            assert!(generated.contains(&guid), "{generated}");
        }
    });
}

/// `apply -json`'s error diagnostics; the apply must fail.
fn apply_errors(ws: &Workspace) -> Vec<Value> {
    let run = ws.run(&["apply", "-json", "-auto-approve", "-no-color", "-input=false"]);
    if run.success() {
        run.fail("expected `apply` to fail");
    }
    run.stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|msg| msg["type"] == "diagnostic" && msg["diagnostic"]["severity"] == "error")
        .map(|msg| msg["diagnostic"].clone())
        .collect()
}

#[test]
fn connect_refusals_point_at_the_attribute_they_concern() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        ws.write_main(&main_tf(
            &ProviderConfig::Env,
            &Integration::new("msgraph", "Refused").description("Refused on purpose").secret("s3cret").hcl("this"),
        ));
        // (code, Connect's message, the line Terraform shows: the attribute's own, also inside
        // the `config` block).
        let cases = [
            (225, "The OAuth integration name is invalid.", "name"),
            (226, "The OAuth integration description is invalid.", "description"),
            (204, "The tenant ID is not a valid Entra ID tenant.", "tenant_id"),
        ];
        for (code, message, line) in cases {
            let refusal = FaultAction::Refusal { status: 400, code, message: message.to_string() };
            fake.faults().set(vec![Fault::new(1, refusal).only("POST")]);
            let errors = apply_errors(&ws);
            assert_eq!(errors.len(), 1, "code {code}: {errors:?}");
            let e = &errors[0];
            let detail = e["detail"].as_str().unwrap_or_default();
            assert!(detail.contains(message) && detail.contains(&format!("code {code}")), "{detail}");
            let shown = e["snippet"]["code"].as_str().unwrap_or_default().trim_start();
            assert!(shown.starts_with(line), "code {code} should point at {line}: {shown:?}");
        }
        fake.faults().set(vec![]);
        assert!(store.is_empty(), "nothing was made");
    });
}
