//! The Connect API calls behind each Terraform operation on `posit_connect_oauth_integration`.

use crate::connect::{Client, Deleted};
use crate::resources::api::diagnostic;
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::plan::fill_unknowns;
use crate::tfplugin::resource::{ApplyResponse, ImportResponse, ReadResponse};
use crate::tfplugin::value::Value;

use super::model::{new_request, to_state, update_request};

/// Refresh: the integration as the server has it now; a 404 returns null so that Terraform
/// drops it from state and plans to create it again.
pub async fn read(client: &Client, current: Value) -> ReadResponse {
    let Some(guid) = current.get("guid").as_str().map(str::to_string) else {
        return ReadResponse { new_state: current, ..Default::default() };
    };
    match client.get_integration(&guid).await {
        Ok(Some(i)) => ReadResponse { new_state: to_state(&i, &current), ..Default::default() },
        Ok(None) => ReadResponse { new_state: Value::Null, ..Default::default() },
        Err(e) => ReadResponse {
            new_state: current,
            diags: diagnostic(&format!("Could not read OAuth integration {guid}"), &e).into(),
            ..Default::default()
        },
    }
}

pub async fn create(client: &Client, planned: &Value, config: &Value) -> ApplyResponse {
    match client.create_integration(&new_request(planned, config)).await {
        Ok(i) => ApplyResponse { new_state: fill_unknowns(planned, &to_state(&i, planned)), ..Default::default() },
        // Nothing was created: a null new state with the error keeps nothing in state.
        Err(e) => ApplyResponse {
            new_state: Value::Null,
            diags: diagnostic("Could not create OAuth integration", &e).into(),
            ..Default::default()
        },
    }
}

pub async fn update(client: &Client, prior: &Value, planned: &Value, config: &Value) -> ApplyResponse {
    let guid = prior.get("guid").as_str().unwrap_or_default().to_string();
    match client.update_integration(&guid, &update_request(prior, planned, config)).await {
        Ok(i) => ApplyResponse { new_state: fill_unknowns(planned, &to_state(&i, planned)), ..Default::default() },
        Err(e) => ApplyResponse {
            new_state: prior.clone(),
            diags: diagnostic(&format!("Could not update OAuth integration {guid}"), &e).into(),
            ..Default::default()
        },
    }
}

/// Delete; an integration already gone (deleted in the dashboard) counts as deleted.
pub async fn delete(client: &Client, prior: &Value) -> ApplyResponse {
    let guid = prior.get("guid").as_str().unwrap_or_default().to_string();
    match client.delete_integration(&guid).await {
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
