//! `fake-connect`: the fake Connect server as a program, for demos and benchmarks.
//!
//! ```text
//! fake-connect --port 0 --api-key KEY [--publisher-key KEY2] [--latency-ms N]
//!              [--tls-cert CHAIN.pem --tls-key KEY.pem] [--fault SPEC]... [--profile NAME]
//! ```
//! Prints its URL (`http://127.0.0.1:PORT`, or `https://`) as the first line of stdout, so a
//! script can start it with `--port 0` and read where it landed; serves until SIGINT or SIGTERM.
//! With `FAKE_CONNECT_EXCHANGES=DIR` it records every exchange in `DIR` (see `exchanges.rs`).
//!
//! A fault SPEC is a kind and its settings, comma-separated: `refuse,every=5,status=429,retry-after=1`,
//! `delay,every=3,ms=200`, `drop,every=4,method=POST` (act, then drop the connection unanswered).
//! Hostile ones: `echo-body,every=1,status=400` (an error quoting the request body),
//! `echo-headers,every=1,status=500` (an HTML page listing the request headers),
//! `message,every=1,status=400,text=TEXT` (an error with this message),
//! `duplicate-list,every=1` (a list answer naming its first item twice), and
//! `oversized,every=1,bytes=73400320` (a 200 of that many bytes, streamed, instead of acting). Any
//! fault takes
//! `method=M` and `path=/__api__/...` to apply to one method or one path only.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use fake_connect::{FakeConnect, Fault, FaultAction, Faults, Options, Profile, Store, TlsIdentity};

const USAGE: &str = "usage: fake-connect [--port PORT] --api-key KEY [--publisher-key KEY] [--latency-ms N] \
                     [--tls-cert CHAIN.pem --tls-key KEY.pem] [--fault SPEC]... [--profile NAME]\n\
                     profiles (or FAKE_CONNECT_PROFILE): derives (default), no-auth-mode, server-auth-mode, \
                     strict-keys, auth-type-top-level, auth-type-in-config, custom-fills, default-scopes, older, \
                     no-oauth-api, null-names, strict-values, no-permissions, groups-disabled, \
                     publishers-no-vanity\n\
                     FAKE_CONNECT_EXCHANGES=DIR records every exchange in DIR (one JSON-lines file per server)\n\
                     fault SPECs (each also takes method=M and path=P): \
                     refuse,every=N[,status=429][,retry-after=SECS] | delay,every=N,ms=MS | drop,every=N | \
                     echo-body,every=N[,status=400] | echo-headers,every=N[,status=500] | \
                     message,every=N,text=TEXT[,status=400] | duplicate-list,every=N | \
                     oversized,every=N,bytes=B";

struct Args {
    port: u16,
    opts: Options,
    faults: Vec<Fault>,
    /// Paths of the certificate chain and key, both PEM.
    tls: Option<(String, String)>,
    profile: Profile,
}

/// Reads one `--fault` SPEC (see the module's documentation).
fn parse_fault(spec: &str) -> Result<Fault, String> {
    let bad = |why: &str| format!("bad fault {spec:?}: {why}");
    let mut parts = spec.split(',');
    let kind = parts.next().unwrap_or_default().trim();
    let (mut every, mut status, mut retry_after, mut ms, mut method, mut path, mut text) =
        (None, None, None, None, None, None, None);
    let mut bytes = None;
    for part in parts {
        let (k, v) = part.split_once('=').ok_or_else(|| bad("settings are key=value"))?;
        let number = |v: &str| v.trim().parse::<u64>().map_err(|_| bad(&format!("{k} must be a whole number")));
        match k.trim() {
            "every" => every = Some(number(v)?),
            "status" => status = Some(u16::try_from(number(v)?).map_err(|_| bad("status out of range"))?),
            "retry-after" => retry_after = Some(v.trim().to_string()),
            "ms" => ms = Some(number(v)?),
            "method" => method = Some(v.trim().to_ascii_uppercase()),
            "path" => path = Some(v.trim().to_string()),
            "text" => text = Some(v.to_string()),
            "bytes" => bytes = Some(number(v)?),
            other => return Err(bad(&format!("unknown setting {other}"))),
        }
    }
    let every = every.ok_or_else(|| bad("every=N is required"))?;
    let action = match kind {
        "refuse" => FaultAction::Refuse { status: status.unwrap_or(429), retry_after },
        "delay" => FaultAction::Delay(Duration::from_millis(ms.ok_or_else(|| bad("delay needs ms=MS"))?)),
        "drop" => FaultAction::DropAfterActing,
        "echo-body" => FaultAction::EchoBody { status: status.unwrap_or(400) },
        "echo-headers" => FaultAction::EchoHeaders { status: status.unwrap_or(500) },
        "message" => FaultAction::Message {
            status: status.unwrap_or(400),
            message: text.ok_or_else(|| bad("message needs text=TEXT"))?,
        },
        "duplicate-list" => FaultAction::DuplicateInList,
        "oversized" => FaultAction::Oversized { bytes: bytes.ok_or_else(|| bad("oversized needs bytes=B"))? },
        _ => {
            return Err(bad(
                "the kind is refuse, delay, drop, echo-body, echo-headers, message, duplicate-list or oversized",
            ))
        }
    };
    Ok(Fault { method, path, every, action })
}

/// The environment variable naming the behaviour profile when `--profile` is not given.
const PROFILE_ENV: &str = "FAKE_CONNECT_PROFILE";

fn parse_profile(name: &str) -> Result<Profile, String> {
    Profile::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
        format!("unknown profile {name:?}: one of {}", names.join(", "))
    })
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut port = 0u16;
    let mut admin_key = None;
    let mut publisher_key = None;
    let mut latency = Duration::ZERO;
    let mut faults = Vec::new();
    let (mut tls_cert, mut tls_key) = (None, None);
    let mut profile = match std::env::var(PROFILE_ENV) {
        Ok(name) if !name.trim().is_empty() => parse_profile(&name)?,
        _ => Profile::default(),
    };
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
            "--fault" => faults.push(parse_fault(&value)?),
            "--tls-cert" => tls_cert = Some(value),
            "--tls-key" => tls_key = Some(value),
            "--profile" => profile = parse_profile(&value)?,
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    let admin_key = admin_key.ok_or_else(|| format!("--api-key is required\n{USAGE}"))?;
    if admin_key.is_empty() {
        return Err("--api-key must not be empty".to_string());
    }
    let tls = match (tls_cert, tls_key) {
        (Some(cert), Some(key)) => Some((cert, key)),
        (None, None) => None,
        _ => return Err(format!("--tls-cert and --tls-key go together\n{USAGE}")),
    };
    Ok(Args { port, opts: Options { admin_key, publisher_key, latency }, faults, tls, profile })
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
    let tls = match &args.tls {
        None => None,
        Some((cert, key)) => match (std::fs::read_to_string(cert), std::fs::read_to_string(key)) {
            (Ok(cert_chain_pem), Ok(key_pem)) => Some(TlsIdentity { cert_chain_pem, key_pem }),
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("fake-connect: cannot read the TLS certificate or key: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let faults = Faults::new();
    faults.set(args.faults);
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
        let _ = writeln!(out, "{scheme}://{addr}");
        let _ = out.flush();
    }
    let store = Store::new();
    store.set_profile(args.profile);
    tokio::select! {
        result = FakeConnect::serve_with(listener, args.opts, store, faults, tls) => match result {
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
        assert!(a.faults.is_empty() && a.tls.is_none());
    }

    #[test]
    fn parses_faults_and_tls() {
        let a = parse(&[
            "--api-key",
            "k",
            "--fault",
            "refuse,every=5,retry-after=1",
            "--fault=delay,every=3,ms=200,method=get",
            "--fault",
            "drop,every=4,method=POST",
            "--fault",
            "oversized,every=2,bytes=1048576,method=GET",
            "--tls-cert",
            "c.pem",
            "--tls-key",
            "k.pem",
        ])
        .unwrap();
        assert_eq!(
            a.faults,
            [
                Fault::refuse(5, 429, Some("1")),
                Fault::delay(3, Duration::from_millis(200)).only("GET"),
                Fault::drop_after_acting(4).only("POST"),
                Fault::oversized(2, 1 << 20).only("GET"),
            ]
        );
        assert_eq!(a.tls, Some(("c.pem".into(), "k.pem".into())));
        let a = parse(&[
            "--api-key",
            "k",
            "--fault",
            "echo-body,every=1,method=POST",
            "--fault",
            "echo-headers,every=2,status=502",
            "--fault",
            "message,every=1,text=\u{1b}[31mred",
            "--fault",
            "duplicate-list,every=1,path=/__api__/v1/oauth/integrations",
        ])
        .unwrap();
        assert_eq!(
            a.faults,
            [
                Fault::new(1, FaultAction::EchoBody { status: 400 }).only("POST"),
                Fault::new(2, FaultAction::EchoHeaders { status: 502 }),
                Fault::new(1, FaultAction::Message { status: 400, message: "\u{1b}[31mred".into() }),
                Fault::new(1, FaultAction::DuplicateInList).on_path("/__api__/v1/oauth/integrations"),
            ]
        );
        for bad in [
            "refuse",
            "refuse,every=x",
            "delay,every=2",
            "explode,every=1",
            "drop,every=1,colour=red",
            "message,every=1",
            "oversized,every=1",
        ] {
            assert!(parse(&["--api-key", "k", "--fault", bad]).is_err(), "{bad}");
        }
        assert!(parse(&["--api-key", "k", "--tls-cert", "c.pem"]).is_err());
    }

    #[test]
    fn usage_names_every_profile() {
        for p in Profile::ALL {
            assert!(USAGE.contains(p.name()), "{}", p.name());
        }
    }

    #[test]
    fn refuses_bad_arguments() {
        assert!(parse(&[]).is_err());
        assert!(parse(&["--api-key"]).is_err());
        assert!(parse(&["--api-key", "k", "--port", "x"]).is_err());
        assert!(parse(&["--api-key", "k", "--bogus", "1"]).is_err());
    }
}
