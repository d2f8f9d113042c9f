//! What the provider's configure hands to every resource and data source operation (through the
//! framework, as `data`): the Connect client, and what the server said about itself when
//! configure checked it.

use crate::connect::{Client, ServerInfo, Version};

/// A Connect client and the server behind it, checked once per process at configure.
#[derive(Clone, Debug)]
pub struct ProviderData {
    /// The client every API call goes through.
    pub client: Client,
    /// The server's version and the API key's role, as configure read them.
    pub server: ServerInfo,
    /// `protect_used_integrations`: a plan that destroys or replaces an OAuth integration some
    /// content uses fails, rather than only warning.
    pub protect_used_integrations: bool,
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
