//! Reliability and security through real Terraform: convergence under injected faults (rate
//! limits, unavailability, delays, connections dropped after the server acted), creates whose
//! answer is lost, secrets absent from `TF_LOG=trace` output, TLS with a private CA (and
//! without it) or with the server's own self-signed certificate given as the CA, a proxy, an
//! `http://` server warned about at validate, bad settings named at plan time, a proxy's HTML
//! error page, an interrupted apply (a create abandoned, and one answered after the interrupt and
//! kept), and bounded resources (the operation timeout against a stalled server or a long
//! `Retry-After`, an oversized answer).
//!
//! Retry waits are scaled down by the harness (see `sanitize_env`), so faults cost milliseconds.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fake_connect::{Fault, TlsIdentity};

use crate::support::terraform::{run_command, sanitize_env, RawRun};
use crate::support::*;

const ADDR: &str = "posit_connect_oauth_integration.this";

/// `n` integrations across the four templates, a third of them with a secret; labels `i0`...
fn many(n: usize) -> String {
    (0..n)
        .map(|i| {
            let (template, _) = AZURE_TEMPLATES[i % AZURE_TEMPLATES.len()];
            let mut it = Integration::new(template, &format!("Reliability {i:02}")).description(&format!("number {i}"));
            if template == "azure" {
                it = it.scopes("https://management.azure.com/.default offline_access");
            }
            if i % 3 == 0 {
                it = it.secret(&format!("many-secret-{i}"));
            }
            it.hcl(&format!("i{i}"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// guid -> name of every integration in the state, failing on a resource without a guid.
fn state_guids(ws: &Workspace) -> BTreeMap<String, String> {
    let state = ws.state_json();
    let mut out = BTreeMap::new();
    for addr in state_addresses(&state) {
        let v = resource_values(&state, &addr);
        let guid = v["guid"].as_str().unwrap_or_else(|| panic!("{addr} has no guid in state")).to_string();
        let name = v["name"].as_str().unwrap_or_default().to_string();
        assert!(out.insert(guid.clone(), name).is_none(), "guid {guid} is in state twice");
    }
    out
}

/// guid -> name of every integration on the server.
fn server_guids(store: &fake_connect::Store) -> BTreeMap<String, String> {
    store
        .integrations()
        .iter()
        .map(|i| (i["guid"].as_str().unwrap().to_string(), i["name"].as_str().unwrap().to_string()))
        .collect()
}

/// Requests of `method` that a fault cut after the server acted (no status was answered).
fn dropped(store: &fake_connect::Store, method: &str) -> usize {
    store.requests().iter().filter(|r| r.method == method && r.status == 0).count()
}

#[test]
fn fifty_integrations_converge_and_go_under_faults() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        fake.faults().set(vec![
            Fault::refuse(5, 429, Some("1")),
            Fault::refuse(7, 503, None),
            Fault::delay(6, Duration::from_millis(50)),
            Fault::drop_after_acting(4).only("POST"),
            Fault::drop_after_acting(4).only("DELETE"),
        ]);
        let mut ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        // Ten retries: a request must meet a fault eleven times in a row to fail.
        ws.set_env("CONNECT_MAX_RETRIES", "10");
        ws.write_main(&main_tf(&ProviderConfig::Env, &many(50)));

        let started = Instant::now();
        ws.apply();
        let apply_time = started.elapsed();
        let in_state = state_guids(&ws);
        let on_server = server_guids(&store);
        assert_eq!(on_server.len(), 50, "no duplicates and none missing; requests:\n{}", request_log(&store));
        assert_eq!(in_state, on_server, "state and server must match one to one");
        let names: BTreeSet<&String> = on_server.values().collect();
        assert_eq!(names.len(), 50);
        assert!(dropped(&store, "POST") > 0, "the faults dropped no create; requests:\n{}", request_log(&store));
        let fired = fake.faults().fired();

        // A refresh under the same faults finds nothing to do.
        let started = Instant::now();
        ws.assert_no_changes("after applying 50 integrations under faults");
        let plan_time = started.elapsed();

        let started = Instant::now();
        ws.destroy();
        let destroy_time = started.elapsed();
        assert!(store.is_empty(), "destroy left {} integrations", store.len());
        assert!(state_addresses(&ws.state_json()).is_empty());
        assert!(dropped(&store, "DELETE") > 0, "the faults dropped no delete");
        eprintln!(
            "e2e: 50 integrations under faults with {tf}: apply {apply_time:.1?} ({fired} faults), plan \
             {plan_time:.1?}, destroy {destroy_time:.1?} ({} faults in all)",
            fake.faults().fired()
        );
    });
}

#[test]
fn a_create_whose_answer_is_lost_is_recorded_once() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        // Every create is made, then its connection dropped before the answer.
        fake.faults().set(vec![Fault::drop_after_acting(1).only("POST")]);
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        ws.write_main(&main_tf(
            &ProviderConfig::Env,
            &Integration::new("msgraph", "Lost answer").secret("s").hcl("this"),
        ));

        ws.apply();
        let made = only_integration(&store);
        let state = ws.state_json();
        assert_eq!(resource_values(&state, ADDR)["guid"], made["guid"]);
        let posts = store.requests().iter().filter(|r| r.method == "POST").count();
        assert_eq!(posts, 1, "the create must not be sent again; requests:\n{}", request_log(&store));
        assert_eq!(store.secret(made["guid"].as_str().unwrap()).as_deref(), Some("s"));

        fake.faults().clear();
        ws.assert_no_changes("after adopting the create whose answer was lost");
    });
}

#[test]
fn trace_logs_leak_no_secret() {
    const SECRET: &str = "trace-client-secret-5b1e77";
    for_each_terraform(|tf| {
        let fake = start_fake();
        // Some retries, so their log lines are in the output too.
        fake.faults().set(vec![Fault::refuse(3, 503, Some("1"))]);
        let mut ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        ws.set_env("TF_LOG", "trace");
        let body = Integration::new("azure-openai", "Traced").auth_type("Service Account").secret(SECRET).hcl("this");
        ws.write_main(&main_tf(&ProviderConfig::Env, &body));

        let runs = [ws.apply(), ws.plan_detailed(), ws.destroy()];
        let mut logged = String::new();
        for run in &runs {
            let output = run.output();
            for (what, secret) in [("the API key", ADMIN_KEY), ("the client secret", SECRET)] {
                if output.contains(secret) {
                    run.fail(&format!("{what} appears in the TF_LOG=trace output"));
                }
            }
            logged += &output;
        }
        // The provider did log its requests, bodies included, masked.
        for needle in ["Connect API request", "attempt=", "Connect API request body", "(sensitive)", "will be retried"]
        {
            assert!(logged.contains(needle), "the provider's trace output has no {needle:?}");
        }
    });
}

// ---------------------------------------------------------------------------------------------
// TLS, proxy
// ---------------------------------------------------------------------------------------------

/// A test CA (its PEM) and a server identity for 127.0.0.1 and localhost that it signed.
fn test_pki() -> (String, TlsIdentity) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "posit e2e test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
    leaf.extended_key_usages.push(ExtendedKeyUsagePurpose::ServerAuth);
    let cert = leaf.signed_by(&key, &issuer).unwrap();
    (ca_cert.pem(), TlsIdentity { cert_chain_pem: cert.pem(), key_pem: key.serialize_pem() })
}

/// A loopback server on its own thread, one thread per connection, stopped when dropped.
struct Loopback {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl Loopback {
    fn spawn(handle: impl Fn(TcpStream) + Send + Sync + 'static) -> Loopback {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let handle = Arc::new(handle);
        std::thread::spawn({
            let stop = stop.clone();
            move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let _ = stream.set_nonblocking(false);
                            let _ = stream.set_nodelay(true);
                            let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                            let handle = handle.clone();
                            std::thread::spawn(move || handle(stream));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            }
        });
        Loopback { port, stop }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Reads an HTTP/1.1 request head (and its body, by Content-Length); returns the head.
fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let len: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).ok()?;
    Some(head)
}

/// An HTTPS proxy (CONNECT tunnels only) that records the targets it was asked for.
fn connect_proxy() -> (Loopback, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let proxy = Loopback::spawn({
        let seen = seen.clone();
        move |mut client| {
            let Some(head) = read_request(&mut client) else { return };
            let mut words = head.split_whitespace();
            let (Some("CONNECT"), Some(target)) = (words.next(), words.next()) else {
                let _ = client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n");
                return;
            };
            seen.lock().unwrap().push(target.to_string());
            let Ok(upstream) = TcpStream::connect(target) else {
                let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n");
                return;
            };
            let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
            let (mut c2, mut u2) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
            let mut upstream = upstream;
            let up = std::thread::spawn(move || {
                let _ = std::io::copy(&mut c2, &mut upstream);
                let _ = upstream.shutdown(std::net::Shutdown::Write);
            });
            let _ = std::io::copy(&mut u2, &mut client);
            let _ = client.shutdown(std::net::Shutdown::Write);
            let _ = up.join();
        }
    });
    (proxy, seen)
}

#[test]
fn tls_with_a_private_ca_and_through_a_proxy() {
    let (ca_pem, identity) = test_pki();
    for_each_terraform(|tf| {
        let fake = start_fake_with(Some(identity.clone()));
        let store = fake.store();
        let url = fake.url();
        assert!(url.starts_with("https://"));

        // Without the CA: refused, and the error says why.
        let mut ws = Workspace::with_connect_env(tf, &url, ADMIN_KEY);
        ws.write_main(&main_tf(&ProviderConfig::Env, &Integration::new("msgraph", "TLS one").hcl("this")));
        let run = ws.try_apply();
        if run.success() {
            run.fail("apply against a server whose CA is not trusted should fail");
        }
        run.assert_said(&["invalid peer certificate: UnknownIssuer", "certificate is not trusted"]);
        assert!(store.is_empty());

        // The CA as a file named by the environment.
        ws.write_file("ca.pem", &ca_pem);
        let ca_path = ws.path().join("ca.pem").to_string_lossy().to_string();
        ws.set_env("CONNECT_CA_CERTIFICATE", &ca_path);
        ws.apply();
        ws.assert_no_changes("with the CA trusted");
        assert_eq!(store.len(), 1);

        // The CA as PEM text in the provider block, through an HTTPS proxy.
        let (proxy, tunnels) = connect_proxy();
        let mut ws2 = Workspace::with_connect_env(tf, &url, ADMIN_KEY);
        ws2.set_env("HTTPS_PROXY", &proxy.url());
        let provider = format!("provider \"posit\" {{\n  connect_ca_certificate = <<-EOT\n{ca_pem}EOT\n}}\n\n");
        ws2.write_main(&main_tf(
            &ProviderConfig::Env,
            &(provider + &Integration::new("msgraph", "TLS two").hcl("this")),
        ));
        ws2.apply();
        assert_eq!(store.len(), 2);
        let port = url.rsplit(':').next().unwrap().to_string();
        let through: Vec<String> = tunnels.lock().unwrap().clone();
        assert!(
            !through.is_empty() && through.iter().all(|t| t == &format!("127.0.0.1:{port}")),
            "the requests should go through the proxy: {through:?}"
        );
        // NO_PROXY wins.
        ws2.set_env("NO_PROXY", "127.0.0.1");
        ws2.assert_no_changes("bypassing the proxy");
        assert_eq!(tunnels.lock().unwrap().len(), through.len(), "NO_PROXY should bypass the proxy");

        // connect_insecure: works, with a warning.
        let mut ws3 = Workspace::with_connect_env(tf, &url, ADMIN_KEY);
        ws3.set_env("CONNECT_INSECURE", "true");
        ws3.write_main(&main_tf(&ProviderConfig::Env, &Integration::new("msgraph", "TLS three").hcl("this")));
        let (run, diags) = ws3.plan_diagnostics();
        if !run.success() {
            run.fail("plan with connect_insecure should work");
        }
        let warned = diags.iter().any(|d| {
            d["severity"] == "warning"
                && d["summary"] == "Connect's TLS certificate is not verified"
                && d["detail"].as_str().is_some_and(|t| t.contains("connect_ca_certificate"))
        });
        if !warned {
            run.fail(&format!("expected the connect_insecure warning; diagnostics: {diags:?}"));
        }
        ws3.apply();
        assert_eq!(store.len(), 3);
    });
}

/// A self-signed certificate for 127.0.0.1 only, as `openssl req -x509` makes it (`CA:TRUE`): its
/// PEM, and a server identity presenting it.
fn self_signed_identity() -> (String, TlsIdentity) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, "posit e2e self-signed Connect");
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), TlsIdentity { cert_chain_pem: cert.pem(), key_pem: key.serialize_pem() })
}

/// The `diagnostic` objects of a `-json` run's UI stream.
fn json_diagnostics(run: &TfRun) -> Vec<serde_json::Value> {
    run.stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| msg["type"] == "diagnostic")
        .map(|msg| msg["diagnostic"].clone())
        .collect()
}

#[test]
fn tls_with_the_servers_own_self_signed_certificate_as_the_ca() {
    let (pem, identity) = self_signed_identity();
    for_each_terraform(|tf| {
        let fake = start_fake_with(Some(identity.clone()));
        let store = fake.store();
        let url = fake.url();
        let provider = format!("provider \"posit\" {{\n  connect_ca_certificate = <<-EOT\n{pem}EOT\n}}\n\n");

        // The certificate given as the CA: trusted for the name it lists.
        let ws = Workspace::with_connect_env(tf, &url, ADMIN_KEY);
        ws.write_main(&main_tf(
            &ProviderConfig::Env,
            &(provider.clone() + &Integration::new("msgraph", "Self-signed").hcl("this")),
        ));
        ws.apply();
        ws.assert_no_changes("with the server's own certificate as the CA");
        assert_eq!(store.len(), 1);

        // Reached by a name the certificate does not list: the error says so and points at
        // connect_server, not at turning verification off.
        let port = url.rsplit(':').next().unwrap();
        let ws2 = Workspace::with_connect_env(tf, &format!("https://localhost:{port}"), ADMIN_KEY);
        ws2.write_main(&main_tf(
            &ProviderConfig::Env,
            &(provider + &Integration::new("msgraph", "Another name").hcl("this")),
        ));
        let run = ws2.run(&["apply", "-json", "-auto-approve", "-no-color", "-input=false"]);
        if run.success() {
            run.fail("apply by a name the certificate does not list should fail");
        }
        let diags = json_diagnostics(&run);
        let named = diags.iter().any(|d| {
            d["severity"] == "error"
                && d["detail"].as_str().is_some_and(|t| {
                    t.contains("its TLS certificate is not valid for host localhost (it names: 127.0.0.1)")
                        && t.contains("connect_server must use one of the names the certificate lists")
                })
        });
        if !named {
            run.fail(&format!("expected an error naming the host and connect_server; diagnostics: {diags:#?}"));
        }
        if run.output().contains("connect_insecure") {
            run.fail("a certificate for other names is no reason to turn verification off");
        }
        assert_eq!(store.len(), 1);
    });
}

#[test]
fn an_http_server_elsewhere_is_warned_about_at_validate() {
    for_each_terraform(|tf| {
        let warning = |run: &TfRun| -> Option<serde_json::Value> {
            let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_default();
            if !run.success() || json["valid"] != true {
                run.fail("validate should pass");
            }
            json["diagnostics"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|d| d["summary"] == "The Connect API key travels unencrypted")
                .cloned()
        };
        let body = Integration::new("msgraph", "Cleartext").hcl("this");

        // In the provider block: a warning at the attribute.
        let ws = Workspace::new(tf);
        ws.write_main(&main_tf(
            &ProviderConfig::Hcl { server: "http://connect.example.com".into(), api_key: ADMIN_KEY.into() },
            &body,
        ));
        let run = ws.run(&["validate", "-json", "-no-color"]);
        let Some(d) = warning(&run) else { run.fail("expected the cleartext warning") };
        assert_eq!(d["severity"], "warning", "{d:#}");
        let detail = d["detail"].as_str().unwrap_or_default();
        assert!(detail.starts_with("connect_server is an http:// URL") && detail.contains("unencrypted"), "{d:#}");
        assert!(!detail.contains(ADMIN_KEY), "{d:#}");

        // From CONNECT_SERVER. (Terraform's validate skips a provider without a block, or with an
        // empty one; plan validates it in any case.)
        let ws = Workspace::with_connect_env(tf, "http://connect.example.com:3939", ADMIN_KEY);
        let provider = "provider \"posit\" {\n  connect_request_timeout = 30\n}\n\n";
        ws.write_main(&main_tf(&ProviderConfig::Env, &format!("{provider}{body}")));
        let run = ws.run(&["validate", "-json", "-no-color"]);
        let Some(d) = warning(&run) else { run.fail("expected the cleartext warning for CONNECT_SERVER") };
        assert!(d["detail"].as_str().is_some_and(|t| t.contains("CONNECT_SERVER")), "{d:#}");

        // This machine: no warning, and the plan says none either.
        let fake = start_fake();
        assert!(fake.url().starts_with("http://127.0.0.1:"));
        let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        ws.write_main(&main_tf(&ProviderConfig::Env, &body));
        let run = ws.run(&["validate", "-json", "-no-color"]);
        if warning(&run).is_some() {
            run.fail("no cleartext warning for 127.0.0.1");
        }
        let (run, diags) = ws.plan_diagnostics();
        if !run.success() || diags.iter().any(|d| d["summary"] == "The Connect API key travels unencrypted") {
            run.fail("plan against 127.0.0.1 should pass without the cleartext warning");
        }
    });
}

#[test]
fn bad_settings_are_named_at_plan() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let mut ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
        ws.set_env("CONNECT_INSECURE", "maybe");
        ws.set_env("CONNECT_OPERATION_TIMEOUT", "0");
        let provider = "provider \"posit\" {\n  connect_ca_certificate  = \"/nonexistent/ca.pem\"\n  \
                        connect_request_timeout = 0\n  connect_max_retries     = 2.5\n}\n\n";
        ws.write_main(&main_tf(
            &ProviderConfig::Env,
            &format!("{provider}{}", Integration::new("msgraph", "x").hcl("this")),
        ));
        let (run, diags) = ws.plan_diagnostics();
        if run.success() {
            run.fail("plan with bad provider settings should fail");
        }
        let expected = [
            ("connect_ca_certificate", "neither PEM text"),
            ("connect_insecure", "The CONNECT_INSECURE environment variable (the fallback for connect_insecure) is \"maybe\": it must be true or false"),
            ("connect_request_timeout", "connect_request_timeout is \"0\": it must be a whole number of seconds from 1 to 3600"),
            ("connect_max_retries", "connect_max_retries is \"2.5\": it must be a whole number of retries from 0 to 100"),
            ("connect_operation_timeout", "The CONNECT_OPERATION_TIMEOUT environment variable (the fallback for connect_operation_timeout) is \"0\": it must be a whole number of seconds from 1 to 86400"),
        ];
        for (attr, detail) in expected {
            let found = diags.iter().any(|d| {
                d["severity"] == "error"
                    && d["summary"] == format!("Invalid {attr}")
                    && d["detail"].as_str().is_some_and(|t| t.contains(detail))
            });
            if !found {
                run.fail(&format!("expected an error for {attr} saying {detail:?}; diagnostics: {diags:#?}"));
            }
        }
        assert!(fake.store().requests().is_empty(), "nothing may be sent with bad settings");
    });
}

#[test]
fn a_proxy_error_page_is_reported_with_url_status_and_excerpt() {
    for_each_terraform(|tf| {
        let page =
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center>nginx</center></body></html>";
        let proxy = Loopback::spawn(move |mut stream| {
            while read_request(&mut stream).is_some() {
                let answer = format!(
                    "HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: {}\r\n\r\n{page}",
                    page.len()
                );
                if stream.write_all(answer.as_bytes()).is_err() {
                    return;
                }
            }
        });
        let ws = Workspace::with_connect_env(tf, &proxy.url(), ADMIN_KEY);
        ws.write_main(&main_tf(&ProviderConfig::Env, &Integration::new("msgraph", "Behind a proxy").hcl("this")));
        let run = ws.try_apply();
        if run.success() {
            run.fail("apply through a failing proxy should fail");
        }
        // The proxy answers the first request, the check of the server at configure.
        run.assert_said(&[
            "Could not use Connect",
            &format!(
                "unexpected answer 502 Bad Gateway to GET {}/__api__/server_settings (not Connect's JSON error \
                     body): <html> <head><title>502 Bad Gateway</title></head>",
                proxy.url()
            ),
        ]);
        if run.output().contains("panicked") {
            run.fail("the provider panicked");
        }
    });
}

/// Starts `terraform apply` of one integration whose POST the fake delays by `delay`, waits for
/// the POST to reach the fake, then interrupts Terraform as Ctrl-C would. Returns the run and
/// how long Terraform took to exit after the interrupt.
fn apply_interrupted_during_create(
    tf: &Terraform,
    fake: &fake_connect::FakeConnect,
    delay: Duration,
) -> (Workspace, RawRun, Duration) {
    let store = fake.store();
    fake.faults().set(vec![Fault::delay(1, delay).only("POST")]);
    let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
    ws.write_main(&main_tf(&ProviderConfig::Env, &Integration::new("msgraph", "Interrupted").hcl("this")));

    let mut cmd = Command::new(&tf.path);
    cmd.args(["apply", "-auto-approve", "-no-color", "-input=false"]).current_dir(ws.path());
    sanitize_env(&mut cmd);
    cmd.env("TF_CLI_CONFIG_FILE", ws.path().join("terraform.tfrc"))
        .env("CONNECT_SERVER", fake.url())
        .env("CONNECT_API_KEY", ADMIN_KEY);
    let runner = std::thread::spawn(move || run_command(cmd, Duration::from_secs(60)));

    let waited = Instant::now();
    while !store.requests().iter().any(|r| r.method == "POST") {
        assert!(waited.elapsed() < Duration::from_secs(30), "the create never reached the fake");
        std::thread::sleep(Duration::from_millis(20));
    }
    let interrupted = Instant::now();
    let group = terraform_group(ws.path());
    let killed = Command::new("kill").args(["-s", "INT", "--", &format!("-{group}")]).status();
    assert!(killed.is_ok_and(|s| s.success()), "could not interrupt process group {group}");
    let run = runner.join().unwrap();
    let took = interrupted.elapsed();
    fake.faults().set(vec![]);
    assert!(!run.timed_out, "Terraform did not exit after the interrupt\n{}\n{}", run.stdout, run.stderr);
    (ws, run, took)
}

#[test]
fn an_interrupted_apply_stops_promptly() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        // The create hangs for longer than the test waits.
        let (_ws, run, took) = apply_interrupted_during_create(tf, &fake, Duration::from_secs(30));
        assert!(run.exit_code != Some(0), "exit {:?}\n{}\n{}", run.exit_code, run.stdout, run.stderr);
        assert!(
            took < Duration::from_secs(15),
            "Terraform took {took:?} to stop after the interrupt\n{}\n{}",
            run.stdout,
            run.stderr
        );
        let output = format!("{}\n{}", run.stdout, run.stderr);
        assert!(output.contains("stopped before Connect answered POST"), "{output}");
        assert!(fake.store().is_empty(), "the abandoned create must not have been made");
        eprintln!("e2e: interrupted apply with {tf} stopped {took:.1?} after the interrupt");
    });
}

/// Ctrl-C while a create's answer is on its way: the provider waits a moment for a POST already
/// sent (its answer is the only record of the integration), so Connect's answer lands in state
/// and the next plan is empty, with no second integration.
#[test]
fn a_create_answered_after_the_interrupt_is_kept_in_state() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        let store = fake.store();
        let (ws, run, took) = apply_interrupted_during_create(tf, &fake, Duration::from_millis(1500));
        assert!(took < Duration::from_secs(15), "Terraform took {took:?} to stop after the interrupt");
        let made = server_guids(&store);
        assert_eq!(made.len(), 1, "one integration on the server\n{}\n{}", run.stdout, run.stderr);
        assert_eq!(
            state_guids(&ws),
            made,
            "the state records the integration Connect made\n{}\n{}",
            run.stdout,
            run.stderr
        );
        ws.assert_no_changes("after an interrupted apply whose create was answered");
        assert_eq!(store.requests().iter().filter(|r| r.method == "POST").count(), 1, "one POST in all");
    });
}

/// The process group of the Terraform running in `dir`: the one process whose working
/// directory it is and whose group it leads (run_command starts Terraform as a group leader).
fn terraform_group(dir: &std::path::Path) -> u32 {
    let dir = std::fs::canonicalize(dir).unwrap();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        if std::fs::read_link(entry.path().join("cwd")).ok().as_deref() != Some(dir.as_path()) {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // pid (comm) state ppid pgrp ...: comm may hold spaces, so read after the last ')'.
        let fields: Vec<&str> =
            stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
        if fields.get(2).and_then(|g| g.parse::<u32>().ok()) == Some(pid) {
            return pid;
        }
    }
    panic!("no Terraform process found running in {}", dir.display());
}

// ---------------------------------------------------------------------------------------------
// Bounded resources
// ---------------------------------------------------------------------------------------------

/// A data source that reads the list of integrations at plan, and fails when it cannot.
const LIST: &str = "data \"posit_connect_oauth_integrations\" \"all\" {}\n";

/// A plan that reads `data` (data sources read at plan) with these provider settings.
fn plan_reading(tf: &Terraform, fake: &fake_connect::FakeConnect, settings: &str, data: &str) -> (TfRun, Duration) {
    let ws = Workspace::with_connect_env(tf, &fake.url(), ADMIN_KEY);
    ws.write_main(&main_tf(&ProviderConfig::Env, &format!("provider \"posit\" {{\n{settings}}}\n\n{data}")));
    let started = Instant::now();
    let run = ws.try_plan();
    let took = started.elapsed();
    if run.success() {
        run.fail("the plan should fail");
    }
    if run.output().contains("panicked") || run.output().contains("Plugin did not respond") {
        run.fail("the provider crashed");
    }
    (run, took)
}

/// How many requests were made to `path`.
fn attempts_at(store: &fake_connect::Store, path: &str) -> usize {
    store.requests().iter().filter(|r| r.path == path).count()
}

/// Every request stalls for ten minutes: the read ends at the operation timeout (3 s, the real
/// one: only retry waits are scaled in these tests), not after six 1 s attempts.
#[test]
fn a_stalled_server_fails_at_the_operation_timeout() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        fake.faults().set(vec![Fault::delay(1, Duration::from_secs(600))]);
        let settings = "  connect_operation_timeout = 3\n  connect_request_timeout   = 1\n";
        let (run, took) = plan_reading(tf, &fake, settings, LIST);
        run.assert_said(&[
            "did not answer GET",
            "attempts over 3.",
            "the operation timeout (3s) was reached",
            "connect_operation_timeout",
        ]);
        assert!(took < Duration::from_secs(30), "the plan took {took:?}");
        // Configure's two requests go together, each with its own attempts.
        let attempts = attempts_at(&fake.store(), "/__api__/server_settings");
        assert!((3..=4).contains(&attempts), "{attempts} attempts:\n{}", request_log(&fake.store()));
    });
}

/// Connect asks to come back in an hour: the read fails at once rather than waiting (up to the
/// 60 s honoured) six times.
#[test]
fn a_retry_after_beyond_the_operation_timeout_fails_at_once() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        fake.faults().set(vec![Fault::refuse(1, 503, Some("3600"))]);
        let (run, took) = plan_reading(tf, &fake, "", LIST);
        run.assert_said(&[
            "503 Service Unavailable",
            "gave up after 1 attempt over",
            "Connect asked to wait 3600s before trying again, beyond the operation timeout (300s)",
            "connect_operation_timeout",
        ]);
        assert!(took < Duration::from_secs(30), "the plan took {took:?}");
        // Configure sends its two requests together: one attempt each.
        for path in ["/__api__/server_settings", "/__api__/v1/user"] {
            assert!(attempts_at(&fake.store(), path) <= 1, "no retry of {path}:\n{}", request_log(&fake.store()));
        }
        assert!(!fake.store().requests().is_empty());
    });
}

/// A 70 MiB answer to the list: refused once 64 MiB are read, said plainly, and not retried.
#[test]
fn an_oversized_answer_is_refused() {
    for_each_terraform(|tf| {
        let fake = start_fake();
        fake.faults().set(vec![Fault::oversized(1, 70 << 20).only("GET").on_path("/__api__/v1/oauth/integrations")]);
        let (run, _) = plan_reading(tf, &fake, "", LIST);
        run.assert_said(&[&format!(
            "the answer (200 OK) to GET {}/__api__/v1/oauth/integrations was larger than 64 MiB and was not read",
            fake.url()
        )]);
        let lists = fake.store().requests().iter().filter(|r| r.path == "/__api__/v1/oauth/integrations").count();
        assert_eq!(lists, 1, "not retried:\n{}", request_log(&fake.store()));
    });
}
