use std::path::PathBuf;
use std::time::Duration;

/// How a simulator starts: its seed data and the knobs that make it slow or unreliable.
///
/// Every field has a neutral default (no latency, no faults, no rate limit), so
/// `SimOptions::default()` gives a fast, well-behaved server with a small seeded population.
#[derive(Clone, Debug)]
pub struct SimOptions {
    /// Seed for the generated people, tokens and fault decisions.
    pub seed: u64,
    /// How many generated users the site starts with (besides platform built-ins).
    pub users: usize,
    /// Fixed delay added to every response.
    pub latency: Duration,
    /// Extra random delay, uniform in `0..=jitter`, added to every response.
    pub jitter: Duration,
    /// Injected failures.
    pub faults: FaultOptions,
    /// Requests per second the site accepts before it answers the way the platform answers a
    /// rate limit; `None` = unlimited.
    pub rate_limit: Option<u32>,
    /// Page size for platforms that paginate; `None` = the platform's default.
    pub page_size: Option<usize>,
    /// Platform version to emulate where the spec names differences; `None` = the default.
    pub version: Option<String>,
    /// Load the initial state from this JSON file instead of generating it.
    pub state_file: Option<PathBuf>,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            seed: 42,
            users: 20,
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            faults: FaultOptions::default(),
            rate_limit: None,
            page_size: None,
            version: None,
            state_file: None,
        }
    }
}

/// Fault injection: each request fails with probability `rate`, with a kind drawn from `kinds`.
#[derive(Clone, Debug)]
pub struct FaultOptions {
    /// Fraction of requests that fail, from 0.0 to 1.0.
    pub rate: f64,
    /// The kinds to draw from, uniformly. Empty = every kind.
    pub kinds: Vec<FaultKind>,
    /// How long a `SlowResponse` stalls before it answers normally.
    pub slow_delay: Duration,
}

impl Default for FaultOptions {
    fn default() -> Self {
        Self {
            rate: 0.0,
            kinds: Vec::new(),
            slow_delay: Duration::from_secs(2),
        }
    }
}

/// One kind of injected failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// The platform's 5xx answer; the request is not processed.
    ServerError,
    /// The connection breaks before a complete response; the request is not processed.
    ConnectionReset,
    /// The response is delayed by `slow_delay`, then answered normally.
    SlowResponse,
    /// The request is processed (a write is applied), then the response is a 5xx.
    ApplyThenFail,
}

impl FaultKind {
    /// Every kind, in a fixed order.
    pub const ALL: [FaultKind; 4] = [
        FaultKind::ServerError,
        FaultKind::ConnectionReset,
        FaultKind::SlowResponse,
        FaultKind::ApplyThenFail,
    ];

    /// The kind's name in [`crate::common::Knobs::injected`].
    pub fn counter_name(self) -> &'static str {
        match self {
            FaultKind::ServerError => "server_error",
            FaultKind::ConnectionReset => "connection_reset",
            FaultKind::SlowResponse => "slow_response",
            FaultKind::ApplyThenFail => "apply_then_fail",
        }
    }
}
