//! The crash run: `roster apply` on a large plan is killed with SIGKILL part-way through,
//! then the same command runs again with the same journal. The second run converges, no
//! user exists twice, and the journal still shows what the first run did.
//!
//! CI creates 400 users on the AMS simulator (the platform where a repeated create makes a
//! second person); `ROSTER_PROOF_SCALE=full` creates 2,000 (see docs/reliability.md).

mod common;

use std::collections::{BTreeMap, HashSet};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{code, full_scale, new_people_csv, stderr, stdout, Sites};
use roster_sim::SimOptions;
use serde_json::Value;

/// The journal's records, one JSON object per line; a line cut short by the kill is skipped.
fn records(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

fn count(records: &[Value], run: &str, event: &str) -> usize {
    records
        .iter()
        .filter(|r| r["run_id"] == run && r["event"] == event)
        .count()
}

/// What one crash-and-resume proof saw.
struct Figures {
    first_outcomes: usize,
    first_attempted: usize,
    created_by_first: usize,
    in_flight: usize,
    landed_in_flight: usize,
    second_outcomes: usize,
    statuses: BTreeMap<String, usize>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_apply_of_a_desired_state_resumes_without_duplicates() {
    let creates = if full_scale() { 2000 } else { 400 };
    let sites = slow_sites().await;
    let desired = sites.file("big.csv", &new_people_csv("crash", creates));
    let args = [
        "apply",
        "--desired",
        desired.to_str().unwrap(),
        "--site",
        "ams",
        "--yes",
        "--journal",
        "crash.jsonl",
    ];
    let figures = crash_and_resume(&sites, &args, creates, &desired).await;
    println!(
        "crash run (--desired): {creates} creates; {}",
        figures.describe()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_apply_of_a_saved_plan_resumes_from_the_journal() {
    let creates = if full_scale() { 2000 } else { 400 };
    let sites = slow_sites().await;
    let desired = sites.file("big.csv", &new_people_csv("saved", creates));
    let plan = sites
        .roster(&[
            "plan",
            "--desired",
            desired.to_str().unwrap(),
            "--site",
            "ams",
            "--out",
            "plan.json",
        ])
        .await;
    assert_eq!(code(&plan), 0, "{}", stderr(&plan));
    let args = ["apply", "plan.json", "--yes", "--journal", "crash.jsonl"];
    let figures = crash_and_resume(&sites, &args, creates, &desired).await;
    // The same plan twice: the second run skips what the first applied, by its journal.
    assert!(
        figures
            .statuses
            .get("second run:skipped")
            .copied()
            .unwrap_or(0)
            >= figures.first_outcomes,
        "the second run skipped the items the first one applied: {:?}",
        figures.statuses
    );
    println!(
        "crash run (saved plan): {creates} creates; {}",
        figures.describe()
    );
}

impl Figures {
    fn describe(&self) -> String {
        format!(
            "first run killed after {} outcomes ({} attempted, {} persons created; {} in \
             flight, of which {} had landed); second run {} outcomes; outcome records by run \
             and status {:?}; duplicates 0",
            self.first_outcomes,
            self.first_attempted,
            self.created_by_first,
            self.in_flight,
            self.landed_in_flight,
            self.second_outcomes,
            self.statuses
        )
    }
}

/// The simulators with enough latency that an apply of a few hundred users takes seconds.
async fn slow_sites() -> Sites {
    Sites::start_with(SimOptions {
        users: 10,
        latency: Duration::from_millis(40),
        ..SimOptions::default()
    })
    .await
}

/// Runs `roster ARGS` as a child process, kills it with SIGKILL once some outcomes are in the
/// journal, runs the same command again, and checks the second run converged without
/// duplicates and the journal holds both runs.
async fn crash_and_resume(
    sites: &Sites,
    args: &[&str],
    creates: usize,
    desired: &std::path::Path,
) -> Figures {
    let journal = sites.dir.path().join("crash.jsonl");
    let persons_before = sites.fleet.ams.state().persons().len();
    // First run: a child process, killed once a tenth of the outcomes are on disk.
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("roster"))
        .current_dir(sites.dir.path())
        .env_remove("ROSTER_CONFIG")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .arg("--config")
        .arg(&sites.config)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("roster starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let outcomes = records(&journal)
            .iter()
            .filter(|r| r["event"] == "outcome")
            .count();
        if outcomes >= creates / 10 {
            break;
        }
        assert!(
            child.try_wait().expect("child status").is_none(),
            "the first run ended before it could be killed"
        );
        assert!(Instant::now() < deadline, "the first run made no progress");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().expect("SIGKILL sent");
    let status = child.wait().expect("child reaped");
    assert!(!status.success(), "the first run was killed: {status:?}");

    let first = records(&journal);
    let first_run = first[0]["run_id"].as_str().expect("run id").to_owned();
    let first_outcomes = count(&first, &first_run, "outcome");
    let first_attempted = count(&first, &first_run, "attempted");
    assert_eq!(
        count(&first, &first_run, "run_finished"),
        0,
        "it was killed"
    );
    let created_by_first = sites.fleet.ams.state().persons().len() - persons_before;
    assert!(
        first_outcomes < creates && created_by_first < creates,
        "killed part-way: {first_outcomes} outcomes, {created_by_first} created"
    );

    // Second run: the same command with the same journal.
    let second = sites.roster(args).await;
    assert_eq!(code(&second), 0, "{}\n{}", stdout(&second), stderr(&second));
    assert_eq!(sites.fleet.duplicate_identities(), 0, "no duplicate users");
    assert_eq!(
        sites.fleet.ams.state().persons().len() - persons_before,
        creates,
        "every desired user exists exactly once"
    );

    // The journal keeps the first run's records and adds the second run's.
    let all = records(&journal);
    let runs: Vec<&str> = all
        .iter()
        .filter(|r| r["event"] == "run_started")
        .filter_map(|r| r["run_id"].as_str())
        .collect();
    assert_eq!(runs.len(), 2, "two runs in the journal: {runs:?}");
    assert_eq!(runs[0], first_run);
    let second_run = runs[1];
    assert_eq!(count(&all, &first_run, "outcome"), first_outcomes);
    assert_eq!(count(&all, second_run, "run_finished"), 1);
    let keys = |run: &str, event: &str| -> HashSet<String> {
        all.iter()
            .filter(|r| r["run_id"] == run && r["event"] == event)
            .filter_map(|r| r["key"].as_str().map(str::to_owned))
            .collect()
    };
    // What the first run finished, and what it had sent when it died (in flight: the site may
    // or may not have applied it; the second run either found it or created it).
    let done_first = keys(&first_run, "outcome");
    let in_flight: HashSet<String> = keys(&first_run, "attempted")
        .difference(&done_first)
        .cloned()
        .collect();
    let done_second: HashSet<String> = all
        .iter()
        .filter(|r| r["run_id"] == second_run && r["event"] == "outcome")
        .filter(|r| r["status"] == "succeeded")
        .filter_map(|r| r["key"].as_str().map(str::to_owned))
        .collect();
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    for record in all.iter().filter(|r| r["event"] == "outcome") {
        let status = record["status"].as_str().unwrap_or_default();
        let run = if record["run_id"] == first_run.as_str() {
            "first run"
        } else {
            "second run"
        };
        *statuses.entry(format!("{run}:{status}")).or_default() += 1;
    }
    let accounted: HashSet<&String> = done_first
        .iter()
        .chain(&in_flight)
        .chain(&done_second)
        .collect();
    assert_eq!(
        accounted.len(),
        creates,
        "the journal accounts for every user: done by the first run, in flight when it died, \
         or done by the second"
    );
    // An in-flight create that the server applied anyway: the re-planned run no longer plans
    // it, and the resumed plan finds it on the site before sending it again.
    let found_by_second: HashSet<String> = all
        .iter()
        .filter(|r| r["run_id"] == second_run && r["event"] == "outcome")
        .filter(|r| {
            r["reason"]
                .as_str()
                .is_some_and(|reason| reason.contains("found on the site"))
        })
        .filter_map(|r| r["key"].as_str().map(str::to_owned))
        .collect();
    let landed_in_flight = in_flight
        .iter()
        .filter(|key| !done_second.contains(*key) || found_by_second.contains(*key))
        .count();

    let again = sites
        .roster(&[
            "plan",
            "--desired",
            desired.to_str().unwrap(),
            "--site",
            "ams",
            "--detailed-exitcode",
        ])
        .await;
    assert_eq!(
        code(&again),
        0,
        "nothing left to change: {}",
        stdout(&again)
    );
    Figures {
        first_outcomes,
        first_attempted,
        created_by_first,
        in_flight: in_flight.len(),
        landed_in_flight,
        second_outcomes: count(&all, second_run, "outcome"),
        statuses,
    }
}
