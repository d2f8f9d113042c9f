//! The client under faults, against a scripted server: retries and their limits, creates that
//! are never duplicated, cancellation, TLS trust, answers that are not the API's, and bounded
//! resources (the operation timeout, the body size cap).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use super::client_tests::fast_retries;
use super::test_server::{Reply, Seen, TestServer};
use super::*;

const KEY: &str = "reliability-k3y-0042";
const SECRET: &str = "reliability-secret-7781";

fn client(url: &str, retries: u32) -> Client {
    client_with(url, |cfg| cfg.retry = fast_retries(retries))
}

fn client_with(url: &str, adjust: impl FnOnce(&mut ClientConfig)) -> Client {
    let mut cfg = ClientConfig::new(url, Secret::new(KEY), "reliability-tests");
    cfg.timeout = Duration::from_secs(5);
    cfg.retry = fast_retries(3);
    adjust(&mut cfg);
    Client::new(cfg).unwrap()
}

fn request() -> NewIntegration {
    NewIntegration {
        permissions: None,
        template: "msgraph".into(),
        name: "graph".into(),
        description: "d".into(),
        config: Config::new()
            .with_value("tenant_id", "t")
            .with_value("scopes", "b a")
            .with_secret("client_secret", SECRET),
    }
}

/// An integration as the server lists it; `created` is its `created_time`.
fn listed(guid: &str, name: &str, created: &str) -> serde_json::Value {
    json!({"id": "1", "guid": guid, "name": name, "description": "d", "template": "msgraph",
           "config": {"tenant_id": "t", "scopes": "a b", "auth_mode": "Confidential"},
           "created_time": created, "updated_time": created})
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap()
}

fn count(seen: &[Seen], method: &str) -> usize {
    seen.iter().filter(|r| r.method == method).count()
}

fn api_error(status: u16) -> Reply {
    Reply::json(status, json!({"code": 9, "error": "busy", "payload": null}))
}

// ---------------------------------------------------------------------------------------------
// Reads, updates, deletes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn reads_retry_429_502_503_504_then_succeed() {
    let server = TestServer::sequence(vec![
        api_error(429).with_header("retry-after", "0"),
        Reply::raw(502, "text/html", "<html>bad gateway</html>"),
        api_error(503),
        Reply::empty(504),
        Reply::json(200, json!([])),
    ])
    .await;
    let list = client(server.url(), 5).list_integrations().await.unwrap();
    assert!(list.is_empty());
    assert_eq!(server.seen().len(), 5);
}

#[tokio::test]
async fn updates_and_deletes_retry_too() {
    let server = TestServer::spawn({
        let n = AtomicUsize::new(0);
        move |req| match (n.fetch_add(1, Ordering::SeqCst), req.method.as_str()) {
            (0 | 2, _) => Reply::Close,
            (_, "PATCH") => Reply::json(200, listed("g", "graph", "2025-01-01T00:00:00Z")),
            _ => Reply::json(404, serde_json::json!({"code": 4, "error": "The requested object does not exist."})),
        }
    })
    .await;
    let c = client(server.url(), 3);
    c.update_integration("g", &IntegrationUpdate { name: Some("graph".into()), ..Default::default() }).await.unwrap();
    // The first DELETE's answer is lost; the retry finds it gone: the goal is reached.
    assert_eq!(c.delete_integration("g").await.unwrap(), Deleted::AlreadyGone);
    assert_eq!(count(&server.seen(), "PATCH"), 2);
    assert_eq!(count(&server.seen(), "DELETE"), 2);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server =
        TestServer::sequence(vec![api_error(429).with_header("retry-after", "1"), Reply::json(200, json!([]))]).await;
    let c = client_with(server.url(), |cfg| {
        cfg.retry = RetryPolicy {
            base_delay: Duration::from_millis(1),
            max_retry_after: Duration::from_secs(5),
            delay_scale: 0.2,
            ..RetryPolicy::default()
        }
    });
    let started = Instant::now();
    c.list_integrations().await.unwrap();
    let waited = started.elapsed();
    // 1 s scaled by 0.2, plus at most 0.2 ms of jitter.
    assert!(waited >= Duration::from_millis(200) && waited < Duration::from_millis(900), "{waited:?}");
}

#[tokio::test]
async fn gives_up_after_max_retries_with_the_last_answer() {
    let server = TestServer::always(api_error(503)).await;
    let e = client(server.url(), 2).list_integrations().await.unwrap_err();
    assert!(matches!(e.last_attempt(), Error::Api { status: 503, .. }), "{e:?}");
    assert!(matches!(&e, Error::GaveUp { attempts: 3, why: GiveUp::NoRetriesLeft, maybe_done: false, .. }), "{e:?}");
    assert_eq!(e.status(), Some(503));
    let text = e.to_string();
    assert!(text.starts_with("Connect answered 503 Service Unavailable to GET "), "{text}");
    assert!(text.contains(": busy (code 9); gave up after 3 attempts over 0.") && text.ends_with("s: no retries left"));
    assert_eq!(server.seen().len(), 3);

    let server = TestServer::always(api_error(503)).await;
    client(server.url(), 0).list_integrations().await.unwrap_err();
    assert_eq!(server.seen().len(), 1, "max_retries 0 turns retries off");
}

#[tokio::test]
async fn other_answers_are_not_retried() {
    for status in [400, 401, 403, 404, 409, 500] {
        let server = TestServer::always(api_error(status)).await;
        let _ = client(server.url(), 3).get_integration_after_list("g").await;
        assert_eq!(server.seen().len(), 1, "{status}");
    }
}

// ---------------------------------------------------------------------------------------------
// Creates
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn create_is_retried_after_429_and_503() {
    let server = TestServer::sequence(vec![
        api_error(429).with_header("retry-after", "0"),
        api_error(503),
        Reply::json(200, listed("g1", "graph", &now_rfc3339())),
    ])
    .await;
    let made = client(server.url(), 3).create_integration(&request()).await.unwrap();
    assert_eq!(made.guid, "g1");
    assert_eq!(count(&server.seen(), "POST"), 3);
}

#[tokio::test]
async fn create_is_not_retried_after_other_errors() {
    for reply in [api_error(500), api_error(400), Reply::raw(500, "text/plain", "oops")] {
        let server = TestServer::always(reply).await;
        client(server.url(), 3).create_integration(&request()).await.unwrap_err();
        assert_eq!(server.seen().len(), 1);
    }
}

/// A server that makes the integration on the first POST and drops the connection instead of
/// answering; lists what it made; answers later POSTs normally.
async fn lossy_server(first_post: Reply, makes_it: bool, also_listed: Vec<serde_json::Value>) -> TestServer {
    let made = AtomicBool::new(false);
    let posts = AtomicUsize::new(0);
    TestServer::spawn(move |req| match req.method.as_str() {
        "POST" if posts.fetch_add(1, Ordering::SeqCst) == 0 => {
            made.store(makes_it, Ordering::SeqCst);
            first_post.clone()
        }
        "POST" => Reply::json(200, listed("second", "graph", &now_rfc3339())),
        _ => {
            let mut all = also_listed.clone();
            if made.load(Ordering::SeqCst) {
                all.push(listed("first", "graph", &now_rfc3339()));
            }
            Reply::json(200, json!(all)).with_header("date", &httpdate::fmt_http_date(std::time::SystemTime::now()))
        }
    })
    .await
}

#[tokio::test]
async fn create_whose_answer_is_lost_adopts_what_it_made() {
    for lost in [Reply::Close, Reply::empty(504), Reply::Truncated { claimed: 500, body: b"{\"guid\"".to_vec() }] {
        let server = lossy_server(lost.clone(), true, vec![]).await;
        let made = client(server.url(), 3).create_integration(&request()).await.unwrap();
        assert_eq!(made.guid, "first", "{lost:?}");
        assert_eq!(count(&server.seen(), "POST"), 1, "{lost:?}");
    }
}

#[tokio::test]
async fn create_whose_answer_times_out_looks_before_trying_again() {
    let server = lossy_server(Reply::Silence, true, vec![]).await;
    let c = client_with(server.url(), |cfg| cfg.timeout = Duration::from_millis(300));
    let made = c.create_integration(&request()).await.unwrap();
    assert_eq!(made.guid, "first");
    assert_eq!(count(&server.seen(), "POST"), 1);
}

#[tokio::test]
async fn create_that_made_nothing_is_tried_once_more() {
    let server = lossy_server(Reply::Close, false, vec![]).await;
    let made = client(server.url(), 3).create_integration(&request()).await.unwrap();
    assert_eq!(made.guid, "second");
    assert_eq!(count(&server.seen(), "POST"), 2);
}

#[tokio::test]
async fn an_older_namesake_or_another_integration_is_never_adopted() {
    let others = vec![
        listed("old", "graph", "2020-01-01T00:00:00Z"),
        listed("other-name", "graph 2", &now_rfc3339()),
        json!({"guid": "other-template", "name": "graph", "description": "d", "template": "azure",
               "config": {}, "created_time": now_rfc3339()}),
        json!({"guid": "other-tenant", "name": "graph", "description": "d", "template": "msgraph",
               "config": {"tenant_id": "x"}, "created_time": now_rfc3339()}),
    ];
    let server = lossy_server(Reply::Close, false, others).await;
    let made = client(server.url(), 3).create_integration(&request()).await.unwrap();
    assert_eq!(made.guid, "second");
    assert_eq!(count(&server.seen(), "POST"), 2);
}

#[tokio::test]
async fn two_candidates_are_an_error_not_a_guess() {
    let twin = listed("twin", "graph", &now_rfc3339());
    let server = lossy_server(Reply::Close, true, vec![twin]).await;
    let e = client(server.url(), 3).create_integration(&request()).await.unwrap_err();
    assert!(matches!(&e, Error::AmbiguousCreate { guids, .. } if guids.len() == 2), "{e:?}");
    let text = e.to_string();
    assert!(text.contains("twin") && text.contains("first") && text.contains("\"graph\""), "{text}");
    assert_eq!(count(&server.seen(), "POST"), 1);
}

#[tokio::test]
async fn create_does_not_post_again_when_it_cannot_look() {
    let server = TestServer::spawn(|req| match req.method.as_str() {
        "POST" => Reply::Close,
        _ => api_error(401),
    })
    .await;
    let e = client(server.url(), 3).create_integration(&request()).await.unwrap_err();
    assert!(matches!(&e, Error::Dropped { .. }), "{e:?}");
    assert!(e.to_string().starts_with("Connect closed the connection without answering POST"), "{e}");
    assert_eq!(count(&server.seen(), "POST"), 1);
}

// ---------------------------------------------------------------------------------------------
// Cancellation
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn cancel_ends_requests_and_waits_at_once() {
    // A request in flight.
    let server = TestServer::always(Reply::Silence).await;
    let c = client_with(server.url(), |cfg| cfg.timeout = Duration::from_secs(30));
    let task = tokio::spawn({
        let c = c.clone();
        async move { c.list_integrations().await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    c.cancel();
    let e = task.await.unwrap().unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(matches!(&e, Error::Cancelled { .. }), "{e:?}");
    assert!(e.to_string().starts_with("stopped before Connect answered GET"), "{e}");

    // A wait between attempts.
    let server = TestServer::always(api_error(503).with_header("retry-after", "30")).await;
    let token = CancellationToken::new();
    let c = client_with(server.url(), |cfg| {
        cfg.retry = RetryPolicy::default();
        cfg.cancel = token.clone();
    });
    let task = tokio::spawn(async move { c.delete_integration("g").await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    token.cancel();
    assert!(matches!(task.await.unwrap(), Err(Error::Cancelled { .. })));
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(server.seen().len(), 1);

    // After a stop, nothing more is sent.
    let server = TestServer::always(Reply::json(200, json!([]))).await;
    let c = client(server.url(), 3);
    c.cancel();
    assert!(matches!(c.list_integrations().await, Err(Error::Cancelled { .. })));
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn a_create_already_sent_may_still_answer_after_cancel() {
    let reply = Reply::json(200, listed("g", "graph", &now_rfc3339()));
    let server = TestServer::always(Reply::Delayed(Duration::from_millis(300), Box::new(reply))).await;
    let c = client(server.url(), 3);
    let task = tokio::spawn({
        let c = c.clone();
        async move { c.create_integration(&request()).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    c.cancel();
    assert_eq!(task.await.unwrap().unwrap().guid, "g", "its answer is the only record of what it made");

    // One that does not answer within the grace is reported as maybe done.
    let server = TestServer::always(Reply::Silence).await;
    let c = client_with(server.url(), |cfg| cfg.timeout = Duration::from_secs(30));
    let task = tokio::spawn({
        let c = c.clone();
        async move { c.create_integration(&request()).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    c.cancel();
    let e = task.await.unwrap().unwrap_err();
    assert!(e.to_string().contains("Connect may have carried it out"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// TLS
// ---------------------------------------------------------------------------------------------

/// A test CA's certificate (PEM) and a TLS acceptor whose certificate (for 127.0.0.1 and
/// localhost) it signed.
fn test_pki() -> (String, tokio_rustls::TlsAcceptor) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair};
    use tokio_rustls::rustls;

    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "posit provider test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);

    let key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    leaf.extended_key_usages.push(ExtendedKeyUsagePurpose::ServerAuth);
    let cert = leaf.signed_by(&key, &issuer).unwrap();

    let der_key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], der_key)
        .unwrap();
    (ca_cert.pem(), tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

#[tokio::test]
async fn tls_trusts_a_private_ca_only_when_told() {
    let (ca_pem, acceptor) = test_pki();
    let server = TestServer::spawn_with(Some(acceptor), |_| Reply::json(200, json!([]))).await;

    // Unknown CA: refused at once, no retries, and the error says why.
    let started = Instant::now();
    let e = client(server.url(), 3).list_integrations().await.unwrap_err();
    match &e {
        Error::Unreachable { reason, .. } => {
            assert!(reason.contains("invalid peer certificate: UnknownIssuer"), "{reason}");
            assert!(reason.contains("certificate is not trusted"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(2));

    let trusting = client_with(server.url(), |cfg| cfg.tls.ca_certificates_pem = Some(ca_pem.clone()));
    assert!(trusting.list_integrations().await.unwrap().is_empty());

    let insecure = client_with(server.url(), |cfg| cfg.tls.insecure = true);
    assert!(insecure.list_integrations().await.unwrap().is_empty());
    assert_eq!(server.seen().len(), 2);
}

/// A self-signed certificate for `names` as `openssl req -x509` makes it (`CA:TRUE`): its PEM,
/// and a TLS acceptor serving it.
fn self_signed(names: &[&str]) -> (String, tokio_rustls::TlsAcceptor) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    use tokio_rustls::rustls;
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).unwrap();
    let der_key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], der_key)
        .unwrap();
    (cert.pem(), tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

#[tokio::test]
async fn tls_accepts_a_self_signed_certificate_given_as_the_ca_for_its_names_only() {
    let (pem, acceptor) = self_signed(&["127.0.0.1"]);
    let server = TestServer::spawn_with(Some(acceptor), |_| Reply::json(200, json!([]))).await;
    let pinned = client_with(server.url(), |cfg| cfg.tls.ca_certificates_pem = Some(pem.clone()));
    assert!(pinned.list_integrations().await.unwrap().is_empty());

    // By a name the certificate does not list: refused at once, saying which names it lists.
    let port = server.url().rsplit(':').next().unwrap().to_owned();
    let url = format!("https://localhost:{port}");
    let started = Instant::now();
    let e = client_with(&url, |cfg| cfg.tls.ca_certificates_pem = Some(pem.clone())).list_integrations().await;
    let e = e.unwrap_err();
    assert!(
        matches!(&e, Error::CertificateNotValidForHost { host, names, .. } if host == "localhost" && names == &["127.0.0.1"]),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "could not reach Connect at {url}/__api__/v1/oauth/integrations: its TLS certificate is not valid for \
             host localhost (it names: 127.0.0.1)"
        )
    );
    assert!(started.elapsed() < Duration::from_secs(2));

    // Another self-signed certificate is not trusted for being self-signed.
    let (other_pem, _) = self_signed(&["127.0.0.1"]);
    let e = client_with(server.url(), |cfg| cfg.tls.ca_certificates_pem = Some(other_pem)).list_integrations().await;
    assert!(matches!(&e, Err(Error::Unreachable { reason, .. }) if reason.contains("CaUsedAsEndEntity")), "{e:?}");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn tls_offers_http2() {
    let (ca_pem, acceptor) = test_pki();
    let mut config = (**acceptor.config()).clone();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let tls = acceptor.accept(tcp).await.unwrap();
        tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec)
    });
    let client = client_with(&url, |cfg| {
        cfg.tls.ca_certificates_pem = Some(ca_pem);
        cfg.retry = fast_retries(0);
    });
    let _ = client.list_integrations().await;
    assert_eq!(server.await.unwrap().as_deref(), Some(&b"h2"[..]));
}

#[test]
fn bad_ca_certificates_are_refused() {
    for (pem, expected) in [
        ("not a certificate", "holds no PEM certificate"),
        ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "holds no PEM certificate"),
        (
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            "invalid CA certificate: certificate 1 of 1: ",
        ),
    ] {
        let tls = TlsOptions { ca_certificates_pem: Some(pem.into()), insecure: false };
        let mut cfg = ClientConfig::new("https://host", Secret::new("k"), "ua");
        cfg.tls = tls.clone();
        let e = Client::new(cfg).unwrap_err();
        assert!(matches!(e, Error::InvalidCaCertificate { .. }), "{pem}: {e:?}");
        assert!(e.to_string().contains(expected), "{pem}: {e}");
        assert!(tls.check().is_err(), "{pem}");
    }
    let (ca_pem, _) = test_pki();
    assert!(TlsOptions { ca_certificates_pem: Some(ca_pem), insecure: false }.check().is_ok());
}

// ---------------------------------------------------------------------------------------------
// Answers that are not the API's
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn bad_answers_name_url_status_and_an_excerpt() {
    let login = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>SSO</body></html>";
    let table: Vec<(&str, Reply, &str)> = vec![
        (
            "a proxy's HTML error page",
            Reply::raw(502, "text/html", "<html><body><h1>502 Bad Gateway</h1>nginx</body></html>"),
            "unexpected answer 502 Bad Gateway to GET {url} (not Connect's JSON error body): \
             <html><body><h1>502 Bad Gateway</h1>nginx</body></html>",
        ),
        (
            "an SSO login page with 200",
            Reply::raw(200, "text/html", login),
            "unexpected answer 200 OK to GET {url} (not JSON): <!DOCTYPE html> <html><head><title>Sign in</title>",
        ),
        (
            "a truncated body",
            Reply::raw(200, "application/json", r#"[{"guid":"g","name":"#),
            "unexpected answer 200 OK to GET {url} (truncated JSON): [{\"guid\":\"g\",\"name\":",
        ),
        (
            "a body cut by the connection",
            Reply::Truncated { claimed: 400, body: br#"[{"guid":"#.to_vec() },
            "connection to Connect broke while reading its answer (200 OK) to GET {url}",
        ),
        (
            "200 with an object instead of a list",
            Reply::json(200, json!({"items": []})),
            "unexpected answer 200 OK to GET {url} (JSON of an unexpected shape: invalid type: map, expected a sequence",
        ),
        (
            "200 with items of the wrong shape",
            Reply::json(200, json!([{"guid": 5}])),
            "unexpected answer 200 OK to GET {url} (JSON of an unexpected shape: invalid type: integer `5`",
        ),
        (
            "an empty 200",
            Reply::empty(200),
            "unexpected answer 200 OK to GET {url} (expected JSON, got an empty body): (empty body)",
        ),
        (
            "a plain-text 500",
            Reply::raw(500, "text/plain", "Internal Server Error\n"),
            "unexpected answer 500 Internal Server Error to GET {url} (not Connect's JSON error body): \
             Internal Server Error",
        ),
        (
            "Connect's own error",
            Reply::json(400, json!({"code": 3, "error": "The request is bad.", "payload": null})),
            "Connect answered 400 Bad Request to GET {url}: The request is bad. (code 3)",
        ),
        (
            "a redirect to a login page",
            Reply::empty(302).with_header("location", "https://sso.example.org/login"),
            "Connect answered 302 Found to GET {url}, redirecting to https://sso.example.org/login",
        ),
    ];
    for (what, reply, expected) in table {
        let server = TestServer::always(reply).await;
        let url = format!("{}/__api__/v1/oauth/integrations", server.url());
        let e = client(server.url(), 1).list_integrations().await.unwrap_err();
        let expected = expected.replace("{url}", &url);
        assert!(e.to_string().starts_with(&expected), "{what}:\n  got:      {e}\n  expected: {expected}");
        assert!(e.status().is_some(), "{what}: {e:?}");
    }
}

#[tokio::test]
async fn a_create_answered_with_a_broken_body_still_finds_what_it_made() {
    // 200 but a body that is not the object: the integration was made all the same.
    let made = AtomicBool::new(false);
    let server = TestServer::spawn(move |req| match req.method.as_str() {
        "POST" => {
            made.store(true, Ordering::SeqCst);
            Reply::raw(200, "text/html", "<html>ok</html>")
        }
        _ if made.load(Ordering::SeqCst) => Reply::json(200, json!([listed("g", "graph", &now_rfc3339())])),
        _ => Reply::json(200, json!([])),
    })
    .await;
    let got = client(server.url(), 3).create_integration(&request()).await.unwrap();
    assert_eq!(got.guid, "g");
    assert_eq!(count(&server.seen(), "POST"), 1);

    // When it cannot be found, the body's problem is the error.
    let server = TestServer::always(Reply::raw(200, "text/html", "<html>ok</html>")).await;
    let e = client(server.url(), 3).create_integration(&request()).await.unwrap_err();
    assert!(e.to_string().contains("(not JSON): <html>ok</html>"), "{e}");
    assert_eq!(count(&server.seen(), "POST"), 1);
}

// ---------------------------------------------------------------------------------------------
// Bounded resources: the operation timeout, the body size cap
// ---------------------------------------------------------------------------------------------

/// A client whose every call must end within `operation` and each attempt within `request`.
fn client_by(url: &str, request: Duration, operation: Duration) -> Client {
    client_with(url, |cfg| {
        cfg.retry = fast_retries(5);
        cfg.timeout = request;
        cfg.operation_timeout = operation;
    })
}

#[tokio::test]
async fn the_operation_timeout_cuts_a_stalled_server_short() {
    let stalled = Reply::Delayed(Duration::from_secs(600), Box::new(Reply::json(200, json!([]))));
    let server = TestServer::always(stalled).await;
    let started = Instant::now();
    // Six attempts of 400 ms would take 2.4 s; the operation may take 1 s.
    let e = client_by(server.url(), Duration::from_millis(400), Duration::from_secs(1))
        .list_integrations()
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(900) && took < Duration::from_secs(2), "{took:?}");
    let Error::GaveUp { attempts, why, maybe_done: false, last, .. } = &e else { panic!("{e:?}") };
    assert_eq!(*why, GiveUp::Deadline { limit: Duration::from_secs(1) });
    assert!((3..=4).contains(attempts), "{e}");
    // The last attempt had only what was left.
    assert!(matches!(**last, Error::Timeout { after, .. } if after < Duration::from_millis(400)), "{e:?}");
    let text = e.to_string();
    assert!(
        text.contains(&format!("; gave up after {attempts} attempts over 1."))
            && text.ends_with("s: the operation timeout (1s) was reached"),
        "{text}"
    );
    assert_eq!(server.seen().len(), *attempts as usize);
}

#[tokio::test]
async fn a_wait_past_the_deadline_is_not_begun() {
    // The server asks for an hour: with the default retry policy and operation timeout, the
    // call fails at once instead of waiting (the 60 s cap) six times.
    let server = TestServer::always(api_error(503).with_header("retry-after", "3600")).await;
    let c = client_with(server.url(), |cfg| cfg.retry = RetryPolicy::default());
    let started = Instant::now();
    let e = c.delete_integration("g").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(server.seen().len(), 1);
    let wait = GiveUp::AskedToWait { wait: Duration::from_secs(3600), limit: Duration::from_secs(300) };
    assert!(matches!(&e, Error::GaveUp { attempts: 1, why, .. } if *why == wait), "{e:?}");
    assert!(
        e.to_string().ends_with(
            "; gave up after 1 attempt over 0.0s: Connect asked to wait 3600s before trying again, beyond the \
             operation timeout (300s)"
        ),
        "{e}"
    );

    // A backoff that would end past the deadline, likewise.
    let server = TestServer::always(Reply::Close).await;
    let c = client_with(server.url(), |cfg| {
        cfg.retry = RetryPolicy { base_delay: Duration::from_secs(4), ..RetryPolicy::default() };
        cfg.operation_timeout = Duration::from_secs(2);
    });
    let started = Instant::now();
    let e = c.list_integrations().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    assert!(matches!(&e, Error::GaveUp { why: GiveUp::WaitPastDeadline { .. }, .. }), "{e:?}");
    assert!(e.to_string().contains("would start past the operation timeout (2s)"), "{e}");
}

#[tokio::test]
async fn a_create_at_the_deadline_with_an_unknown_outcome_says_so() {
    // The POST is never answered; the look-up for what it may have made stalls too.
    let server = TestServer::spawn(|req| match req.method.as_str() {
        "POST" => Reply::Silence,
        _ => Reply::Delayed(Duration::from_secs(600), Box::new(Reply::json(200, json!([])))),
    })
    .await;
    let started = Instant::now();
    let e = client_by(server.url(), Duration::from_millis(300), Duration::from_secs(1))
        .create_integration(&request())
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert!(matches!(&e, Error::GaveUp { attempts: 1, maybe_done: true, why: GiveUp::Deadline { .. }, .. }), "{e:?}");
    assert!(matches!(e.last_attempt(), Error::Timeout { method, .. } if *method == reqwest::Method::POST), "{e:?}");
    let text = e.to_string();
    assert!(text.contains("the operation timeout (1s) was reached"), "{text}");
    assert!(text.ends_with("; the request had been sent, so Connect may have carried it out"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    assert_eq!(count(&server.seen(), "POST"), 1, "never posted again without knowing");

    // The POST itself used up the time: no look-up is begun, and the outcome is still unknown.
    let server = TestServer::spawn(|req| match req.method.as_str() {
        "POST" => Reply::Silence,
        _ => Reply::json(200, json!([])),
    })
    .await;
    let e = client_by(server.url(), Duration::from_secs(5), Duration::from_secs(2))
        .create_integration(&request())
        .await
        .unwrap_err();
    assert!(matches!(&e, Error::GaveUp { attempts: 1, maybe_done: true, .. }), "{e:?}");
    assert!(e.to_string().contains("the operation timeout (2s) was reached"), "{e}");
    assert_eq!(count(&server.seen(), "GET"), 0);
}

#[tokio::test]
async fn a_create_out_of_retries_after_an_uncertain_attempt_says_so() {
    // A gateway error (the create may have gone through), then refusals.
    let server = TestServer::spawn({
        let posts = AtomicUsize::new(0);
        move |req| match (req.method.as_str(), posts.load(Ordering::SeqCst)) {
            ("POST", n) => {
                posts.fetch_add(1, Ordering::SeqCst);
                if n == 0 {
                    Reply::empty(504)
                } else {
                    api_error(503)
                }
            }
            _ => Reply::json(200, json!([])),
        }
    })
    .await;
    let e = client(server.url(), 2).create_integration(&request()).await.unwrap_err();
    assert!(matches!(&e, Error::GaveUp { attempts: 3, maybe_done: true, why: GiveUp::NoRetriesLeft, .. }), "{e:?}");
    assert_eq!(count(&server.seen(), "POST"), 3);
}

/// A client that reads at most 1000 bytes of an answer.
fn capped(url: &str) -> Client {
    client_with(url, |cfg| cfg.max_body = 1000)
}

#[tokio::test]
async fn an_answer_above_the_cap_is_refused_unread() {
    assert_eq!(ClientConfig::new("https://h", Secret::new("k"), "ua").max_body, 64 << 20);

    // Announced by its length: refused before reading (this body would break off, else).
    let server = TestServer::always(Reply::Truncated { claimed: 5000, body: b"[".to_vec() }).await;
    let url = format!("{}/__api__/v1/oauth/integrations", server.url());
    let e = capped(server.url()).list_integrations().await.unwrap_err();
    assert_eq!(e.to_string(), format!("the answer (200 OK) to GET {url} was larger than 1000 bytes and was not read"));
    assert_eq!(server.seen().len(), 1, "not retried");

    // Without a length: refused once the read passes the cap.
    let big = format!("[{}]", " ".repeat(5000)).into_bytes();
    let server = TestServer::always(Reply::Chunked(200, big)).await;
    let e = capped(server.url()).list_integrations().await.unwrap_err();
    assert!(matches!(&e, Error::TooLarge { status: 200, limit: 1000, .. }), "{e:?}");
    assert_eq!(server.seen().len(), 1, "not retried");

    // Nor is a refusal retried when its body is too large.
    let server = TestServer::always(Reply::Chunked(503, vec![b' '; 5000])).await;
    let e = capped(server.url()).list_integrations().await.unwrap_err();
    assert!(matches!(&e, Error::TooLarge { status: 503, .. }), "{e:?}");
    assert_eq!(server.seen().len(), 1);

    // Up to the cap is fine.
    let at_cap = format!("[{}]", " ".repeat(998)).into_bytes();
    let server = TestServer::always(Reply::Chunked(200, at_cap)).await;
    assert!(capped(server.url()).list_integrations().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_create_answered_too_large_looks_for_what_it_made() {
    let made = AtomicBool::new(false);
    let server = TestServer::spawn(move |req| match req.method.as_str() {
        "POST" => {
            made.store(true, Ordering::SeqCst);
            Reply::Chunked(200, vec![b' '; 5000])
        }
        _ if made.load(Ordering::SeqCst) => Reply::json(200, json!([listed("g", "graph", &now_rfc3339())])),
        _ => Reply::json(200, json!([])),
    })
    .await;
    assert_eq!(capped(server.url()).create_integration(&request()).await.unwrap().guid, "g");
    assert_eq!(count(&server.seen(), "POST"), 1);

    // Not found: the size is the error, and the POST is not sent again.
    let server = TestServer::spawn(|req| match req.method.as_str() {
        "POST" => Reply::Chunked(200, vec![b' '; 5000]),
        _ => Reply::json(200, json!([])),
    })
    .await;
    let e = capped(server.url()).create_integration(&request()).await.unwrap_err();
    assert!(matches!(&e, Error::TooLarge { .. }), "{e:?}");
    assert_eq!(count(&server.seen(), "POST"), 1);
}
