//! Medians, the printed table and the JSON.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{json, Value};

use crate::procs::Terraform;
use crate::Measure;

/// The median; the mean of the middle two for an even count.
pub(crate) fn median(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// One operation at one N: every provider time beside the floor time measured next to it.
pub(crate) struct Row {
    pub n: usize,
    pub op: String,
    pub provider: Vec<f64>,
    pub floor: Vec<f64>,
    pub provider_cpu: Vec<f64>,
    pub fake_cpu: Vec<f64>,
    /// Terraform's own CPU beside the provider, and in the floor's run.
    pub terraform_cpu: Vec<f64>,
    pub floor_cpu: Vec<f64>,
    pub peak_kb: u64,
    /// Requests the fake answered per provider command, where it counted them (the latency run).
    pub requests: Vec<usize>,
}

impl Row {
    pub(crate) fn new(n: usize, op: &str) -> Row {
        Row {
            n,
            op: op.to_string(),
            provider: vec![],
            floor: vec![],
            provider_cpu: vec![],
            fake_cpu: vec![],
            terraform_cpu: vec![],
            floor_cpu: vec![],
            peak_kb: 0,
            requests: vec![],
        }
    }

    pub(crate) fn push(&mut self, m: Measure) {
        self.provider.push(m.provider_s);
        self.floor.push(m.floor_s);
        self.provider_cpu.push(m.usage.cpu_s);
        self.fake_cpu.push(m.fake_cpu_s);
        self.terraform_cpu.push(m.terraform_cpu_s);
        self.floor_cpu.push(m.floor_cpu_s);
        self.peak_kb = self.peak_kb.max(m.usage.peak_kb);
        self.requests.extend(m.requests);
    }

    /// The median count of requests per command, as text ("-" where none were counted).
    fn requests_text(&self) -> String {
        let counts: Vec<f64> = self.requests.iter().map(|&r| r as f64).collect();
        if counts.is_empty() {
            "-".to_string()
        } else {
            format!("{}", median(&counts))
        }
    }

    /// The median of the ratios of each pair (each provider run over the floor run beside it),
    /// which cancels more of the machine's drift than a ratio of medians.
    pub(crate) fn ratio(&self) -> f64 {
        let ratios: Vec<f64> = self.provider.iter().zip(&self.floor).map(|(p, f)| p / f).collect();
        median(&ratios)
    }
}

pub(crate) struct Report {
    pub terraform: String,
    pub terraform_version: String,
    pub provider: String,
    pub binary_bytes: u64,
    pub latency_ms: u64,
    pub handshake_ms: Vec<f64>,
    /// (N, runs, plans per run).
    pub runs: Vec<(usize, usize, usize)>,
    pub rows: Vec<Row>,
    /// (N, seconds) of the untimed-beside-the-floor apply against the slow fake.
    pub latency_apply_s: Vec<(usize, f64)>,
    pub total_s: f64,
}

impl Report {
    pub(crate) fn new(tf: &Terraform, provider: &Path, latency_ms: u64) -> Report {
        Report {
            terraform: tf.path.display().to_string(),
            terraform_version: tf.version.clone(),
            provider: provider.display().to_string(),
            binary_bytes: std::fs::metadata(provider).map(|m| m.len()).unwrap_or(0),
            latency_ms,
            handshake_ms: vec![],
            runs: vec![],
            rows: vec![],
            latency_apply_s: vec![],
            total_s: 0.0,
        }
    }

    fn peak_mb(&self) -> Vec<(usize, f64)> {
        self.runs
            .iter()
            .map(|&(n, _, _)| {
                let kb = self.rows.iter().filter(|r| r.n == n).map(|r| r.peak_kb).max().unwrap_or(0);
                (n, kb as f64 / 1024.0)
            })
            .collect()
    }

    pub(crate) fn table(&self) -> String {
        let mut s = String::new();
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let _ = writeln!(
            s,
            "\nterraform-provider-posit vs terraform_data: Terraform {} ({}), {cores} cores, -parallelism default (10)",
            self.terraform_version, self.terraform
        );
        let runs: Vec<String> =
            self.runs.iter().map(|(n, r, p)| format!("N={n}: {r} run(s), {p} plan(s) per run")).collect();
        let _ = writeln!(s, "medians; ratio = median of (provider / floor run beside it); {}", runs.join("; "));
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{:>6}  {:<11} {:>10} {:>8} {:>6} {:>8}   {:>10} {:>9}   {:>12} {:>9} {:>9}",
            "N",
            "operation",
            "provider s",
            "floor s",
            "ratio",
            "requests",
            "TF CPU",
            "floor CPU",
            "provider CPU",
            "fake CPU",
            "peak"
        );
        for r in &self.rows {
            let _ = writeln!(
                s,
                "{:>6}  {:<11} {:>10.2} {:>8.2} {:>6.2} {:>8}   {:>8.2} s {:>7.2} s   {:>10.2} s {:>7.2} s {:>6.1} MB",
                r.n,
                r.op,
                median(&r.provider),
                median(&r.floor),
                r.ratio(),
                r.requests_text(),
                median(&r.terraform_cpu),
                median(&r.floor_cpu),
                median(&r.provider_cpu),
                median(&r.fake_cpu),
                r.peak_kb as f64 / 1024.0
            );
        }
        let _ = writeln!(
            s,
            "TF CPU: Terraform's own CPU in the provider's run (its process tree less the provider); floor CPU: in the floor's"
        );
        let _ = writeln!(
            s,
            "requests: what the fake answered during one provider command (median), counted on the latency run's fake"
        );
        if self.rows.iter().any(|r| r.op == "plan (data)") {
            let _ = writeln!(
                s,
                "plan (data): the same plan beside a floor whose terraform_data carry an integration's values \
                 (every attribute, nulls and sensitive paths included; their dynamic value also stores its type)"
            );
        }
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "handshake: median {:.1} ms, max {:.1} ms over {} starts (spawn to the go-plugin line)",
            median(&self.handshake_ms),
            self.handshake_ms.iter().copied().fold(0.0, f64::max),
            self.handshake_ms.len()
        );
        let peaks: Vec<String> = self.peak_mb().iter().map(|(n, mb)| format!("N={n}: {mb:.1} MB")).collect();
        let _ = writeln!(s, "provider peak memory (VmHWM): {}", peaks.join(", "));
        let _ = writeln!(s, "release binary: {:.1} MB ({} bytes)", self.binary_bytes as f64 / 1e6, self.binary_bytes);
        let _ = writeln!(s, "total time: {:.0} s", self.total_s);
        s
    }

    pub(crate) fn json(&self) -> Value {
        let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        json!({
            "unix_time": secs,
            "terraform": { "path": self.terraform, "version": self.terraform_version },
            "provider": self.provider,
            "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
            "parallelism": 10,
            "latency_ms": self.latency_ms,
            "runs": self.runs.iter().map(|(n, r, p)| json!({"n": n, "runs": r, "plans_per_run": p})).collect::<Vec<_>>(),
            "results": self.rows.iter().map(|r| json!({
                "n": r.n,
                "operation": r.op,
                "provider_s": median(&r.provider),
                "floor_s": median(&r.floor),
                "ratio": r.ratio(),
                "provider_samples_s": r.provider,
                "floor_samples_s": r.floor,
                "provider_peak_kib": r.peak_kb,
                "provider_cpu_s": median(&r.provider_cpu),
                "fake_cpu_s": median(&r.fake_cpu),
                "terraform_cpu_s": median(&r.terraform_cpu),
                "floor_cpu_s": median(&r.floor_cpu),
                "provider_cpu_samples_s": r.provider_cpu,
                "fake_cpu_samples_s": r.fake_cpu,
                "terraform_cpu_samples_s": r.terraform_cpu,
                "floor_cpu_samples_s": r.floor_cpu,
                "requests_samples": r.requests,
            })).collect::<Vec<_>>(),
            "latency_apply_s": self.latency_apply_s.iter().map(|(n, s)| json!({"n": n, "seconds": s})).collect::<Vec<_>>(),
            "handshake_ms": { "median": median(&self.handshake_ms), "samples": self.handshake_ms },
            "peak_memory_mib": self.peak_mb().iter().map(|(n, mb)| json!({"n": n, "mib": mb})).collect::<Vec<_>>(),
            "binary_bytes": self.binary_bytes,
            "total_s": self.total_s,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
        let m = |provider_s, floor_s, peak_kb| Measure {
            provider_s,
            floor_s,
            usage: crate::procs::Usage { peak_kb, cpu_s: 0.0 },
            fake_cpu_s: 0.0,
            terraform_cpu_s: 0.0,
            floor_cpu_s: 0.0,
            requests: Some(3),
        };
        let mut r = Row::new(1, "plan");
        r.push(m(2.0, 1.0, 10));
        r.push(m(3.0, 1.0, 30));
        r.push(m(10.0, 10.0, 20));
        assert_eq!(r.ratio(), 2.0);
        assert_eq!(r.peak_kb, 30);
        assert_eq!((r.requests.len(), r.requests_text()), (3, "3".to_string()));
        assert_eq!(Row::new(1, "apply").requests_text(), "-");
    }
}
