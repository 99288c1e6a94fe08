//! Fan-out: copy one user from an AMS site to N simulated sites (default 50: REDCap, Periscope
//! and LumApps in turn), every simulator answering after 20 ms, and set the wall time against
//! the time of copying the same user to one site of each kind.
//!
//! ```sh
//! cargo run --release --example bench_fanout -- [--scale SITES]
//! ```
//!
//! Timing is reported, never asserted: the run fails only when a copy does not land.

mod support;

use std::any::Any;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use roster::core::{SharedDirectory, UserKey};
use roster::engine::{
    apply, copy_user, ApplyHooks, CopyFields, ItemStatus, RunOptions, Site, SitePolicy,
};
use roster::sim::ams::AmsSim;
use roster::sim::periscope::PeriscopeSim;
use roster::sim::redcap::RedcapSim;
use roster::sim::usersave::UsersaveSim;
use roster::sim::SimOptions;
use support::platforms::{self, Platform};
use support::{args::Args, fail, ms, table, times, LATENCY};

const USAGE: &str = "usage: bench_fanout [--scale SITES]";

/// The kinds of target, in turn. AMS is the source, and it cannot be a target of a copy: a
/// copy never carries a password, which AMS requires to create a user.
const TARGET_KINDS: [Platform; 3] = [Platform::Redcap, Platform::Periscope, Platform::Lumapps];

fn options() -> SimOptions {
    SimOptions {
        latency: LATENCY,
        ..SimOptions::default()
    }
}

/// A running simulator of `kind` and a backend for it named `name`; the server stops when the
/// first value is dropped.
async fn start(kind: Platform, name: &str) -> (Box<dyn Any>, SharedDirectory) {
    let started = match kind {
        Platform::Ams => AmsSim::start(options())
            .await
            .map(|sim| (platforms::ams(name, &sim), Box::new(sim) as Box<dyn Any>)),
        Platform::Redcap => RedcapSim::start(options())
            .await
            .map(|sim| (platforms::redcap(name, &sim), Box::new(sim) as Box<dyn Any>)),
        Platform::Periscope => PeriscopeSim::start(options()).await.map(|sim| {
            (
                platforms::periscope(name, &sim),
                Box::new(sim) as Box<dyn Any>,
            )
        }),
        Platform::Lumapps => UsersaveSim::start(options()).await.map(|sim| {
            (
                platforms::lumapps(name, &sim),
                Box::new(sim) as Box<dyn Any>,
            )
        }),
    };
    let (directory, sim) =
        started.unwrap_or_else(|error| fail(format!("a simulator did not start: {error}")));
    (sim, directory)
}

/// What one copy took.
struct Copy {
    sites: usize,
    plan: Duration,
    apply: Duration,
}

impl Copy {
    fn total(&self) -> Duration {
        self.plan + self.apply
    }
}

/// Copies `key` from `source` to `targets` (plan, then apply) and checks it landed everywhere.
async fn copy(source: &SharedDirectory, key: &UserKey, targets: &[Site]) -> Copy {
    let fields = CopyFields(BTreeSet::from(
        ["username", "email", "first_name", "last_name"].map(str::to_owned),
    ));
    let started = Instant::now();
    let copy = copy_user(source.as_ref(), key, targets, Some(fields))
        .await
        .unwrap_or_else(|error| fail(format!("the copy could not be planned: {error}")));
    let plan = started.elapsed();
    if copy.plan.has_errors() {
        fail(format!("the copy's plan has errors:\n{}", copy.plan));
    }
    let started = Instant::now();
    let report = apply(
        &copy.plan,
        targets,
        &RunOptions::default(),
        ApplyHooks::default(),
    )
    .await
    .unwrap_or_else(|error| fail(format!("the copy was refused: {error}")));
    let apply = started.elapsed();
    let created = report
        .outcomes
        .iter()
        .filter(|o| o.action == "create_user" && o.status == ItemStatus::Succeeded)
        .count();
    if !report.is_success() || created != targets.len() {
        fail(format!(
            "the user was created on {created} of {} sites: {:?}",
            targets.len(),
            report.outcomes
        ));
    }
    Copy {
        sites: targets.len(),
        plan,
        apply,
    }
}

async fn sites(kinds: impl Iterator<Item = Platform>) -> (Vec<Box<dyn Any>>, Vec<Site>) {
    let mut guards = Vec::new();
    let mut sites = Vec::new();
    for (index, kind) in kinds.enumerate() {
        let (guard, directory) = start(kind, &format!("{}-{index}", kind.name())).await;
        guards.push(guard);
        sites.push(kind.site(directory, kind.policy(SitePolicy::default().concurrency)));
    }
    (guards, sites)
}

#[tokio::main]
async fn main() {
    let args = Args::parse(USAGE);
    let n = args.scale(50);
    println!(
        "fan-out: one user copied from an AMS site to {n} sites, {} latency per request",
        ms(LATENCY)
    );
    let (_source_sim, source) = start(Platform::Ams, "club").await;
    let user = source
        .list_users(&roster::core::UserQuery::all())
        .await
        .unwrap_or_else(|error| fail(format!("the source cannot be listed: {error}")))
        .into_iter()
        .find(|user| user.email.is_some() && user.username.is_some())
        .unwrap_or_else(|| fail("the source has no user with an e-mail and a username"));
    let key = UserKey::Email(user.email.clone().expect("filtered on e-mail"));

    let mut rows = Vec::new();
    let mut slowest_single = Duration::ZERO;
    for kind in TARGET_KINDS {
        let (_guards, targets) = sites(std::iter::once(kind)).await;
        let one = copy(&source, &key, &targets).await;
        slowest_single = slowest_single.max(one.total());
        rows.push(vec![
            format!("1 {} site", kind.name()),
            ms(one.plan),
            ms(one.apply),
            ms(one.total()),
            String::new(),
        ]);
    }
    let (_guards, targets) = sites(TARGET_KINDS.into_iter().cycle().take(n)).await;
    let many = copy(&source, &key, &targets).await;
    rows.push(vec![
        format!("{} sites", many.sites),
        ms(many.plan),
        ms(many.apply),
        ms(many.total()),
        times(many.total().as_secs_f64() / slowest_single.as_secs_f64()),
    ]);
    table::print(
        "copy-user: plan (read the source, list every target) and apply (re-read, create)",
        &[
            "targets",
            "plan",
            "apply",
            "total",
            "vs slowest single site",
        ],
        rows,
    );
    println!(
        "\ntarget: N sites in about the time of one (sites run in parallel); the platforms' own clients go one site after another"
    );
}
