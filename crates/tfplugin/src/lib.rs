//! Everything about being a Terraform plugin (protocol 6), nothing about Connect.

pub mod codec;
pub mod controller;
pub mod diag;
pub mod handshake;
pub mod plan;
pub mod proto;
pub mod resource;
pub mod schema;
pub mod sensitive;
pub mod server;
pub mod tls;
pub mod transport;
pub mod validators;
pub mod value;
pub mod wire;
