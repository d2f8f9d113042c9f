//! The client against a scripted server: headers, paths, bodies and every error mapping.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use super::test_server::{Reply, TestServer};
use super::*;

const KEY: &str = "k3y-abcdef";

fn client_for(url: &str) -> Client {
    client_with_timeout(url, Duration::from_secs(5))
}

fn client_with_timeout(url: &str, timeout: Duration) -> Client {
    let mut cfg = ClientConfig::new(url, Secret::new(KEY), "test-agent/1.0");
    cfg.timeout = timeout;
    cfg.retry = fast_retries(2);
    Client::new(cfg).unwrap()
}

/// Retries with waits of a few milliseconds, so tests of failures stay fast.
pub(super) fn fast_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(4),
        max_retry_after: Duration::from_millis(50),
        delay_scale: 1.0,
    }
}

fn integration_json(guid: &str) -> serde_json::Value {
    json!({"id": "7", "guid": guid, "name": "n", "description": "d", "template": "azure",
           "auth_type": "Viewer", "config": {"auth_type": "Viewer", "client_id": "c"},
           "created_time": "2025-08-06T23:06:42Z", "updated_time": "2025-08-06T23:06:42Z",
           "permissions": [], "content_count": 0})
}

fn new_integration() -> NewIntegration {
    NewIntegration {
        permissions: None,
        template: "azure".into(),
        name: "n".into(),
        description: "d".into(),
        config: Config::new().with_value("client_id", "c").with_secret("client_secret", "sh-secret"),
    }
}

/// A port nobody listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test]
async fn sends_auth_accept_and_user_agent_headers() {
    let server = TestServer::always(Reply::json(200, json!([]))).await;
    let list = client_for(server.url()).list_integrations().await.unwrap();
    assert!(list.is_empty());
    let seen = &server.seen()[0];
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.target, "/__api__/v1/oauth/integrations");
    assert_eq!(seen.header("authorization"), Some("Key k3y-abcdef"));
    assert_eq!(seen.header("accept"), Some("application/json"));
    assert_eq!(seen.header("user-agent"), Some("test-agent/1.0"));
}

#[tokio::test]
async fn crud_round_trip_paths_and_bodies() {
    let server = TestServer::spawn(|req| match (req.method.as_str(), req.target.as_str()) {
        ("POST", _) => Reply::json(200, integration_json("g1")),
        ("PATCH", _) => Reply::json(200, integration_json("g1")),
        ("GET", "/p/__api__/v1/oauth/integrations/g1") => Reply::json(200, integration_json("g1")),
        ("GET", "/p/__api__/v1/oauth/integrations") => {
            Reply::json(200, json!([integration_json("g1"), integration_json("g2")]))
        }
        ("DELETE", "/p/__api__/v1/oauth/integrations/g1") => Reply::empty(204),
        _ => Reply::json(404, json!({"code": 4, "error": "The requested object does not exist.", "payload": null})),
    })
    .await;
    // Connect behind a path prefix.
    let client = client_for(&format!("{}/p/", server.url()));

    let created = client.create_integration(&new_integration()).await.unwrap();
    assert_eq!(created.guid, "g1");
    assert_eq!(created.id.as_deref(), Some("7"));

    let got = client.get_integration("g1").await.unwrap().unwrap();
    assert_eq!(got, created);
    assert_eq!(client.get_integration("missing").await.unwrap(), None);

    let upd = IntegrationUpdate {
        name: Some("new".into()),
        config: Some(Config::new().with_secret("client_secret", "rotated")),
        ..Default::default()
    };
    client.update_integration("g1", &upd).await.unwrap();

    let all = client.list_integrations().await.unwrap();
    assert_eq!(all.len(), 2);

    assert_eq!(client.delete_integration("g1").await.unwrap(), Deleted::Yes);
    assert_eq!(client.delete_integration("missing").await.unwrap(), Deleted::AlreadyGone);

    let seen = server.seen();
    let post = &seen[0];
    assert_eq!((post.method.as_str(), post.target.as_str()), ("POST", "/p/__api__/v1/oauth/integrations"));
    assert_eq!(post.header("content-type"), Some("application/json"));
    assert_eq!(
        post.json(),
        json!({"template": "azure", "name": "n", "description": "d",
               "config": {"client_id": "c", "client_secret": "sh-secret"}})
    );
    let patch = seen.iter().find(|r| r.method == "PATCH").unwrap();
    assert_eq!(patch.target, "/p/__api__/v1/oauth/integrations/g1");
    assert_eq!(patch.json(), json!({"name": "new", "config": {"client_secret": "rotated"}}));
}

#[tokio::test]
async fn guids_are_one_path_segment() {
    let server = TestServer::always(Reply::json(
        404,
        json!({"code": 4, "error": "The requested object does not exist.", "payload": null}),
    ))
    .await;
    let client = client_for(server.url());
    assert_eq!(client.get_integration("a/b?c").await.unwrap(), None);
    assert_eq!(server.seen()[0].target, "/__api__/v1/oauth/integrations/a%2Fb%3Fc");
    for bad in ["", ".", ".."] {
        assert!(matches!(client.get_integration(bad).await, Err(Error::InvalidGuid { .. })));
    }
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn server_settings_is_raw_json() {
    let server = TestServer::always(Reply::json(200, json!({"version": "2025.07.0"}))).await;
    let settings = client_for(server.url()).server_settings().await.unwrap();
    assert_eq!(settings["version"], "2025.07.0");
    assert_eq!(server.seen()[0].target, "/__api__/server_settings");
}

#[tokio::test]
async fn maps_401_and_403() {
    let server = TestServer::spawn(|req| {
        let status = if req.method == "GET" { 401 } else { 403 };
        Reply::json(status, json!({"code": 3, "error": "nope from connect", "payload": null}))
    })
    .await;
    let client = client_for(server.url());
    let e = client.list_integrations().await.unwrap_err();
    assert!(
        matches!(&e, Error::Unauthorized { status: 401, message: Some(m), .. } if m == "nope from connect"),
        "{e:?}"
    );
    assert_eq!(e.status(), Some(401));
    let e = client.delete_integration("g").await.unwrap_err();
    assert!(matches!(&e, Error::Forbidden { status: 403, message: Some(m), .. } if m == "nope from connect"), "{e:?}");
    assert!(e.to_string().contains("DELETE"), "{e}");

    // A proxy's HTML 401 still maps by status.
    let server = TestServer::always(Reply::raw(401, "text/html", "<h1>login</h1>")).await;
    let e = client_for(server.url()).list_integrations().await.unwrap_err();
    assert!(matches!(e, Error::Unauthorized { message: None, .. }), "{e:?}");
}

#[tokio::test]
async fn maps_connect_error_body_to_api_error() {
    let server = TestServer::always(Reply::json(
        400,
        json!({"code": 228,
               "error": "The config key max_role must be one of (Viewer, Publisher, Admin)",
               "payload": null}),
    ))
    .await;
    let e = client_for(server.url()).create_integration(&new_integration()).await.unwrap_err();
    assert!(matches!(&e, Error::Api { status: 400, code: Some(228), .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "Connect answered 400 Bad Request to POST {}/__api__/v1/oauth/integrations: \
             The config key max_role must be one of (Viewer, Publisher, Admin) (code 228)",
            server.url()
        )
    );
    // Neither the request body's secret nor the key reach the error.
    let dbg = format!("{e:?} {e}");
    assert!(!dbg.contains("sh-secret") && !dbg.contains(KEY), "{dbg}");
}

#[tokio::test]
async fn html_and_broken_bodies_are_unexpected_responses() {
    let page = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>";
    let server = TestServer::always(Reply::raw(502, "text/html", page)).await;
    let e = client_for(server.url()).list_integrations().await.unwrap_err();
    match e.last_attempt() {
        Error::UnexpectedResponse { status, excerpt, .. } => {
            assert_eq!(*status, 502);
            assert_eq!(excerpt, "<html> <head><title>502 Bad Gateway</title></head> <body>nginx</body></html>");
        }
        other => panic!("{other:?}"),
    }

    // A 200 that is not JSON, JSON of the wrong shape, an empty 200, a cut body.
    for (reply, problem) in [
        (Reply::raw(200, "text/html", "<html>hi</html>"), "not JSON"),
        (Reply::json(200, json!({"guid": 5})), "unexpected shape"),
        (Reply::empty(200), "empty body"),
        (Reply::raw(200, "application/json", r#"[{"guid":"g","na"#), "truncated"),
    ] {
        let server = TestServer::always(reply).await;
        let e = client_for(server.url()).list_integrations().await.unwrap_err();
        assert!(
            matches!(&e, Error::UnexpectedResponse { status: 200, problem: p, .. } if p.contains(problem)),
            "{problem}: {e:?}"
        );
    }
}

#[tokio::test]
async fn html_404_is_not_read_as_gone() {
    let server = TestServer::always(Reply::raw(404, "text/html", "<html>Not Found</html>")).await;
    let client = client_for(server.url());
    let e = client.get_integration("g").await.unwrap_err();
    assert!(matches!(e, Error::UnexpectedResponse { status: 404, .. }), "{e:?}");
    let e = client.delete_integration("g").await.unwrap_err();
    assert!(matches!(e, Error::UnexpectedResponse { status: 404, .. }), "{e:?}");
    // Go's plain-text 404 (or an empty one) says nothing clear: "gone" only once the list has
    // answered, so Connect's OAuth API is known to be there.
    let server = TestServer::always(Reply::raw(404, "text/plain", "404 page not found\n")).await;
    let client = client_for(server.url());
    let e = client.get_integration("g").await.unwrap_err();
    assert!(matches!(e, Error::UnexpectedResponse { status: 404, .. }), "{e:?}");
    assert!(client.delete_integration("g").await.is_err());
    let server = TestServer::spawn(|req| match req.target.as_str() {
        "/__api__/v1/oauth/integrations" => Reply::json(200, json!([])),
        _ => Reply::raw(404, "text/plain", "404 page not found\n"),
    })
    .await;
    let client = client_for(server.url());
    assert_eq!(client.get_integration_after_list("g").await.unwrap(), None);
    assert_eq!(client.get_integration("g").await.unwrap(), None, "confirmed by listing");
    assert_eq!(client.delete_integration("g").await.unwrap(), Deleted::AlreadyGone);
}

/// Connect's "endpoint does not exist" (a server without the OAuth API) is never "gone", not
/// even after a list answered; its message and status are in the error.
#[tokio::test]
async fn an_unknown_endpoint_404_is_never_gone() {
    let unknown = json!({"code": 2, "error": "The requested endpoint does not exist.", "payload": null});
    let server = TestServer::spawn(move |req| match req.target.as_str() {
        "/__api__/v1/oauth/integrations" => Reply::json(200, json!([])),
        _ => Reply::json(404, unknown.clone()),
    })
    .await;
    let client = client_for(server.url());
    for e in [
        client.get_integration_after_list("g").await.unwrap_err(),
        client.get_integration("g").await.unwrap_err(),
        client.delete_integration("g").await.unwrap_err(),
        client.content_associations("c").await.unwrap_err(),
    ] {
        assert!(matches!(e, Error::Api { status: 404, code: Some(2), .. }), "{e:?}");
        assert!(e.is_missing_api(), "{e:?}");
        assert!(e.to_string().contains("404 Not Found") && e.to_string().contains("endpoint does not exist"), "{e}");
    }
}

/// Associations: content gone only when Connect says the object does not exist, or when the
/// content itself answers 404; content that is there makes an unclear 404 an error.
#[tokio::test]
async fn content_associations_404s() {
    let server = TestServer::spawn(|req| match req.target.as_str() {
        "/__api__/v1/content/gone/oauth/integrations/associations" => {
            Reply::json(404, json!({"code": 4, "error": "The requested object does not exist.", "payload": null}))
        }
        "/__api__/v1/content/here" => Reply::json(200, json!({"guid": "here"})),
        "/__api__/v1/content/vanished" => Reply::empty(404),
        _ => Reply::empty(404),
    })
    .await;
    let client = client_for(server.url());
    assert_eq!(client.content_associations("gone").await.unwrap(), None);
    assert_eq!(client.content_associations("vanished").await.unwrap(), None);
    let e = client.content_associations("here").await.unwrap_err();
    assert_eq!(e.status(), Some(404), "{e:?}");
}

/// What uses an integration: gone only when Connect says the object does not exist, or when the
/// 404 is unclear and the integration itself cannot be found (Connect's body for a missing
/// integration is not recorded, so both ways are taken); an unclear 404 for an integration that
/// is there, an HTML page, or "endpoint does not exist" is an error, never "nothing uses it".
#[tokio::test]
async fn integration_associations_404s() {
    let object = json!({"code": 4, "error": "The requested object does not exist.", "payload": null});
    let endpoint = json!({"code": 2, "error": "The requested endpoint does not exist.", "payload": null});
    let server = TestServer::spawn(move |req| match req.target.as_str() {
        "/__api__/v1/oauth/integrations/used/associations" => Reply::json(200, json!([{"content_guid": "c1"}])),
        "/__api__/v1/oauth/integrations/gone/associations" => Reply::json(404, object.clone()),
        "/__api__/v1/oauth/integrations/old/associations" => Reply::json(404, endpoint.clone()),
        "/__api__/v1/oauth/integrations/here" => Reply::json(200, integration_json("here")),
        "/__api__/v1/oauth/integrations" => Reply::json(200, json!([integration_json("here")])),
        _ => Reply::empty(404),
    })
    .await;
    let client = client_for(server.url());
    let used = client.integration_associations("used").await.unwrap().expect("there");
    assert_eq!(used.iter().map(|u| u.content()).collect::<Vec<_>>(), [Some("c1")]);
    assert_eq!(client.integration_associations("gone").await.unwrap(), None, "code 4");
    assert_eq!(client.integration_associations("vanished").await.unwrap(), None, "unclear, and not listed");
    let e = client.integration_associations("here").await.unwrap_err();
    assert_eq!(e.status(), Some(404), "unclear for an integration that is there: {e:?}");
    assert!(client.integration_associations("old").await.unwrap_err().is_missing_api());
}

/// The check at configure: the version from `server_settings`, the role from `/v1/user`, and a
/// refused connection reported after one attempt.
#[tokio::test]
async fn check_server_reads_version_and_role() {
    let server = TestServer::spawn(|req| match req.target.as_str() {
        "/__api__/server_settings" => Reply::json(200, json!({"version": "2025.03.1"})),
        "/__api__/v1/user" => Reply::json(200, json!({"username": "a", "user_role": "administrator"})),
        _ => Reply::empty(404),
    })
    .await;
    let info = client_for(server.url()).check_server().await.unwrap();
    assert_eq!(info.version_text.as_deref(), Some("2025.03.1"));
    assert_eq!(info.version.map(|v| v.to_string()).as_deref(), Some("2025.03.1"));
    assert_eq!(info.user_role.as_deref(), Some("administrator"));
    assert_eq!(server.seen().len(), 2);

    let server = TestServer::spawn(|req| match req.target.as_str() {
        "/__api__/server_settings" => Reply::json(200, json!({"version": "2025.03.1"})),
        _ => Reply::json(401, json!({"code": 3, "error": "Invalid API key.", "payload": null})),
    })
    .await;
    let e = client_for(server.url()).check_server().await.unwrap_err();
    assert!(matches!(e, Error::Unauthorized { .. }), "{e:?}");

    // Nothing listens: one attempt, not the retries (and their backoff) a request gets.
    let port = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap().local_addr().unwrap().port();
    let mut cfg = ClientConfig::new(format!("http://127.0.0.1:{port}"), Secret::new("k"), "t");
    cfg.retry = RetryPolicy { max_retries: 5, ..Default::default() };
    let started = std::time::Instant::now();
    let e = Client::new(cfg).unwrap().check_server().await.unwrap_err();
    assert!(matches!(e, Error::Unreachable { .. }), "{e:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "{:?}", started.elapsed());
}

#[tokio::test]
async fn redirects_are_reported_not_followed() {
    let server = TestServer::always(Reply::Full {
        status: 301,
        content_type: None,
        body: vec![],
        headers: vec![("location", "https://user:pw@elsewhere/__api__/x".into())],
    })
    .await;
    let e = client_for(server.url()).create_integration(&new_integration()).await.unwrap_err();
    match &e {
        Error::Redirected { status, location, .. } => {
            assert_eq!(*status, 301);
            assert_eq!(location.as_deref(), Some("https://elsewhere/__api__/x"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn unreachable_names_url_and_cause() {
    let port = closed_port();
    let e = client_for(&format!("http://127.0.0.1:{port}/")).list_integrations().await.unwrap_err();
    assert_eq!(
        e.last_attempt().to_string(),
        format!(
            "could not reach Connect at http://127.0.0.1:{port}/__api__/v1/oauth/integrations: \
             tcp connect error: Connection refused"
        )
    );
    assert!(e.to_string().contains("Connection refused; gave up after 3 attempts over "), "{e}");
    assert_eq!(e.status(), None);
}

#[tokio::test]
async fn untrusted_certificate_is_unreachable_with_tls_reason() {
    use tokio_rustls::rustls;
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let _ = acceptor.accept(tcp).await;
        }
    });
    let e = client_for(&format!("https://localhost:{port}")).list_integrations().await.unwrap_err();
    task.abort();
    match &e {
        Error::Unreachable { url, reason } => {
            assert!(url.starts_with("https://localhost:"), "{url}");
            assert!(reason.contains("invalid peer certificate"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn silence_is_a_timeout() {
    let server = TestServer::always(Reply::Silence).await;
    let e = client_with_timeout(server.url(), Duration::from_millis(200)).list_integrations().await.unwrap_err();
    assert!(matches!(e.last_attempt(), Error::Timeout { after, .. } if *after == Duration::from_millis(200)), "{e:?}");
    let text = e.to_string();
    let expected = format!("Connect did not answer GET {}/__api__/v1/oauth/integrations within 0.2s", server.url());
    assert!(text.starts_with(&format!("{expected}; gave up after 3 attempts over 0.")), "{text}");
}

#[tokio::test]
async fn a_body_cut_by_the_connection_is_interrupted() {
    let server = TestServer::always(Reply::Truncated { claimed: 500, body: br#"[{"guid":"#.to_vec() }).await;
    let e = client_for(server.url()).list_integrations().await.unwrap_err();
    assert!(matches!(e.last_attempt(), Error::Interrupted { status: 200, .. }), "{e:?}");
}

/// A `MakeWriter` into a shared buffer, to see what the client logs.
#[derive(Clone, Default)]
pub(super) struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogBuffer {
    pub(super) fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// Captures this thread's log lines up to `level` until the guard drops.
pub(super) fn capture_logs(level: tracing::Level) -> (LogBuffer, tracing::subscriber::DefaultGuard) {
    // tracing-core caches each callsite's interest when the callsite is first hit. While only
    // one scoped dispatcher exists it asks the hitting thread's subscriber, so a parallel test
    // thread (no subscriber) can cache "never" for our event. A second live dispatcher makes it
    // ask all dispatchers instead.
    static SECOND_DISPATCHER: std::sync::OnceLock<tracing::Dispatch> = std::sync::OnceLock::new();
    SECOND_DISPATCHER.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));

    let buf = LogBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .with_writer({
            let buf = buf.clone();
            move || buf.clone()
        })
        .finish();
    (buf, tracing::subscriber::set_default(subscriber))
}

#[tokio::test]
async fn logs_one_debug_line_per_request_without_secrets() {
    let (buf, _guard) = capture_logs(tracing::Level::DEBUG);

    let server = TestServer::always(Reply::json(400, json!({"code": 1, "error": "bad", "payload": null}))).await;
    let _ = client_for(server.url()).create_integration(&new_integration()).await;

    let logs = buf.text();
    let ours: Vec<&str> = logs.lines().filter(|l| l.contains("connect::client")).collect();
    assert_eq!(ours.len(), 1, "{logs}");
    let line = ours[0];
    assert!(line.contains("DEBUG"), "{line}");
    assert!(line.contains("method=POST"), "{line}");
    assert!(line.contains("path=\"/__api__/v1/oauth/integrations\""), "{line}");
    assert!(line.contains("status=400"), "{line}");
    assert!(line.contains("duration_ms="), "{line}");
    assert!(!logs.contains(KEY) && !logs.contains("sh-secret"), "{logs}");
}

#[tokio::test]
async fn logs_attempts_and_masked_bodies_at_trace() {
    let (buf, _guard) = capture_logs(tracing::Level::TRACE);

    let server = TestServer::sequence(vec![
        Reply::json(503, json!({"code": 1, "error": "busy", "payload": null})).with_header("retry-after", "0"),
        Reply::json(200, integration_json("g1")),
    ])
    .await;
    client_for(server.url()).create_integration(&new_integration()).await.unwrap();

    let logs = buf.text();
    let ours: Vec<&str> = logs.lines().filter(|l| l.contains("connect::client")).collect();
    let debug: Vec<&str> = ours.iter().copied().filter(|l| l.contains("DEBUG")).collect();
    assert_eq!(debug.len(), 3, "two requests and one retry:\n{logs}");
    assert!(debug[0].contains("status=503") && debug[0].contains("attempt=1"), "{}", debug[0]);
    assert!(debug[1].contains("will be retried") && debug[1].contains("wait_ms="), "{}", debug[1]);
    assert!(debug[2].contains("status=200") && debug[2].contains("attempt=2"), "{}", debug[2]);
    let bodies: Vec<&str> = ours.iter().copied().filter(|l| l.contains("TRACE") && l.contains("body")).collect();
    assert_eq!(bodies.len(), 4, "a request and a response body per attempt:\n{logs}");
    assert!(bodies[0].contains(r#""client_secret":"(sensitive)""#), "{}", bodies[0]);
    assert!(bodies[0].contains(r#""client_id":"c""#), "{}", bodies[0]);
    assert!(!logs.contains(KEY) && !logs.contains("sh-secret"), "{logs}");
}

/// Each secret handed to a hook, with how many requests the server had seen by then.
type Handed = Arc<Mutex<Vec<(String, usize)>>>;

fn recording_hook(requests: Arc<AtomicUsize>) -> (SecretHook, Handed) {
    let handed = Arc::new(Mutex::new(Vec::new()));
    let hook = {
        let handed = handed.clone();
        SecretHook::new(move |s| handed.lock().unwrap().push((s.to_owned(), requests.load(Ordering::SeqCst))))
    };
    (hook, handed)
}

#[tokio::test]
async fn secrets_go_to_the_hook_before_they_are_sent() {
    let requests = Arc::new(AtomicUsize::new(0));
    let server = {
        let requests = requests.clone();
        TestServer::spawn(move |_| {
            requests.fetch_add(1, Ordering::SeqCst);
            Reply::json(200, integration_json("g1"))
        })
        .await
    };
    let (hook, handed) = recording_hook(requests);
    let mut cfg = ClientConfig::new(server.url(), Secret::new(KEY), "test-agent/1.0");
    cfg.on_secret = hook;
    let client = Client::new(cfg).unwrap();
    assert_eq!(*handed.lock().unwrap(), [(KEY.to_owned(), 0)]);

    client.create_integration(&new_integration()).await.unwrap();
    let update = IntegrationUpdate {
        config: Some(Config::new().with_value("client_id", "c").with_secret("client_secret", "rotated-secret")),
        ..Default::default()
    };
    client.update_integration("g1", &update).await.unwrap();
    client.update_integration("g1", &IntegrationUpdate { name: Some("m".into()), ..Default::default() }).await.unwrap();
    let handed = handed.lock().unwrap();
    let handed: Vec<(&str, usize)> = handed.iter().map(|(s, n)| (s.as_str(), *n)).collect();
    assert_eq!(handed, [(KEY, 0), ("sh-secret", 0), ("rotated-secret", 1)]);
}

#[test]
fn the_key_goes_to_the_hook_even_when_the_settings_are_refused() {
    let (hook, handed) = recording_hook(Arc::default());
    let mut cfg = ClientConfig::new("connect.example.org", Secret::new("refused-k3y"), "ua");
    cfg.on_secret = hook;
    assert!(matches!(Client::new(cfg), Err(Error::InvalidServerUrl { .. })));
    assert_eq!(*handed.lock().unwrap(), [("refused-k3y".to_owned(), 0)]);
}

/// Connect's prefix search answers its first page only: when it finds more than a page holds,
/// the lookup reads the whole list page by page, so an exact match on a later page is found.
#[tokio::test]
async fn a_name_beyond_the_prefix_search_page_is_found_by_paging() {
    let user = |name: String| json!({"guid": format!("g-{name}"), "username": name});
    let server = TestServer::spawn(move |seen| {
        let t = seen.target.as_str();
        let (results, total) = if t.contains("prefix=ana") {
            // 600 match the prefix; the first page has 500 of them, not "ana" itself.
            ((0..500).map(|i| user(format!("ana{i:03}"))).collect::<Vec<_>>(), 600)
        } else if t.contains("page_number=1") {
            ((0..500).map(|i| user(format!("bob{i:03}"))).collect(), 501)
        } else if t.contains("page_number=2") {
            (vec![user("ana".into())], 501)
        } else {
            (vec![], 501)
        };
        Reply::json(200, json!({"current_page": 1, "total": total, "results": results}))
    })
    .await;
    let found = client_for(server.url()).users_named("ana").await.unwrap();
    assert_eq!(found.iter().map(|u| u.guid.as_str()).collect::<Vec<_>>(), ["g-ana"]);
    let targets: Vec<String> = server.seen().into_iter().map(|s| s.target).collect();
    assert_eq!(targets.len(), 3, "the search, then two pages of the whole list: {targets:?}");
    assert!(targets[1].contains("page_number=1") && !targets[1].contains("prefix"), "{targets:?}");
    assert!(targets.iter().all(|t| t.contains("page_size=500")), "{targets:?}");

    // A search that fits its page is all there is: no paging.
    let server = TestServer::spawn(move |_| {
        Reply::json(200, json!({"current_page": 1, "total": 2, "results": [user("ana".into()), user("anabel".into())]}))
    })
    .await;
    assert_eq!(client_for(server.url()).users_named("ana").await.unwrap().len(), 1);
    assert_eq!(server.seen().len(), 1);
}

/// A user or group by guid: found, gone (Connect's "object does not exist"), and a 404 that is
/// not about the object (an HTML page) an error, never "no such user".
#[tokio::test]
async fn principals_by_guid_tell_missing_from_errors() {
    let server = TestServer::spawn(|seen| match seen.target.rsplit('/').next().unwrap() {
        "u1" => Reply::json(200, json!({"guid": "u1", "username": "ana"})),
        "g1" => Reply::json(200, json!({"guid": "g1", "name": "AI team"})),
        "proxied" => Reply::raw(404, "text/html", "<html>Not Found</html>"),
        _ => Reply::json(404, json!({"code": 4, "error": "The requested object does not exist.", "payload": null})),
    })
    .await;
    let client = client_for(server.url());
    assert_eq!(client.user_by_guid("u1").await.unwrap().unwrap().username, "ana");
    assert_eq!(client.group_by_guid("g1").await.unwrap().unwrap().name, "AI team");
    assert_eq!(client.user_by_guid("nobody").await.unwrap(), None);
    assert_eq!(client.group_by_guid("nobody").await.unwrap(), None);
    assert!(client.user_by_guid("proxied").await.is_err());
    let targets: Vec<String> = server.seen().into_iter().map(|s| s.target).collect();
    assert!(
        targets[0].ends_with("/__api__/v1/users/u1") && targets[1].ends_with("/__api__/v1/groups/g1"),
        "{targets:?}"
    );
}
