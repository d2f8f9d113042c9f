//! `plugin-probe inspect FILE [--platform OS_ARCH] [--self-contained] [--macos VERSION]`
//! `plugin-probe handshake [--expect-network unix|tcp] [--expect-resource TYPE] [--timeout SECS]
//!                         [--env NAME=VALUE]... -- COMMAND [ARGS...]`
//!
//! Prints what it found, one fact a line; exits 0 when every check passed, 1 when one failed,
//! 2 on a usage error.

use std::ffi::OsString;
use std::process::ExitCode;
use std::time::Duration;

use plugin_probe::{handshake, inspect};

const USAGE: &str = "usage:
  plugin-probe inspect FILE [--platform OS_ARCH] [--self-contained] [--macos VERSION]
      Reads the executable's headers: format, architecture, Terraform platform, what it loads at
      run time, the Mach-O code signature. Fails when the platform differs, when it is not
      self-contained (with --self-contained), when a Mach-O signature does not verify, or (with
      --macos) when its minimum macOS is newer than VERSION.
  plugin-probe handshake [--expect-network unix|tcp] [--expect-resource TYPE] [--timeout SECS]
                         [--env NAME=VALUE]... -- COMMAND [ARGS...]
      Starts COMMAND as Terraform starts a provider, reads the go-plugin handshake line, checks
      that another client certificate is refused, calls GetProviderSchema over mTLS (the schema
      must name TYPE, default posit_connect_oauth_integration), then Shutdown, after which the
      process must exit 0. --timeout: seconds to wait for the handshake line (default 60).";

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let usage = |msg: &str| {
        eprintln!("plugin-probe: {msg}\n{USAGE}");
        ExitCode::from(2)
    };
    let Some(sub) = args.first().and_then(|a| a.to_str()) else { return usage("no command") };
    match sub {
        "inspect" => {
            let mut file = None;
            let mut platform = None;
            let mut self_contained = false;
            let mut macos = None;
            let mut it = args[1..].iter();
            while let Some(a) = it.next() {
                match a.to_str() {
                    Some("--platform") => match it.next().and_then(|v| v.to_str()) {
                        Some(v) => platform = Some(v.to_string()),
                        None => return usage("--platform needs OS_ARCH"),
                    },
                    Some("--self-contained") => self_contained = true,
                    Some("--macos") => match it.next().and_then(|v| v.to_str()) {
                        Some(v) => macos = Some(v.to_string()),
                        None => return usage("--macos needs a version such as 11.0"),
                    },
                    Some(s) if s.starts_with('-') => return usage(&format!("unknown option {s}")),
                    _ if file.is_none() => file = Some(std::path::PathBuf::from(a)),
                    _ => return usage("more than one FILE"),
                }
            }
            let Some(file) = file else { return usage("inspect needs a FILE") };
            let found = match inspect::inspect_file(&file) {
                Ok(found) => found,
                Err(e) => {
                    eprintln!("plugin-probe: {}: {e}", file.display());
                    return ExitCode::from(1);
                }
            };
            println!("file: {}", file.display());
            for line in found.describe() {
                println!("{line}");
            }
            let mut problems = found.problems(platform.as_deref(), self_contained);
            if let Some(oldest) = &macos {
                problems.extend(found.runs_on_macos(oldest).err());
            }
            for p in &problems {
                eprintln!("plugin-probe: {}: {p}", file.display());
            }
            if problems.is_empty() {
                println!("ok");
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        "handshake" => {
            let mut options = handshake::Options::default();
            let mut it = args[1..].iter();
            let mut command = Vec::new();
            while let Some(a) = it.next() {
                let mut value = |name: &str| {
                    it.next().and_then(|v| v.to_str()).map(String::from).ok_or(format!("{name} needs a value"))
                };
                let result = match a.to_str() {
                    Some("--") => {
                        command = it.by_ref().cloned().collect();
                        break;
                    }
                    Some("--expect-network") => value("--expect-network").and_then(|v| match v.as_str() {
                        "unix" | "tcp" => {
                            options.expect_network = Some(v);
                            Ok(())
                        }
                        _ => Err("--expect-network is unix or tcp".into()),
                    }),
                    Some("--expect-resource") => value("--expect-resource").map(|v| options.expect_resource = v),
                    Some("--timeout") => value("--timeout").and_then(|v| {
                        v.parse()
                            .map(|s| options.start_timeout = Duration::from_secs(s))
                            .map_err(|_| "--timeout needs seconds".into())
                    }),
                    Some("--env") => value("--env").and_then(|v| match v.split_once('=') {
                        Some((k, v)) => {
                            options.env.push((k.to_string(), v.to_string()));
                            Ok(())
                        }
                        None => Err("--env needs NAME=VALUE".into()),
                    }),
                    _ => Err(format!("unknown argument {} (the command goes after --)", a.to_string_lossy())),
                };
                if let Err(e) = result {
                    return usage(&e);
                }
            }
            if command.is_empty() {
                return usage("handshake needs -- COMMAND");
            }
            let shown: Vec<String> = command.iter().map(|a| a.to_string_lossy().into_owned()).collect();
            println!("command: {}", shown.join(" "));
            match handshake::probe_blocking(&command, &options) {
                Ok(report) => {
                    for line in report.describe() {
                        println!("{line}");
                    }
                    println!("ok");
                    ExitCode::SUCCESS
                }
                Err(failure) => {
                    eprintln!("plugin-probe: {failure}");
                    ExitCode::from(1)
                }
            }
        }
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => usage(&format!("unknown command {other}")),
    }
}
