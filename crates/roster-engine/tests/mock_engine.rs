//! The engine against `MockUserDirectory`: phase order, guards, capability errors, disputes,
//! failure budget, cancellation and batches, pinned by the calls the mock receives. A call
//! the mock does not expect fails the test, so "nothing else was sent" is checked too.

mod common;

use common::desired;

use std::sync::{Arc, Mutex};

use roster_core::{
    BackendInfo, Capabilities, DirectoryError, Group, MockUserDirectory, SharedDirectory, User,
    UserKey,
};
use roster_engine::apply::ApplyHooks;
use roster_engine::{
    apply, plan, DesiredState, EngineError, GroupOrphanPolicy, InputFormat, InputOptions,
    ItemStatus, MaxDeletes, OrphanPolicy, RunOptions, Site, SitePolicy,
};
use tokio_util::sync::CancellationToken;

type Log = Arc<Mutex<Vec<String>>>;

fn user(id: &str, name: &str, groups: &[&str]) -> User {
    User {
        id: id.into(),
        username: Some(name.into()),
        email: Some(format!("{name}@x.org")),
        first_name: Some(name.to_uppercase()),
        active: Some(true),
        groups: Some(groups.iter().map(|g| g.to_string()).collect()),
        ..User::default()
    }
}

fn group(name: &str) -> Group {
    Group {
        name: name.into(),
        ..Group::default()
    }
}

/// A mock that reports `users` and `groups` and expects no write.
fn mock(caps: Capabilities, users: Vec<User>, groups: Vec<Group>) -> MockUserDirectory {
    let mut mock = MockUserDirectory::new();
    mock.expect_describe()
        .return_const(BackendInfo::new("mock", "club", caps));
    mock.expect_list_users()
        .returning(move |_| Ok(users.clone()));
    mock.expect_list_groups()
        .returning(move || Ok(groups.clone()));
    mock
}

fn site(mock: MockUserDirectory, policy: SitePolicy) -> Site {
    let shared: SharedDirectory = Arc::new(mock);
    Site::new(shared, policy)
}

fn base_policy() -> SitePolicy {
    SitePolicy {
        concurrency: 1,
        max_deletes: None,
        ..SitePolicy::default()
    }
}

fn logged(log: &Log, entry: String) {
    log.lock().unwrap().push(entry);
}

#[tokio::test]
async fn phases_run_in_order() {
    let log: Log = Log::default();
    let mut mock = mock(
        Capabilities::full(),
        vec![user("1", "ada", &["staff"]), user("2", "bob", &[])],
        vec![group("staff"), group("gone")],
    );
    let l = log.clone();
    mock.expect_create_group().returning(move |g| {
        logged(&l, format!("create_group {}", g.name));
        Ok(group(&g.name))
    });
    let l = log.clone();
    mock.expect_create_user().returning(move |u| {
        logged(&l, format!("create_user {}", u.label()));
        Ok(user("3", "cyd", &[]))
    });
    let l = log.clone();
    mock.expect_update_user().returning(move |id, p| {
        logged(&l, format!("update_user {id} {:?}", p.touched_fields()));
        Ok(user(id, "x", &[]))
    });
    let l = log.clone();
    mock.expect_set_membership()
        .returning(move |g, add, remove| {
            logged(&l, format!("set_membership {g} +{add:?} -{remove:?}"));
            Ok(())
        });
    let l = log.clone();
    mock.expect_delete_user().returning(move |id| {
        logged(&l, format!("delete_user {id}"));
        Ok(())
    });
    let l = log.clone();
    mock.expect_delete_group().returning(move |g| {
        logged(&l, format!("delete_group {g}"));
        Ok(())
    });
    let policy = SitePolicy {
        orphans: OrphanPolicy::Delete,
        orphan_groups: GroupOrphanPolicy::Delete,
        ..base_policy()
    };
    let sites = [site(mock, policy)];
    let wanted =
        desired("email,first_name,groups\nada@x.org,Augusta,coaches\ncyd@x.org,Cyd,coaches\n");
    let planned = plan(&wanted, &sites).await;
    assert!(!planned.has_errors(), "{planned}");
    let report = common::applied(&planned, &sites).await;
    assert!(report.is_success(), "{report}");
    let log = log.lock().unwrap().clone();
    assert_eq!(
        log,
        [
            "create_group coaches",
            "create_user cyd@x.org",
            "update_user 1 [\"first_name\"]",
            "set_membership coaches +[\"1\", \"3\"] -[]",
            "set_membership staff +[] -[\"1\"]",
            "delete_user 2",
            "delete_group staff",
            "delete_group gone",
        ]
    );
}

#[tokio::test]
async fn over_max_deletes_no_removal_is_sent_and_the_report_says_how_to_override() {
    let users = (1..=5)
        .map(|i| user(&i.to_string(), &format!("u{i}"), &[]))
        .collect();
    let policy = SitePolicy {
        orphans: OrphanPolicy::Deactivate,
        max_deletes: Some(MaxDeletes::Percent(40.0)),
        ..base_policy()
    };
    let sites = [site(mock(Capabilities::full(), users, vec![]), policy)];
    let planned = plan(&desired("email\nu1@x.org\nu2@x.org\n"), &sites).await;
    let text = planned.to_string();
    assert!(
        text.contains("3 to deactivate") && text.contains("3 held back"),
        "{text}"
    );
    let report = common::applied(&planned, &sites).await;
    assert_eq!(report.count(ItemStatus::Skipped), 3);
    let reason = report.outcomes[0].reason.clone().unwrap();
    assert!(
        reason.contains("limit is 40% (2)") && reason.contains("at least 3"),
        "{reason}"
    );
}

#[tokio::test]
async fn protected_users_are_never_touched() {
    let users = vec![
        user("1", "root", &[]),
        user("2", "admin", &[]),
        user("3", "ada", &[]),
    ];
    let policy = SitePolicy {
        orphans: OrphanPolicy::Delete,
        protected: vec![
            UserKey::Username("root".into()),
            UserKey::Email("ADMIN@x.org".into()),
        ],
        ..base_policy()
    };
    let sites = [site(mock(Capabilities::full(), users, vec![]), policy)];
    // root would be renamed and admin deleted, were they not protected.
    let planned = plan(
        &desired("email,first_name\nroot@x.org,Changed\nada@x.org,ADA\n"),
        &sites,
    )
    .await;
    assert!(planned.is_empty(), "{planned}");
    assert_eq!(planned.sites[0].protected, 2);
    let report = common::applied(&planned, &sites).await;
    assert!(report.outcomes.is_empty());
}

#[tokio::test]
async fn a_change_the_site_cannot_make_is_a_plan_error_naming_rows_and_the_alternative() {
    let ams_like = Capabilities {
        delete_user: false,
        write_membership: false,
        ..Capabilities::full()
    };
    let users = vec![user("1", "ada", &[]), user("2", "old", &[])];
    let policy = SitePolicy {
        orphans: OrphanPolicy::Delete,
        ..base_policy()
    };
    let sites = [site(mock(ams_like, users, vec![group("coaches")]), policy)];
    let planned = plan(&desired("email,groups\nada@x.org,coaches\n"), &sites).await;
    let errors = &planned.sites[0].errors;
    let delete = errors
        .iter()
        .find(|e| e.message.contains("cannot delete users"))
        .unwrap();
    assert_eq!(delete.rows, ["old@x.org"]);
    assert!(delete.suggestion.contains("`deactivate`"));
    let membership = errors
        .iter()
        .find(|e| e.message.contains("membership"))
        .unwrap();
    assert_eq!(membership.rows, ["ada@x.org (line 2)"]);
    assert!(planned
        .to_string()
        .contains("→ use orphan policy `deactivate`"));
    let error = apply(
        &planned,
        &sites,
        &RunOptions::default(),
        ApplyHooks::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, EngineError::PlanHasErrors(2)), "{error}");

    let periscope_like = Capabilities {
        deactivate_user: false,
        ..Capabilities::full()
    };
    let policy = SitePolicy {
        orphans: OrphanPolicy::Deactivate,
        ..base_policy()
    };
    let sites = [site(
        mock(periscope_like, vec![user("2", "old", &[])], vec![]),
        policy,
    )];
    let planned = plan(&desired("email\nada@x.org\n"), &sites).await;
    assert!(planned.sites[0].errors[0].suggestion.contains("`delete`"));
}

#[tokio::test]
async fn disputed_rows_are_reported_and_never_applied() {
    let users = vec![user("1", "ada", &[]), user("2", "bob", &[])];
    let policy = SitePolicy {
        orphans: OrphanPolicy::Delete,
        ..base_policy()
    };
    let sites = [site(mock(Capabilities::full(), users, vec![]), policy)];
    // The email names ada, the username names bob: which one is meant is unknown.
    let planned = plan(
        &desired("email,username,first_name\nada@x.org,bob,Who\n"),
        &sites,
    )
    .await;
    let site_plan = &planned.sites[0];
    assert!(site_plan.items.is_empty(), "{planned}");
    assert_eq!(site_plan.disputed[0].user_ids, ["1", "2"]);
    assert!(planned.to_string().contains("! ada@x.org (line 2)"));
    let report = common::applied(&planned, &sites).await;
    assert_eq!(report.outcomes.len(), 1);
    assert_eq!(report.outcomes[0].action, "disputed");
    assert_eq!(report.outcomes[0].status, ItemStatus::Skipped);
}

#[tokio::test]
async fn bad_input_reports_every_problem_and_sends_nothing() {
    // The mock expects no call at all: not even a listing may happen.
    let mut silent = MockUserDirectory::new();
    silent
        .expect_describe()
        .return_const(BackendInfo::new("mock", "club", Capabilities::full()));
    let _sites = [site(silent, base_policy())];
    let csv = "email,active,dob,shoe_size\n\
               ada@x.org,yes,1815-12-10,9\n\
               not-an-email,maybe,1815-13-40,9\n\
               ada@x.org,no,2000-01-01\n";
    let error = DesiredState::read_bytes(
        "users.csv",
        csv.as_bytes(),
        InputFormat::Csv,
        &InputOptions::default(),
    )
    .unwrap_err();
    let text = error.to_string();
    assert_eq!(error.problems.len(), 5, "{text}");
    for expected in [
        "users.csv:1: column shoe_size: unknown column",
        "users.csv:3: column email: \"not-an-email\": not a valid email address",
        "users.csv:3: column active: \"maybe\": not a boolean",
        "users.csv:3: column dob: \"1815-13-40\": not an ISO date",
        "users.csv:4: ragged row: 3 field(s), the header has 4",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

#[tokio::test]
async fn the_failure_budget_stops_the_run_and_marks_the_rest_not_attempted() {
    let mut mock = mock(Capabilities::full(), vec![], vec![]);
    mock.expect_create_user()
        .times(2)
        .returning(|_| Err(DirectoryError::invalid(Some("email"), "refused")));
    let sites = [site(mock, base_policy())];
    let planned = plan(
        &desired("email\na@x.org\nb@x.org\nc@x.org\nd@x.org\n"),
        &sites,
    )
    .await;
    let options = RunOptions {
        max_failures: Some(2),
        ..RunOptions::default()
    };
    let report = apply(&planned, &sites, &options, ApplyHooks::default())
        .await
        .unwrap();
    assert_eq!(report.count(ItemStatus::Failed), 2);
    assert_eq!(report.count(ItemStatus::NotAttempted), 2);
    assert!(report
        .stopped
        .as_deref()
        .unwrap()
        .contains("max_failures = 2"));
}

#[tokio::test]
async fn cancellation_finishes_the_item_in_flight_and_reports_the_rest() {
    let cancel = CancellationToken::new();
    let mut mock = mock(Capabilities::full(), vec![], vec![group("g")]);
    let trigger = cancel.clone();
    mock.expect_create_user().times(1).returning(move |_| {
        trigger.cancel();
        Ok(user("9", "a", &[]))
    });
    let sites = [site(mock, base_policy())];
    let planned = plan(
        &desired("email,groups\na@x.org,g\nb@x.org,g\nc@x.org,g\n"),
        &sites,
    )
    .await;
    let hooks = ApplyHooks {
        cancel,
        ..ApplyHooks::default()
    };
    let report = apply(&planned, &sites, &RunOptions::default(), hooks)
        .await
        .unwrap();
    assert_eq!(report.count(ItemStatus::Succeeded), 1);
    // Two creates and all three group joins, even the one of the user that was created.
    assert_eq!(report.count(ItemStatus::NotAttempted), 5, "{report}");
    assert!(report.stopped.unwrap().starts_with("cancelled"));
}

#[tokio::test]
async fn creates_go_in_batches_of_batch_max() {
    let caps = Capabilities {
        batch_max: 3,
        ..Capabilities::full()
    };
    let sizes: Arc<Mutex<Vec<usize>>> = Arc::default();
    let mut mock = mock(caps, vec![], vec![]);
    let seen = sizes.clone();
    mock.expect_apply_batch().returning(move |ops| {
        seen.lock().unwrap().push(ops.len());
        Ok(ops
            .iter()
            .enumerate()
            .map(|(i, _)| Ok(Some(user(&i.to_string(), "n", &[]))))
            .collect())
    });
    let sites = [site(mock, base_policy())];
    let csv: String = std::iter::once("email".to_owned())
        .chain((0..5).map(|i| format!("u{i}@x.org")))
        .collect::<Vec<_>>()
        .join("\n");
    let planned = plan(&desired(&csv), &sites).await;
    let report = common::applied(&planned, &sites).await;
    assert_eq!(report.count(ItemStatus::Succeeded), 5);
    let mut sizes = sizes.lock().unwrap().clone();
    sizes.sort();
    assert_eq!(sizes, [2, 3]);
}

#[tokio::test]
async fn a_failed_listing_plans_nothing_for_that_site() {
    let mut mock = MockUserDirectory::new();
    mock.expect_describe()
        .return_const(BackendInfo::new("mock", "club", Capabilities::full()));
    mock.expect_list_users().returning(|_| {
        Err(DirectoryError::new(roster_core::ErrorKind::Server {
            status: 502,
            body: "page 3".into(),
        }))
    });
    mock.expect_list_groups().returning(|| Ok(vec![]));
    let policy = SitePolicy {
        orphans: OrphanPolicy::Delete,
        ..base_policy()
    };
    let sites = [site(mock, policy)];
    let planned = plan(&desired("email\na@x.org\n"), &sites).await;
    assert!(planned.sites[0].items.is_empty());
    assert!(planned.sites[0].errors[0]
        .message
        .contains("listing the site failed"));
}

#[tokio::test]
async fn a_batch_whose_reply_was_lost_is_settled_item_by_item() {
    let caps = Capabilities {
        batch_max: 10,
        ..Capabilities::full()
    };
    let mut mock = mock(caps, vec![], vec![]);
    mock.expect_apply_batch().times(1).returning(|_| {
        Err(
            DirectoryError::new(roster_core::ErrorKind::Timeout { request_sent: true })
                .with_class(roster_core::ErrorClass::Ambiguous),
        )
    });
    // a@ landed before the reply was lost; b@ did not.
    mock.expect_get_user().returning(|key| {
        Ok((key == &UserKey::Email("a@x.org".into())).then(|| user("1", "a", &[])))
    });
    mock.expect_create_user()
        .times(1)
        .withf(|new| new.email.as_deref() == Some("b@x.org"))
        .returning(|_| Ok(user("2", "b", &[])));
    let sites = [site(mock, base_policy())];
    let planned = plan(&desired("email\na@x.org\nb@x.org\n"), &sites).await;
    let report = common::applied(&planned, &sites).await;
    assert_eq!(report.count(ItemStatus::Succeeded), 2, "{report}");
    let a = report.outcomes.iter().find(|o| o.key == "a@x.org").unwrap();
    assert_eq!(
        a.reason.as_deref(),
        Some("found on the site: an earlier attempt had created it")
    );
}

#[tokio::test]
async fn items_of_a_batch_that_failed_in_doubt_are_settled_one_by_one() {
    let caps = Capabilities {
        batch_max: 10,
        ..Capabilities::full()
    };
    let mut mock = mock(caps, vec![], vec![]);
    // The site reports the whole request's 503 against each of b@'s and c@'s rows, and a
    // refusal of d@'s row; a@ went through.
    mock.expect_apply_batch().times(1).returning(|ops| {
        let unavailable = || {
            DirectoryError::new(roster_core::ErrorKind::Server {
                status: 503,
                body: String::new(),
            })
            .with_class(roster_core::ErrorClass::Ambiguous)
        };
        assert_eq!(ops.len(), 4);
        Ok(vec![
            Ok(Some(user("1", "a", &[]))),
            Err(unavailable()),
            Err(unavailable().with_class(roster_core::ErrorClass::Temporary)),
            Err(DirectoryError::new(roster_core::ErrorKind::Invalid {
                field: Some("email".into()),
                message: "refused".into(),
            })),
        ])
    });
    // b@ had landed after all; c@ had not.
    mock.expect_get_user().returning(|key| {
        Ok((key == &UserKey::Email("b@x.org".into())).then(|| user("2", "b", &[])))
    });
    mock.expect_create_user()
        .times(1)
        .withf(|new| new.email.as_deref() == Some("c@x.org"))
        .returning(|_| Ok(user("3", "c", &[])));
    let sites = [site(mock, base_policy())];
    let planned = plan(
        &desired("email\na@x.org\nb@x.org\nc@x.org\nd@x.org\n"),
        &sites,
    )
    .await;
    let report = common::applied(&planned, &sites).await;
    assert_eq!(report.count(ItemStatus::Succeeded), 3, "{report}");
    assert_eq!(report.count(ItemStatus::Failed), 1, "{report}");
    let d = report.outcomes.iter().find(|o| o.key == "d@x.org").unwrap();
    assert_eq!(d.status, ItemStatus::Failed);
}

#[tokio::test]
async fn a_partial_membership_failure_fails_only_the_users_it_names() {
    let users = vec![user("1", "ada", &[]), user("2", "bob", &[])];
    let mut mock = mock(Capabilities::full(), users, vec![group("g")]);
    mock.expect_set_membership().times(1).returning(|_, _, _| {
        let failed = [("2".to_owned(), "the account is locked".to_owned())].into();
        Err(DirectoryError::new(roster_core::ErrorKind::Partial {
            failed,
        }))
    });
    let sites = [site(mock, base_policy())];
    let planned = plan(&desired("email,groups\nada@x.org,g\nbob@x.org,g\n"), &sites).await;
    let report = common::applied(&planned, &sites).await;
    let status = |key: &str| {
        report
            .outcomes
            .iter()
            .find(|o| o.key == key)
            .unwrap()
            .clone()
    };
    assert_eq!(status("ada@x.org").status, ItemStatus::Succeeded);
    assert_eq!(status("bob@x.org").status, ItemStatus::Failed);
    assert_eq!(
        status("bob@x.org").reason.as_deref(),
        Some("the account is locked")
    );
}

#[tokio::test]
async fn deleting_a_user_that_is_already_gone_counts_as_done() {
    let users = vec![user("1", "ada", &[]), user("2", "old", &[])];
    let mut mock = mock(Capabilities::full(), users, vec![]);
    mock.expect_delete_user()
        .times(1)
        .returning(|id| Err(DirectoryError::not_found(format!("user id {id}"))));
    let policy = SitePolicy {
        orphans: OrphanPolicy::Delete,
        ..base_policy()
    };
    let sites = [site(mock, policy)];
    let planned = plan(&desired("email\nada@x.org\n"), &sites).await;
    let report = common::applied(&planned, &sites).await;
    assert_eq!(report.outcomes[0].status, ItemStatus::Succeeded);
    assert_eq!(report.outcomes[0].reason.as_deref(), Some("already absent"));
}
