//! What the provider's configure hands to every resource and data source operation (through the
//! framework, as `data`): the Connect client, and what the server said about itself when
//! configure checked it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use crate::connect::{Client, ServerInfo, Version};

/// A Connect client and the server behind it, checked once per process at configure.
#[derive(Clone, Debug)]
pub struct ProviderData {
    /// The client every API call goes through.
    pub client: Client,
    /// The server's version and the API key's role, as configure read them.
    pub server: ServerInfo,
    /// `protect_used_integrations`: the delete of an OAuth integration some content still uses
    /// is refused at apply (the plan warns either way).
    pub protect_used_integrations: bool,
    /// The content associations this process's plans remove, shared by every operation (see
    /// [`PlannedRemovals`]).
    pub planned_removals: PlannedRemovals,
}

/// Which content items' associations with which OAuth integrations the plans served by this
/// process destroy (a `posit_connect_content_oauth_integrations` planned for destroy), so that the
/// plan of an integration's destroy, which Terraform makes after its dependents' (destroy edges),
/// leaves them out of its warning. Only a hint for a message: the delete itself asks Connect.
#[derive(Clone, Debug, Default)]
pub struct PlannedRemovals(Arc<Mutex<BTreeMap<String, BTreeSet<String>>>>);

impl PlannedRemovals {
    /// Records that this run removes `content`'s associations with each of `integrations`.
    pub fn record<'a>(&self, content: &str, integrations: impl IntoIterator<Item = &'a str>) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for integration in integrations {
            map.entry(integration.to_string()).or_default().insert(content.to_string());
        }
    }

    /// The content items whose association with `integration` this run removes.
    pub fn removed_from(&self, integration: &str) -> BTreeSet<String> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(integration).cloned().unwrap_or_default()
    }
}

impl ProviderData {
    /// The server's version, as configure read it; `None` when the server did not say.
    pub fn server_version(&self) -> Option<&Version> {
        self.server.version.as_ref()
    }

    /// The API key's user's role on Connect, when the server said.
    pub fn user_role(&self) -> Option<&str> {
        self.server.user_role.as_deref()
    }
}
