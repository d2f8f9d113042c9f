//! `posit_connect_content_access`: who may see one content item (its access type) and its whole
//! access list (the users and groups who may view it, and those who may change it), in one file:
//! its schema, the checks at validate and plan, and the Connect calls behind each operation.
//!
//! The access list is compared as sets of guids (letter case aside) and changed one entry at a
//! time through Connect's per-entry API: a POST (an upsert) for each new entry or changed role, a
//! DELETE for each entry no longer configured. The content's owner is never an entry: Connect
//! lists the owner's own entry (role `owner`) in some versions, which is left out of every
//! comparison.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use crate::connect::{Client, Content, ContentPermission, Error};
use crate::connect_diagnostics::hint;
use crate::content_diagnostics::{may_not_change, no_such_content};
use crate::provider_data::ProviderData;
use crate::untrusted::server_text;
use tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::model::{Attr, Model, ModelError};
use tfplugin::plan_modifiers::{RequiresReplace, UseStateForUnknown};
use tfplugin::resource::{
    CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, ImportRequest, ImportResponse, PlanRequest,
    PlanResponse, ReadRequest, ReadResponse, Resource, UpdateRequest, UpdateResponse, ValidateRequest,
    ValidateResponse,
};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::validators::{Guid, OneOf};
use tfplugin::value::{Type, Value};

/// What `access_type` accepts: anyone (no sign-in), every signed-in user, or the access list.
pub const ACCESS_TYPES: &[&str] = &["all", "logged_in", "acl"];

/// The two lists, each with the Connect role its entries get.
const ROLES: [(&str, &str); 2] = [("viewers", "viewer"), ("collaborators", "owner")];
/// The two kinds of principal, each with Connect's `principal_type`.
const KINDS: [(&str, &str); 2] = [("users", "user"), ("groups", "group")];

fn principals_block(role: &str) -> Block {
    Block::new(
        "",
        vec![
            Attribute::of_type("users", Type::Set(Box::new(Type::String))).default(Value::Set(vec![])).describe(
                &format!("The guids of the users who {role} (e.g. from `data.posit_connect_user`). Defaults to none."),
            ),
            Attribute::of_type("groups", Type::Set(Box::new(Type::String))).default(Value::Set(vec![])).describe(
                &format!(
                    "The guids of the groups whose members {role} (e.g. from `data.posit_connect_group`). Defaults \
                     to none."
                ),
            ),
        ],
    )
}

fn no_principals() -> Value {
    Value::object([("users", Value::Set(vec![])), ("groups", Value::Set(vec![]))])
}

/// The attributes: the content item (changing it replaces the resource), its access type and the
/// two lists, each defaulting to empty (the resource owns the whole access list).
fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "Who may see and who may change one content item on Connect: its access type and its whole access \
             list. Authoritative: users and groups added to the content's access list outside Terraform are \
             removed on apply.",
            vec![
                Attribute::string("id")
                    .computed()
                    .plan_modifier(UseStateForUnknown)
                    .describe("The content item's guid."),
                Attribute::string("content_guid").required().plan_modifier(RequiresReplace).describe(
                    "The guid of the content item (8-4-4-4-12 hexadecimal digits; `data.posit_connect_content` finds \
                     it by name). **Changing it replaces the resource.**",
                ),
                Attribute::string("access_type").required().validate(OneOf(ACCESS_TYPES)).describe(
                    "Who may view the content: `all` (anyone, without signing in), `logged_in` (every signed-in \
                     user) or `acl` (only the users and groups listed, besides the owner, collaborators and \
                     administrators). Updates in place.",
                ),
                Attribute::single("viewers", principals_block("may view the content"))
                    .default(no_principals())
                    .describe(
                        "The users and groups who may view the content (Connect's role `viewer`). Leaving it out \
                         means none. Updates in place.",
                    ),
                Attribute::single("collaborators", principals_block("may view and change the content"))
                    .default(no_principals())
                    .describe(
                        "The users and groups who may view and change the content (Connect's role `owner`, \
                         collaborators in the dashboard). Leaving it out means none. Updates in place.",
                    ),
                Attribute::string("owner_guid").computed().plan_modifier(UseStateForUnknown).describe(
                    "The guid of the content's owner, who always may view and change it and is never an entry of \
                     the lists.",
                ),
            ],
        ),
    )
}

/// A set of guids as Terraform has it. Kept as the raw value: in a plan the set may be known
/// while an element is not yet (`users = [data.posit_connect_user.x.guid]` before the lookup has
/// run), which a set of strings cannot hold.
#[derive(Clone, Debug, PartialEq)]
struct Guids(Value);

impl tfplugin::model::AttrValue for Guids {
    fn from_value(v: &Value) -> Result<Self, ModelError> {
        match v {
            Value::Set(items) if items.iter().all(|i| i.as_str().is_some() || i.is_unknown()) => Ok(Guids(v.clone())),
            _ => Err(ModelError::new("expected a set of strings")),
        }
    }

    fn to_value(&self) -> Value {
        self.0.clone()
    }
}

impl Guids {
    fn of(guids: impl IntoIterator<Item = String>) -> Self {
        let set: BTreeSet<String> = guids.into_iter().collect();
        Guids(Value::Set(set.into_iter().map(Value::String).collect()))
    }

    /// The guids known so far.
    fn strings(&self) -> impl Iterator<Item = &str> {
        let items = if let Value::Set(items) = &self.0 { items.as_slice() } else { &[] };
        items.iter().filter_map(Value::as_str)
    }

    /// Every guid, lower-cased, when all are known.
    fn known_lower(&self) -> Option<BTreeSet<String>> {
        let Value::Set(items) = &self.0 else { return None };
        items.iter().map(|i| i.as_str().map(str::to_ascii_lowercase)).collect()
    }
}

tfplugin::model! {
    /// One of the two lists: users and groups.
    struct Principals {
        users: Attr<Guids>,
        groups: Attr<Guids>,
    }
}

tfplugin::model! {
    /// A content item's access, as Terraform holds it.
    struct AccessState {
        id: Attr<String>,
        content_guid: Attr<String>,
        access_type: Attr<String>,
        viewers: Attr<Principals>,
        collaborators: Attr<Principals>,
        owner_guid: Attr<String>,
    }
}

impl Principals {
    fn kind(&self, kind: &str) -> &Attr<Guids> {
        if kind == "users" {
            &self.users
        } else {
            &self.groups
        }
    }

    fn kind_mut(&mut self, kind: &str) -> &mut Attr<Guids> {
        if kind == "users" {
            &mut self.users
        } else {
            &mut self.groups
        }
    }
}

impl AccessState {
    fn content(&self) -> &str {
        self.content_guid.as_str().unwrap_or_default()
    }

    fn list(&self, list: &str) -> &Attr<Principals> {
        if list == "viewers" {
            &self.viewers
        } else {
            &self.collaborators
        }
    }

    fn list_mut(&mut self, list: &str) -> &mut Attr<Principals> {
        if list == "viewers" {
            &mut self.viewers
        } else {
            &mut self.collaborators
        }
    }

    /// The set at `list.kind` (`viewers.users`...), when the list is known.
    fn set(&self, list: &str, kind: &str) -> Option<&Guids> {
        self.list(list).get().and_then(|p| p.kind(kind).get())
    }

    /// Every known entry the state lists, each with where it is written.
    fn wanted(&self) -> Vec<Wanted> {
        let mut out = Vec::new();
        for (list, role) in ROLES {
            for (kind, principal_type) in KINDS {
                for guid in self.set(list, kind).into_iter().flat_map(Guids::strings) {
                    out.push(Wanted { guid: guid.to_string(), principal_type, role, list, kind });
                }
            }
        }
        out
    }
}

/// One entry a configuration (or state) asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Wanted {
    guid: String,
    principal_type: &'static str,
    role: &'static str,
    list: &'static str,
    kind: &'static str,
}

impl Wanted {
    fn path(&self) -> AttributePath {
        AttributePath::dotted(&format!("{}.{}", self.list, self.kind))
    }

    /// `user 3f1e...` or `group ...`, for messages.
    fn named(&self) -> String {
        format!("{} {}", self.principal_type, server_text(&self.guid, 64))
    }
}

/// The malformed guids and the principals listed twice in a configuration (values may be
/// unknown: only known ones are checked).
fn validate(config: &Value, diags: &mut Diagnostics) {
    let Ok(config) = AccessState::read(config) else { return };
    if let Some(c) = config.content_guid.as_str().filter(|c| !Guid::is_guid(c)) {
        diags.attr_error(
            AttributePath::root("content_guid"),
            "content_guid is not a guid",
            format!(
                "content_guid is {:?}, which is not a guid: give the content item's guid, 8-4-4-4-12 hexadecimal \
                 digits (in the content's URL on Connect, its Info panel, or from data.posit_connect_content).",
                server_text(c, 100)
            ),
        );
    }
    let wanted = config.wanted();
    for w in wanted.iter().filter(|w| !Guid::is_guid(&w.guid)) {
        diags.attr_error(
            w.path(),
            format!("Malformed guid in {}.{}", w.list, w.kind),
            format!(
                "{}.{} holds {:?}, which is not a guid: give the {} guid (8-4-4-4-12 hexadecimal digits), e.g. from \
                 data.posit_connect_{}.",
                w.list,
                w.kind,
                server_text(&w.guid, 100),
                w.principal_type,
                w.principal_type
            ),
        );
    }
    let mut seen: BTreeMap<String, &Wanted> = BTreeMap::new();
    for w in &wanted {
        let Some(first) = seen.get(&w.guid.to_ascii_lowercase()) else {
            seen.insert(w.guid.to_ascii_lowercase(), w);
            continue;
        };
        if first.list == w.list && first.kind == w.kind {
            continue; // the same guid in two letter cases: one entry
        }
        let detail = if first.kind == w.kind {
            format!(
                "{} is listed in both {}.{} and {}.{}, but a {} has one role on a content item. Collaborators may \
                 also view the content: list it once, in collaborators.{} to let it change the content, in \
                 viewers.{} otherwise.",
                server_text(&w.guid, 64),
                first.list,
                first.kind,
                w.list,
                w.kind,
                w.principal_type,
                w.kind,
                w.kind
            )
        } else {
            format!(
                "{} is listed in both {}.{} and {}.{}; a guid names either a user or a group: list it once, where \
                 it belongs.",
                server_text(&w.guid, 64),
                first.list,
                first.kind,
                w.list,
                w.kind
            )
        };
        diags.attr_error(w.path(), format!("{} listed twice", w.named()), detail);
    }
}

/// The plan: each configured set spelled as the prior state spells the same guids (Connect's
/// case wins, so letter case is no change).
fn spell_as_prior(planned: &mut AccessState, prior: &AccessState) {
    for (list, _) in ROLES {
        for (kind, _) in KINDS {
            let before = prior.set(list, kind).cloned();
            let Some(p) = planned.list_mut(list).get().cloned() else { continue };
            let (Some(now), Some(before)) = (p.kind(kind).get(), before) else { continue };
            if now != &before && now.known_lower().is_some() && now.known_lower() == before.known_lower() {
                let mut p = p;
                *p.kind_mut(kind) = Attr::known(before);
                *planned.list_mut(list) = Attr::known(p);
            }
        }
    }
}

/// The checks at plan that need the server (configure ran, the plan changes something): the
/// content exists, its owner is not listed, and every principal the plan adds exists. Lookups
/// that fail otherwise (a server with groups disabled answers the group lookup with an error)
/// are left to the apply, where Connect's own refusal points at the attribute.
async fn check_with_server(
    client: &Client,
    planned: &AccessState,
    prior: Option<&AccessState>,
    diags: &mut Diagnostics,
) {
    let content = planned.content();
    if planned.content_guid.get().is_some() && Guid::is_guid(content) {
        match client.get_content(content).await {
            Ok(None) => return diags.push(no_such_content(client.server_url(), content, None)),
            Ok(Some(c)) => {
                for w in planned.wanted().iter().filter(|w| w.guid.eq_ignore_ascii_case(&c.owner_guid)) {
                    diags.push(owner_listed(w));
                }
            }
            Err(_) => {}
        }
    }
    let before: BTreeSet<String> = prior
        .map(AccessState::wanted)
        .unwrap_or_default()
        .into_iter()
        .map(|w| key(&w.guid, w.principal_type))
        .collect();
    let mut asked = BTreeSet::new();
    for w in planned.wanted() {
        let k = key(&w.guid, w.principal_type);
        if !Guid::is_guid(&w.guid) || before.contains(&k) || !asked.insert(k) {
            continue;
        }
        // Connect's guids are lower-case; one written in capitals names the same principal.
        let guid = w.guid.to_ascii_lowercase();
        let missing = match w.principal_type {
            "user" => matches!(client.user_by_guid(&guid).await, Ok(None)),
            _ => matches!(client.group_by_guid(&guid).await, Ok(None)),
        };
        if missing {
            diags.push(
                Diagnostic::error(
                    format!("No {} on Connect", w.named()),
                    format!(
                        "{}.{} lists {:?}, but Connect at {} has no {} with that guid: check the guid (data.posit_connect_{} \
                         finds one by name).",
                        w.list,
                        w.kind,
                        server_text(&w.guid, 64),
                        client.server_url(),
                        w.principal_type,
                        w.principal_type
                    ),
                )
                .at(w.path()),
            );
        }
    }
}

fn key(guid: &str, principal_type: &str) -> String {
    format!("{principal_type}:{}", guid.to_ascii_lowercase())
}

fn owner_listed(w: &Wanted) -> Diagnostic {
    Diagnostic::error(
        format!("The content's owner is listed in {}.{}", w.list, w.kind),
        format!(
            "{} owns the content item: its owner always may view and change it and has no entry on its access list, \
             so Connect refuses one. Remove it from {}.{}.",
            server_text(&w.guid, 64),
            w.list,
            w.kind
        ),
    )
    .at(w.path())
}

/// Connect's error and what to do about it; for a refusal, the rights content changes need.
fn explain(err: &Error) -> String {
    match err.last_attempt() {
        Error::Forbidden { .. } => may_not_change(err, "its access"),
        _ => format!("{err}{}", hint(err)),
    }
}

/// Whether every later call would be refused the same way: stop at the first.
fn refused(err: &Error) -> bool {
    matches!(err.last_attempt(), Error::Forbidden { .. } | Error::Unauthorized { .. })
}

/// The state of a content item's access as the server has it, each set spelled as `prior`
/// spells the same guids. Entries for the owner, and those with a role or principal type the
/// provider does not know, are left out (the latter with a warning).
fn state_of(
    content_guid: &str,
    content: &Content,
    list: &[ContentPermission],
    prior: Option<&AccessState>,
    diags: &mut Diagnostics,
) -> AccessState {
    let mut state = AccessState {
        id: Attr::known(content_guid.to_string()),
        content_guid: Attr::known(content_guid.to_string()),
        access_type: Attr::known(content.access_type.clone()),
        viewers: Attr::Null,
        collaborators: Attr::Null,
        owner_guid: Attr::known(content.owner_guid.clone()),
    };
    if content.access_type.is_empty() {
        // A server that does not say: what the state had.
        state.access_type = prior.map(|p| p.access_type.clone()).unwrap_or(Attr::Null);
    }
    for e in list.iter().filter(|e| !managed(e, &content.owner_guid) && !is_owner(e, &content.owner_guid)) {
        diags.push(Diagnostic::warning(
            "An access list entry the provider does not manage",
            format!(
                "Content {} has an entry for {} {} with role {:?}, which posit_connect_content_access does not know \
                 (it manages users and groups with the roles viewer and owner): left as it is.",
                server_text(content_guid, 64),
                server_text(&e.principal_type, 20),
                server_text(&e.principal_guid, 64),
                server_text(&e.role, 20)
            ),
        ));
    }
    for (list_name, role) in ROLES {
        let mut p = Principals { users: Attr::Null, groups: Attr::Null };
        for (kind, principal_type) in KINDS {
            let found: Vec<String> = list
                .iter()
                .filter(|e| managed(e, &content.owner_guid) && e.role == role && e.principal_type == principal_type)
                .map(|e| e.principal_guid.clone())
                .collect();
            let found = Guids::of(found);
            let before = prior.and_then(|p| p.set(list_name, kind));
            *p.kind_mut(kind) = match before {
                Some(b) if b.known_lower().is_some() && b.known_lower() == found.known_lower() => {
                    Attr::known(b.clone())
                }
                _ => Attr::known(found),
            };
        }
        *state.list_mut(list_name) = Attr::known(p);
    }
    state
}

fn is_owner(e: &ContentPermission, owner: &str) -> bool {
    e.principal_guid.eq_ignore_ascii_case(owner)
}

/// An entry this resource manages: a user or group with role viewer or owner, not the owner.
fn managed(e: &ContentPermission, owner: &str) -> bool {
    !is_owner(e, owner) && ROLES.iter().any(|(_, r)| *r == e.role) && KINDS.iter().any(|(_, t)| *t == e.principal_type)
}

/// `resource "posit_connect_content_access"`, for
/// [`PositProvider`](crate::provider::PositProvider)'s list of resources.
#[derive(Debug)]
pub struct ContentAccess {
    schema: Schema,
}

impl Default for ContentAccess {
    fn default() -> Self {
        Self::new()
    }
}

impl ContentAccess {
    /// The resource, its schema built once.
    pub fn new() -> Self {
        ContentAccess { schema: schema() }
    }
}

#[async_trait]
impl Resource<ProviderData> for ContentAccess {
    fn type_name(&self) -> &'static str {
        "posit_connect_content_access"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, req: &ValidateRequest, resp: &mut ValidateResponse) {
        validate(&req.config, &mut resp.diagnostics);
    }

    /// The sets spelled as the prior state spells them; then, for a plan that changes anything
    /// and when configure could ask the server, the checks of `check_with_server`.
    async fn modify_plan(&self, connect: Option<&ProviderData>, req: &PlanRequest, resp: &mut PlanResponse) {
        if resp.planned.is_null() {
            return;
        }
        let mut planned = match AccessState::read(&resp.planned) {
            Ok(p) => p,
            Err(d) => return resp.diagnostics.push(d),
        };
        let prior = if req.prior.is_null() { None } else { AccessState::read(&req.prior).ok() };
        if let Some(prior) = &prior {
            spell_as_prior(&mut planned, prior);
            resp.planned = planned.to_value();
        }
        if resp.planned == req.prior {
            return;
        }
        // A replacement plans a create (Terraform plans it again without a prior state).
        let prior = prior.filter(|p| p.content_guid == planned.content_guid);
        if let Some(connect) = connect {
            check_with_server(&connect.client, &planned, prior.as_ref(), &mut resp.diagnostics).await;
        }
    }

    async fn create(&self, connect: &ProviderData, req: CreateRequest, resp: &mut CreateResponse) {
        match api::apply(&connect.client, &req.planned).await {
            Ok(state) => resp.new_state = state,
            Err(d) => resp.diagnostics.extend(d),
        }
    }

    async fn read(&self, connect: &ProviderData, req: ReadRequest, resp: &mut ReadResponse) {
        match AccessState::read(&req.current) {
            Ok(current) => api::read(&connect.client, &current, resp).await,
            Err(d) => resp.diagnostics.push(d),
        }
    }

    async fn update(&self, connect: &ProviderData, req: UpdateRequest, resp: &mut UpdateResponse) {
        match api::apply(&connect.client, &req.planned).await {
            Ok(state) => resp.new_state = state,
            Err(d) => resp.diagnostics.extend(d),
        }
    }

    async fn delete(&self, connect: &ProviderData, req: DeleteRequest, resp: &mut DeleteResponse) {
        match AccessState::read(&req.prior) {
            Ok(prior) => api::delete(&connect.client, &prior, &mut resp.diagnostics).await,
            Err(d) => resp.diagnostics.push(d),
        }
    }

    /// Import by content guid: the content must exist; the refresh that follows reads its access.
    async fn import(&self, connect: &ProviderData, req: ImportRequest, resp: &mut ImportResponse) {
        let id = req.id;
        if !Guid::is_guid(&id) {
            return resp.diagnostics.error(
                "Not a content guid",
                format!(
                    "The import ID is {:?}, which is not a guid: posit_connect_content_access is imported by the \
                     content item's guid, 8-4-4-4-12 hexadecimal digits such as 3f1e6a52-1b2c-4d5e-8f90-0123456789ab \
                     (in the content's URL on Connect, or from data.posit_connect_content).",
                    server_text(&id, 100)
                ),
            );
        }
        match connect.client.get_content(&id).await {
            Ok(Some(_)) => resp.imported.push(
                AccessState {
                    id: Attr::known(id.clone()),
                    content_guid: Attr::known(id),
                    access_type: Attr::Null,
                    viewers: Attr::Null,
                    collaborators: Attr::Null,
                    owner_guid: Attr::Null,
                }
                .to_value(),
            ),
            Ok(None) => resp.diagnostics.error(
                "Cannot import the access of non-existent content",
                format!(
                    "Connect at {} has no content item with guid {:?} that this API key may see.",
                    connect.client.server_url(),
                    server_text(&id, 100)
                ),
            ),
            Err(e) => resp.diagnostics.error(format!("Could not read content {id}"), explain(&e)),
        }
    }
}

/// The Connect calls behind each operation.
mod api {
    use super::*;

    /// The content and its access list; `None` when the content is gone.
    async fn fetch(client: &Client, content: &str) -> Result<Option<(Content, Vec<ContentPermission>)>, Diagnostic> {
        let item = match client.get_content(content).await {
            Ok(Some(item)) => item,
            Ok(None) => return Ok(None),
            Err(e) => return Err(Diagnostic::error(format!("Could not read content {content}"), explain(&e))),
        };
        match client.list_content_permissions(content).await {
            Ok(list) => Ok(Some((item, list))),
            Err(e) => {
                Err(Diagnostic::error(format!("Could not read the access list of content {content}"), explain(&e)))
            }
        }
    }

    /// Refresh; content that no longer exists drops the resource from state, with a warning.
    pub(super) async fn read(client: &Client, current: &AccessState, resp: &mut ReadResponse) {
        let content = current.content();
        match fetch(client, content).await {
            Ok(Some((item, list))) => {
                resp.new_state = state_of(content, &item, &list, Some(current), &mut resp.diagnostics).to_value()
            }
            Ok(None) => {
                resp.new_state = Value::Null;
                resp.diagnostics.push(Diagnostic::warning(
                    format!("Content {} no longer exists on Connect", server_text(content, 64)),
                    format!(
                        "Connect at {} has no content item {:?} (deleted outside Terraform, or no longer visible to \
                         this API key), so its posit_connect_content_access is removed from the state. Point \
                         content_guid at the content that replaced it, or remove the resource from the \
                         configuration.",
                        client.server_url(),
                        server_text(content, 64)
                    ),
                ));
            }
            Err(d) => resp.diagnostics.push(d),
        }
    }

    /// Create and update alike: the differences between the access list and the planned one,
    /// an entry at a time (POST for each new entry or changed role, DELETE for each entry not
    /// planned), then the access type when it differs. Every failure is reported, each at the
    /// attribute it is about; a refusal of the key stops at the first. On failure no new state
    /// is recorded (the next refresh reads what was done).
    pub(super) async fn apply(client: &Client, planned: &Value) -> Result<Value, Diagnostics> {
        let mut diags = Diagnostics::new();
        let planned = AccessState::read(planned).map_err(one)?;
        let content = planned.content().to_string();
        let (item, list) = match fetch(client, &content).await {
            Ok(Some(found)) => found,
            Ok(None) => return Err(one(no_such_content(client.server_url(), &content, None))),
            Err(d) => return Err(one(d)),
        };
        let owner = item.owner_guid.clone();
        let current: BTreeMap<String, &ContentPermission> =
            list.iter().filter(|e| managed(e, &owner)).map(|e| (e.principal_guid.to_ascii_lowercase(), e)).collect();
        let wanted = planned.wanted();
        let wanted_keys: BTreeSet<String> = wanted.iter().map(|w| w.guid.to_ascii_lowercase()).collect();

        for w in &wanted {
            let same = current
                .get(&w.guid.to_ascii_lowercase())
                .is_some_and(|e| e.role == w.role && e.principal_type == w.principal_type);
            if same {
                continue;
            }
            // Connect's guids are lower-case: sent so, whatever the configuration's letter case.
            let guid = w.guid.to_ascii_lowercase();
            if let Err(e) = client.add_content_permission(&content, &guid, w.principal_type, w.role).await {
                diags.push(
                    Diagnostic::error(
                        format!("Could not give {} the {} role on content {content}", w.named(), w.role),
                        explain(&e),
                    )
                    .at(w.path()),
                );
                if refused(&e) {
                    return Err(diags);
                }
            }
        }
        for (guid, e) in current.iter().filter(|(guid, _)| !wanted_keys.contains(*guid)) {
            if let Err(err) = client.delete_content_permission(&content, &e.id).await {
                let list = if e.role == "owner" { "collaborators" } else { "viewers" };
                let kind = if e.principal_type == "group" { "groups" } else { "users" };
                diags.push(
                    Diagnostic::error(
                        format!(
                            "Could not remove {} {guid} from the access list of content {content}",
                            e.principal_type
                        ),
                        explain(&err),
                    )
                    .at(AttributePath::dotted(&format!("{list}.{kind}"))),
                );
                if refused(&err) {
                    return Err(diags);
                }
            }
        }
        let access_type = planned.access_type.as_str().unwrap_or_default();
        let mut owner_guid = owner;
        if !access_type.is_empty() && item.access_type != access_type {
            match client.update_content_access_type(&content, access_type).await {
                Ok(updated) if !updated.owner_guid.is_empty() => owner_guid = updated.owner_guid,
                Ok(_) => {}
                Err(e) => diags.push(
                    Diagnostic::error(format!("Could not set the access type of content {content}"), explain(&e))
                        .at(AttributePath::root("access_type")),
                ),
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        Ok(AccessState { id: Attr::known(content), owner_guid: Attr::known(owner_guid), ..planned }.to_value())
    }

    /// Destroy: every entry the state lists is removed from the access list; the access type is
    /// left as it is. Content already gone has no list left, which is the goal.
    pub(super) async fn delete(client: &Client, prior: &AccessState, diags: &mut Diagnostics) {
        let content = prior.content();
        let (item, list) = match fetch(client, content).await {
            Ok(Some(found)) => found,
            Ok(None) => return,
            Err(d) => return diags.push(d),
        };
        let listed: BTreeSet<String> = prior.wanted().iter().map(|w| w.guid.to_ascii_lowercase()).collect();
        for e in list.iter().filter(|e| managed(e, &item.owner_guid)) {
            if !listed.contains(&e.principal_guid.to_ascii_lowercase()) {
                continue;
            }
            if let Err(err) = client.delete_content_permission(content, &e.id).await {
                diags.push(Diagnostic::error(
                    format!(
                        "Could not remove {} {} from the access list of content {content}",
                        e.principal_type, e.principal_guid
                    ),
                    explain(&err),
                ));
                if refused(&err) {
                    return;
                }
            }
        }
    }

    fn one(d: Diagnostic) -> Diagnostics {
        let mut diags = Diagnostics::new();
        diags.push(d);
        diags
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::testing::plan;

    const C: &str = "3f1e6a52-1b2c-4d5e-8f90-0123456789ab";
    const U1: &str = "6f1c2f4e-8a4b-4d0e-9b3a-1c2d3e4f5a6b";
    const U2: &str = "7a2d3e4f-5b6c-4d7e-8f90-a1b2c3d4e5f6";
    const G1: &str = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    const OWNER: &str = "11111111-2222-4333-8444-555555555555";

    fn set(guids: &[&str]) -> Value {
        Value::Set(guids.iter().map(|g| Value::string(*g)).collect())
    }

    fn principals(users: Value, groups: Value) -> Value {
        Value::object([("users", users), ("groups", groups)])
    }

    fn config(access: &str, viewers: Value, collaborators: Value) -> Value {
        Value::object([
            ("id", Value::Null),
            ("content_guid", Value::string(C)),
            ("access_type", Value::string(access)),
            ("viewers", viewers),
            ("collaborators", collaborators),
            ("owner_guid", Value::Null),
        ])
    }

    fn errors(config: &Value) -> Vec<Diagnostic> {
        let mut d = Diagnostics::new();
        validate(config, &mut d);
        d.0
    }

    fn entry(id: &str, guid: &str, principal_type: &str, role: &str) -> ContentPermission {
        ContentPermission {
            id: id.into(),
            content_guid: C.into(),
            principal_guid: guid.into(),
            principal_type: principal_type.into(),
            role: role.into(),
        }
    }

    fn content() -> Content {
        Content { guid: C.into(), access_type: "acl".into(), owner_guid: OWNER.into(), ..Content::default() }
    }

    #[test]
    fn the_models_have_the_schemas_attributes() {
        let s = schema();
        assert_eq!(AccessState::check_schema(&s.block), Ok(()));
        let tfplugin::schema::AttributeKind::Single(viewers) = &s.block.attribute("viewers").unwrap().kind else {
            panic!("viewers is an object")
        };
        assert_eq!(Principals::check_schema(viewers), Ok(()));
    }

    #[test]
    fn lists_left_out_plan_empty_and_case_is_no_change() {
        // Nothing configured: both lists planned empty, owner and id unknown.
        let cfg = config("acl", Value::Null, Value::Null);
        let r = plan(&schema().block, Value::Null, cfg, |_, _| {});
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert_eq!(r.planned.get("viewers"), &no_principals());
        assert_eq!(r.planned.get("collaborators"), &no_principals());
        assert!(r.planned.get("owner_guid").is_unknown() && r.planned.get("id").is_unknown());

        // One list given with users only: its groups default to empty.
        let cfg = config("acl", Value::object([("users", set(&[U1])), ("groups", Value::Null)]), Value::Null);
        let r = plan(&schema().block, Value::Null, cfg, |_, _| {});
        assert_eq!(r.planned.get("viewers"), &principals(set(&[U1]), set(&[])));

        // The same guid in capitals against a lower-case state: planned as the state has it.
        let prior = Value::object([
            ("id", Value::string(C)),
            ("content_guid", Value::string(C)),
            ("access_type", Value::string("acl")),
            ("viewers", principals(set(&[U1]), set(&[]))),
            ("collaborators", no_principals()),
            ("owner_guid", Value::string(OWNER)),
        ]);
        let upper = U1.to_ascii_uppercase();
        let cfg = config("acl", principals(set(&[&upper]), Value::Null), Value::Null);
        let r = plan(&schema().block, prior.clone(), cfg, |_, resp| {
            let mut planned = AccessState::read(&resp.planned).unwrap();
            spell_as_prior(&mut planned, &AccessState::read(&prior).unwrap());
            resp.planned = planned.to_value();
        });
        assert_eq!(r.planned, prior, "no change");
    }

    #[test]
    fn malformed_and_doubled_principals_are_refused_at_validate() {
        let ok = config("acl", principals(set(&[U1]), set(&[G1])), principals(set(&[U2]), Value::Null));
        assert!(errors(&ok).is_empty());
        // Unknown elements and sets are not judged.
        let pending = config("acl", principals(Value::Set(vec![Value::Unknown]), Value::Unknown), Value::Null);
        assert!(errors(&pending).is_empty());

        let bad = config("acl", principals(set(&["alice"]), Value::Null), Value::Null);
        let e = errors(&bad);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].attribute, Some(AttributePath::dotted("viewers.users")));
        assert!(e[0].detail.contains("\"alice\", which is not a guid"), "{}", e[0].detail);

        let both = config(
            "acl",
            principals(set(&[U1]), Value::Null),
            principals(set(&[&U1.to_ascii_uppercase()]), Value::Null),
        );
        let e = errors(&both);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].attribute, Some(AttributePath::dotted("collaborators.users")));
        assert!(e[0].detail.contains("both viewers.users and collaborators.users"), "{}", e[0].detail);

        let kinds = config("acl", principals(set(&[U1]), set(&[U1])), Value::Null);
        assert!(errors(&kinds)[0].detail.contains("either a user or a group"));

        let mut not_guid = config("acl", Value::Null, Value::Null);
        if let Value::Object(o) = &mut not_guid {
            o.insert("content_guid".into(), Value::string("my-app"));
        }
        let e = errors(&not_guid);
        assert_eq!(e[0].attribute, Some(AttributePath::root("content_guid")));
    }

    #[test]
    fn the_server_state_leaves_out_the_owner_and_keeps_the_prior_spelling() {
        let list = vec![
            entry("1", OWNER, "user", "owner"),
            entry("2", U1, "user", "viewer"),
            entry("3", G1, "group", "viewer"),
            entry("4", U2, "user", "owner"),
            entry("5", "99999999-2222-4333-8444-555555555555", "robot", "viewer"),
        ];
        let mut diags = Diagnostics::new();
        let s = state_of(C, &content(), &list, None, &mut diags);
        assert_eq!(diags.0.len(), 1, "the unknown principal type is warned about: {:?}", diags.0);
        assert_eq!(s.owner_guid.as_str(), Some(OWNER));
        let v = s.to_value();
        assert_eq!(v.get("viewers"), &principals(set(&[U1]), set(&[G1])));
        assert_eq!(v.get("collaborators"), &principals(set(&[U2]), set(&[])));

        // A prior state spelling U1 in capitals keeps its spelling.
        let mut prior = s.clone();
        let upper = U1.to_ascii_uppercase();
        prior.viewers = Attr::known(Principals {
            users: Attr::known(Guids::of([upper.clone()])),
            groups: Attr::known(Guids::of([G1.to_string()])),
        });
        let again = state_of(C, &content(), &list, Some(&prior), &mut Diagnostics::new()).to_value();
        assert_eq!(again.get("viewers").get("users"), &set(&[&upper]));
    }

    #[test]
    fn a_403_says_who_may_change_content() {
        let e = Error::Forbidden {
            method: reqwest::Method::POST,
            url: "https://c/__api__/v1/content/x/permissions".into(),
            status: 403,
            message: Some("You may not change the content item x".into()),
        };
        let text = explain(&e);
        assert!(text.contains("You may not change the content item x"), "{text}");
        assert!(text.contains("only the content it owns or collaborates on") && !text.contains("OAuth"), "{text}");
        assert!(refused(&e));
    }
}
