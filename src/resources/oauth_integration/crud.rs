//! The Connect API calls behind read, create, update and delete of `posit_connect_oauth_integration`
//! (import and `terraform query` listing are in `adopt`).

use crate::connect::{Client, Deleted, Error, Integration};
use std::sync::Arc;

use crate::connect_diagnostics::diagnostic;
use crate::list_cache::{ListCache, Snapshot};
use tfplugin::diag::{AttributePath, Diagnostic};
use tfplugin::model::Model;
use tfplugin::plan::fill_unknowns;
use tfplugin::resource::{CreateResponse, DeleteResponse, ReadResponse, UpdateResponse};
use tfplugin::value::Value;

use super::model::{new_request, to_state, update_request, IntegrationState};
use super::schema::STRING_KEYS;

/// The integrations listed for the reads of this process (see [`crate::list_cache`]).
pub(crate) type IntegrationCache = ListCache<Integration, Error>;

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
pub(crate) async fn read(client: &Client, cache: &IntegrationCache, current: Value, resp: &mut ReadResponse) {
    let current = match IntegrationState::read(&current) {
        Ok(state) => state,
        Err(d) => return resp.diagnostics.push(d),
    };
    let Some(guid) = current.guid.as_str().map(str::to_string) else { return };
    let listed = listing(client, cache).await;
    match &listed {
        Ok(snapshot) => {
            if let Some(i) = snapshot.get(&guid) {
                resp.new_state = to_state(i, Some(&current)).to_value();
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
        Ok(Some(i)) => resp.new_state = to_state(&i, Some(&current)).to_value(),
        Ok(None) => resp.new_state = Value::Null,
        Err(e) => resp.diagnostics.push(diagnostic(&format!("Could not read OAuth integration {guid}"), &e)),
    }
}

/// The integrations on the server, listed once for the reads (and plans) of this process.
async fn listing(client: &Client, cache: &IntegrationCache) -> Result<Arc<Snapshot<Integration>>, Arc<Error>> {
    cache
        .snapshot(client.server_url(), || async {
            let all = client.list_integrations().await?;
            Ok(all.into_iter().map(|i| (i.guid.clone(), i)).collect())
        })
        .await
}

/// Whether the server has permissions on integrations, as its integrations show (the field is
/// there or not; which Connect version added it is not recorded). `None` when it cannot tell:
/// no integration to look at, or no list; a create then tells (see [`create`]).
pub(crate) async fn server_has_permissions(client: &Client, cache: &IntegrationCache) -> Option<bool> {
    let listed = listing(client, cache).await.ok()?;
    let mut all = listed.values().peekable();
    all.peek()?;
    Some(all.any(|i| i.permissions.is_some()))
}

/// The error for `permissions` configured against a server without them.
pub(crate) fn no_permissions_here(server: &str) -> Diagnostic {
    Diagnostic::error(
        "Connect has no permissions on OAuth integrations",
        format!(
            "The Connect server at {server} does not report who may use its OAuth integrations (its answers have no \
             permissions field): it predates permissions on integrations. Remove permissions from the configuration, \
             or upgrade Connect."
        ),
    )
    .at(AttributePath::root("permissions"))
}

/// Create; when Connect refuses, nothing was created and the state stays empty.
pub(crate) async fn create(
    client: &Client,
    cache: &IntegrationCache,
    planned: &Value,
    config: &Value,
    resp: &mut CreateResponse,
) {
    let (typed, config) = match (IntegrationState::read(planned), IntegrationState::read(config)) {
        (Ok(planned), Ok(config)) => (planned, config),
        (Err(d), _) | (_, Err(d)) => return resp.diagnostics.push(d),
    };
    let request = new_request(&typed, &config);
    let created = client.create_integration(&request).await;
    cache.invalidate();
    match created {
        Ok(i) => {
            // Made: the state records it whatever follows.
            resp.new_state = fill_unknowns(planned, &to_state(&i, Some(&typed)).to_value());
            if request.permissions.is_some() && i.permissions.is_none() {
                resp.diagnostics.push(no_permissions_here(client.server_url()));
            }
        }
        Err(e) => {
            resp.diagnostics.push(at_attribute(diagnostic("Could not create OAuth integration", &e), &e, &config))
        }
    }
}

/// Update in place (PATCH); on failure the state stays as it was.
pub(crate) async fn update(
    client: &Client,
    cache: &IntegrationCache,
    prior: &Value,
    planned: &Value,
    config: &Value,
    resp: &mut UpdateResponse,
) {
    let read = |v: &Value| IntegrationState::read(v);
    let (prior, typed, config) = match (read(prior), read(planned), read(config)) {
        (Ok(prior), Ok(planned), Ok(config)) => (prior, planned, config),
        (Err(d), _, _) | (_, Err(d), _) | (_, _, Err(d)) => return resp.diagnostics.push(d),
    };
    let guid = prior.guid.as_str().unwrap_or_default().to_string();
    let updated = client.update_integration(&guid, &update_request(&prior, &typed, &config)).await;
    cache.invalidate();
    match updated {
        Ok(i) => resp.new_state = fill_unknowns(planned, &to_state(&i, Some(&typed)).to_value()),
        Err(e) => {
            let d = diagnostic(&format!("Could not update OAuth integration {guid}"), &e);
            resp.diagnostics.push(at_attribute(d, &e, &config));
        }
    }
}

/// Points a diagnostic at the attribute Connect's error code concerns (the names of Posit's
/// `APIErrorCode`, 1-based), keeping Connect's words. A config value Connect refuses (228,
/// `OAuthTemplateConfig`) is pinned to its key when the message names one the schema has
/// (`The config key max_role must be one of ...`), else to `config`.
fn at_attribute(d: Diagnostic, err: &Error, config: &IntegrationState) -> Diagnostic {
    let Error::Api { code: Some(code), message, .. } = err.last_attempt() else { return d };
    let path = match code {
        203 => "config.client_id".to_string(), // InvalidOAuthClientId
        204 => "config.tenant_id".to_string(), // InvalidOAuthTenantId
        205 => secret_attribute(config),       // InvalidOAuthClientSecret
        225 => "name".to_string(),             // InvalidOAuthIntegrationName
        226 => "description".to_string(),      // InvalidOAuthIntegrationDescription
        227 => "template".to_string(),         // OAuthTemplateNotFound
        228 => config_key_named(message).map_or_else(|| "config".to_string(), |k| format!("config.{k}")),
        _ => return d,
    };
    d.at(AttributePath::dotted(&path))
}

/// The secret attribute the configuration sets (the write-only one, or else the plain one).
fn secret_attribute(config: &IntegrationState) -> String {
    let key = if config.cfg().client_secret_wo.is_null() { "client_secret" } else { "client_secret_wo" };
    format!("config.{key}")
}

/// The schema's config key a message of Connect's names as `config key <key>`, if any.
fn config_key_named(message: &str) -> Option<&'static str> {
    let rest = &message[message.find("config key ")? + "config key ".len()..];
    let word = rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next()?;
    STRING_KEYS.iter().copied().chain(["use_pkce"]).find(|k| *k == word)
}

/// Delete; an integration already gone (deleted in the dashboard) counts as deleted.
pub(crate) async fn delete(client: &Client, cache: &IntegrationCache, prior: &Value, resp: &mut DeleteResponse) {
    let guid = match IntegrationState::read(prior) {
        Ok(prior) => prior.guid.as_str().unwrap_or_default().to_string(),
        Err(d) => return resp.diagnostics.push(d),
    };
    let deleted = client.delete_integration(&guid).await;
    cache.invalidate();
    match deleted {
        Ok(Deleted::Yes | Deleted::AlreadyGone) => {}
        Err(e) => resp.diagnostics.push(diagnostic(&format!("Could not delete OAuth integration {guid}"), &e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(code: i64, message: &str) -> Error {
        let api = Error::Api {
            method: reqwest::Method::POST,
            url: "https://h/__api__/v1/oauth/integrations".into(),
            status: 400,
            code: Some(code),
            message: message.into(),
        };
        Error::GaveUp {
            attempts: 1,
            over: std::time::Duration::ZERO,
            why: crate::connect::GiveUp::NoRetriesLeft,
            maybe_done: false,
            last: Box::new(api),
        }
    }

    fn path_of(code: i64, message: &str, config: &Value) -> Option<String> {
        let config = IntegrationState::read(config).unwrap();
        let config = &config;
        let e = refused(code, message);
        at_attribute(diagnostic("Could not create", &e), &e, config).attribute.map(|p| p.to_string())
    }

    #[test]
    fn connect_error_codes_point_at_their_attribute() {
        let plain = Value::object([("config", Value::object([("client_secret", Value::string("s"))]))]);
        let wo = Value::object([("config", Value::object([("client_secret_wo", Value::string("s"))]))]);
        assert_eq!(path_of(203, "bad client id", &plain).as_deref(), Some("config.client_id"));
        assert_eq!(path_of(204, "bad tenant", &plain).as_deref(), Some("config.tenant_id"));
        assert_eq!(path_of(205, "bad secret", &plain).as_deref(), Some("config.client_secret"));
        assert_eq!(path_of(205, "bad secret", &wo).as_deref(), Some("config.client_secret_wo"));
        assert_eq!(path_of(225, "bad name", &plain).as_deref(), Some("name"));
        assert_eq!(path_of(226, "bad description", &plain).as_deref(), Some("description"));
        assert_eq!(path_of(227, "no such template", &plain).as_deref(), Some("template"));
        let max_role = "The config key max_role must be one of (Viewer, Publisher, Admin)";
        assert_eq!(path_of(228, max_role, &plain).as_deref(), Some("config.max_role"));
        assert_eq!(path_of(228, "The config key region is not allowed", &plain).as_deref(), Some("config"));
        assert_eq!(path_of(228, "bad config", &plain).as_deref(), Some("config"));
        assert_eq!(path_of(1, "internal", &plain), None);
        // Connect's words stay.
        let e = refused(228, max_role);
        let plain = IntegrationState::read(&plain).unwrap();
        assert!(at_attribute(diagnostic("Could not create", &e), &e, &plain).detail.contains(max_role));
    }
}
