//! The whole lifecycle under every server behaviour profile (see `fake-connect/src/profiles.rs`):
//! where no public source says what a real Connect does, each profile is one plausible answer,
//! and the provider must work with all of them. Create the four Azure templates and a `custom`
//! one, an empty plan, an update, drift, an import, destroy: no "inconsistent result", no
//! perpetual diff, nothing lost.

use fake_connect::{FakeConnect, Profile};
use serde_json::json;

use crate::support::*;

/// The integrations of the lifecycle, as `(label, HCL)`. `round` changes descriptions and one
/// integration's scopes, so an apply has updates to make.
fn integrations(round: u32) -> Vec<(&'static str, String)> {
    let described = |i: Integration| i.description(&format!("round {round}"));
    let graph_scopes = if round == 0 {
        "https://graph.microsoft.com/.default offline_access"
    } else {
        "offline_access https://graph.microsoft.com/User.Read"
    };
    vec![
        (
            "azure",
            described(Integration::new("azure", "Profile azure"))
                .scopes("https://management.azure.com/.default offline_access")
                .hcl("azure"),
        ),
        ("openai", described(Integration::new("azure-openai", "Profile openai")).hcl("openai")),
        (
            "graph",
            described(Integration::new("msgraph", "Profile graph"))
                .auth_type("Service Account")
                .secret("profile-graph-secret")
                .scopes(graph_scopes)
                .hcl("graph"),
        ),
        (
            "sharepoint",
            described(Integration::new("sharepoint", "Profile sharepoint"))
                .secret("profile-sp-secret")
                .hcl("sharepoint"),
        ),
        (
            "custom",
            format!(
                r#"resource "posit_connect_oauth_integration" "custom" {{
  template    = "custom"
  name        = "Profile custom"
  description = "round {round}"
  config {{
    client_id         = "custom-client"
    client_secret     = "profile-custom-secret"
    authorization_uri = "https://idp.example.com/authorize"
    token_uri         = "https://idp.example.com/token"
  }}
}}
"#
            ),
        ),
    ]
}

fn config(round: u32, skip: Option<&str>) -> String {
    let body: Vec<String> =
        integrations(round).into_iter().filter(|(label, _)| Some(*label) != skip).map(|(_, hcl)| hcl).collect();
    main_tf(&ProviderConfig::Env, &body.join("\n"))
}

fn addr(label: &str) -> String {
    format!("{RESOURCE_TYPE}.{label}")
}

fn guid_of(ws: &Workspace, label: &str) -> String {
    resource_values(&ws.state_json(), &addr(label))["guid"].as_str().unwrap_or_default().to_string()
}

fn lifecycle(profile: Profile) {
    for_each_terraform(|tf| {
        let fake: FakeConnect = start_fake();
        let store = fake.store();
        store.set_profile(profile);
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        let when = |what: &str| format!("{what} (profile {})", profile.name());

        // Create, then nothing to do.
        ws.write_main(&config(0, None));
        ws.apply();
        assert_eq!(store.len(), 5, "{}", when("five integrations made"));
        ws.assert_no_changes(&when("after create"));

        // Update, then nothing to do.
        ws.write_main(&config(1, None));
        ws.apply();
        assert!(store.integrations().iter().all(|i| i["description"] == "round 1"), "{}", when("updated"));
        ws.assert_no_changes(&when("after update"));

        // Drift: edited in the dashboard, put back by the next apply.
        let graph = guid_of(&ws, "graph");
        assert!(store.edit(&graph, "description", json!("edited in the dashboard")));
        let plan = ws.plan_json();
        assert_actions(&plan, &addr("graph"), &["update"], &when("after a dashboard edit"));
        ws.apply();
        ws.assert_no_changes(&when("after putting the edit back"));

        // Import: forgotten by Terraform, adopted again with an import block; nothing to change.
        let openai = guid_of(&ws, "openai");
        ws.run(&["state", "rm", &addr("openai")]).ok();
        ws.write_main(&(config(1, None) + "\n" + &import_block(&addr("openai"), &openai)));
        let plan = ws.plan_json();
        let changes = changed_paths(resource_change(&plan, &addr("openai")));
        assert!(changes.is_empty(), "{}: the import plans changes to {changes:?}", when("import"));
        ws.apply();
        ws.write_main(&config(1, None));
        ws.assert_no_changes(&when("after the import"));
        assert_eq!(store.len(), 5, "{}", when("nothing lost or doubled"));

        ws.destroy();
        assert!(store.is_empty(), "{}", when("destroy removes everything"));
    });
}

/// One test per profile, so they run in parallel and fail by name.
macro_rules! lifecycle_under {
    ($($name:ident: $profile:expr,)*) => {
        $(
            #[test]
            fn $name() {
                lifecycle($profile);
            }
        )*
    };
}

lifecycle_under! {
    lifecycle_when_the_server_derives_auth_mode: Profile::Derives,
    lifecycle_when_azure_answers_have_no_auth_mode: Profile::NoAuthMode,
    lifecycle_when_the_server_decides_auth_mode: Profile::ServerAuthMode,
    lifecycle_when_the_server_refuses_undefined_keys: Profile::StrictKeys,
    lifecycle_when_auth_type_is_only_at_the_top_level: Profile::AuthTypeTopLevel,
    lifecycle_when_auth_type_is_only_in_config: Profile::AuthTypeInConfig,
    lifecycle_when_the_server_fills_in_custom_keys: Profile::CustomFills,
    lifecycle_when_the_server_fills_in_scopes: Profile::DefaultScopes,
    lifecycle_on_connect_2024_12: Profile::Older,
    lifecycle_when_the_server_takes_only_strings_and_booleans: Profile::StrictValues,
    lifecycle_when_the_server_predates_permissions: Profile::NoPermissions,
}

#[test]
fn every_profile_but_a_missing_api_has_its_lifecycle_test() {
    // Profile::ALL grows with the fake: a new profile needs its line above. Four have none:
    // NoOAuthApi (nothing to manage); NullNames, whose integration made elsewhere the
    // lifecycle's counts of what the server holds would take for the provider's (contract.rs
    // runs the provider beside that integration instead); NoGroups, which changes only the
    // group lookups, and the lifecycle names no group; and PublishersNoVanity, which changes
    // only what a publisher's key may do to vanity URLs (content_vanity_url.rs runs it), and
    // the lifecycle uses an administrator's key.
    assert_eq!(Profile::ALL.len(), 15);
}
