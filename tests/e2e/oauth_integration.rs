//! The life of one `posit_connect_oauth_integration`, for each Azure template and each
//! Terraform binary: create, empty plan, import (CLI and `import {}` block), in-place updates
//! (name, description, scopes, secret), scopes compared as a set, drift seen and reverted, a
//! deletion on the server seen and re-created, a template change that replaces, destroy.
//!
//! Assertions read Terraform's JSON (`show -json` of plans and state) and the fake's store.

use serde_json::{json, Value};

use crate::support::*;

const ADDR: &str = "posit_connect_oauth_integration.this";
const LABEL: &str = "this";

/// What varies between the four template scenarios, chosen so that together they cover:
/// explicit and default scopes, default and explicit `auth_type`, Viewer and Service Account,
/// with and without a secret, description set and left to its default, and the provider
/// configured by environment and by HCL (with a trailing slash on the URL).
struct Case {
    template: &'static str,
    /// The template the replace step switches to.
    next_template: &'static str,
    auth_type: Option<&'static str>,
    secret: Option<&'static str>,
    /// Explicit scopes; `None` takes the template's default.
    scopes: Option<&'static str>,
    description: Option<&'static str>,
    provider_in_hcl: bool,
}

const AZURE: Case = Case {
    template: "azure",
    next_template: "azure-openai",
    auth_type: None,
    secret: Some("azure-secret-1"),
    scopes: Some("https://management.azure.com/.default offline_access"),
    description: Some("For publishers' Azure content."),
    provider_in_hcl: false,
};

const AZURE_OPENAI: Case = Case {
    template: "azure-openai",
    next_template: "msgraph",
    auth_type: Some("Viewer"),
    secret: Some("openai-secret-1"),
    scopes: None,
    description: Some("For publishers' Azure OpenAI content."),
    provider_in_hcl: true,
};

const MSGRAPH: Case = Case {
    template: "msgraph",
    next_template: "sharepoint",
    auth_type: Some("Service Account"),
    secret: Some("graph-secret-1"),
    scopes: None,
    description: None,
    provider_in_hcl: false,
};

const SHAREPOINT: Case = Case {
    template: "sharepoint",
    next_template: "azure",
    auth_type: None,
    secret: None, // a Public Viewer application
    scopes: None,
    description: None,
    provider_in_hcl: true,
};

#[test]
fn azure_lifecycle() {
    for_each_terraform(|tf| lifecycle(tf, &AZURE));
}

#[test]
fn azure_openai_lifecycle() {
    for_each_terraform(|tf| lifecycle(tf, &AZURE_OPENAI));
}

#[test]
fn msgraph_lifecycle() {
    for_each_terraform(|tf| lifecycle(tf, &MSGRAPH));
}

#[test]
fn sharepoint_lifecycle() {
    for_each_terraform(|tf| lifecycle(tf, &SHAREPOINT));
}

/// A workspace talking to `fake` as `case` says (environment or provider block).
fn workspace(tf: &Terraform, fake: &fake_connect::FakeConnect, case: &Case) -> (Workspace, ProviderConfig) {
    if case.provider_in_hcl {
        let provider = ProviderConfig::Hcl { server: format!("{}/", fake.url()), api_key: ADMIN_KEY.to_string() };
        (Workspace::new(tf), provider)
    } else {
        (Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY), ProviderConfig::Env)
    }
}

fn lifecycle(tf: &Terraform, case: &Case) {
    let fake = start_fake();
    let store = fake.store();
    let (ws, provider) = workspace(tf, &fake, case);
    let write = |ws: &Workspace, spec: &Integration, extra: &str| {
        ws.write_main(&main_tf(&provider, &format!("{}{extra}", spec.hcl(LABEL))));
    };

    let mut spec = Integration::new(case.template, &format!("{} OAuth integration", case.template));
    if let Some(d) = case.description {
        spec = spec.description(d);
    }
    if let Some(a) = case.auth_type {
        spec = spec.auth_type(a);
    }
    if let Some(s) = case.secret {
        spec = spec.secret(s);
    }
    if let Some(s) = case.scopes {
        spec = spec.scopes(s);
    }

    // ---- create: the plan shows the defaults (scopes, auth_type, description) as known values;
    // auth_mode is the server's to decide.
    write(&ws, &spec, "");
    let plan = ws.plan_json();
    assert_actions(&plan, ADDR, &["create"], "create");
    let change = resource_change(&plan, ADDR);
    let after = &change["change"]["after"];
    let unknown = unknown_paths(&change["change"]["after_unknown"]);
    for known in ["config.scopes", "description", "config.auth_type"] {
        if unknown.iter().any(|p| p == known) {
            plan.fail(&format!("create: {known} is derivable from the configuration and must be known in the plan"));
        }
    }
    if !unknown.iter().any(|p| p == "config.auth_mode") {
        plan.fail("create: config.auth_mode is Connect's to decide: known only after apply");
    }
    if after["config"]["scopes"] != json!(spec.expected_scopes())
        || after["config"]["auth_type"] != json!(case.auth_type.unwrap_or("Viewer"))
        || after["description"] != json!(case.description.unwrap_or(""))
    {
        plan.fail("create: planned scopes / auth_mode / auth_type / description are not the expected defaults");
    }
    for computed in ["guid", "id", "created_time", "updated_time"] {
        if !unknown.iter().any(|p| p == computed) {
            plan.fail(&format!("create: {computed} cannot be known before the integration exists"));
        }
    }

    store.clear_requests();
    ws.apply();
    let server = only_integration(&store);
    let guid = server["guid"].as_str().expect("the server gives a guid").to_string();
    let posts: Vec<_> = writes(&store);
    assert!(
        posts.len() == 1 && posts[0].method == "POST",
        "create: expected exactly one write, a POST; got:\n{}",
        request_log(&store)
    );
    let post_body = posts[0].body.clone().unwrap_or(Value::Null);
    assert_eq!(post_body["template"], case.template, "create: POST template");
    assert_eq!(
        post_body["config"]["client_secret"],
        case.secret.map_or(Value::Null, |s| json!(s)),
        "create: the POST carries the configured secret (and none when there is none)"
    );
    check_server(&store, &guid, &spec, "after create");
    let state = ws.state_json();
    check_state(&state, &store, &guid, &spec, "after create");
    ws.assert_no_changes("right after create");

    // ---- import with the CLI, into a second workspace with the same configuration.
    {
        let (ws2, _) = workspace(tf, &fake, case);
        write(&ws2, &spec, "");
        ws2.import(ADDR, &guid);
        let imported = resource_values(&ws2.state_json(), ADDR);
        let applied = resource_values(&state, ADDR);
        compare_imported(&imported, &applied, "import (CLI)");
        expect_plan_after_import(&ws2, case, "after `terraform import`");
    }

    // ---- import with an `import {}` block, planned, applied, then nothing left to do.
    {
        let (ws3, _) = workspace(tf, &fake, case);
        write(&ws3, &spec, &format!("\n{}", import_block(ADDR, &guid)));
        let plan = ws3.plan_json();
        let change = resource_change(&plan, ADDR);
        if change["change"]["importing"]["id"] != json!(guid) {
            plan.fail("import block: the change should be an import of the guid");
        }
        let expected: &[&str] = if case.secret.is_some() { &["update"] } else { &["no-op"] };
        assert_actions(&plan, ADDR, expected, "import block");
        if case.secret.is_some() {
            only_secret_changes(&plan, "import block");
        }
        ws3.apply();
        assert_eq!(
            resource_values(&ws3.state_json(), ADDR)["guid"],
            json!(guid),
            "import block: the state holds the imported guid"
        );
        ws3.assert_no_changes("after applying an import block");
        assert_eq!(store.len(), 1, "import block: no new integration was made");
    }

    // ---- in-place update of name, description and scopes.
    let mut spec2 = spec.clone();
    spec2.name = format!("{} (renamed)", spec.name);
    spec2.description = Some("An updated description.".to_string());
    spec2.scopes = Some(format!("{} openid", spec.expected_scopes()));
    write(&ws, &spec2, "");
    let plan = ws.plan_json();
    assert_actions(&plan, ADDR, &["update"], "update name/description/scopes");
    assert_computed_stay_known(&plan, "update name/description/scopes");
    store.clear_requests();
    ws.apply();
    assert_only_patches(&store, &guid, "update name/description/scopes");
    check_server(&store, &guid, &spec2, "after updating name/description/scopes");
    ws.assert_no_changes("after updating name/description/scopes");

    // ---- in-place update of the secret (for the Public case: adding one).
    let mut spec3 = spec2.clone();
    spec3.client_secret = Some(match case.secret {
        Some(s) => format!("{s}-rotated"),
        None => "sharepoint-secret-added".to_string(),
    });
    write(&ws, &spec3, "");
    let plan = ws.plan_json();
    assert_actions(&plan, ADDR, &["update"], "update secret");
    if case.secret.is_some() {
        // A rotation: the integration keeps a secret, so what Connect decided stands.
        assert_computed_stay_known(&plan, "update secret");
    } else {
        // A Public application gets a secret: Connect decides auth_mode anew.
        let unknown = unknown_paths(&resource_change(&plan, ADDR)["change"]["after_unknown"]);
        if !unknown.iter().any(|p| p == "config.auth_mode") {
            plan.fail("adding a secret: config.auth_mode is Connect's to decide again, known only after apply");
        }
    }
    store.clear_requests();
    ws.apply();
    let patches = assert_only_patches(&store, &guid, "update secret");
    assert!(
        patches
            .iter()
            .any(|p| p.body.as_ref().map(|b| &b["config"]["client_secret"]) == Some(&json!(spec3.client_secret))),
        "update secret: no PATCH carried the new client_secret; requests:\n{}",
        request_log(&store)
    );
    check_server(&store, &guid, &spec3, "after updating the secret");
    ws.assert_no_changes("after updating the secret");

    // ---- the same scopes in another order and spacing are not a change.
    let mut spec4 = spec3.clone();
    let scopes3 = spec3.expected_scopes();
    let mut tokens: Vec<&str> = scopes3.split_whitespace().collect();
    tokens.reverse();
    spec4.scopes = Some(format!("  {}  ", tokens.join("   ")));
    write(&ws, &spec4, "");
    ws.assert_no_changes("with the same scopes reordered and respaced");

    // ---- drift: name, description and scopes changed on the server, seen and reverted.
    assert!(store.edit(&guid, "name", json!("Renamed in the dashboard")));
    assert!(store.edit(&guid, "description", json!("Edited in the dashboard")));
    assert!(store.edit(&guid, "config.scopes", json!("openid profile")));
    let plan = ws.plan_json();
    if !resource_drift(&plan.json).iter().any(|(a, _)| a == ADDR) {
        plan.fail("drift: resource_drift should name the integration changed outside of Terraform");
    }
    assert_actions(&plan, ADDR, &["update"], "drift");
    assert_computed_stay_known(&plan, "drift");
    let before = &resource_change(&plan, ADDR)["change"]["before"];
    if before["name"] != "Renamed in the dashboard" || before["description"] != "Edited in the dashboard" {
        plan.fail("drift: the plan's `before` should hold the values read from the server");
    }
    ws.apply();
    check_server(&store, &guid, &spec4, "after reverting drift");
    ws.assert_no_changes("after reverting drift");

    // ---- deleted on the server: seen, and created again.
    assert!(store.remove(&guid));
    let plan = ws.plan_json();
    assert_actions(&plan, ADDR, &["create"], "deleted on the server");
    ws.apply();
    let server = only_integration(&store);
    let guid2 = server["guid"].as_str().unwrap_or_default().to_string();
    assert_ne!(guid2, guid, "re-created: a new integration with a new guid");
    check_server(&store, &guid2, &spec4, "after re-creating");
    let state = ws.state_json();
    check_state(&state, &store, &guid2, &spec4, "after re-creating");
    ws.assert_no_changes("after re-creating");

    // ---- template change: replaced (a new integration, the old one deleted).
    let mut spec5 = spec4.clone();
    spec5.template = case.next_template.to_string();
    if default_scopes(case.next_template).is_none() && spec5.scopes.is_none() {
        spec5.scopes = Some("https://management.azure.com/.default offline_access".to_string());
    }
    write(&ws, &spec5, "");
    let plan = ws.plan_json();
    let got = actions(&plan, ADDR);
    if got != ["delete", "create"] && got != ["create", "delete"] {
        plan.fail(&format!("template change: expected a replace, got actions {got:?}"));
    }
    let replace_paths = &resource_change(&plan, ADDR)["change"]["replace_paths"];
    if !replace_paths.as_array().is_some_and(|p| p.contains(&json!(["template"]))) {
        plan.fail("template change: replace_paths should name `template`");
    }
    store.clear_requests();
    ws.apply();
    let server = only_integration(&store);
    let guid3 = server["guid"].as_str().unwrap_or_default().to_string();
    assert!(store.get(&guid2).is_none(), "template change: the old integration is deleted");
    assert_ne!(guid3, guid2, "template change: a new integration");
    let methods: Vec<String> = writes(&store).iter().map(|r| r.method.clone()).collect();
    assert!(
        methods.contains(&"POST".to_string()) && methods.contains(&"DELETE".to_string()),
        "template change: expected a POST and a DELETE; requests:\n{}",
        request_log(&store)
    );
    check_server(&store, &guid3, &spec5, "after the template change");
    ws.assert_no_changes("after the template change");

    // ---- destroy: nothing left on the server or in the state.
    ws.destroy();
    assert!(
        store.is_empty(),
        "destroy: the server should be empty; it holds:\n{}",
        serde_json::to_string_pretty(&store.integrations()).unwrap_or_default()
    );
    let state = ws.state_json();
    assert!(state_addresses(&state).is_empty(), "destroy: the state should be empty: {state}");
}

/// The server's copy of `guid` matches `spec`, including the secret it holds.
#[track_caller]
fn check_server(store: &fake_connect::Store, guid: &str, spec: &Integration, when: &str) {
    let Some(server) = store.get(guid) else {
        panic!("{when}: integration {guid} is not on the server; requests:\n{}", request_log(store));
    };
    let fail = |what: &str| -> ! {
        panic!(
            "{when}: on the server, {what}\nserver object: {}\nexpected: {spec:#?}\nrequests:\n{}",
            serde_json::to_string_pretty(&server).unwrap_or_default(),
            request_log(store)
        )
    };
    if server["template"] != json!(spec.template) {
        fail("template differs");
    }
    if server["name"] != json!(spec.name) {
        fail("name differs");
    }
    if server["description"] != json!(spec.description.clone().unwrap_or_default()) {
        fail("description differs");
    }
    let config = &server["config"];
    if config["tenant_id"] != json!(spec.tenant_id) || config["client_id"] != json!(spec.client_id) {
        fail("tenant_id / client_id differ");
    }
    if config["auth_type"] != json!(spec.auth_type.clone().unwrap_or_else(|| "Viewer".into())) {
        fail("config.auth_type differs");
    }
    if scope_set(config["scopes"].as_str().unwrap_or_default()) != scope_set(&spec.expected_scopes()) {
        fail("config.scopes differ (as a set of tokens)");
    }
    if config["auth_mode"] != json!(spec.expected_auth_mode()) {
        fail("config.auth_mode differs");
    }
    if store.secret(guid) != spec.client_secret {
        fail(&format!("the held client_secret is {:?}, expected {:?}", store.secret(guid), spec.client_secret));
    }
}

/// The state of `ADDR` matches the server's object and the configuration.
#[track_caller]
fn check_state(state: &Value, store: &fake_connect::Store, guid: &str, spec: &Integration, when: &str) {
    let v = resource_values(state, ADDR);
    let server = store.get(guid).unwrap_or(Value::Null);
    let fail = |what: &str| -> ! {
        panic!(
            "{when}: in the state, {what}\nstate values: {}\nserver object: {}",
            serde_json::to_string_pretty(&v).unwrap_or_default(),
            serde_json::to_string_pretty(&server).unwrap_or_default()
        )
    };
    if v["guid"] != json!(guid) || v["id"] != json!(guid) {
        fail("guid and id should both be the server's guid");
    }
    if v["created_time"] != server["created_time"] || v["updated_time"] != server["updated_time"] {
        fail("created_time / updated_time should be the server's");
    }
    if v["template"] != json!(spec.template) || v["name"] != json!(spec.name) {
        fail("template / name differ from the configuration");
    }
    if v["description"] != json!(spec.description.clone().unwrap_or_default()) {
        fail("description differs from the configuration (default \"\")");
    }
    let c = &v["config"];
    if c["tenant_id"] != json!(spec.tenant_id) || c["client_id"] != json!(spec.client_id) {
        fail("tenant_id / client_id differ");
    }
    if c["auth_type"] != json!(spec.auth_type.clone().unwrap_or_else(|| "Viewer".into())) {
        fail("config.auth_type differs (default Viewer)");
    }
    if c["auth_mode"] != json!(spec.expected_auth_mode()) {
        fail("config.auth_mode differs");
    }
    if scope_set(c["scopes"].as_str().unwrap_or_default()) != scope_set(&spec.expected_scopes()) {
        fail("config.scopes differ");
    }
    if c["client_secret"] != json!(spec.client_secret) {
        fail("config.client_secret should be the configured one (it is never read back)");
    }
}

/// An imported state equals the applied one, but for the secret (never readable).
#[track_caller]
fn compare_imported(imported: &Value, applied: &Value, when: &str) {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(c) = v.get_mut("config").and_then(Value::as_object_mut) {
            c.remove("client_secret");
        }
        v
    };
    assert_eq!(
        strip(imported),
        strip(applied),
        "{when}: the imported state should equal the applied one (the secret aside)"
    );
    assert!(
        imported["config"]["client_secret"].is_null(),
        "{when}: the secret cannot be read back, so it is null after import: {imported}"
    );
}

/// After an import: with a secret configured, one update that sets only the secret; without,
/// an empty plan.
#[track_caller]
fn expect_plan_after_import(ws: &Workspace, case: &Case, when: &str) {
    if case.secret.is_none() {
        ws.assert_no_changes(when);
        return;
    }
    let plan = ws.plan_json();
    assert_actions(&plan, ADDR, &["update"], when);
    only_secret_changes(&plan, when);
}

/// The change for `ADDR` sets `config.client_secret` and nothing else (`updated_time` may
/// become unknown: the update will change it).
#[track_caller]
fn only_secret_changes(plan: &Plan, when: &str) {
    let change = &resource_change(plan, ADDR)["change"];
    let changed: Vec<String> = changed_paths(change).into_iter().filter(|p| p != "updated_time").collect();
    if changed != ["config.client_secret"] {
        plan.fail(&format!("{when}: only config.client_secret should change, but these do: {changed:?}"));
    }
    assert_computed_stay_known(plan, when);
}

/// `guid`, `id`, `created_time` (and `auth_mode`, the server's, when neither the auth type nor
/// having a secret changes) are not "known after apply" in an update.
#[track_caller]
fn assert_computed_stay_known(plan: &Plan, when: &str) {
    let change = &resource_change(plan, ADDR)["change"];
    let unknown = unknown_paths(&change["after_unknown"]);
    for path in ["guid", "id", "created_time", "config.auth_mode"] {
        if unknown.iter().any(|p| p == path) {
            plan.fail(&format!(
                "{when}: {path} should stay known in the plan, not \"known after apply\" (unknown: {unknown:?})"
            ));
        }
    }
    let after = &change["after"];
    let before = &change["before"];
    for path in ["guid", "id", "created_time"] {
        if after[path] != before[path] {
            plan.fail(&format!("{when}: {path} should keep its prior value"));
        }
    }
}

/// The writes since the last `clear_requests` are PATCHes of `guid` only (no POST, no DELETE);
/// returns them.
#[track_caller]
fn assert_only_patches(store: &fake_connect::Store, guid: &str, when: &str) -> Vec<fake_connect::RecordedRequest> {
    let w = writes(store);
    let ok = !w.is_empty() && w.iter().all(|r| r.method == "PATCH" && r.path.contains(guid));
    assert!(ok, "{when}: expected only PATCH requests to {guid} (an in-place update); got:\n{}", request_log(store));
    w
}
