use std::future::Future;
use std::sync::Arc;

use tokio::sync::Semaphore;

use super::{around_directory, Around, CallInfo};
use crate::error::Result;

/// At most `limit` calls in flight to the wrapped directory, and optionally at most as many as
/// a global semaphore shared by several sites allows.
pub struct ConcurrencyLimit<D> {
    inner: D,
    site: Semaphore,
    global: Option<Arc<Semaphore>>,
}

impl<D> ConcurrencyLimit<D> {
    /// Limits `inner` to `limit` calls at once (0 is taken as 1), within `global` if given.
    pub fn new(inner: D, limit: usize, global: Option<Arc<Semaphore>>) -> Self {
        Self {
            inner,
            site: Semaphore::new(limit.max(1)),
            global,
        }
    }

    /// The wrapped directory.
    pub fn inner(&self) -> &D {
        &self.inner
    }
}

impl<D: Send + Sync> Around for ConcurrencyLimit<D> {
    async fn around<'a, T, F, Fut>(&'a self, _call: CallInfo, run: F) -> Result<T>
    where
        F: FnOnce() -> Fut + Send + 'a,
        Fut: Future<Output = Result<T>> + Send + 'a,
        T: Send + 'a,
    {
        // The site permit first, so a call waiting for its own site holds no global permit
        // that another site could use.
        let _site = self
            .site
            .acquire()
            .await
            .expect("site semaphore is never closed");
        let _global = match &self.global {
            Some(global) => Some(
                global
                    .acquire()
                    .await
                    .expect("global semaphore is never closed"),
            ),
            None => None,
        };
        run().await
    }
}

around_directory!(ConcurrencyLimit);
