//! Validation and planning of `posit_connect_oauth_integration`: the rules the schema alone cannot
//! express (Service Account needs a secret, `azure` needs scopes), template defaults, values
//! derived from other attributes, and scope-set equality. No API calls happen here.

use super::model::{same_guids, ConfigState, GuidSet, IntegrationState, PermissionsState};
use super::schema::{is_named_key, AUTH_TYPES};
use super::secret::{secret_to_send, SecretChange};
use crate::template_catalogue::{self as catalogue, has_offline_access, Template};
use tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::model::{Attr, Model};
use tfplugin::resource::{PlanRequest, PlanResponse};
use tfplugin::suggest::did_you_mean;
use tfplugin::validators::Guid;
use tfplugin::value::Value;

/// Cross-attribute checks on a configuration; unknown values are skipped (checked again at apply).
pub fn validate(config: &Value, diags: &mut Diagnostics) {
    let c = match IntegrationState::read(config) {
        Ok(c) => c,
        Err(d) => return diags.push(d),
    };
    let Attr::Known(cfg) = &c.config else { return };
    // The template-driven checks look keys up by the catalogue's names.
    let raw_cfg = config.get("config");
    let template = c.template.as_str().and_then(catalogue::find);
    let auth_type = match (&cfg.auth_type, template) {
        (Attr::Null, Some(t)) => Some(t.auth_types[0]),
        (Attr::Null, None) => None,
        (a, _) => a.as_str(),
    };
    let (secret, secret_wo) = (&cfg.client_secret, &cfg.client_secret_wo);
    let has_secret = !secret.is_null() || !secret_wo.is_null();

    if !secret.is_null() && !secret_wo.is_null() {
        diags.attr_error(
            AttributePath::dotted("config.client_secret_wo"),
            "Conflicting client secrets",
            "config.client_secret and config.client_secret_wo cannot both be set: use client_secret_wo to keep the \
             secret out of state, or client_secret on Terraform versions before 1.11.",
        );
    }
    if !cfg.client_secret_wo_version.is_null() && secret_wo.is_null() {
        diags.attr_error(
            AttributePath::dotted("config.client_secret_wo_version"),
            "config.client_secret_wo_version without config.client_secret_wo",
            "config.client_secret_wo_version says when to send config.client_secret_wo again; set \
             config.client_secret_wo too, or remove the version.",
        );
    }
    if auth_type == Some("Service Account") && !has_secret {
        diags.attr_error(
            AttributePath::dotted("config.client_secret"),
            "Missing config.client_secret",
            "config.client_secret (or config.client_secret_wo) is required when config.auth_type is \"Service \
             Account\": the service account authenticates with the application's client secret.",
        );
    }
    if auth_type == Some("Service Account") && cfg.auth_mode.as_str() == Some("Public") {
        diags.attr_error(
            AttributePath::dotted("config.auth_mode"),
            "Invalid config.auth_mode",
            "config.auth_mode must be \"Confidential\" (or left out) when config.auth_type is \"Service Account\".",
        );
    }
    if let Some(a) = cfg.auth_type.as_str() {
        validate_auth_type(a, template, diags);
    }
    if let Some(t) = template {
        validate_for_template(t, raw_cfg, has_secret, diags);
    }
    for (map, value) in [("extra", &cfg.extra), ("extra_sensitive", &cfg.extra_sensitive)] {
        if let Attr::Known(entries) = value {
            for key in entries.keys().filter(|k| is_named_key(k)) {
                diags.attr_error(
                    AttributePath::dotted(&format!("config.{map}")),
                    format!("Named key in config.{map}"),
                    format!("config.{map} must not hold {key:?}: set config.{key} instead."),
                );
            }
        }
    }
    if let (Attr::Known(plain), Attr::Known(secret)) = (&cfg.extra, &cfg.extra_sensitive) {
        for key in plain.keys().filter(|k| secret.contains_key(*k)) {
            diags.attr_error(
                AttributePath::dotted("config.extra_sensitive"),
                "Key in both config.extra and config.extra_sensitive",
                format!("{key:?} is in config.extra and config.extra_sensitive: keep it in one of them."),
            );
        }
    }
    if let Attr::Known(p) = &c.permissions {
        validate_permissions(p, diags);
    }
    if let (Some("Viewer"), Some(s)) = (auth_type, cfg.scopes.as_str()) {
        if !has_offline_access(s) && !s.trim().is_empty() && template.is_some_and(|t| !t.guid_keys.is_empty()) {
            diags.push(
                Diagnostic::warning(
                    "config.scopes lacks offline_access",
                    "Without the offline_access scope, Microsoft Entra ID issues no refresh token, so viewers must \
                     sign in again whenever their access token expires (about an hour).",
                )
                .at(AttributePath::dotted("config.scopes")),
            );
        }
    }
}

/// `permissions` as configured: guids that look like guids, and an empty list only when asked
/// for by name (Connect opens an integration with an empty list to every publisher).
fn validate_permissions(p: &PermissionsState, diags: &mut Diagnostics) {
    for (name, set) in [("users", &p.users), ("groups", &p.groups)] {
        for guid in set.get().into_iter().flat_map(GuidSet::strings).filter(|g| !Guid::is_guid(g)) {
            diags.attr_error(
                AttributePath::dotted(&format!("permissions.{name}")),
                format!("Malformed guid in permissions.{name}"),
                format!(
                    "permissions.{name} holds {:?}, which is not a guid: give the {} guid (8-4-4-4-12 hexadecimal \
                     digits), e.g. from data.posit_connect_{}.",
                    crate::untrusted::server_text(guid, 100),
                    &name[..name.len() - 1],
                    &name[..name.len() - 1]
                ),
            );
        }
    }
    let unknown = p.users.is_unknown() || p.groups.is_unknown() || p.all_publishers.is_unknown();
    let listed = [&p.users, &p.groups].iter().any(|s| s.get().is_some_and(|s| !s.is_empty()));
    match p.all_publishers.get() {
        Some(true) if listed => diags.attr_error(
            AttributePath::dotted("permissions.all_publishers"),
            "permissions.all_publishers with users or groups",
            "permissions.all_publishers = true lets every publisher use the integration, so it takes no users or \
             groups: remove them, or remove all_publishers to allow only those listed.",
        ),
        Some(true) => {}
        _ if unknown || listed => {}
        _ => diags.attr_error(
            AttributePath::root("permissions"),
            "Empty permissions",
            "permissions lists no user and no group. Connect opens an integration with an empty list to every \
             publisher: to allow every publisher on purpose, set permissions = { all_publishers = true }; to leave \
             who may use it as Connect has it, remove permissions.",
        ),
    }
}

/// One error for a configured auth type the template does not offer, listing the ones it does
/// (every template's, while the template is unknown or not one of Connect's), with the one
/// meant when the value is close to one. The schema has no validator of its own on
/// `config.auth_type`, which would add a second error listing every template's values.
fn validate_auth_type(auth_type: &str, template: Option<&Template>, diags: &mut Diagnostics) {
    let allowed = template.map_or(AUTH_TYPES, |t| t.auth_types);
    if allowed.contains(&auth_type) {
        return;
    }
    let offered = match template {
        Some(t) => format!("the {:?} template offers", t.id),
        None => "it must be one of".to_string(),
    };
    diags.attr_error(
        AttributePath::dotted("config.auth_type"),
        "Invalid config.auth_type",
        format!(
            "config.auth_type is {auth_type:?}; {offered}: {}.{}",
            quoted(allowed),
            did_you_mean(auth_type, allowed)
        ),
    );
}

/// What the template needs: its required keys, GUID-shaped keys, a secret.
fn validate_for_template(t: &Template, cfg: &Value, has_secret: bool, diags: &mut Diagnostics) {
    for key in t.required {
        if cfg.get(key).is_null() {
            let why = if *key == "scopes" {
                " It has no default scopes: list the scopes of the API permissions granted to the application, \
                 space-separated, plus offline_access for a Viewer integration."
            } else {
                ""
            };
            diags.attr_error(
                AttributePath::dotted(&format!("config.{key}")),
                format!("Missing config.{key}"),
                format!("config.{key} is required for the {:?} template.{why}", t.id),
            );
        }
    }
    for key in t.guid_keys {
        if let Some(v) = cfg.get(key).as_str() {
            if !Guid::is_guid(v) {
                diags.attr_error(
                    AttributePath::dotted(&format!("config.{key}")),
                    format!("Malformed config.{key}"),
                    format!(
                        "config.{key} is {v:?}; for the {:?} template it must be a GUID such as \
                         00000000-0000-0000-0000-000000000000 (the value shown in Microsoft Entra ID).",
                        t.id
                    ),
                );
            }
        }
    }
    if t.secret_required && !has_secret {
        diags.attr_error(
            AttributePath::dotted("config.client_secret"),
            "Missing config.client_secret",
            format!(
                "The {:?} template supports Confidential applications only: set config.client_secret (or \
                 config.client_secret_wo).",
                t.id
            ),
        );
    }
}

fn quoted(items: &[&str]) -> String {
    items.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ")
}

/// The resource's part of a plan, between the schema's defaults and modifiers (the scopes) and
/// the framework's unknown computed values and replacements (the template's `RequiresReplace`):
/// the template's auth type, what the server decides, and a replacement where a config key goes.
///
/// Returns the plan as a model, for the checks that follow; `None` on destroy.
pub fn modify(req: &PlanRequest, resp: &mut PlanResponse) -> Option<IntegrationState> {
    if resp.planned.is_null() {
        return None;
    }
    let read = |v: &Value| IntegrationState::read(v);
    let (prior, mut planned, config) = match (read(&req.prior), read(&resp.planned), read(&req.config)) {
        (Ok(prior), Ok(planned), Ok(config)) => (prior, planned, config),
        (Err(d), _, _) | (_, Err(d), _) | (_, _, Err(d)) => {
            resp.diagnostics.push(d);
            return None;
        }
    };
    // A new object: nothing, or an object of another template (a replacement).
    let creating = req.prior.is_null() || prior.template != planned.template;
    resolve_config(&mut planned, &prior, &config, creating);
    plan_permissions(&mut planned, &prior, &config, creating);
    let removed = if creating { Vec::new() } else { removed_config_keys(prior.cfg(), planned.cfg(), config.cfg()) };
    let replacing = !req.prior.is_null() && (creating || !removed.is_empty());
    if let Some(d) = replacing.then(|| unmanaged_permissions_lost(&prior, &config)).flatten() {
        resp.diagnostics.push(d);
    }
    resp.planned = planned.to_value();
    if !removed.is_empty() {
        let names: Vec<&str> = removed.iter().map(|(name, _)| name.as_str()).collect();
        resp.diagnostics.push(Diagnostic::warning(
            "Removing a config key replaces the OAuth integration",
            format!(
                "This plan removes {} from an existing integration. Connect's API has no documented way to remove a \
                 config key (an update merges the config it is sent, and Posit's API description requires every \
                 value to be a string, so null cannot be sent), so the integration is replaced: deleted and created \
                 again with a new guid. Content associations and the users and groups allowed to use it do not \
                 carry over. To keep the integration, set the key again.",
                names.join(", ")
            ),
        ));
        resp.requires_replace.extend(removed.into_iter().map(|(_, path)| path));
    }
    Some(planned)
}

/// `permissions`: when the configuration leaves it out, not managed (the prior state's, which
/// refresh read from Connect; known after apply on create). When set, exactly the configured
/// users and groups, spelled as the prior state spells the same guids (Connect's case wins, so
/// letter case is no change), and `all_publishers` derived when left out.
fn plan_permissions(
    planned: &mut IntegrationState,
    prior: &IntegrationState,
    config: &IntegrationState,
    creating: bool,
) {
    let prior = if creating { None } else { prior.permissions.get() };
    planned.permissions = match &config.permissions {
        Attr::Null if creating => Attr::Unknown,
        Attr::Null => prior.map_or(Attr::Null, |p| Attr::known(p.clone())),
        Attr::Unknown => Attr::Unknown,
        Attr::Known(c) => {
            let as_prior = |configured: &Attr<GuidSet>, before: Option<&Attr<GuidSet>>| {
                let configured_known = configured.get().and_then(GuidSet::known);
                match (configured_known, before.and_then(Attr::get)) {
                    (Some(c), Some(p)) if p.known().is_some_and(|p| same_guids(&c, &p)) => Attr::known(p.clone()),
                    _ => configured.clone(),
                }
            };
            let users = as_prior(&c.users, prior.map(|p| &p.users));
            let groups = as_prior(&c.groups, prior.map(|p| &p.groups));
            let pending = |s: &Attr<GuidSet>| s.is_unknown() || s.get().is_some_and(|g| g.known().is_none());
            let all_publishers = match (&c.all_publishers, pending(&users) || pending(&groups)) {
                (Attr::Null, false) => {
                    let none = |s: &Attr<GuidSet>| s.get().is_none_or(GuidSet::is_empty);
                    Attr::known(none(&users) && none(&groups))
                }
                (Attr::Null, true) => Attr::Unknown,
                (set, _) => set.clone(),
            };
            Attr::known(PermissionsState { users, groups, all_publishers })
        }
    };
}

/// A replacement of an integration whose users and groups were set outside Terraform (the
/// configuration does not manage `permissions`): the new integration does not get them, and
/// Connect opens it to every publisher. Said, so it is not a surprise.
fn unmanaged_permissions_lost(prior: &IntegrationState, config: &IntegrationState) -> Option<Diagnostic> {
    let p = prior.permissions.get().filter(|_| config.permissions.is_null())?;
    let count = |s: &Attr<GuidSet>| s.get().and_then(GuidSet::known).map_or(0, |g| g.len());
    let (users, groups) = (count(&p.users), count(&p.groups));
    if users + groups == 0 {
        return None;
    }
    Some(Diagnostic::warning(
        "The replacement does not keep who may use the integration",
        format!(
            "This plan replaces an OAuth integration that {users} user(s) and {groups} group(s) may use, set outside \
             Terraform. The new integration starts open to every publisher: Terraform does not manage permissions \
             here, so nothing carries them over. Set permissions in the configuration to give the new integration \
             the same users and groups."
        ),
    ))
}

/// The config keys a plan takes away from an existing integration, by name and path: the client
/// secret (plain or write-only), an `extra_sensitive` key, or a named key the configuration no
/// longer sets and the server does not fill in. Keys that leave `extra` are not removals: `extra`
/// tracks only the keys it names (an import fills it with every unnamed key), so dropping one
/// stops managing it.
fn removed_config_keys(p: &ConfigState, n: &ConfigState, configured: &ConfigState) -> Vec<(String, AttributePath)> {
    let mut removed = Vec::new();
    if secret_to_send(p, n, configured) == SecretChange::Remove {
        let key = if p.client_secret.is_null() { "client_secret_wo" } else { "client_secret" };
        removed.push(format!("config.{key}"));
    }
    let gone = |before_known: bool, after_null: bool| before_known && after_null;
    for ((key, before), (_, after)) in p.plain_strings().into_iter().zip(n.plain_strings()) {
        if gone(before.get().is_some(), after.is_null()) {
            removed.push(format!("config.{key}"));
        }
    }
    if gone(p.use_pkce.get().is_some(), n.use_pkce.is_null()) {
        removed.push("config.use_pkce".to_string());
    }
    if let Attr::Known(before) = &p.extra_sensitive {
        // The path is the attribute's: its keys are shown only as the key names, never values.
        let kept =
            |k: &String| n.extra_sensitive.is_unknown() || n.extra_sensitive.get().is_some_and(|m| m.contains_key(k));
        removed.extend(before.keys().filter(|k| !kept(k)).map(|k| format!("config.extra_sensitive[{k:?}]")));
    }
    removed
        .into_iter()
        .map(|name| {
            let path = AttributePath::dotted(name.split('[').next().unwrap_or(&name));
            (name, path)
        })
        .collect()
}

/// Plans the config values the configuration leaves out (scopes aside, which their attribute's
/// modifiers plan): the template's auth type (which the provider sends), unknown for what the
/// server decides itself.
fn resolve_config(planned: &mut IntegrationState, prior: &IntegrationState, config: &IntegrationState, creating: bool) {
    let template = planned.template.as_str().and_then(catalogue::find);
    let template_unknown = planned.template.is_unknown();
    let configured = config.cfg();
    let prior_cfg = if creating { &ConfigState::default() } else { prior.cfg() };
    // An update that gives the integration a secret, or takes it away, may change what the
    // server decides (a rotation keeps one, so it does not). A Confidential integration has one
    // on the server even when the state has none (imported; written-only without a version).
    let had_secret = !prior_cfg.client_secret.is_null()
        || !prior_cfg.client_secret_wo_version.is_null()
        || prior_cfg.auth_mode.as_str() == Some("Confidential");
    let has_secret = !configured.client_secret.is_null() || !configured.client_secret_wo.is_null();
    let secret_comes_or_goes = !creating
        && had_secret != has_secret
        && secret_to_send(prior.cfg(), planned.cfg(), configured) != SecretChange::Keep;
    let Attr::Known(cfg) = &mut planned.config else { return };

    if configured.auth_type.is_null() {
        cfg.auth_type = match template {
            // An existing object keeps what the server said, even nothing (servers before 2025
            // never say): planning the default would rewrite an imported integration's config.
            _ if !creating => prior_cfg.auth_type.clone(),
            Some(t) => Attr::known(t.auth_types[0].to_string()),
            None if template_unknown => Attr::Unknown,
            None => Attr::Null,
        };
    }

    // `auth_mode`, when the configuration leaves it out, is Connect's to decide, and no public
    // source says how (derived from the secret, fixed per template, or not returned at all): the
    // provider neither sends nor predicts it. Unknown on create and when what it could follow
    // changes (the auth type, having a secret), the prior value otherwise, so later plans stay
    // quiet whatever the server said.
    if configured.auth_mode.is_null() {
        let auth_type_changed = cfg.auth_type != prior_cfg.auth_type;
        cfg.auth_mode = if creating || auth_type_changed || secret_comes_or_goes {
            Attr::Unknown
        } else {
            prior_cfg.auth_mode.clone()
        };
    }

    // What the server fills in (`SERVER_FILLED_KEYS`): unknown until it answers when the
    // configuration leaves it out on create, or when what it follows (the auth type and mode:
    // PKCE goes with Public clients) changes; otherwise the prior value stands, and any later
    // change is seen at refresh.
    let config_changing = creating || cfg.auth_type != prior_cfg.auth_type || cfg.auth_mode != prior_cfg.auth_mode;
    if config_changing {
        if configured.token_endpoint_auth_method.is_null() {
            cfg.token_endpoint_auth_method = Attr::Unknown;
        }
        if configured.use_pkce.is_null() {
            cfg.use_pkce = Attr::Unknown;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::oauth_integration::schema::schema;

    const TENANT: &str = "11111111-2222-3333-4444-555555555555";

    fn config(template: &str, scopes: Value, secret: Value) -> Value {
        Value::object([
            ("id", Value::Null),
            ("guid", Value::Null),
            ("template", Value::string(template)),
            ("name", Value::string("n")),
            ("description", Value::Null),
            ("created_time", Value::Null),
            ("updated_time", Value::Null),
            (
                "config",
                Value::object([
                    ("auth_type", Value::Null),
                    ("tenant_id", Value::string(TENANT)),
                    ("client_id", Value::string(TENANT)),
                    ("client_secret", secret),
                    ("client_secret_wo", Value::Null),
                    ("client_secret_wo_version", Value::Null),
                    ("auth_mode", Value::Null),
                    ("scopes", scopes),
                ]),
            ),
        ])
    }

    fn plan_of(prior: Value, cfg: Value) -> PlanResponse {
        tfplugin::testing::plan(&schema().block, prior, cfg, |req, resp| {
            modify(req, resp);
        })
    }

    /// What apply would store: the plan with server-set values filled in.
    fn applied(planned: &Value) -> Value {
        let mut v = planned.clone();
        if let Value::Object(m) = &mut v {
            for k in ["id", "guid", "created_time", "updated_time"] {
                m.insert(k.into(), Value::string("x"));
            }
            // A server without permissions on integrations answers none.
            if m.get("permissions").is_some_and(Value::is_unknown) {
                m.insert("permissions".into(), Value::Null);
            }
            if let Some(Value::Object(c)) = m.get_mut("config") {
                for (k, v) in c.iter_mut().filter(|(_, v)| v.is_unknown()) {
                    *v = if k == "use_pkce" { Value::Bool(false) } else { Value::string("server's") };
                }
            }
        }
        v
    }

    fn with_config(mut cfg: Value, key: &str, value: Value) -> Value {
        if let Value::Object(m) = &mut cfg {
            if let Some(Value::Object(c)) = m.get_mut("config") {
                c.insert(key.into(), value);
            }
        }
        cfg
    }

    #[test]
    fn create_plans_template_defaults_and_derived_values() {
        let p = plan_of(Value::Null, config("msgraph", Value::Null, Value::Null)).planned;
        let c = p.get("config");
        assert_eq!(c.get("scopes").as_str(), Some("https://graph.microsoft.com/.default offline_access"));
        assert_eq!(c.get("auth_type").as_str(), Some("Viewer"));
        assert!(c.get("auth_mode").is_unknown(), "the server's to decide");
        assert_eq!(p.get("description").as_str(), Some(""));
        assert!(p.get("guid").is_unknown() && p.get("updated_time").is_unknown());
    }

    #[test]
    fn reordered_scopes_plan_no_change() {
        let first = plan_of(Value::Null, config("azure", Value::string("a b offline_access"), Value::string("s")));
        let state = applied(&first.planned);
        let again = plan_of(state.clone(), config("azure", Value::string(" offline_access  b a"), Value::string("s")));
        assert_eq!(again.planned, state, "a reordered scope list is no change, and nothing goes unknown");
        assert!(again.requires_replace.is_empty());
    }

    #[test]
    fn changed_name_keeps_ids_known_and_updated_time_unknown() {
        let state = applied(&plan_of(Value::Null, config("sharepoint", Value::Null, Value::Null)).planned);
        let mut cfg = config("sharepoint", Value::Null, Value::Null);
        if let Value::Object(m) = &mut cfg {
            m.insert("name".into(), Value::string("renamed"));
        }
        let r = plan_of(state, cfg);
        assert_eq!(r.planned.get("guid").as_str(), Some("x"));
        assert_eq!(r.planned.get("created_time").as_str(), Some("x"));
        assert!(r.planned.get("updated_time").is_unknown());
    }

    #[test]
    fn template_change_requires_replace() {
        let state = applied(&plan_of(Value::Null, config("msgraph", Value::Null, Value::Null)).planned);
        let r = plan_of(state, config("sharepoint", Value::Null, Value::Null));
        assert_eq!(r.requires_replace, vec![AttributePath::root("template")]);
    }

    #[test]
    fn auth_mode_is_the_servers_unless_configured() {
        let cfg = config("msgraph", Value::Null, Value::string("s1"));
        let state = applied(&plan_of(Value::Null, cfg.clone()).planned);
        let mode = |r: PlanResponse| r.planned.get("config").get("auth_mode").clone();
        // Nothing it could follow changes: what the server said stands.
        assert_eq!(mode(plan_of(state.clone(), cfg.clone())).as_str(), Some("server's"));
        // A rotated secret: still one.
        assert_eq!(
            mode(plan_of(state.clone(), config("msgraph", Value::Null, Value::string("s2")))).as_str(),
            Some("server's")
        );
        // The auth type changes, or the secret goes: the server may decide anew.
        let service = with_config(cfg.clone(), "auth_type", Value::string("Service Account"));
        assert!(mode(plan_of(state.clone(), service)).is_unknown());
        assert!(mode(plan_of(state.clone(), config("msgraph", Value::Null, Value::Null))).is_unknown());
        // Configured: exactly that.
        let public = with_config(cfg, "auth_mode", Value::string("Public"));
        assert_eq!(mode(plan_of(state, public)).as_str(), Some("Public"));
    }

    #[test]
    fn scopes_without_a_default_are_the_servers_on_create() {
        let cfg = config("custom", Value::Null, Value::Null);
        let created = plan_of(Value::Null, cfg.clone()).planned;
        assert!(created.get("config").get("scopes").is_unknown());
        let state = applied(&created);
        assert_eq!(plan_of(state.clone(), cfg).planned.get("config").get("scopes").as_str(), Some("server's"));
    }

    #[test]
    fn an_existing_object_keeps_the_auth_type_the_server_gave_even_none() {
        // Imported from a server that never returns auth_type: planning the default would
        // rewrite the config.
        let cfg = config("sharepoint", Value::Null, Value::Null);
        let mut state = applied(&plan_of(Value::Null, cfg.clone()).planned);
        state = with_config(state, "auth_type", Value::Null);
        let again = plan_of(state.clone(), cfg.clone());
        assert_eq!(again.planned, state);
        // A new object gets the template's default.
        assert_eq!(plan_of(Value::Null, cfg).planned.get("config").get("auth_type").as_str(), Some("Viewer"));
    }

    #[test]
    fn removing_a_config_key_replaces_and_says_why() {
        let state = applied(&plan_of(Value::Null, config("msgraph", Value::Null, Value::string("s"))).planned);
        // The secret goes: a Public application from now on.
        let r = plan_of(state.clone(), config("msgraph", Value::Null, Value::Null));
        assert_eq!(r.requires_replace, vec![AttributePath::dotted("config.client_secret")]);
        let warning = &r.diagnostics.0[0];
        assert!(warning.summary.contains("replaces the OAuth integration"), "{}", warning.summary);
        assert!(warning.detail.contains("removes config.client_secret from an existing integration"));
        assert!(!warning.detail.contains("\"s\""), "never a value");
        // Kept or rotated: an update in place, no word.
        for secret in ["s", "rotated"] {
            let r = plan_of(state.clone(), config("msgraph", Value::Null, Value::string(secret)));
            assert!(r.requires_replace.is_empty() && r.diagnostics.is_empty(), "{secret}");
        }
        // A named key the configuration no longer sets, which the server does not fill in.
        let with_uri = with_config(config("msgraph", Value::Null, Value::string("s")), "token_uri", Value::string("u"));
        let state = applied(&plan_of(Value::Null, with_uri).planned);
        let r = plan_of(state.clone(), config("msgraph", Value::Null, Value::string("s")));
        assert_eq!(r.requires_replace, vec![AttributePath::dotted("config.token_uri")]);
        // What the server decides, left out: its value stands, nothing is removed.
        let r = plan_of(
            state,
            with_config(config("msgraph", Value::Null, Value::string("s")), "token_uri", Value::string("u")),
        );
        assert!(r.requires_replace.is_empty(), "{:?}", r.requires_replace);
    }

    #[test]
    fn a_written_only_secret_or_sensitive_key_removed_replaces_too() {
        let wo = with_config(
            with_config(config("msgraph", Value::Null, Value::Null), "client_secret_wo", Value::string("w")),
            "client_secret_wo_version",
            Value::Number(tfplugin::value::Number::Int(1)),
        );
        let mut state = applied(&plan_of(Value::Null, wo.clone()).planned);
        state = with_config(state, "client_secret_wo_version", Value::Number(tfplugin::value::Number::Int(1)));
        let r = plan_of(state.clone(), config("msgraph", Value::Null, Value::Null));
        assert_eq!(r.requires_replace, vec![AttributePath::dotted("config.client_secret_wo")]);
        assert!(plan_of(state, wo).requires_replace.is_empty());

        let map = |keys: &[&str]| Value::Map(keys.iter().map(|k| (k.to_string(), Value::string("v"))).collect());
        let two =
            with_config(config("custom", Value::string("x"), Value::string("s")), "extra_sensitive", map(&["a", "b"]));
        let state = applied(&plan_of(Value::Null, two).planned);
        let one = with_config(config("custom", Value::string("x"), Value::string("s")), "extra_sensitive", map(&["a"]));
        let r = plan_of(state, one);
        assert_eq!(r.requires_replace, vec![AttributePath::dotted("config.extra_sensitive")]);
        assert!(r.diagnostics.0[0].detail.contains("config.extra_sensitive[\"b\"]"));
    }

    const G1: &str = "aaaaaaaa-0000-0000-0000-000000000001";
    const U1: &str = "bbbbbbbb-0000-0000-0000-000000000001";

    fn guids(gs: &[&str]) -> Value {
        Value::Set(gs.iter().map(|g| Value::string(*g)).collect())
    }

    fn with_permissions(mut cfg: Value, users: Value, groups: Value, all: Value) -> Value {
        if let Value::Object(m) = &mut cfg {
            let p = Value::object([("users", users), ("groups", groups), ("all_publishers", all)]);
            m.insert("permissions".into(), p);
        }
        cfg
    }

    #[test]
    fn permissions_are_authoritative_when_set_and_left_alone_when_not() {
        let base = config("msgraph", Value::Null, Value::string("s"));
        let managed = with_permissions(base.clone(), Value::Null, guids(&[G1]), Value::Null);
        let p = plan_of(Value::Null, managed.clone()).planned;
        assert_eq!(p.get("permissions").get("groups"), &guids(&[G1]));
        assert_eq!(p.get("permissions").get("users"), &Value::Null);
        assert_eq!(p.get("permissions").get("all_publishers"), &Value::Bool(false));
        // Unmanaged on create: the server's.
        assert!(plan_of(Value::Null, base.clone()).planned.get("permissions").is_unknown());

        // The state as Connect gave it, with a user added in the dashboard.
        let mut state = applied(&p);
        if let Value::Object(m) = &mut state {
            m.insert(
                "permissions".into(),
                Value::object([
                    ("users", guids(&[U1])),
                    ("groups", guids(&[&G1.to_ascii_uppercase()])),
                    ("all_publishers", Value::Bool(false)),
                ]),
            );
        }
        // Managed: the user goes, and the group in another case is no change.
        let r = plan_of(state.clone(), managed);
        assert_eq!(r.planned.get("permissions").get("users"), &Value::Null);
        assert_eq!(r.planned.get("permissions").get("groups"), &guids(&[&G1.to_ascii_uppercase()]));
        // Unmanaged: what Connect has stands.
        let r = plan_of(state.clone(), base.clone());
        assert_eq!(r.planned.get("permissions"), state.get("permissions"));
        assert!(r.diagnostics.is_empty());
        // A replacement (another template) that would lose them says so.
        let r = plan_of(state, config("sharepoint", Value::Null, Value::string("s")));
        assert!(
            r.diagnostics.0.iter().any(|d| d.summary == "The replacement does not keep who may use the integration"),
            "{:?}",
            r.diagnostics
        );
    }

    #[test]
    fn an_empty_permissions_list_needs_all_publishers() {
        let base = config("msgraph", Value::Null, Value::string("s"));
        for (users, groups) in [(Value::Null, Value::Null), (guids(&[]), Value::Null), (guids(&[]), guids(&[]))] {
            let cfg = with_permissions(base.clone(), users, groups, Value::Null);
            let errors = errors_at(&cfg, "permissions");
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert!(
                errors[0].contains("every publisher") && errors[0].contains("all_publishers = true"),
                "{}",
                errors[0]
            );
        }
        let everyone = with_permissions(base.clone(), Value::Null, Value::Null, Value::Bool(true));
        assert!(errors_at(&everyone, "permissions").is_empty());
        assert_eq!(plan_of(Value::Null, everyone).planned.get("permissions").get("all_publishers"), &Value::Bool(true));
        let both = with_permissions(base.clone(), guids(&[U1]), Value::Null, Value::Bool(true));
        assert_eq!(errors_at(&both, "permissions.all_publishers").len(), 1);
        let bad = with_permissions(base, guids(&["alice"]), Value::Null, Value::Null);
        let errors = errors_at(&bad, "permissions.users");
        assert!(errors.len() == 1 && errors[0].contains("\"alice\", which is not a guid"), "{errors:?}");
        // Unknown until apply: not judged.
        let later =
            with_permissions(config("msgraph", Value::Null, Value::Null), Value::Unknown, Value::Null, Value::Null);
        assert!(errors_at(&later, "permissions").is_empty());
        // A known set with an element known only after apply (a lookup not yet run): planned as
        // it came, all_publishers unknown.
        let pending = Value::Set(vec![Value::Unknown]);
        let looked_up = with_permissions(
            config("msgraph", Value::Null, Value::string("s")),
            Value::Null,
            pending.clone(),
            Value::Null,
        );
        assert!(errors_at(&looked_up, "permissions").is_empty());
        let r = plan_of(Value::Null, looked_up);
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert_eq!(r.planned.get("permissions").get("groups"), &pending);
        assert!(r.planned.get("permissions").get("all_publishers").is_unknown());
    }

    fn errors_at(cfg: &Value, attribute: &str) -> Vec<String> {
        let mut d = Diagnostics::new();
        validate(cfg, &mut d);
        let at = Some(AttributePath::dotted(attribute));
        d.0.iter().filter(|d| d.attribute == at).map(|d| d.detail.clone()).collect()
    }

    #[test]
    fn a_mistyped_auth_type_gets_one_error_with_the_templates_values() {
        let cfg =
            with_config(config("msgraph", Value::Null, Value::Null), "auth_type", Value::string("ServiceAccount"));
        let errors = errors_at(&cfg, "config.auth_type");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            errors[0],
            "config.auth_type is \"ServiceAccount\"; the \"msgraph\" template offers: \"Viewer\", \"Service \
             Account\". Did you mean \"Service Account\"?"
        );

        // The connect template offers its own value only; nothing close to "viewer" there.
        let cfg = with_config(config("connect", Value::Null, Value::Null), "auth_type", Value::string("viewer"));
        let errors = errors_at(&cfg, "config.auth_type");
        assert_eq!(errors, ["config.auth_type is \"viewer\"; the \"connect\" template offers: \"Visitor API Key\"."]);

        // A template that is not Connect's: every template's values.
        let cfg = with_config(config("ms-graph", Value::Null, Value::Null), "auth_type", Value::string("viewer"));
        let errors = errors_at(&cfg, "config.auth_type");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("\"Visitor API Key\"") && errors[0].ends_with("Did you mean \"Viewer\"?"));

        // Values the template offers pass.
        let cfg = with_config(config("msgraph", Value::Null, Value::Null), "auth_type", Value::string("Viewer"));
        assert!(errors_at(&cfg, "config.auth_type").is_empty());
    }

    #[test]
    fn a_missing_key_names_the_template() {
        let cfg = with_config(config("msgraph", Value::Null, Value::Null), "tenant_id", Value::Null);
        let errors = errors_at(&cfg, "config.tenant_id");
        assert_eq!(errors, ["config.tenant_id is required for the \"msgraph\" template."]);
    }

    #[test]
    fn validation_rules() {
        let mut d = Diagnostics::new();
        validate(&config("azure", Value::Null, Value::Null), &mut d);
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.0[0].attribute, Some(AttributePath::dotted("config.scopes")));

        let mut sa = config("msgraph", Value::Null, Value::Null);
        if let Value::Object(m) = &mut sa {
            if let Some(Value::Object(c)) = m.get_mut("config") {
                c.insert("auth_type".into(), Value::string("Service Account"));
            }
        }
        let mut d = Diagnostics::new();
        validate(&sa, &mut d);
        assert_eq!(d.0[0].attribute, Some(AttributePath::dotted("config.client_secret")));

        let mut d = Diagnostics::new();
        validate(&config("azure", Value::string("https://x/.default"), Value::Null), &mut d);
        assert!(!d.has_errors());
        assert_eq!(d.0.len(), 1, "a warning about offline_access");
    }
}
