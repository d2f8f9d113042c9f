//! Where the plugin listens: a unix socket (Linux, macOS) or TCP on 127.0.0.1 (Windows, and
//! anywhere on request), as go-plugin's server does.
//!
//! go-plugin picks the network by platform alone (`serverListener` in its `server.go`: TCP when
//! `runtime.GOOS == "windows"`, else a unix socket) and has no setting to force TCP elsewhere,
//! so the choice has a knob of each provider's own (its [`crate::handshake::Plugin`]'s
//! `transport_env`, e.g. `POSIT_PROVIDER_TRANSPORT`). Terraform's client accepts
//! either network on any platform: it dials whatever the handshake line names.
//!
//! For TCP, go-plugin's `PLUGIN_MIN_PORT`/`PLUGIN_MAX_PORT` bound the port: the first free port
//! of the range, tried in order, as go-plugin's `serverListener_tcp` does. Without them the
//! operating system chooses.

use std::io;
use std::ops::RangeInclusive;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// go-plugin's lower bound of the TCP port (Terraform's client sets both bounds).
pub(crate) const MIN_PORT_ENV: &str = "PLUGIN_MIN_PORT";
/// go-plugin's upper bound of the TCP port.
pub(crate) const MAX_PORT_ENV: &str = "PLUGIN_MAX_PORT";

/// How Terraform reaches the plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// A unix socket in a private directory.
    #[cfg(unix)]
    Unix,
    /// TCP on 127.0.0.1: a port of `ports` (`PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT`) when given,
    /// else one the operating system chooses.
    Tcp {
        /// The ports to try, in order.
        ports: Option<RangeInclusive<u16>>,
    },
}

/// A transport setting that cannot be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The variable names no transport.
    #[error("{env}={value:?} is not a transport this provider knows: use \"tcp\" or \"unix\", or unset it")]
    Unknown {
        /// The variable.
        env: &'static str,
        /// Its value.
        value: String,
    },
    /// `unix` where there are no unix sockets.
    #[error("{env}=unix: unix sockets are not available on this platform; use \"tcp\" or unset it")]
    UnixUnavailable {
        /// The variable.
        env: &'static str,
    },
    /// A port bound that is not a port number.
    #[error("{name}={value:?} is not a port number (0 to 65535)")]
    BadPort {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
    },
    /// `PLUGIN_MIN_PORT` above `PLUGIN_MAX_PORT`.
    #[error("{MIN_PORT_ENV} value of {min} is greater than {MAX_PORT_ENV} value of {max}")]
    EmptyPortRange {
        /// `PLUGIN_MIN_PORT`.
        min: u16,
        /// `PLUGIN_MAX_PORT`.
        max: u16,
    },
}

impl Transport {
    /// The platform's default (go-plugin's choice): a unix socket where there are unix sockets.
    pub fn platform_default() -> Self {
        #[cfg(unix)]
        {
            Transport::Unix
        }
        #[cfg(not(unix))]
        {
            Transport::Tcp { ports: None }
        }
    }

    /// Reads the provider's transport variable `env` (`tcp` or `unix`; unset or empty: the
    /// platform's default) and, for TCP, the port bounds, through `var`.
    pub fn from_env(env: &'static str, var: impl Fn(&str) -> Option<String>) -> Result<Self, TransportError> {
        let chosen = var(env).map(|v| v.trim().to_ascii_lowercase()).filter(|v| !v.is_empty());
        let transport = match chosen.as_deref() {
            None => Self::platform_default(),
            Some("tcp") => Transport::Tcp { ports: None },
            #[cfg(unix)]
            Some("unix") => Transport::Unix,
            #[cfg(not(unix))]
            Some("unix") => return Err(TransportError::UnixUnavailable { env }),
            Some(_) => return Err(TransportError::Unknown { env, value: var(env).unwrap_or_default() }),
        };
        match transport {
            Transport::Tcp { .. } => Ok(Transport::Tcp { ports: port_range(&var)? }),
            #[cfg(unix)]
            Transport::Unix => Ok(transport),
        }
    }

    /// The network name of the handshake line and of `TF_REATTACH_PROVIDERS`.
    pub fn network(&self) -> &'static str {
        match self {
            #[cfg(unix)]
            Transport::Unix => "unix",
            Transport::Tcp { .. } => "tcp",
        }
    }
}

/// `PLUGIN_MIN_PORT`/`PLUGIN_MAX_PORT`, read as go-plugin does: an unset bound is 0, an
/// unparsable one or a minimum above the maximum is an error. `None` (both 0 or unset): the
/// operating system chooses.
fn port_range(var: &impl Fn(&str) -> Option<String>) -> Result<Option<RangeInclusive<u16>>, TransportError> {
    let bound = |name: &'static str| -> Result<u16, TransportError> {
        match var(name) {
            None => Ok(0),
            Some(v) if v.trim().is_empty() => Ok(0),
            Some(v) => v.trim().parse().map_err(|_| TransportError::BadPort { name, value: v }),
        }
    };
    let (min, max) = (bound(MIN_PORT_ENV)?, bound(MAX_PORT_ENV)?);
    if min > max {
        return Err(TransportError::EmptyPortRange { min, max });
    }
    if max == 0 {
        return Ok(None);
    }
    // Port 0 would mean "any port", outside the range asked for.
    Ok(Some(min.max(1)..=max))
}

/// Binds 127.0.0.1 on the first free port of `ports`, or on a port the system chooses.
pub(crate) async fn bind_tcp(ports: Option<RangeInclusive<u16>>) -> io::Result<TcpListener> {
    let Some(ports) = ports else {
        return TcpListener::bind(("127.0.0.1", 0)).await;
    };
    let (first, last) = (*ports.start(), *ports.end());
    let mut last_error = None;
    for port in ports {
        match TcpListener::bind(("127.0.0.1", port)).await {
            Ok(listener) => return Ok(listener),
            Err(e) => last_error = Some(e),
        }
    }
    let why = last_error.map(|e| e.to_string()).unwrap_or_else(|| "no port to try".into());
    Err(io::Error::new(
        io::ErrorKind::AddrInUse,
        format!("no free port on 127.0.0.1 between {first} and {last} ({MIN_PORT_ENV}, {MAX_PORT_ENV}): {why}"),
    ))
}

/// A connection on either transport: accepted by the server, or opened by a test's client.
pub(crate) enum Stream {
    #[cfg(unix)]
    Unix(tokio::net::UnixStream),
    Tcp(TcpStream),
}

#[cfg(test)]
impl Stream {
    /// Connects to an address as the handshake line names it (tests play Terraform's part).
    pub(crate) async fn connect(network: &str, address: &str) -> io::Result<Stream> {
        match network {
            #[cfg(unix)]
            "unix" => tokio::net::UnixStream::connect(address).await.map(Stream::Unix),
            "tcp" => {
                let stream = TcpStream::connect(address).await?;
                stream.set_nodelay(true)?;
                Ok(Stream::Tcp(stream))
            }
            other => Err(io::Error::new(io::ErrorKind::Unsupported, format!("network {other:?}"))),
        }
    }
}

macro_rules! each_stream {
    ($self:expr, $s:ident => $body:expr) => {
        match $self {
            #[cfg(unix)]
            Stream::Unix($s) => $body,
            Stream::Tcp($s) => $body,
        }
    };
}

impl AsyncRead for Stream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        each_stream!(self.get_mut(), s => Pin::new(s).poll_read(cx, buf))
    }
}

impl AsyncWrite for Stream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        each_stream!(self.get_mut(), s => Pin::new(s).poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        each_stream!(self.get_mut(), s => Pin::new(s).poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        each_stream!(self, s => s.is_write_vectored())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each_stream!(self.get_mut(), s => Pin::new(s).poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each_stream!(self.get_mut(), s => Pin::new(s).poll_shutdown(cx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const TRANSPORT_ENV: &str = "EXAMPLE_PROVIDER_TRANSPORT";

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn platform_default_is_go_plugins() {
        let t = Transport::from_env(TRANSPORT_ENV, vars(&[])).unwrap();
        assert_eq!(t, Transport::platform_default());
        assert_eq!(t.network(), if cfg!(unix) { "unix" } else { "tcp" });
        assert_eq!(Transport::from_env(TRANSPORT_ENV, vars(&[(TRANSPORT_ENV, " ")])).unwrap(), t);
    }

    #[test]
    fn tcp_is_selectable_and_reads_the_port_range() {
        let tcp = |extra: &[(&str, &str)]| {
            let mut pairs = vec![(TRANSPORT_ENV, "TCP")];
            pairs.extend_from_slice(extra);
            Transport::from_env(TRANSPORT_ENV, vars(&pairs))
        };
        assert_eq!(tcp(&[]).unwrap(), Transport::Tcp { ports: None });
        assert_eq!(tcp(&[]).unwrap().network(), "tcp");
        // Terraform's client always sends go-plugin's defaults.
        assert_eq!(
            tcp(&[(MIN_PORT_ENV, "10000"), (MAX_PORT_ENV, "25000")]).unwrap(),
            Transport::Tcp { ports: Some(10000..=25000) }
        );
        assert_eq!(tcp(&[(MIN_PORT_ENV, "0"), (MAX_PORT_ENV, "0")]).unwrap(), Transport::Tcp { ports: None });
        assert_eq!(tcp(&[(MAX_PORT_ENV, "7")]).unwrap(), Transport::Tcp { ports: Some(1..=7) });
        assert_eq!(
            tcp(&[(MIN_PORT_ENV, "30000"), (MAX_PORT_ENV, "20000")]).unwrap_err(),
            TransportError::EmptyPortRange { min: 30000, max: 20000 }
        );
        // As in go-plugin, a lone minimum leaves the maximum at 0.
        assert!(matches!(tcp(&[(MIN_PORT_ENV, "10000")]), Err(TransportError::EmptyPortRange { .. })));
        let bad = tcp(&[(MIN_PORT_ENV, "ten"), (MAX_PORT_ENV, "20")]).unwrap_err();
        assert!(bad.to_string().contains("PLUGIN_MIN_PORT=\"ten\""), "{bad}");
        assert!(matches!(tcp(&[(MAX_PORT_ENV, "70000")]), Err(TransportError::BadPort { .. })));
    }

    #[test]
    fn port_range_is_ignored_for_unix_sockets() {
        #[cfg(unix)]
        assert_eq!(
            Transport::from_env(
                TRANSPORT_ENV,
                vars(&[(TRANSPORT_ENV, "unix"), (MIN_PORT_ENV, "9"), (MAX_PORT_ENV, "1")])
            )
            .unwrap(),
            Transport::Unix
        );
        #[cfg(not(unix))]
        assert_eq!(
            Transport::from_env(TRANSPORT_ENV, vars(&[(TRANSPORT_ENV, "unix")])).unwrap_err(),
            TransportError::UnixUnavailable { env: TRANSPORT_ENV }
        );
    }

    #[test]
    fn unknown_transport_is_refused() {
        let err = Transport::from_env(TRANSPORT_ENV, vars(&[(TRANSPORT_ENV, "pipe")])).unwrap_err();
        assert_eq!(err, TransportError::Unknown { env: TRANSPORT_ENV, value: "pipe".into() });
        let text = err.to_string();
        assert!(text.contains("EXAMPLE_PROVIDER_TRANSPORT=\"pipe\"") && text.contains("\"tcp\""), "{text}");
    }

    #[tokio::test]
    async fn bind_tcp_takes_the_first_free_port_of_the_range() {
        // Find two adjacent free ports, occupy the first: the listener lands on the second.
        let (taken, port) = loop {
            let probe = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
            let port = probe.local_addr().unwrap().port();
            if port == u16::MAX {
                continue;
            }
            if let Ok(next) = TcpListener::bind(("127.0.0.1", port + 1)).await {
                drop(next);
                break (probe, port);
            }
        };
        let listener = bind_tcp(Some(port..=port + 1)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        assert_eq!(addr.ip(), std::net::Ipv4Addr::LOCALHOST);
        assert_eq!(addr.port(), port + 1);

        // The whole range taken: an error naming the range and the variables.
        let err = bind_tcp(Some(port..=port + 1)).await.unwrap_err();
        let text = err.to_string();
        assert!(text.contains(&format!("between {port} and {}", port + 1)), "{text}");
        assert!(text.contains("PLUGIN_MIN_PORT"), "{text}");
        drop((taken, listener));

        let any = bind_tcp(None).await.unwrap();
        assert!(any.local_addr().unwrap().ip().is_loopback());
        assert_ne!(any.local_addr().unwrap().port(), 0);
    }
}
