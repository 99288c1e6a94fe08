use std::future::Future;
use std::num::NonZeroU32;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use super::{around_directory, Around, CallInfo};
use crate::error::Result;

/// At most a given number of calls per second to the wrapped directory (a token bucket whose
/// burst equals the rate). Each attempt of a retried call counts.
pub struct Throttle<D> {
    inner: D,
    limiter: DefaultDirectRateLimiter,
}

impl<D> Throttle<D> {
    /// Limits `inner` to `per_second` calls per second (0 is taken as 1).
    pub fn new(inner: D, per_second: u32) -> Self {
        let rate = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        Self {
            inner,
            limiter: RateLimiter::direct(Quota::per_second(rate)),
        }
    }

    /// The wrapped directory.
    pub fn inner(&self) -> &D {
        &self.inner
    }
}

impl<D: Send + Sync> Around for Throttle<D> {
    async fn around<'a, T, F, Fut>(&'a self, _call: CallInfo, run: F) -> Result<T>
    where
        F: FnOnce() -> Fut + Send + 'a,
        Fut: Future<Output = Result<T>> + Send + 'a,
        T: Send + 'a,
    {
        self.limiter.until_ready().await;
        run().await
    }
}

around_directory!(Throttle);
