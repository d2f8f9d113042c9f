//! The Connect API calls behind each Terraform operation on `posit_connect_oauth_integration`.

use crate::connect::{Client, Deleted, Error, Integration};
use crate::resources::api::diagnostic;
use crate::resources::cache::ListCache;
use crate::resources::templates::TEMPLATE_IDS;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::plan::fill_unknowns;
use tfplugin::resource::{ApplyResponse, ImportResponse, Listed, ReadResponse};
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
pub async fn read(client: &Client, cache: &IntegrationCache, current: Value) -> ReadResponse {
    let Some(guid) = current.get("guid").as_str().map(str::to_string) else {
        return ReadResponse { new_state: current, ..Default::default() };
    };
    let listed = cache
        .snapshot(client.server_url(), || async {
            let all = client.list_integrations().await?;
            Ok(all.into_iter().map(|i| (i.guid.clone(), i)).collect())
        })
        .await;
    match &listed {
        Ok(snapshot) => {
            if let Some(i) = snapshot.get(&guid) {
                return ReadResponse { new_state: to_state(i, &current), ..Default::default() };
            }
        }
        Err(e) if matches!(**e, Error::DuplicateInList { .. }) => {
            return ReadResponse {
                new_state: current,
                diags: diagnostic(&format!("Could not read OAuth integration {guid}"), e).into(),
                ..Default::default()
            }
        }
        Err(_) => {}
    }
    let direct = if listed.is_ok() {
        client.get_integration_after_list(&guid).await
    } else {
        client.get_integration(&guid).await
    };
    match direct {
        Ok(Some(i)) => ReadResponse { new_state: to_state(&i, &current), ..Default::default() },
        Ok(None) => ReadResponse { new_state: Value::Null, ..Default::default() },
        Err(e) => ReadResponse {
            new_state: current,
            diags: diagnostic(&format!("Could not read OAuth integration {guid}"), &e).into(),
            ..Default::default()
        },
    }
}

pub async fn create(client: &Client, cache: &IntegrationCache, planned: &Value, config: &Value) -> ApplyResponse {
    let created = client.create_integration(&new_request(planned, config)).await;
    cache.invalidate();
    match created {
        Ok(i) => ApplyResponse { new_state: fill_unknowns(planned, &to_state(&i, planned)), ..Default::default() },
        // Nothing was created: a null new state with the error keeps nothing in state.
        Err(e) => ApplyResponse {
            new_state: Value::Null,
            diags: diagnostic("Could not create OAuth integration", &e).into(),
            ..Default::default()
        },
    }
}

pub async fn update(
    client: &Client,
    cache: &IntegrationCache,
    prior: &Value,
    planned: &Value,
    config: &Value,
) -> ApplyResponse {
    let guid = prior.get("guid").as_str().unwrap_or_default().to_string();
    let updated = client.update_integration(&guid, &update_request(prior, planned, config)).await;
    cache.invalidate();
    match updated {
        Ok(i) => ApplyResponse { new_state: fill_unknowns(planned, &to_state(&i, planned)), ..Default::default() },
        Err(e) => ApplyResponse {
            new_state: prior.clone(),
            diags: diagnostic(&format!("Could not update OAuth integration {guid}"), &e).into(),
            ..Default::default()
        },
    }
}

/// Delete; an integration already gone (deleted in the dashboard) counts as deleted.
pub async fn delete(client: &Client, cache: &IntegrationCache, prior: &Value) -> ApplyResponse {
    let guid = prior.get("guid").as_str().unwrap_or_default().to_string();
    let deleted = client.delete_integration(&guid).await;
    cache.invalidate();
    match deleted {
        Ok(Deleted::Yes | Deleted::AlreadyGone) => ApplyResponse::default(),
        Err(e) => ApplyResponse {
            new_state: prior.clone(),
            diags: diagnostic(&format!("Could not delete OAuth integration {guid}"), &e).into(),
            ..Default::default()
        },
    }
}

/// Import by guid: the whole integration, except the secret Connect never returns.
pub async fn import(client: &Client, guid: &str) -> ImportResponse {
    let mut diags = Diagnostics::new();
    match client.get_integration(guid).await {
        Ok(Some(i)) => return ImportResponse { imported: vec![to_state(&i, &Value::Null)], diags },
        Ok(None) => diags.push(Diagnostic::error(
            "Cannot import non-existent OAuth integration",
            format!("Connect at {} has no OAuth integration with guid {guid:?}.", client.server_url()),
        )),
        Err(e) => diags.push(diagnostic(&format!("Could not import OAuth integration {guid}"), &e)),
    }
    ImportResponse { imported: vec![], diags }
}

/// Every integration of a template (or any) whose name matches a glob pattern (`*`, `?`), as
/// imported states, for `terraform query`.
pub async fn list(client: &Client, template: Option<&str>, pattern: Option<&str>) -> Result<Vec<Listed>, Diagnostics> {
    let all = client
        .list_integrations()
        .await
        .map_err(|e| Diagnostics::from(diagnostic("Could not list OAuth integrations", &e)))?;
    Ok(all
        .iter()
        // A template newer than this provider would fail validation once adopted: skip it.
        .filter(|i| TEMPLATE_IDS.contains(&i.template.as_str()))
        .filter(|i| template.is_none_or(|t| i.template == t))
        .filter(|i| pattern.is_none_or(|p| glob_match(p, &i.name)))
        .map(|i| Listed { display_name: format!("{} ({})", i.name, i.template), state: to_state(i, &Value::Null) })
        .collect())
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
