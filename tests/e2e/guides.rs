//! The guides' configurations, applied as a reader would: `examples/azure-openai-app/` (the
//! "One Azure OpenAI app, end to end" guide) against a fake Connect holding the app, its owner and
//! the AI team, then planned again (no changes) and destroyed. The docs tests check that the
//! guide shows these files verbatim; this checks that they do what the guide says.

use std::path::PathBuf;

use crate::support::*;

const EXAMPLE: &str = "examples/azure-openai-app";

fn example_files() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(EXAMPLE);
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "tf"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    files.sort();
    assert!(files.iter().any(|(n, _)| n == "main.tf"), "{EXAMPLE} has its main.tf");
    files
}

#[test]
fn the_azure_openai_app_guide_applies_as_written() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let owner = store.add_user_with_role("data-scientist", "publisher");
        let team = store.add_group("AI team");
        let app = store.add_content_owned_by(&owner, "openai-chatbot");
        // A variable the publisher set at deploy time, which the configuration does not name.
        store.set_content_env(&app, "LOG_LEVEL", Some("info"));

        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        for (name, text) in example_files() {
            ws.write_file(&name, &text);
        }
        let secret = "guide-client-s3cret-value";
        ws.write_file(
            "terraform.tfvars",
            &format!(
                "azure_tenant_id     = \"0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9\"\n\
                 azure_client_id     = \"1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d\"\n\
                 azure_client_secret = \"{secret}\"\n"
            ),
        );
        ws.apply();

        // 1. The integration, its secret sent, only the AI team may use it.
        let integrations = store.integrations();
        assert_eq!(integrations.len(), 1, "one integration: {integrations:?}");
        let integration = &integrations[0];
        let guid = integration["guid"].as_str().unwrap().to_string();
        assert_eq!(integration["template"], "azure-openai");
        assert_eq!(store.secret(&guid).as_deref(), Some(secret));
        let permissions = integration["permissions"].as_array().cloned().unwrap_or_default();
        let groups: Vec<&str> = permissions.iter().filter_map(|e| e["group_guid"].as_str()).collect();
        let users: Vec<&str> = permissions.iter().filter_map(|e| e["user_guid"].as_str()).collect();
        assert_eq!((groups, users), (vec![team.as_str()], vec![]), "the integration is the AI team's: {integration}");
        // 3. The app may use it.
        assert_eq!(store.associations(&app), Some(vec![guid.clone()]));
        // 4. Only the AI team may view the app.
        let entries = store.content_permissions(&app).unwrap();
        assert!(
            entries.iter().any(|e| e["principal_guid"] == team.as_str() && e["role"] == "viewer"),
            "the AI team views the app: {entries:?}"
        );
        // 5. Its vanity URL.
        assert_eq!(store.content_vanity(&app).as_deref(), Some("/chatbot/"));
        // 6. Its environment, beside the variable set at deploy time.
        let env = store.content_env(&app);
        assert_eq!(env.get("AZURE_OPENAI_ENDPOINT").map(String::as_str), Some("https://example.openai.azure.com/"));
        assert_eq!(env.get("AZURE_OPENAI_DEPLOYMENT").map(String::as_str), Some("gpt-4o"));
        assert_eq!(env.get("LOG_LEVEL").map(String::as_str), Some("info"), "others' variables are left alone");

        ws.assert_no_changes("a second plan of the guide's configuration");

        ws.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]).ok();
        assert!(store.integrations().is_empty(), "destroy deletes the integration");
        assert_eq!(store.content_vanity(&app), None, "destroy deletes the vanity URL");
        let env = store.content_env(&app);
        assert_eq!(env.keys().collect::<Vec<_>>(), ["LOG_LEVEL"], "destroy deletes only the managed variables");
    });
}
