//! `posit_connect_oauth_integration_verify`: a Terraform action (1.14+) asking Connect to check
//! a Service Account integration's credentials (`POST /v1/oauth/integrations/{guid}/verify`,
//! which simulates a content session's token exchange), so a wrong client secret, tenant or
//! scope fails the apply that made it rather than the first content that asks for a token.
//!
//! At plan, an integration that already exists and is not a Service Account is an error (the
//! guid of one created in the same apply is unknown then: the check waits for invoke). Invoke
//! calls the endpoint within the action's `timeout` and the provider's operation deadline,
//! reporting progress; a refusal says what the identity provider refused (Connect's words, made
//! fit to show) and what to check.

use std::time::Duration;

use async_trait::async_trait;
use tfplugin::action::{Action, ActionPlanRequest, ActionPlanResponse, InvokeRequest, InvokeResponse, Progress};
use tfplugin::diag::{AttributePath, Diagnostic};
use tfplugin::model::{Attr, Model};
use tfplugin::resource::{ValidateRequest, ValidateResponse};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::validators::NotBlank;
use tfplugin::value::Number;

use crate::connect::Error;
use crate::connect_diagnostics::diagnostic;
use crate::provider_data::ProviderData;
use crate::untrusted::{server_text, MAX_MESSAGE_CHARS};

/// The type name users write in HCL.
pub const TYPE_NAME: &str = "posit_connect_oauth_integration_verify";

/// How long an invocation may take when `timeout` is not set, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u64 = 60;

const SERVICE_ACCOUNT: &str = "Service Account";

/// Connect's codes for the verify call's refusals.
const CODE_NOT_SERVICE_ACCOUNT: i64 = 240;
const CODE_NO_TOKEN: i64 = 241;

fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "Asks Connect to verify a Service Account OAuth integration: Connect simulates a content session's \
             token exchange with the integration's settings, so a wrong client secret, tenant, client id or scope \
             fails the apply instead of the first content that asks for a token. Needs Terraform 1.14 or later.",
            vec![
                Attribute::string("integration_guid").required().validate(NotBlank).describe(
                    "The guid of the OAuth integration to verify, typically `posit_connect_oauth_integration.<name>.guid`. \
                     It must be a `Service Account` integration.",
                ),
                Attribute::number("timeout").optional().describe(
                    "How long the verification may take, in seconds (default 60). The provider's \
                     `connect_operation_timeout` bounds the call too: the shorter wins.",
                ),
            ],
        ),
    )
}

tfplugin::model! {
    /// The action's `config` block.
    struct Verify {
        integration_guid: Attr<String>,
        timeout: Attr<Number>,
    }
}

/// `timeout` in seconds: the default when null; `None` when it is not a positive number.
fn timeout_of(v: &Verify) -> Option<Duration> {
    match v.timeout.get() {
        None => Some(Duration::from_secs(DEFAULT_TIMEOUT_SECS)),
        Some(n) => {
            let secs = match n {
                Number::Int(i) => *i as f64,
                Number::Float(f) => *f,
            };
            (secs.is_finite() && secs > 0.0 && secs <= 86_400.0).then(|| Duration::from_secs_f64(secs))
        }
    }
}

fn guid_path() -> AttributePath {
    AttributePath::root("integration_guid")
}

/// The error for an integration that is not a Service Account, at plan or invoke.
fn not_service_account(guid: &str, auth_type: Option<&str>) -> Diagnostic {
    let is = match auth_type {
        Some(t) => format!("is a {} integration", server_text(t, 80)),
        None => "is not a Service Account integration".to_owned(),
    };
    Diagnostic::error(
        "Only Service Account integrations can be verified",
        format!(
            "OAuth integration {guid} {is}. Connect verifies only Service Account integrations (config.auth_type = \
             \"{SERVICE_ACCOUNT}\"): the others get their tokens from each viewer's own sign-in, which cannot be \
             simulated. Remove the action from this integration's action_trigger, or verify a Service Account \
             integration."
        ),
    )
    .at(guid_path())
}

/// The error for a verification the identity provider refused, with its words and what to check.
fn refused(guid: &str, message: &str) -> Diagnostic {
    Diagnostic::error(
        "OAuth integration verification failed",
        format!(
            "Connect could not get a token for OAuth integration {guid}: the identity provider refused the \
             exchange: {}\n\nCheck the integration's config: tenant_id (the directory the app is registered in), \
             client_id (the app registration's application id), the client secret (its value, not its id, and \
             not expired) and scopes (ones the app may request with a client secret, e.g. \
             `https://cognitiveservices.azure.com/.default`). The integration itself was applied; fix the config \
             and apply again.",
            server_text(message, MAX_MESSAGE_CHARS)
        ),
    )
    .at(guid_path())
}

/// The action.
#[derive(Debug)]
pub struct OAuthIntegrationVerify {
    schema: Schema,
}

impl Default for OAuthIntegrationVerify {
    fn default() -> Self {
        Self::new()
    }
}

impl OAuthIntegrationVerify {
    /// The action with its schema.
    pub fn new() -> Self {
        OAuthIntegrationVerify { schema: schema() }
    }
}

#[async_trait]
impl Action<ProviderData> for OAuthIntegrationVerify {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, req: &ValidateRequest, resp: &mut ValidateResponse) {
        let Ok(v) = Verify::read(&req.config) else { return };
        if !v.timeout.is_unknown() && timeout_of(&v).is_none() {
            resp.diagnostics.push(
                Diagnostic::error("Invalid timeout", "timeout must be a number of seconds above 0, at most 86400.")
                    .at(AttributePath::root("timeout")),
            );
        }
    }

    async fn plan(&self, connect: Option<&ProviderData>, req: &ActionPlanRequest, resp: &mut ActionPlanResponse) {
        let (Some(connect), Ok(v)) = (connect, Verify::read(&req.config)) else { return };
        // Unknown until the integration is created in this apply: invoke checks it then.
        let Some(guid) = v.integration_guid.get() else { return };
        match connect.client.get_integration(guid).await {
            // Newer servers say the auth type at the top level, others only in `config`, Connect
            // before 2025 nowhere: then Connect decides when the action runs.
            Ok(Some(i)) => {
                match i.auth_type.as_deref().or_else(|| i.config.get("auth_type").and_then(|v| v.as_str())) {
                    Some(SERVICE_ACCOUNT) | None => {}
                    Some(other) => resp.diagnostics.push(not_service_account(guid, Some(other))),
                }
            }
            Ok(None) => resp.diagnostics.push(
                Diagnostic::error(
                    "OAuth integration not found",
                    format!("Connect has no OAuth integration {guid} to verify: check integration_guid."),
                )
                .at(guid_path()),
            ),
            Err(e) => resp.diagnostics.push(diagnostic("Could not read the OAuth integration to verify", &e)),
        }
    }

    async fn invoke(&self, connect: &ProviderData, req: InvokeRequest, progress: &Progress, resp: &mut InvokeResponse) {
        let v = match Verify::read(&req.config) {
            Ok(v) => v,
            Err(d) => return resp.diagnostics.push(d),
        };
        let Some(guid) = v.integration_guid.get() else { return };
        let limit = timeout_of(&v).unwrap_or(Duration::from_secs(DEFAULT_TIMEOUT_SECS));
        progress.report(format!("Asking Connect to verify OAuth integration {guid} (a simulated token exchange)"));
        match tokio::time::timeout(limit, connect.client.verify_integration(guid)).await {
            Err(_) => resp.diagnostics.push(
                Diagnostic::error(
                    "OAuth integration verification timed out",
                    format!(
                        "Connect did not finish verifying OAuth integration {guid} within {}s (the action's timeout). \
                         Raise timeout if the identity provider is slow.",
                        limit.as_secs_f64()
                    ),
                )
                .at(AttributePath::root("timeout")),
            ),
            Ok(Ok(Some(()))) => progress.report(format!("OAuth integration {guid} verified: Connect got a token")),
            Ok(Ok(None)) => resp.diagnostics.push(
                Diagnostic::error(
                    "OAuth integration not found",
                    format!("Connect has no OAuth integration {guid} to verify: check integration_guid."),
                )
                .at(guid_path()),
            ),
            Ok(Err(e)) => resp.diagnostics.push(refusal(connect, guid, &e).await),
        }
    }
}

/// What a failed verify call means: Connect's two verify codes get their own words; anything
/// else is an ordinary Connect error.
async fn refusal(connect: &ProviderData, guid: &str, err: &Error) -> Diagnostic {
    match err.last_attempt() {
        Error::Api { status: 400, code: Some(CODE_NO_TOKEN), message, .. } => refused(guid, message),
        Error::Api { status: 400, code: Some(CODE_NOT_SERVICE_ACCOUNT), .. } => {
            // Name the auth type it has, when Connect says.
            let auth_type = match connect.client.get_integration(guid).await {
                Ok(Some(i)) => i.auth_type,
                _ => None,
            };
            not_service_account(guid, auth_type.as_deref())
        }
        _ => diagnostic("Could not verify the OAuth integration", err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::value::Value;

    fn config(guid: Value, timeout: Value) -> Value {
        Value::object([("integration_guid", guid), ("timeout", timeout)])
    }

    #[test]
    fn the_model_matches_the_schema() {
        Verify::check_schema(&schema().block).unwrap();
    }

    #[test]
    fn timeout_defaults_and_must_be_positive() {
        let read = |t: Value| timeout_of(&Verify::read(&config(Value::string("g"), t)).unwrap());
        assert_eq!(read(Value::Null), Some(Duration::from_secs(DEFAULT_TIMEOUT_SECS)));
        assert_eq!(read(Value::Number(Number::Int(5))), Some(Duration::from_secs(5)));
        assert_eq!(read(Value::Number(Number::Float(0.5))), Some(Duration::from_millis(500)));
        assert_eq!(read(Value::Number(Number::Int(0))), None);
        assert_eq!(read(Value::Number(Number::Int(-1))), None);

        let mut resp = ValidateResponse::default();
        let req = |t| ValidateRequest { config: config(Value::Unknown, t), caps: Default::default() };
        OAuthIntegrationVerify::new().validate(&req(Value::Number(Number::Int(0))), &mut resp);
        assert!(resp.diagnostics.has_errors());
        let mut resp = ValidateResponse::default();
        OAuthIntegrationVerify::new().validate(&req(Value::Unknown), &mut resp);
        assert!(resp.diagnostics.is_empty(), "unknown at validate is fine");
    }

    #[test]
    fn a_refusal_quotes_the_identity_provider_and_says_what_to_check() {
        let d = refused("g1", "invalid_client: AADSTS7000215: Invalid client secret provided.\u{1b}[31m");
        assert_eq!(d.summary, "OAuth integration verification failed");
        assert!(d.detail.contains("AADSTS7000215: Invalid client secret provided."), "{}", d.detail);
        assert!(!d.detail.contains('\u{1b}'), "server text is made fit to show");
        for what in ["tenant_id", "client_id", "client secret", "scopes"] {
            assert!(d.detail.contains(what), "{what}: {}", d.detail);
        }
        let d = not_service_account("g2", Some("Viewer"));
        assert!(d.detail.contains("g2 is a Viewer integration"), "{}", d.detail);
    }
}
