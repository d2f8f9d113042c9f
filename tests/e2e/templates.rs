//! The server's own template facts (`GET /v1/oauth/templates`) through Terraform: the
//! `posit_connect_oauth_templates` data source; plans judged and defaulted by what the server
//! says where it differs from the provider's built-in catalogue (the fake's `github` has an App
//! ID its Service Accounts require, its `snowflake` default scopes); the catalogue again on a
//! server without the list (profile `older`); and the list read once per plan, however many
//! integrations it holds.

use serde_json::Value;

use crate::support::*;

const SNOWFLAKE: &str = "posit_connect_oauth_integration.snowflake";
const TEMPLATES_PATH: &str = "/__api__/v1/oauth/templates";

/// A GitHub Service Account (GitHub App) integration, with `extra` when given.
fn github_service_account(extra: &str) -> String {
    format!(
        "resource \"posit_connect_oauth_integration\" \"github\" {{\n  template = \"github\"\n  name     = \"GitHub \
         app\"\n  config {{\n    auth_type     = \"Service Account\"\n    client_id     = \"Iv1.abc\"\n    \
         client_secret = \"gh-secret\"\n{extra}  }}\n}}\n"
    )
}

/// A Snowflake integration that leaves its scopes out.
const SNOWFLAKE_HCL: &str = r#"resource "posit_connect_oauth_integration" "snowflake" {
  template = "snowflake"
  name     = "Snowflake"
  config {
    account_url   = "https://acme.snowflakecomputing.com"
    client_id     = "snow-client"
    client_secret = "snow-secret"
  }
}
"#;

/// The requests to the templates list, and to one template, since the last `clear_requests`.
fn template_reads(store: &fake_connect::Store) -> (usize, usize) {
    let requests = store.requests();
    let list = requests.iter().filter(|r| r.method == "GET" && r.path == TEMPLATES_PATH).count();
    let one = requests.iter().filter(|r| r.path.starts_with(&format!("{TEMPLATES_PATH}/"))).count();
    (list, one)
}

fn errors(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| format!("{}: {}", d["summary"].as_str().unwrap_or(""), d["detail"].as_str().unwrap_or("")))
        .collect()
}

#[test]
fn the_data_source_lists_what_the_server_offers() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let ws = Workspace::new(tf);
        ws.write_main(&main_tf(
            &admin(&fake),
            "data \"posit_connect_oauth_templates\" \"all\" {}\n\noutput \"templates\" {\n  value = \
             data.posit_connect_oauth_templates.all.templates\n}\n",
        ));
        ws.apply();
        let out = ws.run(&["output", "-json", "templates"]).ok();
        let templates: Value = serde_json::from_str(&out.stdout).expect("output -json is JSON");
        let by_id = |id: &str| {
            templates.as_array().and_then(|ts| ts.iter().find(|t| t["id"] == id)).cloned().unwrap_or_else(|| {
                panic!("no template {id} in {templates}");
            })
        };
        let github = by_id("github");
        assert_eq!(github["auth_types"], serde_json::json!(["Viewer", "Service Account"]), "{github}");
        assert_eq!(github["default_auth_type"], "Viewer");
        assert_eq!(github["environment_variables"], serde_json::json!(["GITHUB_TOKEN"]));
        let field = |name: &str| {
            github["fields"].as_array().and_then(|fs| fs.iter().find(|f| f["name"] == name)).cloned().unwrap()
        };
        let app_id = field("app_id");
        assert_eq!(app_id["required"], true, "{app_id}");
        assert_eq!(app_id["applies_when"], "auth_type = \"Service Account\"");
        assert_eq!(field("client_secret")["secret"], true);
        assert_eq!(field("client_secret")["required"], false);
        assert_eq!(field("github_enterprise_server")["required"], false, "an empty hostname matches its pattern");
        assert_eq!(field("client_id")["applies_when"], Value::Null);
        let msgraph = by_id("msgraph");
        let scopes = msgraph["fields"].as_array().unwrap().iter().find(|f| f["name"] == "scopes").unwrap().clone();
        assert_eq!(scopes["default"], "https://graph.microsoft.com/.default offline_access");
    });
}

/// The catalogue knows GitHub's Service Account with a client id and secret; the server's
/// template also requires an App ID for it: refused at plan, with the server's words, and planned
/// once given. On a server without the list, the catalogue's rule plans it (Connect judges at
/// apply), and the data source says the server cannot list its templates.
#[test]
fn the_servers_facts_win_over_the_catalogue_and_the_catalogue_stays_for_older_servers() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let ws = Workspace::new(tf);
        ws.write_main(&main_tf(&admin(&fake), &github_service_account("")));
        let (run, diags) = ws.plan_diagnostics();
        let errors = errors(&diags);
        if run.success() || errors.len() != 1 {
            run.fail(&format!("expected one error, for the App ID; got {errors:?}"));
        }
        for needle in ["Missing config.app_id", "\"github\" template on", "App ID (app_id)", "Service Account"] {
            assert!(errors[0].contains(needle), "{needle:?} in {}", errors[0]);
        }
        assert!(errors[0].contains("config.extra"), "says where it goes: {}", errors[0]);

        // Given: planned, created, and quiet afterwards.
        ws.write_main(&main_tf(&admin(&fake), &github_service_account("    extra = { app_id = \"12345\" }\n")));
        ws.apply();
        ws.assert_no_changes("after creating the GitHub App integration");
        assert_eq!(only_integration(&fake.store())["config"]["app_id"], "12345");

        // An older Connect without the templates list: the catalogue plans it.
        let older = start_fake();
        older.store().set_profile(fake_connect::Profile::Older);
        let ws = Workspace::new(tf);
        ws.write_main(&main_tf(&admin(&older), &github_service_account("")));
        let (run, diags) = ws.plan_diagnostics();
        if !run.success() {
            run.fail(&format!("the catalogue asks no App ID: {:?}", self::errors(&diags)));
        }
        let (list, one) = template_reads(&older.store());
        assert!(list >= 1 && one == 0, "asked for the list ({list}) and nothing else ({one})");
        ws.write_main(&main_tf(&admin(&older), "data \"posit_connect_oauth_templates\" \"all\" {}\n"));
        let (run, diags) = ws.plan_diagnostics();
        run.failed();
        let errors = self::errors(&diags);
        assert!(
            errors.len() == 1 && errors[0].contains("does not list its OAuth templates") && errors[0].contains("404"),
            "{errors:?}"
        );
    });
}

/// Scopes left out: the catalogue has no Snowflake default, so they would be the server's, known
/// only after apply; the server's template has one, planned and sent.
#[test]
fn the_servers_default_scopes_are_planned() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let ws = Workspace::new(tf);
        ws.write_main(&main_tf(&admin(&fake), SNOWFLAKE_HCL));
        let plan = ws.plan_json();
        let after = &resource_change(&plan, SNOWFLAKE)["change"]["after"];
        assert_eq!(after["config"]["scopes"], "refresh_token session:role-any", "{after}");
        ws.apply();
        assert_eq!(only_integration(&fake.store())["config"]["scopes"], "refresh_token session:role-any");
        ws.assert_no_changes("after creating with the server's scopes");

        // Without the list: unknown until the server answers, as the catalogue plans it.
        let older = start_fake();
        older.store().set_profile(fake_connect::Profile::Older);
        let ws = Workspace::new(tf);
        ws.write_main(&main_tf(&admin(&older), SNOWFLAKE_HCL));
        let plan = ws.plan_json();
        let unknown = &resource_change(&plan, SNOWFLAKE)["change"]["after_unknown"];
        assert_eq!(unknown["config"]["scopes"], true, "{unknown}");
    });
}

/// A plan of several integrations of several templates, creating and then updating them, asks
/// for the templates list once per Terraform command and never for one template.
#[test]
fn the_templates_list_is_read_once_per_plan() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let ws = Workspace::new(tf);
        let body = |description: &str| {
            let mut hcl = String::new();
            for (i, template) in ["msgraph", "sharepoint", "azure-openai", "msgraph", "sharepoint"].iter().enumerate() {
                hcl += &format!(
                    "resource \"posit_connect_oauth_integration\" \"i{i}\" {{\n  template    = \"{template}\"\n  name \
                     = \"Integration {i}\"\n  description = \"{description}\"\n  config {{\n    tenant_id = \
                     \"{TENANT_ID}\"\n    client_id = \"{CLIENT_ID}\"\n  }}\n}}\n"
                );
            }
            hcl + SNOWFLAKE_HCL
        };
        ws.write_main(&main_tf(&admin(&fake), &body("first")));
        store.clear_requests();
        let plan = ws.plan_json();
        assert_eq!(resource_changes(&plan.json).len(), 6);
        let (list, one) = template_reads(&store);
        assert_eq!((list, one), (1, 0), "one list for a plan of six creates:\n{}", request_log(&store));

        ws.apply();
        store.clear_requests();
        ws.write_main(&main_tf(&admin(&fake), &body("second")));
        let plan = ws.plan_json();
        assert_actions(&plan, "posit_connect_oauth_integration.i0", &["update"], "a new description");
        let (list, one) = template_reads(&store);
        assert_eq!((list, one), (1, 0), "one list for a plan of five updates:\n{}", request_log(&store));
        // The same process reads the server's settings and the key's user once each too.
        let once = |path: &str| store.requests().iter().filter(|r| r.path == path).count();
        assert_eq!((once("/__api__/server_settings"), once("/__api__/v1/user")), (1, 1), "{}", request_log(&store));
    });
}
