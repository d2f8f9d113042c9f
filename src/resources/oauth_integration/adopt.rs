//! Bringing existing integrations under Terraform: import by guid, and the listing behind
//! `terraform query` (and its generated configuration).

use tfplugin::diag::Diagnostic;
use tfplugin::model::Model;
use tfplugin::resource::{ImportResponse, ListResponse, Listed};

use super::model::to_state;
use crate::connect::Client;
use crate::connect_diagnostics::diagnostic;
use crate::template_catalogue::TEMPLATE_IDS;

/// Import by guid: the whole integration, except the secret Connect never returns.
pub(crate) async fn import(client: &Client, guid: &str, resp: &mut ImportResponse) {
    match client.get_integration(guid).await {
        Ok(Some(i)) => resp.imported.push(to_state(&i, None).to_value()),
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
