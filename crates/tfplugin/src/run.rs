//! The whole life of a provider process in one call, for a provider's `main`.

use std::process::ExitCode;
use std::sync::Arc;

use super::handshake::{self, Plugin};
use super::proto::tfplugin6::provider_server::ProviderServer;
use super::resource::Provider;
use super::server::ProviderService;

/// Largest gRPC message either way: a state of thousands of resources is one message, far beyond
/// tonic's default of 4 MiB.
const MAX_MESSAGE_BYTES: usize = 256 << 20;

/// Runs `provider` as a Terraform plugin: checks that Terraform started the process (or
/// `-debug`), calls `init_logging`, starts the async runtime and serves until Terraform shuts
/// the plugin down. Errors are printed to stderr, for the person or the Terraform log reading
/// it, and make the exit code 1.
pub fn run<P: Provider>(plugin: Plugin, init_logging: impl FnOnce(), provider: impl FnOnce() -> P) -> ExitCode {
    let negotiated = match handshake::check_environment(plugin) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("terraform-provider-{}: cannot start the async runtime: {e}", plugin.name);
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let service = ProviderServer::new(ProviderService::new(provider()))
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES);
        let routes = tonic::service::Routes::new(service);
        let shutdown = Arc::new(tokio::sync::Notify::new());
        match handshake::serve(routes, negotiated, shutdown).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("terraform-provider-{}: {e}", plugin.name);
                ExitCode::FAILURE
            }
        }
    })
}
