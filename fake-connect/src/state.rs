//! What every handler and layer shares ([`AppState`]), and who a request's key stands for
//! ([`role_of`]).
//!
//! Kept apart from the layers (`middleware.rs`) and the handlers so that both depend on it and
//! it depends only on the store and the server's settings: handlers -> state -> store -> data.

use std::sync::Arc;

use axum::http::header;

use crate::catalog::ContentItem;
use crate::directory::{ADMIN_USER_GUID, PUBLISHER_USER_GUID};
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
    /// Whether the server speaks HTTPS (for the URLs answers carry).
    pub https: bool,
}

impl AppState {
    /// The server's URL as the client reached it (its `Host` header), for the URLs in answers:
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub(crate) fn base_url(&self, headers: &axum::http::HeaderMap) -> String {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
        format!("{}://{host}", if self.https { "https" } else { "http" })
    }
}

/// Who a key belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Admin,
    Publisher,
}

/// The user a request's key stands for, and that user's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Caller {
    pub role: Role,
    pub user_guid: &'static str,
}

impl Caller {
    pub(crate) fn is_admin(self) -> bool {
        self.role == Role::Admin
    }

    /// Whether the caller sees the item: administrators see everything.
    pub(crate) fn may_view(self, item: &ContentItem) -> bool {
        self.is_admin() || item.visible_to(self.user_guid)
    }

    /// Whether the caller may change the item: administrators may change everything.
    pub(crate) fn may_change(self, item: &ContentItem) -> bool {
        self.is_admin() || item.changeable_by(self.user_guid)
    }
}

/// The caller of a request that needs a key (the layers have refused a request without one).
pub(crate) fn caller(headers: &axum::http::HeaderMap, opts: &Options) -> Result<Caller, ApiError> {
    match role_of(headers, opts)? {
        Some(Role::Admin) => Ok(Caller { role: Role::Admin, user_guid: ADMIN_USER_GUID }),
        Some(Role::Publisher) => Ok(Caller { role: Role::Publisher, user_guid: PUBLISHER_USER_GUID }),
        None => Err(ApiError::unauthenticated("This request requires an API key.")),
    }
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
