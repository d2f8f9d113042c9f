//! The acceptance run: the whole lifecycle against a real Connect when asked, against the
//! in-process fake otherwise (so it always runs, and can fail, in CI).
//!
//! ```sh
//! POSIT_ACC=1 CONNECT_SERVER=https://connect.example.org CONNECT_API_KEY=... \
//!     cargo test --test e2e acceptance
//! ```
//!
//! `POSIT_ACC=1` (like Terraform's `TF_ACC`) makes the run use `CONNECT_SERVER` with
//! `CONNECT_API_KEY` (an administrator's key), both required then. Without it, the same steps
//! run against a fresh fake holding one integration of someone else's, which must come out of
//! the run untouched.
//!
//! Create the four Azure templates and a `custom` one, an empty plan, an update (descriptions
//! and one integration's scopes), an empty plan, drift (a description changed through Connect's
//! API), its plan and repair, an import, destroy. Every check of the server's side goes through
//! the HTTP API with the provider's own client, so it holds for the fake and a real server
//! alike.
//!
//! Safety on a real server: every integration the run makes is named `tfacc-<8 hex>-...`, a
//! prefix new to each run; the test reads for its decisions, changes and deletes only
//! integrations whose name has that prefix; and a guard deletes what the run made however it
//! ends (a failed step or a panic): `terraform destroy` in the workspace, then, through the API,
//! every integration whose name starts with the prefix. Client secrets are dummies (Connect
//! stores them; it does not call Azure when an integration is created or changed), as are the
//! GUID-shaped tenant and client ids.

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};

use fake_connect::FakeConnect;
use terraform_provider_posit::connect::{
    Client, ClientConfig, Integration as ApiIntegration, IntegrationUpdate, Secret,
};

use crate::support::*;

/// The variable that points the run at a real Connect, as `TF_ACC` does for Terraform's.
const OPT_IN: &str = "POSIT_ACC";

/// A dummy secret: stored by Connect, never used to reach Azure.
const DUMMY_SECRET: &str = "tfacc-dummy-secret-not-a-real-credential";

/// Where the run goes: a real Connect (`POSIT_ACC=1`) or an in-process fake.
struct Target {
    server: String,
    api_key: String,
    /// `CONNECT_CA_CERTIFICATE` (PEM text or a PEM file's path), for a server whose certificate
    /// a private CA signed: given to Terraform and to the test's own client.
    ca_certificate: Option<String>,
    /// `Some` when the run uses the in-process fake (kept alive for the test's length).
    fake: Option<FakeConnect>,
}

impl Target {
    /// From the environment; fails the test when `POSIT_ACC=1` lacks the server or the key.
    fn from_env() -> Target {
        let opted_in = std::env::var(OPT_IN).is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
        if !opted_in {
            let fake = start_fake();
            return Target {
                server: fake.url(),
                api_key: ADMIN_KEY.to_string(),
                ca_certificate: None,
                fake: Some(fake),
            };
        }
        let var = |name: &str| std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        match (var("CONNECT_SERVER"), var("CONNECT_API_KEY")) {
            (Some(server), Some(api_key)) => {
                Target { server, api_key, ca_certificate: var("CONNECT_CA_CERTIFICATE"), fake: None }
            }
            (server, key) => panic!(
                "\n\n{OPT_IN}=1 runs the acceptance test against a real Connect, which needs \
                 CONNECT_SERVER (its URL, e.g. https://connect.example.org) and CONNECT_API_KEY (an \
                 administrator's API key) as well; missing: {}.\nUnset {OPT_IN} to run it against the \
                 in-process fake instead.\n",
                [("CONNECT_SERVER", server.is_none()), ("CONNECT_API_KEY", key.is_none())]
                    .iter()
                    .filter(|(_, missing)| *missing)
                    .map(|(name, _)| *name)
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        }
    }

    /// A workspace whose provider reaches this target through the environment.
    fn workspace(&self, tf: &Terraform) -> Workspace {
        let mut ws = Workspace::with_connect_env(tf, &self.server, &self.api_key);
        if let Some(ca) = &self.ca_certificate {
            ws.set_env("CONNECT_CA_CERTIFICATE", ca);
        }
        ws
    }

    fn describe(&self) -> String {
        match self.fake {
            Some(_) => format!("the in-process fake at {} (set {OPT_IN}=1 for a real Connect)", self.server),
            None => format!("{} ({OPT_IN}=1)", self.server),
        }
    }
}

/// Connect's API through the provider's own client, limited to one run's prefix.
struct Api {
    client: Client,
    rt: tokio::runtime::Runtime,
    prefix: String,
}

impl Api {
    fn new(target: &Target, prefix: &str) -> Api {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
        let mut cfg = ClientConfig::new(
            target.server.clone(),
            Secret::new(target.api_key.clone()),
            "terraform-provider-posit-acceptance-test",
        );
        if let Some(ca) = &target.ca_certificate {
            let pem = if ca.trim_start().starts_with("-----BEGIN") {
                ca.clone()
            } else {
                std::fs::read_to_string(ca).unwrap_or_else(|e| panic!("reading CONNECT_CA_CERTIFICATE {ca}: {e}"))
            };
            cfg.tls.ca_certificates_pem = Some(pem);
        }
        let client = Client::new(cfg).unwrap_or_else(|e| panic!("a Connect client for {}: {e}", target.server));
        Api { client, rt, prefix: prefix.to_string() }
    }

    /// The server's version, for the log (`None` when it does not say).
    fn version(&self) -> Option<String> {
        let settings = self.rt.block_on(self.client.server_settings()).ok()?;
        settings["version"].as_str().map(str::to_string)
    }

    /// This run's integrations: those whose name starts with the prefix, and only those.
    fn mine(&self) -> Result<Vec<ApiIntegration>, String> {
        let all = self.rt.block_on(self.client.list_integrations()).map_err(|e| e.to_string())?;
        Ok(all.into_iter().filter(|i| name_of(i).starts_with(&self.prefix)).collect())
    }

    #[track_caller]
    fn mine_or_fail(&self) -> Vec<ApiIntegration> {
        self.mine().unwrap_or_else(|e| panic!("listing the integrations through the API: {e}"))
    }

    /// This run's integration named the prefix then `label`; fails unless there is exactly one.
    #[track_caller]
    fn one(&self, label: &str) -> ApiIntegration {
        let name = format!("{}{label}", self.prefix);
        let mine = self.mine_or_fail();
        let found: Vec<_> = mine.iter().filter(|&i| name_of(i) == name).collect();
        match found.as_slice() {
            [one] => (*one).clone(),
            _ => panic!("expected one integration named {name:?} on the server, found {}: {mine:#?}", found.len()),
        }
    }

    /// Changes an integration's description through the API (a PATCH), as someone in the
    /// dashboard would; refuses one that is not this run's.
    #[track_caller]
    fn set_description(&self, guid: &str, description: &str) {
        let current = self
            .rt
            .block_on(self.client.get_integration(guid))
            .unwrap_or_else(|e| panic!("GET integration {guid}: {e}"))
            .unwrap_or_else(|| panic!("integration {guid} is not on the server"));
        assert!(
            name_of(&current).starts_with(&self.prefix),
            "refusing to change {guid} ({:?}): not this run's (prefix {:?})",
            name_of(&current),
            self.prefix
        );
        let update = IntegrationUpdate { description: Some(description.to_string()), ..Default::default() };
        let after = self
            .rt
            .block_on(self.client.update_integration(guid, &update))
            .unwrap_or_else(|e| panic!("PATCH integration {guid}: {e}"));
        assert_eq!(after.description, description, "the PATCH did not change the description");
    }

    /// Deletes every integration of this run, reporting rather than panicking (it runs from a
    /// `Drop`); returns the names it deleted.
    fn sweep(&self) -> Vec<String> {
        let mine = match self.mine() {
            Ok(mine) => mine,
            Err(e) => {
                eprintln!(
                    "acceptance: cleanup could not list the integrations ({e}); delete those named {}* by hand",
                    self.prefix
                );
                return Vec::new();
            }
        };
        let mut deleted = Vec::new();
        for i in mine {
            // Checked again right where it matters.
            if !name_of(&i).starts_with(&self.prefix) {
                continue;
            }
            match self.rt.block_on(self.client.delete_integration(&i.guid)) {
                Ok(_) => deleted.push(name_of(&i).to_string()),
                Err(e) => eprintln!("acceptance: cleanup could not delete {} ({}): {e}", i.guid, name_of(&i)),
            }
        }
        deleted
    }
}

/// One run: its workspace and its API view. Dropping it deletes whatever the run made, however
/// the run ended.
struct Run {
    ws: Workspace,
    api: Api,
}

impl Drop for Run {
    fn drop(&mut self) {
        // Nothing here may panic: during an unwind a second panic aborts the whole test binary.
        let destroyed =
            catch_unwind(AssertUnwindSafe(|| self.ws.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])));
        match destroyed {
            Ok(run) if run.success() => {}
            Ok(run) => eprintln!("acceptance: cleanup's `terraform destroy` failed:\n{}", run.describe()),
            Err(_) => eprintln!("acceptance: cleanup's `terraform destroy` could not run"),
        }
        match catch_unwind(AssertUnwindSafe(|| self.api.sweep())) {
            Ok(left) if left.is_empty() => {}
            Ok(left) => eprintln!("acceptance: cleanup deleted what `terraform destroy` left: {left:?}"),
            Err(_) => {
                eprintln!("acceptance: cleanup through the API failed; delete those named {}* by hand", self.api.prefix)
            }
        }
    }
}

/// A prefix new to this run: `tfacc-` and 8 random hex digits.
fn run_prefix() -> String {
    format!("tfacc-{:08x}-", fastrand::u32(..))
}

/// The labels of the run's resources, which are also its integrations' names after the prefix.
const LABELS: [&str; 5] = ["azure", "openai", "graph", "sharepoint", "custom"];

/// The configuration of round `round` (descriptions say the round; round 1 changes the graph
/// integration's scopes), with `extra` appended.
fn config(prefix: &str, round: u32, extra: &str) -> String {
    let name = |label: &str| format!("{prefix}{label}");
    let description = round_description(round);
    let described = |i: Integration| i.description(&description);
    let graph_scopes = graph_scopes(round);
    let resources = [
        described(Integration::new("azure", &name("azure")))
            .scopes("https://management.azure.com/.default offline_access")
            .hcl("azure"),
        described(Integration::new("azure-openai", &name("openai"))).hcl("openai"),
        described(Integration::new("msgraph", &name("graph")))
            .auth_type("Service Account")
            .secret(DUMMY_SECRET)
            .scopes(graph_scopes)
            .hcl("graph"),
        described(Integration::new("sharepoint", &name("sharepoint"))).secret(DUMMY_SECRET).hcl("sharepoint"),
        format!(
            r#"resource "posit_connect_oauth_integration" "custom" {{
  template    = "custom"
  name        = {}
  description = {}
  config {{
    client_id         = "tfacc-dummy-client"
    client_secret     = {}
    authorization_uri = "https://idp.example.com/authorize"
    token_uri         = "https://idp.example.com/token"
  }}
}}
"#,
            hcl_string(&name("custom")),
            hcl_string(&description),
            hcl_string(DUMMY_SECRET)
        ),
    ];
    main_tf(&ProviderConfig::Env, &(resources.join("\n") + extra))
}

fn round_description(round: u32) -> String {
    format!("terraform-provider-posit acceptance test, round {round}")
}

fn graph_scopes(round: u32) -> &'static str {
    if round == 0 {
        "https://graph.microsoft.com/.default offline_access"
    } else {
        "offline_access https://graph.microsoft.com/User.Read"
    }
}

fn addr(label: &str) -> String {
    format!("{RESOURCE_TYPE}.{label}")
}

fn guid_in_state(ws: &Workspace, label: &str) -> String {
    let guid = resource_values(&ws.state_json(), &addr(label))["guid"].as_str().unwrap_or_default().to_string();
    assert!(!guid.is_empty(), "{} has no guid in the state", addr(label));
    guid
}

/// Asserts through the API that the run's integrations are exactly the five, with `round`'s
/// descriptions and scopes.
#[track_caller]
fn assert_server_has(api: &Api, round: u32, when: &str) {
    let mine = api.mine_or_fail();
    let names: BTreeSet<String> = mine.iter().map(|i| name_of(i).to_string()).collect();
    let expected: BTreeSet<String> = LABELS.iter().map(|l| format!("{}{l}", api.prefix)).collect();
    assert_eq!(
        names, expected,
        "{when}: the run's integrations on the server (nothing lost, nothing doubled): {mine:#?}"
    );
    assert_eq!(mine.len(), LABELS.len(), "{when}: one integration per name: {mine:#?}");
    for i in &mine {
        assert_eq!(i.description, round_description(round), "{when}: description of {}", name_of(i));
    }
    let templates = [
        ("azure", "azure"),
        ("openai", "azure-openai"),
        ("graph", "msgraph"),
        ("sharepoint", "sharepoint"),
        ("custom", "custom"),
    ];
    for (label, template) in templates {
        assert_eq!(api.one(label).template.as_deref(), Some(template), "{when}: template of {label}");
    }
    let graph = api.one("graph");
    let scopes = graph.config.get("scopes").and_then(|s| s.as_str()).unwrap_or_default();
    assert_eq!(scope_set(scopes), scope_set(graph_scopes(round)), "{when}: the graph integration's scopes: {graph:#?}");
}

fn lifecycle(tf: &Terraform, target: &Target) {
    let prefix = run_prefix();
    let run = Run { ws: target.workspace(tf), api: Api::new(target, &prefix) };
    let (ws, api) = (&run.ws, &run.api);
    eprintln!(
        "acceptance: {tf} against {} (Connect {}), integrations named {prefix}*",
        target.describe(),
        api.version().unwrap_or_else(|| "version unknown".into())
    );
    assert!(api.mine_or_fail().is_empty(), "the run prefix {prefix} is already in use on the server");

    // Create, then nothing to do.
    ws.write_main(&config(&prefix, 0, ""));
    ws.apply();
    assert_server_has(api, 0, "after create");
    ws.assert_no_changes("after create");

    // Update (descriptions, the graph integration's scopes), then nothing to do.
    ws.write_main(&config(&prefix, 1, ""));
    let plan = ws.plan_json();
    for label in LABELS {
        assert_actions(&plan, &addr(label), &["update"], "the update");
    }
    ws.apply();
    assert_server_has(api, 1, "after update");
    ws.assert_no_changes("after update");

    // Drift: a description changed through Connect's API, seen by a plan, put back by an apply.
    let graph = guid_in_state(ws, "graph");
    assert_eq!(api.one("graph").guid, graph, "the state's guid for graph is the server's");
    api.set_description(&graph, "tfacc: edited outside Terraform");
    let plan = ws.plan_json();
    assert_actions(&plan, &addr("graph"), &["update"], "after a change made through the API");
    for label in LABELS.iter().filter(|l| **l != "graph") {
        assert_actions(&plan, &addr(label), &["no-op"], "after a change to the graph integration only");
    }
    ws.apply();
    assert_server_has(api, 1, "after putting the change back");
    ws.assert_no_changes("after putting the change back");

    // Import: forgotten by Terraform, adopted again with an import block; nothing to change.
    let openai = guid_in_state(ws, "openai");
    ws.run(&["state", "rm", &addr("openai")]).ok();
    ws.write_main(&config(&prefix, 1, &format!("\n{}", import_block(&addr("openai"), &openai))));
    let plan = ws.plan_json();
    let changes = changed_paths(resource_change(&plan, &addr("openai")));
    assert!(changes.is_empty(), "the import plans changes to {changes:?}");
    ws.apply();
    ws.write_main(&config(&prefix, 1, ""));
    ws.assert_no_changes("after the import");
    assert_server_has(api, 1, "after the import");

    // Destroy: nothing of the run is left.
    ws.destroy();
    let left = api.mine_or_fail();
    assert!(left.is_empty(), "destroy left integrations of the run on the server: {left:#?}");
}

#[test]
fn acceptance_lifecycle() {
    let target = Target::from_env();
    // On the fake, someone else's integration is there too: the run must leave it as it was.
    let bystander = target.fake.as_ref().map(|fake| {
        let store = fake.store();
        let guid = store.insert(
            "azure-openai",
            "Not the test's",
            "made in the dashboard",
            serde_json::json!({"auth_type": "Viewer", "tenant_id": TENANT_ID, "client_id": CLIENT_ID}),
        );
        let before = store.integrations().into_iter().find(|i| i["guid"] == guid.as_str());
        (store, guid, before)
    });

    for_each_terraform(|tf| lifecycle(tf, &target));

    if let Some((store, guid, before)) = bystander {
        let after = store.integrations().into_iter().find(|i| i["guid"] == guid.as_str());
        assert_eq!(after, before, "the run changed an integration that is not its own");
        assert_eq!(store.len(), 1, "the runs left integrations behind: {:#?}", store.integrations());
    }
}

/// An integration's name; one made elsewhere may have none (Posit's document allows null), and
/// counts as unnamed, so never as one of this run's.
fn name_of(i: &ApiIntegration) -> &str {
    i.name.as_deref().unwrap_or_default()
}
