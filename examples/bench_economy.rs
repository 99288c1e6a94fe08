//! Request economy: the requests each backend sends for a 1,000-user reconcile (plan, apply,
//! plan again), read from the simulators' per-endpoint counters and set against the fewest
//! each API allows.
//!
//! ```sh
//! cargo run --release --example bench_economy -- [--scale USERS] [--changes N]
//! ```
//!
//! The run fails when the reconcile does not converge or a backend sends more requests than
//! the minimum: request counts do not depend on the machine's speed.

mod support;

use std::collections::BTreeMap;

use roster::engine::{apply, observe, plan, ApplyHooks, ItemStatus, RunOptions, SitePolicy};
use roster::sim::{Fleet, SimOptions};
use support::economy::{minimum, Minimum};
use support::platforms::Platform;
use support::{args::Args, desired, fail, table};

const USAGE: &str = "usage: bench_economy [--scale USERS] [--changes N]";

/// Requests per endpoint.
type Counts = BTreeMap<String, u64>;

/// The requests of one reconcile, per step.
struct Reconcile {
    listed: Vec<roster::User>,
    plan: Counts,
    apply: Counts,
    replan: Counts,
}

async fn reconcile(platform: Platform, fleet: &Fleet, changes: usize) -> Reconcile {
    let name = platform.name();
    let policy = platform.policy(SitePolicy::default().concurrency);
    let site = platform.site(platform.backend(fleet), policy);
    let counters = platform.counters(fleet);
    // What the site holds, read before counting (the reconcile reads it again itself).
    let users = observe(&site)
        .await
        .unwrap_or_else(|error| fail(format!("{name}: listing failed: {error}")))
        .users;
    let desired = desired::with_changes(platform, fleet, &users, changes, 1, true);
    let sites = std::slice::from_ref(&site);

    counters.reset();
    let plan = plan(&desired, sites).await;
    let plan_counts = counters.snapshot();
    let counts = plan.sites[0].counts();
    if plan.has_errors() || counts.update != changes {
        fail(format!(
            "{name}: expected {changes} updates, the plan has {counts:?}"
        ));
    }
    counters.reset();
    let report = apply(&plan, sites, &RunOptions::default(), ApplyHooks::default())
        .await
        .unwrap_or_else(|error| fail(format!("{name}: apply refused: {error}")));
    let apply_counts = counters.snapshot();
    if report.count(ItemStatus::Succeeded) != changes {
        fail(format!("{name}: not every update succeeded: {report:?}"));
    }
    counters.reset();
    let again = roster::engine::plan(&desired, sites).await;
    let replan_counts = counters.snapshot();
    if !again.is_empty() {
        fail(format!("{name}: the reconcile did not converge:\n{again}"));
    }
    Reconcile {
        listed: users,
        plan: plan_counts,
        apply: apply_counts,
        replan: replan_counts,
    }
}

fn total(counts: &Counts) -> u64 {
    counts.values().sum()
}

#[tokio::main]
async fn main() {
    let args = Args::parse(USAGE);
    let n = args.scale(1_000);
    let changes = args.number("changes", n / 10).min(n);
    println!(
        "request economy: a reconcile of {n} users ({changes} of them changed) per site: plan, apply, plan again"
    );
    let fleet = Fleet::start(SimOptions {
        users: n,
        ..SimOptions::default()
    })
    .await
    .unwrap_or_else(|error| fail(format!("the simulators did not start: {error}")));

    let mut summary = Vec::new();
    let mut over = Vec::new();
    for platform in Platform::ALL {
        let run = reconcile(platform, &fleet, changes).await;
        let minima = minimum(platform, &run.listed, changes);
        let mut endpoints: Vec<&String> = run
            .plan
            .keys()
            .chain(run.apply.keys())
            .chain(minima.iter().map(|m| &m.endpoint))
            .collect();
        endpoints.sort();
        endpoints.dedup();
        let rows = endpoints
            .into_iter()
            .map(|endpoint| {
                let get = |counts: &Counts| counts.get(endpoint).copied().unwrap_or(0);
                let min: Vec<&Minimum> =
                    minima.iter().filter(|m| &m.endpoint == endpoint).collect();
                let (plan_min, apply_min, why) = match min.first() {
                    Some(m) => (m.plan.to_string(), m.apply.to_string(), m.why.clone()),
                    None => ("—".into(), "—".into(), String::new()),
                };
                if let Some(m) = min.first() {
                    if get(&run.plan) > m.plan || get(&run.apply) > m.apply {
                        over.push(format!("{}: {endpoint}", platform.name()));
                    }
                }
                vec![
                    endpoint.clone(),
                    get(&run.plan).to_string(),
                    plan_min,
                    get(&run.apply).to_string(),
                    apply_min,
                    why,
                ]
            })
            .collect();
        table::print(
            &format!(
                "{} ({} users listed, {changes} updates)",
                platform.name(),
                run.listed.len()
            ),
            &["endpoint", "plan", "minimum", "apply", "minimum", "why"],
            rows,
        );
        summary.push(vec![
            platform.name().to_owned(),
            total(&run.plan).to_string(),
            total(&run.apply).to_string(),
            total(&run.replan).to_string(),
            format!(
                "{:.2}",
                (total(&run.apply) - total(&run.plan)) as f64 / changes.max(1) as f64
            ),
        ]);
    }
    table::print(
        "requests per reconcile",
        &[
            "site",
            "plan",
            "apply (re-read + writes)",
            "plan again",
            "writes per update",
        ],
        summary,
    );
    if !over.is_empty() {
        fail(format!(
            "more requests than the minimum at: {}",
            over.join(", ")
        ));
    }
}
