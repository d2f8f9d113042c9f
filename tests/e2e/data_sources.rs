//! The data sources: one integration by guid or name, the list (filtered by template), and the
//! server, read through Terraform from the fake's store; and their errors.

use serde_json::{json, Value};

use crate::support::*;

fn data_values(state: &Value, addr: &str) -> Value {
    state["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["address"] == addr))
        .map(|r| r["values"].clone())
        .unwrap_or_else(|| panic!("{addr} not in state: {state}"))
}

#[test]
fn data_sources_read_the_server() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let graph_cfg = json!({"auth_type": "Viewer", "tenant_id": TENANT_ID, "client_id": CLIENT_ID,
            "client_secret": "never-shown", "scopes": "https://graph.microsoft.com/.default offline_access"});
        let graph = store.insert("msgraph", "Graph", "for graph", graph_cfg.clone());
        let graph2 = store.insert("msgraph", "Graph two", "", graph_cfg);
        store.insert(
            "sharepoint",
            "SharePoint",
            "",
            json!({"auth_type": "Viewer", "tenant_id": TENANT_ID, "client_id": CLIENT_ID,
                "scopes": "00000003-0000-0ff1-ce00-000000000000/.default offline_access"}),
        );
        let ws = Workspace::new(tf);
        let body = format!(
            r#"data "posit_connect_oauth_integration" "by_guid" {{
  guid = {graph}
}}

data "posit_connect_oauth_integration" "by_name" {{
  name = "Graph two"
}}

data "posit_connect_oauth_integrations" "all" {{}}

data "posit_connect_oauth_integrations" "graph" {{
  template = "msgraph"
}}

data "posit_connect_server" "this" {{}}
"#,
            graph = hcl_string(&graph)
        );
        ws.write_main(&main_tf(&admin(&fake), &body));
        ws.apply();
        let state = ws.state_json();

        let by_guid = data_values(&state, "data.posit_connect_oauth_integration.by_guid");
        assert_eq!(by_guid["name"], "Graph");
        assert_eq!(by_guid["description"], "for graph");
        assert_eq!(by_guid["template"], "msgraph");
        assert_eq!(by_guid["id"], graph.as_str());
        assert_eq!(by_guid["config"]["tenant_id"], TENANT_ID);
        assert_eq!(by_guid["config"]["auth_mode"], "Confidential");
        assert!(!state.to_string().contains("never-shown"), "no secret in any data source");

        let by_name = data_values(&state, "data.posit_connect_oauth_integration.by_name");
        assert_eq!(by_name["guid"], graph2.as_str());

        let all = data_values(&state, "data.posit_connect_oauth_integrations.all");
        let names: Vec<&str> =
            all["integrations"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Graph", "Graph two", "SharePoint"]);
        let graph_only = data_values(&state, "data.posit_connect_oauth_integrations.graph");
        let templates: Vec<&str> =
            graph_only["integrations"].as_array().unwrap().iter().map(|i| i["template"].as_str().unwrap()).collect();
        assert_eq!(templates, ["msgraph", "msgraph"]);
        assert_eq!(graph_only["integrations"][0]["auth_type"], "Viewer");

        let server = data_values(&state, "data.posit_connect_server.this");
        assert_eq!(server["url"], fake.url().as_str());
        assert_eq!(server["oauth_redirect_uri"], format!("{}/__oauth__/integrations/callback", fake.url()).as_str());
        assert_eq!(server["version"], "2025.07.0");
    });
}

#[test]
fn data_source_errors_say_what_is_wrong() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let cfg = json!({"auth_type": "Viewer", "tenant_id": TENANT_ID, "client_id": CLIENT_ID});
        store.insert("msgraph", "Twin", "", cfg.clone());
        store.insert("msgraph", "Twin", "", cfg);
        let ws = Workspace::new(tf);
        let cases: [(&str, &[&str]); 4] = [
            (r#"name = "Nobody""#, &["0 OAuth integrations", "Nobody"]),
            (r#"name = "Twin""#, &["2 OAuth integrations", "Twin", "guid"]),
            (r#"guid = "3f1e6a52-0000-4000-8000-000000000000""#, &["no OAuth integration with guid"]),
            ("guid = \"x\"\n  name = \"y\"", &["Exactly one of guid or name"]),
        ];
        for (args, needles) in cases {
            let body = format!("data \"posit_connect_oauth_integration\" \"x\" {{\n  {args}\n}}\n");
            ws.write_main(&main_tf(&admin(&fake), &body));
            ws.try_plan().failed().assert_output_contains(needles);
        }
    });
}
