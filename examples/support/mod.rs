//! What the benchmark examples share: the simulated sites, the command line, the tables they
//! print and the peak memory of a child process.
//!
//! Each benchmark uses its own part of this module.
#![allow(dead_code)]

pub mod args;
pub mod child;
pub mod cli;
pub mod desired;
pub mod economy;
pub mod platforms;
pub mod table;

use std::time::Duration;

/// The latency every benchmark simulator adds to each answer, as the targets state it.
pub const LATENCY: Duration = Duration::from_millis(20);

/// Milliseconds, for tables.
pub fn ms(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1000.0)
}

/// Mebibytes, for tables.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// A ratio with two decimals, e.g. `1.07×`.
pub fn times(ratio: f64) -> String {
    format!("{ratio:.2}×")
}

/// Ends the benchmark with a functional failure: the message on stderr, exit code 1.
pub fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("FAILED: {message}");
    std::process::exit(1)
}
