//! The journal, resume after a crash, dry runs, progress events and secrets.

mod common;

use common::desired;

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use roster_core::{
    BackendInfo, Capabilities, DirectoryError, ExposeSecret, Group, MemoryDirectory,
    MockUserDirectory, NewUser, Operation, SharedDirectory, User, UserDirectory,
};
use roster_engine::apply::ApplyHooks;
use roster_engine::journal::{Journal, JournalEvent, JournalRecord};
use roster_engine::plan::{Action, PlanItem};
use roster_engine::progress::ProgressEvent;
use roster_engine::{apply, plan, ItemStatus, Plan, RemoteValidator, RunOptions, Site, SitePolicy};

fn journal_path(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("roster-{name}-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

fn memory_site(memory: &Arc<MemoryDirectory>) -> Site {
    let shared: SharedDirectory = memory.clone();
    Site::new(shared, SitePolicy::default())
}

fn create_item<'a>(plan: &'a Plan, email: &str) -> &'a PlanItem {
    plan.sites[0]
        .items
        .iter()
        .find(|i| matches!(&i.action, Action::CreateUser { user, .. } if user.email.as_deref() == Some(email)))
        .unwrap()
}

fn record(
    plan: &Plan,
    event: JournalEvent,
    item: &PlanItem,
    status: Option<ItemStatus>,
    user_id: Option<String>,
) -> JournalRecord {
    JournalRecord {
        site: Some("club".into()),
        item: Some(item.id),
        key: Some(item.key.clone()),
        action: Some(item.action.name().into()),
        status,
        user_id,
        ..JournalRecord::new("crashed-run", &plan.hash(), event)
    }
}

fn new_user(email: &str) -> NewUser {
    NewUser {
        email: Some(email.into()),
        ..NewUser::default()
    }
}

#[tokio::test]
async fn a_rerun_after_a_crash_converges_without_duplicate_creates() {
    let memory = Arc::new(MemoryDirectory::new("club").with_groups([Group {
        name: "g".into(),
        ..Group::default()
    }]));
    let sites = [memory_site(&memory)];
    let state = desired("email,groups\na@x.org,g\nb@x.org,g\nc@x.org,g\n");
    let planned = plan(&state, &sites).await;

    // The crashed run: a was created and recorded; b was sent and landed, but the process
    // died before its outcome was written; c was never sent.
    let path = journal_path("resume");
    let journal = Journal::open(&path).unwrap();
    let a = memory.create_user(&new_user("a@x.org")).await.unwrap();
    let (item_a, item_b) = (
        create_item(&planned, "a@x.org"),
        create_item(&planned, "b@x.org"),
    );
    journal
        .write(&record(
            &planned,
            JournalEvent::Attempted,
            item_a,
            None,
            None,
        ))
        .unwrap();
    journal
        .write(&record(
            &planned,
            JournalEvent::Outcome,
            item_a,
            Some(ItemStatus::Succeeded),
            Some(a.id),
        ))
        .unwrap();
    journal
        .write(&record(
            &planned,
            JournalEvent::Attempted,
            item_b,
            None,
            None,
        ))
        .unwrap();
    memory.create_user(&new_user("b@x.org")).await.unwrap();
    let creates_before = memory.calls_of(Operation::CreateUser);

    let options = RunOptions {
        journal: Some(path.clone()),
        ..RunOptions::default()
    };
    let report = apply(&planned, &sites, &options, ApplyHooks::default())
        .await
        .unwrap();
    assert!(report.is_success(), "{report}");
    assert_eq!(
        memory.calls_of(Operation::CreateUser) - creates_before,
        1,
        "only c is sent"
    );
    assert_eq!(memory.duplicate_identities(), 0);
    assert_eq!(memory.users().len(), 3);
    assert!(memory
        .users()
        .iter()
        .all(|u| u.groups.as_ref().unwrap().contains("g")));
    assert!(plan(&state, &sites).await.is_empty());

    // The journal tells the whole story, one JSON object per line.
    let text = std::fs::read_to_string(&path).unwrap();
    let records: Vec<JournalRecord> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(records
        .iter()
        .any(|r| r.event == JournalEvent::RunStarted && r.run_id == report.run_id));
    let outcomes = records
        .iter()
        .filter(|r| r.run_id == report.run_id && r.event == JournalEvent::Outcome);
    assert_eq!(outcomes.count(), planned.sites[0].items.len());
    std::fs::remove_file(&path).unwrap();
}

struct RefuseBob;

#[async_trait]
impl RemoteValidator for RefuseBob {
    async fn validate(&self, item: &PlanItem) -> Result<(), DirectoryError> {
        if item.key.starts_with("bob") {
            Err(DirectoryError::invalid(Some("email"), "domain not allowed"))
        } else {
            Ok(())
        }
    }
}

#[tokio::test]
async fn a_dry_run_changes_nothing_and_journals_nothing_but_may_ask_the_site() {
    let caps = Capabilities {
        remote_dry_run: true,
        ..Capabilities::full()
    };
    let memory = Arc::new(MemoryDirectory::new("club").with_capabilities(caps));
    let sites = [memory_site(&memory).with_validator(Arc::new(RefuseBob))];
    let planned = plan(&desired("email\nada@x.org\nbob@x.org\n"), &sites).await;
    let path = journal_path("dry");
    let options = RunOptions {
        dry_run: true,
        journal: Some(path.clone()),
        ..RunOptions::default()
    };
    let report = apply(&planned, &sites, &options, ApplyHooks::default())
        .await
        .unwrap();
    assert!(report.dry_run);
    assert_eq!(report.count(ItemStatus::Skipped), 1);
    assert_eq!(report.count(ItemStatus::Failed), 1);
    assert!(report.outcomes.iter().any(|o| o
        .reason
        .as_deref()
        .unwrap()
        .contains("domain not allowed")));
    assert!(memory.users().is_empty());
    assert_eq!(memory.calls_of(Operation::CreateUser), 0);
    assert!(!path.exists(), "a dry run writes no journal");
}

#[tokio::test]
async fn progress_reports_totals_each_item_and_the_end_of_each_site() {
    let memory = Arc::new(MemoryDirectory::new("club"));
    let sites = [memory_site(&memory)];
    let planned = plan(&desired("email\na@x.org\nb@x.org\n"), &sites).await;
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let hooks = ApplyHooks {
        progress: Some(sender),
        ..ApplyHooks::default()
    };
    apply(&planned, &sites, &RunOptions::default(), hooks)
        .await
        .unwrap();
    let mut events = Vec::new();
    while let Ok(event) = receiver.try_recv() {
        events.push(event);
    }
    assert!(matches!(&events[0], ProgressEvent::Planned { site, total: 2 } if site == "club"));
    let done = events
        .iter()
        .filter(|e| matches!(e, ProgressEvent::ItemDone { .. }))
        .count();
    assert_eq!(done, 2);
    assert!(matches!(
        events.last().unwrap(),
        ProgressEvent::SiteDone { succeeded: 2, .. }
    ));
}

#[tokio::test]
async fn a_password_reaches_the_site_and_nothing_else() {
    const SECRET: &str = "correct-horse-battery-staple";
    let mut mock = MockUserDirectory::new();
    mock.expect_describe()
        .return_const(BackendInfo::new("mock", "club", Capabilities::full()));
    mock.expect_list_users().returning(|_| Ok(vec![]));
    mock.expect_list_groups().returning(|| Ok(vec![]));
    mock.expect_create_user()
        .times(1)
        .withf(|new| {
            new.password
                .as_ref()
                .is_some_and(|p| p.expose_secret() == SECRET)
        })
        .returning(|_| {
            Ok(User {
                id: "1".into(),
                ..User::default()
            })
        });
    let shared: SharedDirectory = Arc::new(mock);
    let sites = [Site::new(shared, SitePolicy::default())];
    let state = desired(&format!("email,password\nada@x.org,{SECRET}\n"));
    let planned = plan(&state, &sites).await;
    let path = journal_path("secret");
    let options = RunOptions {
        journal: Some(path.clone()),
        ..RunOptions::default()
    };
    let report = apply(&planned, &sites, &options, ApplyHooks::default())
        .await
        .unwrap();
    assert!(report.is_success(), "{report}");
    let journal = std::fs::read_to_string(&path).unwrap();
    for (what, text) in [
        ("rendering", planned.to_string()),
        ("json", planned.to_json()),
        ("debug", format!("{planned:?} {state:?}")),
        ("journal", journal),
        ("report", serde_json::to_string(&report).unwrap()),
    ] {
        assert!(
            !text.contains(SECRET),
            "the password leaked into the {what}"
        );
    }
    assert!(planned.to_string().contains("password: (sensitive)"));

    // A saved plan holds no password, so its create is refused rather than sent without.
    let saved = Plan::from_json(&planned.to_json()).unwrap();
    let Action::CreateUser { user, password, .. } = &saved.sites[0].items[0].action else {
        panic!("a create");
    };
    assert!(*password && user.password.is_none());
    std::fs::remove_file(&path).unwrap();
}

#[tokio::test]
async fn a_saved_plan_cannot_create_a_user_whose_password_it_does_not_hold() {
    let memory = Arc::new(MemoryDirectory::new("club"));
    let sites = [memory_site(&memory)];
    let planned = plan(&desired("email,password\nada@x.org,s3cret-value\n"), &sites).await;
    let saved = Plan::from_json(&planned.to_json()).unwrap();
    let report = common::applied(&saved, &sites).await;
    assert_eq!(report.outcomes[0].status, ItemStatus::Failed);
    assert!(report.outcomes[0]
        .reason
        .as_deref()
        .unwrap()
        .contains("plan again"));
    assert_eq!(memory.calls_of(Operation::CreateUser), 0);
}

#[tokio::test]
async fn passwords_come_back_from_the_desired_state_a_saved_plan_was_made_from() {
    let mut mock = MockUserDirectory::new();
    mock.expect_describe()
        .return_const(BackendInfo::new("mock", "club", Capabilities::full()));
    mock.expect_list_users().returning(|_| Ok(vec![]));
    mock.expect_list_groups().returning(|| Ok(vec![]));
    mock.expect_create_user()
        .times(1)
        .withf(|new| {
            new.password
                .as_ref()
                .is_some_and(|p| p.expose_secret() == "s3cret-value")
        })
        .returning(|_| {
            Ok(User {
                id: "1".into(),
                ..User::default()
            })
        });
    let shared: SharedDirectory = Arc::new(mock);
    let sites = [Site::new(shared, SitePolicy::default())];
    let state = desired("email,password\nada@x.org,s3cret-value\n");
    let mut saved = Plan::from_json(&plan(&state, &sites).await.to_json()).unwrap();
    assert_eq!(
        saved.restore_passwords(&desired("email\nada@x.org\n")),
        1,
        "not in that file"
    );
    assert_eq!(saved.restore_passwords(&state), 0);
    let report = common::applied(&saved, &sites).await;
    assert!(report.is_success(), "{report}");
}
