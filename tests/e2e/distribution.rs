//! Distribution: the registry manifest, the release archive layout, and installing the provider
//! from a filesystem mirror with `terraform init`, offline, as users of a private or air-gapped
//! setup do.
//!
//! Both scripts run on the binary cargo built for the tests (no release build here: a static
//! release build takes minutes; run `scripts/release.sh` by hand for that):
//!
//! - `scripts/install-local.sh --binary` puts it in a temporary mirror (unpacked layout, under
//!   both registry.terraform.io and registry.opentofu.org) and prints the `provider_installation`
//!   block of each CLI; with `--cli terraform` Terraform's alone, which becomes the whole CLI
//!   configuration (no dev_overrides). `terraform init` must install `posit-dev/posit` from the mirror and lock it
//!   (with the `h1:` hash computed here from the binary), then `terraform plan` must work
//!   against a fake Connect.
//! - `scripts/release.sh --binary --allow-dynamic` checks it with tools/plugin-probe (headers,
//!   and the handshake over both transports) and packages it (zip, manifest, SHA256SUMS);
//!   `install-local.sh --zip --packed` puts that zip in a mirror (packed layout), and
//!   `terraform init` must install it and lock the binary's own `h1:` hash (so the zip holds
//!   exactly that binary), then plan.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::support::terraform::run_command;
use crate::support::workspace::provider_binary;
use crate::support::*;

const VERSION: &str = env!("CARGO_PKG_VERSION");
const ADDR: &str = "posit_connect_oauth_integration.dist";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Terraform's name for this machine's platform, e.g. `linux_amd64`.
fn platform() -> String {
    plugin_probe::inspect::host_platform()
}

/// The plugin-probe binary cargo built in this target directory (`PLUGIN_PROBE` names another).
fn plugin_probe_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PLUGIN_PROBE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    // This test runs from target/<profile>/deps/; the binaries are in target/<profile>/.
    let exe = std::env::current_exe().ok()?;
    let probe = exe.parent()?.parent()?.join(format!("plugin-probe{}", std::env::consts::EXE_SUFFIX));
    probe.is_file().then_some(probe)
}

/// Runs one of the scripts; returns its stdout, panicking with both streams when it fails.
#[track_caller]
fn script(name: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new("bash");
    cmd.arg(repo_root().join("scripts").join(name)).args(args).current_dir(repo_root());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let run = run_command(cmd, Duration::from_secs(300));
    if run.exit_code != Some(0) {
        panic!(
            "scripts/{name} {} failed (exit {:?}):\n---- stdout ----\n{}\n---- stderr ----\n{}",
            args.join(" "),
            run.exit_code,
            run.stdout,
            run.stderr
        );
    }
    run.stdout
}

/// A copy of the provider binary under test, so that a rebuild during the test (another cargo
/// command in the same target directory) cannot change it halfway.
fn provider_copy(dir: &Path) -> PathBuf {
    let copy = dir.join("terraform-provider-posit");
    std::fs::copy(provider_binary(), &copy).expect("copy the provider binary");
    copy
}

fn python(code: &str, args: &[&str]) -> String {
    let out = Command::new("python3").arg("-c").arg(code).args(args).output().expect("run python3");
    assert!(out.status.success(), "python3: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn sha256_hex(path: &Path) -> String {
    python(
        "import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())",
        &[&path.to_string_lossy()],
    )
}

/// The `h1:` hash Terraform records for a provider package holding `binary` as `name` alone:
/// base64 of the sha256 of the line `<sha256 hex of the file>  <name>\n` (Go's dirhash Hash1).
fn h1_hash(binary: &Path, name: &str) -> String {
    python(
        "import base64,hashlib,sys; f=hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest(); \
         print('h1:'+base64.b64encode(hashlib.sha256(f'{f}  {sys.argv[2]}\\n'.encode()).digest()).decode())",
        &[&binary.to_string_lossy(), name],
    )
}

/// The `provider "registry.terraform.io/posit-dev/posit" { ... }` block of a lock file.
fn lock_entry(lock: &str) -> Option<&str> {
    let start = lock.find("provider \"registry.terraform.io/posit-dev/posit\" {")?;
    let rest = &lock[start..];
    let end = rest.find("\n}").map_or(rest.len(), |i| i + 2);
    Some(&rest[..end])
}

/// In a workspace whose CLI configuration is `cli_config` alone: `terraform init` (it must
/// install posit-dev/posit VERSION from the mirror, not from an override), then a plan against
/// a fake Connect that proposes to create the integration. The lock file's entry must hold
/// `h1`, the hash of the binary that was installed. Returns that entry.
fn init_and_plan(tf: &Terraform, cli_config: &str, h1: &str) -> String {
    let fake = start_fake();
    let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
    ws.write_file("terraform.tfrc", cli_config);
    let body = format!(
        "terraform {{\n  required_providers {{\n    posit = {{\n      source  = \"posit-dev/posit\"\n      version = \"{VERSION}\"\n    }}\n  }}\n}}\n\n{}",
        Integration::new("msgraph", "Installed from a mirror").secret("s3cret").hcl("dist")
    );
    ws.write_main(&body);

    let init = ws.run(&["init", "-no-color", "-input=false"]).ok();
    init.assert_output_contains(&[&format!("Installed posit-dev/posit v{VERSION}")]);
    if init.output().contains("development overrides") {
        init.fail("init used a development override instead of the mirror");
    }
    let lock = std::fs::read_to_string(ws.path().join(".terraform.lock.hcl"))
        .unwrap_or_else(|e| init.fail(&format!("no .terraform.lock.hcl after init: {e}")));
    let entry = lock_entry(&lock)
        .unwrap_or_else(|| init.fail(&format!("the lock file has no entry for posit-dev/posit:\n{lock}")))
        .to_string();
    if !entry.contains(&format!("version     = \"{VERSION}\"")) || !entry.contains(&format!("\"{h1}\"")) {
        init.fail(&format!(
            "the lock entry should have version {VERSION} and the hash of the installed binary, {h1}:\n{entry}"
        ));
    }
    let installed = ws
        .path()
        .join(".terraform/providers/registry.terraform.io/posit-dev/posit")
        .join(VERSION)
        .join(platform())
        .join(format!("terraform-provider-posit_v{VERSION}"));
    if !installed.exists() {
        init.fail(&format!("init did not install {}", installed.display()));
    }

    let plan = ws.plan_json();
    assert_actions(&plan, ADDR, &["create"], "a plan with the provider installed from the mirror");
    assert!(fake.store().is_empty(), "a plan changes nothing on the server");
    entry
}

#[test]
fn registry_manifest() {
    let text = std::fs::read_to_string(repo_root().join("terraform-registry-manifest.json")).unwrap();
    let manifest: Value = serde_json::from_str(&text).expect("terraform-registry-manifest.json is JSON");
    assert_eq!(manifest["version"], 1, "{text}");
    assert_eq!(manifest["metadata"]["protocol_versions"], serde_json::json!(["6.0"]), "{text}");
}

#[test]
fn install_from_filesystem_mirror_then_init_and_plan() {
    let mirror = tempfile::Builder::new().prefix("posit-mirror-").tempdir().unwrap();
    let build = tempfile::Builder::new().prefix("posit-build-").tempdir().unwrap();
    let binary = provider_copy(build.path());
    let config = script(
        "install-local.sh",
        &["--binary", &binary.to_string_lossy(), "--mirror", &mirror.path().to_string_lossy(), "--cli", "terraform"],
        &[],
    );
    for needle in
        ["provider_installation", "filesystem_mirror", "include = [\"registry.terraform.io/posit-dev/posit\"]"]
    {
        assert!(config.contains(needle), "install-local.sh should print a block with {needle:?}; printed:\n{config}");
    }
    assert!(!config.contains("dev_overrides"), "{config}");
    let exe = mirror
        .path()
        .join("registry.terraform.io/posit-dev/posit")
        .join(VERSION)
        .join(platform())
        .join(format!("terraform-provider-posit_v{VERSION}"));
    assert!(exe.is_file(), "install-local.sh should have written {}", exe.display());
    // OpenTofu reads `posit-dev/posit` as registry.opentofu.org/posit-dev/posit: the same mirror
    // holds the binary under that address too.
    let tofu_exe = mirror
        .path()
        .join("registry.opentofu.org/posit-dev/posit")
        .join(VERSION)
        .join(platform())
        .join(format!("terraform-provider-posit_v{VERSION}"));
    assert!(tofu_exe.is_file(), "install-local.sh should have written {}", tofu_exe.display());
    assert!(!config.contains("registry.opentofu.org"), "--cli terraform prints Terraform's block alone:\n{config}");

    // By default, one block per CLI, each after a comment saying where it goes.
    let both = script(
        "install-local.sh",
        &["--binary", &binary.to_string_lossy(), "--mirror", &mirror.path().to_string_lossy()],
        &[],
    );
    for needle in [
        "# Terraform: ~/.terraformrc",
        "include = [\"registry.terraform.io/posit-dev/posit\"]",
        "# OpenTofu: ~/.tofurc",
        "include = [\"registry.opentofu.org/posit-dev/posit\"]",
        "TF_CLI_CONFIG_FILE",
    ] {
        assert!(both.contains(needle), "install-local.sh should print {needle:?}; printed:\n{both}");
    }
    assert_eq!(both.matches("provider_installation {").count(), 2, "{both}");
    let tofu = script(
        "install-local.sh",
        &["--binary", &binary.to_string_lossy(), "--mirror", &mirror.path().to_string_lossy(), "--cli", "opentofu"],
        &[],
    );
    assert!(tofu.contains("include = [\"registry.opentofu.org/posit-dev/posit\"]"), "{tofu}");
    assert!(!tofu.contains("registry.terraform.io"), "{tofu}");

    let h1 = h1_hash(&binary, &format!("terraform-provider-posit_v{VERSION}"));
    for_each_terraform(|tf| {
        init_and_plan(tf, &config, &h1);
    });
}

#[test]
fn release_archive_installs_from_packed_mirror() {
    if platform() != "linux_amd64" {
        eprintln!("e2e: this test checks the linux_amd64 archive of the test build; skipped on {}", platform());
        return;
    }
    let out = tempfile::Builder::new().prefix("posit-dist-").tempdir().unwrap();
    let build = tempfile::Builder::new().prefix("posit-build-").tempdir().unwrap();
    let binary = provider_copy(build.path());
    // The debug binary is large and dynamically linked: fast compression, no static check.
    let mut args = vec![
        "--binary".to_string(),
        binary.to_string_lossy().into_owned(),
        "--allow-dynamic".into(),
        "--out".into(),
        out.path().to_string_lossy().into_owned(),
    ];
    // release.sh checks with tools/plugin-probe, which `cargo test --workspace` builds beside
    // this test (it cannot run cargo itself while cargo runs the tests).
    match plugin_probe_binary() {
        Some(probe) => args.extend(["--probe".to_string(), probe.to_string_lossy().into_owned()]),
        None => {
            eprintln!(
                "e2e: no plugin-probe built (cargo build -p plugin-probe, or cargo test --workspace): \
                 release.sh packages without its checks"
            );
            args.push("--no-checks".into());
        }
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let listed = script("release.sh", &args, &[("RELEASE_ZIP_LEVEL", "1")]);
    let zip_name = format!("terraform-provider-posit_{VERSION}_linux_amd64.zip");
    let manifest_name = format!("terraform-provider-posit_{VERSION}_manifest.json");
    let sums_name = format!("terraform-provider-posit_{VERSION}_SHA256SUMS");
    let mut files: Vec<String> =
        std::fs::read_dir(out.path()).unwrap().flatten().map(|e| e.file_name().to_string_lossy().to_string()).collect();
    files.sort();
    let mut expected = vec![zip_name.clone(), sums_name.clone(), manifest_name.clone()];
    expected.sort();
    assert_eq!(files, expected, "release.sh should write exactly these files");
    for f in &expected {
        assert!(listed.lines().any(|l| l.ends_with(f.as_str())), "release.sh should print {f} on stdout:\n{listed}");
    }

    // The zip holds the binary alone, executable, named terraform-provider-posit_vVERSION.
    let zip_path = out.path().join(&zip_name);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    assert_eq!(zip.len(), 1, "one file in {zip_name}");
    let member = zip.by_index(0).unwrap();
    assert_eq!(member.name(), format!("terraform-provider-posit_v{VERSION}"));
    assert_eq!(member.size(), std::fs::metadata(&binary).unwrap().len(), "the zip holds the binary");
    assert_eq!(member.unix_mode().map(|m| m & 0o111), Some(0o111), "the binary is executable in the zip");
    drop(member);

    // The manifest is the repository's; SHA256SUMS covers the zip and the manifest.
    assert_eq!(
        std::fs::read(out.path().join(&manifest_name)).unwrap(),
        std::fs::read(repo_root().join("terraform-registry-manifest.json")).unwrap()
    );
    let sums = std::fs::read_to_string(out.path().join(&sums_name)).unwrap();
    let zip_sum = sha256_hex(&zip_path);
    let want = format!("{zip_sum}  {zip_name}\n{}  {manifest_name}\n", sha256_hex(&out.path().join(&manifest_name)));
    let mut got_lines: Vec<&str> = sums.lines().collect();
    got_lines.sort();
    let mut want_lines: Vec<&str> = want.lines().collect();
    want_lines.sort();
    assert_eq!(got_lines, want_lines, "SHA256SUMS:\n{sums}");

    // Installed as is (packed layout), Terraform locks it with the same checksum.
    let mirror = tempfile::Builder::new().prefix("posit-mirror-packed-").tempdir().unwrap();
    let config = script(
        "install-local.sh",
        &[
            "--zip",
            &zip_path.to_string_lossy(),
            "--packed",
            "--mirror",
            &mirror.path().to_string_lossy(),
            "--cli",
            "terraform",
        ],
        &[],
    );
    assert!(mirror.path().join("registry.terraform.io/posit-dev/posit").join(&zip_name).is_file());
    assert!(mirror.path().join("registry.opentofu.org/posit-dev/posit").join(&zip_name).is_file());
    // Terraform unpacks it and locks the same hash as for the bare binary: the zip holds it.
    let h1 = h1_hash(&binary, &format!("terraform-provider-posit_v{VERSION}"));
    for_each_terraform(|tf| {
        init_and_plan(tf, &config, &h1);
    });
}
