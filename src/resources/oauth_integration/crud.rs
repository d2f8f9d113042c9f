//! The Connect API calls behind each Terraform operation on `posit_connect_oauth_integration`.

use crate::connect::{Client, Deleted, Error, Integration};
use crate::resources::cache::ListCache;
use crate::resources::errors::diagnostic;
use crate::resources::template_catalogue::TEMPLATE_IDS;
use tfplugin::diag::Diagnostic;
use tfplugin::plan::fill_unknowns;
use tfplugin::resource::{
    CreateResponse, DeleteResponse, ImportResponse, ListResponse, Listed, ReadResponse, UpdateResponse,
};
use tfplugin::value::Value;

use super::model::{new_request, to_state, update_request};

/// The integrations listed for the reads of this process (see [`crate::resources::cache`]).
pub type IntegrationCache = ListCache<Integration, Error>;

/// Refresh: the integration as the server has it now; one surely gone returns null so that
/// Terraform drops it from state and plans to create it again.
///
/// The reads of one refresh share one list call (the first read lists; the others wait for it
/// and answer from it). An integration missing from the list is read directly, and only a 404
/// that Connect's OAuth API gave removes it from state: any non-HTML 404 once the list has
/// answered (the API is there), else only Connect's "object does not exist" error (see
/// `Client::get_integration_after_list`). A 404 for an unknown endpoint (a server without the
/// API), an HTML page or a proxy's answer is an error and leaves state as it was. When listing
/// fails, every read is direct and reports its own error. A list naming one integration twice
/// is reported, not guessed from.
pub async fn read(client: &Client, cache: &IntegrationCache, current: Value, resp: &mut ReadResponse) {
    let Some(guid) = current.get("guid").as_str().map(str::to_string) else { return };
    let listed = cache
        .snapshot(client.server_url(), || async {
            let all = client.list_integrations().await?;
            Ok(all.into_iter().map(|i| (i.guid.clone(), i)).collect())
        })
        .await;
    match &listed {
        Ok(snapshot) => {
            if let Some(i) = snapshot.get(&guid) {
                resp.new_state = to_state(i, &current);
                return;
            }
        }
        Err(e) if matches!(**e, Error::DuplicateInList { .. }) => {
            resp.diagnostics.push(diagnostic(&format!("Could not read OAuth integration {guid}"), e));
            return;
        }
        Err(_) => {}
    }
    let direct = if listed.is_ok() {
        client.get_integration_after_list(&guid).await
    } else {
        client.get_integration(&guid).await
    };
    match direct {
        Ok(Some(i)) => resp.new_state = to_state(&i, &current),
        Ok(None) => resp.new_state = Value::Null,
        Err(e) => resp.diagnostics.push(diagnostic(&format!("Could not read OAuth integration {guid}"), &e)),
    }
}

/// Create; when Connect refuses, nothing was created and the state stays empty.
pub async fn create(
    client: &Client,
    cache: &IntegrationCache,
    planned: &Value,
    config: &Value,
    resp: &mut CreateResponse,
) {
    let created = client.create_integration(&new_request(planned, config)).await;
    cache.invalidate();
    match created {
        Ok(i) => resp.new_state = fill_unknowns(planned, &to_state(&i, planned)),
        Err(e) => resp.diagnostics.push(diagnostic("Could not create OAuth integration", &e)),
    }
}

/// Update in place (PATCH); on failure the state stays as it was.
pub async fn update(
    client: &Client,
    cache: &IntegrationCache,
    prior: &Value,
    planned: &Value,
    config: &Value,
    resp: &mut UpdateResponse,
) {
    let guid = prior.get("guid").as_str().unwrap_or_default().to_string();
    let updated = client.update_integration(&guid, &update_request(prior, planned, config)).await;
    cache.invalidate();
    match updated {
        Ok(i) => resp.new_state = fill_unknowns(planned, &to_state(&i, planned)),
        Err(e) => resp.diagnostics.push(diagnostic(&format!("Could not update OAuth integration {guid}"), &e)),
    }
}

/// Delete; an integration already gone (deleted in the dashboard) counts as deleted.
pub async fn delete(client: &Client, cache: &IntegrationCache, prior: &Value, resp: &mut DeleteResponse) {
    let guid = prior.get("guid").as_str().unwrap_or_default().to_string();
    let deleted = client.delete_integration(&guid).await;
    cache.invalidate();
    match deleted {
        Ok(Deleted::Yes | Deleted::AlreadyGone) => {}
        Err(e) => resp.diagnostics.push(diagnostic(&format!("Could not delete OAuth integration {guid}"), &e)),
    }
}

/// Import by guid: the whole integration, except the secret Connect never returns.
pub async fn import(client: &Client, guid: &str, resp: &mut ImportResponse) {
    match client.get_integration(guid).await {
        Ok(Some(i)) => resp.imported.push(to_state(&i, &Value::Null)),
        Ok(None) => resp.diagnostics.push(Diagnostic::error(
            "Cannot import non-existent OAuth integration",
            format!("Connect at {} has no OAuth integration with guid {guid:?}.", client.server_url()),
        )),
        Err(e) => resp.diagnostics.push(diagnostic(&format!("Could not import OAuth integration {guid}"), &e)),
    }
}

/// Every integration of a template (or any) whose name matches a glob pattern (`*`, `?`), as
/// imported states, for `terraform query`.
pub async fn list(client: &Client, template: Option<&str>, pattern: Option<&str>, resp: &mut ListResponse) {
    let all = match client.list_integrations().await {
        Ok(all) => all,
        Err(e) => return resp.diagnostics.push(diagnostic("Could not list OAuth integrations", &e)),
    };
    resp.listed = all
        .iter()
        // A template newer than this provider would fail validation once adopted: skip it.
        .filter(|i| TEMPLATE_IDS.contains(&i.template.as_str()))
        .filter(|i| template.is_none_or(|t| i.template == t))
        .filter(|i| pattern.is_none_or(|p| glob_match(p, &i.name)))
        .map(|i| Listed { display_name: format!("{} ({})", i.name, i.template), state: to_state(i, &Value::Null) })
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
    use super::glob_match;

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
