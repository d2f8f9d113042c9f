//! Terraform's side of the plugin protocol, for the crate's own tests: the environment
//! Terraform gives a plugin, and a client standing in for its Go client (mTLS with a P-521
//! certificate as go-plugin's; tonic's generated clients, which build.rs makes for tests only,
//! over hyper's HTTP/2; raw frames for a call that never finishes).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::client::conn::http2::{self, SendRequest};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::sign::{CertifiedKey, Signer, SigningKey};
use rustls::{DigitallySignedStruct, SignatureAlgorithm, SignatureScheme};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::task::JoinHandle;
use tonic::body::Body;
use tonic::codegen::{http, Context, Future, Pin, Poll, Service};

use crate::handshake::{Plugin, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE};
use crate::proto::plugin::grpc_controller_client::GrpcControllerClient;
use crate::proto::plugin::grpc_stdio_client::GrpcStdioClient;
use crate::proto::tfplugin6::provider_client::ProviderClient;
use crate::tls;
use crate::tls::tests::{p521_sign, P521_CERT_PEM};
use crate::transport;

/// Environment variables as `negotiate` reads them, from fixed pairs.
pub(crate) fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |k| map.get(k).cloned()
}

/// No command-line arguments (not `-debug`).
pub(crate) const NO_ARGS: [&str; 0] = [];

/// A provider of the tests' own, so nothing here depends on the one this crate serves.
pub(crate) const PLUGIN: Plugin = Plugin {
    name: "example",
    source: "example-org/example",
    address: "registry.terraform.io/example-org/example",
    transport_env: "EXAMPLE_PROVIDER_TRANSPORT",
};

/// The environment Terraform gives a plugin, with the transport forced when `tcp`.
///
/// Each call gets a port range of its own: the server takes the first free port of its range,
/// so tests sharing one range (they run in parallel) would reuse a port another test's server
/// just gave up, and a test checking that nothing listens on its port after shutdown would
/// find the other server there.
pub(crate) fn go_plugin_vars(tcp: bool, extra: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    const BLOCK: u16 = 100;
    static NEXT_BLOCK: AtomicU16 = AtomicU16::new(0);
    let min = 10000 + (NEXT_BLOCK.fetch_add(1, Ordering::Relaxed) % 150) * BLOCK;
    let (min_port, max_port) = (min.to_string(), (min + BLOCK - 1).to_string());
    let mut pairs = vec![
        (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
        ("PLUGIN_PROTOCOL_VERSIONS", "5,6"),
        // What Terraform's go-plugin client always sends; only TCP uses them.
        (transport::MIN_PORT_ENV, min_port.as_str()),
        (transport::MAX_PORT_ENV, max_port.as_str()),
    ];
    if tcp {
        pairs.push((PLUGIN.transport_env, "tcp"));
    }
    pairs.extend_from_slice(extra);
    vars(&pairs)
}

// ---- in-process mTLS: a rustls client standing in for Terraform's Go client ----

/// The client trusts exactly the server certificate from the handshake line, as go-plugin
/// does (webpki would refuse the self-signed CA as an end entity).
#[derive(Debug)]
struct PinnedServer(CertificateDer<'static>);

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        assert_eq!(end_entity.as_ref(), self.0.as_ref());
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = rustls::crypto::ring::default_provider().signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, &algs)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = rustls::crypto::ring::default_provider().signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, &algs)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        rustls::crypto::ring::default_provider().signature_verification_algorithms.supported_schemes()
    }
}

/// A P-521 signing key (ring has none), like the one go-plugin's client holds.
#[derive(Debug)]
struct P521Key;

impl SigningKey for P521Key {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        offered.contains(&SignatureScheme::ECDSA_NISTP521_SHA512).then(|| Box::new(P521Key) as Box<dyn Signer>)
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::ECDSA
    }
}

impl Signer for P521Key {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        Ok(p521_sign(message))
    }
    fn scheme(&self) -> SignatureScheme {
        SignatureScheme::ECDSA_NISTP521_SHA512
    }
}

pub(crate) fn client_config(
    server_cert: CertificateDer<'static>,
    client: CertifiedKey,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Arc<rustls::ClientConfig> {
    #[derive(Debug)]
    struct Always(Arc<CertifiedKey>);
    impl rustls::client::ResolvesClientCert for Always {
        fn resolve(&self, _: &[&[u8]], _: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
            Some(self.0.clone())
        }
        fn has_certs(&self) -> bool {
            true
        }
    }
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(versions)
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedServer(server_cert)))
        .with_client_cert_resolver(Arc::new(Always(Arc::new(client))));
    config.alpn_protocols = vec![b"h2".to_vec()];
    Arc::new(config)
}

pub(crate) fn go_plugin_like_client() -> CertifiedKey {
    let cert = tls::parse_client_cert_pem(P521_CERT_PEM).unwrap();
    CertifiedKey::new(vec![cert], Arc::new(P521Key))
}

pub(crate) fn stranger_client() -> CertifiedKey {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap().self_signed(&key).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let signing = rustls::crypto::ring::sign::any_ecdsa_type(&key).unwrap();
    CertifiedKey::new(vec![cert.der().clone()], signing)
}

// ---- gRPC: tonic's generated clients on hyper's HTTP/2 client ----

/// One HTTP/2 connection over a stream the test opened (socket or TLS session), for the
/// generated clients. A task drives it: it answers the server's SETTINGS and PINGs, as a real
/// client does while the server drains, and ends when the server closes the connection.
pub(crate) struct Connection {
    sender: SendRequest<Body>,
    driver: JoinHandle<()>,
}

impl Connection {
    pub(crate) async fn open<S>(io: S) -> Self
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (sender, connection) = http2::handshake(TokioExecutor::new(), TokioIo::new(io)).await.unwrap();
        let driver = tokio::spawn(async move {
            let _ = connection.await;
        });
        Self { sender, driver }
    }

    pub(crate) fn provider(&self) -> ProviderClient<Http2> {
        ProviderClient::with_origin(Http2(self.sender.clone()), origin())
    }

    pub(crate) fn controller(&self) -> GrpcControllerClient<Http2> {
        GrpcControllerClient::with_origin(Http2(self.sender.clone()), origin())
    }

    pub(crate) fn stdio(&self) -> GrpcStdioClient<Http2> {
        GrpcStdioClient::with_origin(Http2(self.sender.clone()), origin())
    }

    /// Waits until the server closes the connection. The connection stays open until then:
    /// hyper would close it itself once no client could use it.
    pub(crate) async fn closed(self) {
        let Self { sender, driver } = self;
        driver.await.unwrap();
        drop(sender);
    }
}

/// go-plugin's clients send `:authority` `localhost`, over whichever network.
fn origin() -> http::Uri {
    http::Uri::from_static("http://localhost")
}

/// hyper's HTTP/2 request sender as the service tonic's clients call.
#[derive(Clone)]
pub(crate) struct Http2(SendRequest<Body>);

impl Service<http::Request<Body>> for Http2 {
    type Response = http::Response<Incoming>;
    type Error = hyper::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        Box::pin(self.0.send_request(request))
    }
}

// ---- raw HTTP/2 frames: a call that never finishes ----
//
// A client library finishes what it starts, so a request whose body never arrives, and knowing
// that the server has read it, take frames written by hand.

fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u32;
    let mut out = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
    out.extend(stream.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// HPACK "literal header field without indexing, new name", no Huffman coding.
fn literal(out: &mut Vec<u8>, name: &str, value: &str) {
    assert!(name.len() < 127 && value.len() < 127);
    out.push(0x00);
    out.push(name.len() as u8);
    out.extend_from_slice(name.as_bytes());
    out.push(value.len() as u8);
    out.extend_from_slice(value.as_bytes());
}

/// Opens an HTTP/2 connection and sends only the headers of a gRPC request on stream 1: a
/// call still in flight, its request body never sent.
pub(crate) async fn open_stalled_call<S>(stream: &mut S, path: &str)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut headers = Vec::new();
    literal(&mut headers, ":method", "POST");
    literal(&mut headers, ":scheme", "http");
    literal(&mut headers, ":path", path);
    literal(&mut headers, ":authority", "localhost");
    literal(&mut headers, "content-type", "application/grpc");
    literal(&mut headers, "te", "trailers");
    let mut out = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    out.extend(frame(0x4, 0, 0, &[])); // SETTINGS
    out.extend(frame(0x1, 0x4, 1, &headers)); // HEADERS, END_HEADERS
    stream.write_all(&out).await.unwrap();
    stream.flush().await.unwrap();
}

/// Sends a PING and reads the server's frames until its acknowledgement.
pub(crate) async fn ping_round_trip<S>(stream: &mut S)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let payload = *b"in-order";
    stream.write_all(&frame(0x6, 0, 0, &payload)).await.unwrap();
    stream.flush().await.unwrap();
    loop {
        let (head, body) = read_frame(stream).await.expect("the server answers the PING");
        if head[3] == 0x6 && head[4] & 0x1 == 0x1 && body == payload {
            return;
        }
    }
}

/// One HTTP/2 frame: its 9-byte header and its payload; `None` once the stream ends.
async fn read_frame<S>(stream: &mut S) -> Option<([u8; 9], Vec<u8>)>
where
    S: AsyncRead + Unpin,
{
    let mut head = [0u8; 9];
    stream.read_exact(&mut head).await.ok()?;
    let len = (usize::from(head[0]) << 16) | (usize::from(head[1]) << 8) | usize::from(head[2]);
    let mut payload = vec![0u8; len];
    stream.read_exact(&mut payload).await.ok()?;
    Some((head, payload))
}
