//! The go-plugin handshake and server loop: what Terraform expects of any plugin process.
//!
//! Terraform starts the provider with a magic cookie and the protocol versions it speaks, reads
//! one line from our stdout naming where we listen (and our TLS certificate), then speaks gRPC
//! there until it calls `plugin.GRPCController/Shutdown`. Where we listen is a unix socket on
//! Linux and macOS, TCP on 127.0.0.1 on Windows (see [`super::transport`]):
//!
//! ```text
//! 1|6|unix|/tmp/tf-provider-posit-1234-0/plugin.sock|grpc|MIIB...   (core|app|net|addr|proto|cert)
//! 1|6|tcp|127.0.0.1:10000|grpc|MIIB...
//! ```

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch, Notify};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;

use super::controller::{Controller, Stdio};
use super::tls::{self, ServerIdentity, TlsError};
use super::transport::{self, Stream, Transport, TransportError};

/// Environment variable carrying go-plugin's magic cookie.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Terraform's cookie value: the same for every provider, it only proves we were started by
/// Terraform (or OpenTofu) rather than by a person.
pub const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// go-plugin's own protocol version (first field of the handshake line).
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The Terraform plugin protocol major version this provider speaks.
pub const PROTOCOL_VERSION: u32 = 6;
/// Who the plugin is, for what people and Terraform see outside the protocol: the message when
/// started by hand, the `-debug` reattach instructions, the socket directory's name, and the
/// variable that picks the transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plugin {
    /// The provider's local name, the prefix of its type names (`posit`).
    pub name: &'static str,
    /// Its source address as users write it in `required_providers` (`posit-dev/posit`).
    pub source: &'static str,
    /// Its full address in the registry, the key of `TF_REATTACH_PROVIDERS`
    /// (`registry.terraform.io/posit-dev/posit`).
    pub address: &'static str,
    /// The environment variable that picks the transport, `tcp` or `unix`
    /// (`POSIT_PROVIDER_TRANSPORT`; see [`super::transport`]).
    pub transport_env: &'static str,
}

/// go-plugin honours this directory for its sockets (newer versions); so do we.
const SOCKET_DIR_ENV: &str = "PLUGIN_UNIX_SOCKET_DIR";
/// Longest a TLS handshake on one connection may take before we drop it.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// After shutdown begins, how long in-flight calls may take. go-plugin's client kills the
/// process 2 s after asking it to shut down, so finish (and clean up) before that.
const DRAIN_GRACE: Duration = Duration::from_millis(1500);

/// What the handshake settled: how to serve.
#[derive(Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// Who is serving.
    pub plugin: Plugin,
    /// The plugin protocol version to announce (always 6).
    pub protocol_version: u32,
    /// Terraform's client certificate (`PLUGIN_CLIENT_CERT`). `None` serves plaintext, as
    /// go-plugin does when the client turned AutoMTLS off.
    pub client_cert: Option<CertificateDer<'static>>,
    /// `-debug`: started by a person, who attaches Terraform via `TF_REATTACH_PROVIDERS`.
    pub debug: bool,
    /// Unix socket or TCP.
    pub transport: Transport,
}

impl fmt::Debug for Negotiated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Negotiated")
            .field("plugin", &self.plugin.name)
            .field("protocol_version", &self.protocol_version)
            .field("mtls", &self.client_cert.is_some())
            .field("debug", &self.debug)
            .field("transport", &self.transport)
            .finish()
    }
}

impl Negotiated {
    /// Debug mode: no cookie, no TLS (Terraform reattaches without certificates).
    pub fn debug(plugin: Plugin, transport: Transport) -> Self {
        Self { plugin, protocol_version: PROTOCOL_VERSION, client_cert: None, debug: true, transport }
    }
}

/// Why the process cannot serve Terraform; `main` prints it and exits 1.
#[derive(Debug, thiserror::Error)]
pub enum HandshakeError {
    /// Started by a person, not by Terraform: says how to use it instead.
    #[error(
        "This binary is a plugin for Terraform (and OpenTofu), not meant to be run directly.\n\
         Declare it in your configuration instead:\n\n\
         \x20   terraform {{\n\
         \x20     required_providers {{\n\
         \x20       {name} = {{ source = \"{address}\" }}\n\
         \x20     }}\n\
         \x20   }}\n\n\
         then run `terraform init` and `terraform plan`; Terraform starts the provider itself.\n\
         To debug the provider, run it with -debug and follow the printed instructions."
    )]
    NotLaunchedByTerraform {
        /// The provider's local name.
        name: &'static str,
        /// Its source address (not an error source: thiserror's `source` name is avoided).
        address: &'static str,
    },
    #[error(
        "Terraform offered plugin protocol version(s) {offered:?}, but this provider speaks only \
         protocol 6. Use Terraform 1.0 or later, or OpenTofu."
    )]
    UnsupportedProtocol {
        /// What Terraform offered, as it wrote it.
        offered: String,
    },
    /// `PLUGIN_CLIENT_CERT` is not a certificate.
    #[error("{0}")]
    ClientCert(#[from] TlsError),
    /// The transport asked for cannot be served.
    #[error("{0}")]
    Transport(#[from] TransportError),
}

/// Checks how we were started: `-debug` on the command line, or go-plugin's environment
/// (`TF_PLUGIN_MAGIC_COOKIE`, `PLUGIN_PROTOCOL_VERSIONS`, `PLUGIN_CLIENT_CERT`,
/// `PLUGIN_MIN_PORT`/`PLUGIN_MAX_PORT`), and the transport asked for
/// (the plugin's `transport_env`).
pub fn check_environment(plugin: Plugin) -> Result<Negotiated, HandshakeError> {
    negotiate(plugin, std::env::args().skip(1), |key| std::env::var(key).ok())
}

/// [`check_environment`] on given arguments (without the program name) and variables.
pub fn negotiate<I, S>(
    plugin: Plugin,
    args: I,
    var: impl Fn(&str) -> Option<String>,
) -> Result<Negotiated, HandshakeError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let debug = args.into_iter().any(|a| matches!(a.as_ref(), "-debug" | "--debug"));
    if debug {
        return Ok(Negotiated::debug(plugin, Transport::from_env(plugin.transport_env, &var)?));
    }
    if var(MAGIC_COOKIE_KEY).as_deref() != Some(MAGIC_COOKIE_VALUE) {
        return Err(HandshakeError::NotLaunchedByTerraform { name: plugin.name, address: plugin.source });
    }
    // go-plugin: unset means the plugin's default version; unparsable entries are skipped.
    if let Some(offered) = var("PLUGIN_PROTOCOL_VERSIONS").filter(|v| !v.trim().is_empty()) {
        let speaks_ours =
            offered.split(',').filter_map(|v| v.trim().parse::<u32>().ok()).any(|v| v == PROTOCOL_VERSION);
        if !speaks_ours {
            return Err(HandshakeError::UnsupportedProtocol { offered });
        }
    }
    let client_cert = match var("PLUGIN_CLIENT_CERT").filter(|v| !v.trim().is_empty()) {
        Some(pem) => Some(tls::parse_client_cert_pem(&pem)?),
        None => None,
    };
    let transport = Transport::from_env(plugin.transport_env, &var)?;
    Ok(Negotiated { plugin, protocol_version: PROTOCOL_VERSION, client_cert, debug: false, transport })
}

/// The line go-plugin reads from our stdout: `core|app|network|address|grpc|cert`, the network
/// `unix` (the address a socket path) or `tcp` (`127.0.0.1:PORT`). The cert field is empty
/// when serving plaintext.
pub fn handshake_line(protocol_version: u32, network: &str, address: &str, cert_base64: Option<&str>) -> String {
    format!("{CORE_PROTOCOL_VERSION}|{protocol_version}|{network}|{address}|grpc|{}", cert_base64.unwrap_or(""))
}

/// The `TF_REATTACH_PROVIDERS` value that points Terraform at a `-debug` server.
pub fn reattach_config(plugin: &Plugin, pid: u32, network: &str, address: &str) -> String {
    serde_json::json!({
        plugin.address: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": network, "String": address },
        }
    })
    .to_string()
}

/// Why serving failed.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("creating the plugin socket directory in {dir}: {source}")]
    SocketDir { dir: PathBuf, source: io::Error },
    #[error("listening on {path}: {source}")]
    Listen { path: PathBuf, source: io::Error },
    #[error("listening on TCP: {0}")]
    ListenTcp(io::Error),
    #[error("installing signal handlers: {0}")]
    Signals(io::Error),
    #[error("writing the handshake to stdout: {0}")]
    Stdout(io::Error),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("gRPC server: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// Serves `routes` (the provider service) plus go-plugin's controller and stdio services on a
/// fresh unix socket or TCP port, announces it on stdout, and returns once `shutdown` is notified (by
/// `GRPCController.Shutdown`, by SIGTERM, or by the caller) and in-flight calls have drained.
///
/// SIGINT is ignored, as go-plugin does: on Ctrl-C Terraform signals its whole process group,
/// then winds down its providers itself (StopProvider, Shutdown); dying early would turn a clean
/// cancel into "plugin exited" errors. In `-debug` mode Ctrl-C stops the server. On Windows the
/// same holds for the console's Ctrl-C and Ctrl-Break events.
///
/// `serve` should be the only waiter on `shutdown`; notify it with `notify_one`.
pub async fn serve(
    routes: tonic::service::Routes,
    negotiated: Negotiated,
    shutdown: Arc<Notify>,
) -> Result<(), ServeError> {
    let socket_base = std::env::var_os(SOCKET_DIR_ENV)
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let options = ServeOptions {
        socket_base,
        signals: true,
        drain_grace: DRAIN_GRACE,
        announce: Box::new(|text| {
            let mut out = io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()
        }),
    };
    serve_with(routes, negotiated, shutdown, options).await.map(|_| ())
}

/// How serving ended: all calls finished, or the drain grace ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Drained {
    Cleanly,
    GraceExpired,
}

/// Where to put the socket and how to announce it (tests capture the announcement).
struct ServeOptions {
    #[cfg_attr(not(unix), allow(dead_code))]
    socket_base: PathBuf,
    signals: bool,
    drain_grace: Duration,
    announce: Announce,
}

/// Writes the handshake line (or the debug instructions) where the client reads it.
type Announce = Box<dyn FnOnce(&str) -> io::Result<()> + Send>;

async fn serve_with(
    routes: tonic::service::Routes,
    negotiated: Negotiated,
    shutdown: Arc<Notify>,
    options: ServeOptions,
) -> Result<Drained, ServeError> {
    let (stop_tx, stop_rx) = watch::channel(false);

    // Signals first: Terraform may send SIGINT at any moment after starting us.
    let signals =
        if options.signals { Some(install_signals(negotiated.debug).map_err(ServeError::Signals)?) } else { None };

    let bound = Bound::new(&negotiated, &options.socket_base).await?;
    let (network, address) = (negotiated.transport.network(), bound.address.clone());
    tracing::debug!(network, address = address.as_str(), "plugin address");

    let (acceptor, cert_base64) = match &negotiated.client_cert {
        Some(client_cert) if !negotiated.debug => {
            let identity = ServerIdentity::generate()?;
            let config = identity.server_config(client_cert.clone())?;
            (Some(TlsAcceptor::from(config)), Some(identity.cert_base64()))
        }
        _ => (None, None),
    };

    let routes = routes
        .add_service(Controller::new(shutdown.clone()).into_server())
        .add_service(Stdio::new(stop_rx.clone()).into_server());

    let announcement = if negotiated.debug {
        debug_instructions(&negotiated.plugin, std::process::id(), network, &address)
    } else {
        handshake_line(negotiated.protocol_version, network, &address, cert_base64.as_deref()) + "\n"
    };
    (options.announce)(&announcement).map_err(ServeError::Stdout)?;

    // Anything that means "stop" flips the watch; the server, the stdio stream and the drain
    // timer all follow it.
    let stopper = tokio::spawn(async move {
        match signals {
            Some(mut signals) => tokio::select! {
                _ = shutdown.notified() => {}
                _ = signals.recv() => {}
            },
            None => shutdown.notified().await,
        }
        let _ = stop_tx.send(true);
    });

    let (conn_tx, conn_rx) = mpsc::channel::<io::Result<PluginConn>>(16);
    let acceptor_task = tokio::spawn(accept_loop(bound.listener, acceptor, conn_tx));

    let mut stopped = stop_rx.clone();
    let server = tonic::transport::Server::builder().add_routes(routes).serve_with_incoming_shutdown(
        ReceiverStream::new(conn_rx),
        async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        },
    );
    let mut grace = stop_rx;
    let result = tokio::select! {
        result = server => result.map(|()| Drained::Cleanly).map_err(ServeError::from),
        _ = async {
            let _ = grace.wait_for(|stop| *stop).await;
            tokio::time::sleep(options.drain_grace).await;
        } => {
            tracing::debug!("in-flight plugin calls did not finish in time; exiting anyway");
            Ok(Drained::GraceExpired)
        }
    };

    acceptor_task.abort();
    stopper.abort();
    // The listener lives in the accept task: closed once the task is gone.
    let _ = acceptor_task.await;
    #[cfg(unix)]
    drop(bound.socket_dir);
    result
}

fn debug_instructions(plugin: &Plugin, pid: u32, network: &str, address: &str) -> String {
    let config = reattach_config(plugin, pid, network, address);
    // Windows users run Terraform from PowerShell; elsewhere a POSIX shell.
    let assignment = if cfg!(windows) {
        format!("$env:TF_REATTACH_PROVIDERS='{}'", config.replace('\'', "''"))
    } else {
        format!("TF_REATTACH_PROVIDERS='{}'", config.replace('\'', r"'\''"))
    };
    format!(
        "Provider started in debug mode. To attach Terraform or OpenTofu, set this in the shell \
         where you run them:\n\n\t{assignment}\n\n\
         Press Ctrl-C to stop the provider.\n"
    )
}

/// Where the server listens, as bound.
struct Bound {
    listener: PluginListener,
    /// The handshake line's address: the socket's path, or `127.0.0.1:PORT`.
    address: String,
    /// The socket's private directory, removed when dropped.
    #[cfg(unix)]
    socket_dir: Option<SocketDir>,
}

impl Bound {
    #[cfg_attr(not(unix), allow(unused_variables))]
    async fn new(negotiated: &Negotiated, socket_base: &Path) -> Result<Self, ServeError> {
        let transport = &negotiated.transport;
        match transport {
            #[cfg(unix)]
            Transport::Unix => {
                let dir = SocketDir::create(socket_base, negotiated.plugin.name)?;
                let socket = dir.path.join("plugin.sock");
                let listener = tokio::net::UnixListener::bind(&socket)
                    .map_err(|source| ServeError::Listen { path: socket.clone(), source })?;
                Ok(Bound {
                    listener: PluginListener::Unix(listener),
                    address: socket.display().to_string(),
                    socket_dir: Some(dir),
                })
            }
            Transport::Tcp { ports } => {
                let listener = transport::bind_tcp(ports.clone()).await.map_err(ServeError::ListenTcp)?;
                let address = listener.local_addr().map_err(ServeError::ListenTcp)?.to_string();
                Ok(Bound {
                    listener: PluginListener::Tcp(listener),
                    address,
                    #[cfg(unix)]
                    socket_dir: None,
                })
            }
        }
    }
}

/// A bound listener of either transport.
enum PluginListener {
    #[cfg(unix)]
    Unix(tokio::net::UnixListener),
    Tcp(TcpListener),
}

impl PluginListener {
    async fn accept(&self) -> io::Result<Stream> {
        match self {
            #[cfg(unix)]
            PluginListener::Unix(listener) => listener.accept().await.map(|(stream, _)| Stream::Unix(stream)),
            PluginListener::Tcp(listener) => {
                let (stream, _) = listener.accept().await?;
                // gRPC writes a response in pieces: without this, Nagle's algorithm and delayed
                // ACKs stall each call ~40 ms on a kept-alive connection.
                if let Err(e) = stream.set_nodelay(true) {
                    tracing::debug!("setting TCP_NODELAY on a plugin connection: {e}");
                }
                Ok(Stream::Tcp(stream))
            }
        }
    }
}

/// Signals that stop the server: SIGTERM always, SIGINT only in debug mode. Registering the
/// SIGINT handler at all replaces the default "terminate" action for the rest of the process,
/// which is how it is ignored otherwise.
#[cfg(unix)]
struct StopSignals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    int_stops: bool,
}

#[cfg(unix)]
impl StopSignals {
    async fn recv(&mut self) {
        loop {
            tokio::select! {
                _ = self.term.recv() => return,
                _ = self.int.recv() => {
                    if self.int_stops {
                        return;
                    }
                    tracing::trace!("ignoring SIGINT; Terraform shuts the provider down itself");
                }
            }
        }
    }
}

#[cfg(unix)]
fn install_signals(debug: bool) -> io::Result<StopSignals> {
    use tokio::signal::unix::{signal, SignalKind};
    Ok(StopSignals { term: signal(SignalKind::terminate())?, int: signal(SignalKind::interrupt())?, int_stops: debug })
}

/// Console events that stop the server on Windows: Ctrl-C and Ctrl-Break, in debug mode only.
/// While a listener for them exists, Windows does not run its default handler (which ends the
/// process), which is how they are ignored otherwise, as go-plugin ignores `os.Interrupt`.
/// Terraform ends a plugin on Windows by `Shutdown` or by terminating the process: no SIGTERM.
#[cfg(windows)]
struct StopSignals {
    ctrl_c: tokio::signal::windows::CtrlC,
    ctrl_break: tokio::signal::windows::CtrlBreak,
    int_stops: bool,
}

#[cfg(windows)]
impl StopSignals {
    async fn recv(&mut self) {
        loop {
            tokio::select! {
                _ = self.ctrl_c.recv() => {}
                _ = self.ctrl_break.recv() => {}
            }
            if self.int_stops {
                return;
            }
            tracing::trace!("ignoring Ctrl-C; Terraform shuts the provider down itself");
        }
    }
}

#[cfg(windows)]
fn install_signals(debug: bool) -> io::Result<StopSignals> {
    use tokio::signal::windows::{ctrl_break, ctrl_c};
    Ok(StopSignals { ctrl_c: ctrl_c()?, ctrl_break: ctrl_break()?, int_stops: debug })
}

/// A private (0700) directory holding the socket; removed, socket and all, when dropped.
#[cfg(unix)]
struct SocketDir {
    path: PathBuf,
}

#[cfg(unix)]
impl SocketDir {
    fn create(base: &Path, plugin_name: &str) -> Result<Self, ServeError> {
        use std::os::unix::fs::DirBuilderExt as _;
        use std::sync::atomic::{AtomicU64, Ordering};
        use std::time::{SystemTime, UNIX_EPOCH};
        static COUNTER: AtomicU64 = AtomicU64::new(0);

        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let mut last_error = None;
        for _ in 0..16 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let name = format!("tf-provider-{plugin_name}-{}-{nanos:x}{n}", std::process::id());
            let path = base.join(name);
            match std::fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => return Ok(Self { path }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_error = Some(e),
                Err(source) => return Err(ServeError::SocketDir { dir: base.to_path_buf(), source }),
            }
        }
        Err(ServeError::SocketDir {
            dir: base.to_path_buf(),
            source: last_error.unwrap_or_else(|| io::Error::other("no free name")),
        })
    }
}

#[cfg(unix)]
impl Drop for SocketDir {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.path) {
            tracing::debug!("removing {}: {e}", self.path.display());
        }
    }
}

/// Accepts connections; with TLS, handshakes each in its own task so a slow or failed client
/// neither blocks the others nor ends the server.
async fn accept_loop(
    listener: PluginListener,
    acceptor: Option<TlsAcceptor>,
    conns: mpsc::Sender<io::Result<PluginConn>>,
) {
    loop {
        let stream = match listener.accept().await {
            Ok(stream) => stream,
            Err(e) => {
                // E.g. out of file descriptors: wait a little rather than spin.
                tracing::warn!("accepting a plugin connection: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Some(acceptor) = acceptor.clone() else {
            if conns.send(Ok(PluginConn::Plain(stream))).await.is_err() {
                return;
            }
            continue;
        };
        let conns = conns.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    let _ = conns.send(Ok(PluginConn::Tls(Box::new(tls)))).await;
                }
                Ok(Err(e)) => {
                    tracing::warn!("refused a connection on the plugin socket: TLS: {e}")
                }
                Err(_) => tracing::warn!("refused a connection on the plugin socket: TLS timeout"),
            }
        });
    }
}

/// One accepted connection, plaintext or TLS.
pub enum PluginConn {
    Plain(Stream),
    Tls(Box<TlsStream<Stream>>),
}

impl tonic::transport::server::Connected for PluginConn {
    type ConnectInfo = ();

    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for PluginConn {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            PluginConn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            PluginConn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for PluginConn {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            PluginConn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            PluginConn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            PluginConn::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            PluginConn::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            PluginConn::Plain(s) => s.is_write_vectored(),
            PluginConn::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            PluginConn::Plain(s) => Pin::new(s).poll_flush(cx),
            PluginConn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            PluginConn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            PluginConn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::tests::{p521_sign, P521_CERT_PEM};
    use base64::Engine as _;
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
    use rustls::sign::{CertifiedKey, Signer, SigningKey};
    use rustls::{DigitallySignedStruct, SignatureAlgorithm, SignatureScheme};
    use std::collections::HashMap;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    const NO_ARGS: [&str; 0] = [];

    /// A provider of the tests' own, so nothing here depends on the one this crate serves.
    const PLUGIN: Plugin = Plugin {
        name: "example",
        source: "example-org/example",
        address: "registry.terraform.io/example-org/example",
        transport_env: "EXAMPLE_PROVIDER_TRANSPORT",
    };

    #[test]
    fn cookie_missing_or_wrong_is_refused_with_instructions() {
        let missing = negotiate(PLUGIN, NO_ARGS, vars(&[])).unwrap_err();
        assert!(matches!(missing, HandshakeError::NotLaunchedByTerraform { .. }));
        let text = missing.to_string();
        assert!(text.contains("plugin"), "{text}");
        assert!(text.contains("not meant to be run directly"), "{text}");
        assert!(text.contains("terraform init"), "{text}");
        assert!(text.contains("-debug"), "{text}");

        let wrong = negotiate(PLUGIN, NO_ARGS, vars(&[(MAGIC_COOKIE_KEY, "nope")])).unwrap_err();
        assert!(matches!(wrong, HandshakeError::NotLaunchedByTerraform { .. }));
    }

    #[test]
    fn protocol_versions() {
        let with = |versions: Option<&str>| {
            let mut pairs = vec![(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)];
            if let Some(v) = versions {
                pairs.push(("PLUGIN_PROTOCOL_VERSIONS", v));
            }
            negotiate(PLUGIN, NO_ARGS, vars(&pairs))
        };
        for ok in [Some("6"), Some("5,6"), Some(" 5 , 6 "), Some("x,6"), Some(""), None] {
            let n = with(ok).unwrap_or_else(|e| panic!("{ok:?}: {e}"));
            assert_eq!(n.protocol_version, 6);
            assert!(n.client_cert.is_none());
            assert!(!n.debug);
        }
        let only_five = with(Some("5")).unwrap_err();
        assert!(matches!(
            &only_five,
            HandshakeError::UnsupportedProtocol { offered } if offered == "5"
        ));
        let text = only_five.to_string();
        assert!(text.contains("\"5\"") && text.contains("protocol 6"), "{text}");
    }

    #[test]
    fn client_cert_is_read_and_checked() {
        let n = negotiate(
            PLUGIN,
            NO_ARGS,
            vars(&[(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE), ("PLUGIN_CLIENT_CERT", P521_CERT_PEM)]),
        )
        .unwrap();
        assert!(n.client_cert.is_some());
        let bad = negotiate(
            PLUGIN,
            NO_ARGS,
            vars(&[(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE), ("PLUGIN_CLIENT_CERT", "garbage")]),
        );
        assert!(matches!(bad, Err(HandshakeError::ClientCert(_))));
    }

    #[test]
    fn debug_flag_needs_no_cookie() {
        let n = negotiate(PLUGIN, ["-debug"], vars(&[])).unwrap();
        assert!(n.debug && n.client_cert.is_none());
        assert_eq!(n, Negotiated::debug(PLUGIN, Transport::platform_default()));
        // `-debug` listens where asked too (on Windows, TCP is the only choice).
        let tcp = negotiate(PLUGIN, ["-debug"], vars(&[(PLUGIN.transport_env, "tcp")])).unwrap();
        assert_eq!(tcp, Negotiated::debug(PLUGIN, Transport::Tcp { ports: None }));
    }

    #[test]
    fn transport_comes_from_the_environment() {
        let cookie = (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE);
        let n = negotiate(PLUGIN, NO_ARGS, vars(&[cookie])).unwrap();
        assert_eq!(n.transport, Transport::platform_default());
        let n = negotiate(
            PLUGIN,
            NO_ARGS,
            vars(&[
                cookie,
                (PLUGIN.transport_env, "tcp"),
                (transport::MIN_PORT_ENV, "10000"),
                (transport::MAX_PORT_ENV, "25000"),
            ]),
        )
        .unwrap();
        assert_eq!(n.transport, Transport::Tcp { ports: Some(10000..=25000) });
        // A setting that cannot be served stops the start with its reason, as a bad
        // certificate does.
        let bad = negotiate(PLUGIN, NO_ARGS, vars(&[cookie, (PLUGIN.transport_env, "udp")])).unwrap_err();
        assert!(matches!(bad, HandshakeError::Transport(TransportError::Unknown { .. })), "{bad:?}");
        assert!(bad.to_string().contains("EXAMPLE_PROVIDER_TRANSPORT"), "{bad}");
    }

    #[test]
    fn handshake_line_format() {
        let path = "/tmp/tf-provider-posit-1/plugin.sock";
        assert_eq!(
            handshake_line(6, "unix", path, Some("MIIBabc")),
            "1|6|unix|/tmp/tf-provider-posit-1/plugin.sock|grpc|MIIBabc"
        );
        assert_eq!(handshake_line(6, "unix", path, None), "1|6|unix|/tmp/tf-provider-posit-1/plugin.sock|grpc|");
        // go-plugin's line on Windows: `listener.Addr().Network()` and `.String()`.
        assert_eq!(
            handshake_line(6, "tcp", "127.0.0.1:10000", Some("MIIBabc")),
            "1|6|tcp|127.0.0.1:10000|grpc|MIIBabc"
        );
    }

    #[test]
    fn reattach_config_format() {
        for (network, address) in [("unix", "/tmp/d/plugin.sock"), ("tcp", "127.0.0.1:10001")] {
            let json = reattach_config(&PLUGIN, 42, network, address);
            let v: serde_json::Value = serde_json::from_str(&json).unwrap();
            let p = &v["registry.terraform.io/example-org/example"];
            assert_eq!(p["Protocol"], "grpc");
            assert_eq!(p["ProtocolVersion"], 6);
            assert_eq!(p["Pid"], 42);
            assert_eq!(p["Test"], true);
            assert_eq!(p["Addr"]["Network"], network);
            assert_eq!(p["Addr"]["String"], address);
            let text = debug_instructions(&PLUGIN, 42, network, address);
            assert!(text.contains(&format!("TF_REATTACH_PROVIDERS='{json}'")), "{text}");
        }
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

    fn client_config(
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
        let mut config =
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_protocol_versions(versions)
                .unwrap()
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(PinnedServer(server_cert)))
                .with_client_cert_resolver(Arc::new(Always(Arc::new(client))));
        config.alpn_protocols = vec![b"h2".to_vec()];
        Arc::new(config)
    }

    fn go_plugin_like_client() -> CertifiedKey {
        let cert = tls::parse_client_cert_pem(P521_CERT_PEM).unwrap();
        CertifiedKey::new(vec![cert], Arc::new(P521Key))
    }

    fn stranger_client() -> CertifiedKey {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap().self_signed(&key).unwrap();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let signing = rustls::crypto::ring::sign::any_ecdsa_type(&key).unwrap();
        CertifiedKey::new(vec![cert.der().clone()], signing)
    }

    /// Minimal HTTP/2 + gRPC by hand: the crate has no gRPC client (servers only).
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

    /// Sends one unary gRPC call with an empty message and waits for the end of its response
    /// (a HEADERS or DATA frame on stream 1 carrying END_STREAM).
    async fn unary_empty_call<S>(stream: &mut S, path: &str)
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        open_stream(stream, path, true).await;
        loop {
            let mut head = [0u8; 9];
            stream.read_exact(&mut head).await.unwrap();
            let len = (usize::from(head[0]) << 16) | (usize::from(head[1]) << 8) | usize::from(head[2]);
            let (kind, flags) = (head[3], head[4]);
            let id = u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff;
            let mut payload = vec![0u8; len];
            stream.read_exact(&mut payload).await.unwrap();
            match kind {
                0x4 if flags & 0x1 == 0 => {
                    stream.write_all(&frame(0x4, 0x1, 0, &[])).await.unwrap(); // SETTINGS ACK
                    stream.flush().await.unwrap();
                }
                0x3 if id == 1 => panic!("stream reset: {payload:?}"),
                0x0 | 0x1 if id == 1 && flags & 0x1 != 0 => return,
                _ => {}
            }
        }
    }

    /// Opens an HTTP/2 connection and sends a gRPC request on stream 1: with `complete`, an
    /// empty message and END_STREAM; without, only the headers (a request still in flight).
    async fn open_stream<S>(stream: &mut S, path: &str, complete: bool)
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
        if complete {
            out.extend(frame(0x0, 0x1, 1, &[0, 0, 0, 0, 0])); // DATA: empty message, END_STREAM
        }
        stream.write_all(&out).await.unwrap();
        stream.flush().await.unwrap();
    }

    /// Sends a PING and reads the server's frames until its acknowledgement.
    async fn ping_round_trip<S>(stream: &mut S)
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

    /// Keeps answering the server (SETTINGS and PING acks) until it closes the connection, as
    /// a real client does while the server drains.
    async fn read_until_closed<S>(mut stream: S)
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        loop {
            let Some((head, payload)) = read_frame(&mut stream).await else { return };
            let ack = match (head[3], head[4] & 0x1) {
                (0x4, 0) => frame(0x4, 0x1, 0, &[]),
                (0x6, 0) => frame(0x6, 0x1, 0, &payload),
                _ => continue,
            };
            if stream.write_all(&ack).await.is_err() || stream.flush().await.is_err() {
                return;
            }
        }
    }

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

    /// The environment Terraform gives a plugin, with the transport forced when `tcp`.
    fn go_plugin_env<'a>(tcp: bool, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut pairs = vec![
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "5,6"),
            // What Terraform's go-plugin client always sends; only TCP uses them.
            (transport::MIN_PORT_ENV, "10000"),
            (transport::MAX_PORT_ENV, "25000"),
        ];
        if tcp {
            pairs.push((PLUGIN.transport_env, "tcp"));
        }
        pairs.extend_from_slice(extra);
        pairs
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
        let negotiated =
            negotiate(PLUGIN, NO_ARGS, vars(&go_plugin_env(tcp, &[("PLUGIN_CLIENT_CERT", P521_CERT_PEM)]))).unwrap();
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
        let mut tls12 = pinned12.connect(localhost.clone(), conn).await.unwrap();
        assert_eq!(tls12.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
        // An unregistered method answers Unimplemented (trailers only), ending the stream.
        unary_empty_call(&mut tls12, "/tfplugin6.Provider/GetProviderSchema").await;
        let tls12 = tokio::spawn(read_until_closed(tls12));

        // The go-plugin-shaped client (P-521 key, TLS 1.3) gets h2 and can shut us down.
        let pinned = tokio_rustls::TlsConnector::from(client_config(
            server_cert,
            go_plugin_like_client(),
            &[&rustls::version::TLS13],
        ));
        let conn = running.connect().await;
        let mut tls = pinned.connect(localhost, conn).await.unwrap();
        assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
        unary_empty_call(&mut tls, "/plugin.GRPCController/Shutdown").await;
        tokio::spawn(read_until_closed(tls));
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
        let negotiated = negotiate(PLUGIN, NO_ARGS, vars(&go_plugin_env(tcp, &[]))).unwrap();
        let running = start(negotiated, Duration::from_secs(10)).await;
        assert!(running.cert.is_none());
        let mut conn = running.connect().await;
        // go-plugin's client opens the stdio stream first and keeps it open.
        let mut stdio = running.connect().await;
        open_stream(&mut stdio, "/plugin.GRPCStdio/StreamStdio", true).await;
        let stdio = tokio::spawn(read_until_closed(stdio));
        unary_empty_call(&mut conn, "/plugin.GRPCController/Shutdown").await;
        tokio::spawn(read_until_closed(conn));
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
        let negotiated = negotiate(PLUGIN, NO_ARGS, vars(&go_plugin_env(tcp, &[]))).unwrap();
        let running = start(negotiated, Duration::from_millis(200)).await;
        let mut stuck = running.connect().await;
        // A call whose request body never arrives stays in flight.
        open_stream(&mut stuck, "/plugin.GRPCController/Shutdown", false).await;
        // The server reads a connection's frames in order: once it answers a PING sent after the
        // HEADERS, the call is in flight (else it could stop cleanly instead of waiting out the
        // grace).
        ping_round_trip(&mut stuck).await;
        running.shutdown.notify_one();
        finish(running, Drained::GraceExpired).await;
        drop(stuck);
    }
}
