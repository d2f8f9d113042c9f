//! The provider's benchmark against Terraform's own floor. Not a test: run it by hand.
//!
//! ```text
//! cargo run --release -p bench            # N = 100, 500, 2000; several runs; ~15 min on 2 cores
//! cargo run --release -p bench -- --quick # N = 100, 500; one run; a check in a minute or two
//! ```
//!
//! Builds the release provider and fake Connect, then for each N times `terraform apply`
//! (create N), `terraform plan` (refresh N, no changes) and `terraform destroy` over N
//! `posit_connect_oauth_integration`s, each beside the same command over N `terraform_data`
//! resources: the floor, which needs no plugin and no network. The refresh runs again against a
//! fake that adds 20 ms to every answer. Every figure is reported as a ratio to the floor
//! measured beside it, because the machines are shared and noisy. For N up to 500 the refresh is
//! also measured beside a second floor, `terraform_data` carrying the same values an
//! integration's state holds ("plan (data)"): what Terraform spends on that data by itself.
//!
//! The latency run's fake records its exchanges (`FAKE_CONNECT_EXCHANGES`), and each of its
//! plans reports the requests it answered ("requests": Connect round trips per plan, listed in
//! the log), beside the ratio.
//!
//! Also measured: the provider's handshake (start to the go-plugin line on stdout), its peak
//! memory (VmHWM, sampled from /proc while Terraform runs it), the CPU time of the provider, of
//! the fake and of Terraform itself (beside the provider and in the floor's run, which tells
//! Terraform's own work apart from the plugin's), and the release binary's size.
//! Prints one table and writes the same as JSON (`--json PATH`, default
//! `target/bench/latest.json`).
//!
//! Options: `--quick`, `--sizes 100,500`, `--runs K` (runs per N; default 5, 3, 1 for 100, 500,
//! 2000), `--plans K` (plans per run), `--latency-ms MS` (default 20), `--json PATH`,
//! `--no-build`, `--keep` (keep the work directories). Environment: `BENCH_TERRAFORM` picks the
//! Terraform binary (default: `terraform` on PATH, else `.tools/bin/terraform-libtf`);
//! `BENCH_PROVIDER` measures another provider build (a file named `terraform-provider-posit`).

mod procs;
mod report;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use procs::{Fake, Terraform, Usage, Workspace};
use report::{Report, Row};

/// The fake's administrator key (loopback only).
const API_KEY: &str = "bench-admin-key";

struct Args {
    sizes: Vec<usize>,
    runs: Option<usize>,
    plans: usize,
    latency_ms: u64,
    json: Option<PathBuf>,
    build: bool,
    keep: bool,
    quick: bool,
}

const USAGE: &str = "usage: cargo run --release -p bench -- [--quick] [--sizes 100,500,2000] [--runs K] [--plans K] \
                     [--latency-ms 20] [--json PATH] [--no-build] [--keep]";

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        sizes: vec![100, 500, 2000],
        runs: None,
        plans: 3,
        latency_ms: 20,
        json: None,
        build: true,
        keep: false,
        quick: false,
    };
    let mut sizes_given = false;
    let mut plans_given = false;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--quick" => a.quick = true,
            "--no-build" => a.build = false,
            "--keep" => a.keep = true,
            "--sizes" => {
                a.sizes = value("--sizes")?
                    .split(',')
                    .map(|s| s.trim().parse::<usize>().map_err(|_| format!("bad size {s:?}")))
                    .collect::<Result<_, _>>()?;
                sizes_given = true;
            }
            "--runs" => a.runs = Some(value("--runs")?.parse().map_err(|_| "bad --runs".to_string())?),
            "--plans" => {
                a.plans = value("--plans")?.parse().map_err(|_| "bad --plans".to_string())?;
                plans_given = true;
            }
            "--latency-ms" => a.latency_ms = value("--latency-ms")?.parse().map_err(|_| "bad --latency-ms")?,
            "--json" => a.json = Some(PathBuf::from(value("--json")?)),
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    if a.quick {
        if !sizes_given {
            a.sizes = vec![100, 500];
        }
        a.runs = a.runs.or(Some(1));
        if !plans_given {
            a.plans = 1;
        }
    }
    if a.sizes.is_empty() || a.sizes.contains(&0) || a.runs == Some(0) || a.plans == 0 {
        return Err(format!("sizes, runs and plans must be positive\n{USAGE}"));
    }
    Ok(a)
}

/// Runs per N when `--runs` is not given: small N are cheap and noisy, N = 2000 is dominated by
/// Terraform's own cost (its apply and destroy of 2000 `terraform_data` take minutes here).
fn default_runs(n: usize) -> usize {
    match n {
        0..=200 => 5,
        201..=1000 => 3,
        _ => 1,
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("bench/ sits in the repository").to_path_buf()
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let root = repo_root();
    let started = Instant::now();

    if args.build {
        procs::cargo_build(&root)?;
    }
    // BENCH_PROVIDER: another build to measure (its file must be named terraform-provider-posit,
    // as Terraform's dev_overrides look it up by name in its directory).
    let provider = std::env::var_os("BENCH_PROVIDER")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/release/terraform-provider-posit"));
    let fake_bin = root.join("target/release/fake-connect");
    for b in [&provider, &fake_bin] {
        if !b.is_file() {
            return Err(format!(
                "{} is missing: build it with `cargo build --release` (or drop --no-build)",
                b.display()
            ));
        }
    }
    let tf = Terraform::find(&root)?;
    let work = std::env::temp_dir().join(format!("posit-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| format!("create {}: {e}", work.display()))?;
    let cli_config = work.join("terraform.tfrc");
    std::fs::write(&cli_config, procs::cli_config(provider.parent().expect("a file has a parent")))
        .map_err(|e| format!("write {}: {e}", cli_config.display()))?;

    let mut report = Report::new(&tf, &provider, args.latency_ms);
    eprintln!("bench: {} ; provider {}", tf.describe(), provider.display());
    eprintln!("bench: handshake");
    report.handshake_ms = procs::handshake_times(&provider, 20)?;

    let result = (|| {
        for &n in &args.sizes {
            let runs = args.runs.unwrap_or_else(|| default_runs(n));
            report.runs.push((n, runs, args.plans));
            bench_size(&tf, &provider, &fake_bin, &cli_config, &work, n, runs, &args, &mut report)?;
        }
        Ok::<_, String>(())
    })();
    if args.keep {
        eprintln!("bench: kept {}", work.display());
    } else {
        let _ = std::fs::remove_dir_all(&work);
    }
    result?;

    report.total_s = started.elapsed().as_secs_f64();
    print!("{}", report.table());
    let json_path = args.json.clone().unwrap_or_else(|| root.join("target/bench/latest.json"));
    if let Some(dir) = json_path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    }
    let json = serde_json::to_string_pretty(&report.json()).expect("JSON values serialise");
    std::fs::write(&json_path, json + "\n").map_err(|e| format!("write {}: {e}", json_path.display()))?;
    println!("JSON: {}", json_path.display());
    Ok(())
}

fn provider_tf(url: &str, n: usize) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    posit = {{
      source = "posit-dev/posit"
    }}
  }}
}}

provider "posit" {{
  connect_server  = "{url}"
  connect_api_key = "{API_KEY}"
}}

resource "posit_connect_oauth_integration" "bench" {{
  count       = {n}
  template    = "msgraph"
  name        = "Benchmark integration ${{count.index}}"
  description = "Integration ${{count.index}} of the benchmark."
  config {{
    tenant_id = "6f1c2b3a-0d4e-4a5b-9c8d-7e6f5a4b3c2d"
    client_id = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
  }}
}}
"#
    )
}

/// A second floor for the refresh: `terraform_data` carrying the values an integration's state
/// holds (every attribute, the nulls, and the two sensitive paths), so Terraform handles the
/// same data with no plugin and no network. It is not lighter than the provider's state: a
/// dynamic value (`triggers_replace`) also stores its type.
fn same_data_floor_tf(n: usize) -> String {
    format!(
        r#"resource "terraform_data" "bench" {{
  count = {n}
  triggers_replace = {{
    id           = "00000000-0000-4000-8000-${{format("%012d", count.index)}}"
    guid         = "00000000-0000-4000-8000-${{format("%012d", count.index)}}"
    template     = "msgraph"
    name         = "Benchmark integration ${{count.index}}"
    description  = "Integration ${{count.index}} of the benchmark."
    created_time = "2026-01-01T00:00:00Z"
    updated_time = "2026-01-01T00:00:00Z"
    config = {{
      account_url                = tostring(null)
      auth_mode                  = "Public"
      auth_type                  = "Viewer"
      authorization_uri          = tostring(null)
      client_id                  = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
      client_secret              = sensitive(tostring(null))
      client_secret_wo           = tostring(null)
      client_secret_wo_version   = tonumber(null)
      extra                      = tomap(null)
      extra_sensitive            = sensitive(tomap(null))
      max_role                   = tostring(null)
      scopes                     = "https://graph.microsoft.com/.default offline_access"
      tenant_id                  = "6f1c2b3a-0d4e-4a5b-9c8d-7e6f5a4b3c2d"
      token_endpoint_auth_method = tostring(null)
      token_uri                  = tostring(null)
      use_pkce                   = true
    }}
    permissions = {{
      users          = toset(null)
      groups         = toset(null)
      all_publishers = true
    }}
  }}
}}
"#
    )
}

/// The largest N measured beside the same-data floor (its setup apply grows with N²).
const SAME_DATA_MAX_N: usize = 500;

fn floor_tf(n: usize) -> String {
    format!(
        r#"resource "terraform_data" "bench" {{
  count = {n}
  input = {{
    name        = "Benchmark integration ${{count.index}}"
    description = "Integration ${{count.index}} of the benchmark."
  }}
}}
"#
    )
}

/// One measured pair: the provider's command and the floor's beside it.
#[derive(Clone, Copy, Debug)]
pub struct Measure {
    /// Wall-clock seconds of the command over the provider's workspace.
    pub provider_s: f64,
    /// Wall-clock seconds of the same command over the floor's `terraform_data` workspace.
    pub floor_s: f64,
    /// What the provider processes used during the provider's command.
    pub usage: Usage,
    /// CPU seconds the fake Connect used during the provider's command.
    pub fake_cpu_s: f64,
    /// CPU seconds of Terraform itself during the provider's command (its whole process tree
    /// less the provider processes).
    pub terraform_cpu_s: f64,
    /// CPU seconds of Terraform during the floor's command.
    pub floor_cpu_s: f64,
    /// The requests the fake answered during the provider's command, when it records them (the
    /// latency run's fake): Connect round trips per command.
    pub requests: Option<usize>,
}

/// One operation on the provider's workspace and the floor's, in alternating order so that a
/// slow patch of the machine does not always fall on the same side.
fn pair(
    tf: &Terraform,
    provider: &Path,
    fake: &Fake,
    (prov, floor): (&Workspace, &Workspace),
    args: &[&str],
    provider_first: bool,
) -> Result<Measure, String> {
    let mut p = None;
    let mut f = None;
    for side in if provider_first { [true, false] } else { [false, true] } {
        if side {
            let fake_before = fake.cpu_s();
            let asked_before = fake.requests();
            let t = prov.timed(tf, args, Some(provider))?;
            let asked = fake.requests();
            let requests = fake.records().then(|| {
                let new = &asked[asked_before.len().min(asked.len())..];
                eprintln!("bench: requests of `terraform {}`: {}", args[0], summarise(new));
                new.len()
            });
            p = Some((t, fake.cpu_s() - fake_before, requests));
        } else {
            f = Some(floor.timed(tf, args, None)?);
        }
    }
    let ((t, fake_cpu_s, requests), f) = (p.expect("ran"), f.expect("ran"));
    Ok(Measure {
        provider_s: t.secs,
        floor_s: f.secs,
        usage: t.usage,
        fake_cpu_s,
        terraform_cpu_s: (t.tree_cpu_s - t.usage.cpu_s).max(0.0),
        floor_cpu_s: f.tree_cpu_s,
        requests,
    })
}

/// `GET /__api__/server_settings ×1, ...`: each distinct request with how many times it came, in
/// the order first seen (guids in paths make every per-integration request its own line).
fn summarise(requests: &[String]) -> String {
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for r in requests {
        match seen.iter_mut().find(|(s, _)| s == r) {
            Some((_, n)) => *n += 1,
            None => seen.push((r, 1)),
        }
    }
    let parts: Vec<String> = seen.iter().map(|(r, n)| format!("{r} ×{n}")).collect();
    format!("{} in all: {}", requests.len(), parts.join(", "))
}

#[allow(clippy::too_many_arguments)]
fn bench_size(
    tf: &Terraform,
    provider: &Path,
    fake_bin: &Path,
    cli_config: &Path,
    work: &Path,
    n: usize,
    runs: usize,
    args: &Args,
    report: &mut Report,
) -> Result<(), String> {
    let fake = Fake::start(fake_bin, API_KEY, 0)?;
    // The latency run's fake records its exchanges, so that its plans' round trips are counted.
    let slow = Fake::start_recording(fake_bin, API_KEY, args.latency_ms, &work.join(format!("n{n}-exchanges")))?;
    let prov = Workspace::new(&work.join(format!("n{n}-provider")), cli_config, &provider_tf(&fake.url, n))?;
    let prov_slow = Workspace::new(&work.join(format!("n{n}-provider-slow")), cli_config, &provider_tf(&slow.url, n))?;
    let floor = Workspace::new(&work.join(format!("n{n}-floor")), cli_config, &floor_tf(n))?;

    let apply = ["apply", "-auto-approve", "-input=false", "-no-color"];
    let plan = ["plan", "-detailed-exitcode", "-input=false", "-no-color"];
    let destroy = ["destroy", "-auto-approve", "-input=false", "-no-color"];
    let latency_op = format!("plan +{}ms", args.latency_ms);
    let mut rows = [Row::new(n, "apply"), Row::new(n, "plan"), Row::new(n, &latency_op), Row::new(n, "destroy")];
    let mut same_data_row = Row::new(n, "plan (data)");
    let same_data = if n <= SAME_DATA_MAX_N {
        let ws = Workspace::new(&work.join(format!("n{n}-same-data")), cli_config, &same_data_floor_tf(n))?;
        let s = ws.timed(tf, &apply, None)?.secs;
        eprintln!("bench: N={n:<5} apply of the same-data floor (setup): {s:.2} s");
        Some(ws)
    } else {
        None
    };
    let log = |op: &str, run: usize, m: Measure| {
        eprintln!(
            "bench: N={n:<5} run {}/{runs} {op:<11} provider {:7.2} s  floor {:7.2} s  ratio {:5.2}  \
             terraform cpu {:6.2} s / floor {:6.2} s  provider cpu {:6.2} s  fake cpu {:5.2} s  peak {:5.1} MB",
            run + 1,
            m.provider_s,
            m.floor_s,
            m.provider_s / m.floor_s,
            m.terraform_cpu_s,
            m.floor_cpu_s,
            m.usage.cpu_s,
            m.fake_cpu_s,
            m.usage.peak_kb as f64 / 1024.0
        );
    };

    for run in 0..runs {
        let first = run % 2 == 0;
        let m = pair(tf, provider, &fake, (&prov, &floor), &apply, first)?;
        log("apply", run, m);
        rows[0].push(m);
        expect_count(&fake, n, "after apply")?;

        for k in 0..args.plans {
            let m = pair(tf, provider, &fake, (&prov, &floor), &plan, (run + k) % 2 == 0)?;
            log("plan", run, m);
            rows[1].push(m);
        }

        if let Some(same_data) = &same_data {
            for k in 0..args.plans {
                let m = pair(tf, provider, &fake, (&prov, same_data), &plan, (run + k) % 2 == 1)?;
                log("plan (data)", run, m);
                same_data_row.push(m);
            }
        }

        if run == 0 {
            let s = prov_slow.timed(tf, &apply, Some(provider))?.secs;
            eprintln!("bench: N={n:<5} apply against the +{} ms fake (setup): {s:.2} s", args.latency_ms);
            report.latency_apply_s.push((n, s));
            expect_count(&slow, n, "after apply against the slow fake")?;
        }
        for k in 0..args.plans {
            let m = pair(tf, provider, &slow, (&prov_slow, &floor), &plan, (run + k) % 2 == 1)?;
            log(&latency_op, run, m);
            rows[2].push(m);
        }

        let m = pair(tf, provider, &fake, (&prov, &floor), &destroy, first)?;
        log("destroy", run, m);
        rows[3].push(m);
        expect_count(&fake, 0, "after destroy")?;
    }
    // The slow fake's integrations go with it, and the same-data floor with its directory:
    // destroying them would only cost time.
    report.rows.extend(rows);
    if same_data.is_some() {
        report.rows.push(same_data_row);
    }
    Ok(())
}

fn expect_count(fake: &Fake, n: usize, when: &str) -> Result<(), String> {
    let got = fake.count_integrations(API_KEY)?;
    if got != n {
        return Err(format!("{when}: the fake holds {got} integrations, expected {n}"));
    }
    Ok(())
}
