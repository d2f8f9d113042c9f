//! The Connect API calls behind `posit_connect_content_oauth_integrations`: one GET to read, one
//! PUT of the whole set to create or update, a PUT of `[]` to delete.

use crate::connect::Client;
use crate::resources::errors::diagnostic;
use tfplugin::diag::Diagnostic;
use tfplugin::resource::{DeleteResponse, ImportResponse, ReadResponse};
use tfplugin::value::Value;

/// The state for a content item's associations, as a sorted set (cty's own order for sets).
fn state(content: &str, mut guids: Vec<String>) -> Value {
    guids.sort();
    guids.dedup();
    Value::object([
        ("id", Value::string(content)),
        ("content_guid", Value::string(content)),
        ("integration_guids", Value::Set(guids.into_iter().map(Value::String).collect())),
    ])
}

fn guids_of(v: &Value) -> Vec<String> {
    match v.get("integration_guids") {
        Value::Set(items) | Value::List(items) => items.iter().filter_map(|i| i.as_str().map(String::from)).collect(),
        _ => Vec::new(),
    }
}

fn content_of(v: &Value) -> String {
    v.get("content_guid").as_str().unwrap_or_default().to_string()
}

/// Refresh; content that no longer exists drops the resource from state.
pub async fn read(client: &Client, current: &Value, resp: &mut ReadResponse) {
    let content = content_of(current);
    match client.content_associations(&content).await {
        Ok(Some(list)) => {
            resp.new_state = state(&content, list.into_iter().map(|a| a.oauth_integration_guid).collect())
        }
        Ok(None) => resp.new_state = Value::Null,
        Err(e) => resp
            .diagnostics
            .push(diagnostic(&format!("Could not read the OAuth integrations of content {content}"), &e)),
    }
}

/// Create or update: PUT the planned set. On failure the state stays as it was (nothing on
/// create, the prior set on update).
pub async fn put(client: &Client, planned: &Value) -> Result<Value, Diagnostic> {
    let content = content_of(planned);
    match client.set_content_associations(&content, &guids_of(planned)).await {
        Ok(()) => Ok(state(&content, guids_of(planned))),
        Err(e) => Err(diagnostic(&format!("Could not set the OAuth integrations of content {content}"), &e)),
    }
}

/// Delete: PUT `[]`. Content already gone has no associations left, which is the goal.
pub async fn delete(client: &Client, prior: &Value, resp: &mut DeleteResponse) {
    let content = content_of(prior);
    match client.set_content_associations(&content, &[]).await {
        Ok(()) => {}
        // Not when the 404 says the OAuth API itself is missing: nothing was removed then.
        Err(e) if e.status() == Some(404) && !e.is_missing_api() => {}
        Err(e) => resp
            .diagnostics
            .push(diagnostic(&format!("Could not remove the OAuth integrations of content {content}"), &e)),
    }
}

/// Import by content guid.
pub async fn import(client: &Client, content: &str, resp: &mut ImportResponse) {
    match client.content_associations(content).await {
        Ok(Some(list)) => {
            let guids = list.into_iter().map(|a| a.oauth_integration_guid).collect();
            resp.imported.push(state(content, guids));
        }
        Ok(None) => resp.diagnostics.push(Diagnostic::error(
            "Cannot import associations of non-existent content",
            format!("Connect at {} has no content item with guid {content:?}.", client.server_url()),
        )),
        Err(e) => resp
            .diagnostics
            .push(diagnostic(&format!("Could not import the OAuth integrations of content {content}"), &e)),
    }
}
