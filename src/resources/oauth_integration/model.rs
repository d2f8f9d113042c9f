//! Mapping between the resource's Terraform values, read as typed models, and Connect's
//! integration objects: the state an answer gives, and the body a plan sends.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde_json::Value as Json;

use crate::connect::{same_scopes, Config, Integration, IntegrationUpdate, NewIntegration, Permission, Secret};
use tfplugin::model::{Attr, AttrValue, ModelError};
use tfplugin::value::{Number, Value};

use super::schema::is_named_key;
use super::secret::{desired_secret, secret_to_send, SecretChange};

tfplugin::model! {
    /// The resource's state, plan or configuration.
    #[derive(Default)]
    pub struct IntegrationState {
        pub id: Attr<String>,
        pub guid: Attr<String>,
        pub template: Attr<String>,
        pub name: Attr<String>,
        pub description: Attr<String>,
        pub config: Attr<ConfigState>,
        pub permissions: Attr<PermissionsState>,
        pub content_count: Attr<Number>,
        pub environment_variables: Attr<Vec<String>>,
        pub created_time: Attr<String>,
        pub updated_time: Attr<String>,
    }
}

tfplugin::model! {
    /// The `config` attribute. `extra` and `extra_sensitive` hold `Attr` elements: a plan's map
    /// may be known with an element known only after apply.
    #[derive(Default)]
    pub struct ConfigState {
        pub auth_type: Attr<String>,
        pub tenant_id: Attr<String>,
        pub client_id: Attr<String>,
        pub client_secret: Attr<String>,
        pub client_secret_wo: Attr<String>,
        pub client_secret_wo_version: Attr<Number>,
        pub auth_mode: Attr<String>,
        pub authorization_uri: Attr<String>,
        pub token_uri: Attr<String>,
        pub token_endpoint_auth_method: Attr<String>,
        pub use_pkce: Attr<bool>,
        pub account_url: Attr<String>,
        pub max_role: Attr<String>,
        pub extra: Attr<BTreeMap<String, Attr<String>>>,
        pub extra_sensitive: Attr<BTreeMap<String, Attr<String>>>,
        pub scopes: Attr<String>,
    }
}

tfplugin::model! {
    /// The `permissions` attribute: who may use the integration.
    #[derive(Default)]
    pub struct PermissionsState {
        pub users: Attr<GuidSet>,
        pub groups: Attr<GuidSet>,
        pub all_publishers: Attr<bool>,
    }
}

/// A set of guids as Terraform has it. Kept as the raw value: in a plan the set may be known
/// while an element is not yet (`groups = [data.posit_connect_group.x.guid]` before the lookup
/// has run), which a set of strings cannot hold, and the plan must give such a value back as it
/// came. Read through [`GuidSet::known`].
#[derive(Clone, Debug, PartialEq)]
pub struct GuidSet(Value);

impl AttrValue for GuidSet {
    fn from_value(v: &Value) -> Result<Self, ModelError> {
        match v {
            Value::Set(items) if items.iter().all(|i| i.as_str().is_some() || i.is_unknown()) => Ok(GuidSet(v.clone())),
            _ => Err(ModelError::new("expected a set of strings")),
        }
    }

    fn to_value(&self) -> Value {
        self.0.clone()
    }
}

impl GuidSet {
    /// A set of known guids.
    pub fn of(guids: BTreeSet<String>) -> Self {
        GuidSet(Value::Set(guids.into_iter().map(Value::String).collect()))
    }

    /// Every guid, when all are known.
    pub fn known(&self) -> Option<BTreeSet<String>> {
        let Value::Set(items) = &self.0 else { return None };
        items.iter().map(|i| i.as_str().map(str::to_string)).collect()
    }

    /// The guids known so far.
    pub fn strings(&self) -> impl Iterator<Item = &str> {
        let items = if let Value::Set(items) = &self.0 { items.as_slice() } else { &[] };
        items.iter().filter_map(Value::as_str)
    }

    /// Whether it holds any element, known or not.
    pub fn is_empty(&self) -> bool {
        matches!(&self.0, Value::Set(items) if items.is_empty())
    }
}

impl PermissionsState {
    /// The list Connect is given: each user, then each group; empty for every publisher.
    fn to_request(&self) -> Vec<Permission> {
        let guids = |s: &Attr<GuidSet>| s.get().and_then(GuidSet::known).into_iter().flatten();
        guids(&self.users).map(Permission::user).chain(guids(&self.groups).map(Permission::group)).collect()
    }
}

/// `found` (the server's guids) spelled as `known` spells them when the two are the same set but
/// for letter case, since guids are compared without it; null when the server has none and
/// nothing known says there should be a set (an unmanaged or unlisted side stays null).
fn guid_set(found: BTreeSet<String>, known: Option<&Attr<GuidSet>>) -> Attr<GuidSet> {
    let known = known.and_then(Attr::get);
    match known.and_then(GuidSet::known) {
        Some(k) if same_guids(&k, &found) => Attr::known(GuidSet::of(k)),
        _ if found.is_empty() && known.is_none() => Attr::Null,
        _ => Attr::known(GuidSet::of(found)),
    }
}

/// Whether two sets of guids are the same, letter case aside.
pub(crate) fn same_guids(a: &BTreeSet<String>, b: &BTreeSet<String>) -> bool {
    let lower = |s: &BTreeSet<String>| s.iter().map(|g| g.to_ascii_lowercase()).collect::<BTreeSet<_>>();
    lower(a) == lower(b)
}

/// Who may use the integration, as the server says; null when it does not say (a server without
/// permissions on integrations).
fn permissions_state(server: Option<&[Permission]>, known: &Attr<PermissionsState>) -> Attr<PermissionsState> {
    let Some(list) = server else { return Attr::Null };
    let users: BTreeSet<String> = list.iter().filter_map(|p| p.user_guid.clone()).collect();
    let groups: BTreeSet<String> = list.iter().filter_map(|p| p.group_guid.clone()).collect();
    let everyone = users.is_empty() && groups.is_empty();
    let known = known.get();
    Attr::known(PermissionsState {
        users: guid_set(users, known.map(|k| &k.users)),
        groups: guid_set(groups, known.map(|k| &k.groups)),
        all_publishers: Attr::known(everyone),
    })
}

/// A config with nothing set: what a null (or not yet known) `config` reads as.
static NO_CONFIG: LazyLock<ConfigState> = LazyLock::new(ConfigState::default);

impl IntegrationState {
    /// The config, or one with nothing set when it is null or unknown.
    pub fn cfg(&self) -> &ConfigState {
        self.config.get().unwrap_or(&NO_CONFIG)
    }
}

impl ConfigState {
    /// The named config keys with a plain string value, by name: the schema's `STRING_KEYS`
    /// (a unit test ties the two), for the rules that treat them alike.
    pub fn plain_strings(&self) -> [(&'static str, &Attr<String>); 10] {
        [
            ("auth_type", &self.auth_type),
            ("tenant_id", &self.tenant_id),
            ("client_id", &self.client_id),
            ("auth_mode", &self.auth_mode),
            ("authorization_uri", &self.authorization_uri),
            ("token_uri", &self.token_uri),
            ("token_endpoint_auth_method", &self.token_endpoint_auth_method),
            ("account_url", &self.account_url),
            ("max_role", &self.max_role),
            ("scopes", &self.scopes),
        ]
    }

    /// The same config without its secrets (plain or write-only, their version, `extra_sensitive`):
    /// what an update compares to tell whether the plain config changed.
    fn without_secrets(&self) -> ConfigState {
        ConfigState {
            client_secret: Attr::Null,
            client_secret_wo: Attr::Null,
            client_secret_wo_version: Attr::Null,
            extra_sensitive: Attr::Null,
            ..self.clone()
        }
    }
}

/// A value when known; null for anything else (null, or known only after apply): what a plan
/// knows counts, what it does not yet know does not.
fn known<T: Clone>(a: &Attr<T>) -> Attr<T> {
    Attr::from_option(a.get().cloned())
}

/// The known elements of a map of strings; null when the map is not known.
fn known_strings(a: &Attr<BTreeMap<String, Attr<String>>>) -> Attr<BTreeMap<String, Attr<String>>> {
    a.get().map_or(Attr::Null, |m| {
        Attr::known(m.iter().filter(|(_, v)| v.get().is_some()).map(|(k, v)| (k.clone(), v.clone())).collect())
    })
}

/// The Terraform state of an integration as Connect returns it. What Connect never returns (the
/// client secret) is carried over from `known` (the prior or planned state; `None` for an import
/// or a listing, where nothing is known), and so is the exact scopes string when the server's
/// holds the same set.
pub(crate) fn to_state(i: &Integration, known_state: Option<&IntegrationState>) -> IntegrationState {
    let blank = IntegrationState::default();
    let k = known_state.unwrap_or(&blank);
    let kc = k.cfg();
    let server_str = |key: &str| Attr::from_option(i.config.get(key).and_then(Json::as_str).map(str::to_string));
    let or_known =
        |server: Attr<String>, known_value: &Attr<String>| if server.is_null() { known(known_value) } else { server };

    let auth_type = server_str("auth_type").or_else(|| Attr::from_option(i.auth_type.clone()));
    let scopes = match (server_str("scopes"), kc.scopes.as_str()) {
        (Attr::Known(s), Some(known_scopes)) if same_scopes(&s, known_scopes) => Attr::known(known_scopes.to_string()),
        (s, _) => s,
    };
    let config = ConfigState {
        auth_type: or_known(auth_type, &kc.auth_type),
        tenant_id: server_str("tenant_id"),
        client_id: server_str("client_id"),
        client_secret: known(&kc.client_secret),
        client_secret_wo: Attr::Null,
        client_secret_wo_version: known(&kc.client_secret_wo_version),
        auth_mode: or_known(server_str("auth_mode"), &kc.auth_mode),
        authorization_uri: server_str("authorization_uri"),
        token_uri: server_str("token_uri"),
        token_endpoint_auth_method: server_str("token_endpoint_auth_method"),
        use_pkce: Attr::from_option(i.config.get("use_pkce").and_then(Json::as_bool)),
        account_url: server_str("account_url"),
        max_role: server_str("max_role"),
        extra: extra_state(i, known_state.is_none(), &kc.extra),
        // Secret values are never returned: what was last sent is what the state knows.
        extra_sensitive: known_strings(&kc.extra_sensitive),
        scopes,
    };
    IntegrationState {
        id: Attr::known(i.guid.clone()),
        guid: Attr::known(i.guid.clone()),
        // Connect cannot change a template, so one the server does not name is the one known.
        template: Attr::from_option(i.template.clone()).or_else(|| known(&k.template)),
        // A name the server lost is drift: the next plan sets it again.
        name: Attr::from_option(i.name.clone()),
        description: Attr::known(i.description.clone()),
        config: Attr::known(config),
        permissions: permissions_state(i.permissions.as_deref(), &k.permissions),
        content_count: Attr::from_option(i.content_count.map(Number::Int)),
        environment_variables: Attr::from_option(i.environment_variables.clone()),
        created_time: Attr::from_option(i.created_time.clone()).or_else(|| known(&k.created_time)),
        updated_time: Attr::from_option(i.updated_time.clone()).or_else(|| known(&k.updated_time)),
    }
}

/// The keys of `extra` the configuration manages, with the server's values (as strings); keys
/// the server lacks are left out, so the next plan puts them back. With nothing known (an
/// import), every key the schema does not name, so that an import sees the whole config.
fn extra_state(
    i: &Integration,
    importing: bool,
    known_extra: &Attr<BTreeMap<String, Attr<String>>>,
) -> Attr<BTreeMap<String, Attr<String>>> {
    let as_string = |v: &Json| Attr::known(v.as_str().map_or_else(|| v.to_string(), str::to_string));
    match known_extra {
        Attr::Known(keys) => {
            Attr::known(keys.keys().filter_map(|k| Some((k.clone(), as_string(i.config.get(k)?)))).collect())
        }
        _ if importing => {
            let unnamed: BTreeMap<String, Attr<String>> =
                i.config.iter().filter(|(k, _)| !is_named_key(k)).map(|(k, v)| (k.clone(), as_string(v))).collect();
            if unnamed.is_empty() {
                Attr::Null
            } else {
                Attr::known(unnamed)
            }
        }
        _ => Attr::Null,
    }
}

/// The POST body for a planned integration. The write-only secret is only in the configuration.
pub(crate) fn new_request(planned: &IntegrationState, config: &IntegrationState) -> NewIntegration {
    NewIntegration {
        template: str_of(&planned.template),
        name: str_of(&planned.name),
        description: str_of(&planned.description),
        config: config_request(
            planned.cfg(),
            config.cfg(),
            desired_secret(planned.cfg(), config.cfg()).map_or(SecretChange::Keep, SecretChange::Send),
        ),
        permissions: managed_permissions(planned, config),
    }
}

/// The permissions to send: the planned list when the configuration manages it, else none (the
/// server's list stays as it is).
fn managed_permissions(planned: &IntegrationState, config: &IntegrationState) -> Option<Vec<Permission>> {
    if config.permissions.is_null() {
        return None;
    }
    planned.permissions.get().map(PermissionsState::to_request)
}

/// The PATCH body taking `prior` to `planned`: only what changed, and the whole config when any
/// of it changed (Connect merges config keys, so a partial config could leave stale ones). The
/// secret is sent only when [`secret_to_send`] says so; other updates leave it alone.
pub(crate) fn update_request(
    prior: &IntegrationState,
    planned: &IntegrationState,
    config: &IntegrationState,
) -> IntegrationUpdate {
    let (p_cfg, n_cfg) = (prior.cfg(), planned.cfg());
    let secret = secret_to_send(p_cfg, n_cfg, config.cfg());
    let sensitive_changed = p_cfg.extra_sensitive != n_cfg.extra_sensitive;
    let config_changed =
        secret != SecretChange::Keep || sensitive_changed || p_cfg.without_secrets() != n_cfg.without_secrets();
    IntegrationUpdate {
        name: (prior.name != planned.name).then(|| str_of(&planned.name)),
        description: (prior.description != planned.description).then(|| str_of(&planned.description)),
        config: config_changed.then(|| {
            let mut c = config_request(n_cfg, config.cfg(), secret);
            // Like the client secret, secret extra values are only sent when they change.
            if !sensitive_changed {
                c.secrets.retain(|k, _| k == "client_secret");
            }
            c
        }),
        permissions: managed_permissions(planned, config).filter(|_| prior.permissions != planned.permissions),
    }
}

/// The config to send: the keys the configuration sets (`configured`), with their planned values,
/// plus the auth type and scopes the provider planned from the template. Never a key only the
/// server filled in (`auth_mode`, `use_pkce`...): a server may refuse keys its template does not
/// define, and what it decides is its own.
fn config_request(cfg: &ConfigState, configured: &ConfigState, secret: SecretChange<'_>) -> Config {
    let mut out = Config::new();
    let sent = |key: &str, configured: bool| matches!(key, "auth_type" | "scopes") || configured;
    for ((key, value), (_, set)) in cfg.plain_strings().into_iter().zip(configured.plain_strings()) {
        if let (Some(s), true) = (value.as_str(), sent(key, !set.is_null())) {
            out.values.insert(key.to_string(), Json::String(s.to_string()));
        }
    }
    if let (Some(b), false) = (cfg.use_pkce.get(), configured.use_pkce.is_null()) {
        out.values.insert("use_pkce".into(), Json::Bool(*b));
    }
    for (k, v) in cfg.extra.get().into_iter().flatten() {
        if let Some(s) = v.as_str() {
            out.values.insert(k.clone(), Json::String(s.to_string()));
        }
    }
    for (k, v) in cfg.extra_sensitive.get().into_iter().flatten() {
        if let Some(s) = v.as_str() {
            out.secrets.insert(k.clone(), Secret::new(s));
        }
    }
    match secret {
        SecretChange::Send(s) => {
            out.secrets.insert("client_secret".into(), Secret::new(s));
        }
        // Never `null`: Posit's document wants a string for every template field, and no way to
        // drop a config key is documented, so a plan that removes the secret replaces the
        // integration and no update ever carries a removal.
        SecretChange::Remove | SecretChange::Keep => {}
    }
    out
}

fn str_of(v: &Attr<String>) -> String {
    v.as_str().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tfplugin::model::Model;
    use tfplugin::value::Value;

    /// [`to_state`] as the operations call it, on values (null: nothing known).
    fn state_of(i: &Integration, known: &Value) -> Value {
        let known = (!known.is_null()).then(|| IntegrationState::read(known).unwrap());
        Model::to_value(&to_state(i, known.as_ref()))
    }

    fn update_of(prior: &Value, planned: &Value, config: &Value) -> IntegrationUpdate {
        let read = |v: &Value| IntegrationState::read(v).unwrap();
        update_request(&read(prior), &read(planned), &read(config))
    }

    fn new_of(planned: &Value, config: &Value) -> NewIntegration {
        new_request(&IntegrationState::read(planned).unwrap(), &IntegrationState::read(config).unwrap())
    }

    #[test]
    fn plain_strings_are_the_schemas_string_keys() {
        let names: Vec<&str> = ConfigState::default().plain_strings().iter().map(|(k, _)| *k).collect();
        assert_eq!(names, *super::super::schema::STRING_KEYS);
    }

    #[test]
    fn the_models_have_the_schemas_attributes() {
        let schema = super::super::schema::schema();
        assert_eq!(IntegrationState::check_schema(&schema.block), Ok(()));
        let Some(tfplugin::schema::AttributeKind::Single(config)) = schema.block.attribute("config").map(|a| &a.kind)
        else {
            panic!("config is a nested object")
        };
        assert_eq!(ConfigState::check_schema(config), Ok(()));
    }

    fn integration(config: Json) -> Integration {
        serde_json::from_value(json!({
            "id": "7", "guid": "g-1", "name": "n", "description": "d", "template": "azure",
            "auth_type": "Viewer", "created_time": "2025-01-01T00:00:00Z", "updated_time": "2025-01-02T00:00:00Z",
            "config": config,
        }))
        .unwrap()
    }

    fn known(secret: Value, scopes: &str) -> Value {
        Value::object([("config", Value::object([("client_secret", secret), ("scopes", Value::string(scopes))]))])
    }

    #[test]
    fn state_carries_secret_and_scopes_string_and_ignores_server_keys() {
        let i = integration(json!({"auth_type": "Viewer", "tenant_id": "t", "client_id": "c",
            "auth_mode": "Confidential", "scopes": "b a", "use_pkce": false, "added_by_server": "x"}));
        let s = state_of(&i, &known(Value::string("sec"), "a  b"));
        let c = s.get("config");
        assert_eq!(c.get("client_secret").as_str(), Some("sec"));
        assert_eq!(c.get("scopes").as_str(), Some("a  b"));
        assert_eq!(c.get("auth_mode").as_str(), Some("Confidential"));
        assert_eq!(c.get("use_pkce"), &Value::Bool(false));
        assert!(c.as_object().unwrap().get("added_by_server").is_none());
        assert!(c.get("extra").is_null(), "unmanaged keys stay out of extra");
        assert_eq!(s.get("id"), s.get("guid"));
    }

    #[test]
    fn extra_tracks_the_managed_keys_only() {
        let i = integration(json!({"region": "eu", "flag": true, "other": "x"}));
        let known = Value::object([(
            "config",
            Value::object([(
                "extra",
                Value::Map(
                    [("region".to_string(), Value::string("us")), ("flag".to_string(), Value::string("false"))].into(),
                ),
            )]),
        )]);
        let extra = state_of(&i, &known).get("config").get("extra").clone();
        assert_eq!(
            extra,
            Value::Map(
                [("region".to_string(), Value::string("eu")), ("flag".to_string(), Value::string("true"))].into()
            )
        );
    }

    #[test]
    fn drifted_scopes_show_server_value() {
        let i = integration(json!({"scopes": "a c"}));
        assert_eq!(state_of(&i, &known(Value::Null, "a b")).get("config").get("scopes").as_str(), Some("a c"));
    }

    #[test]
    fn update_sends_only_changes_and_secret_only_when_changed() {
        let i = integration(json!({"auth_type": "Viewer", "tenant_id": "t", "client_id": "c", "scopes": "a"}));
        let prior = state_of(&i, &known(Value::string("old"), "a"));
        let mut planned = prior.clone();
        if let Value::Object(m) = &mut planned {
            m.insert("description".into(), Value::string("new"));
        }
        let u = update_of(&prior, &planned, &planned);
        assert_eq!(serde_json::to_value(&u).unwrap(), json!({"description": "new"}));

        let mut planned2 = prior.clone();
        if let Value::Object(m) = &mut planned2 {
            if let Some(Value::Object(c)) = m.get_mut("config") {
                c.insert("client_secret".into(), Value::string("new-secret"));
            }
        }
        let body = serde_json::to_value(update_of(&prior, &planned2, &planned2)).unwrap();
        assert_eq!(body["config"]["client_secret"], "new-secret");
        assert_eq!(body["config"]["tenant_id"], "t");
        assert!(body.get("name").is_none());
    }

    #[test]
    fn create_body_has_secret_but_debug_does_not() {
        let planned = Value::object([
            ("template", Value::string("msgraph")),
            ("name", Value::string("n")),
            ("description", Value::string("")),
            (
                "config",
                Value::object([
                    ("auth_type", Value::string("Viewer")),
                    ("client_secret", Value::string("hunter2")),
                    ("scopes", Value::string("s")),
                ]),
            ),
        ]);
        let req = new_of(&planned, &planned);
        assert_eq!(serde_json::to_value(&req).unwrap()["config"]["client_secret"], "hunter2");
        assert!(!format!("{req:?}").contains("hunter2"));
    }
}
