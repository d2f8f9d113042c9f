//! `fake-connect`: the fake Connect server as a program, for demos and benchmarks.
//!
//! ```text
//! fake-connect --port 0 --api-key KEY [--publisher-key KEY2] [--latency-ms N]
//! ```
//! Prints its URL (`http://127.0.0.1:PORT`) as the first line of stdout, so a script can start it
//! with `--port 0` and read where it landed; serves until SIGINT or SIGTERM.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use fake_connect::{FakeConnect, Options, Store};

const USAGE: &str = "usage: fake-connect [--port PORT] --api-key KEY [--publisher-key KEY] [--latency-ms N]";

struct Args {
    port: u16,
    opts: Options,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut port = 0u16;
    let mut admin_key = None;
    let mut publisher_key = None;
    let mut latency = Duration::ZERO;
    while let Some(flag) = args.next() {
        // Both `--flag value` and `--flag=value`.
        let (flag, inline) = match flag.split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (flag, None),
        };
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_string());
        }
        let value = match inline.or_else(|| args.next()) {
            Some(v) => v,
            None => return Err(format!("{flag} needs a value\n{USAGE}")),
        };
        match flag.as_str() {
            "--port" => port = value.parse().map_err(|_| format!("bad port: {value}"))?,
            "--api-key" => admin_key = Some(value),
            "--publisher-key" => publisher_key = Some(value),
            "--latency-ms" => {
                let ms: u64 = value.parse().map_err(|_| format!("bad latency: {value}"))?;
                latency = Duration::from_millis(ms);
            }
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    let admin_key = admin_key.ok_or_else(|| format!("--api-key is required\n{USAGE}"))?;
    if admin_key.is_empty() {
        return Err("--api-key must not be empty".to_string());
    }
    Ok(Args { port, opts: Options { admin_key, publisher_key, latency } })
}

/// Resolves on SIGINT or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("fake-connect: cannot listen on 127.0.0.1:{}: {e}", args.port);
            return ExitCode::FAILURE;
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("fake-connect: {e}");
            return ExitCode::FAILURE;
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "http://{addr}");
        let _ = out.flush();
    }
    tokio::select! {
        result = FakeConnect::serve(listener, args.opts, Store::new()) => match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("fake-connect: {e}");
                ExitCode::FAILURE
            }
        },
        _ = stop_signal() => ExitCode::SUCCESS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_all_options() {
        let a = parse(&["--port", "0", "--api-key", "k", "--publisher-key=p", "--latency-ms", "25"]).unwrap();
        assert_eq!(a.port, 0);
        assert_eq!(a.opts.admin_key, "k");
        assert_eq!(a.opts.publisher_key.as_deref(), Some("p"));
        assert_eq!(a.opts.latency, Duration::from_millis(25));
    }

    #[test]
    fn refuses_bad_arguments() {
        assert!(parse(&[]).is_err());
        assert!(parse(&["--api-key"]).is_err());
        assert!(parse(&["--api-key", "k", "--port", "x"]).is_err());
        assert!(parse(&["--api-key", "k", "--bogus", "1"]).is_err());
    }
}
