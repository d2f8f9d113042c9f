//! Code generated from `proto/` by `build.rs` (tonic + prost).
//!
//! `tfplugin6` is Terraform's plugin protocol 6.10; `plugin` holds go-plugin's controller and
//! stdio services, which every go-plugin server offers beside the provider.

/// Terraform plugin protocol 6 messages and the `Provider` service.
#[allow(clippy::all, clippy::pedantic, missing_docs, rustdoc::all, unreachable_pub, non_snake_case)]
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's `GRPCController` and `GRPCStdio` services.
#[allow(clippy::all, clippy::pedantic, missing_docs, rustdoc::all, unreachable_pub, non_snake_case)]
pub mod plugin {
    tonic::include_proto!("plugin");
}
