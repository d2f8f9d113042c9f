//! Serving over both transports, with a client shaped like Terraform's: mTLS with go-plugin's
//! certificate, plaintext, and a client that never finishes its call.

use super::*;
use crate::handshake::negotiate;
use crate::proto::plugin::Empty;
use crate::proto::tfplugin6::get_provider_schema;
use crate::test_client::{
    client_config, go_plugin_like_client, go_plugin_vars, open_stalled_call, ping_round_trip, stranger_client,
    Connection, NO_ARGS, PLUGIN,
};
use crate::tls::tests::P521_CERT_PEM;
use base64::Engine as _;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::AsyncReadExt;

struct Running {
    network: String,
    address: String,
    cert: Option<CertificateDer<'static>>,
    shutdown: Arc<Notify>,
    server: tokio::task::JoinHandle<Result<Drained, ServeError>>,
    _base: tempfile::TempDir,
}

impl Running {
    /// A connection to the server, as Terraform opens it from the handshake line.
    async fn connect(&self) -> Stream {
        Stream::connect(&self.network, &self.address).await.unwrap()
    }
}

/// Both transports where both exist.
const TRANSPORTS: &[bool] = if cfg!(unix) { &[false, true] } else { &[true] };

async fn start(negotiated: Negotiated, drain_grace: Duration) -> Running {
    let base = tempfile::tempdir().unwrap();
    let (line_tx, line_rx) = tokio::sync::oneshot::channel::<String>();
    let shutdown = Arc::new(Notify::new());
    let options = ServeOptions {
        socket_base: base.path().to_path_buf(),
        signals: false,
        drain_grace,
        announce: Box::new(move |text| {
            line_tx.send(text.to_string()).unwrap();
            Ok(())
        }),
    };
    let expected_network = negotiated.transport.network();
    let server = tokio::spawn(serve_with(tonic::service::Routes::default(), negotiated, shutdown.clone(), options));
    let line = line_rx.await.unwrap();
    assert!(line.ends_with('\n') && line.matches('\n').count() == 1, "{line:?}");
    let fields: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(fields.len(), 6, "{line}");
    assert_eq!(&fields[..2], ["1", "6"]);
    assert_eq!(fields[2], expected_network, "{line}");
    assert_eq!(fields[4], "grpc");
    let (network, address) = (fields[2].to_string(), fields[3].to_string());
    match network.as_str() {
        "unix" => assert!(Path::new(&address).starts_with(base.path()), "{line}"),
        "tcp" => {
            let addr: std::net::SocketAddr = address.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(addr.ip(), std::net::Ipv4Addr::LOCALHOST, "{line}");
            assert!((10000..=25000).contains(&addr.port()), "{line}: port within PLUGIN_MIN_PORT..MAX_PORT");
        }
        other => panic!("network {other:?}: {line}"),
    }
    let cert = (!fields[5].is_empty()).then(|| {
        assert!(!fields[5].contains('='));
        let der = base64::engine::general_purpose::STANDARD_NO_PAD.decode(fields[5]).unwrap();
        CertificateDer::from(der)
    });
    Running { network, address, cert, shutdown, server, _base: base }
}

/// Waits for the server to stop, and checks how it drained and that it cleaned up: the
/// socket's directory removed, or the TCP port closed.
async fn finish(running: Running, expected: Drained) {
    let drained = tokio::time::timeout(Duration::from_secs(20), running.server)
        .await
        .expect("server stopped after Shutdown")
        .unwrap()
        .unwrap();
    assert_eq!(drained, expected);
    match running.network.as_str() {
        "unix" => {
            let dir = Path::new(&running.address).parent().unwrap();
            assert!(!dir.exists(), "socket directory removed");
        }
        _ => {
            let after = Stream::connect(&running.network, &running.address).await;
            assert!(after.is_err(), "nothing listens on {} any more", running.address);
        }
    }
    drop(running.shutdown);
}

#[tokio::test]
async fn mtls_serves_go_plugin_client_and_refuses_others() {
    for &tcp in TRANSPORTS {
        mtls_serves_go_plugin_client_and_refuses_others_on(tcp).await;
    }
}

async fn mtls_serves_go_plugin_client_and_refuses_others_on(tcp: bool) {
    let negotiated = negotiate(PLUGIN, NO_ARGS, go_plugin_vars(tcp, &[("PLUGIN_CLIENT_CERT", P521_CERT_PEM)])).unwrap();
    let running = start(negotiated, Duration::from_secs(10)).await;
    let server_cert = running.cert.clone().expect("certificate on the handshake line");
    let localhost = ServerName::try_from("localhost").unwrap();

    // A client with some other certificate is refused; the server keeps serving.
    let stranger = tokio_rustls::TlsConnector::from(client_config(
        server_cert.clone(),
        stranger_client(),
        &[&rustls::version::TLS13],
    ));
    let conn = running.connect().await;
    match stranger.connect(localhost.clone(), conn).await {
        Err(_) => {}
        Ok(mut tls) => {
            // TLS 1.3: the client finishes first and learns of the refusal on reading.
            let mut buf = [0u8; 16];
            let read = tls.read(&mut buf).await;
            assert!(matches!(read, Err(_) | Ok(0)), "{read:?}");
        }
    }

    // TLS 1.2 with the pinned certificate works too (Go clients prefer 1.3).
    let pinned12 = tokio_rustls::TlsConnector::from(client_config(
        server_cert.clone(),
        go_plugin_like_client(),
        &[&rustls::version::TLS12],
    ));
    let conn = running.connect().await;
    let tls12 = pinned12.connect(localhost.clone(), conn).await.unwrap();
    assert_eq!(tls12.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let tls12 = Connection::open(tls12).await;
    // An unregistered method answers Unimplemented (trailers only), ending the stream.
    let unregistered = tls12.provider().get_provider_schema(get_provider_schema::Request {}).await.unwrap_err();
    assert_eq!(unregistered.code(), tonic::Code::Unimplemented, "{unregistered}");
    let tls12 = tokio::spawn(tls12.closed());

    // The go-plugin-shaped client (P-521 key, TLS 1.3) gets h2 and can shut us down.
    let pinned = tokio_rustls::TlsConnector::from(client_config(
        server_cert,
        go_plugin_like_client(),
        &[&rustls::version::TLS13],
    ));
    let conn = running.connect().await;
    let tls = pinned.connect(localhost, conn).await.unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let tls = Connection::open(tls).await;
    tls.controller().shutdown(Empty {}).await.unwrap();
    tokio::spawn(tls.closed());
    finish(running, Drained::Cleanly).await;
    tls12.await.unwrap();
}

#[tokio::test]
async fn plaintext_without_client_cert() {
    for &tcp in TRANSPORTS {
        plaintext_without_client_cert_on(tcp).await;
    }
}

async fn plaintext_without_client_cert_on(tcp: bool) {
    let negotiated = negotiate(PLUGIN, NO_ARGS, go_plugin_vars(tcp, &[])).unwrap();
    let running = start(negotiated, Duration::from_secs(10)).await;
    assert!(running.cert.is_none());
    let conn = Connection::open(running.connect().await).await;
    // go-plugin's client opens the stdio stream first and keeps it open.
    let stdio = Connection::open(running.connect().await).await;
    let mut stream = stdio.stdio().stream_stdio(Empty {}).await.unwrap().into_inner();
    let stdio = tokio::spawn(async move {
        // It carries nothing, and ends cleanly when the server stops.
        assert_eq!(stream.message().await.unwrap(), None);
        stdio.closed().await;
    });
    conn.controller().shutdown(Empty {}).await.unwrap();
    tokio::spawn(conn.closed());
    finish(running, Drained::Cleanly).await;
    stdio.await.unwrap();
}

#[tokio::test]
async fn unresponsive_client_cannot_hold_shutdown() {
    for &tcp in TRANSPORTS {
        unresponsive_client_cannot_hold_shutdown_on(tcp).await;
    }
}

async fn unresponsive_client_cannot_hold_shutdown_on(tcp: bool) {
    let negotiated = negotiate(PLUGIN, NO_ARGS, go_plugin_vars(tcp, &[])).unwrap();
    let running = start(negotiated, Duration::from_millis(200)).await;
    let mut stuck = running.connect().await;
    // A call whose request body never arrives stays in flight (raw frames: a client library
    // would send the body).
    open_stalled_call(&mut stuck, "/plugin.GRPCController/Shutdown").await;
    // The server reads a connection's frames in order: once it answers a PING sent after the
    // HEADERS, the call is in flight (else it could stop cleanly instead of waiting out the
    // grace).
    ping_round_trip(&mut stuck).await;
    running.shutdown.notify_one();
    finish(running, Drained::GraceExpired).await;
    drop(stuck);
}
