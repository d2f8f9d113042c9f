//! Generates the gRPC server code for Terraform's plugin protocol and go-plugin's side services
//! (and, for the crate's tests, their clients).
//!
//! The protos are parsed by `protox` (pure Rust), so building needs no system `protoc`.

use std::io;

fn main() -> io::Result<()> {
    println!("cargo:rerun-if-changed=../../proto");
    println!("cargo:rerun-if-changed=build.rs");

    let fds = protox::compile(["tfplugin6.proto", "plugin.proto"], ["../../proto"])
        .map_err(|e| io::Error::other(format!("parsing proto/: {e:?}")))?;

    tonic_prost_build::configure()
        .build_server(true)
        // Clients stand in for Terraform in the crate's own tests only (`test_client.rs`).
        .build_client(true)
        .client_mod_attribute(".", "#[cfg(test)]")
        .build_transport(false)
        // Every RPC gets a default body answering `Unimplemented`, so the provider implements
        // only what it supports and core's "not supported" fallback applies to the rest.
        .generate_default_stubs(true)
        .emit_rerun_if_changed(false)
        .compile_fds(fds)
}
