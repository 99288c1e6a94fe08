//! Request economy against the REDCap simulator, by its counters: a reconcile of N changed
//! users takes one user export plus ⌈N / batch_max⌉ imports (spec §5.4).

use std::collections::BTreeMap;

use roster_core::{Change, NewUser, SecretString, UserDirectory, UserOp, UserPatch, UserQuery};
use roster_redcap::{RedcapConfig, RedcapDirectory};
use roster_sim::common::SimHandle;
use roster_sim::redcap::{RedcapSim, RedcapState};
use roster_sim::SimOptions;
use serde_json::Value;

const CHANGED: usize = 1000;

async fn site(batch_max: usize) -> (RedcapDirectory, SimHandle<RedcapState>) {
    let handle = RedcapSim::start(SimOptions {
        users: 5,
        ..SimOptions::default()
    })
    .await
    .expect("start the REDCap simulator");
    let credentials = handle.credentials();
    let config = RedcapConfig::new(credentials.api_url, SecretString::from(credentials.token))
        .with_batch_max(batch_max);
    let directory = RedcapDirectory::new("redcap-sim", config).expect("config");
    (directory, handle)
}

fn usernames() -> Vec<String> {
    (0..CHANGED).map(|n| format!("study.user{n:04}")).collect()
}

fn creates() -> Vec<UserOp> {
    usernames()
        .into_iter()
        .map(|username| {
            UserOp::Create(NewUser {
                username: Some(username),
                ..NewUser::default()
            })
        })
        .collect()
}

fn expirations(date: &str) -> Vec<UserOp> {
    usernames()
        .into_iter()
        .map(|id| UserOp::Update {
            id,
            patch: UserPatch {
                attributes: BTreeMap::from([(
                    "expiration".to_owned(),
                    Change::Set(Value::from(date)),
                )]),
                ..UserPatch::default()
            },
        })
        .collect()
}

/// Lists (as a plan does), then applies `ops`; every op must succeed.
async fn reconcile(directory: &RedcapDirectory, ops: &[UserOp]) {
    directory.list_users(&UserQuery::all()).await.expect("list");
    let results = directory.apply_batch(ops).await.expect("batch");
    assert_eq!(results.len(), ops.len());
    assert!(results.iter().all(Result::is_ok), "every op applied");
}

#[tokio::test]
async fn a_thousand_creates_take_one_export_and_two_imports() {
    let (directory, sim) = site(500).await;
    reconcile(&directory, &creates()).await;
    let counters = sim.counters();
    assert_eq!(counters.get("user:export"), 1);
    assert_eq!(counters.get("user:import"), 2);
    assert_eq!(counters.total(), 3, "{:?}", counters.snapshot());
}

#[tokio::test]
async fn a_thousand_updates_take_one_export_and_batch_max_sized_imports() {
    let (directory, sim) = site(100).await;
    directory.apply_batch(&creates()).await.expect("seed users");
    sim.counters().reset();
    reconcile(&directory, &expirations("2099-12-31")).await;
    let counters = sim.counters();
    assert_eq!(counters.get("user:export"), 1);
    assert_eq!(counters.get("user:import"), 10);
    assert_eq!(counters.total(), 11, "{:?}", counters.snapshot());
    let listed = directory.list_users(&UserQuery::all()).await.expect("list");
    let updated = listed
        .iter()
        .filter(|user| user.attributes.get("expiration") == Some(&Value::from("2099-12-31")))
        .count();
    assert_eq!(updated, CHANGED, "the server holds every change");
}

#[tokio::test]
async fn a_thousand_deletes_take_two_delete_requests_and_no_export() {
    let (directory, sim) = site(500).await;
    directory.apply_batch(&creates()).await.expect("seed users");
    sim.counters().reset();
    let deletes: Vec<UserOp> = usernames()
        .into_iter()
        .map(|id| UserOp::Delete { id })
        .collect();
    let results = directory.apply_batch(&deletes).await.expect("batch");
    assert!(results.iter().all(|result| matches!(result, Ok(None))));
    assert_eq!(sim.counters().get("user:delete"), 2);
    assert_eq!(sim.counters().total(), 2, "{:?}", sim.counters().snapshot());
}
