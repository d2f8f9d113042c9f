//! A stand-in for Posit Connect's OAuth integrations and content API.
//!
//! The fake is stateful and in memory. It serves the provider's end-to-end tests (which are
//! synchronous, hence [`FakeConnect::spawn`] running the server on its own thread) and the
//! `fake-connect` binary used for demos and benchmarks (hence [`FakeConnect::serve`] for callers
//! that already have a runtime). Its behaviour follows Connect's as the provider's docs describe
//! it (`docs/resources/connect_oauth_integration.md`, and the answer shapes recorded in
//! `tests/fixtures/connect/`, whose README names the public recordings); where those leave a gap
//! the fake is strict, so a client that works against it is less likely to lean on something a
//! real server does not do.
//!
//! It also answers the lookups of users and groups (`GET /v1/users`, `/v1/groups` and each by
//! guid, see `principals.rs`): the API keys' own users ([`Store::ADMIN_USER_GUID`],
//! [`Store::PUBLISHER_USER_GUID`]) and those a test adds with [`Store::add_user`] and
//! [`Store::add_group`]. An integration's permissions must name users and groups it knows.
//!
//! It serves content as code too (see `content.rs` and the `content_*.rs` modules): content
//! items (`GET`/`POST /v1/content`, `GET`/`PATCH /v1/content/{guid}`), their permissions
//! (`/v1/content/{guid}/permissions[/{id}]`), vanity path (`/v1/content/{guid}/vanity`) and
//! environment variables (`/v1/content/{guid}/environment`). An administrator's key may do
//! everything; a publisher's key sees the content its user owns or has a permission on, changes
//! what it owns or collaborates on, and gets 403 on every change to OAuth integrations. Behind
//! the API a test can make content of another owner ([`Store::add_content_owned_by`]), delete it
//! ([`Store::remove_content`]) and edit it ([`Store::edit_content`],
//! [`Store::set_content_permission`], [`Store::set_content_vanity`],
//! [`Store::set_content_env`]), and read what the API never returns ([`Store::content_env`]'s
//! values).
//!
//! For tests of clients under stress, a server can inject [`Fault`]s (429/503 with
//! `Retry-After`, delays, connections dropped after acting, oversized answers) and serve HTTPS
//! with a given certificate ([`FakeConnect::spawn_with`]).
//!
//! With `FAKE_CONNECT_EXCHANGES` ([`EXCHANGES_ENV`]) naming a directory, every server writes each
//! exchange it serves there, for the contract test against Posit's published OpenAPI document
//! (see `exchanges.rs`).
//!
//! ```no_run
//! use fake_connect::{FakeConnect, Options};
//! let server = FakeConnect::spawn(Options::new("admin-key"));
//! let url = format!("{}/__api__/v1/oauth/integrations", server.url());
//! // ... drive a client against `url`, then look behind the API:
//! assert!(server.store().is_empty());
//! ```

mod api;
mod catalog;
mod clock;
mod content;
mod content_environment;
mod content_permissions;
mod content_vanity;
mod directory;
mod errors;
mod exchanges;
mod faults;
mod listener;
mod middleware;
mod permissions;
mod principals;
mod profiles;
mod rules;
mod state;
mod store;
mod templates;
mod vanity_paths;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

pub use exchanges::EXCHANGES_ENV;
pub use faults::{Fault, FaultAction, Faults};
pub use listener::TlsIdentity;
pub use profiles::Profile;
pub use store::{RecordedRequest, Store, DEFAULT_SERVER_VERSION};

/// How a fake server behaves.
#[derive(Clone, Debug)]
pub struct Options {
    /// The administrator's API key: may do everything.
    pub admin_key: String,
    /// A publisher's API key (its user is [`Store::PUBLISHER_USER_GUID`]): may list and read,
    /// create content and change the content its user owns or collaborates on; gets 403 on
    /// other changes.
    pub publisher_key: Option<String>,
    /// Added before every answer, to make a slow server.
    pub latency: Duration,
}

impl Options {
    /// An administrator key alone, no publisher, no latency.
    pub fn new(admin_key: impl Into<String>) -> Options {
        Options { admin_key: admin_key.into(), publisher_key: None, latency: Duration::ZERO }
    }
}

/// A running fake server. Dropping it stops the server and closes its open connections.
pub struct FakeConnect {
    url: String,
    store: Store,
    faults: Faults,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for FakeConnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeConnect").field("url", &self.url).finish_non_exhaustive()
    }
}

impl FakeConnect {
    /// Starts a server on 127.0.0.1 with an OS-chosen port, on its own tokio runtime in a
    /// background thread, so synchronous tests can use it.
    ///
    /// The socket is bound and listening before this returns, so connections made right away
    /// wait in the backlog instead of being refused.
    ///
    /// # Panics
    /// When no loopback port can be bound or the runtime cannot start: nothing a test could do
    /// about either.
    pub fn spawn(opts: Options) -> FakeConnect {
        FakeConnect::spawn_with(opts, None)
    }

    /// Like [`FakeConnect::spawn`], serving HTTPS with `tls` when given (the URL is then
    /// `https://127.0.0.1:PORT`, so the certificate must name 127.0.0.1).
    ///
    /// # Panics
    /// Also when `tls` holds no usable certificate and key.
    pub fn spawn_with(opts: Options, tls: Option<TlsIdentity>) -> FakeConnect {
        let acceptor = tls.map(|t| t.acceptor().expect("fake-connect: a usable TLS certificate and key"));
        let scheme = if acceptor.is_some() { "https" } else { "http" };
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("fake-connect: bind a port on 127.0.0.1");
        listener.set_nonblocking(true).expect("fake-connect: make the listener non-blocking");
        let addr = listener.local_addr().expect("fake-connect: read the bound address");
        let store = Store::new();
        let server_store = store.clone();
        let faults = Faults::new();
        let server_faults = faults.clone();
        let (shutdown, stop) = oneshot::channel::<()>();
        // Rust's test harness names each test's thread after the test: the record says which
        // test made these exchanges.
        let test = std::thread::current().name().map(str::to_string);

        let thread = std::thread::Builder::new()
            .name(format!("fake-connect-{}", addr.port()))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("fake-connect: start a tokio runtime");
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("fake-connect: hand the listener to tokio");
                    tokio::select! {
                        result = serve_on(listener, opts, server_store, server_faults, acceptor, test) => {
                            if let Err(e) = result {
                                eprintln!("fake-connect: server stopped: {e}");
                            }
                        }
                        // Fires on an explicit stop and when the sender is dropped.
                        _ = stop => {}
                    }
                });
                // Dropping the runtime here cancels the connection tasks still open: a stop
                // does not wait for idle keep-alive connections of clients that live on.
                drop(runtime);
            })
            .expect("fake-connect: start the server thread");

        FakeConnect { url: format!("{scheme}://{addr}"), store, faults, shutdown: Some(shutdown), thread: Some(thread) }
    }

    /// Serves the API on `listener` inside the current runtime, until the future is dropped or
    /// the listener fails. `store` is the state to serve (pass a clone to keep a handle on it).
    pub async fn serve(listener: tokio::net::TcpListener, opts: Options, store: Store) -> std::io::Result<()> {
        serve_on(listener, opts, store, Faults::new(), None, None).await
    }

    /// Like [`FakeConnect::serve`], with faults to inject (settable while it serves, through
    /// a clone of `faults`) and HTTPS with `tls` when given.
    pub async fn serve_with(
        listener: tokio::net::TcpListener,
        opts: Options,
        store: Store,
        faults: Faults,
        tls: Option<TlsIdentity>,
    ) -> std::io::Result<()> {
        let acceptor = tls.map(|t| t.acceptor()).transpose()?;
        serve_on(listener, opts, store, faults, acceptor, None).await
    }

    /// The server's base URL, `http://127.0.0.1:PORT` (or `https://`), without a trailing slash.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The server's faults: set them to make it misbehave, clear them to make it behave.
    pub fn faults(&self) -> Faults {
        self.faults.clone()
    }

    /// A handle on the server's state, shared with the server.
    pub fn store(&self) -> Store {
        self.store.clone()
    }
}

async fn serve_on(
    listener: tokio::net::TcpListener,
    opts: Options,
    store: Store,
    faults: Faults,
    tls: Option<tokio_rustls::TlsAcceptor>,
    test: Option<String>,
) -> std::io::Result<()> {
    let recorder = exchanges::Recorder::from_env(listener.local_addr()?.port(), test);
    let https = tls.is_some();
    let state = state::AppState { store, opts: Arc::new(opts), faults, recorder, https };
    let listener = listener::FaultListener::new(listener, tls)?;
    let app = api::router(state).into_make_service_with_connect_info::<listener::Conn>();
    axum::serve(listener, app).await
}

impl Drop for FakeConnect {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic on the server thread has already been printed; panicking again in a drop
            // would only hide the test's own failure.
            let _ = thread.join();
        }
    }
}
