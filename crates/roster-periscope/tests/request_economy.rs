//! Requests per operation, counted by the Periscope simulator: each operation costs the
//! minimum the API allows. Also the tolerance paths the simulator's knobs switch on
//! (pages, bare lists, a site that merges membership, faults under the retry layer).

use std::collections::BTreeMap;
use std::time::Duration;

use roster_core::attempts;
use roster_core::layers::RetryPolicy;
use roster_core::{
    Change, DirectoryExt, ErrorKind, NewGroup, NewUser, SecretString, UserDirectory, UserKey,
    UserOp, UserPatch, UserQuery,
};
use roster_periscope::{PeriscopeConfig, PeriscopeDirectory, ACCESS};
use roster_sim::periscope::{ListShape, PeriscopeSim, PeriscopeState};
use roster_sim::SimHandle;
use roster_sim::SimOptions;
use serde_json::json;

const LIST_USERS: &str = "GET /api/v1/users";
const GET_USER: &str = "GET /api/v1/users (HTTP-X-EMAIL)";
const POST_USER: &str = "POST /api/v1/users";
const PUT_USER: &str = "PUT /api/v1/users";
const DELETE_USER: &str = "DELETE /api/v1/users";
const LIST_GROUPS: &str = "GET /api/v1/groups";
const POST_GROUP: &str = "POST /api/v1/groups";
const DELETE_GROUP: &str = "DELETE /api/v1/groups/{name}";

async fn site(users: usize) -> (PeriscopeDirectory, SimHandle<PeriscopeState>) {
    let handle = PeriscopeSim::start(SimOptions {
        users,
        ..SimOptions::default()
    })
    .await
    .expect("start the Periscope simulator");
    let credentials = handle.credentials();
    let mut config = PeriscopeConfig::new(
        credentials.site_name.clone(),
        SecretString::from(credentials.api_key.clone()),
    );
    config.base_url = handle.url().to_owned();
    config.invited_by_email = Some(credentials.admin_email.clone());
    let directory = PeriscopeDirectory::new("periscope-sim", config).expect("valid config");
    (directory, handle)
}

/// Runs `operation` and returns the requests it made, per endpoint.
async fn counted<F: std::future::Future>(
    handle: &SimHandle<PeriscopeState>,
    operation: F,
) -> (F::Output, BTreeMap<String, u64>) {
    handle.counters().reset();
    let output = operation.await;
    (output, handle.counters().snapshot())
}

fn only(endpoint: &str, count: u64) -> BTreeMap<String, u64> {
    BTreeMap::from([(endpoint.to_owned(), count)])
}

fn new_user(n: u32) -> NewUser {
    NewUser {
        email: Some(format!("economy{n}@example.org")),
        first_name: Some("Eco".into()),
        last_name: Some(format!("Nomy{n}")),
        ..NewUser::default()
    }
}

fn group(name: &str) -> NewGroup {
    let mut group = NewGroup::named(name);
    group.attributes.insert(ACCESS.into(), json!("View"));
    group
}

#[tokio::test]
async fn each_user_operation_costs_one_request() {
    let (site, handle) = site(12).await;
    let (users, requests) = counted(&handle, site.list_users(&UserQuery::all())).await;
    assert!(users.unwrap().len() > 12);
    assert_eq!(requests, only(LIST_USERS, 1), "the whole list in one GET");

    let (created, requests) = counted(&handle, site.create_user(&new_user(1))).await;
    let id = created.unwrap().id;
    assert_eq!(
        requests,
        only(POST_USER, 1),
        "the create answers with the user"
    );

    let (found, requests) = counted(&handle, site.get_user(&UserKey::Id(id.clone()))).await;
    assert!(found.unwrap().is_some());
    assert_eq!(requests, only(GET_USER, 1));

    let patch = UserPatch {
        first_name: Change::Set("Renamed".into()),
        ..UserPatch::default()
    };
    let (updated, requests) = counted(&handle, site.update_user(&id, &patch)).await;
    assert_eq!(updated.unwrap().first_name.as_deref(), Some("Renamed"));
    assert_eq!(
        requests,
        only(PUT_USER, 1),
        "one partial PUT, no read-modify-write"
    );

    let (deleted, requests) = counted(&handle, site.delete_user(&id)).await;
    deleted.unwrap();
    assert_eq!(requests, only(DELETE_USER, 1));
}

#[tokio::test]
async fn each_group_operation_costs_one_request() {
    let (site, handle) = site(2).await;
    let (created, requests) = counted(&handle, site.create_group(&group("Economy"))).await;
    created.unwrap();
    assert_eq!(requests, only(POST_GROUP, 1));
    let (groups, requests) = counted(&handle, site.list_groups()).await;
    assert!(groups.unwrap().iter().any(|g| g.name == "Economy"));
    assert_eq!(requests, only(LIST_GROUPS, 1));
    let (deleted, requests) = counted(&handle, site.delete_group("Economy")).await;
    deleted.unwrap();
    assert_eq!(requests, only(DELETE_GROUP, 1));
}

#[tokio::test]
async fn membership_for_k_users_costs_a_read_a_put_and_a_check_each() {
    let (site, handle) = site(2).await;
    site.create_group(&group("Economy")).await.unwrap();
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(site.create_user(&new_user(n)).await.unwrap().id);
    }
    let k = ids.len() as u64;

    let (joined, requests) = counted(&handle, site.set_membership("Economy", &ids, &[])).await;
    joined.unwrap();
    assert_eq!(
        requests,
        BTreeMap::from([(GET_USER.to_owned(), 2 * k), (PUT_USER.to_owned(), k)]),
        "per user: read the set, PUT the whole set, read it back"
    );
    for id in &ids {
        let user = site
            .get_user(&UserKey::Id(id.clone()))
            .await
            .unwrap()
            .unwrap();
        assert!(user.groups.unwrap().contains("Economy"));
    }

    let (again, requests) = counted(&handle, site.set_membership("Economy", &ids, &[])).await;
    again.unwrap();
    assert_eq!(
        requests,
        only(GET_USER, k),
        "members already in place: reads only"
    );

    let (left, requests) = counted(&handle, site.set_membership("Economy", &[], &ids)).await;
    left.unwrap();
    assert_eq!(
        requests,
        BTreeMap::from([(GET_USER.to_owned(), 2 * k), (PUT_USER.to_owned(), k)])
    );
}

#[tokio::test]
async fn validation_costs_the_same_request_and_changes_nothing() {
    let (site, handle) = site(2).await;
    let id = site.create_user(&new_user(1)).await.unwrap().id;
    let patch = UserPatch {
        last_name: Change::Set("Validated".into()),
        ..UserPatch::default()
    };
    let op = UserOp::Update {
        id: id.clone(),
        patch,
    };
    let (validated, requests) = counted(&handle, site.validate(&op)).await;
    validated.unwrap();
    assert_eq!(requests, only(PUT_USER, 1));
    let after = site
        .get_user(&UserKey::Id(id.clone()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        after.last_name.as_deref(),
        Some("Nomy1"),
        "nothing was saved"
    );

    let duplicate = UserOp::Create(new_user(1));
    let error = site.validate(&duplicate).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::AlreadyExists { .. }),
        "{error}"
    );
    let delete = UserOp::Delete { id: id.clone() };
    site.validate(&delete).await.unwrap();
    assert!(site.get_user(&UserKey::Id(id)).await.unwrap().is_some());
}

#[tokio::test]
async fn paged_and_bare_lists_give_the_same_users() {
    let (site, handle) = site(9).await;
    let plain = site.list_users(&UserQuery::all()).await.unwrap();
    let total = plain.len();

    handle.state().set_list_shape(ListShape {
        paginate: Some(4),
        ..ListShape::default()
    });
    let (paged, requests) = counted(&handle, site.list_users(&UserQuery::all())).await;
    assert_eq!(paged.unwrap(), plain);
    assert_eq!(requests, only(LIST_USERS, total.div_ceil(4) as u64));

    handle.state().set_list_shape(ListShape {
        bare: true,
        ..ListShape::default()
    });
    assert_eq!(site.list_users(&UserQuery::all()).await.unwrap(), plain);
    assert!(!site.list_groups().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_site_that_merges_membership_is_caught_by_the_read_back() {
    let (site, handle) = site(2).await;
    site.create_group(&group("Economy")).await.unwrap();
    let id = site.create_user(&new_user(1)).await.unwrap().id;
    let ids = [id.clone()];
    site.set_membership("Economy", &ids, &[]).await.unwrap();
    handle.state().set_list_shape(ListShape {
        groups_merge: true,
        ..ListShape::default()
    });
    let error = site.set_membership("Economy", &[], &ids).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Conflict { .. }),
        "{error}"
    );
    let (again, requests) = counted(&handle, site.set_membership("Economy", &[], &ids)).await;
    assert!(again.is_err());
    assert_eq!(requests, BTreeMap::new(), "membership is not written again");
}

#[tokio::test]
async fn the_retry_layer_rides_out_rate_limits_and_unavailability() {
    let (site, handle) = site(2).await;
    let retried = site.clone().retried(RetryPolicy {
        max_attempts: 3,
        min_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        jitter: false,
    });
    handle.state().fail_next(2, 503);
    let query = UserQuery::all();
    let ((users, attempts), requests) =
        counted(&handle, attempts::counted(retried.list_users(&query))).await;
    assert!(!users.unwrap().is_empty());
    assert_eq!(attempts, 3, "two 503s, then the answer");
    assert_eq!(requests, only(LIST_USERS, 1), "one request got through");

    // A 429 is repeated after the site's Retry-After (one second in the simulator).
    let id = site.create_user(&new_user(1)).await.unwrap().id;
    handle.state().fail_next(1, 429);
    let patch = UserPatch {
        first_name: Change::Set("Again".into()),
        ..UserPatch::default()
    };
    let updated = retried.update_user(&id, &patch).await.unwrap();
    assert_eq!(updated.first_name.as_deref(), Some("Again"));
}
