//! Request economy, counted by the simulator: listings take ⌈users / page size⌉ requests per
//! status pass at the largest page the spec allows, membership takes ⌈changes / batch⌉ calls.

use roster_core::{NewGroup, UserDirectory, UserQuery};
use roster_sim::usersave::{UsersaveAuth, UsersaveSim, UsersaveState};
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

fn config(handle: &SimHandle<UsersaveState>) -> UsersaveConfig {
    let creds = handle.credentials();
    let UsersaveAuth::OauthApplication {
        client_id,
        client_secret,
        ..
    } = creds.auth
    else {
        panic!("the LumApps simulator uses an OAuth application");
    };
    UsersaveConfig::lumapps(
        handle.url(),
        creds.customer_id,
        client_id,
        client_secret,
        creds.acting_user_email,
    )
}

fn pages(count: usize, page_size: usize) -> u64 {
    count.div_ceil(page_size).max(1) as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_a_thousand_users_takes_one_request_per_hundred_per_status() {
    let handle = simulator(999).await; // with the seeded administrator: 1,000 users
    let mut config = config(&handle);
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
        ..config(handle)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_two_hundred_users_to_a_feed_takes_two_calls() {
    let handle = simulator(200).await;
    let dir = UsersaveDirectory::new("economy", config(&handle)).unwrap();
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
    let mut config = config(&handle);
    config.membership_batch = Some(30);
    let dir = UsersaveDirectory::new("economy", config).unwrap();
    handle.counters().reset();
    dir.set_membership(&group.name, &[], &ids).await.unwrap();
    assert_eq!(handle.counters().get("feed/subscribers/save"), 7);
}
