//! The processes the benchmark drives: cargo, Terraform, the fake Connect and the provider
//! itself (for its handshake), plus a sampler of the provider's peak memory.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// Builds the release provider and fake Connect.
pub(crate) fn cargo_build(root: &Path) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("bench: cargo build --release -p terraform-provider-posit -p fake-connect");
    let status = Command::new(cargo)
        .args(["build", "--release", "-p", "terraform-provider-posit", "-p", "fake-connect"])
        .current_dir(root)
        .status()
        .map_err(|e| format!("run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build failed: {status}"));
    }
    Ok(())
}

/// A Terraform CLI configuration sending `posit-dev/posit` to the release build.
pub(crate) fn cli_config(provider_dir: &Path) -> String {
    format!(
        "provider_installation {{\n  dev_overrides {{\n    \"posit-dev/posit\" = {:?}\n  }}\n  direct {{}}\n}}\n",
        provider_dir.to_string_lossy()
    )
}

/// The Terraform binary the benchmark uses.
pub(crate) struct Terraform {
    pub path: PathBuf,
    pub version: String,
}

impl Terraform {
    /// `BENCH_TERRAFORM` when set; else `terraform` on PATH; else `.tools/bin/terraform-libtf`.
    pub(crate) fn find(root: &Path) -> Result<Terraform, String> {
        let path = match std::env::var_os("BENCH_TERRAFORM").filter(|v| !v.is_empty()) {
            Some(p) => PathBuf::from(p),
            None => on_path("terraform").or_else(|| Some(root.join(".tools/bin/terraform-libtf")).filter(|p| p.is_file())).ok_or(
                "no Terraform found: put `terraform` on PATH, run scripts/setup-terraform.sh, or set BENCH_TERRAFORM",
            )?,
        };
        let out = Command::new(&path)
            .args(["version", "-json"])
            .env("CHECKPOINT_DISABLE", "1")
            .output()
            .map_err(|e| format!("run {} version: {e}", path.display()))?;
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .map_err(|e| format!("{} version -json printed no JSON: {e}", path.display()))?;
        let version = v["terraform_version"].as_str().unwrap_or("unknown").to_string();
        Ok(Terraform { path, version })
    }

    pub(crate) fn describe(&self) -> String {
        format!("Terraform {} ({})", self.version, self.path.display())
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(name)).find(|p| p.is_file())
}

/// A Terraform working directory holding one `main.tf`.
pub(crate) struct Workspace {
    dir: PathBuf,
    cli_config: PathBuf,
}

impl Workspace {
    pub(crate) fn new(dir: &Path, cli_config: &Path, main_tf: &str) -> Result<Workspace, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
        std::fs::write(dir.join("main.tf"), main_tf).map_err(|e| format!("write main.tf: {e}"))?;
        Ok(Workspace { dir: dir.to_path_buf(), cli_config: cli_config.to_path_buf() })
    }

    /// Runs `terraform args` (which must exit 0: a plan with changes is a failure of the
    /// benchmark) and returns its wall time and the CPU time of the whole process tree
    /// (Terraform and every process it started and waited for: the provider's included), plus
    /// the peak memory and CPU of the `provider` processes, when a provider is given.
    pub(crate) fn timed(&self, tf: &Terraform, args: &[&str], provider: Option<&Path>) -> Result<Timed, String> {
        let mut cmd = Command::new(&tf.path);
        cmd.args(args).current_dir(&self.dir);
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy().into_owned();
            if k.starts_with("TF_") || k.starts_with("CONNECT_") {
                cmd.env_remove(k);
            }
        }
        cmd.env("TF_CLI_CONFIG_FILE", &self.cli_config)
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .stdin(Stdio::null());
        let sampler = provider.map(PeakSampler::start);
        let cpu_before = reaped_children_cpu_s();
        let started = Instant::now();
        let out = cmd.output().map_err(|e| format!("run {}: {e}", tf.path.display()))?;
        let secs = started.elapsed().as_secs_f64();
        let tree_cpu_s = reaped_children_cpu_s() - cpu_before;
        let usage = sampler.map_or_else(Usage::default, PeakSampler::stop);
        if !out.status.success() {
            let tail = |b: &[u8]| {
                let s = String::from_utf8_lossy(b);
                let lines: Vec<&str> = s.lines().collect();
                lines[lines.len().saturating_sub(40)..].join("\n")
            };
            return Err(format!(
                "`terraform {}` in {} exited {} (a plan must show no changes)\n--- stdout (end) ---\n{}\n--- stderr (end) ---\n{}",
                args.join(" "),
                self.dir.display(),
                out.status,
                tail(&out.stdout),
                tail(&out.stderr)
            ));
        }
        Ok(Timed { secs, tree_cpu_s, usage })
    }
}

/// What one timed command took.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Timed {
    /// Wall-clock seconds.
    pub secs: f64,
    /// User + system CPU seconds of Terraform and every process it waited for.
    pub tree_cpu_s: f64,
    /// The provider processes' share (zero for the floor).
    pub usage: Usage,
}

/// User + system CPU seconds of this process's children that have been waited for (`cutime` +
/// `cstime` in /proc/self/stat): the difference across one `terraform` run is that run's whole
/// tree, since Terraform waits for the plugins it starts.
fn reaped_children_cpu_s() -> f64 {
    let ticks = |stat: &str| -> Option<u64> {
        let rest = &stat[stat.rfind(')')? + 2..];
        let f: Vec<&str> = rest.split_whitespace().collect();
        Some(f.get(13)?.parse::<u64>().ok()? + f.get(14)?.parse::<u64>().ok()?)
    };
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    ticks(&stat).unwrap_or(0) as f64 / clock_ticks()
}

/// What the provider processes of one command used: peak memory and CPU time.
#[derive(Clone, Copy, Debug, Default)]
pub struct Usage {
    /// The largest VmHWM (peak resident set) of any provider process, KiB.
    pub peak_kb: u64,
    /// User + system CPU seconds, summed over the provider processes.
    pub cpu_s: f64,
}

/// Samples every running process whose executable is the provider, every 20 ms: its VmHWM
/// (peak resident memory) and CPU time, keeping the last value seen per process. Both only grow,
/// so the last sample before a process exits is within 20 ms of its final value.
pub(crate) struct PeakSampler {
    stop: Arc<AtomicBool>,
    thread: thread::JoinHandle<Usage>,
}

impl PeakSampler {
    pub(crate) fn start(provider: &Path) -> PeakSampler {
        let exe = std::fs::canonicalize(provider).unwrap_or_else(|_| provider.to_path_buf());
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let ticks = clock_ticks();
        let thread = thread::spawn(move || {
            let mut others: HashSet<u32> = HashSet::new();
            let mut seen: std::collections::HashMap<u32, (u64, u64)> = std::collections::HashMap::new();
            loop {
                let last = flag.load(Ordering::Relaxed);
                if let Ok(entries) = std::fs::read_dir("/proc") {
                    for e in entries.flatten() {
                        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
                        if others.contains(&pid) {
                            continue;
                        }
                        match std::fs::read_link(format!("/proc/{pid}/exe")) {
                            Ok(p) if p == exe => {
                                if let (Some(kb), Some(cpu)) = (vm_hwm_kb(pid), cpu_ticks(pid)) {
                                    let e = seen.entry(pid).or_default();
                                    *e = (e.0.max(kb), e.1.max(cpu));
                                }
                            }
                            Ok(_) => {
                                others.insert(pid);
                            }
                            Err(_) => {}
                        }
                    }
                }
                if last {
                    return Usage {
                        peak_kb: seen.values().map(|v| v.0).max().unwrap_or(0),
                        cpu_s: seen.values().map(|v| v.1).sum::<u64>() as f64 / ticks,
                    };
                }
                thread::sleep(Duration::from_millis(20));
            }
        });
        PeakSampler { stop, thread }
    }

    /// Stops sampling; what the provider processes used (zero when none was seen).
    pub(crate) fn stop(self) -> Usage {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or_default()
    }
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// utime + stime of a process, in clock ticks.
pub(crate) fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

/// Clock ticks per second (`getconf CLK_TCK`, 100 on Linux), asked once: `getconf` is a child
/// too, and must not run between two readings of [`reaped_children_cpu_s`].
pub(crate) fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse::<f64>().ok())
            .filter(|t| *t > 0.0)
            .unwrap_or(100.0)
    })
}

/// Sends SIGTERM and waits up to 5 s, then SIGKILL.
fn terminate(child: &mut Child) {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The fake Connect (release binary) on 127.0.0.1, stopped on drop.
pub(crate) struct Fake {
    child: Child,
    pub url: String,
    ticks: f64,
    /// The file the fake records its exchanges in, one JSON line per request answered, when
    /// started with [`Fake::start_recording`].
    exchanges: Option<PathBuf>,
}

impl Fake {
    pub(crate) fn start(bin: &Path, api_key: &str, latency_ms: u64) -> Result<Fake, String> {
        Fake::spawn(bin, api_key, latency_ms, None)
    }

    /// [`Fake::start`], recording every exchange under `dir` (the fake's `FAKE_CONNECT_EXCHANGES`),
    /// so that [`Fake::requests`] can count what a command asked. Recording reads each answer
    /// whole before sending it, which costs little beside the added latency this fake serves.
    pub(crate) fn start_recording(bin: &Path, api_key: &str, latency_ms: u64, dir: &Path) -> Result<Fake, String> {
        Fake::spawn(bin, api_key, latency_ms, Some(dir))
    }

    fn spawn(bin: &Path, api_key: &str, latency_ms: u64, exchanges: Option<&Path>) -> Result<Fake, String> {
        let mut cmd = Command::new(bin);
        match exchanges {
            Some(dir) => cmd.env("FAKE_CONNECT_EXCHANGES", dir),
            None => cmd.env_remove("FAKE_CONNECT_EXCHANGES"),
        };
        let mut child = cmd
            .args(["--port", "0", "--api-key", api_key, "--latency-ms", &latency_ms.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("start {}: {e}", bin.display()))?;
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped");
        BufReader::new(stdout).read_line(&mut line).map_err(|e| format!("read the fake's URL: {e}"))?;
        let url = line.trim().to_string();
        if !url.starts_with("http://127.0.0.1:") {
            terminate(&mut child);
            return Err(format!("the fake printed {url:?} instead of its URL"));
        }
        // The recorder's file: `<dir>/<pid>-<port>.jsonl`.
        let port = url.rsplit(':').next().unwrap_or_default().to_string();
        let exchanges = exchanges.map(|d| d.join(format!("{}-{port}.jsonl", child.id())));
        Ok(Fake { child, url, ticks: clock_ticks(), exchanges })
    }

    /// Whether this fake records its exchanges.
    pub(crate) fn records(&self) -> bool {
        self.exchanges.is_some()
    }

    /// The requests answered so far, as `METHOD path` (the query left out), in the order they
    /// were answered; empty unless started with [`Fake::start_recording`].
    pub(crate) fn requests(&self) -> Vec<String> {
        let Some(file) = &self.exchanges else { return Vec::new() };
        let text = std::fs::read_to_string(file).unwrap_or_default();
        text.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .map(|v| {
                let path = v["path"].as_str().unwrap_or_default();
                format!("{} {}", v["method"].as_str().unwrap_or("?"), path.split('?').next().unwrap_or_default())
            })
            .collect()
    }

    /// CPU seconds the fake has used so far.
    pub(crate) fn cpu_s(&self) -> f64 {
        cpu_ticks(self.child.id()).unwrap_or(0) as f64 / self.ticks
    }

    /// How many integrations the fake holds (a plain HTTP/1.1 GET of the list).
    pub(crate) fn count_integrations(&self, api_key: &str) -> Result<usize, String> {
        let addr = self.url.trim_start_matches("http://");
        let mut s = TcpStream::connect(addr).map_err(|e| format!("connect to the fake: {e}"))?;
        write!(
            s,
            "GET /__api__/v1/oauth/integrations HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Key {api_key}\r\n\
             Accept: application/json\r\nConnection: close\r\n\r\n"
        )
        .map_err(|e| format!("ask the fake: {e}"))?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).map_err(|e| format!("read the fake's answer: {e}"))?;
        let text = String::from_utf8_lossy(&raw);
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
        let list: serde_json::Value =
            serde_json::from_str(body).map_err(|e| format!("the fake's list is not JSON ({e}): {text:.200}"))?;
        list.as_array().map(Vec::len).ok_or_else(|| "the fake's list is not an array".to_string())
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        terminate(&mut self.child);
    }
}

/// go-plugin's client certificate is ECDSA P-521 (self-signed, CN localhost); this one has that
/// shape, so the provider does the same work as under Terraform.
const CLIENT_CERT_PEM: &str = include_str!("../../tests/fixtures/go-plugin-client-p521.pem");

/// Starts the provider as Terraform does (magic cookie, protocol 6, a client certificate)
/// `times` times; each time, milliseconds from spawn to the go-plugin line on stdout (the
/// process has generated its certificate and listens on its socket by then).
pub(crate) fn handshake_times(provider: &Path, times: usize) -> Result<Vec<f64>, String> {
    let mut out = Vec::with_capacity(times);
    for _ in 0..times {
        let started = Instant::now();
        let mut child = Command::new(provider)
            .env("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2")
            .env("PLUGIN_PROTOCOL_VERSIONS", "6")
            .env("PLUGIN_CLIENT_CERT", CLIENT_CERT_PEM)
            .env("PLUGIN_MIN_PORT", "10000")
            .env("PLUGIN_MAX_PORT", "25000")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("start {}: {e}", provider.display()))?;
        let mut line = String::new();
        let read = BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        terminate(&mut child);
        read.map_err(|e| format!("read the provider's handshake line: {e}"))?;
        if !line.starts_with("1|6|unix|") {
            return Err(format!("the provider printed {line:?} instead of a go-plugin handshake line"));
        }
        out.push(ms);
    }
    Ok(out)
}
