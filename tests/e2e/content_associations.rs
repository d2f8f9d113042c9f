//! `posit_connect_content_oauth_integrations`: a content item's set of integrations, set by PUT,
//! drift on the server seen and restored, import by content guid, destroy removes them all.

use serde_json::json;

use crate::support::*;

const ADDR: &str = "posit_connect_content_oauth_integrations.app";

fn body(content: &str, integrations: &[&str]) -> String {
    let list = integrations.iter().map(|g| hcl_string(g)).collect::<Vec<_>>().join(", ");
    format!(
        "resource \"posit_connect_content_oauth_integrations\" \"app\" {{\n  content_guid      = {}\n  integration_guids = [{list}]\n}}\n",
        hcl_string(content)
    )
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn content_associations_lifecycle() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let cfg = json!({"auth_type": "Viewer", "tenant_id": TENANT_ID, "client_id": CLIENT_ID});
        let a = store.insert("msgraph", "A", "", cfg.clone());
        let b = store.insert("sharepoint", "B", "", cfg.clone());
        let c = store.insert("azure-openai", "C", "", cfg);
        let content = store.add_content();
        let provider = admin(&fake);
        let ws = Workspace::new(tf);

        ws.write_main(&main_tf(&provider, &body(&content, &[&a, &b])));
        ws.apply();
        assert_eq!(sorted(store.associations(&content).unwrap()), sorted(vec![a.clone(), b.clone()]));
        ws.assert_no_changes("after associating two integrations");

        // Drift: an association added in the dashboard is seen and removed.
        store.set_associations(&content, vec![a.clone(), b.clone(), c.clone()]).unwrap();
        let plan = ws.plan_json();
        assert_actions(&plan, ADDR, &["update"], "after an association was added on the server");
        assert!(resource_drift(&plan.json).iter().any(|(addr, _)| addr == ADDR), "drift is reported");
        ws.apply();
        assert_eq!(sorted(store.associations(&content).unwrap()), sorted(vec![a.clone(), b.clone()]));

        // An in-place change of the set.
        ws.write_main(&main_tf(&provider, &body(&content, &[&c])));
        ws.apply();
        assert_eq!(store.associations(&content).unwrap(), vec![c.clone()]);
        ws.assert_no_changes("after changing the set");

        // Import by content guid.
        ws.run(&["state", "rm", ADDR]).ok();
        ws.import(ADDR, &content);
        let imported = resource_values(&ws.state_json(), ADDR);
        assert_eq!(imported["integration_guids"], json!([c]));
        ws.assert_no_changes("after import");

        // Destroy removes every association (PUT []), and leaves the integrations.
        ws.destroy();
        assert_eq!(store.associations(&content).unwrap(), Vec::<String>::new());
        assert_eq!(store.len(), 3);
    });
}
