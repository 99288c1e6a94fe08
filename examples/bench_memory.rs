//! Memory of an export: `roster users list periscope -o csv` of N users (default 1,000,000)
//! from a Periscope simulator in this process, run as a child process whose peak resident
//! memory is set against the size of the CSV it writes.
//!
//! ```sh
//! cargo build --release --bin roster --examples
//! cargo run --release --example bench_memory -- [--scale USERS]
//! ```
//!
//! The figures are reported, never asserted: the run fails only when the export fails or
//! does not hold every user.

mod support;

use std::time::Instant;

use roster::sim::periscope::PeriscopeSim;
use roster::sim::SimOptions;
use support::child::measure;
use support::cli::{periscope_config, roster, SITE};
use support::{args::Args, fail, mib, ms, table, times};

const USAGE: &str = "usage: bench_memory [--scale USERS]";

#[tokio::main]
async fn main() {
    support::child::serve_if_asked();
    let args = Args::parse(USAGE);
    let n = args.scale(1_000_000);
    println!("memory: `roster users list {SITE} -o csv` of {n} users, in a child process");
    let started = Instant::now();
    let sim = PeriscopeSim::start(SimOptions {
        users: n,
        ..SimOptions::default()
    })
    .await
    .unwrap_or_else(|error| fail(format!("the simulator did not start: {error}")));
    println!(
        "the simulator holds {n} users (started in {})",
        ms(started.elapsed())
    );
    let dir = tempfile::tempdir().unwrap_or_else(|error| fail(error));
    let config = periscope_config(dir.path(), &sim);

    let command = roster(&config, &["users", "list", SITE, "-o", "csv"]);
    let run = tokio::task::spawn_blocking(move || measure(command))
        .await
        .expect("the measuring thread ends")
        .unwrap_or_else(|error| fail(format!("roster did not run: {error}")));
    if run.code != Some(0) {
        fail(format!(
            "roster users list exited with {:?}: {}",
            run.code, run.stderr
        ));
    }
    // Every user (the administrator included) and a header row; each row is one line here.
    let listed = sim.state().users().len();
    if run.stdout_lines != listed as u64 + 1 {
        fail(format!(
            "the export has {} lines for {listed} users",
            run.stdout_lines
        ));
    }
    table::print(
        "roster users list -o csv",
        &[
            "users",
            "output",
            "peak RSS (child)",
            "peak / output",
            "wall",
        ],
        vec![vec![
            listed.to_string(),
            mib(run.stdout_bytes),
            mib(run.peak_rss),
            times(run.peak_rss as f64 / run.stdout_bytes.max(1) as f64),
            ms(run.wall),
        ]],
    );
    println!("\ntarget: peak memory within a few times the size of the output");
}
