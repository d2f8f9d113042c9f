//! plugin-probe: checks a build of the provider without the platform it is built for.
//!
//! - [`inspect`]: format, architecture and run-time needs from the executable's headers (ELF,
//!   Mach-O with its code signature, PE);
//! - [`handshake`]: starts the provider as Terraform does (possibly under an emulator: qemu-user,
//!   wine) and drives the go-plugin handshake, auto-mTLS and a gRPC call.
//!
//! `scripts/release.sh` runs both on every platform's build; `tests/e2e/probe.rs` runs them on
//! the provider cargo built for the tests.

pub mod handshake;
pub mod inspect;
pub mod proto;
