//! The command line as scripts/release.sh uses it: what it prints and its exit codes (0 every
//! check passed, 1 one failed, 2 a usage error). The checks themselves are tested on the
//! provider in tests/e2e/probe.rs.

use std::process::{Command, Output};

fn probe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plugin-probe")).args(args).output().expect("run plugin-probe")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn this_platform() -> String {
    let os = if cfg!(target_os = "macos") { "darwin" } else { std::env::consts::OS };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{os}_{arch}")
}

#[test]
fn inspect_exit_codes() {
    let me = env!("CARGO_BIN_EXE_plugin-probe");
    let platform = this_platform();
    let ok = probe(&["inspect", me, "--platform", &platform]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    assert!(text(&ok).contains(&format!("platform: {platform}")), "{}", text(&ok));
    assert!(text(&ok).lines().any(|l| l == "ok"), "{}", text(&ok));

    let other = if platform == "windows_amd64" { "linux_amd64" } else { "windows_amd64" };
    let wrong = probe(&["inspect", me, "--platform", other]);
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong));
    assert!(text(&wrong).contains(&format!("expected {other}")), "{}", text(&wrong));

    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let not_exe = probe(&["inspect", manifest]);
    assert_eq!(not_exe.status.code(), Some(1), "{}", text(&not_exe));
}

#[test]
fn usage_errors() {
    for args in [
        &[][..],
        &["inspect"],
        &["inspect", "a", "b"],
        &["handshake"],
        &["handshake", "--expect-network", "udp", "--", "x"],
        &["frobnicate"],
    ] {
        let out = probe(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(text(&out).contains("usage:"), "{args:?}: {}", text(&out));
    }
}

#[cfg(unix)]
#[test]
fn handshake_with_something_that_is_not_a_plugin() {
    let out = probe(&["handshake", "--timeout", "10", "--", "sh", "-c", "echo hello; echo oops >&2"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("not a go-plugin handshake line"), "{}", text(&out));
}
