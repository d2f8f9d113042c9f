//! Server behaviour profiles: where no public source says what a real Connect does (see "What
//! Connect decides" in `docs/resources/connect_oauth_integration.md`), each profile is one
//! plausible behaviour, so a client can be tested against every one of them instead of against
//! the fake's single guess (which, made by the same people, would share the client's
//! assumptions).
//!
//! Set one on a running server with [`crate::Store::set_profile`], or start the binary with
//! `--profile NAME` (or `FAKE_CONNECT_PROFILE=NAME`).
//!
//! Config values: Connect's field docs say a template field's value "must be a string" (a few
//! options are booleans), and nothing says how a PATCH removes a key. By default the fake is
//! lenient there: a `null` value is a key not sent on create and removes the key on a PATCH
//! (`client_secret: null` drops the held secret), and numbers are stored as sent.
//! [`Profile::StrictValues`] is the other reading: anything but a string or a boolean is refused.

use serde_json::{Map, Value};

use crate::errors::ApiError;
use crate::rules::{self, CONFIDENTIAL, SECRET_KEY};

/// One plausible behaviour of a real Connect. See each variant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Profile {
    /// Fills in `auth_mode` when it is not sent (Confidential with a secret or for a service
    /// account, else Public) and, for Azure integrations, `use_pkce`; answers `auth_type` both
    /// inside `config` and at the top level.
    #[default]
    Derives,
    /// Azure integrations come back without `auth_mode`, whether or not it was sent.
    NoAuthMode,
    /// The server decides `auth_mode` itself: `Confidential` for every Azure integration,
    /// whatever was sent.
    ServerAuthMode,
    /// A 400 (code 228) for a config key the template does not define; for the Azure templates
    /// anything beyond `auth_type`, `tenant_id`, `client_id`, `client_secret` and `scopes`.
    StrictKeys,
    /// `auth_type` only at the top level of an answer, never inside `config`.
    AuthTypeTopLevel,
    /// `auth_type` only inside `config`, never at the top level.
    AuthTypeInConfig,
    /// `custom` integrations come back with `token_endpoint_auth_method` and `use_pkce: true`
    /// added, even for a Confidential application (as a recorded 2024.12.0 answer has them).
    CustomFills,
    /// Scopes filled in by the server when none are sent: the template's default
    /// (`offline_access` for templates without one).
    DefaultScopes,
    /// Connect 2024.12: version `2024.12.0`, no templates endpoint (404 with an HTML body), no
    /// `auth_type` anywhere in answers, one content association per content item.
    Older,
    /// A server without the OAuth API: every OAuth path answers 404.
    NoOAuthApi,
    /// Besides what clients create, the server holds one integration made elsewhere (by another
    /// tool) whose `name`, `description` and `template` are JSON null, as the document's
    /// `OAuthIntegration` allows: it is in every list and answers GET by its guid,
    /// [`Profile::NULL_NAMES_GUID`]. It is stored when the profile is set, so it counts in
    /// [`crate::Store::len`].
    NullNames,
    /// A strict server: on create and on PATCH, a 400 (code 228, naming the key) for any config
    /// value that is not a string or a boolean: `null` (so no key is removed by sending null),
    /// a number, an array, an object. The default profile takes `null` as "not sent" on create
    /// and as "remove this key" on a PATCH.
    StrictValues,
    /// A server that predates permissions on integrations: its integration answers have no
    /// `permissions`, `environment_variables` or `content_count` (real 2025.07.0 answers have
    /// none of the three, which the published document lists; which Connect version added them
    /// is not recorded), and a create or a PATCH that sends `permissions` has them ignored, as a
    /// field the server does not know: not checked, not stored.
    NoPermissions,
    /// A server with groups disabled: `GET /v1/groups` and `GET /v1/groups/{guid}` answer 400
    /// (code 2, BadRequest; see `principals.rs` for why), and, having no groups, it refuses a
    /// permission naming a group as it refuses one naming a group it does not know (400, code
    /// 262). The document says of `getGroups` only that "an error is returned when groups are
    /// disabled".
    NoGroups,
    /// A server with `Authorization.PublishersCanManageVanities` off (Connect's default is on):
    /// a publisher's `PUT` and `DELETE` of `/v1/content/{guid}/vanity` answer 403 (code 22,
    /// PermissionDenied) even on content the publisher owns; administrators are unaffected, and
    /// reading a vanity path is still allowed.
    PublishersNoVanity,
}

/// The config keys an Azure template defines (the seed page's curl bodies send exactly these).
const AZURE_KEYS: [&str; 5] = ["auth_type", "tenant_id", "client_id", SECRET_KEY, "scopes"];

/// Scopes the server fills in for a template without a documented default.
const FALLBACK_SCOPES: &str = "offline_access";

impl Profile {
    /// Every profile, for tests that run under each.
    pub const ALL: [Profile; 15] = [
        Profile::Derives,
        Profile::NoAuthMode,
        Profile::ServerAuthMode,
        Profile::StrictKeys,
        Profile::AuthTypeTopLevel,
        Profile::AuthTypeInConfig,
        Profile::CustomFills,
        Profile::DefaultScopes,
        Profile::Older,
        Profile::NoOAuthApi,
        Profile::NullNames,
        Profile::StrictValues,
        Profile::NoPermissions,
        Profile::NoGroups,
        Profile::PublishersNoVanity,
    ];

    /// The guid of the integration [`Profile::NullNames`] adds.
    pub const NULL_NAMES_GUID: &'static str = "0d5f8a3e-6c1b-4f2a-9e7d-5b4c3a2f1e0d";

    /// The profile's name on the command line (`derives`, `no-auth-mode`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Profile::Derives => "derives",
            Profile::NoAuthMode => "no-auth-mode",
            Profile::ServerAuthMode => "server-auth-mode",
            Profile::StrictKeys => "strict-keys",
            Profile::AuthTypeTopLevel => "auth-type-top-level",
            Profile::AuthTypeInConfig => "auth-type-in-config",
            Profile::CustomFills => "custom-fills",
            Profile::DefaultScopes => "default-scopes",
            Profile::Older => "older",
            Profile::NoOAuthApi => "no-oauth-api",
            Profile::NullNames => "null-names",
            Profile::StrictValues => "strict-values",
            Profile::NoPermissions => "no-permissions",
            Profile::NoGroups => "groups-disabled",
            Profile::PublishersNoVanity => "publishers-no-vanity",
        }
    }

    /// The profile named `name`.
    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name.trim())
    }

    /// The version `server_settings` reports under this profile, when it fixes one.
    pub(crate) fn server_version(self) -> Option<&'static str> {
        (self == Profile::Older).then_some("2024.12.0")
    }

    /// Whether the server has the templates endpoints.
    pub(crate) fn has_templates(self) -> bool {
        self != Profile::Older
    }

    /// Whether the server has the OAuth API at all.
    pub(crate) fn has_oauth(self) -> bool {
        self != Profile::NoOAuthApi
    }

    /// Whether integrations have `permissions` (and answer `environment_variables` and
    /// `content_count`).
    pub(crate) fn has_permissions(self) -> bool {
        self != Profile::NoPermissions
    }

    /// Whether the server has groups.
    pub(crate) fn has_groups(self) -> bool {
        self != Profile::NoGroups
    }

    /// Whether publishers may set and delete the vanity paths of content they may change
    /// (`Authorization.PublishersCanManageVanities`).
    pub(crate) fn publishers_manage_vanities(self) -> bool {
        self != Profile::PublishersNoVanity
    }

    /// How many integrations one content item may use (`None`: any number).
    pub(crate) fn max_associations(self) -> Option<usize> {
        (self == Profile::Older).then_some(1)
    }

    /// The config a create or a PATCH sent, as it came (nulls included), checked for the kinds
    /// of value this server takes: anything under [`Profile::StrictValues`], which takes only
    /// strings and booleans.
    pub(crate) fn check_values(self, config: &Map<String, Value>) -> Result<(), ApiError> {
        if self != Profile::StrictValues {
            return Ok(());
        }
        match config.iter().find(|(_, v)| !v.is_string() && !v.is_boolean()) {
            Some((key, value)) => Err(ApiError::bad_config(format!(
                "The config key {key} must be a string or a boolean, not {}",
                kind(value)
            ))),
            None => Ok(()),
        }
    }

    /// A create's config, checked and completed as this server would before storing it.
    pub(crate) fn on_create(self, template: &str, config: &mut Map<String, Value>) -> Result<(), ApiError> {
        self.check_keys(template, config)?;
        if self == Profile::DefaultScopes && !config.contains_key("scopes") {
            let scopes = rules::default_scopes(template).unwrap_or(FALLBACK_SCOPES);
            config.insert("scopes".into(), Value::from(scopes));
        }
        Ok(())
    }

    /// A PATCH's config, as sent, checked as this server would.
    pub(crate) fn on_update(self, template: &str, patch: &Map<String, Value>) -> Result<(), ApiError> {
        self.check_values(patch)?;
        self.check_keys(template, patch)
    }

    fn check_keys(self, template: &str, config: &Map<String, Value>) -> Result<(), ApiError> {
        if self != Profile::StrictKeys || !rules::is_azure(template) {
            return Ok(());
        }
        match config.keys().find(|k| !AZURE_KEYS.contains(&k.as_str())) {
            Some(k) => {
                Err(ApiError::bad_config(format!("The config key {k} is not a field of the {template} template")))
            }
            None => Ok(()),
        }
    }

    /// An answer's `config` and top-level `auth_type` (rendered the default way) as this
    /// server would give them.
    pub(crate) fn render(self, template: &str, config: &mut Map<String, Value>, auth_type: &mut Option<String>) {
        let azure = rules::is_azure(template);
        match self {
            Profile::NoAuthMode if azure => {
                config.remove("auth_mode");
            }
            Profile::ServerAuthMode if azure => {
                config.insert("auth_mode".into(), Value::from(CONFIDENTIAL));
            }
            Profile::AuthTypeTopLevel => {
                config.remove("auth_type");
            }
            Profile::AuthTypeInConfig => *auth_type = None,
            Profile::Older => {
                config.remove("auth_type");
                *auth_type = None;
            }
            Profile::CustomFills if template == "custom" => {
                config.entry("token_endpoint_auth_method").or_insert_with(|| Value::from("client_secret_basic"));
                config.insert("use_pkce".into(), Value::Bool(true));
            }
            _ => {}
        }
    }
}

/// A JSON value's kind, as an error message names it.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn names_round_trip() {
        for p in Profile::ALL {
            assert_eq!(Profile::from_name(p.name()), Some(p));
        }
        assert_eq!(Profile::from_name("nope"), None);
    }

    #[test]
    fn strict_keys_refuse_what_the_azure_templates_do_not_define() {
        let mut ok = map(json!({"auth_type": "Viewer", "tenant_id": "t", "client_id": "c", "scopes": "s"}));
        assert!(Profile::StrictKeys.on_create("msgraph", &mut ok).is_ok());
        let mut extra = map(json!({"tenant_id": "t", "client_id": "c", "auth_mode": "Public"}));
        let e = Profile::StrictKeys.on_create("msgraph", &mut extra).unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (400, 228));
        assert!(e.message.contains("auth_mode"), "{}", e.message);
        assert!(Profile::Derives.on_create("msgraph", &mut extra).is_ok());
        assert!(Profile::StrictKeys.on_create("custom", &mut extra).is_ok());
    }

    #[test]
    fn strict_values_take_only_strings_and_booleans() {
        let fine = map(json!({"client_id": "c", "use_pkce": true}));
        assert!(Profile::StrictValues.check_values(&fine).is_ok());
        for (bad, said) in [(json!(null), "null"), (json!(3), "a number"), (json!({"a": "b"}), "an object")] {
            let sent = map(json!({"client_id": "c", "client_secret": bad}));
            let e = Profile::StrictValues.check_values(&sent).unwrap_err();
            assert_eq!((e.status.as_u16(), e.code), (400, 228));
            assert_eq!(e.message, format!("The config key client_secret must be a string or a boolean, not {said}"));
            assert!(Profile::StrictValues.on_update("custom", &sent).is_err());
            assert!(Profile::Derives.check_values(&sent).is_ok());
            assert!(Profile::Derives.on_update("custom", &sent).is_ok());
        }
    }

    #[test]
    fn rendering_follows_the_profile() {
        let sent = map(json!({"auth_type": "Viewer", "auth_mode": "Public", "scopes": "s"}));
        let render = |p: Profile, template: &str| {
            let (mut config, mut top) = (sent.clone(), Some("Viewer".to_string()));
            p.render(template, &mut config, &mut top);
            (Value::Object(config), top)
        };
        assert_eq!(render(Profile::NoAuthMode, "azure").0.get("auth_mode"), None);
        assert_eq!(render(Profile::NoAuthMode, "custom").0["auth_mode"], "Public");
        assert_eq!(render(Profile::ServerAuthMode, "sharepoint").0["auth_mode"], "Confidential");
        let (config, top) = render(Profile::AuthTypeTopLevel, "azure");
        assert_eq!((config.get("auth_type"), top.as_deref()), (None, Some("Viewer")));
        let (config, top) = render(Profile::AuthTypeInConfig, "azure");
        assert_eq!((config["auth_type"].as_str(), top), (Some("Viewer"), None));
        let (config, top) = render(Profile::Older, "azure");
        assert_eq!((config.get("auth_type"), top), (None, None));
        let (config, _) = render(Profile::CustomFills, "custom");
        assert_eq!(
            (config["use_pkce"].clone(), config["token_endpoint_auth_method"].clone()),
            (json!(true), json!("client_secret_basic"))
        );
    }

    #[test]
    fn default_scopes_are_filled_in_on_create() {
        let mut config = map(json!({"tenant_id": "t", "client_id": "c"}));
        Profile::DefaultScopes.on_create("msgraph", &mut config).unwrap();
        assert_eq!(config["scopes"], "https://graph.microsoft.com/.default offline_access");
        let mut config = map(json!({"client_id": "c"}));
        Profile::DefaultScopes.on_create("custom", &mut config).unwrap();
        assert_eq!(config["scopes"], FALLBACK_SCOPES);
        let mut config = map(json!({"scopes": "mine"}));
        Profile::DefaultScopes.on_create("msgraph", &mut config).unwrap();
        assert_eq!(config["scopes"], "mine");
    }
}
