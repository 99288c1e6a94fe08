//! Apply throughput: N updates (default 2,000) against each simulator answering every request
//! after 20 ms, at the default concurrency and one request at a time, with the wall time set
//! against the lower bound ⌈N / concurrency⌉ × 20 ms.
//!
//! ```sh
//! cargo run --release --example bench_apply -- [--scale N] [--site ams|redcap|periscope|lumapps]
//! ```
//!
//! Timing is reported, never asserted: the run fails only when an update does not land.

mod support;

use std::time::{Duration, Instant};

use roster::engine::progress::ProgressEvent;
use roster::engine::{apply, observe, plan, ApplyHooks, ItemStatus, RunOptions, SitePolicy};
use roster::sim::{Fleet, SimOptions};
use support::platforms::Platform;
use support::{args::Args, desired, fail, ms, table, times, LATENCY};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

const USAGE: &str = "usage: bench_apply [--scale UPDATES] [--site NAME]";

/// One apply run's figures.
struct Run {
    concurrency: usize,
    updates: usize,
    listing_requests: u64,
    listing: Duration,
    apply_requests: u64,
    /// The whole `apply` call, re-reading the site for the fingerprint check included.
    wall: Duration,
    /// From the first write to the last outcome.
    writes: Duration,
}

impl Run {
    /// ⌈N / concurrency⌉ × latency: every update one request, every slot always busy.
    fn lower_bound(&self) -> Duration {
        LATENCY * self.updates.div_ceil(self.concurrency) as u32
    }
}

/// The default policy, or for the baseline one request at a time, as the platforms' own
/// clients send. Batches stay as the site allows: PyCap imports a list of users too.
fn policy(platform: Platform, baseline: bool) -> SitePolicy {
    let concurrency = if baseline {
        1
    } else {
        SitePolicy::default().concurrency
    };
    platform.policy(concurrency)
}

/// How long the writes took: from the site's `Planned` event (sent once the fingerprint check
/// is done) to its `SiteDone` event.
async fn time_writes(mut events: UnboundedReceiver<ProgressEvent>) -> Duration {
    let mut started = None;
    while let Some(event) = events.recv().await {
        match event {
            ProgressEvent::Planned { .. } => started = Some(Instant::now()),
            ProgressEvent::SiteDone { .. } => {
                return started.map_or(Duration::ZERO, |started| started.elapsed())
            }
            ProgressEvent::ItemDone { .. } => {}
        }
    }
    Duration::ZERO
}

async fn run(platform: Platform, fleet: &Fleet, n: usize, baseline: bool) -> Run {
    let name = platform.name();
    let policy = policy(platform, baseline);
    let concurrency = policy.concurrency;
    let round = if baseline { 2 } else { 1 };
    let site = platform.site(platform.backend(fleet), policy);
    let counters = platform.counters(fleet);
    counters.reset();
    let started = Instant::now();
    let observed = observe(&site)
        .await
        .unwrap_or_else(|error| fail(format!("{name}: listing failed: {error}")));
    let listing = started.elapsed();
    let listing_requests = counters.total();
    let desired = desired::with_changes(platform, fleet, &observed.users, n, round, false);
    let plan = plan(&desired, std::slice::from_ref(&site)).await;
    let counts = plan.sites[0].counts();
    if plan.has_errors() || counts.update != n {
        fail(format!(
            "{name}: expected {n} updates, the plan has {counts:?}\n{plan}"
        ));
    }
    counters.reset();
    let (progress, events) = unbounded_channel();
    let writes = tokio::spawn(time_writes(events));
    let hooks = ApplyHooks {
        progress: Some(progress),
        ..ApplyHooks::default()
    };
    let started = Instant::now();
    let report = apply(&plan, &[site], &RunOptions::default(), hooks)
        .await
        .unwrap_or_else(|error| fail(format!("{name}: apply refused: {error}")));
    let wall = started.elapsed();
    let writes = writes.await.expect("the progress task ends");
    let succeeded = report.count(ItemStatus::Succeeded);
    if succeeded != n {
        let first = report
            .outcomes
            .iter()
            .find(|o| o.status != ItemStatus::Succeeded);
        fail(format!(
            "{name}: {succeeded} of {n} updates succeeded; first other: {first:?}"
        ));
    }
    Run {
        concurrency,
        updates: n,
        listing_requests,
        listing,
        apply_requests: counters.total(),
        wall,
        writes,
    }
}

#[tokio::main]
async fn main() {
    let args = Args::parse(USAGE);
    let n = args.scale(2_000);
    let platforms: Vec<Platform> = match args.text("site") {
        None => Platform::ALL.to_vec(),
        Some(name) => vec![Platform::parse(name).unwrap_or_else(|| fail(USAGE))],
    };
    let concurrency = SitePolicy::default().concurrency;
    println!(
        "apply throughput: {n} updates per site, {} latency per request, default concurrency {concurrency}",
        ms(LATENCY)
    );
    // Twice as many users as updates: REDCap users in a role cannot take the change.
    let fleet = Fleet::start(SimOptions {
        users: 2 * n,
        latency: LATENCY,
        ..SimOptions::default()
    })
    .await
    .unwrap_or_else(|error| fail(format!("the simulators did not start: {error}")));

    let mut rows = Vec::new();
    for platform in platforms {
        let fast = run(platform, &fleet, n, false).await;
        eprintln!(
            "{}: applied at concurrency {concurrency} in {}",
            platform.name(),
            ms(fast.wall)
        );
        let slow = run(platform, &fleet, n, true).await;
        eprintln!(
            "{}: applied one request at a time in {}",
            platform.name(),
            ms(slow.wall)
        );
        for run in [&fast, &slow] {
            rows.push(vec![
                platform.name().to_owned(),
                run.concurrency.to_string(),
                run.updates.to_string(),
                run.apply_requests.to_string(),
                format!("{} ({} req)", ms(run.listing), run.listing_requests),
                ms(run.wall),
                ms(run.writes),
                ms(run.lower_bound()),
                times(run.writes.as_secs_f64() / run.lower_bound().as_secs_f64()),
                if run.concurrency == 1 {
                    "baseline".to_owned()
                } else {
                    times(slow.wall.as_secs_f64() / fast.wall.as_secs_f64())
                },
            ]);
        }
    }
    table::print(
        "apply: `apply wall` is the whole call, which first re-reads the site to check the plan's\nfingerprint (`one listing`); `writes` runs from the first write to the last outcome",
        &[
            "site",
            "concurrency",
            "updates",
            "requests",
            "one listing",
            "apply wall",
            "writes",
            "⌈N/c⌉×20 ms",
            "writes / bound",
            "speed-up",
        ],
        rows,
    );
    println!(
        "\ntarget: writes ≤ 1.25× ⌈N/c⌉×20 ms at the default concurrency; the baseline \
         (concurrency 1) sends one request at a time, as the platforms' own clients do"
    );
}
