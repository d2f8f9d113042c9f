//! `posit_connect_content_vanity_url`: the vanity URL of one content item (`/sales/` for
//! `https://connect.example.org/sales/`), in one file: its schema with the path's rules and
//! normal form, the resource, and the Connect calls behind each operation.
//!
//! Paths are compared in Connect's normal form: one leading and one trailing `/`, empty segments
//! dropped (Connect answers `my-app` as `/my-app/`). The state keeps the path as configured
//! whenever the server's path has the same normal form, so `my-app`, `/my-app` and `/my-app/`
//! plan no change against each other, and no apply records anything but what was planned.

use async_trait::async_trait;

use crate::connect::{Client, Error, Vanity, PROHIBITED_VANITY_PATH, VANITY_PATH_IN_USE};
use crate::connect_diagnostics::diagnostic;
use crate::content_diagnostics::{no_such_content, not_a_content_guid};
use crate::provider_data::ProviderData;

use tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::model::{Attr, Model};
use tfplugin::plan_modifiers::{AttributePlan, PlanModifier, RequiresReplace, UseStateForUnknown};
use tfplugin::resource::{
    CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, ImportRequest, ImportResponse, ReadRequest,
    ReadResponse, Resource, UpdateRequest, UpdateResponse,
};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::validators::Validator;
use tfplugin::value::Value;

/// The first path segments Connect keeps for itself, besides anything starting with `__`: the
/// list in Connect's API reference for `PUT /v1/content/{guid}/vanity`, as posit-sdk-py's
/// `vanities.py` repeats it (`/favicon.ico` is left out: its `.` is refused anyway).
const RESERVED: [&str; 20] = [
    "connect",
    "apps",
    "users",
    "groups",
    "setpassword",
    "user-completion",
    "confirm",
    "recent",
    "reports",
    "plots",
    "unpublished",
    "settings",
    "metrics",
    "tokens",
    "help",
    "login",
    "welcome",
    "register",
    "resetpassword",
    "content",
];

/// The attributes: the content item (changing it replaces the resource), the path, and whether
/// the path may be taken from other content.
fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "The vanity URL of one content item on Connect: a path under the server (`/sales/` for \
             `https://connect.example.org/sales/`) that leads to the content.",
            vec![
                Attribute::string("id")
                    .computed()
                    .plan_modifier(UseStateForUnknown)
                    .describe("The content item's guid."),
                Attribute::string("content_guid")
                    .required()
                    .plan_modifier(RequiresReplace)
                    .validate(ContentGuid)
                    .describe(
                        "The guid of the content item. **Changing it replaces the resource**: the vanity URL is \
                         deleted from the old content and set on the new one.",
                    ),
                Attribute::string("path").required().plan_modifier(SamePath).validate(VanityPath).describe(
                    "The vanity path, such as `sales` or `/team/sales/`. Connect stores it with a leading and a \
                         trailing `/`; written with or without them it is the same path and plans no change. \
                         Updates in place. A path another content item has is refused unless `force` is true; a \
                         path that would nest in, or hold, another content item's vanity path is refused.",
                ),
                Attribute::bool("force").default(Value::Bool(false)).describe(
                    "Take the path from another content item that has it (default `false`). That content **loses its \
                     vanity URL**. Without it, a path in use is an error naming the path; a nested path is refused \
                     either way.",
                ),
            ],
        ),
    )
}

/// The path in Connect's normal form (`/a/b/`: one leading and one trailing `/`, empty segments
/// dropped, case kept); `None` for a path with no segment (`""`, `/`).
pub(crate) fn normal_form(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    (!segments.is_empty()).then(|| format!("/{}/", segments.join("/")))
}

/// Whether two paths are the same vanity path once normalised.
fn same_path(a: &str, b: &str) -> bool {
    normal_form(a).is_some_and(|a| Some(a) == normal_form(b))
}

/// Why Connect would refuse `path` whatever the server holds, or `None`: what can be known
/// offline (the characters Connect accepts, the root, `/__` and the reserved prefixes). Paths
/// taken or nested are the server's to say.
fn path_problem(path: &str) -> Option<String> {
    if path.trim().is_empty() {
        return Some("is empty".into());
    }
    if let Some(c) = path.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/'))) {
        return Some(format!("holds {c:?}: Connect accepts letters, digits, '-', '_' and '/' only"));
    }
    let first = path.split('/').find(|s| !s.is_empty());
    match first {
        None => Some("is the server's root, which is Connect's own page".into()),
        Some(s) if s.starts_with("__") => {
            Some(format!("starts with /{s}/: Connect keeps every path under /__ for itself"))
        }
        Some(s) if RESERVED.contains(&s) => Some(format!("starts with /{s}/, which Connect keeps for itself")),
        Some(_) => None,
    }
}

/// `path`'s rules at plan (see [`path_problem`]).
#[derive(Debug, Clone)]
struct VanityPath;

impl Validator for VanityPath {
    fn validate(&self, path: &AttributePath, value: &Value, diags: &mut Diagnostics) {
        let Some(s) = value.as_str() else { return };
        if let Some(why) = path_problem(s) {
            let shown = crate::untrusted::server_text(s, 100);
            diags.attr_error(
                path.clone(),
                format!("Invalid vanity path {shown:?}"),
                format!(
                    "{path} is {shown:?}, which {why}. A vanity path is letters, digits, '-', '_' and '/' (such as \
                     \"sales\" or \"/team/sales/\"), not under /__ nor under one of Connect's own paths: /{}.",
                    RESERVED.join(", /")
                ),
            );
        }
    }

    fn describe(&self) -> String {
        "Letters, digits, `-`, `_` and `/` only; not `/` itself, nor under `/__` or one of Connect's own paths \
         (`/connect`, `/apps`, `/content`, `/users`, ...)."
            .into()
    }
}

/// `content_guid` must be a guid: anything else (a name, a URL) is said at plan, not as a 404.
#[derive(Debug, Clone)]
struct ContentGuid;

impl Validator for ContentGuid {
    fn validate(&self, path: &AttributePath, value: &Value, diags: &mut Diagnostics) {
        let Some(s) = value.as_str() else { return };
        if let Some(d) = not_a_content_guid(s, &path.to_string()) {
            diags.push(d.at(path.clone()));
        }
    }

    fn describe(&self) -> String {
        "Must be a guid (8-4-4-4-12 hexadecimal digits).".into()
    }
}

/// A planned path with the same normal form as the state's is planned as the state's, so
/// writing `my-app` for a stored `/my-app/` (after an import, say) is no change.
#[derive(Debug)]
struct SamePath;

impl PlanModifier for SamePath {
    fn modify(&self, req: &AttributePlan<'_>, planned: &mut Value, _diags: &mut Diagnostics) {
        if let (Some(new), Some(old)) = (planned.as_str(), req.prior.as_str()) {
            if new != old && same_path(new, old) {
                *planned = Value::string(old);
            }
        }
    }
}

/// `resource "posit_connect_content_vanity_url"`, for
/// [`PositProvider`](crate::provider::PositProvider)'s list of resources.
#[derive(Debug)]
pub struct ContentVanityUrl {
    schema: Schema,
}

impl Default for ContentVanityUrl {
    fn default() -> Self {
        Self::new()
    }
}

impl ContentVanityUrl {
    /// The resource, its schema built once.
    pub fn new() -> Self {
        ContentVanityUrl { schema: schema() }
    }
}

#[async_trait]
impl Resource<ProviderData> for ContentVanityUrl {
    fn type_name(&self) -> &'static str {
        "posit_connect_content_vanity_url"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn create(&self, connect: &ProviderData, req: CreateRequest, resp: &mut CreateResponse) {
        match VanityUrl::read(&req.planned) {
            Ok(planned) => {
                if let Some(state) = api::set(&connect.client, &planned, &mut resp.diagnostics).await {
                    resp.new_state = state;
                }
            }
            Err(d) => resp.diagnostics.push(d),
        }
    }

    async fn read(&self, connect: &ProviderData, req: ReadRequest, resp: &mut ReadResponse) {
        match VanityUrl::read(&req.current) {
            Ok(current) => api::read(&connect.client, &current, resp).await,
            Err(d) => resp.diagnostics.push(d),
        }
    }

    async fn update(&self, connect: &ProviderData, req: UpdateRequest, resp: &mut UpdateResponse) {
        match VanityUrl::read(&req.planned) {
            Ok(planned) => {
                if let Some(state) = api::set(&connect.client, &planned, &mut resp.diagnostics).await {
                    resp.new_state = state;
                }
            }
            Err(d) => resp.diagnostics.push(d),
        }
    }

    async fn delete(&self, connect: &ProviderData, req: DeleteRequest, resp: &mut DeleteResponse) {
        match VanityUrl::read(&req.prior) {
            Ok(prior) => api::delete(&connect.client, &prior, resp).await,
            Err(d) => resp.diagnostics.push(d),
        }
    }

    async fn import(&self, connect: &ProviderData, req: ImportRequest, resp: &mut ImportResponse) {
        if let Some(d) = not_a_content_guid(&req.id, "The import ID") {
            return resp.diagnostics.push(d);
        }
        api::import(&connect.client, &req.id, resp).await
    }
}

tfplugin::model! {
    /// One content item's vanity URL, as Terraform holds it.
    struct VanityUrl {
        id: Attr<String>,
        content_guid: Attr<String>,
        path: Attr<String>,
        force: Attr<bool>,
    }
}

impl VanityUrl {
    fn of(content: &str, path: &str, force: bool) -> Self {
        VanityUrl {
            id: Attr::known(content.to_string()),
            content_guid: Attr::known(content.to_string()),
            path: Attr::known(path.to_string()),
            force: Attr::known(force),
        }
    }

    fn content(&self) -> &str {
        self.content_guid.as_str().unwrap_or_default()
    }

    fn path(&self) -> &str {
        self.path.as_str().unwrap_or_default()
    }

    /// `force` as planned; false when unset (an imported state).
    fn force(&self) -> bool {
        self.force.get().copied().unwrap_or(false)
    }

    /// The state for the server's `vanity`: the path as `self` has it when it is the same path,
    /// the server's otherwise (drift).
    fn with_server_path(&self, vanity: &Vanity) -> Self {
        let path = if same_path(&vanity.path, self.path()) { self.path() } else { &vanity.path };
        VanityUrl::of(self.content(), path, self.force())
    }
}

/// A refused `PUT /v1/content/{guid}/vanity`, said where it belongs: a path in use or refused
/// at `path` (Connect's codes 51 and 52), a refusal of the key's rights on the resource with
/// what Connect requires, anything else with [`diagnostic`]'s hints. A 404 is the caller's to
/// tell apart first (see [`api::set`]).
fn set_refused(content: &str, path: &str, force: bool, err: &Error) -> Diagnostic {
    let shown = crate::untrusted::server_text(path, 100);
    let at_path = AttributePath::root("path");
    match err.code() {
        Some(VANITY_PATH_IN_USE) => {
            let what = if force {
                "force = true takes a path from the content item that has it, but Connect also refuses a path that \
                 would nest in another content item's vanity path or hold one (/a/ and /a/b/ cannot both be vanity \
                 paths), whatever force says: choose another path, or remove the other vanity URL first."
            } else {
                "Another content item has this vanity path, or one it would nest in or hold (/a/ and /a/b/ cannot \
                 both be vanity paths). To take the path from the content item that has it, set force = true: that \
                 content loses its vanity URL. A nested path cannot be taken: choose another path."
            };
            return Diagnostic::error(
                format!("The vanity path {shown:?} is in use on Connect"),
                format!("{err}\n\n{what}"),
            )
            .at(at_path);
        }
        Some(PROHIBITED_VANITY_PATH) => {
            return Diagnostic::error(
                format!("Connect refuses the vanity path {shown:?}"),
                format!(
                    "{err}\n\nConnect refuses paths under /__, under one of its own paths (/{}), and on some \
                     servers paths that nest in or hold another content item's vanity path: choose another path.",
                    RESERVED.join(", /")
                ),
            )
            .at(at_path);
        }
        _ => {}
    }
    if err.status() == Some(403) {
        let taking = if force {
            " With force = true, Connect may also refuse because the key's user may not change the content item \
             that has the path now."
        } else {
            ""
        };
        return Diagnostic::error(
            format!("Connect refused to change the vanity URL of content {content}"),
            format!(
                "{err}\n\nTo set or delete a vanity URL, the API key's user must be an administrator, or a publisher \
                 who owns or collaborates on the content item on a server whose \
                 Authorization.PublishersCanManageVanities setting is on (Connect's default).{taking}"
            ),
        );
    }
    diagnostic(&format!("Could not set the vanity URL of content {content}"), err)
}

/// The Connect calls: GET to read, PUT to create or update, DELETE to delete.
mod api {
    use super::*;
    use crate::connect::Deleted;

    /// Refresh. A vanity URL removed on the server (or taken by other content with `force`)
    /// drops the resource from state, so the plan sets it again; content deleted on the server
    /// too, with a warning saying so.
    pub(crate) async fn read(client: &Client, current: &VanityUrl, resp: &mut ReadResponse) {
        let content = current.content();
        match client.get_vanity(content).await {
            Ok(Some(vanity)) => resp.new_state = Model::to_value(&current.with_server_path(&vanity)),
            Ok(None) => {
                resp.new_state = Value::Null;
                // Connect answers 404 both when the content has no vanity URL and when it is
                // gone: the content itself tells them apart, for the warning only.
                if let Ok(None) = client.get_content(content).await {
                    resp.diagnostics.push(
                        Diagnostic::warning(
                            format!("Content {content} was deleted outside Terraform"),
                            format!(
                                "Connect at {} no longer has the content item {content}, so its vanity URL {:?} is \
                                 gone too. Terraform plans to set it again, which fails until content_guid names \
                                 content that exists: point content_guid at the content's new guid if it was \
                                 redeployed, or remove this resource.",
                                client.server_url(),
                                current.path()
                            ),
                        )
                        .at(AttributePath::root("content_guid")),
                    );
                }
            }
            Err(e) => {
                resp.diagnostics.push(diagnostic(&format!("Could not read the vanity URL of content {content}"), &e))
            }
        }
    }

    /// Create or update: PUT the planned path and `force`. The new state records the path as
    /// planned (Connect's answer holds its normal form); an answer with another path is warned
    /// about, since the next refresh will show it. `None` with an error when nothing was set.
    pub(crate) async fn set(client: &Client, planned: &VanityUrl, diags: &mut Diagnostics) -> Option<Value> {
        let (content, path, force) = (planned.content(), planned.path(), planned.force());
        match client.set_vanity(content, path, force).await {
            Ok(vanity) => {
                if !same_path(&vanity.path, path) {
                    diags.push(
                        Diagnostic::warning(
                            "Connect stored another vanity path than the one sent",
                            format!(
                                "path {:?} was sent for content {content}, but Connect answered with {:?}. The next \
                                 plan will show the difference: write path = {:?} to match the server.",
                                path,
                                crate::untrusted::server_text(&vanity.path, 200),
                                crate::untrusted::server_text(&vanity.path, 200),
                            ),
                        )
                        .at(AttributePath::root("path")),
                    );
                }
                Some(Model::to_value(&VanityUrl::of(content, path, force)))
            }
            Err(e) if e.status() == Some(404) && !e.is_missing_api() => {
                let d = match client.get_content(content).await {
                    Ok(None) => no_such_content(client.server_url(), content, Some(&e)),
                    _ => diagnostic(&format!("Could not set the vanity URL of content {content}"), &e),
                };
                diags.push(d);
                None
            }
            Err(e) => {
                diags.push(set_refused(content, path, force, &e));
                None
            }
        }
    }

    /// Delete. A vanity URL (or content) already gone is the goal reached.
    pub(crate) async fn delete(client: &Client, prior: &VanityUrl, resp: &mut DeleteResponse) {
        let content = prior.content();
        match client.delete_vanity(content).await {
            Ok(Deleted::Yes | Deleted::AlreadyGone) => {}
            Err(e) if e.status() == Some(403) => {
                let mut d = set_refused(content, prior.path(), false, &e);
                d.summary = format!("Connect refused to delete the vanity URL of content {content}");
                resp.diagnostics.push(d)
            }
            Err(e) => {
                resp.diagnostics.push(diagnostic(&format!("Could not delete the vanity URL of content {content}"), &e))
            }
        }
    }

    /// Import by content guid: the server's path, `force` false.
    pub(crate) async fn import(client: &Client, content: &str, resp: &mut ImportResponse) {
        match client.get_vanity(content).await {
            Ok(Some(vanity)) => resp.imported.push(Model::to_value(&VanityUrl::of(content, &vanity.path, false))),
            Ok(None) => {
                let why = match client.get_content(content).await {
                    Ok(None) => "has no content item with that guid",
                    _ => "has that content item, but it has no vanity URL",
                };
                resp.diagnostics.push(Diagnostic::error(
                    "Cannot import a vanity URL that does not exist",
                    format!(
                        "Connect at {} {why}: nothing to import for content {content:?}. Without an import, an apply \
                         sets the configured path.",
                        client.server_url()
                    ),
                ))
            }
            Err(e) => {
                resp.diagnostics.push(diagnostic(&format!("Could not import the vanity URL of content {content}"), &e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::testing::plan;

    const CONTENT: &str = "f2f37341-e21d-3d80-c698-a935ad614066";

    #[test]
    fn the_model_has_the_schemas_attributes() {
        assert_eq!(VanityUrl::check_schema(&schema().block), Ok(()));
    }

    #[test]
    fn paths_have_one_normal_form() {
        for (written, normal) in [
            ("my-app", "/my-app/"),
            ("/my-app", "/my-app/"),
            ("my-app/", "/my-app/"),
            ("/my-app/", "/my-app/"),
            ("//team//Sales_2/", "/team/Sales_2/"),
        ] {
            assert_eq!(normal_form(written).as_deref(), Some(normal), "{written}");
        }
        assert_eq!(normal_form(""), None);
        assert_eq!(normal_form("//"), None);
        assert!(same_path("my-app", "/my-app/"));
        assert!(!same_path("my-app", "/My-App/"), "the case is kept");
        assert!(!same_path("/", "/"), "the root is no vanity path");
    }

    #[test]
    fn paths_connect_refuses_are_refused_at_plan() {
        for (path, why) in [
            ("", "is empty"),
            ("  ", "is empty"),
            ("/", "root"),
            ("has space", "' '"),
            ("dotted.name", "'.'"),
            ("q?x=1", "'?'"),
            ("ü", "'ü'"),
            ("../up", "'.'"),
            ("__api__", "/__api__/"),
            ("/__x/y/", "/__x/"),
            ("/connect", "/connect/"),
            ("content/mine", "/content/"),
            ("apps", "/apps/"),
        ] {
            let problem = path_problem(path).unwrap_or_else(|| panic!("{path:?} passes"));
            assert!(problem.contains(why), "{path:?}: {problem}");
        }
        for ok in ["sales", "/team/sales/", "connected", "apps_of_mine", "team/connect", "A-b_9", "_x"] {
            assert_eq!(path_problem(ok), None, "{ok}");
        }
    }

    #[test]
    fn the_validator_names_path_and_what_is_allowed() {
        let mut diags = Diagnostics::new();
        VanityPath.validate(&AttributePath::root("path"), &Value::string("/__api__/x"), &mut diags);
        let d = &diags.0[0];
        assert_eq!(d.attribute, Some(AttributePath::root("path")));
        assert!(d.detail.starts_with("path is \"/__api__/x\", which starts with /__api__/"), "{}", d.detail);
        assert!(d.detail.contains("letters, digits") && d.detail.contains("/connect"), "{}", d.detail);
        let mut diags = Diagnostics::new();
        VanityPath.validate(&AttributePath::root("path"), &Value::Unknown, &mut diags);
        assert!(diags.is_empty());
    }

    #[test]
    fn content_guid_and_import_id_must_be_guids() {
        let mut diags = Diagnostics::new();
        ContentGuid.validate(&AttributePath::root("content_guid"), &Value::string("my-report"), &mut diags);
        assert_eq!(diags.0.len(), 1);
        assert_eq!(diags.0[0].attribute, Some(AttributePath::root("content_guid")));
        assert!(diags.0[0].detail.starts_with("content_guid is \"my-report\", which is not a guid"));
        let mut diags = Diagnostics::new();
        ContentGuid.validate(&AttributePath::root("content_guid"), &Value::string(CONTENT), &mut diags);
        assert!(diags.is_empty());
        assert!(not_a_content_guid("https://c/content/abc", "The import ID").is_some());
        assert!(not_a_content_guid(&CONTENT.to_uppercase(), "The import ID").is_none());
    }

    fn state(path: &str, force: bool) -> Value {
        Model::to_value(&VanityUrl::of(CONTENT, path, force))
    }

    fn config(path: &str, force: Option<bool>) -> Value {
        Value::object([
            ("id", Value::Null),
            ("content_guid", Value::string(CONTENT)),
            ("path", Value::string(path)),
            ("force", force.map_or(Value::Null, Value::Bool)),
        ])
    }

    #[test]
    fn a_path_written_another_way_plans_no_change() {
        let block = schema().block;
        for (stored, written) in [("/my-app/", "my-app"), ("my-app", "/my-app/"), ("/my-app", "my-app/")] {
            let prior = state(stored, false);
            let resp = plan(&block, prior.clone(), config(written, None), |_, _| {});
            assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
            assert_eq!(resp.planned, prior, "{stored} written {written}");
        }
    }

    #[test]
    fn another_path_is_an_update_in_place_and_force_defaults_to_false() {
        let block = schema().block;
        let resp = plan(&block, state("/my-app/", false), config("other", None), |_, _| {});
        assert_eq!(resp.planned.get("path"), &Value::string("other"));
        assert_eq!(resp.planned.get("id"), &Value::string(CONTENT), "the id is kept");
        assert_eq!(resp.planned.get("force"), &Value::Bool(false));
        assert!(resp.requires_replace.is_empty(), "{:?}", resp.requires_replace);

        let created = plan(&block, Value::Null, config("my-app", Some(true)), |_, _| {});
        assert_eq!(created.planned.get("path"), &Value::string("my-app"), "a create plans the path as written");
        assert_eq!(created.planned.get("force"), &Value::Bool(true));
        assert_eq!(created.planned.get("id"), &Value::Unknown);
    }

    #[test]
    fn the_state_follows_the_server_only_when_the_path_differs() {
        let current = VanityUrl::of(CONTENT, "my-app", true);
        let server = |path: &str| Vanity { content_guid: CONTENT.into(), path: path.into(), created_time: None };
        assert_eq!(current.with_server_path(&server("/my-app/")), current);
        let drifted = current.with_server_path(&server("/renamed/"));
        assert_eq!(drifted.path.as_str(), Some("/renamed/"));
        assert_eq!(drifted.force.get(), Some(&true), "force stays as configured");
        // An imported state has no force: read as false, as the default plans it.
        let imported = VanityUrl { force: Attr::Null, ..current };
        assert_eq!(imported.with_server_path(&server("/my-app/")).force.get(), Some(&false));
    }

    fn api_error(status: u16, code: i64, message: &str) -> Error {
        Error::Api {
            method: reqwest::Method::PUT,
            url: format!("https://c/__api__/v1/content/{CONTENT}/vanity"),
            status,
            code: Some(code),
            message: message.into(),
        }
    }

    #[test]
    fn a_path_in_use_points_at_path_and_at_force() {
        let e = api_error(409, VANITY_PATH_IN_USE, "The vanity path /sales/ is in use by another content item.");
        let d = set_refused(CONTENT, "sales", false, &e);
        assert_eq!(d.attribute, Some(AttributePath::root("path")));
        assert!(d.summary.contains("\"sales\""), "{}", d.summary);
        assert!(d.detail.contains("is in use by another content item"), "Connect's words: {}", d.detail);
        assert!(d.detail.contains("set force = true") && d.detail.contains("loses its vanity URL"), "{}", d.detail);
        let d = set_refused(CONTENT, "sales", true, &e);
        assert!(d.detail.contains("whatever force says"), "{}", d.detail);
    }

    #[test]
    fn a_prohibited_path_points_at_path() {
        let e = api_error(400, PROHIBITED_VANITY_PATH, "The vanity path \"/Connect/x\" starts with /Connect/.");
        let d = set_refused(CONTENT, "/Connect/x", false, &e);
        assert_eq!(d.attribute, Some(AttributePath::root("path")));
        assert!(d.detail.contains("starts with /Connect/") && d.detail.contains("/__"), "{}", d.detail);
    }

    #[test]
    fn a_refusal_of_the_keys_rights_says_what_connect_requires() {
        let e = Error::Forbidden {
            method: reqwest::Method::PUT,
            url: format!("https://c/__api__/v1/content/{CONTENT}/vanity"),
            status: 403,
            message: Some("Only administrators may set or delete vanity URLs on this server.".into()),
        };
        let d = set_refused(CONTENT, "sales", false, &e);
        assert_eq!(d.attribute, None, "on the resource");
        assert!(d.detail.contains("Only administrators may set"), "Connect's words: {}", d.detail);
        assert!(d.detail.contains("Authorization.PublishersCanManageVanities"), "{}", d.detail);
        assert!(!d.detail.contains("OAuth"), "{}", d.detail);
        assert!(set_refused(CONTENT, "sales", true, &e).detail.contains("With force = true"));
    }
}
