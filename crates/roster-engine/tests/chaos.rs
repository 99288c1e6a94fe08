//! Faults: the chaos layer fails 10 % of calls (rate limits, 503s, timeouts before sending
//! and timeouts after the write was applied). Every item is reported, no user is created
//! twice, and a second plan-and-apply converges.

use std::sync::Arc;
use std::time::Duration;

use roster_core::layers::{ChaosConfig, RetryPolicy};
use roster_core::Change;
use roster_core::{Capabilities, DirectoryExt, Group, MemoryDirectory, SharedDirectory, User};
use roster_engine::apply::ApplyHooks;
use roster_engine::desired::DesiredUser;
use roster_engine::{
    apply, layered, plan, DesiredState, ItemStatus, OrphanPolicy, RunOptions, Site, SitePolicy,
};

fn existing(n: usize) -> Vec<User> {
    (0..n)
        .map(|i| User {
            id: String::new(),
            username: Some(format!("u{i}")),
            email: Some(format!("u{i}@x.org")),
            first_name: Some("Old".into()),
            active: Some(true),
            groups: Some(Default::default()),
            ..User::default()
        })
        .collect()
}

/// Users 10..70: 30 to update, 30 to create; users 0..10 become orphans.
fn desired() -> DesiredState {
    let users = (10..70)
        .map(|i| DesiredUser {
            line: i as u64,
            email: Change::Set(format!("u{i}@x.org")),
            username: Change::Set(format!("u{i}")),
            first_name: Change::Set("New".into()),
            groups: Change::Set(vec![if i % 2 == 0 { "even" } else { "odd" }.to_owned()]),
            ..DesiredUser::default()
        })
        .collect();
    DesiredState {
        source: "generated".into(),
        users,
    }
}

async fn converges_under_chaos(batch_max: usize, seed: u64) {
    let caps = Capabilities {
        batch_max,
        ..Capabilities::full()
    };
    let memory = Arc::new(
        MemoryDirectory::new("club")
            .with_capabilities(caps)
            .with_users(existing(40))
            .with_groups([Group {
                name: "even".into(),
                ..Group::default()
            }]),
    );
    let mut config = ChaosConfig::new(0.10, seed);
    config.retry_after = Duration::from_millis(1);
    let backend: SharedDirectory = Arc::new(memory.clone().chaos(config));
    let policy = SitePolicy {
        orphans: OrphanPolicy::Deactivate,
        max_deletes: None,
        concurrency: 4,
        batch_size: 10,
        retry: RetryPolicy {
            max_attempts: 6,
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(4),
            jitter: true,
        },
        ..SitePolicy::default()
    };
    let sites = [Site::new(layered(backend, &policy, None), policy)];
    let state = desired();

    let first = plan(&state, &sites).await;
    assert!(!first.has_errors(), "{first}");
    let report = apply(
        &first,
        &sites,
        &RunOptions::default(),
        ApplyHooks::default(),
    )
    .await
    .unwrap();
    let planned = first.sites[0].items.len() + first.sites[0].disputed.len();
    assert_eq!(report.outcomes.len(), planned, "every item is reported");
    assert_eq!(report.count(ItemStatus::NotAttempted), 0);
    assert_eq!(memory.duplicate_identities(), 0, "{report}");
    let retried = report.outcomes.iter().filter(|o| o.attempts > 1).count();
    let failed = report.count(ItemStatus::Failed);
    if batch_max == 1 {
        // One request per item: with 10 % faults, some item needed a second attempt.
        assert!(
            retried + failed > 0,
            "the chaos layer injected no fault: {report}"
        );
    }

    let second = plan(&state, &sites).await;
    let report = apply(
        &second,
        &sites,
        &RunOptions::default(),
        ApplyHooks::default(),
    )
    .await
    .unwrap();
    assert!(report.is_success(), "{report}");
    let third = plan(&state, &sites).await;
    assert!(third.is_empty(), "{third}");
    assert_eq!(memory.duplicate_identities(), 0);
    assert_eq!(memory.users().len(), 70);
    let inactive = memory
        .users()
        .iter()
        .filter(|u| u.active == Some(false))
        .count();
    assert_eq!(inactive, 10);
}

#[tokio::test]
async fn one_by_one_under_chaos() {
    for seed in [1, 2, 3] {
        converges_under_chaos(1, seed).await;
    }
}

#[tokio::test]
async fn batched_under_chaos() {
    for seed in [4, 5, 6] {
        converges_under_chaos(500, seed).await;
    }
}
