//! Request economy, counted by the simulator: listings take ⌈users / page size⌉ requests per
//! status pass at the largest page the spec allows, membership takes ⌈changes / batch⌉ calls.

mod common;

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use common::sim_config;
use roster_core::{ErrorClass, NewGroup, Operation, User, UserDirectory, UserQuery};
use roster_sim::usersave::{ScriptedFault, UsersaveSim, UsersaveState};
use roster_sim::{SimHandle, SimOptions};
use roster_usersave::{UsersaveConfig, UsersaveDirectory};

async fn simulator(users: usize) -> SimHandle<UsersaveState> {
    UsersaveSim::start(SimOptions {
        users,
        ..SimOptions::default()
    })
    .await
    .expect("simulator starts")
}

fn pages(count: usize, page_size: usize) -> u64 {
    count.div_ceil(page_size).max(1) as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_a_thousand_users_takes_one_request_per_hundred_per_status() {
    let handle = simulator(999).await; // with the seeded administrator: 1,000 users
    let mut config = sim_config(&handle);
    config.list_without_groups = true;
    let dir = UsersaveDirectory::new("economy", config).unwrap();
    assert_eq!(dir.describe().capabilities.page_size, Some(100));

    handle.counters().reset();
    let users = dir.list_users(&UserQuery::all()).await.unwrap();
    assert_eq!(users.len(), 1000);
    let enabled = users.iter().filter(|u| u.active == Some(true)).count();
    let disabled = users.len() - enabled;
    let expected = pages(enabled, 100) + pages(disabled, 100);
    assert_eq!(handle.counters().get("user/list"), expected);
    assert_eq!(handle.counters().get("application-token"), 1);

    // One unfiltered pass where that is known to be safe.
    let mut single = config_for_single_pass(&handle);
    single.list_without_groups = true;
    let dir = UsersaveDirectory::new("economy", single).unwrap();
    handle.counters().reset();
    assert_eq!(dir.list_users(&UserQuery::all()).await.unwrap().len(), 1000);
    assert_eq!(handle.counters().get("user/list"), 10);
}

fn config_for_single_pass(handle: &SimHandle<UsersaveState>) -> UsersaveConfig {
    UsersaveConfig {
        list_statuses: Some(Vec::new()),
        ..sim_config(handle)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_two_hundred_users_to_a_feed_takes_two_calls() {
    let handle = simulator(200).await;
    let dir = UsersaveDirectory::new("economy", sim_config(&handle)).unwrap();
    let group = dir
        .create_group(&NewGroup::named("Everyone Else"))
        .await
        .unwrap();
    let mut ids: Vec<String> = dir
        .list_users(&UserQuery::all())
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect();
    ids.truncate(200);
    assert_eq!(ids.len(), 200);

    handle.counters().reset();
    dir.set_membership(&group.name, &ids, &[]).await.unwrap();
    assert_eq!(handle.counters().get("feed/subscribers/save"), 2);
    assert_eq!(
        handle.counters().get("feed/list"),
        1,
        "one lookup of the feed id"
    );

    let members = dir
        .list_users(&UserQuery::all().with("group", group.name.clone()))
        .await
        .unwrap();
    assert_eq!(members.len(), 200);

    // Smaller batches: ⌈200 / 30⌉ = 7 calls for the removals.
    let mut config = sim_config(&handle);
    config.membership_batch = Some(30);
    let dir = UsersaveDirectory::new("economy", config).unwrap();
    handle.counters().reset();
    dir.set_membership(&group.name, &[], &ids).await.unwrap();
    assert_eq!(handle.counters().get("feed/subscribers/save"), 7);
}

/// Every user `for_each_user` hands over for `query`.
async fn streamed(dir: &UsersaveDirectory, query: &UserQuery) -> Vec<User> {
    let mut users = Vec::new();
    dir.for_each_user(query, &mut |user| {
        users.push(user);
        ControlFlow::Continue(())
    })
    .await
    .expect("a streamed listing");
    users
}

/// Requests per API endpoint since the last reset, zero counts left out, and the token
/// request too (a directory's first call makes it, whatever the call).
fn counts(handle: &SimHandle<UsersaveState>) -> BTreeMap<String, u64> {
    let mut counts = handle.counters().snapshot();
    counts.retain(|endpoint, count| *count > 0 && endpoint != "application-token");
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_listing_hands_over_what_list_users_returns_with_the_same_requests() {
    let handle = simulator(249).await;
    let with_groups = UsersaveDirectory::new("economy", sim_config(&handle)).unwrap();
    let group = with_groups
        .create_group(&NewGroup::named("Streamed"))
        .await
        .unwrap();
    let ids: Vec<String> = with_groups
        .list_users(&UserQuery::all())
        .await
        .unwrap()
        .into_iter()
        .map(|user| user.id)
        .step_by(3)
        .collect();
    with_groups
        .set_membership(&group.name, &ids, &[])
        .await
        .unwrap();
    let mut without = sim_config(&handle);
    without.list_without_groups = true;
    let without_groups = UsersaveDirectory::new("economy", without).unwrap();

    for dir in [&with_groups, &without_groups] {
        for query in [
            UserQuery::all(),
            UserQuery::all().with("group", group.name.clone()),
        ] {
            handle.counters().reset();
            let listed = dir.list_users(&query).await.unwrap();
            assert!(!listed.is_empty(), "{query:?}");
            let listing_requests = counts(&handle);
            handle.counters().reset();
            assert_eq!(streamed(dir, &query).await, listed, "{query:?}");
            assert_eq!(counts(&handle), listing_requests, "{query:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sink_that_stops_on_the_first_page_sends_no_further_list_request() {
    let handle = simulator(249).await;
    let mut config = sim_config(&handle);
    config.list_without_groups = true;
    let dir = UsersaveDirectory::new("economy", config).unwrap();
    let everyone = dir.list_users(&UserQuery::all()).await.unwrap();
    assert!(everyone.len() > 100, "more than one page");

    handle.counters().reset();
    let mut handed_over = Vec::new();
    dir.for_each_user(&UserQuery::all(), &mut |user: User| {
        handed_over.push(user);
        ControlFlow::Break(())
    })
    .await
    .expect("stopping early is not an error");
    assert_eq!(handed_over, everyone[..1]);
    assert_eq!(handle.counters().get("user/list"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_failing_after_the_first_ends_the_listing_with_its_error() {
    let handle = simulator(249).await;
    let mut config = sim_config(&handle);
    config.list_without_groups = true;
    let dir = UsersaveDirectory::new("economy", config).unwrap();
    let mut handed_over = 0;
    let error = dir
        .for_each_user(&UserQuery::all(), &mut |_| {
            handed_over += 1;
            if handed_over == 1 {
                // The first page is in: the next page request fails.
                handle
                    .state()
                    .fail_next("user/list", 1, ScriptedFault::ServerError);
            }
            ControlFlow::Continue(())
        })
        .await
        .expect_err("the second page fails");
    assert_eq!(handed_over, 100, "the first page went out");
    assert_eq!(error.operation(), Some(Operation::ListUsers), "{error}");
    assert_eq!(error.site(), Some("economy"), "{error}");
    assert_eq!(error.class(), ErrorClass::Temporary);
}
