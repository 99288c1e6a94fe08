//! The chaos run: the four simulators inject faults over HTTP (5xx, connection resets, slow
//! answers, writes applied before the answer fails) and rate-limit with `Retry-After`, while
//! the real `roster` binary applies hundreds of changes per site. Afterwards every planned
//! item has exactly one outcome, no simulator holds a duplicate user, and a second plan is
//! empty.
//!
//! CI runs 300 changes per site; `ROSTER_PROOF_SCALE=full` runs the 2,000 (see
//! docs/reliability.md).

mod common;

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use common::{code, full_scale, new_people_csv, stderr, stdout, Sites};
use roster_sim::common::seed_people;
use roster_sim::{FaultKind, FaultOptions, SimOptions};
use serde_json::Value;

/// One desired-state file holding `creates` new people and a new surname for each of the
/// `updates` seeded people (who exist on every simulator).
fn desired_state(seed: u64, seeded: usize, creates: usize) -> String {
    let mut text = new_people_csv("chaos", creates);
    for person in seed_people(seed, seeded) {
        text.push_str(&format!(
            "{},{},{},{}-Chaos,,,\n",
            person.username, person.email, person.first_name, person.last_name
        ));
    }
    text
}

/// Journal records of one kind (`planned`, `outcome`…), as (site, item) pairs.
fn journal_items(journal: &str, event: &str) -> Vec<(String, u64)> {
    journal
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("journal line is JSON"))
        .filter(|record| record["event"] == event)
        .map(|record| {
            (
                record["site"].as_str().unwrap_or_default().to_owned(),
                record["item"].as_u64().unwrap_or(u64::MAX),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_run_reports_every_item_and_converges_without_duplicates() {
    let (seeded, creates) = if full_scale() { (200, 1800) } else { (40, 260) };
    let seed = 7;
    let sites = Sites::start_with(SimOptions {
        seed,
        users: seeded,
        faults: FaultOptions {
            rate: 0.10,
            kinds: FaultKind::ALL.to_vec(),
            slow_delay: Duration::from_millis(150),
        },
        rate_limit: Some(150),
        ..SimOptions::default()
    })
    .await;
    // Smaller REDCap imports, so faults hit many batches (a lost batch reply is settled item
    // by item) rather than one import of every user. Eight attempts per call instead of five:
    // at a 10 % fault rate a create that takes two requests per attempt (LumApps, AMS) runs
    // out of five attempts about once in 10,000 items, so about one run in ten ended with a
    // failed item; eight put that below once in ten million items. A site this unreliable
    // would be configured the same way.
    let config = std::fs::read_to_string(&sites.config)
        .unwrap()
        .replace("[defaults]\n", "[defaults]\nmax_attempts = 8\n")
        .replace("[sites.redcap]\n", "[sites.redcap]\nbatch_size = 25\n");
    std::fs::write(&sites.config, config).unwrap();
    let desired = sites.file("chaos.csv", &desired_state(seed, seeded, creates));
    let desired = desired.to_str().unwrap();

    let started = Instant::now();
    let apply = sites
        .roster(&[
            "apply",
            "--desired",
            desired,
            "--all-sites",
            "--yes",
            "--journal",
            "chaos.jsonl",
            "--results",
            "results.jsonl",
        ])
        .await;
    let wall = started.elapsed();
    // Every planned item has exactly one outcome, in the journal and in the results file.
    let journal = std::fs::read_to_string(sites.dir.path().join("chaos.jsonl")).unwrap();
    let planned = journal_items(&journal, "planned");
    let outcomes = journal_items(&journal, "outcome");
    let planned_set: HashSet<_> = planned.iter().cloned().collect();
    let outcome_set: HashSet<_> = outcomes.iter().cloned().collect();
    assert_eq!(planned.len(), planned_set.len(), "each item planned once");
    assert_eq!(
        outcomes.len(),
        outcome_set.len(),
        "each item has one outcome"
    );
    assert_eq!(
        planned_set, outcome_set,
        "every planned item has an outcome"
    );
    let results: Vec<Value> = std::fs::read_to_string(sites.dir.path().join("results.jsonl"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let failed: Vec<&Value> = results
        .iter()
        .filter(|r| r["status"] != "succeeded")
        .collect();
    assert!(
        failed.is_empty() && code(&apply) == 0,
        "every item succeeds despite the faults; these did not: {failed:#?}\n{}",
        stderr(&apply)
            .lines()
            .filter(|line| !line.starts_with('✖'))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(
        results.len(),
        planned.len(),
        "the results file has every item"
    );
    let mut per_site: BTreeMap<&str, usize> = BTreeMap::new();
    for (site, _) in &planned {
        *per_site.entry(site.as_str()).or_default() += 1;
    }
    for site in roster::simulated::SITES {
        assert!(
            per_site.get(site).copied().unwrap_or(0) >= creates,
            "{site} had at least {creates} changes: {per_site:?}"
        );
    }

    assert_eq!(sites.fleet.duplicate_identities(), 0, "no duplicate users");

    // The faults really happened, over HTTP, of every kind.
    let mut injected: BTreeMap<String, u64> = BTreeMap::new();
    for counters in [
        sites.fleet.ams.knobs().injected(),
        sites.fleet.redcap.knobs().injected(),
        sites.fleet.periscope.knobs().injected(),
        sites.fleet.usersave.knobs().injected(),
    ] {
        for (kind, count) in counters.snapshot() {
            *injected.entry(kind).or_default() += count;
        }
    }
    for kind in FaultKind::ALL {
        assert!(
            injected.get(kind.counter_name()).copied().unwrap_or(0) > 0,
            "some {} faults were injected: {injected:?}",
            kind.counter_name()
        );
    }
    let attempts: u64 = results
        .iter()
        .map(|r| r["attempts"].as_u64().unwrap_or(0))
        .sum();
    let sent = results
        .iter()
        .filter(|r| r["attempts"].as_u64() > Some(0))
        .count() as u64;
    println!(
        "chaos run: items per site {per_site:?}; faults injected {injected:?}; \
         item requests {attempts} for {sent} items ({} retries); requests served {}; \
         duplicates {}; apply wall time {:.1} s",
        attempts - sent,
        sites.fleet.total_requests(),
        sites.fleet.duplicate_identities(),
        wall.as_secs_f64()
    );

    // With the faults off, a fresh plan finds nothing left to change.
    for knobs in [
        sites.fleet.ams.knobs(),
        sites.fleet.redcap.knobs(),
        sites.fleet.periscope.knobs(),
        sites.fleet.usersave.knobs(),
    ] {
        knobs.set_fault_rate(0.0);
    }
    let again = sites
        .roster(&[
            "plan",
            "--desired",
            desired,
            "--all-sites",
            "--detailed-exitcode",
        ])
        .await;
    assert_eq!(
        code(&again),
        0,
        "nothing left to change:\n{}\n{}",
        stdout(&again),
        stderr(&again)
    );
}
