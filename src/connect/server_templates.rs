//! The OAuth templates the server offers (`GET /v1/oauth/templates`), read once per provider
//! process and shared by every plan and read in it: which fields each template takes, their
//! defaults, patterns and secrecy, and when each applies (its visibility expression).
//!
//! - **Once, single flight.** The client keeps one [`ServerTemplates`] ([`Client::templates`]): the
//!   first caller asks; callers arriving meanwhile wait for that same answer (a `OnceCell`);
//!   every later one uses it. The provider's configure starts the request
//!   ([`Client::prefetch_templates`]) beside its own check of the server, so plans find it there.
//! - **Absent is an answer.** A server without the endpoint (404: Connect before the templates
//!   API) gets [`Listing::Absent`]; callers fall back on what they know themselves (the
//!   provider's built-in catalogue).
//! - **Failure is kept too.** A failed request ([`Listing::Failed`]) is the answer for the
//!   client's life (one provider process): callers fall back as for an absent list, or report it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use regex::Regex;
use tokio::sync::OnceCell;

use super::{Client, Error, TemplateDefinition, TemplateField, VisibilityExpression};

/// The server's templates, asked for once; cheap to clone (clones share the one answer).
#[derive(Clone, Debug, Default)]
pub struct ServerTemplates {
    cell: Arc<OnceCell<Listing>>,
    requests: Arc<AtomicU64>,
}

/// What the server said of its templates.
#[derive(Clone, Debug)]
pub enum Listing {
    /// Every template it offers.
    Listed(Arc<Templates>),
    /// It has no templates endpoint (an older Connect).
    Absent,
    /// The request failed.
    Failed(Arc<Error>),
}

/// The server's templates, in its order.
#[derive(Debug, Default)]
pub struct Templates {
    list: Vec<Arc<ServerTemplate>>,
}

/// One template with its validation patterns compiled once.
#[derive(Debug)]
pub struct ServerTemplate {
    /// The template as the server describes it.
    pub def: TemplateDefinition,
    /// Field name to compiled pattern; fields without one, or whose pattern this engine cannot
    /// compile (the server's business, checked at apply), are absent.
    patterns: HashMap<String, Regex>,
}

impl ServerTemplates {
    /// The server's templates, asking it the first time (see the module docs).
    pub(crate) async fn get(&self, client: &Client) -> Listing {
        self.get_as(client, false).await
    }

    /// [`ServerTemplates::get`]; `at_configure`: asked beside configure's check, whose manner
    /// it shares (see `Client::list_templates_at_configure`).
    async fn get_as(&self, client: &Client, at_configure: bool) -> Listing {
        self.cell
            .get_or_init(|| async {
                self.requests.fetch_add(1, Ordering::Relaxed);
                let answer = if at_configure {
                    client.list_templates_at_configure().await
                } else {
                    client.list_templates().await
                };
                match answer {
                    Ok(Some(list)) => Listing::Listed(Arc::new(Templates::new(list))),
                    Ok(None) => {
                        tracing::debug!("the server has no templates list; using the built-in catalogue");
                        Listing::Absent
                    }
                    Err(e) => {
                        tracing::debug!(error = %e, "templates list not available; using the built-in catalogue");
                        Listing::Failed(Arc::new(e))
                    }
                }
            })
            .await
            .clone()
    }

    /// Starts reading the list in the background (configure does, so that it shares the round
    /// trip of configure's own requests); a caller of [`ServerTemplates::get`] meanwhile waits
    /// for this same request.
    pub(crate) fn prefetch(&self, client: &Client) {
        let (this, client) = (self.clone(), client.clone());
        tokio::spawn(async move {
            this.get_as(&client, true).await;
        });
    }

    /// How many times the list was asked for (for tests and logs): at most once.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }
}

impl Listing {
    /// The template `id`, when the server listed its templates and that one is among them.
    pub fn find(&self, id: &str) -> Option<Arc<ServerTemplate>> {
        match self {
            Listing::Listed(all) => all.find(id),
            Listing::Absent | Listing::Failed(_) => None,
        }
    }
}

impl Client {
    /// The templates the server offers (`GET /v1/oauth/templates`), asked for once in this
    /// client's life and shared by every caller (see [`ServerTemplates`]).
    pub async fn templates(&self) -> Listing {
        self.server_templates().get(self).await
    }

    /// Starts asking for [`Client::templates`] in the background, so that the answer is there (or
    /// on its way) when first needed.
    pub fn prefetch_templates(&self) {
        self.server_templates().prefetch(self)
    }
}

impl Templates {
    /// The templates of one answer.
    pub fn new(list: Vec<TemplateDefinition>) -> Templates {
        Templates { list: list.into_iter().map(|def| Arc::new(ServerTemplate::new(def))).collect() }
    }

    /// The template `id`.
    pub fn find(&self, id: &str) -> Option<Arc<ServerTemplate>> {
        self.list.iter().find(|t| t.def.id == id).cloned()
    }

    /// Every template, in the server's order.
    pub fn all(&self) -> &[Arc<ServerTemplate>] {
        &self.list
    }
}

impl ServerTemplate {
    /// A template with its patterns compiled.
    pub fn new(def: TemplateDefinition) -> Self {
        let patterns = def
            .fields
            .iter()
            .filter_map(|f| {
                let p = f.validation.as_deref().filter(|p| !p.is_empty())?;
                Some((f.name.clone(), Regex::new(p).ok()?))
            })
            .collect();
        ServerTemplate { def, patterns }
    }

    /// The compiled validation pattern of field `name`.
    pub fn pattern(&self, name: &str) -> Option<&Regex> {
        self.patterns.get(name)
    }

    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&TemplateField> {
        self.def.fields.iter().find(|f| f.name == name)
    }

    /// Whether a field must be given wherever it applies: it has no default, and its pattern
    /// refuses the empty value (the server's list says no more: a field has no `required`).
    pub fn required(&self, field: &TemplateField) -> bool {
        let no_default = field.default.as_deref().is_none_or(str::is_empty);
        no_default && self.pattern(&field.name).is_some_and(|re| !re.is_match(""))
    }

    /// The auth types the template offers (its `auth_type` option's values), and the one Connect
    /// uses when none is given; `None` when the server does not list them.
    pub fn auth_types(&self) -> Option<(&[String], Option<String>)> {
        let option = self.def.options.iter().find(|o| o.name == "auth_type").filter(|o| !o.values.is_empty())?;
        let default = option.default_text().filter(|d| option.values.contains(d));
        Some((&option.values, default))
    }
}

/// A config value, as a visibility expression compares it.
#[derive(Clone, Debug, PartialEq)]
pub enum Setting {
    /// Not set.
    Absent,
    /// Known only after apply.
    Unknown,
    /// Set to this (booleans as `true`/`false`).
    Text(String),
}

/// Whether an expression holds for the config values `lookup` gives: `None` when it cannot be
/// told (a value unknown until apply, an operator the provider does not know), so that nothing
/// is judged on a guess. Operators, in any letter case: `eq` (`==`, `equals`, or none), `ne`
/// (`!=`, `neq`, `not_equals`), `in` and `not_in` (the value a list), `and`, `or`, `not`.
pub fn holds(expr: &VisibilityExpression, lookup: &dyn Fn(&str) -> Setting) -> Option<bool> {
    let op = expr.operator.as_deref().unwrap_or("eq").trim().to_ascii_lowercase();
    match op.as_str() {
        "and" | "&&" | "all" => {
            let results: Vec<Option<bool>> = expr.operands.iter().map(|e| holds(e, lookup)).collect();
            if results.contains(&Some(false)) {
                Some(false)
            } else if results.iter().all(|r| *r == Some(true)) {
                Some(true)
            } else {
                None
            }
        }
        "or" | "||" | "any" => {
            let results: Vec<Option<bool>> = expr.operands.iter().map(|e| holds(e, lookup)).collect();
            if results.contains(&Some(true)) {
                Some(true)
            } else if !results.is_empty() && results.iter().all(|r| *r == Some(false)) {
                Some(false)
            } else {
                None
            }
        }
        "not" | "!" => match expr.operands.as_slice() {
            [one] => holds(one, lookup).map(|b| !b),
            _ => None,
        },
        _ => {
            let name = expr.name.as_deref()?;
            let wanted = values(expr.value.as_ref()?)?;
            let is_one_of = match lookup(name) {
                Setting::Unknown => return None,
                Setting::Absent => false,
                Setting::Text(v) => wanted.contains(&v),
            };
            match op.as_str() {
                "eq" | "==" | "=" | "equals" | "in" => Some(is_one_of),
                "ne" | "!=" | "neq" | "not_equals" | "not_in" | "nin" => Some(!is_one_of),
                _ => None,
            }
        }
    }
}

/// An expression's value as the texts it stands for: a string or boolean, or a list of them.
fn values(v: &serde_json::Value) -> Option<Vec<String>> {
    match v {
        serde_json::Value::String(s) => Some(vec![s.clone()]),
        serde_json::Value::Bool(b) => Some(vec![b.to_string()]),
        serde_json::Value::Array(items) => items.iter().map(|i| values(i).and_then(|v| v.into_iter().next())).collect(),
        _ => None,
    }
}

/// An expression as a person reads it: `auth_type = "Service Account"`, `(a or b)`.
pub fn describe(expr: &VisibilityExpression) -> String {
    let op = expr.operator.as_deref().unwrap_or("eq").trim().to_ascii_lowercase();
    let join = |word: &str| {
        let parts: Vec<String> = expr.operands.iter().map(describe).collect();
        if parts.len() == 1 {
            parts[0].clone()
        } else {
            format!("({})", parts.join(&format!(" {word} ")))
        }
    };
    match op.as_str() {
        "and" | "&&" | "all" => join("and"),
        "or" | "||" | "any" => join("or"),
        "not" | "!" => format!("not {}", join("and")),
        _ => {
            let name = expr.name.as_deref().unwrap_or("?");
            let value = expr.value.as_ref().map_or_else(|| "?".to_string(), |v| v.to_string());
            let sign = match op.as_str() {
                "eq" | "==" | "=" | "equals" => "=",
                "ne" | "!=" | "neq" | "not_equals" => "!=",
                "in" => "in",
                "not_in" | "nin" => "not in",
                other => other,
            };
            format!("{name} {sign} {value}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn expr(v: serde_json::Value) -> VisibilityExpression {
        serde_json::from_value(v).unwrap()
    }

    fn with<'a>(pairs: &'a [(&'a str, Setting)]) -> impl Fn(&str) -> Setting + 'a {
        move |name| pairs.iter().find(|(n, _)| *n == name).map_or(Setting::Absent, |(_, s)| s.clone())
    }

    #[test]
    fn comparisons_and_combinations() {
        let sa = expr(json!({"name": "auth_type", "operator": "eq", "value": "Service Account"}));
        let viewer = [("auth_type", Setting::Text("Viewer".into()))];
        let service = [("auth_type", Setting::Text("Service Account".into()))];
        let unknown = [("auth_type", Setting::Unknown)];
        assert_eq!(holds(&sa, &with(&service)), Some(true));
        assert_eq!(holds(&sa, &with(&viewer)), Some(false));
        assert_eq!(holds(&sa, &with(&unknown)), None, "not judged on a value known only after apply");
        assert_eq!(holds(&sa, &with(&[])), Some(false), "absent is no value");
        let no_op = expr(json!({"name": "auth_type", "value": "Viewer"}));
        assert_eq!(holds(&no_op, &with(&viewer)), Some(true), "no operator: equality");
        let ne = expr(json!({"name": "auth_type", "operator": "NE", "value": "Viewer"}));
        assert_eq!(holds(&ne, &with(&viewer)), Some(false));
        let one_of = expr(json!({"name": "auth_type", "operator": "in", "value": ["Viewer", "Service Account"]}));
        assert_eq!(holds(&one_of, &with(&service)), Some(true));
        let pkce = expr(json!({"name": "use_pkce", "operator": "eq", "value": true}));
        assert_eq!(holds(&pkce, &with(&[("use_pkce", Setting::Text("true".into()))])), Some(true));

        let or = expr(json!({"operator": "or", "operands": [
            {"name": "auth_type", "operator": "eq", "value": "Service Account"},
            {"name": "auth_mode", "operator": "eq", "value": "Confidential"}]}));
        assert_eq!(holds(&or, &with(&service)), Some(true));
        assert_eq!(holds(&or, &with(&[("auth_mode", Setting::Unknown)])), None);
        assert_eq!(
            holds(&or, &with(&[("auth_type", Setting::Text("Viewer".into())), ("auth_mode", Setting::Absent)])),
            Some(false)
        );
        let and = expr(json!({"operator": "and", "operands": [
            {"name": "auth_type", "value": "Viewer"}, {"name": "auth_mode", "value": "Public"}]}));
        assert_eq!(
            holds(
                &and,
                &with(&[("auth_type", Setting::Text("Service Account".into())), ("auth_mode", Setting::Unknown)])
            ),
            Some(false)
        );
        let not = expr(json!({"operator": "not", "operands": [{"name": "auth_type", "value": "Viewer"}]}));
        assert_eq!(holds(&not, &with(&viewer)), Some(false));
        let odd = expr(json!({"name": "auth_type", "operator": "matches", "value": "V.*"}));
        assert_eq!(holds(&odd, &with(&viewer)), None, "an operator not known is not guessed at");
        assert_eq!(describe(&or), "(auth_type = \"Service Account\" or auth_mode = \"Confidential\")");
    }

    #[test]
    fn required_fields_and_auth_types() {
        let t = ServerTemplate::new(
            serde_json::from_value(json!({
                "id": "github",
                "fields": [
                    {"name": "client_id", "validation": "^\\S+$"},
                    {"name": "scopes", "default": "read:user", "validation": "^.+$"},
                    {"name": "hostname", "validation": "^$|^[a-z.]+$"},
                    {"name": "note"},
                    {"name": "bad", "validation": "("}
                ],
                "options": [{"name": "auth_type", "default": "Viewer", "values": ["Viewer", "Service Account"]}],
            }))
            .unwrap(),
        );
        let required: Vec<&str> = t.def.fields.iter().filter(|f| t.required(f)).map(|f| f.name.as_str()).collect();
        assert_eq!(required, ["client_id"], "a default, an empty match, no pattern or a broken one: not required");
        let (values, default) = t.auth_types().unwrap();
        assert_eq!((values.len(), default.as_deref()), (2, Some("Viewer")));
    }

    #[tokio::test]
    async fn the_list_is_asked_for_once_by_many_callers() {
        use crate::connect::test_server::{Reply, TestServer};
        let server = TestServer::spawn(|req| match req.target.as_str() {
            "/__api__/v1/oauth/templates" => Reply::Delayed(
                std::time::Duration::from_millis(100),
                Box::new(Reply::json(200, json!([{"id": "azure"}, {"id": "github"}]))),
            ),
            _ => Reply::empty(404),
        })
        .await;
        let client =
            Client::new(crate::connect::ClientConfig::new(server.url(), crate::connect::Secret::new("k"), "t"))
                .unwrap();
        client.prefetch_templates();
        let (a, b, c) = tokio::join!(client.templates(), client.templates(), client.templates());
        assert!(a.find("github").is_some() && b.find("azure").is_some() && c.find("gcp").is_none());
        assert!(client.templates().await.find("github").is_some());
        assert_eq!(server.seen().len(), 1, "one request in all");
        assert_eq!(client.server_templates().requests(), 1);

        // A server without the endpoint: absent, and asked once too.
        let old = TestServer::always(Reply::raw(404, "text/html", "<html>Not Found</html>")).await;
        let client =
            Client::new(crate::connect::ClientConfig::new(old.url(), crate::connect::Secret::new("k"), "t")).unwrap();
        assert!(matches!(client.templates().await, Listing::Absent));
        assert!(client.templates().await.find("azure").is_none());
        assert_eq!(old.seen().len(), 1);
    }
}
