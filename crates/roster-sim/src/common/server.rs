use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::counters::Counters;
use super::knobs::{knobs_layer, Knobs};

/// A running simulator on an ephemeral loopback port. Dropping the handle stops the server.
pub struct SimHandle<S> {
    url: String,
    addr: SocketAddr,
    state: Arc<S>,
    counters: Counters,
    knobs: Arc<Knobs>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl<S: Send + Sync + 'static> SimHandle<S> {
    /// Serves `router` (with the knobs in front of it) on `127.0.0.1:0`. `base_path` is
    /// appended to `http://127.0.0.1:PORT` to make [`SimHandle::url`] (for example `/club`
    /// for an AMS site, or `""`).
    pub async fn serve(
        router: Router,
        state: Arc<S>,
        counters: Counters,
        knobs: Arc<Knobs>,
        base_path: &str,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let app = router.layer(axum::middleware::from_fn_with_state(
            knobs.clone(),
            knobs_layer,
        ));
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(error) = serve.await {
                tracing::warn!(%error, "simulator server stopped with an error");
            }
        });
        Ok(Self {
            url: format!("http://{addr}{base_path}"),
            addr,
            state,
            counters,
            knobs,
            shutdown: Some(tx),
        })
    }

    /// The base URL clients use, e.g. `http://127.0.0.1:41234/club`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The loopback address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The simulator's state, for tests to inspect or change.
    pub fn state(&self) -> &Arc<S> {
        &self.state
    }

    /// Per-endpoint request counters.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Latency, rate limit and fault knobs, adjustable while the server runs.
    pub fn knobs(&self) -> &Knobs {
        &self.knobs
    }
}

impl<S> Drop for SimHandle<S> {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
