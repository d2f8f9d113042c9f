//! What every handler and layer shares ([`AppState`]), and who a request's key stands for
//! ([`role_of`]).
//!
//! Kept apart from the layers (`middleware.rs`) and the handlers so that both depend on it and
//! it depends only on the store and the server's settings: handlers -> state -> store -> data.

use std::sync::Arc;

use axum::http::header;

use crate::errors::ApiError;
use crate::exchanges::Recorder;
use crate::faults::Faults;
use crate::store::Store;
use crate::Options;

/// What every handler and layer shares.
#[derive(Clone)]
pub(crate) struct AppState {
    pub store: Store,
    pub opts: Arc<Options>,
    pub faults: Faults,
    /// Set when `FAKE_CONNECT_EXCHANGES` asks for a record of every exchange.
    pub recorder: Option<Recorder>,
}

/// Who a key belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Admin,
    Publisher,
}

/// Reads `Authorization: Key <key>`. `Ok(None)`: no header; `Err`: a header with an unknown key
/// or another scheme.
pub(crate) fn role_of(headers: &axum::http::HeaderMap, opts: &Options) -> Result<Option<Role>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let invalid = || ApiError::unauthenticated("Invalid API key.");
    let value = value.to_str().map_err(|_| invalid())?.trim();
    let (scheme, key) = value.split_once(' ').ok_or_else(invalid)?;
    if !scheme.eq_ignore_ascii_case("key") {
        return Err(invalid());
    }
    let key = key.trim();
    if key == opts.admin_key {
        Ok(Some(Role::Admin))
    } else if opts.publisher_key.as_deref() == Some(key) {
        Ok(Some(Role::Publisher))
    } else {
        Err(invalid())
    }
}
