//! The plugin binary Terraform launches: check that Terraform launched it, then serve the
//! provider over gRPC until Terraform says to stop.

use std::process::ExitCode;
use std::sync::Arc;

use terraform_provider_posit::provider::PositProvider;
use tfplugin::handshake;
use tfplugin::proto::tfplugin6::provider_server::ProviderServer;
use tfplugin::server::ProviderService;

fn main() -> ExitCode {
    let negotiated = match handshake::check_environment() {
        Ok(n) => n,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    terraform_provider_posit::logging::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("terraform-provider-posit: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let service = ProviderServer::new(ProviderService::new(PositProvider::new()))
            .max_decoding_message_size(256 << 20)
            .max_encoding_message_size(256 << 20);
        let routes = tonic::service::Routes::new(service);
        let shutdown = Arc::new(tokio::sync::Notify::new());
        match handshake::serve(routes, negotiated, shutdown).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("terraform-provider-posit: {e}");
                ExitCode::FAILURE
            }
        }
    })
}
