//! The plugin binary Terraform launches: the framework checks that Terraform launched it, then
//! serves the provider over gRPC until Terraform says to stop.

use std::process::ExitCode;

use terraform_provider_posit::logging;
use terraform_provider_posit::provider::{PositProvider, PLUGIN};

fn main() -> ExitCode {
    tfplugin::run::run(PLUGIN, logging::init, PositProvider::new)
}
