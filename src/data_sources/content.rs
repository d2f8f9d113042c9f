//! `data "posit_connect_content"`: one content item, found by guid or by name (with its owner,
//! since names are unique per owner): its guid, for the content resources, and what Connect says
//! of it. None or several matches is an error naming what was searched and what was found.

use async_trait::async_trait;

use crate::connect::{Client, Content};
use crate::connect_diagnostics::diagnostic;
use crate::provider_data::ProviderData;
use crate::untrusted::server_text;
use tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::model::{Attr, Model};
use tfplugin::resource::{DataReadRequest, DataReadResponse, DataSource, ValidateRequest, ValidateResponse};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::validators::{Guid, NotBlank};
use tfplugin::value::Value;

tfplugin::model! {
    /// `posit_connect_content`'s state.
    struct ContentState {
        id: Attr<String>,
        guid: Attr<String>,
        name: Attr<String>,
        owner_guid: Attr<String>,
        title: Attr<String>,
        description: Attr<String>,
        access_type: Attr<String>,
        app_mode: Attr<String>,
        content_url: Attr<String>,
        dashboard_url: Attr<String>,
        vanity_url: Attr<String>,
    }
}

/// How many of several matches an error names.
const SHOWN: usize = 5;

/// `data "posit_connect_content"`.
#[derive(Debug)]
pub struct ContentData {
    schema: Schema,
}

impl Default for ContentData {
    fn default() -> Self {
        Self::new()
    }
}

impl ContentData {
    /// The data source, its schema built once.
    pub fn new() -> Self {
        let text = |name: &str, what: &str| Attribute::string(name).computed().describe(what);
        let schema = Schema::new(
            0,
            Block::new(
                "A content item on Connect, found by guid or by name (and owner): its guid, for \
                 `posit_connect_content_access` and the other content resources, and what Connect says of it. \
                 A publisher's API key finds only the content it owns or has a permission on.",
                vec![
                    Attribute::string("guid").optional().computed().describe(
                        "The content item's guid (8-4-4-4-12 hexadecimal digits). Give either `guid` or `name`.",
                    ),
                    Attribute::string("name").optional().computed().validate(NotBlank).describe(
                        "The content item's name (its URL-friendly name, not its title), compared exactly. Names are \
                         unique per owner: give `owner_guid` too when several owners may have content of that name \
                         (several matches are an error naming each).",
                    ),
                    Attribute::string("owner_guid").optional().computed().describe(
                        "With `name`: the guid of the owner whose content item is meant. Otherwise the owner's guid, \
                         as Connect says.",
                    ),
                    text("id", "The content item's guid."),
                    text("title", "The title shown to people; null when it has none."),
                    text("description", "The description (the empty string when it has none)."),
                    text("access_type", "Who may view it: `all`, `logged_in` or `acl`."),
                    text("app_mode", "What kind of content it is (`shiny`, `python-fastapi`, `quarto-static`...)."),
                    text("content_url", "Where the content is served."),
                    text("dashboard_url", "Its page in Connect's dashboard."),
                    text("vanity_url", "Its vanity URL; null when it has none."),
                ],
            ),
        );
        ContentData { schema }
    }
}

/// Exactly one of `guid` and `name` (an unknown value counts as given), `owner_guid` only with
/// `name`, and guids shaped as guids.
fn validate(config: &Value, diags: &mut Diagnostics) {
    let (guid, name, owner) = (config.get("guid"), config.get("name"), config.get("owner_guid"));
    match (guid.is_null(), name.is_null()) {
        (true, true) => diags.error(
            "posit_connect_content needs guid or name",
            "Give the content item's guid, or its name (with owner_guid when several owners may have content of \
             that name).",
        ),
        (false, false) => diags.attr_error(
            AttributePath::root("name"),
            "posit_connect_content takes guid or name, not both",
            "Give either the content item's guid or its name: remove one.",
        ),
        _ => {}
    }
    if !guid.is_null() && !owner.is_null() {
        diags.attr_error(
            AttributePath::root("owner_guid"),
            "owner_guid narrows a search by name",
            "owner_guid is given with guid, which names one content item already: remove owner_guid, or search by \
             name instead of guid.",
        );
    }
    for attr in ["guid", "owner_guid"] {
        if let Some(g) = config.get(attr).as_str().filter(|g| !Guid::is_guid(g)) {
            diags.attr_error(
                AttributePath::root(attr),
                format!("{attr} is not a guid"),
                format!(
                    "{attr} is {:?}, which is not a guid: 8-4-4-4-12 hexadecimal digits, such as \
                     3f1e6a52-1b2c-4d5e-8f90-0123456789ab.",
                    server_text(g, 100)
                ),
            );
        }
    }
}

/// The one content item the configuration names, or an error saying what was searched and found.
async fn find(client: &Client, config: &ContentState) -> Result<Content, Diagnostic> {
    if let Some(guid) = config.guid.as_str() {
        return match client.get_content(guid).await {
            Ok(Some(c)) => Ok(c),
            Ok(None) => Err(Diagnostic::error(
                format!("No content item {:?} on Connect", server_text(guid, 64)),
                format!(
                    "Connect at {} has no content item with guid {:?} that this API key may see (a publisher's key \
                     sees only the content it owns or has a permission on).",
                    client.server_url(),
                    server_text(guid, 64)
                ),
            )
            .at(AttributePath::root("guid"))),
            Err(e) => Err(diagnostic(&format!("Could not read content {guid}"), &e)),
        };
    }
    let name = config.name.as_str().unwrap_or_default();
    let owner = config.owner_guid.as_str();
    let found =
        client.find_content(name, owner).await.map_err(|e| diagnostic("Could not search Connect's content", &e))?;
    let searched = match owner {
        Some(o) => format!("named exactly {:?} and owned by {}", server_text(name, 100), server_text(o, 64)),
        None => format!("named exactly {:?}", server_text(name, 100)),
    };
    exactly_one(found, &searched, client.server_url())
}

fn exactly_one(mut found: Vec<Content>, searched: &str, server: &str) -> Result<Content, Diagnostic> {
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Diagnostic::error(
            "No such content item on Connect",
            format!(
                "Connect at {server} has no content item {searched} that this API key may see (names are compared \
                 with letter case; a content item's name is its URL-friendly name, not its title; a publisher's key \
                 sees only the content it owns or has a permission on)."
            ),
        )
        .at(AttributePath::root("name"))),
        n => {
            let shown: Vec<String> = found
                .iter()
                .take(SHOWN)
                .map(|c| format!("{} (owner {})", server_text(&c.guid, 64), server_text(&c.owner_guid, 64)))
                .collect();
            let more = if n > SHOWN { format!(" and {} more", n - SHOWN) } else { String::new() };
            Err(Diagnostic::error(
                format!("{n} content items match on Connect"),
                format!(
                    "Connect at {server} has {n} content items {searched}: {}{more}. Names are unique per owner: \
                     give owner_guid to pick one, or its guid.",
                    shown.join(", ")
                ),
            )
            .at(AttributePath::root("name")))
        }
    }
}

/// The server's root as content URLs show it: `content_url` less its `content/{guid}/` end,
/// or the configured server URL.
fn server_root<'a>(content: &'a Content, server: &'a str) -> &'a str {
    let end = format!("content/{}/", content.guid);
    content.content_url.strip_suffix(&end).unwrap_or(server).trim_end_matches('/')
}

/// The full vanity URL of a content item whose vanity path is `path` (`/sales/`).
fn vanity_url(content: &Content, server: &str, path: &str) -> String {
    format!("{}/{}", server_root(content, server), path.trim_start_matches('/'))
}

#[async_trait]
impl DataSource<ProviderData> for ContentData {
    fn type_name(&self) -> &'static str {
        "posit_connect_content"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, req: &ValidateRequest, resp: &mut ValidateResponse) {
        validate(&req.config, &mut resp.diagnostics);
    }

    async fn read(&self, connect: &ProviderData, req: DataReadRequest, resp: &mut DataReadResponse) {
        let config = match ContentState::read(&req.config) {
            Ok(c) => c,
            Err(d) => return resp.diagnostics.push(d),
        };
        let client = &connect.client;
        let c = match find(client, &config).await {
            Ok(c) => c,
            Err(d) => return resp.diagnostics.push(d),
        };
        let vanity = match &c.vanity_url {
            Some(url) => Some(url.clone()),
            None => match client.get_vanity(&c.guid).await {
                Ok(v) => v.map(|v| vanity_url(&c, client.server_url(), &v.path)),
                Err(e) => {
                    return resp
                        .diagnostics
                        .push(diagnostic(&format!("Could not read the vanity URL of content {}", c.guid), &e))
                }
            },
        };
        resp.state = ContentState {
            id: Attr::known(c.guid.clone()),
            guid: Attr::known(c.guid.clone()),
            name: Attr::known(c.name.clone()),
            owner_guid: Attr::known(c.owner_guid.clone()),
            title: Attr::from_option(c.title.clone()),
            description: Attr::known(c.description.clone()),
            access_type: Attr::known(c.access_type.clone()),
            app_mode: Attr::known(c.app_mode.clone()),
            content_url: Attr::known(c.content_url.clone()),
            dashboard_url: Attr::known(c.dashboard_url.clone()),
            vanity_url: Attr::from_option(vanity),
        }
        .to_value();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: &str = "3f1e6a52-1b2c-4d5e-8f90-0123456789ab";

    fn config(guid: Value, name: Value, owner: Value) -> Value {
        let mut attrs: Vec<(&str, Value)> = ContentState::ATTRIBUTES.iter().map(|a| (*a, Value::Null)).collect();
        attrs.extend([("guid", guid), ("name", name), ("owner_guid", owner)]);
        Value::object(attrs)
    }

    fn errors(config: &Value) -> Vec<Diagnostic> {
        let mut d = Diagnostics::new();
        validate(config, &mut d);
        d.0
    }

    #[test]
    fn the_model_has_the_schemas_attributes() {
        assert_eq!(ContentState::check_schema(&ContentData::new().schema.block), Ok(()));
    }

    #[test]
    fn guid_or_name_exactly_one() {
        assert!(errors(&config(Value::string(G), Value::Null, Value::Null)).is_empty());
        assert!(errors(&config(Value::Null, Value::string("app"), Value::string(G))).is_empty());
        assert!(errors(&config(Value::Unknown, Value::Null, Value::Null)).is_empty());
        assert!(errors(&config(Value::Null, Value::Null, Value::Null))[0].summary.contains("needs guid or name"));
        let both = errors(&config(Value::string(G), Value::string("app"), Value::Null));
        assert_eq!(both[0].attribute, Some(AttributePath::root("name")));
        let owner = errors(&config(Value::string(G), Value::Null, Value::string(G)));
        assert_eq!(owner[0].attribute, Some(AttributePath::root("owner_guid")));
        let bad = errors(&config(Value::string("my-app"), Value::Null, Value::Null));
        assert!(bad[0].detail.contains("\"my-app\", which is not a guid"), "{}", bad[0].detail);
    }

    fn item(guid: &str, owner: &str) -> Content {
        Content {
            guid: guid.into(),
            owner_guid: owner.into(),
            content_url: format!("https://c.example/rsc/content/{guid}/"),
            ..Content::default()
        }
    }

    #[test]
    fn none_or_several_matches_say_what_was_searched_and_found() {
        let none = exactly_one(vec![], "named exactly \"app\"", "https://c").unwrap_err();
        assert!(none.detail.contains("no content item named exactly \"app\""), "{}", none.detail);
        assert_eq!(none.attribute, Some(AttributePath::root("name")));
        let several =
            exactly_one(vec![item("c1", "o1"), item("c2", "o2")], "named exactly \"app\"", "https://c").unwrap_err();
        assert!(several.detail.contains("c1 (owner o1), c2 (owner o2)"), "{}", several.detail);
        assert!(several.detail.contains("owner_guid"), "{}", several.detail);
        assert_eq!(exactly_one(vec![item("c1", "o1")], "x", "s").unwrap().guid, "c1");
    }

    #[test]
    fn the_vanity_url_is_under_the_servers_root() {
        assert_eq!(vanity_url(&item(G, "o"), "https://other", "/sales/"), "https://c.example/rsc/sales/");
        let odd = Content { guid: G.into(), content_url: "https://x/y".into(), ..Content::default() };
        assert_eq!(vanity_url(&odd, "https://c.example/", "/sales/"), "https://c.example/sales/");
    }
}
