use std::future::Future;
use std::time::Instant;

use tracing::Instrument;

use super::{around_directory, Around, CallInfo};
use crate::directory::UserDirectory;
use crate::error::Result;

/// One `tracing` span per call, with the site, the backend kind, the operation and the key the
/// call is about, and one event with its outcome and duration.
///
/// Only those fields are recorded: never arguments such as a new user's password or a patch's
/// values, so no secret can reach a log through this layer.
pub struct Traced<D> {
    inner: D,
}

impl<D> Traced<D> {
    /// Traces every call to `inner`.
    pub fn new(inner: D) -> Self {
        Self { inner }
    }

    /// The wrapped directory.
    pub fn inner(&self) -> &D {
        &self.inner
    }
}

impl<D: UserDirectory> Around for Traced<D> {
    fn around<'a, T, F, Fut>(
        &'a self,
        call: CallInfo,
        run: F,
    ) -> impl Future<Output = Result<T>> + Send + 'a
    where
        F: FnOnce() -> Fut + Send + 'a,
        Fut: Future<Output = Result<T>> + Send + 'a,
        T: Send + 'a,
    {
        let info = self.inner.describe();
        let span = tracing::info_span!(
            "directory",
            site = %info.site,
            backend = %info.kind,
            operation = %call.operation,
            key = call.key.as_deref().unwrap_or(""),
        );
        async move {
            let started = Instant::now();
            let result = run().await;
            let elapsed_ms = started.elapsed().as_millis() as u64;
            match &result {
                Ok(_) => tracing::debug!(elapsed_ms, "ok"),
                // The caller reports failures to people; here they are only traced.
                Err(error) => {
                    tracing::info!(elapsed_ms, class = ?error.class(), error = %error, "failed")
                }
            }
            result
        }
        .instrument(span)
    }
}

around_directory!(Traced);
