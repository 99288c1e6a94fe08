//! Plan at a million users through the command line: `roster plan --desired users.csv --site
//! periscope` as a child process, the desired state a CSV file of N rows (default 1,000,000)
//! and the site a Periscope simulator in this process holding the same N users. 1 % of the rows
//! differ: every thousandth is a new user, every other hundredth has a new first name.
//!
//! ```sh
//! cargo build --release --bin roster --examples
//! cargo run --release --example bench_plan_cli -- [--scale USERS]
//! ```
//!
//! The wall time covers everything the command does: reading the configuration and the CSV,
//! listing the site over HTTP, planning and printing the plan. It is reported, never asserted;
//! the run fails only when the command fails or plans something else.

mod support;

use std::path::Path;
use std::time::Instant;

use roster::sim::periscope::{PeriscopeSim, PeriscopeUser};
use roster::sim::SimOptions;
use support::child::measure;
use support::cli::{periscope_config, roster, SITE};
use support::{args::Args, fail, mib, ms, table};

const USAGE: &str = "usage: bench_plan_cli [--scale USERS]";

/// What the desired state changes.
struct Changes {
    creates: usize,
    updates: usize,
}

/// Writes the site's users (the administrator among them) as the desired state, 1 % of the
/// rows changed.
fn write_desired(path: &Path, users: &[PeriscopeUser]) -> std::io::Result<Changes> {
    let mut writer = csv::Writer::from_path(path)?;
    writer.write_record(["email", "first_name", "last_name"])?;
    let mut changes = Changes {
        creates: 0,
        updates: 0,
    };
    for (i, user) in users.iter().enumerate() {
        let (email, first_name) = if i % 1000 == 999 {
            changes.creates += 1;
            (format!("new{i}@example.net"), user.first_name.clone())
        } else if i % 100 == 99 {
            changes.updates += 1;
            (user.email.clone(), format!("Renamed{i}"))
        } else {
            (user.email.clone(), user.first_name.clone())
        };
        writer.write_record([&email, &first_name, &user.last_name])?;
    }
    writer.flush()?;
    Ok(changes)
}

#[tokio::main]
async fn main() {
    support::child::serve_if_asked();
    let args = Args::parse(USAGE);
    let n = args.scale(1_000_000);
    println!("plan through the CLI: {n} desired rows from a CSV file against a site of {n} users");
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
    let desired = dir.path().join("users.csv");
    let users = sim.state().users();
    let changes = write_desired(&desired, &users)
        .unwrap_or_else(|error| fail(format!("cannot write the desired state: {error}")));
    let csv_bytes = std::fs::metadata(&desired).map_or(0, |m| m.len());

    let desired_arg = desired.to_string_lossy().into_owned();
    let command = roster(
        &config,
        &["plan", "--desired", &desired_arg, "--site", SITE],
    );
    let run = tokio::task::spawn_blocking(move || measure(command))
        .await
        .expect("the measuring thread ends")
        .unwrap_or_else(|error| fail(format!("roster did not run: {error}")));
    if run.code != Some(0) {
        fail(format!(
            "roster plan exited with {:?}: {}",
            run.code, run.stderr
        ));
    }
    let summary = format!(
        "{} to create, {} to update",
        changes.creates, changes.updates
    );
    if !run.stdout_tail.contains(&summary) {
        fail(format!(
            "the plan does not end with \"{summary}\":\n{}",
            run.stdout_tail
        ));
    }
    table::print(
        "roster plan --desired users.csv --site periscope",
        &[
            "rows",
            "CSV",
            "creates",
            "updates",
            "wall (whole command)",
            "peak RSS (child)",
        ],
        vec![vec![
            users.len().to_string(),
            mib(csv_bytes),
            changes.creates.to_string(),
            changes.updates.to_string(),
            ms(run.wall),
            mib(run.peak_rss),
        ]],
    );
    println!(
        "\ntarget (the plan step alone, see plan_bench): ≤ 1.5 s and ≤ 1.5 GB at 1,000,000 users"
    );
}
