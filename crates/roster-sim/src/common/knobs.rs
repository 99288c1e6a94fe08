use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::counters::Counters;
use super::options::{FaultKind, SimOptions};

/// The answers a platform gives when it is rate limited or failing; each simulator supplies
/// its own so the knobs stay wire-faithful.
#[derive(Clone, Copy)]
pub struct FaultResponses {
    /// The platform's rate-limit answer, given how long the client should wait.
    pub rate_limited: fn(Duration) -> Response,
    /// The platform's server-error answer.
    pub server_error: fn() -> Response,
}

/// Latency, rate limit and fault injection, applied to every request of one simulator.
pub struct Knobs {
    latency: Duration,
    jitter: Duration,
    fault_rate_bits: AtomicU64,
    fault_kinds: Vec<FaultKind>,
    slow_delay: Duration,
    rng: Mutex<SmallRng>,
    limiter: Option<DefaultDirectRateLimiter>,
    responses: FaultResponses,
    injected: Counters,
}

impl Knobs {
    /// Knobs set from `options`, answering faults with `responses`.
    pub fn new(options: &SimOptions, responses: FaultResponses) -> Self {
        let kinds = if options.faults.kinds.is_empty() {
            FaultKind::ALL.to_vec()
        } else {
            options.faults.kinds.clone()
        };
        let limiter = options
            .rate_limit
            .and_then(std::num::NonZeroU32::new)
            .map(|rps| RateLimiter::direct(Quota::per_second(rps)));
        Self {
            latency: options.latency,
            jitter: options.jitter,
            fault_rate_bits: AtomicU64::new(options.faults.rate.clamp(0.0, 1.0).to_bits()),
            fault_kinds: kinds,
            slow_delay: options.faults.slow_delay,
            // A distinct stream from the seed data, so turning faults on does not change it.
            rng: Mutex::new(SmallRng::seed_from_u64(options.seed ^ 0xFA17_FA17)),
            limiter,
            responses,
            injected: Counters::default(),
        }
    }

    /// What the knobs did instead of (or besides) serving requests normally, by kind:
    /// `rate_limited`, `server_error`, `connection_reset`, `slow_response` and
    /// `apply_then_fail`. Endpoint counters do not see the first three, since those requests
    /// never reach a handler; chaos tests read this to report the faults they survived.
    pub fn injected(&self) -> &Counters {
        &self.injected
    }

    /// The fraction of requests that fail from now on (tests turn faults off to verify).
    pub fn set_fault_rate(&self, rate: f64) {
        self.fault_rate_bits
            .store(rate.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
    }

    /// The current fault fraction.
    pub fn fault_rate(&self) -> f64 {
        f64::from_bits(self.fault_rate_bits.load(Ordering::Relaxed))
    }

    fn delay(&self) -> Duration {
        if self.jitter.is_zero() {
            return self.latency;
        }
        let extra = self
            .rng
            .lock()
            .expect("knobs rng")
            .random_range(0..=self.jitter.as_micros() as u64);
        self.latency + Duration::from_micros(extra)
    }

    fn draw_fault(&self) -> Option<FaultKind> {
        let rate = self.fault_rate();
        if rate <= 0.0 {
            return None;
        }
        let mut rng = self.rng.lock().expect("knobs rng");
        if rng.random::<f64>() >= rate {
            return None;
        }
        Some(self.fault_kinds[rng.random_range(0..self.fault_kinds.len())])
    }

    fn rate_limit_wait(&self) -> Option<Duration> {
        let limiter = self.limiter.as_ref()?;
        limiter
            .check()
            .err()
            .map(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// The middleware every simulator router runs under (installed by [`super::SimHandle::serve`]).
pub async fn knobs_layer(
    State(knobs): State<Arc<Knobs>>,
    request: Request,
    next: Next,
) -> Response {
    let delay = knobs.delay();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(wait) = knobs.rate_limit_wait() {
        knobs.injected.hit("rate_limited");
        // Round up: a client that waits the advertised time must then get through.
        return (knobs.responses.rate_limited)(wait.max(Duration::from_millis(1)));
    }
    let fault = knobs.draw_fault();
    if let Some(kind) = fault {
        knobs.injected.hit(kind.counter_name());
    }
    match fault {
        None => next.run(request).await,
        Some(FaultKind::ServerError) => (knobs.responses.server_error)(),
        Some(FaultKind::ConnectionReset) => broken_response(),
        Some(FaultKind::SlowResponse) => {
            tokio::time::sleep(knobs.slow_delay).await;
            next.run(request).await
        }
        Some(FaultKind::ApplyThenFail) => {
            let _applied = next.run(request).await;
            (knobs.responses.server_error)()
        }
    }
}

/// A response whose body fails after the headers: the server drops the connection mid-reply,
/// which the client sees as a reset.
fn broken_response() -> Response {
    let failing = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected connection reset",
        ))
    });
    Response::new(Body::from_stream(failing))
}
