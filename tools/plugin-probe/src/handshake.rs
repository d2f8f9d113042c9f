//! Starts a provider the way Terraform does and talks to it: the go-plugin handshake, then gRPC
//! over auto-mTLS, then a shutdown.
//!
//! 1. A throw-away client certificate (ECDSA P-256, self-signed, shaped like go-plugin's) goes
//!    in `PLUGIN_CLIENT_CERT`, with `TF_PLUGIN_MAGIC_COOKIE`, `PLUGIN_PROTOCOL_VERSIONS` and
//!    `PLUGIN_MIN_PORT`/`PLUGIN_MAX_PORT`, as Terraform sets them.
//! 2. The first line of the provider's standard output must be `1|6|NETWORK|ADDRESS|grpc|CERT`.
//! 3. A client holding another certificate must be refused.
//! 4. Over TLS pinned to CERT, with our certificate, on HTTP/2: the unary call
//!    `/tfplugin6.Provider/GetProviderSchema` must answer grpc-status 0 with a schema that names
//!    the expected resource type.
//! 5. `/plugin.GRPCController/Shutdown` must answer grpc-status 0, and the process must then
//!    exit with status 0 by itself (and, on a unix socket, remove it).
//!
//! The command can be anything that starts the provider: the binary, `qemu-aarch64 BINARY`,
//! `wine BINARY.exe`. Everything the client does goes through the network, so the provider may
//! run under an emulator.

use std::ffi::OsString;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, BufReader};

use crate::proto;

/// Terraform's go-plugin magic cookie: the variable a provider checks to know Terraform started it.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// The value Terraform gives [`MAGIC_COOKIE_KEY`].
pub const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// What to check, beyond what every provider must do.
#[derive(Debug, Clone)]
pub struct Options {
    /// `unix` or `tcp`: the network the handshake line must name.
    pub expect_network: Option<String>,
    /// A resource type the schema must hold.
    pub expect_resource: String,
    /// Time for the provider to print its handshake line (an emulator's first start is slow).
    pub start_timeout: Duration,
    /// Time for each call and for the exit after Shutdown.
    pub call_timeout: Duration,
    /// Variables set for the provider after (and so over) Terraform's.
    pub env: Vec<(String, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            expect_network: None,
            expect_resource: "posit_connect_oauth_integration".into(),
            start_timeout: Duration::from_secs(60),
            call_timeout: Duration::from_secs(30),
            env: Vec::new(),
        }
    }
}

/// What the provider did.
#[derive(Debug, Clone)]
pub struct Report {
    /// The handshake line, its certificate field shortened.
    pub line: String,
    /// `unix` or `tcp`, as the line names it.
    pub network: String,
    /// The socket's path, or `127.0.0.1:PORT`.
    pub address: String,
    /// From start to the handshake line.
    pub startup: Duration,
    /// How the connection of a client with another certificate failed.
    pub stranger_refused: String,
    /// The resource types GetProviderSchema named, sorted.
    pub resources: Vec<String>,
    /// The data source types GetProviderSchema named, sorted.
    pub data_sources: Vec<String>,
    /// How the process exited after Shutdown.
    pub exit: ExitStatus,
    /// Over a unix socket: whether the socket file was gone after the exit; `None` over TCP.
    pub socket_removed: Option<bool>,
}

impl Report {
    /// One line per check passed, for the command's output.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = vec![
            format!("handshake after {} ms: {}", self.startup.as_millis(), self.line),
            format!("network: {} {}", self.network, self.address),
            format!("mTLS: a client with another certificate was refused ({})", self.stranger_refused),
            format!(
                "GetProviderSchema: grpc-status 0; resources: {}; data sources: {}",
                self.resources.join(", "),
                self.data_sources.join(", ")
            ),
            format!("Shutdown: grpc-status 0; the process exited with {}", self.exit),
        ];
        if let Some(removed) = self.socket_removed {
            lines.push(format!("socket removed after exit: {}", if removed { "yes" } else { "no" }));
        }
        lines
    }
}

/// A parsed handshake line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeLine {
    /// go-plugin's own protocol version: 1.
    pub core_version: u32,
    /// The plugin protocol the provider chose; the probe wants 6.
    pub app_version: u32,
    /// `unix` or `tcp`.
    pub network: String,
    /// Where to connect: a socket's path, or `127.0.0.1:PORT`.
    pub address: String,
    /// `grpc` (`netrpc` is protocol 4's and older).
    pub protocol: String,
    /// The server's certificate (DER) for the mTLS connection; `None` when the field is empty.
    pub cert: Option<Vec<u8>>,
}

/// Parses go-plugin's `CORE|APP|NETWORK|ADDRESS|PROTOCOL|CERT` line.
pub fn parse_line(line: &str) -> Result<HandshakeLine, String> {
    let line = line.trim_end_matches(['\n', '\r']);
    let fields: Vec<&str> = line.split('|').collect();
    if fields.len() != 6 {
        return Err(format!(
            "not a go-plugin handshake line (want 6 fields separated by |, got {}): {line:?}",
            fields.len()
        ));
    }
    let number =
        |i: usize, what: &str| fields[i].parse::<u32>().map_err(|_| format!("{what} {:?} is not a number", fields[i]));
    let cert = if fields[5].is_empty() {
        None
    } else {
        // go-plugin writes base64.RawStdEncoding; accept padding too.
        let text = fields[5].trim_end_matches('=');
        Some(
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(text)
                .map_err(|e| format!("the certificate field is not base64: {e}"))?,
        )
    };
    Ok(HandshakeLine {
        core_version: number(0, "core protocol version")?,
        app_version: number(1, "plugin protocol version")?,
        network: fields[2].to_string(),
        address: fields[3].to_string(),
        protocol: fields[4].to_string(),
        cert,
    })
}

/// A client identity: certificate and key.
struct Identity {
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
    pem: String,
}

/// A self-signed P-256 certificate shaped like go-plugin's client certificate (a CA, for client
/// and server authentication, named localhost).
fn identity() -> Result<Identity, String> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
        PKCS_ECDSA_P256_SHA256,
    };
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(|e| e.to_string())?;
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).map_err(|e| e.to_string())?;
    params.distinguished_name.push(DnType::OrganizationName, "HashiCorp");
    params.distinguished_name.push(DnType::CommonName, "localhost");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages =
        vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment, KeyUsagePurpose::KeyCertSign];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth, ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
    Ok(Identity {
        pem: cert.pem(),
        cert: cert.der().clone(),
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    })
}

/// Trusts exactly the certificate from the handshake line, as go-plugin does; the handshake
/// signature is still checked.
#[derive(Debug)]
struct Pinned(CertificateDer<'static>, Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.0.as_ref() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::ApplicationVerificationFailure))
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.1.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.1.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.1.signature_verification_algorithms.supported_schemes()
    }
}

fn tls_config(server_cert: &[u8], client: &Identity) -> Result<Arc<rustls::ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Pinned(CertificateDer::from(server_cert.to_vec()), provider)))
        .with_client_auth_cert(vec![client.cert.clone()], client.key.clone_key())
        .map_err(|e| e.to_string())?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(Arc::new(config))
}

/// A byte stream to the plugin: unix socket or TCP.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

async fn dial(network: &str, address: &str) -> Result<Box<dyn Io>, String> {
    match network {
        "tcp" => {
            let s = tokio::net::TcpStream::connect(address)
                .await
                .map_err(|e| format!("connecting to tcp {address}: {e}"))?;
            Ok(Box::new(s))
        }
        #[cfg(unix)]
        "unix" => {
            let s = tokio::net::UnixStream::connect(address)
                .await
                .map_err(|e| format!("connecting to unix socket {address}: {e}"))?;
            Ok(Box::new(s))
        }
        other => Err(format!("cannot dial network {other:?}")),
    }
}

/// One HTTP/2 connection over TLS.
async fn connect(
    line: &HandshakeLine,
    config: Arc<rustls::ClientConfig>,
) -> Result<h2::client::SendRequest<Bytes>, String> {
    let io = dial(&line.network, &line.address).await?;
    let tls = tokio_rustls::TlsConnector::from(config)
        .connect(ServerName::try_from("localhost").expect("a valid name"), io)
        .await
        .map_err(|e| format!("TLS handshake: {e}"))?;
    if tls.get_ref().1.alpn_protocol() != Some(b"h2") {
        return Err("the plugin did not agree to ALPN h2 (grpc-go clients require it)".into());
    }
    let (client, connection) = h2::client::handshake(tls).await.map_err(|e| format!("HTTP/2 handshake: {e}"))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// A gRPC unary call with an empty request message; the response messages on grpc-status 0.
async fn unary(client: &mut h2::client::SendRequest<Bytes>, path: &str) -> Result<Vec<Vec<u8>>, String> {
    let mut ready = client.clone().ready().await.map_err(|e| format!("{path}: {e}"))?;
    let request = http::Request::builder()
        .method("POST")
        .uri(format!("http://localhost{path}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(())
        .map_err(|e| e.to_string())?;
    let (response, mut send) = ready.send_request(request, false).map_err(|e| format!("{path}: {e}"))?;
    send.send_data(Bytes::from_static(&[0, 0, 0, 0, 0]), true).map_err(|e| format!("{path}: {e}"))?;
    let response = response.await.map_err(|e| format!("{path}: {e}"))?;
    let (parts, mut body) = response.into_parts();
    if parts.status != http::StatusCode::OK {
        return Err(format!("{path}: HTTP status {}", parts.status));
    }
    // A trailers-only answer carries grpc-status in the headers.
    let mut status = grpc_status(&parts.headers);
    let mut data = Vec::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk.map_err(|e| format!("{path}: reading the answer: {e}"))?;
        let _ = body.flow_control().release_capacity(chunk.len());
        data.extend_from_slice(&chunk);
    }
    if let Some(trailers) = body.trailers().await.map_err(|e| format!("{path}: reading trailers: {e}"))? {
        status = status.or_else(|| grpc_status(&trailers));
    }
    match status {
        Some((0, _)) => proto::grpc_messages(&data).map_err(|e| format!("{path}: {e}")),
        Some((code, message)) => Err(format!("{path}: grpc-status {code}: {message}")),
        None => Err(format!("{path}: the answer has no grpc-status")),
    }
}

fn grpc_status(headers: &http::HeaderMap) -> Option<(u32, String)> {
    let code = headers.get("grpc-status")?.to_str().ok()?.parse().ok()?;
    let message = headers.get("grpc-message").and_then(|m| m.to_str().ok()).unwrap_or("").to_string();
    Some((code, message))
}

/// The end of what the plugin wrote on stderr, for error messages.
#[derive(Clone, Default)]
struct Tail(Arc<Mutex<Vec<u8>>>);

impl Tail {
    const KEEP: usize = 16 * 1024;
    fn push(&self, bytes: &[u8]) {
        let mut buf = self.0.lock().unwrap_or_else(|e| e.into_inner());
        buf.extend_from_slice(bytes);
        if buf.len() > Self::KEEP {
            let cut = buf.len() - Self::KEEP;
            buf.drain(..cut);
        }
    }
    fn text(&self) -> String {
        let buf = self.0.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(&buf).trim().to_string()
    }
}

/// Why the probe failed, with what the plugin wrote on stderr.
#[derive(Debug)]
pub struct Failure {
    /// Which check failed, and how.
    pub reason: String,
    /// What the plugin wrote on stderr, often the cause (a panic, a refused cookie).
    pub stderr: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.reason)?;
        if !self.stderr.is_empty() {
            write!(f, "\n--- the plugin's stderr (end) ---\n{}", self.stderr)?;
        }
        Ok(())
    }
}

/// Starts `command` as Terraform would start a provider and checks it (see the module's doc).
pub async fn probe(command: &[OsString], options: &Options) -> Result<Report, Failure> {
    let tail = Tail::default();
    let result = probe_inner(command, options, &tail).await;
    result.map_err(|reason| Failure { reason, stderr: tail.text() })
}

/// [`probe`] on a runtime of its own.
pub fn probe_blocking(command: &[OsString], options: &Options) -> Result<Report, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure { reason: format!("starting a runtime: {e}"), stderr: String::new() })?;
    runtime.block_on(probe(command, options))
}

async fn probe_inner(command: &[OsString], options: &Options, tail: &Tail) -> Result<Report, String> {
    let (program, args) = command.split_first().ok_or("no command to start")?;
    let client = identity()?;
    let stranger = identity()?;

    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args)
        .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .env("PLUGIN_CLIENT_CERT", &client.pem)
        .envs(options.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let started = Instant::now();
    let mut child = cmd.spawn().map_err(|e| format!("starting {}: {e}", program.to_string_lossy()))?;
    let mut stderr = child.stderr.take().expect("piped stderr");
    let stderr_tail = tail.clone();
    tokio::spawn(async move {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stderr.read(&mut buf).await {
            if n == 0 {
                break;
            }
            stderr_tail.push(&buf[..n]);
        }
    });

    // The first line of stdout; go-plugin reads no other.
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut first = String::new();
    let read = tokio::time::timeout(options.start_timeout, stdout.read_line(&mut first)).await;
    let startup = started.elapsed();
    match read {
        Err(_) => {
            return Err(format!("no handshake line on stdout within {} s", options.start_timeout.as_secs()));
        }
        Ok(Err(e)) => return Err(format!("reading stdout: {e}")),
        Ok(Ok(0)) => {
            let status = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
            let status = match status {
                Ok(Ok(s)) => s.to_string(),
                _ => "still running".into(),
            };
            // Give the stderr reader a moment to catch the last words.
            tokio::time::sleep(Duration::from_millis(200)).await;
            return Err(format!("the plugin closed stdout without a handshake line ({status})"));
        }
        Ok(Ok(_)) => {}
    }
    // Keep reading stdout (a plugin blocked on a full pipe would hang).
    tokio::spawn(async move {
        let mut sink = Vec::new();
        let _ = stdout.read_to_end(&mut sink).await;
    });

    let line = parse_line(&first)?;
    if (line.core_version, line.app_version, line.protocol.as_str()) != (1, 6, "grpc") {
        return Err(format!(
            "the handshake line offers go-plugin {} protocol {} over {}; Terraform needs 1, 6 and grpc: {}",
            line.core_version,
            line.app_version,
            line.protocol,
            first.trim_end()
        ));
    }
    if let Some(want) = &options.expect_network {
        if &line.network != want {
            return Err(format!("the plugin listens on {} {}, expected network {want}", line.network, line.address));
        }
    }
    let cert = line
        .cert
        .clone()
        .ok_or("the handshake line has no certificate although PLUGIN_CLIENT_CERT was set (no mTLS)")?;
    let shown = format!("1|6|{}|{}|grpc|<server certificate, {} bytes of DER>", line.network, line.address, cert.len());

    // A client with another certificate than PLUGIN_CLIENT_CERT must get nowhere.
    let stranger_refused = {
        let attempt = async {
            let mut client = connect(&line, tls_config(&cert, &stranger)?).await?;
            unary(&mut client, "/tfplugin6.Provider/GetProviderSchema").await
        };
        match tokio::time::timeout(options.call_timeout, attempt).await {
            Ok(Ok(_)) => return Err("a client holding another certificate than PLUGIN_CLIENT_CERT was served".into()),
            Ok(Err(e)) => e,
            Err(_) => "no answer".into(),
        }
    };

    let config = tls_config(&cert, &client)?;
    let call = async {
        let mut client = connect(&line, config.clone()).await?;
        let messages = unary(&mut client, "/tfplugin6.Provider/GetProviderSchema").await?;
        let message = match messages.as_slice() {
            [one] => one,
            other => return Err(format!("GetProviderSchema answered {} messages, expected 1", other.len())),
        };
        let schema = proto::schema_names(message)?;
        if !schema.resources.iter().any(|r| r == &options.expect_resource) {
            return Err(format!(
                "the schema has no resource {}; it has: {}",
                options.expect_resource,
                schema.resources.join(", ")
            ));
        }
        if let Some(problem) = schema.diagnostics.first() {
            return Err(format!("GetProviderSchema returned an error diagnostic: {problem}"));
        }
        unary(&mut client, "/plugin.GRPCController/Shutdown").await?;
        Ok(schema)
    };
    let schema = tokio::time::timeout(options.call_timeout * 2, call)
        .await
        .map_err(|_| format!("the calls took over {} s", (options.call_timeout * 2).as_secs()))??;

    let exit = tokio::time::timeout(options.call_timeout, child.wait())
        .await
        .map_err(|_| format!("the plugin had not exited {} s after Shutdown", options.call_timeout.as_secs()))?
        .map_err(|e| format!("waiting for the plugin: {e}"))?;
    if !exit.success() {
        return Err(format!("after Shutdown the plugin exited with {exit}"));
    }
    let socket_removed = (line.network == "unix").then(|| !std::path::Path::new(&line.address).exists());
    if socket_removed == Some(false) {
        return Err(format!("the plugin exited but left its socket {}", line.address));
    }
    Ok(Report {
        line: shown,
        network: line.network,
        address: line.address,
        startup,
        stranger_refused,
        resources: schema.resources,
        data_sources: schema.data_sources,
        exit,
        socket_removed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshake_lines() {
        let der = [0x30u8, 0x82, 0x01, 0x02, 0xff];
        let b64 = base64::engine::general_purpose::STANDARD_NO_PAD.encode(der);
        let line = parse_line(&format!("1|6|unix|/tmp/x/plugin.sock|grpc|{b64}\n")).unwrap();
        assert_eq!(line.network, "unix");
        assert_eq!(line.address, "/tmp/x/plugin.sock");
        assert_eq!(line.cert.as_deref(), Some(&der[..]));
        let padded = base64::engine::general_purpose::STANDARD.encode(der);
        assert_eq!(
            parse_line(&format!("1|6|tcp|127.0.0.1:10000|grpc|{padded}\r\n")).unwrap().cert.as_deref(),
            Some(&der[..])
        );
        assert_eq!(parse_line("1|6|tcp|127.0.0.1:1|grpc|").unwrap().cert, None);
        for bad in ["", "hello", "1|6|unix|/x|grpc", "x|6|unix|/x|grpc|", "1|6|unix|/x|grpc|!!!"] {
            assert!(parse_line(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn client_identity_is_a_fresh_pem_certificate() {
        let a = identity().unwrap();
        let b = identity().unwrap();
        assert!(a.pem.starts_with("-----BEGIN CERTIFICATE-----"), "{}", a.pem);
        assert_ne!(a.cert.as_ref(), b.cert.as_ref());
    }
}
