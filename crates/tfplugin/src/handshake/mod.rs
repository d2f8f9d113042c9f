//! The go-plugin handshake and server loop: what Terraform expects of any plugin process.
//!
//! Terraform starts the provider with a magic cookie and the protocol versions it speaks, reads
//! one line from our stdout naming where we listen (and our TLS certificate), then speaks gRPC
//! there until it calls `plugin.GRPCController/Shutdown`. Where we listen is a unix socket on
//! Linux and macOS, TCP on 127.0.0.1 on Windows (see [`super::transport`]):
//!
//! ```text
//! 1|6|unix|/tmp/tf-provider-posit-1234-0/plugin.sock|grpc|MIIB...   (core|app|net|addr|proto|cert)
//! 1|6|tcp|127.0.0.1:10000|grpc|MIIB...
//! ```
//!
//! [`negotiation`] reads how Terraform started the process and settles how to serve;
//! [`serving`] listens, announces the address, and serves until shut down.

mod negotiation;
mod serving;

pub use negotiation::{
    check_environment, handshake_line, negotiate, reattach_config, HandshakeError, Negotiated, Plugin,
    CORE_PROTOCOL_VERSION, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, PROTOCOL_VERSION,
};
pub use serving::{serve, PluginConn, ServeError};
