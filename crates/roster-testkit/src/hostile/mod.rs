//! Hostile servers: a loopback server that answers a backend with malformed, truncated,
//! wrong-typed, deeply nested, huge or endless responses, the proptest strategies that make
//! them, and the verdict on what the backend did with them.
//!
//! A backend's `tests/hostile_responses.rs` starts one [`HostileServer`], points a fresh
//! directory at it for each case, answers the endpoint under test with a generated
//! [`Reply`] (and the others correctly), runs the operation and [`check`]s the outcome: no
//! panic, an `Ok` only where the reply allows one, an error of a kind that fits the status,
//! and no secret in the error. [`oversized`] lists the replies that test the body size cap.
//!
//! Enabled by the `hostile` feature.

mod bodies;
mod server;
mod verdict;

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

pub use bodies::{
    arbitrary_bytes, body, broken_reply, content_type, deep_nesting, framed, json_value, long_text,
    mutated_sample, reply, status, truncated_sample, wrong_shape, Material,
};
pub use server::{Body, Framing, HostileServer, Reply, Request, ENDLESS_CEILING};
pub use verdict::{assert_refused_at_cap, check, quotes_no_secret, sensible, Sent};

/// A single-threaded runtime for one test: its server and its backend calls share it, and
/// everything the server spawned ends when it is dropped.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Runs `cases` generated replies against one [`HostileServer`]: nine in ten shaped after
/// `material` (any status, content type and framing), one in ten broken HTTP. Each reply is
/// installed with `answer`, then `operation` runs on the directory `directory` makes for the
/// server, and `verdict` judges the outcome against what was sent.
pub fn against_replies<D, T, F>(
    cases: u32,
    material: &Material,
    answer: impl Fn(&HostileServer, Reply),
    directory: impl Fn(&HostileServer) -> D,
    operation: impl Fn(D) -> F,
    verdict: impl Fn(&T, Sent) -> Result<(), TestCaseError>,
) where
    F: std::future::Future<Output = T>,
{
    let runtime = runtime();
    let server = runtime.block_on(HostileServer::start());
    let replies = proptest::prop_oneof![9 => reply(material), 1 => broken_reply()];
    explore(cases, replies, |reply| {
        let sent = Sent::of(&reply);
        answer(&server, reply);
        let outcome = runtime.block_on(operation(directory(&server)));
        verdict(&outcome, sent)
    });
}

/// The environment variable that overrides every test's case count, for a longer search
/// than CI affords.
pub const CASES_VARIABLE: &str = "ROSTER_HOSTILE_CASES";

/// Runs `case` on `cases` values of `strategy` (or as many as [`CASES_VARIABLE`] says); a
/// failure is shrunk to a minimal value and reported with it. Nothing is written to disk.
pub fn explore<S: Strategy>(
    cases: u32,
    strategy: S,
    case: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let cases = std::env::var(CASES_VARIABLE)
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(cases);
    // A fixed seed keeps CI repeatable; PROPTEST_RNG_SEED (read by `Config::default`) explores
    // other inputs.
    let defaults = Config::default();
    let rng_seed = match std::env::var_os("PROPTEST_RNG_SEED") {
        Some(_) => defaults.rng_seed,
        None => proptest::test_runner::RngSeed::Fixed(0x5EED_2026),
    };
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        rng_seed,
        ..defaults
    });
    if let Err(failure) = runner.run(&strategy, case) {
        panic!("{failure}");
    }
}

/// Replies whose bodies pass a cap of `cap` bytes, each named: a sized body of 16 × cap (the
/// `Content-Length` gives it away), a chunked one of the same size, a lying `Content-Length`
/// of a terabyte, and endless chunked and unframed bodies (only a reader that stops at the
/// cap returns at all).
pub fn oversized(cap: usize) -> Vec<(&'static str, Reply)> {
    let big = vec![b'x'; cap * 16];
    vec![
        ("sized", Reply::new(200, Body::Sized(big.clone()))),
        ("chunked", Reply::new(200, Body::Chunked(big))),
        (
            "announced",
            Reply::new(200, Body::Endless(Framing::Announced(1 << 40))),
        ),
        (
            "endless chunked",
            Reply::new(200, Body::Endless(Framing::Chunked)),
        ),
        (
            "endless unframed",
            Reply::new(200, Body::Endless(Framing::Unframed)),
        ),
        (
            "endless 503",
            Reply::new(503, Body::Endless(Framing::Chunked)),
        ),
    ]
}
