//! A Terraform working directory pointed at the provider under test.
//!
//! Each [`Workspace`] is a fresh temporary directory holding `main.tf`, the state, plan files and
//! a CLI configuration whose `dev_overrides` send `posit-dev/posit` to the provider binary cargo
//! built for this test run (so no `terraform init` is needed; Terraform warns that overrides are
//! in effect). Commands run with `-no-color -input=false` where Terraform takes them, with a
//! cleaned environment (see [`sanitize_env`]), and never read stdin.
//!
//! Methods named after a command assert that it worked and return its [`TfRun`]; `try_*`
//! variants return the run whatever happened. Any failed assertion panics with the command line,
//! exit code, full stdout and stderr, the configuration and the Terraform binary's path and
//! version.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use super::terraform::{command_timeout, run_command, sanitize_env, Terraform};

/// The provider binary cargo built for this test run, or the one `POSIT_E2E_PROVIDER` names
/// (a release build, say; the file must be called `terraform-provider-posit`).
pub(crate) fn provider_binary() -> PathBuf {
    match std::env::var_os("POSIT_E2E_PROVIDER").filter(|v| !v.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-posit")),
    }
}

/// A Terraform CLI configuration that makes `posit-dev/posit` the binary in `dir`.
pub(crate) fn cli_config(dir: &Path) -> String {
    format!(
        "provider_installation {{\n  dev_overrides {{\n    \"posit-dev/posit\" = {}\n  }}\n  direct {{}}\n}}\n",
        hcl_string(&dir.to_string_lossy())
    )
}

/// `s` as an HCL quoted string (JSON escapes, plus `$${` / `%%{` so nothing is interpolated).
pub(crate) fn hcl_string(s: &str) -> String {
    let json = serde_json::to_string(s).expect("a string serializes");
    json.replace("${", "$${").replace("%{", "%%{")
}

/// One finished Terraform command, with everything needed to explain a failure.
#[derive(Debug, Clone)]
pub(crate) struct TfRun {
    pub terraform: Terraform,
    pub dir: PathBuf,
    pub args: Vec<String>,
    /// `None` when killed (by a signal or the time limit).
    pub exit_code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
    pub elapsed: Duration,
    /// `main.tf` as it was when the command ran.
    pub config: String,
}

impl TfRun {
    /// The exit code; -1 when the command was killed.
    pub(crate) fn code(&self) -> i32 {
        self.exit_code.unwrap_or(-1)
    }

    pub(crate) fn success(&self) -> bool {
        self.exit_code == Some(0)
    }

    /// stdout and stderr together, for searching error messages.
    pub(crate) fn output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Everything about this run, for a panic message.
    pub(crate) fn describe(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "terraform: {}", self.terraform);
        let _ = writeln!(s, "command:   terraform {}", self.args.join(" "));
        let _ = writeln!(s, "in:        {}", self.dir.display());
        let _ = writeln!(
            s,
            "exit:      {}{} after {:.1?}",
            self.exit_code.map_or_else(|| "killed".to_string(), |c| c.to_string()),
            if self.timed_out { " (TIMED OUT: see POSIT_E2E_TIMEOUT_SECS)" } else { "" },
            self.elapsed
        );
        let _ = writeln!(s, "---- main.tf ----\n{}", self.config.trim_end());
        let _ = writeln!(s, "---- stdout ----\n{}", self.stdout.trim_end());
        let _ = writeln!(s, "---- stderr ----\n{}", self.stderr.trim_end());
        let _ = writeln!(s, "----------------");
        s
    }

    /// Panics with `what` and [`TfRun::describe`].
    #[track_caller]
    pub(crate) fn fail(&self, what: &str) -> ! {
        panic!("{what}\n{}", self.describe())
    }

    /// Asserts exit code 0.
    #[track_caller]
    pub(crate) fn ok(self) -> Self {
        if !self.success() {
            self.fail(&format!("`terraform {}` failed", self.args.first().map_or("", String::as_str)));
        }
        self
    }

    /// Asserts that the command failed (exit code 1, as Terraform fails on errors).
    #[track_caller]
    pub(crate) fn failed(self) -> Self {
        if self.exit_code != Some(1) {
            self.fail("expected this command to fail with exit code 1");
        }
        self
    }

    /// Asserts that the output says each of `needles`, whatever Terraform's line wrapping
    /// (runs of whitespace compare as one space).
    #[track_caller]
    pub(crate) fn assert_said(&self, needles: &[&str]) -> &Self {
        let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let output = squash(&self.output());
        for needle in needles {
            if !output.contains(&squash(needle)) {
                self.fail(&format!("expected the output to say {needle:?}"));
            }
        }
        self
    }

    /// Asserts that stdout or stderr contains each of `needles`.
    #[track_caller]
    pub(crate) fn assert_output_contains(&self, needles: &[&str]) -> &Self {
        let output = self.output();
        for needle in needles {
            if !output.contains(needle) {
                self.fail(&format!("expected the output to contain {needle:?}"));
            }
        }
        self
    }
}

/// A plan saved with `-out` and read back with `show -json`.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// The `plan -detailed-exitcode` run: exit code 0 (no changes) or 2 (changes).
    pub run: TfRun,
    /// Terraform's JSON plan representation.
    pub json: Value,
}

impl Plan {
    pub(crate) fn exit_code(&self) -> i32 {
        self.run.code()
    }

    /// Panics with `what`, the human plan output and the plan JSON.
    #[track_caller]
    pub(crate) fn fail(&self, what: &str) -> ! {
        let json = serde_json::to_string_pretty(&self.json).unwrap_or_default();
        self.run.fail(&format!("{what}\n---- plan JSON ----\n{json}\n"))
    }
}

/// A temporary Terraform working directory.
pub(crate) struct Workspace {
    tf: Terraform,
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
    plans: std::cell::Cell<u32>,
}

impl Workspace {
    /// An empty working directory using `tf` and the provider built for this test run.
    pub(crate) fn new(tf: &Terraform) -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("posit-e2e-")
            .tempdir()
            .expect("create a temp dir for a Terraform workspace");
        let provider = provider_binary();
        let provider_dir = provider.parent().expect("the provider binary has a parent directory");
        std::fs::write(dir.path().join("terraform.tfrc"), cli_config(provider_dir))
            .expect("write the Terraform CLI config");
        Workspace { tf: tf.clone(), dir, env: Vec::new(), plans: std::cell::Cell::new(0) }
    }

    /// A workspace whose provider is configured by `CONNECT_SERVER` / `CONNECT_API_KEY`.
    pub(crate) fn with_connect_env(tf: &Terraform, server: &str, api_key: &str) -> Workspace {
        let mut ws = Workspace::new(tf);
        ws.set_env("CONNECT_SERVER", server);
        ws.set_env("CONNECT_API_KEY", api_key);
        ws
    }

    /// Sets an environment variable for every later command.
    pub(crate) fn set_env(&mut self, key: &str, value: &str) -> &mut Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn terraform(&self) -> &Terraform {
        &self.tf
    }

    /// Replaces `main.tf`.
    pub(crate) fn write_main(&self, hcl: &str) -> &Self {
        self.write_file("main.tf", hcl)
    }

    pub(crate) fn write_file(&self, name: &str, content: &str) -> &Self {
        std::fs::write(self.path().join(name), content)
            .unwrap_or_else(|e| panic!("write {name} in {}: {e}", self.path().display()));
        self
    }

    fn config(&self) -> String {
        std::fs::read_to_string(self.path().join("main.tf")).unwrap_or_default()
    }

    /// Runs `terraform <args>` as given (no flags added).
    pub(crate) fn run(&self, args: &[&str]) -> TfRun {
        let mut cmd = Command::new(&self.tf.path);
        cmd.args(args).current_dir(self.path());
        sanitize_env(&mut cmd);
        cmd.env("TF_CLI_CONFIG_FILE", self.path().join("terraform.tfrc"));
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let config = self.config();
        let raw = run_command(cmd, command_timeout());
        if std::env::var_os("POSIT_E2E_VERBOSE").is_some_and(|v| !v.is_empty()) {
            eprintln!(
                "e2e: [{:.2}s] exit {:?}: {} {}",
                raw.elapsed.as_secs_f64(),
                raw.exit_code,
                self.tf.path.display(),
                args.join(" ")
            );
        }
        TfRun {
            terraform: self.tf.clone(),
            dir: self.path().to_path_buf(),
            args: args.iter().map(|s| s.to_string()).collect(),
            exit_code: raw.exit_code,
            stdout: raw.stdout,
            stderr: raw.stderr,
            timed_out: raw.timed_out,
            elapsed: raw.elapsed,
            config,
        }
    }

    /// `apply -auto-approve`, whatever its outcome.
    pub(crate) fn try_apply(&self) -> TfRun {
        self.run(&["apply", "-auto-approve", "-no-color", "-input=false"])
    }

    /// `apply -auto-approve`, which must succeed.
    #[track_caller]
    pub(crate) fn apply(&self) -> TfRun {
        self.try_apply().ok()
    }

    /// `plan` (human output), whatever its outcome.
    pub(crate) fn try_plan(&self) -> TfRun {
        self.run(&["plan", "-no-color", "-input=false"])
    }

    /// `plan -detailed-exitcode`, which must give 0 (no changes) or 2 (changes).
    #[track_caller]
    pub(crate) fn plan_detailed(&self) -> TfRun {
        let run = self.run(&["plan", "-detailed-exitcode", "-no-color", "-input=false"]);
        if !matches!(run.exit_code, Some(0) | Some(2)) {
            run.fail("`terraform plan -detailed-exitcode` failed (exit code neither 0 nor 2)");
        }
        run
    }

    /// The exit code of `plan -detailed-exitcode`: 0 without changes, 2 with.
    #[track_caller]
    pub(crate) fn plan_exit_code(&self) -> i32 {
        self.plan_detailed().code()
    }

    /// Asserts that a plan proposes nothing (`-detailed-exitcode` gives 0); on failure shows
    /// the plan.
    #[track_caller]
    pub(crate) fn assert_no_changes(&self, when: &str) {
        let run = self.plan_detailed();
        if run.code() != 0 {
            run.fail(&format!("expected an empty plan {when}, but `plan -detailed-exitcode` exited 2"));
        }
    }

    /// `plan -out` then `show -json` of that plan.
    #[track_caller]
    pub(crate) fn plan_json(&self) -> Plan {
        let n = self.plans.get() + 1;
        self.plans.set(n);
        let file = format!("plan-{n}.tfplan");
        let out = format!("-out={file}");
        let run = self.run(&["plan", &out, "-detailed-exitcode", "-no-color", "-input=false"]);
        if !matches!(run.exit_code, Some(0) | Some(2)) {
            run.fail("`terraform plan -out` failed (exit code neither 0 nor 2)");
        }
        let show = self.run(&["show", "-json", "-no-color", &file]).ok();
        let json = parse_json(&show);
        Plan { run, json }
    }

    /// `plan -json`: the machine-readable UI stream, whatever its outcome, with the
    /// `diagnostic` objects of its `"type": "diagnostic"` lines.
    pub(crate) fn plan_diagnostics(&self) -> (TfRun, Vec<Value>) {
        self.plan_diagnostics_with(&[])
    }

    /// [`Self::plan_diagnostics`] with more arguments (`-destroy`, say).
    pub(crate) fn plan_diagnostics_with(&self, extra: &[&str]) -> (TfRun, Vec<Value>) {
        self.json_diagnostics("plan", extra)
    }

    /// `terraform <command> -json` (`plan`, or `apply` with `-auto-approve`), whatever its
    /// outcome, with the `diagnostic` objects of its `"type": "diagnostic"` lines.
    pub(crate) fn json_diagnostics(&self, command: &str, extra: &[&str]) -> (TfRun, Vec<Value>) {
        let mut args = vec![command, "-json", "-no-color", "-input=false"];
        if command == "apply" {
            args.push("-auto-approve");
        }
        args.extend_from_slice(extra);
        let run = self.run(&args);
        let diags = run
            .stdout
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|msg| msg["type"] == "diagnostic")
            .map(|msg| msg["diagnostic"].clone())
            .collect();
        (run, diags)
    }

    /// `show -json` of the state.
    #[track_caller]
    pub(crate) fn state_json(&self) -> Value {
        let show = self.run(&["show", "-json", "-no-color"]).ok();
        parse_json(&show)
    }

    /// `import ADDR ID`, whatever its outcome.
    pub(crate) fn try_import(&self, addr: &str, id: &str) -> TfRun {
        self.run(&["import", "-no-color", "-input=false", addr, id])
    }

    /// `import ADDR ID`, which must succeed.
    #[track_caller]
    pub(crate) fn import(&self, addr: &str, id: &str) -> TfRun {
        self.try_import(addr, id).ok()
    }

    /// `destroy -auto-approve`, which must succeed.
    #[track_caller]
    pub(crate) fn destroy(&self) -> TfRun {
        self.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]).ok()
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        if std::env::var_os("POSIT_E2E_KEEP").is_some_and(|v| !v.is_empty()) {
            let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().expect("a placeholder temp dir"));
            eprintln!("e2e: kept workspace {}", dir.keep().display());
        }
    }
}

#[track_caller]
fn parse_json(run: &TfRun) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| run.fail(&format!("`terraform show -json` printed no JSON: {e}")))
}
