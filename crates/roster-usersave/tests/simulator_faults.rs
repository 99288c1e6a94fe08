//! The backend against the LumApps simulator's fault knobs: revoked tokens, unknown users in
//! a membership batch (prefix-applying and atomic servers), forbidden users, scripted errors.

mod common;

use std::time::Duration;

use roster_core::{ErrorClass, ErrorKind, NewGroup, UserDirectory, UserKey, UserQuery};
use roster_sim::usersave::{ScriptedFault, UsersaveSim, UsersaveState};
use roster_sim::{SimHandle, SimOptions};
use roster_usersave::{UsersaveConfig, UsersaveDirectory};

async fn start() -> (SimHandle<UsersaveState>, UsersaveDirectory) {
    let handle = UsersaveSim::start(SimOptions {
        users: 4,
        ..SimOptions::default()
    })
    .await
    .expect("simulator starts");
    let config = common::sim_config(&handle);
    let dir = UsersaveDirectory::new("sim", config).unwrap();
    (handle, dir)
}

async fn user_ids(dir: &UsersaveDirectory) -> Vec<String> {
    dir.list_users(&UserQuery::all())
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect()
}

async fn members(dir: &UsersaveDirectory, group: &str) -> Vec<String> {
    let mut ids: Vec<String> = dir
        .list_users(&UserQuery::all().with("group", group))
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_tokens_are_renewed_once() {
    let (handle, dir) = start().await;
    dir.list_users(&UserQuery::all()).await.unwrap();
    handle.state().revoke_tokens();
    handle.counters().reset();
    let found = dir
        .get_user(&UserKey::Id(user_ids(&dir).await[0].clone()))
        .await;
    assert!(found.unwrap().is_some());
    assert_eq!(handle.counters().get("application-token"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_users_are_reported_and_the_rest_applied_whatever_the_server_kept() {
    for atomic in [false, true] {
        let (handle, dir) = start().await;
        handle.state().set_atomic_membership(atomic);
        dir.create_group(&NewGroup::named("Crew")).await.unwrap();
        let ids = user_ids(&dir).await;
        let add = vec![
            ids[0].clone(),
            "9999999999999999".to_owned(),
            ids[1].clone(),
            "ghost@example.com".to_owned(),
            ids[2].clone(),
        ];
        let error = dir.set_membership("Crew", &add, &[]).await.unwrap_err();
        let ErrorKind::Partial { failed } = error.kind() else {
            panic!("expected Partial, got {error}");
        };
        assert_eq!(
            failed.keys().cloned().collect::<Vec<_>>(),
            ["9999999999999999", "ghost@example.com"],
            "atomic = {atomic}"
        );
        let mut expected = ids[..3].to_vec();
        expected.sort();
        assert_eq!(members(&dir, "Crew").await, expected, "atomic = {atomic}");
        assert_eq!(handle.counters().get("feed/subscribers/save"), 3);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_users_and_scripted_faults_keep_their_meaning() {
    let (handle, dir) = start().await;
    let id = user_ids(&dir).await[1].clone();
    handle.state().set_forbidden(&id, true);
    let error = dir.get_user(&UserKey::Id(id)).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Forbidden { .. }),
        "{error}"
    );

    handle
        .state()
        .fail_next("user/list", 1, ScriptedFault::ServerError);
    let error = dir.list_users(&UserQuery::all()).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Server { status: 503, .. }),
        "{error}"
    );
    assert_eq!(error.class(), ErrorClass::Temporary);

    handle
        .state()
        .fail_next("user/list", 1, ScriptedFault::RateLimitExceeded);
    let error = dir.list_users(&UserQuery::all()).await.unwrap_err();
    assert_eq!(
        error.retry_after(),
        Some(Duration::from_secs(61)),
        "{error}"
    );

    handle
        .state()
        .fail_next("user/list", 1, ScriptedFault::TooManyRequests);
    let error = dir.list_users(&UserQuery::all()).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::RateLimited { .. }),
        "{error}"
    );
    assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_at_the_instance_level_are_created_listed_and_written() {
    let (handle, _) = start().await;
    let creds = handle.credentials();
    let config = UsersaveConfig {
        instance_id: Some(creds.instance_id.clone()),
        ..common::sim_config(&handle)
    };
    let dir = UsersaveDirectory::new("sim-instance", config).unwrap();
    let group = dir
        .create_group(&NewGroup::named("Site Team"))
        .await
        .unwrap();
    assert_eq!(group.attributes["instance"], creds.instance_id.as_str());
    let listed = dir.list_groups().await.unwrap();
    assert!(listed.iter().any(|g| g.name == "Site Team"), "{listed:?}");
    let id = user_ids(&dir).await[0].clone();
    dir.set_membership("Site Team", std::slice::from_ref(&id), &[])
        .await
        .unwrap();
    let user = dir.get_user(&UserKey::Id(id)).await.unwrap().unwrap();
    assert!(user.groups.unwrap().contains("Site Team"));
}
