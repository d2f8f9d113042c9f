//! Serving Terraform once negotiated: bind the socket or port, announce it on stdout, serve the
//! provider with go-plugin's side services over mTLS (or plaintext), and stop on `Shutdown` or a
//! signal after in-flight calls drain.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch, Notify};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;

use super::negotiation::{handshake_line, reattach_config, Negotiated, Plugin};
use crate::controller::{Controller, Stdio};
use crate::tls::{ServerIdentity, TlsError};
use crate::transport::{self, Stream, Transport};

/// go-plugin honours this directory for its sockets (newer versions); so do we.
const SOCKET_DIR_ENV: &str = "PLUGIN_UNIX_SOCKET_DIR";
/// Longest a TLS handshake on one connection may take before we drop it.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// After shutdown begins, how long in-flight calls may take. go-plugin's client kills the
/// process 2 s after asking it to shut down, so finish (and clean up) before that.
const DRAIN_GRACE: Duration = Duration::from_millis(1500);

/// Why serving failed; [`crate::run::run`] prints it and exits 1.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The socket's private directory could not be made.
    #[error("creating the plugin socket directory in {dir}: {source}")]
    SocketDir {
        /// Where it was to be made (`PLUGIN_UNIX_SOCKET_DIR`, or the temporary directory).
        dir: PathBuf,
        /// Why not.
        source: io::Error,
    },
    /// The unix socket could not be bound.
    #[error("listening on {path}: {source}")]
    Listen {
        /// The socket's path.
        path: PathBuf,
        /// Why not.
        source: io::Error,
    },
    /// No TCP port of the range could be bound.
    #[error("listening on TCP: {0}")]
    ListenTcp(io::Error),
    /// The signal handlers could not be installed.
    #[error("installing signal handlers: {0}")]
    Signals(io::Error),
    /// The handshake line could not be written, so Terraform would never connect.
    #[error("writing the handshake to stdout: {0}")]
    Stdout(io::Error),
    /// The server's TLS could not be set up.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The gRPC server failed.
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
pub(super) enum Drained {
    Cleanly,
    GraceExpired,
}

/// Where to put the socket and how to announce it (tests capture the announcement).
pub(super) struct ServeOptions {
    #[cfg_attr(not(unix), allow(dead_code))]
    pub(super) socket_base: PathBuf,
    pub(super) signals: bool,
    pub(super) drain_grace: Duration,
    pub(super) announce: Announce,
}

/// Writes the handshake line (or the debug instructions) where the client reads it.
pub(super) type Announce = Box<dyn FnOnce(&str) -> io::Result<()> + Send>;

pub(super) async fn serve_with(
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

pub(super) fn debug_instructions(plugin: &Plugin, pid: u32, network: &str, address: &str) -> String {
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
enum PluginConn {
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
#[path = "serving_tests.rs"]
mod tests;
