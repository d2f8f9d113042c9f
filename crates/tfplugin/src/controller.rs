//! go-plugin's side services: `plugin.GRPCController` and `plugin.GRPCStdio`.
//!
//! Terraform's go-plugin client calls `GRPCController.Shutdown` when it is done with the
//! provider and waits briefly for the process to exit before killing it. It also opens
//! `GRPCStdio.StreamStdio` right after connecting to mirror the plugin's stdout/stderr.

use std::sync::Arc;

use tokio::sync::{mpsc, watch, Notify};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::proto::plugin::grpc_controller_server::{GrpcController, GrpcControllerServer};
use super::proto::plugin::grpc_stdio_server::{GrpcStdio, GrpcStdioServer};
use super::proto::plugin::{Empty, StdioData};

/// Answers `Shutdown` by notifying the server's shutdown signal.
#[derive(Debug, Clone)]
pub(crate) struct Controller {
    shutdown: Arc<Notify>,
}

impl Controller {
    pub(crate) fn new(shutdown: Arc<Notify>) -> Self {
        Self { shutdown }
    }

    pub(crate) fn into_server(self) -> GrpcControllerServer<Self> {
        GrpcControllerServer::new(self)
    }
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("plugin shutdown requested by Terraform");
        // `notify_one` keeps a permit if nobody is waiting yet, so the request is never lost.
        self.shutdown.notify_one();
        Ok(Response::new(Empty {}))
    }
}

/// `StreamStdio` that never carries data and ends when the server stops.
///
/// Our logs go to stderr directly (Terraform reads it), so there is nothing to mirror. Of the
/// two answers go-plugin's client accepts, `Unimplemented` logs a warning on every launch
/// ("stdio service not available"); an open stream that ends cleanly at shutdown is silent.
/// The stream must end when the server stops, or the graceful drain would wait on it forever.
#[derive(Debug, Clone)]
pub(crate) struct Stdio {
    stopping: watch::Receiver<bool>,
}

impl Stdio {
    /// `stopping` turns true when the server begins to shut down.
    pub(crate) fn new(stopping: watch::Receiver<bool>) -> Self {
        Self { stopping }
    }

    pub(crate) fn into_server(self) -> GrpcStdioServer<Self> {
        GrpcStdioServer::new(self)
    }
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    async fn stream_stdio(
        &self,
        _request: Request<Empty>,
    ) -> Result<Response<tonic::codegen::BoxStream<StdioData>>, Status> {
        let (tx, rx) = mpsc::channel::<Result<StdioData, Status>>(1);
        let mut stopping = self.stopping.clone();
        tokio::spawn(async move {
            // Hold the sender until shutdown (or until the client hangs up); dropping it ends
            // the stream with an OK status, which the client reads as EOF.
            tokio::select! {
                _ = stopping.wait_for(|stop| *stop) => {}
                _ = tx.closed() => {}
            }
            drop(tx);
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio_stream::StreamExt as _;

    #[tokio::test]
    async fn shutdown_notifies() {
        let notify = Arc::new(Notify::new());
        let controller = Controller::new(notify.clone());
        controller.shutdown(Request::new(Empty {})).await.unwrap();
        // The permit was stored even though nobody was waiting at the time.
        tokio::time::timeout(Duration::from_secs(1), notify.notified()).await.expect("shutdown was notified");
    }

    #[tokio::test]
    async fn stdio_stream_stays_open_until_stopping() {
        let (tx, rx) = watch::channel(false);
        let stdio = Stdio::new(rx);
        let mut stream = stdio.stream_stdio(Request::new(Empty {})).await.unwrap().into_inner();
        let early = tokio::time::timeout(Duration::from_millis(50), stream.next()).await;
        assert!(early.is_err(), "stream yielded before shutdown");
        tx.send(true).unwrap();
        let end =
            tokio::time::timeout(Duration::from_secs(1), stream.next()).await.expect("stream ended after shutdown");
        assert!(end.is_none());
    }
}
