//! Shared pieces of the end-to-end suite: Terraform discovery and runs ([`terraform`]),
//! working directories ([`workspace`]), the fake Connect, HCL building and readers for
//! Terraform's JSON output.
//!
//! Not every helper is used by every scenario yet: the harness is an API for the suite.
#![allow(dead_code, unused_imports)]

pub(crate) mod terraform;
pub(crate) mod workspace;

use std::collections::BTreeSet;

use fake_connect::{FakeConnect, Options, RecordedRequest, Store};
use serde_json::Value;

pub(crate) use terraform::{for_each_terraform, Terraform};
pub(crate) use workspace::{hcl_string, Plan, TfRun, Workspace};

/// The administrator key every fake in the suite accepts.
pub(crate) const ADMIN_KEY: &str = "e2e-admin-key-6f1d2c";
/// A publisher's key: may read, gets 403 on changes.
pub(crate) const PUBLISHER_KEY: &str = "e2e-publisher-key-91ab07";

pub(crate) const RESOURCE_TYPE: &str = "posit_connect_oauth_integration";

/// Fake Azure ids: GUID-shaped, as the provider requires.
pub(crate) const TENANT_ID: &str = "6f1c2b3a-0d4e-4a5b-9c8d-7e6f5a4b3c2d";
pub(crate) const CLIENT_ID: &str = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

/// The four Azure templates and their default scopes (`None`: no default, scopes required).
pub(crate) const AZURE_TEMPLATES: [(&str, Option<&str>); 4] = [
    ("azure", None),
    ("azure-openai", Some("https://cognitiveservices.azure.com/.default offline_access")),
    ("msgraph", Some("https://graph.microsoft.com/.default offline_access")),
    ("sharepoint", Some("00000003-0000-0ff1-ce00-000000000000/.default offline_access")),
];

/// The template's default scopes.
pub(crate) fn default_scopes(template: &str) -> Option<&'static str> {
    AZURE_TEMPLATES.iter().find(|(t, _)| *t == template).and_then(|(_, s)| *s)
}

/// A fresh fake Connect for one test: admin key [`ADMIN_KEY`], publisher key
/// [`PUBLISHER_KEY`], no latency.
pub(crate) fn start_fake() -> FakeConnect {
    FakeConnect::spawn(Options {
        admin_key: ADMIN_KEY.to_string(),
        publisher_key: Some(PUBLISHER_KEY.to_string()),
        latency: std::time::Duration::ZERO,
    })
}

/// A fresh fake like [`start_fake`], serving HTTPS with `tls` when given (URL
/// `https://127.0.0.1:PORT`). Make it misbehave through `fake.faults()`.
pub(crate) fn start_fake_with(tls: Option<fake_connect::TlsIdentity>) -> FakeConnect {
    FakeConnect::spawn_with(
        Options {
            admin_key: ADMIN_KEY.to_string(),
            publisher_key: Some(PUBLISHER_KEY.to_string()),
            latency: std::time::Duration::ZERO,
        },
        tls,
    )
}

// ---------------------------------------------------------------------------------------------
// HCL
// ---------------------------------------------------------------------------------------------

/// One `posit_connect_oauth_integration` as HCL. `None` leaves the attribute out.
#[derive(Clone, Debug)]
pub(crate) struct Integration {
    pub template: String,
    pub name: String,
    pub description: Option<String>,
    pub auth_type: Option<String>,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub scopes: Option<String>,
}

impl Integration {
    /// A Viewer integration with the fake tenant and client ids, nothing else set.
    pub(crate) fn new(template: &str, name: &str) -> Integration {
        Integration {
            template: template.to_string(),
            name: name.to_string(),
            description: None,
            auth_type: None,
            tenant_id: Some(TENANT_ID.to_string()),
            client_id: Some(CLIENT_ID.to_string()),
            client_secret: None,
            scopes: None,
        }
    }

    pub(crate) fn description(mut self, v: &str) -> Self {
        self.description = Some(v.to_string());
        self
    }
    pub(crate) fn auth_type(mut self, v: &str) -> Self {
        self.auth_type = Some(v.to_string());
        self
    }
    pub(crate) fn secret(mut self, v: &str) -> Self {
        self.client_secret = Some(v.to_string());
        self
    }
    pub(crate) fn scopes(mut self, v: &str) -> Self {
        self.scopes = Some(v.to_string());
        self
    }

    /// The `resource` block, labelled `label`.
    pub(crate) fn hcl(&self, label: &str) -> String {
        /// `key = value` lines with the `=` aligned, as `terraform fmt` writes them.
        fn lines(indent: &str, pairs: &[(&str, String)]) -> String {
            let width = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            pairs.iter().map(|(k, v)| format!("{indent}{k:<width$} = {v}\n")).collect()
        }
        let mut top = vec![("template", hcl_string(&self.template)), ("name", hcl_string(&self.name))];
        if let Some(d) = &self.description {
            top.push(("description", hcl_string(d)));
        }
        let fields = [
            ("auth_type", &self.auth_type),
            ("tenant_id", &self.tenant_id),
            ("client_id", &self.client_id),
            ("client_secret", &self.client_secret),
            ("scopes", &self.scopes),
        ];
        let config: Vec<(&str, String)> =
            fields.iter().filter_map(|(k, v)| v.as_ref().map(|v| (*k, hcl_string(v)))).collect();
        format!(
            // A nested block stands apart from `terraform fmt`'s alignment of the attributes.
            "resource \"{RESOURCE_TYPE}\" \"{label}\" {{\n{}  config {{\n{}  }}\n}}\n",
            lines("  ", &top),
            lines("    ", &config)
        )
    }

    /// The auth mode Connect derives: `Confidential` with a secret or for a Service Account.
    pub(crate) fn expected_auth_mode(&self) -> &'static str {
        if self.client_secret.is_some() || self.auth_type.as_deref() == Some("Service Account") {
            "Confidential"
        } else {
            "Public"
        }
    }

    /// The scopes the integration should end up with: the configured ones, else the default.
    pub(crate) fn expected_scopes(&self) -> String {
        self.scopes.clone().or_else(|| default_scopes(&self.template).map(str::to_string)).unwrap_or_default()
    }
}

/// How the provider finds its server in a configuration.
#[derive(Clone, Debug)]
pub(crate) enum ProviderConfig {
    /// No `provider` block: `CONNECT_SERVER` / `CONNECT_API_KEY` from the environment.
    Env,
    /// A `provider "posit"` block with both attributes.
    Hcl { server: String, api_key: String },
}

/// A whole `main.tf`: `required_providers`, the provider block, then `body`.
pub(crate) fn main_tf(provider: &ProviderConfig, body: &str) -> String {
    let mut s = String::from(
        "terraform {\n  required_providers {\n    posit = {\n      source = \"posit-dev/posit\"\n    }\n  }\n}\n\n",
    );
    if let ProviderConfig::Hcl { server, api_key } = provider {
        s += &format!(
            "provider \"posit\" {{\n  connect_server  = {}\n  connect_api_key = {}\n}}\n\n",
            hcl_string(server),
            hcl_string(api_key)
        );
    }
    s += body;
    s
}

/// An `import` block.
pub(crate) fn import_block(to: &str, id: &str) -> String {
    format!("import {{\n  to = {to}\n  id = {}\n}}\n", hcl_string(id))
}

// ---------------------------------------------------------------------------------------------
// Terraform's JSON
// ---------------------------------------------------------------------------------------------

fn address_actions(list: &Value) -> Vec<(String, Vec<String>)> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .map(|rc| {
                    let addr = rc["address"].as_str().unwrap_or_default().to_string();
                    let actions = rc["change"]["actions"]
                        .as_array()
                        .map(|a| a.iter().map(|x| x.as_str().unwrap_or_default().to_string()).collect())
                        .unwrap_or_default();
                    (addr, actions)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `resource_changes[]` of a JSON plan as (address, actions).
pub(crate) fn resource_changes(plan: &Value) -> Vec<(String, Vec<String>)> {
    address_actions(&plan["resource_changes"])
}

/// `resource_drift[]` of a JSON plan (changes made outside Terraform) as (address, actions).
pub(crate) fn resource_drift(plan: &Value) -> Vec<(String, Vec<String>)> {
    address_actions(&plan["resource_drift"])
}

/// The `resource_changes[]` entry for `addr`; fails the test when there is none.
#[track_caller]
pub(crate) fn resource_change<'a>(plan: &'a Plan, addr: &str) -> &'a Value {
    plan.json["resource_changes"]
        .as_array()
        .and_then(|items| items.iter().find(|rc| rc["address"] == addr))
        .unwrap_or_else(|| plan.fail(&format!("the plan has no resource change for {addr}")))
}

/// The planned actions for `addr` (e.g. `["update"]`, `["no-op"]`).
#[track_caller]
pub(crate) fn actions(plan: &Plan, addr: &str) -> Vec<String> {
    resource_changes(&plan.json)
        .into_iter()
        .find(|(a, _)| a == addr)
        .map(|(_, actions)| actions)
        .unwrap_or_else(|| plan.fail(&format!("the plan has no resource change for {addr}")))
}

/// Asserts the actions planned for `addr`.
#[track_caller]
pub(crate) fn assert_actions(plan: &Plan, addr: &str, expected: &[&str], when: &str) {
    let got = actions(plan, addr);
    if got != expected {
        plan.fail(&format!("{when}: expected actions {expected:?} for {addr}, got {got:?}"));
    }
}

/// `values.root_module.resources[]` of `show -json` (state or plan's `planned_values`) for
/// `addr`, if present.
pub(crate) fn find_resource_values(state: &Value, addr: &str) -> Option<Value> {
    state["values"]["root_module"]["resources"]
        .as_array()?
        .iter()
        .find(|r| r["address"] == addr)
        .map(|r| r["values"].clone())
}

/// Like [`find_resource_values`], failing the test when the resource is not in the state.
#[track_caller]
pub(crate) fn resource_values(state: &Value, addr: &str) -> Value {
    find_resource_values(state, addr).unwrap_or_else(|| {
        panic!("{addr} is not in the state; state:\n{}", serde_json::to_string_pretty(state).unwrap_or_default())
    })
}

/// Addresses of the managed resources in a `show -json` of the state.
pub(crate) fn state_addresses(state: &Value) -> Vec<String> {
    state["values"]["root_module"]["resources"]
        .as_array()
        .map(|rs| rs.iter().filter_map(|r| r["address"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Dotted paths that an `after_unknown` object marks unknown (`true`), e.g. `config.auth_mode`.
pub(crate) fn unknown_paths(after_unknown: &Value) -> Vec<String> {
    fn walk(v: &Value, prefix: &str, out: &mut Vec<String>) {
        match v {
            Value::Bool(true) => out.push(prefix.to_string()),
            Value::Object(m) => {
                for (k, v) in m {
                    let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    walk(v, &p, out);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, &format!("{prefix}[{i}]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(after_unknown, "", &mut out);
    out
}

/// Dotted paths of the leaf values that differ between `before` and `after` of one change, or
/// that `after_unknown` marks unknown.
pub(crate) fn changed_paths(change: &Value) -> Vec<String> {
    fn walk(before: &Value, after: &Value, prefix: &str, out: &mut BTreeSet<String>) {
        match (before, after) {
            (Value::Object(b), Value::Object(a)) => {
                let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
                for k in keys {
                    let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    walk(b.get(k).unwrap_or(&Value::Null), a.get(k).unwrap_or(&Value::Null), &p, out);
                }
            }
            (b, a) if b != a => {
                out.insert(prefix.to_string());
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(&change["before"], &change["after"], "", &mut out);
    for p in unknown_paths(&change["after_unknown"]) {
        out.insert(p);
    }
    out.into_iter().collect()
}

/// Scopes as a set of tokens, the way the provider compares them.
pub(crate) fn scope_set(scopes: &str) -> BTreeSet<String> {
    scopes.split_whitespace().map(str::to_string).collect()
}

// ---------------------------------------------------------------------------------------------
// The fake's side
// ---------------------------------------------------------------------------------------------

/// The requests other than GET (the writes) since the last `clear_requests`.
pub(crate) fn writes(store: &Store) -> Vec<RecordedRequest> {
    store.requests().into_iter().filter(|r| r.method != "GET" && r.method != "HEAD").collect()
}

/// One line per request, for panic messages.
pub(crate) fn request_log(store: &Store) -> String {
    store
        .requests()
        .iter()
        .map(|r| {
            format!(
                "{} {} -> {} {}",
                r.method,
                r.path,
                r.status,
                r.body.as_ref().map(Value::to_string).unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The one integration on the server; fails the test unless there is exactly one.
#[track_caller]
pub(crate) fn only_integration(store: &Store) -> Value {
    let all = store.integrations();
    if all.len() != 1 {
        panic!(
            "expected exactly one integration on the server, found {}:\n{}\nrequests:\n{}",
            all.len(),
            serde_json::to_string_pretty(&all).unwrap_or_default(),
            request_log(store)
        );
    }
    all.into_iter().next().expect("one integration")
}

/// The provider block for `fake` with the administrator's key.
pub(crate) fn admin(fake: &FakeConnect) -> ProviderConfig {
    ProviderConfig::Hcl { server: fake.url(), api_key: ADMIN_KEY.into() }
}

/// The provider block for `fake` with the publisher's key.
pub(crate) fn publisher(fake: &FakeConnect) -> ProviderConfig {
    ProviderConfig::Hcl { server: fake.url(), api_key: PUBLISHER_KEY.into() }
}

/// The error whose source snippet is the line of `attribute` (Terraform shows the attribute's
/// line for a diagnostic at an attribute path, the `resource` line for one on the resource),
/// and whose text holds every one of `needles` (whitespace runs compared as one space).
#[track_caller]
pub(crate) fn assert_error_at(run: &TfRun, diags: &[Value], attribute: &str, needles: &[&str]) {
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let found = diags.iter().any(|d| {
        let code = d["snippet"]["code"].as_str().unwrap_or_default().trim_start();
        let text = squash(&format!(
            "{} {}",
            d["summary"].as_str().unwrap_or_default(),
            d["detail"].as_str().unwrap_or_default()
        ));
        d["severity"] == "error" && code.starts_with(attribute) && needles.iter().all(|n| text.contains(&squash(n)))
    });
    if run.code() != 1 || !found {
        run.fail(&format!("expected an error at `{attribute}` saying {needles:?}; diagnostics: {diags:#?}"));
    }
}

/// Content deleted outside Terraform under the content resource at `addr` (applied): the refresh
/// warns and drops the resource, the plan creates it again, and the apply names the missing
/// `content_guid`.
#[track_caller]
pub(crate) fn assert_content_deleted_outside(ws: &Workspace, store: &Store, content: &str, addr: &str) {
    assert!(store.remove_content(content), "the content {content} was there to delete");
    let plan = ws.plan_json();
    assert_actions(&plan, addr, &["create"], "after the content was deleted on the server");
    plan.run.assert_said(&["was deleted outside Terraform"]);
    let (run, diags) = ws.json_diagnostics("apply", &[]);
    assert_error_at(&run, &diags, "content_guid", &["no content item with that guid"]);
}
