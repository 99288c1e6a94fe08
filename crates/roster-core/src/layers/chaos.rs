use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::{around_directory, Around, CallInfo};
use crate::error::{DirectoryError, ErrorClass, ErrorKind, Operation, Result};

/// One kind of injected failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChaosFault {
    /// 429 with a `retry_after`; nothing applied.
    RateLimited,
    /// 503; nothing applied.
    Unavailable,
    /// A timeout before the request left; nothing applied.
    TimeoutBeforeSend,
    /// The call is applied, then its reply is lost: a timeout after sending.
    TimeoutAfterApply,
}

impl ChaosFault {
    /// Every kind, in a fixed order.
    pub const ALL: [ChaosFault; 4] = [
        ChaosFault::RateLimited,
        ChaosFault::Unavailable,
        ChaosFault::TimeoutBeforeSend,
        ChaosFault::TimeoutAfterApply,
    ];
}

/// What the chaos layer injects.
#[derive(Clone, Debug)]
pub struct ChaosConfig {
    /// Fraction of calls that fail, 0.0 to 1.0.
    pub fault_rate: f64,
    /// Seed: the same seed and the same call sequence give the same faults.
    pub seed: u64,
    /// The kinds to draw from, uniformly.
    pub faults: Vec<ChaosFault>,
    /// The `retry_after` a rate-limit fault carries.
    pub retry_after: Duration,
}

impl ChaosConfig {
    /// Every fault kind at `fault_rate`, seeded.
    pub fn new(fault_rate: f64, seed: u64) -> Self {
        Self {
            fault_rate,
            seed,
            faults: ChaosFault::ALL.to_vec(),
            retry_after: Duration::from_millis(5),
        }
    }
}

/// Seeded fault injection for tests: fails a fraction of calls the way real sites fail.
///
/// A fault after the call was applied is Ambiguous for creates and deletes (the write may have
/// happened and repeating it is not safe) and Temporary for everything else (full-record
/// updates and membership changes are safe to repeat).
pub struct Chaos<D> {
    inner: D,
    config: ChaosConfig,
    rng: Mutex<SmallRng>,
}

impl<D> Chaos<D> {
    /// Injects faults into calls to `inner`.
    pub fn new(inner: D, config: ChaosConfig) -> Self {
        let rng = Mutex::new(SmallRng::seed_from_u64(config.seed));
        Self { inner, config, rng }
    }

    /// The wrapped directory.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    fn draw(&self) -> Option<ChaosFault> {
        if self.config.faults.is_empty() {
            return None;
        }
        let mut rng = self.rng.lock().expect("chaos rng");
        if rng.random::<f64>() >= self.config.fault_rate {
            return None;
        }
        Some(self.config.faults[rng.random_range(0..self.config.faults.len())])
    }
}

fn class_after_apply(operation: Operation) -> ErrorClass {
    match operation {
        Operation::CreateUser
        | Operation::DeleteUser
        | Operation::CreateGroup
        | Operation::DeleteGroup
        | Operation::ApplyBatch => ErrorClass::Ambiguous,
        _ => ErrorClass::Temporary,
    }
}

impl<D: Send + Sync> Around for Chaos<D> {
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
        let fault = self.draw();
        async move {
            let op = call.operation;
            let injected = match fault {
                None => return run().await,
                Some(ChaosFault::RateLimited) => DirectoryError::new(ErrorKind::RateLimited {
                    retry_after: Some(self.config.retry_after),
                }),
                Some(ChaosFault::Unavailable) => DirectoryError::new(ErrorKind::Server {
                    status: 503,
                    body: "injected: service unavailable".into(),
                }),
                Some(ChaosFault::TimeoutBeforeSend) => DirectoryError::new(ErrorKind::Timeout {
                    request_sent: false,
                }),
                Some(ChaosFault::TimeoutAfterApply) => {
                    run().await?;
                    DirectoryError::new(ErrorKind::Timeout { request_sent: true })
                        .with_class(class_after_apply(op))
                }
            };
            Err(injected.in_operation(op))
        }
    }
}

around_directory!(Chaos);
