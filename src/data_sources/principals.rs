//! `data "posit_connect_user"` (by username) and `data "posit_connect_group"` (by name): the guid
//! of a user or a group, for `posit_connect_oauth_integration`'s `permissions`. Exactly one must
//! match; none or several is an error naming what was found.

use async_trait::async_trait;

use crate::connect::{Group, User};
use crate::connect_diagnostics::diagnostic;
use crate::provider_data::ProviderData;
use crate::untrusted::server_text;
use tfplugin::diag::{AttributePath, Diagnostic};
use tfplugin::model::{Attr, Model};
use tfplugin::resource::{DataReadRequest, DataReadResponse, DataSource};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::validators::NotBlank;

tfplugin::model! {
    /// `posit_connect_user`'s state.
    struct UserState {
        id: Attr<String>,
        username: Attr<String>,
        guid: Attr<String>,
        email: Attr<String>,
        first_name: Attr<String>,
        last_name: Attr<String>,
        user_role: Attr<String>,
        locked: Attr<bool>,
    }
}

tfplugin::model! {
    /// `posit_connect_group`'s state.
    struct GroupState {
        id: Attr<String>,
        name: Attr<String>,
        guid: Attr<String>,
    }
}

/// How many of several matches an error names.
const SHOWN: usize = 5;

/// The one match, or an error on `attribute` saying how many matched (and which, for several).
fn exactly_one<T>(
    mut found: Vec<T>,
    what: &str,
    attribute: &str,
    value: &str,
    guid: impl Fn(&T) -> &str,
) -> Result<T, Diagnostic> {
    let shown = server_text(value, 100);
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Diagnostic::error(
            format!("No {what} {shown:?} on Connect"),
            format!("Connect has no {what} whose {attribute} is exactly {shown:?} (compared with letter case)."),
        )
        .at(AttributePath::root(attribute))),
        n => {
            let guids: Vec<String> = found.iter().take(SHOWN).map(|t| server_text(guid(t), 64)).collect();
            let more = if n > SHOWN { format!(" and {} more", n - SHOWN) } else { String::new() };
            Err(Diagnostic::error(
                format!("{n} {what}s named {shown:?} on Connect"),
                format!(
                    "Connect has {n} {what}s whose {attribute} is {shown:?} (guids {}{more}); exactly one must match. \
                     Use the guid of the one meant directly.",
                    guids.join(", ")
                ),
            )
            .at(AttributePath::root(attribute)))
        }
    }
}

/// `data "posit_connect_user"`.
#[derive(Debug)]
pub struct UserData {
    schema: Schema,
}

impl Default for UserData {
    fn default() -> Self {
        Self::new()
    }
}

impl UserData {
    /// The data source, its schema built once.
    pub fn new() -> Self {
        let text = |name: &str, what: &str| Attribute::string(name).computed().describe(what);
        let schema = Schema::new(
            0,
            Block::new(
                "A Connect user, found by username: its guid, for `permissions` of `posit_connect_oauth_integration`.",
                vec![
                    Attribute::string("username")
                        .required()
                        .validate(NotBlank)
                        .describe("The user's username, compared exactly (letter case included)."),
                    text("id", "The user's guid."),
                    text("guid", "The user's guid."),
                    text("email", "The user's email; null when Connect does not show it to this key."),
                    text("first_name", "The user's first name."),
                    text("last_name", "The user's last name."),
                    text("user_role", "`administrator`, `publisher` or `viewer`."),
                    Attribute::bool("locked").computed().describe("Whether the account is locked."),
                ],
            ),
        );
        UserData { schema }
    }
}

#[async_trait]
impl DataSource<ProviderData> for UserData {
    fn type_name(&self) -> &'static str {
        "posit_connect_user"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn read(&self, connect: &ProviderData, req: DataReadRequest, resp: &mut DataReadResponse) {
        let wanted = match UserState::read(&req.config) {
            Ok(c) => c.username.as_str().unwrap_or_default().to_string(),
            Err(d) => return resp.diagnostics.push(d),
        };
        let found = match connect.client.users_named(&wanted).await {
            Ok(found) => found,
            Err(e) => return resp.diagnostics.push(diagnostic("Could not list Connect's users", &e)),
        };
        match exactly_one(found, "user", "username", &wanted, |u: &User| &u.guid) {
            Ok(u) => {
                resp.state = UserState {
                    id: Attr::known(u.guid.clone()),
                    guid: Attr::known(u.guid),
                    username: Attr::known(u.username),
                    email: Attr::from_option(u.email.filter(|e| !e.is_empty())),
                    first_name: Attr::from_option(u.first_name),
                    last_name: Attr::from_option(u.last_name),
                    user_role: Attr::from_option(u.user_role),
                    locked: Attr::from_option(u.locked),
                }
                .to_value()
            }
            Err(d) => resp.diagnostics.push(d),
        }
    }
}

/// `data "posit_connect_group"`.
#[derive(Debug)]
pub struct GroupData {
    schema: Schema,
}

impl Default for GroupData {
    fn default() -> Self {
        Self::new()
    }
}

impl GroupData {
    /// The data source, its schema built once.
    pub fn new() -> Self {
        let schema = Schema::new(
            0,
            Block::new(
                "A Connect group, found by name: its guid, for `permissions` of `posit_connect_oauth_integration`.",
                vec![
                    Attribute::string("name")
                        .required()
                        .validate(NotBlank)
                        .describe("The group's name, compared exactly (letter case included)."),
                    Attribute::string("id").computed().describe("The group's guid."),
                    Attribute::string("guid").computed().describe("The group's guid."),
                ],
            ),
        );
        GroupData { schema }
    }
}

#[async_trait]
impl DataSource<ProviderData> for GroupData {
    fn type_name(&self) -> &'static str {
        "posit_connect_group"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn read(&self, connect: &ProviderData, req: DataReadRequest, resp: &mut DataReadResponse) {
        let wanted = match GroupState::read(&req.config) {
            Ok(c) => c.name.as_str().unwrap_or_default().to_string(),
            Err(d) => return resp.diagnostics.push(d),
        };
        let found = match connect.client.groups_named(&wanted).await {
            Ok(found) => found,
            Err(e) => return resp.diagnostics.push(diagnostic("Could not list Connect's groups", &e)),
        };
        match exactly_one(found, "group", "name", &wanted, |g: &Group| &g.guid) {
            Ok(g) => {
                resp.state =
                    GroupState { id: Attr::known(g.guid.clone()), guid: Attr::known(g.guid), name: Attr::known(g.name) }
                        .to_value()
            }
            Err(d) => resp.diagnostics.push(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_models_have_the_schemas_attributes() {
        assert_eq!(UserState::check_schema(&UserData::new().schema.block), Ok(()));
        assert_eq!(GroupState::check_schema(&GroupData::new().schema.block), Ok(()));
    }

    #[test]
    fn none_or_several_matches_are_named() {
        fn guid(g: &String) -> &str {
            g
        }
        assert_eq!(exactly_one(vec!["g1".to_string()], "group", "name", "ai", guid), Ok("g1".to_string()));
        let none = exactly_one(Vec::<String>::new(), "group", "name", "ai", guid).unwrap_err();
        assert_eq!(none.summary, "No group \"ai\" on Connect");
        assert_eq!(none.attribute, Some(AttributePath::root("name")));
        let several: Vec<String> = (1..=7).map(|i| format!("g{i}")).collect();
        let d = exactly_one(several, "group", "name", "ai", guid).unwrap_err();
        assert_eq!(d.summary, "7 groups named \"ai\" on Connect");
        assert!(d.detail.contains("guids g1, g2, g3, g4, g5 and 2 more"), "{}", d.detail);
    }
}
