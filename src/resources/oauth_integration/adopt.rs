//! Bringing existing integrations under Terraform: import by guid, the listing behind
//! `terraform query`, and the configuration `-generate-config-out` writes for them.

use tfplugin::diag::{AttributePath, Diagnostic};
use tfplugin::model::Model;
use tfplugin::resource::{GenerateConfigRequest, GenerateConfigResponse, ImportResponse, ListResponse, Listed};
use tfplugin::value::Value;

use super::model::to_state;
use crate::connect::{same_scopes, Client};
use crate::connect_diagnostics::diagnostic;
use crate::template_catalogue::{self as catalogue, TEMPLATE_IDS};

/// Import by guid: the whole integration, except the secret Connect never returns.
pub(crate) async fn import(client: &Client, guid: &str, resp: &mut ImportResponse) {
    match client.get_integration(guid).await {
        Ok(Some(i)) => {
            let state = to_state(&i, None).to_value();
            // Terraform up to 1.15 shows no warning of GenerateResourceConfig (nor of a
            // listing): the import, which every adoption goes through, says it.
            resp.diagnostics.0.extend(secret_warning(&state));
            resp.imported.push(state)
        }
        Ok(None) => resp.diagnostics.push(Diagnostic::error(
            "Cannot import non-existent OAuth integration",
            format!("Connect at {} has no OAuth integration with guid {guid:?}.", client.server_url()),
        )),
        Err(e) => resp.diagnostics.push(diagnostic(&format!("Could not import OAuth integration {guid}"), &e)),
    }
}

/// Every integration of a template (or any) whose name matches a glob pattern (`*`, `?`), as
/// imported states, for `terraform query`.
pub(crate) async fn list(client: &Client, template: Option<&str>, pattern: Option<&str>, resp: &mut ListResponse) {
    let all = match client.list_integrations().await {
        Ok(all) => all,
        Err(e) => return resp.diagnostics.push(diagnostic("Could not list OAuth integrations", &e)),
    };
    resp.listed = all
        .iter()
        .filter_map(|i| Some((i, i.template.as_deref()?)))
        // A template newer than this provider would fail validation once adopted, and one
        // without a template (made by another tool) could not be configured: skip them.
        .filter(|(_, t)| TEMPLATE_IDS.contains(t) && template.is_none_or(|want| want == *t))
        // An integration without a name is listed (its adoption needs one: the generated
        // configuration says `name = null`), and matched as an empty name.
        .filter(|(i, _)| pattern.is_none_or(|p| glob_match(p, i.name.as_deref().unwrap_or_default())))
        .map(|(i, t)| Listed {
            display_name: format!("{} ({t})", i.name.as_deref().unwrap_or("(no name)")),
            state: to_state(i, None).to_value(),
        })
        .collect();
}

/// What Connect fills in for `token_endpoint_auth_method` when it is not sent (a `custom`
/// integration's template default).
const SERVER_TOKEN_ENDPOINT_AUTH_METHOD: &str = "client_secret_basic";

/// The configuration a person writes for an existing integration (`-generate-config-out`),
/// refining the framework's generic one (the state without read-only values and the empty
/// description): only what carries information, and nothing that plans a change.
///
/// Left out, because the plan gives the existing integration the same value anyway: the
/// template's default auth type and default scopes (compared as sets), `auth_mode` (Connect's to
/// decide, from the secret and the auth type), `use_pkce` and `token_endpoint_auth_method` where
/// they are what Connect fills in by itself, and `permissions` unless the integration is
/// restricted to users or groups (left out, permissions are not managed; `all_publishers` is
/// derived). Attributes that are not computed (`tenant_id`, `extra`, ...) stay exactly as in
/// the state: left out, they would plan a change. The client secret, which Connect never
/// returns, cannot be generated: a Confidential integration gets a warning saying what to add.
pub(crate) fn generate_config(req: &GenerateConfigRequest, resp: &mut GenerateConfigResponse) {
    let state = &req.state;
    let template = state.get("template").as_str().and_then(catalogue::find);
    let Value::Object(top) = &mut resp.config else { return };

    if let Some(Value::Object(p)) = top.get_mut("permissions") {
        let listed = |v: &Value| matches!(v, Value::Set(items) | Value::List(items) if !items.is_empty());
        if listed(p.get("users").unwrap_or(&Value::Null)) || listed(p.get("groups").unwrap_or(&Value::Null)) {
            p.insert("all_publishers".into(), Value::Null);
        } else {
            top.insert("permissions".into(), Value::Null);
        }
    }

    let Some(Value::Object(cfg)) = top.get_mut("config") else { return };
    let get = |cfg: &std::collections::BTreeMap<String, Value>, k: &str| cfg.get(k).cloned().unwrap_or_default();
    let auth_mode = state.get("config").get("auth_mode").as_str().map(str::to_owned);
    if let (Some(t), Some(a)) = (template, get(cfg, "auth_type").as_str()) {
        if t.auth_types.first() == Some(&a) {
            cfg.insert("auth_type".into(), Value::Null);
        }
    }
    if let (Some(default), Some(scopes)) = (template.and_then(|t| t.default_scopes), get(cfg, "scopes").as_str()) {
        if same_scopes(default, scopes) {
            cfg.insert("scopes".into(), Value::Null);
        }
    }
    cfg.insert("auth_mode".into(), Value::Null);
    // Connect turns PKCE on for Public clients and off for Confidential ones.
    if let (Some(pkce), Some(mode)) = (get(cfg, "use_pkce").as_bool(), auth_mode.as_deref()) {
        if pkce == (mode == "Public") {
            cfg.insert("use_pkce".into(), Value::Null);
        }
    }
    if get(cfg, "token_endpoint_auth_method").as_str() == Some(SERVER_TOKEN_ENDPOINT_AUTH_METHOD) {
        cfg.insert("token_endpoint_auth_method".into(), Value::Null);
    }

    resp.diagnostics.0.extend(secret_warning(state));
}

/// For a Confidential integration, which has a client secret on Connect that Connect never
/// returns (so no generated or imported configuration can hold it): a warning saying what to
/// add to manage it from Terraform, and what happens without it.
fn secret_warning(state: &Value) -> Option<Diagnostic> {
    if state.get("config").get("auth_mode").as_str() != Some("Confidential") {
        return None;
    }
    let template = state.get("template").as_str().and_then(catalogue::find);
    let name = crate::untrusted::server_text(state.get("name").as_str().unwrap_or_default(), 100);
    // As `plan::validate` has it: a service account, or a template of Confidential
    // applications only, cannot go without one.
    let service_account = state.get("config").get("auth_type").as_str() == Some("Service Account");
    let required = service_account || template.is_some_and(|t| t.secret_required);
    Some(
        Diagnostic::warning(
            "Add the client secret to the configuration",
            format!(
                "The OAuth integration {name:?} is a Confidential application: it has a client secret on Connect, \
                 which Connect never returns, so a generated configuration has none. {} To manage it from \
                 Terraform, add to its config block, with the secret in a sensitive variable:\n\n    \
                 client_secret_wo         = var.client_secret\n    client_secret_wo_version = 1\n\n\
                 The first apply then sends the secret; raise client_secret_wo_version to send a new one.",
                if required {
                    "The plan refuses a configuration without one (its auth type or template requires one)."
                } else {
                    "Without one, the integration keeps the secret it has and the plan changes nothing."
                }
            ),
        )
        .at(AttributePath::dotted("config.client_secret_wo")),
    )
}

/// Shell-style matching: `*` any run of characters, `?` any one; everything else literally.
fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // Classic two-pointer matcher with backtracking to the last `*`.
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tfplugin::model::Model;

    /// The state an integration of Connect's is imported (or listed) as.
    fn imported(template: &str, description: &str, extra: serde_json::Value) -> Value {
        let mut i = json!({
            "guid": "3f1e6a52-1b2c-4d5e-8f90-0123456789ab", "name": "Team graph", "description": description,
            "template": template, "auth_type": "Viewer",
            "created_time": "2025-01-01T00:00:00Z", "updated_time": "2025-01-02T00:00:00Z",
            "config": {"auth_type": "Viewer", "tenant_id": "6f1c2b3a-0d4e-4a5b-9c8d-7e6f5a4b3c2d",
                       "client_id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"},
            "permissions": [],
        });
        for (k, v) in extra.as_object().unwrap() {
            match k.as_str() {
                "permissions" | "auth_type" => i[k] = v.clone(),
                _ => i["config"][k] = v.clone(),
            }
        }
        if let Some(a) = extra.get("auth_type") {
            i["config"]["auth_type"] = a.clone();
        }
        to_state(&serde_json::from_value(i).unwrap(), None).to_value()
    }

    fn generated(state: &Value) -> GenerateConfigResponse {
        let schema = super::super::schema::schema();
        tfplugin::testing::generate_config(&schema.block, state.clone(), generate_config)
    }

    /// The plan of the generated configuration against the imported state, as core and the
    /// framework make it (the resource's own planning included): nothing may change.
    fn assert_plans_no_change(state: &Value, config: &Value) {
        let schema = super::super::schema::schema();
        let plan = tfplugin::testing::plan(&schema.block, state.clone(), config.clone(), |req, resp| {
            super::super::plan::modify(req, resp);
        });
        assert!(!plan.diagnostics.has_errors(), "{:?}", plan.diagnostics);
        assert_eq!(&plan.planned, state, "the generated configuration plans a change");
        assert!(plan.requires_replace.is_empty());
    }

    #[test]
    fn generated_config_holds_only_what_carries_information() {
        let state = imported(
            "msgraph",
            "",
            json!({"scopes": "offline_access https://graph.microsoft.com/.default", "auth_mode": "Public",
                   "use_pkce": true}),
        );
        let out = generated(&state);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let c = &out.config;
        assert_eq!(c.get("name"), &Value::string("Team graph"));
        assert_eq!(c.get("template"), &Value::string("msgraph"));
        for left_out in ["id", "guid", "description", "permissions", "created_time", "content_count"] {
            assert_eq!(c.get(left_out), &Value::Null, "{left_out}");
        }
        let cfg = c.get("config");
        assert_eq!(cfg.get("tenant_id"), &Value::string("6f1c2b3a-0d4e-4a5b-9c8d-7e6f5a4b3c2d"));
        for left_out in ["auth_type", "auth_mode", "scopes", "use_pkce", "token_endpoint_auth_method", "client_secret"]
        {
            assert_eq!(cfg.get(left_out), &Value::Null, "config.{left_out}");
        }
        assert_plans_no_change(&state, c);
    }

    #[test]
    fn generated_config_keeps_what_differs_from_the_defaults() {
        let state = imported(
            "custom",
            "For the finance team",
            json!({"auth_type": "Service Account", "scopes": "read write", "auth_mode": "Confidential",
                   "authorization_uri": "https://idp.example.com/authorize", "token_uri": "https://idp.example.com/token",
                   "token_endpoint_auth_method": "client_secret_post", "use_pkce": true, "tenant": "t1",
                   "permissions": [{"user_guid": "5d1c2b3a-0d4e-4a5b-9c8d-7e6f5a4b3c2d"}]}),
        );
        let out = generated(&state);
        let c = &out.config;
        assert_eq!(c.get("description"), &Value::string("For the finance team"));
        let users = c.get("permissions").get("users");
        assert_eq!(users, &Value::Set(vec![Value::string("5d1c2b3a-0d4e-4a5b-9c8d-7e6f5a4b3c2d")]));
        assert_eq!(c.get("permissions").get("all_publishers"), &Value::Null, "derived");
        let cfg = c.get("config");
        assert_eq!(cfg.get("auth_type"), &Value::string("Service Account"), "not the template's default");
        assert_eq!(cfg.get("scopes"), &Value::string("read write"), "no template default to compare with");
        assert_eq!(cfg.get("token_endpoint_auth_method"), &Value::string("client_secret_post"));
        assert_eq!(cfg.get("use_pkce"), &Value::Bool(true), "Connect turns PKCE off for Confidential clients");
        assert_eq!(cfg.get("auth_mode"), &Value::Null);
        assert_eq!(cfg.get("extra"), state.get("config").get("extra"), "not computed: exactly as in state");
        assert_plans_no_change(&state, c);
    }

    #[test]
    fn a_confidential_integration_s_secret_is_asked_for_in_a_warning() {
        let scopes = "https://cognitiveservices.azure.com/.default offline_access";
        let state =
            imported("azure-openai", "", json!({"auth_mode": "Confidential", "use_pkce": false, "scopes": scopes}));
        let out = generated(&state);
        assert_eq!(out.config.get("config").get("client_secret_wo"), &Value::Null);
        let [warning] = &out.diagnostics.0[..] else { panic!("one warning: {:?}", out.diagnostics) };
        assert_eq!(warning.summary, "Add the client secret to the configuration");
        assert!(warning.detail.contains("\"Team graph\" is a Confidential application"), "{}", warning.detail);
        assert!(warning.detail.contains("client_secret_wo         = var.client_secret"), "{}", warning.detail);
        assert!(warning.detail.contains("keeps the secret it has"), "{}", warning.detail);
        assert!(!out.diagnostics.has_errors());
        assert_plans_no_change(&state, &out.config);

        // A template that requires a secret: the plan refuses the configuration until it has one.
        let state = imported(
            "snowflake",
            "",
            json!({"auth_mode": "Confidential", "account_url": "https://a.snowflakecomputing.com"}),
        );
        let out = generated(&state);
        assert!(out.diagnostics.0[0].detail.contains("refuses a configuration without one"), "{:?}", out.diagnostics);
    }

    #[test]
    fn globs() {
        assert!(glob_match("*", ""));
        assert!(glob_match("Graph*", "Graph two"));
        assert!(glob_match("*two", "Graph two"));
        assert!(glob_match("G?aph*o", "Graph two"));
        assert!(!glob_match("Graph", "Graph two"));
        assert!(!glob_match("*x*", "Graph two"));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
    }
}
