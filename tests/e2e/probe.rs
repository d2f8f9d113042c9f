//! The release checker (`tools/plugin-probe`) on the provider cargo built for the tests.
//!
//! `scripts/release.sh` checks every platform's build with it: the headers of each executable,
//! and the go-plugin handshake with a gRPC call under qemu-user or wine. Those runs take the
//! cross builds (minutes), so CI does not make them; it does check here that the checker reads
//! this machine's build right, passes a working provider over both transports, and fails the
//! ways the release needs it to fail.

use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

use plugin_probe::handshake::{probe_blocking, Options};
use plugin_probe::inspect::inspect_file;

use crate::support::workspace::provider_binary;

/// Terraform's name for this machine's platform, e.g. `linux_amd64`.
fn platform() -> String {
    plugin_probe::inspect::host_platform()
}

fn command(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

fn provider() -> Vec<OsString> {
    vec![provider_binary().into_os_string()]
}

#[test]
fn inspect_reads_this_build() {
    let found = inspect_file(&provider_binary()).expect("the provider binary is an executable the checker reads");
    let described = found.describe().join("\n");
    assert_eq!(found.platform(), platform(), "{described}");
    assert!(found.executable, "{described}");
    assert!(found.problems(Some(&platform()), false).is_empty(), "{described}");
    // Another platform's name fails.
    let other = if platform().ends_with("amd64") { "linux_arm64" } else { "linux_amd64" };
    let problems = found.problems(Some(other), false);
    assert!(problems.iter().any(|p| p.contains(&format!("expected {other}"))), "{problems:?}");
    if cfg!(target_os = "linux") {
        // A test build links glibc dynamically: not what a release promises.
        assert!(found.interpreter.is_some(), "{described}");
        let problems = found.problems(Some(&platform()), true);
        assert!(problems.iter().any(|p| p.contains("program interpreter")), "{problems:?}");
        assert!(described.contains("linkage: dynamic"), "{described}");
    }
}

#[test]
fn inspect_refuses_what_is_not_an_executable() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("provider.sh");
    std::fs::write(&script, "#!/bin/sh\necho hello\n").unwrap();
    assert!(inspect_file(&script).is_err());
    // The first KiB of the real binary: its header promises more than is there.
    let cut = dir.path().join("cut");
    let bytes = std::fs::read(provider_binary()).unwrap();
    std::fs::write(&cut, &bytes[..1024]).unwrap();
    assert!(inspect_file(&cut).is_err(), "a truncated executable");
    assert!(inspect_file(Path::new("/nonexistent/terraform-provider-posit")).is_err());
}

#[test]
fn handshake_over_each_transport() {
    let mut networks = vec!["tcp"];
    if cfg!(unix) {
        networks.insert(0, "unix");
    }
    for network in networks {
        let mut options = Options { expect_network: Some(network.into()), ..Options::default() };
        if network == "tcp" {
            options.env.push(("POSIT_PROVIDER_TRANSPORT".into(), "tcp".into()));
        }
        let report = probe_blocking(&provider(), &options).unwrap_or_else(|e| panic!("{network}: {e}"));
        let text = report.describe().join("\n");
        assert_eq!(report.network, network, "{text}");
        assert!(report.resources.iter().any(|r| r == "posit_connect_oauth_integration"), "{text}");
        assert!(report.data_sources.iter().any(|d| d.starts_with("posit_connect_")), "{text}");
        assert!(report.exit.success(), "{text}");
        if network == "tcp" {
            let port: u16 = report.address.rsplit(':').next().unwrap().parse().unwrap();
            assert!((10000..=25000).contains(&port), "within PLUGIN_MIN_PORT..PLUGIN_MAX_PORT: {text}");
        } else {
            assert_eq!(report.socket_removed, Some(true), "{text}");
        }
    }
}

#[test]
fn handshake_fails_when_it_should() {
    let quick = Options { start_timeout: Duration::from_secs(20), ..Options::default() };

    // The wrong network.
    let expected = if cfg!(unix) { "tcp" } else { "unix" };
    let options = Options { expect_network: Some(expected.into()), ..quick.clone() };
    let e = probe_blocking(&provider(), &options).unwrap_err();
    assert!(e.reason.contains(&format!("expected network {expected}")), "{e}");

    // A resource type the provider does not serve.
    let options = Options { expect_resource: "posit_connect_nothing".into(), ..quick.clone() };
    let e = probe_blocking(&provider(), &options).unwrap_err();
    assert!(e.reason.contains("no resource posit_connect_nothing"), "{e}");
    assert!(e.reason.contains("posit_connect_oauth_integration"), "names what it found: {e}");

    // A Terraform that speaks only protocol 5: the provider says why on stderr and exits.
    let options = Options { env: vec![("PLUGIN_PROTOCOL_VERSIONS".into(), "5".into())], ..quick.clone() };
    let e = probe_blocking(&provider(), &options).unwrap_err();
    assert!(e.reason.contains("without a handshake line"), "{e}");
    assert!(e.stderr.contains("protocol 6"), "the provider's own message is shown: {e}");

    if cfg!(unix) {
        // Not a plugin.
        let e = probe_blocking(&command(&["sh", "-c", "echo hello"]), &quick).unwrap_err();
        assert!(e.reason.contains("not a go-plugin handshake line"), "{e}");
        // A handshake line without a certificate: no mTLS although Terraform asked for it.
        let e =
            probe_blocking(&command(&["sh", "-c", "echo '1|6|tcp|127.0.0.1:1|grpc|'; sleep 5"]), &quick).unwrap_err();
        assert!(e.reason.contains("no certificate"), "{e}");
        // Protocol 5 offered.
        let e = probe_blocking(&command(&["sh", "-c", "echo '1|5|tcp|127.0.0.1:1|grpc|'"]), &quick).unwrap_err();
        assert!(e.reason.contains("Terraform needs 1, 6 and grpc"), "{e}");
        // Nothing on stdout in time.
        let slow = Options { start_timeout: Duration::from_secs(1), ..quick.clone() };
        let e = probe_blocking(&command(&["sleep", "10"]), &slow).unwrap_err();
        assert!(e.reason.contains("no handshake line on stdout within 1 s"), "{e}");
    }
}
