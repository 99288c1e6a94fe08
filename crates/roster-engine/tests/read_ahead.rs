//! Updates are announced to the site (`prepare_updates`) in groups of 16 rounds of the site's
//! concurrency, so a backend that reads each record before writing it can read a group's
//! records at once. Nothing is announced for a dry run or a plan without updates.

mod common;

use std::sync::Arc;

use roster_core::{MemoryDirectory, Operation, SharedDirectory, User};
use roster_engine::apply::ApplyHooks;
use roster_engine::{apply, plan, DesiredState, ItemStatus, RunOptions, Site, SitePolicy};

fn people(n: usize) -> Vec<User> {
    (0..n)
        .map(|i| User {
            email: Some(format!("p{i}@example.org")),
            first_name: Some("Old".into()),
            active: Some(true),
            ..User::default()
        })
        .collect()
}

/// The first `renamed` of `n` people get a new first name; the rest stay.
fn desired(n: usize, renamed: usize, extra: usize) -> DesiredState {
    let mut csv = String::from("email,first_name\n");
    for i in 0..n {
        let first = if i < renamed { "New" } else { "Old" };
        csv.push_str(&format!("p{i}@example.org,{first}\n"));
    }
    for i in 0..extra {
        csv.push_str(&format!("extra{i}@example.org,Extra\n"));
    }
    common::desired(&csv)
}

fn site(memory: &Arc<MemoryDirectory>, concurrency: usize) -> Site {
    let shared: SharedDirectory = memory.clone();
    Site::new(
        shared,
        SitePolicy {
            concurrency,
            max_deletes: None,
            ..SitePolicy::default()
        },
    )
}

#[tokio::test]
async fn updates_are_announced_a_group_at_a_time() {
    let memory = Arc::new(MemoryDirectory::new("club").with_users(people(400)));
    // 16 rounds of 4 = 64 updates a group: 300 updates are 5 groups.
    let sites = [site(&memory, 4)];
    let plan = plan(&desired(400, 300, 0), &sites).await;
    let report = common::applied(&plan, &sites).await;
    assert_eq!(report.count(ItemStatus::Succeeded), 300);
    assert_eq!(memory.calls_of(Operation::PrepareUpdates), 5);
    assert_eq!(memory.calls_of(Operation::UpdateUser), 300);
    let renamed = memory
        .users()
        .iter()
        .filter(|user| user.first_name.as_deref() == Some("New"))
        .count();
    assert_eq!(renamed, 300);
}

#[tokio::test]
async fn nothing_is_announced_without_updates_or_in_a_dry_run() {
    let memory = Arc::new(MemoryDirectory::new("club").with_users(people(10)));
    let sites = [site(&memory, 8)];

    let creates_only = plan(&desired(10, 0, 20), &sites).await;
    let report = common::applied(&creates_only, &sites).await;
    assert_eq!(report.count(ItemStatus::Succeeded), 20);
    assert_eq!(memory.calls_of(Operation::PrepareUpdates), 0);

    let updates = plan(&desired(10, 10, 0), &sites).await;
    let dry_run = RunOptions {
        dry_run: true,
        ..RunOptions::default()
    };
    apply(&updates, &sites, &dry_run, ApplyHooks::default())
        .await
        .expect("the dry run completes");
    assert_eq!(memory.calls_of(Operation::PrepareUpdates), 0);
    assert_eq!(memory.calls_of(Operation::UpdateUser), 0);
}
