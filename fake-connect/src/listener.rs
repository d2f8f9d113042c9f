//! How the fake accepts connections: plain TCP or TLS with a given certificate, each connection
//! wrapped so that a fault can cut it (see [`crate::faults`]) before the answer is written.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// A certificate chain and its private key, both PEM, for serving HTTPS.
#[derive(Clone, Debug)]
pub struct TlsIdentity {
    /// The server's certificate first, then any intermediates.
    pub cert_chain_pem: String,
    /// The private key of the first certificate.
    pub key_pem: String,
}

impl TlsIdentity {
    pub(crate) fn acceptor(&self) -> io::Result<tokio_rustls::TlsAcceptor> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let invalid =
            |what: &str, e: &dyn std::fmt::Display| io::Error::new(io::ErrorKind::InvalidInput, format!("{what}: {e}"));
        let certs = CertificateDer::pem_slice_iter(self.cert_chain_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid("certificate PEM", &e))?;
        if certs.is_empty() {
            return Err(invalid("certificate PEM", &"no certificate"));
        }
        let key = PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes()).map_err(|e| invalid("key PEM", &e))?;
        let mut config =
            rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| invalid("TLS versions", &e))?
                .with_no_client_auth()
                .with_single_cert(certs, key)
                .map_err(|e| invalid("certificate and key", &e))?;
        // The fake speaks HTTP/1.1 only.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
    }
}

/// One accepted connection as handlers see it (through `ConnectInfo`): a switch that cuts it
/// before the answer is written.
#[derive(Clone, Debug)]
pub(crate) struct Conn {
    cut: Arc<AtomicBool>,
}

impl Conn {
    /// From now on every write fails, so the server drops the connection without answering.
    pub(crate) fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
    }
}

impl Connected<IncomingStream<'_, FaultListener>> for Conn {
    fn connect_info(stream: IncomingStream<'_, FaultListener>) -> Self {
        stream.remote_addr().clone()
    }
}

/// A plain or TLS stream.
pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

/// A stream whose writes fail once its [`Conn`] is cut.
pub(crate) struct FaultIo {
    stream: Stream,
    cut: Arc<AtomicBool>,
}

fn cut_error() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionReset, "fake-connect: connection cut by a fault")
}

impl AsyncRead for FaultIo {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match &mut self.stream {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for FaultIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.cut.load(Ordering::SeqCst) {
            return Poll::Ready(Err(cut_error()));
        }
        match &mut self.stream {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.cut.load(Ordering::SeqCst) {
            return Poll::Ready(Err(cut_error()));
        }
        match &mut self.stream {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.stream {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Accepts TCP connections (TLS handshakes run on their own tasks, so a slow client holds up
/// no one) and hands them to axum wrapped in [`FaultIo`].
pub(crate) struct FaultListener {
    ready: mpsc::Receiver<(FaultIo, Conn)>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultListener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultListener {
    pub(crate) fn new(listener: TcpListener, tls: Option<tokio_rustls::TlsAcceptor>) -> io::Result<FaultListener> {
        let (tx, ready) = mpsc::channel(64);
        let task = tokio::spawn(async move {
            loop {
                let (tcp, _) = match listener.accept().await {
                    Ok(accepted) => accepted,
                    Err(_) => {
                        // Out of file descriptors and the like: wait, as axum's own listener does.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                // Without TCP_NODELAY, a small answer written in two pieces can wait ~40 ms for
                // the client's delayed ACK (Nagle's algorithm).
                let _ = tcp.set_nodelay(true);
                let cut = Arc::new(AtomicBool::new(false));
                let conn = Conn { cut: cut.clone() };
                match &tls {
                    None => {
                        if tx.send((FaultIo { stream: Stream::Plain(tcp), cut }, conn)).await.is_err() {
                            return;
                        }
                    }
                    Some(acceptor) => {
                        let (acceptor, tx) = (acceptor.clone(), tx.clone());
                        tokio::spawn(async move {
                            let handshake = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await;
                            if let Ok(Ok(tls)) = handshake {
                                let io = FaultIo { stream: Stream::Tls(Box::new(tls)), cut };
                                let _ = tx.send((io, conn)).await;
                            }
                        });
                    }
                }
            }
        });
        Ok(FaultListener { ready, task })
    }
}

impl axum::serve::Listener for FaultListener {
    type Io = FaultIo;
    type Addr = Conn;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(accepted) => accepted,
            // The accepting task is gone: nothing more will come.
            None => std::future::pending().await,
        }
    }

    /// Only for axum's `Serve::local_addr`, which the fake does not use: a `Conn` has no address.
    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(Conn { cut: Arc::new(AtomicBool::new(false)) })
    }
}
