//! REDCap's own behaviour through the backend, against the simulator's conformance seed
//! (`admin`, `alice` in role `U-573AEYRNR8` and DAG `test_dag`, `bob` in neither).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;

use roster_core::{
    Change, ErrorKind, NewGroup, NewUser, SecretString, User, UserDirectory, UserKey, UserOp,
    UserPatch, UserQuery,
};
use roster_redcap::{ExportFormat, NewRole, RedcapConfig, RedcapDirectory};
use roster_sim::common::SimHandle;
use roster_sim::redcap::{RedcapSim, RedcapState, EXAMPLE_ROLE};
use roster_sim::SimOptions;
use serde_json::Value;

async fn site() -> (RedcapDirectory, SimHandle<RedcapState>) {
    site_reading_roles(true).await
}

async fn site_reading_roles(read_roles: bool) -> (RedcapDirectory, SimHandle<RedcapState>) {
    let handle = RedcapSim::start(SimOptions {
        users: 3,
        ..SimOptions::default()
    })
    .await
    .expect("start the REDCap simulator");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).expect("date");
    handle.state().set_today(today);
    let credentials = handle.credentials();
    let config = RedcapConfig::new(credentials.api_url, SecretString::from(credentials.token))
        .with_read_roles(read_roles);
    let directory = RedcapDirectory::new("redcap-sim", config)
        .expect("config")
        .with_today(today);
    (directory, handle)
}

async fn user(directory: &RedcapDirectory, id: &str) -> roster_core::User {
    directory
        .get_user(&UserKey::Id(id.into()))
        .await
        .expect("get")
        .unwrap_or_else(|| panic!("{id} should be in the project"))
}

fn set(name: &str, value: Value) -> UserPatch {
    UserPatch {
        attributes: BTreeMap::from([(name.to_owned(), Change::Set(value))]),
        ..UserPatch::default()
    }
}

#[tokio::test]
async fn the_seed_reads_as_the_spec_describes() {
    let (directory, _sim) = site().await;
    let alice = user(&directory, "alice").await;
    assert_eq!(alice.groups, Some(BTreeSet::from(["test_dag".to_owned()])));
    assert_eq!(alice.attributes["role"], EXAMPLE_ROLE);
    assert_eq!(alice.attributes["role_label"], "Example Role");
    assert_eq!(alice.attributes["rights"]["reports"], 1);
    assert_eq!(
        alice.attributes["forms"],
        serde_json::json!({"form_1": 1, "form_2": 0})
    );
    let csv = directory
        .export_users_raw(ExportFormat::Csv)
        .await
        .expect("csv");
    assert!(
        csv.starts_with("username,email,firstname,lastname,expiration,data_access_group,data_access_group_id,design"),
        "{csv}"
    );
    let xml = directory
        .export_users_raw(ExportFormat::Xml)
        .await
        .expect("xml");
    assert!(xml.contains("<users>"), "{xml}");
}

#[tokio::test]
async fn deactivating_a_user_in_a_role_keeps_their_role_and_dag() {
    let (directory, _sim) = site().await;
    directory
        .update_user("alice", &UserPatch::deactivate())
        .await
        .expect("deactivate");
    let alice = user(&directory, "alice").await;
    assert_eq!(alice.active, Some(false));
    assert_eq!(alice.attributes["role"], EXAMPLE_ROLE);
    assert_eq!(alice.groups, Some(BTreeSet::from(["test_dag".to_owned()])));
}

#[tokio::test]
async fn an_update_never_clears_the_dag() {
    let (directory, _sim) = site().await;
    directory
        .set_membership("test_dag", &["bob".into()], &[])
        .await
        .expect("join");
    let results = directory
        .apply_batch(&[UserOp::Update {
            id: "bob".into(),
            patch: set("rights", serde_json::json!({"design": 1})),
        }])
        .await
        .expect("batch");
    assert!(results[0].is_ok(), "{:?}", results[0]);
    let bob = user(&directory, "bob").await;
    assert_eq!(bob.groups, Some(BTreeSet::from(["test_dag".to_owned()])));
    assert_eq!(bob.attributes["rights"]["design"], 1);
}

#[tokio::test]
async fn rights_governed_by_a_role_or_out_of_range_are_refused() {
    let (directory, _sim) = site().await;
    let error = directory
        .update_user("alice", &set("rights", serde_json::json!({"design": 1})))
        .await
        .expect_err("alice's rights come from her role");
    assert!(error.to_string().contains(EXAMPLE_ROLE), "{error}");
    let error = directory
        .update_user("bob", &set("rights", serde_json::json!({"design": 2})))
        .await
        .expect_err("design is 0 or 1");
    assert!(
        error.to_string().contains("not a valid rights value"),
        "{error}"
    );
}

#[tokio::test]
async fn roles_are_created_assigned_and_deleted() {
    let (directory, _sim) = site().await;
    let role = directory
        .create_role(&NewRole {
            rights: BTreeMap::from([("reports".into(), 1)]),
            ..NewRole::labelled("Monitor")
        })
        .await
        .expect("create role");
    assert!(role.unique_role_name.starts_with("U-"), "{role:?}");
    assert_eq!(role.rights["reports"], 1);
    directory
        .create_user(&NewUser {
            username: Some("monitor.one".into()),
            attributes: BTreeMap::from([(
                "role".to_owned(),
                Value::from(role.unique_role_name.clone()),
            )]),
            ..NewUser::default()
        })
        .await
        .expect("create in role");
    let listed = user(&directory, "monitor.one").await;
    assert_eq!(listed.attributes["role"], role.unique_role_name.as_str());
    assert_eq!(listed.attributes["role_label"], "Monitor");
    directory
        .assign_role("monitor.one", None)
        .await
        .expect("unassign");
    assert_eq!(user(&directory, "monitor.one").await.attributes["role"], "");
    directory
        .delete_role(&role.unique_role_name)
        .await
        .expect("delete role");
    let error = directory
        .delete_role(&role.unique_role_name)
        .await
        .expect_err("gone");
    assert!(
        matches!(error.kind(), ErrorKind::NotFound { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn dags_are_created_renamed_switched_and_deleted() {
    let (directory, _sim) = site().await;
    let created = directory
        .create_group(&NewGroup {
            name: "site_a".into(),
            attributes: BTreeMap::from([("label".to_owned(), Value::from("Site A"))]),
        })
        .await
        .expect("create");
    assert_eq!(created.name, "site_a");
    let renamed = directory
        .rename_group("site_a", "Site B")
        .await
        .expect("rename");
    assert_eq!(renamed.name, "site_b");
    assert_eq!(renamed.id, created.id);
    let error = directory
        .switch_dag(Some("nope"))
        .await
        .expect_err("no such DAG");
    assert!(error.to_string().contains("Invalid DAG"), "{error}");
    directory
        .switch_dag(Some("test_dag"))
        .await
        .expect("switch");
    directory.switch_dag(None).await.expect("switch back");
    directory.delete_group("site_b").await.expect("delete");
    let error = directory.delete_group("site_b").await.expect_err("gone");
    assert!(
        matches!(error.kind(), ErrorKind::NotFound { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn a_batch_resolves_refusals_per_user() {
    let (directory, _sim) = site_reading_roles(false).await;
    let expire = |id: &str| UserOp::Update {
        id: id.into(),
        patch: set("expiration", Value::from("2027-06-30")),
    };
    // Roles were not read, so alice's row goes out and the server refuses the whole import.
    let results = directory
        .apply_batch(&[expire("alice"), expire("bob")])
        .await
        .expect("batch");
    let error = results[0].as_ref().expect_err("alice is in a role");
    assert!(
        error.to_string().contains("belongs to a user role"),
        "{error}"
    );
    assert!(results[1].is_ok(), "{:?}", results[1]);
    let bob = user(&directory, "bob").await;
    assert_eq!(bob.attributes["expiration"], "2027-06-30");

    let results = directory
        .apply_batch(&[
            UserOp::Delete { id: "bob".into() },
            UserOp::Delete { id: "ghost".into() },
        ])
        .await
        .expect("batch");
    assert!(matches!(results[0], Ok(None)), "{:?}", results[0]);
    let error = results[1]
        .as_ref()
        .expect_err("ghost is not in the project");
    assert!(
        matches!(error.kind(), ErrorKind::NotFound { .. }),
        "{error}"
    );
    assert!(directory
        .get_user(&UserKey::Id("bob".into()))
        .await
        .expect("get")
        .is_none());
}

#[tokio::test]
async fn a_streamed_listing_sends_the_exports_of_a_listing_and_a_stop_sends_nothing_more() {
    let (directory, sim) = site().await;
    sim.counters().reset();
    let listed = directory.list_users(&UserQuery::all()).await.expect("list");
    assert!(listed.len() > 1, "the seed has several users");
    let listing_requests = sim.counters().snapshot();
    assert_eq!(sim.counters().get("user:export"), 1);

    sim.counters().reset();
    let mut handed_over = Vec::new();
    directory
        .for_each_user(&UserQuery::all(), &mut |user: User| {
            handed_over.push(user);
            ControlFlow::Continue(())
        })
        .await
        .expect("streamed");
    assert_eq!(handed_over, listed);
    assert_eq!(sim.counters().snapshot(), listing_requests);

    sim.counters().reset();
    let mut first = Vec::new();
    directory
        .for_each_user(&UserQuery::all(), &mut |user: User| {
            first.push(user);
            ControlFlow::Break(())
        })
        .await
        .expect("stopping early is not an error");
    assert_eq!(first, listed[..1]);
    assert_eq!(sim.counters().snapshot(), listing_requests);
}
