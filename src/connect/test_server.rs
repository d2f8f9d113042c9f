//! A tiny scripted HTTP/1.1 server over a tokio `TcpListener`, for tests that need exact
//! control over the answer (HTML error pages, truncated bodies, silence), which a faithful fake
//! Connect would never give.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub method: String,
    /// Path and query, as sent on the request line.
    pub target: String,
    /// Lower-cased names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

/// What to answer.
#[derive(Clone, Debug)]
pub(crate) enum Reply {
    /// A normal response: status, content type, body, extra headers.
    Full { status: u16, content_type: Option<&'static str>, body: Vec<u8>, headers: Vec<(&'static str, String)> },
    /// Announce `Content-Length: claimed` but send only `body`, then close.
    Truncated { claimed: usize, body: Vec<u8> },
    /// A JSON answer of this status without `Content-Length`, sent in chunks
    /// (`Transfer-Encoding: chunked`), so its size is known only by reading it.
    Chunked(u16, Vec<u8>),
    /// Read the request and never answer.
    Silence,
    /// Read the request, then close the connection without a word.
    Close,
    /// Wait, then give the reply.
    Delayed(Duration, Box<Reply>),
}

impl Reply {
    /// The reply with an extra header.
    pub(crate) fn with_header(self, name: &'static str, value: &str) -> Reply {
        match self {
            Reply::Full { status, content_type, body, mut headers } => {
                headers.push((name, value.to_owned()));
                Reply::Full { status, content_type, body, headers }
            }
            other => other,
        }
    }

    pub(crate) fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::Full {
            status,
            content_type: Some("application/json"),
            body: body.to_string().into_bytes(),
            headers: vec![],
        }
    }

    pub(crate) fn raw(status: u16, content_type: &'static str, body: &str) -> Reply {
        Reply::Full { status, content_type: Some(content_type), body: body.as_bytes().to_vec(), headers: vec![] }
    }

    pub(crate) fn empty(status: u16) -> Reply {
        Reply::Full { status, content_type: None, body: vec![], headers: vec![] }
    }
}

type Handler = dyn Fn(&Seen) -> Reply + Send + Sync;

pub(crate) struct TestServer {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// Serves every connection with `handler` until dropped.
    pub(crate) async fn spawn(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> TestServer {
        TestServer::spawn_with(None, handler).await
    }

    /// Like [`TestServer::spawn`], over TLS with `acceptor` when given (the URL is then
    /// `https://127.0.0.1:PORT`). A failed handshake is not a request: nothing is seen.
    pub(crate) async fn spawn_with(
        acceptor: Option<tokio_rustls::TlsAcceptor>,
        handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let scheme = if acceptor.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let task = tokio::spawn({
            let seen = seen.clone();
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let _ = stream.set_nodelay(true);
                    let (handler, seen, acceptor) = (handler.clone(), seen.clone(), acceptor.clone());
                    tokio::spawn(async move {
                        match acceptor {
                            Some(acceptor) => {
                                if let Ok(tls) = acceptor.accept(stream).await {
                                    serve(tls, handler, seen).await;
                                }
                            }
                            None => serve(stream, handler, seen).await,
                        }
                    });
                }
            }
        });
        TestServer { url, seen, task }
    }

    /// Answers the `n`th request (from 0) with `replies[n]`, and the last one from then on.
    pub(crate) async fn sequence(replies: Vec<Reply>) -> TestServer {
        let next = std::sync::atomic::AtomicUsize::new(0);
        TestServer::spawn(move |_| {
            let n = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            replies[n.min(replies.len() - 1)].clone()
        })
        .await
    }

    /// Always the same reply.
    pub(crate) async fn always(reply: Reply) -> TestServer {
        TestServer::spawn(move |_| reply.clone()).await
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, handler: Arc<Handler>, seen: Arc<Mutex<Vec<Seen>>>) {
    let Some(req) = read_request(&mut stream).await else {
        return;
    };
    seen.lock().unwrap().push(req.clone());
    let mut reply = handler(&req);
    while let Reply::Delayed(wait, then) = reply {
        tokio::time::sleep(wait).await;
        reply = *then;
    }
    let (head, body) = match reply {
        Reply::Full { status, content_type, body, headers } => {
            let mut head = format!("HTTP/1.1 {status} X\r\nconnection: close\r\ncontent-length: {}\r\n", body.len());
            if let Some(ct) = content_type {
                head.push_str(&format!("content-type: {ct}\r\n"));
            }
            for (n, v) in headers {
                head.push_str(&format!("{n}: {v}\r\n"));
            }
            (head, body)
        }
        Reply::Truncated { claimed, body } => (
            format!(
                "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-type: application/json\r\n\
                 content-length: {claimed}\r\n"
            ),
            body,
        ),
        Reply::Chunked(status, body) => {
            let head = format!(
                "HTTP/1.1 {status} X\r\nconnection: close\r\ncontent-type: application/json\r\n\
                 transfer-encoding: chunked\r\n\r\n"
            );
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            for chunk in body.chunks(4096) {
                let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
                if stream.write_all(&framed).await.is_err() {
                    return;
                }
            }
            let _ = stream.write_all(b"0\r\n\r\n").await;
            let _ = stream.shutdown().await;
            return;
        }
        Reply::Silence => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return;
        }
        Reply::Close => {
            let _ = stream.shutdown().await;
            return;
        }
        Reply::Delayed(..) => unreachable!("unwrapped above"),
    };
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(b"\r\n").await;
    let _ = stream.write_all(&body).await;
    let _ = stream.shutdown().await;
}

async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> Option<Seen> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Seen { method, target, headers, body })
}
