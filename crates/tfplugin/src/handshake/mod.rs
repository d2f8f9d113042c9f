//! The go-plugin handshake and server loop: what Terraform expects of any plugin process.
//!
//! Terraform starts the provider with a magic cookie and the protocol versions it speaks, reads
//! one line from our stdout naming where we listen (and our TLS certificate), then speaks gRPC
//! there until it calls `plugin.GRPCController/Shutdown`. Where we listen is a unix socket on
//! Linux and macOS, TCP on 127.0.0.1 on Windows ([`Transport`]; the plugin's
//! [`transport_env`](Plugin::transport_env) asks for the other where both exist):
//!
//! ```text
//! 1|6|unix|/tmp/tf-provider-posit-1234-0/plugin.sock|grpc|MIIB...   (core|app|net|addr|proto|cert)
//! 1|6|tcp|127.0.0.1:10000|grpc|MIIB...
//! ```
//!
//! [`check_environment`] reads how the process was started and settles how to serve, as a
//! [`Negotiated`] (`negotiation.rs`); [`serve`] listens, announces the address, and serves until
//! shut down (`serving.rs`). [`crate::run::run`] does both for a provider's `main`; a provider
//! that needs its own runtime calls them itself.

mod negotiation;
mod serving;

pub use negotiation::{check_environment, HandshakeError, Negotiated, Plugin};
#[cfg(test)]
pub(crate) use negotiation::{negotiate, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE};
pub use serving::{serve, ServeError};

pub use crate::tls::TlsError;
pub use crate::transport::{Transport, TransportError};
