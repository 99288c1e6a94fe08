//! Whole runs against the in-memory directory: read, plan, apply, plan again.

mod common;

use common::desired;

use std::sync::Arc;

use roster_core::layers::RetryPolicy;
use roster_core::{Capabilities, Group, MemoryDirectory, SharedDirectory, User, UserKey};
use roster_engine::apply::ApplyHooks;
use roster_engine::{
    apply, copy_user, plan, CopyFields, ItemStatus, MaxDeletes, OrphanPolicy, RunOptions, Site,
    SitePolicy,
};

fn user(id: &str, email: &str, first: &str, groups: &[&str]) -> User {
    User {
        id: id.into(),
        username: Some(email.split('@').next().unwrap().into()),
        email: Some(email.into()),
        first_name: Some(first.into()),
        active: Some(true),
        groups: Some(groups.iter().map(|g| g.to_string()).collect()),
        ..User::default()
    }
}

fn site(directory: Arc<MemoryDirectory>, policy: SitePolicy) -> Site {
    let shared: SharedDirectory = directory;
    Site::new(shared, policy)
}

fn quick_policy() -> SitePolicy {
    SitePolicy {
        retry: RetryPolicy {
            min_delay: std::time::Duration::from_millis(1),
            max_delay: std::time::Duration::from_millis(2),
            ..RetryPolicy::default()
        },
        max_deletes: None,
        ..SitePolicy::default()
    }
}

#[tokio::test]
async fn a_plan_applied_leaves_nothing_to_do() {
    let memory = Arc::new(
        MemoryDirectory::new("club")
            .with_groups([Group {
                name: "staff".into(),
                ..Group::default()
            }])
            .with_users([
                user("1", "ada@x.org", "Ada", &["staff"]),
                user("2", "bob@x.org", "Bob", &[]),
                user("3", "old@x.org", "Old", &["staff"]),
            ]),
    );
    let policy = SitePolicy {
        orphans: OrphanPolicy::Deactivate,
        ..quick_policy()
    };
    let sites = [site(memory.clone(), policy)];
    let wanted = desired(
        "email;first_name;groups;password\n\
         ada@x.org;Augusta;coaches;\n\
         bob@x.org;Bob;staff;\n\
         new@x.org;New;coaches;s3cret-pass\n",
    );
    let first = plan(&wanted, &sites).await;
    assert!(!first.has_errors(), "{first}");
    let text = first.to_string();
    assert!(text.contains("first_name: Ada → Augusta"), "{text}");
    assert!(text.contains("password: (sensitive)"), "{text}");
    assert!(!text.contains("s3cret-pass") && !first.to_json().contains("s3cret-pass"));
    assert!(text.contains("+ group coaches"), "{text}");

    let report = common::applied(&first, &sites).await;
    assert!(report.is_success(), "{report}");
    assert_eq!(report.outcomes.len(), first.sites[0].items.len());

    let again = plan(&wanted, &sites).await;
    assert!(again.is_empty(), "{again}");
    let users = memory.users();
    assert_eq!(users.len(), 4);
    assert_eq!(memory.duplicate_identities(), 0);
    let old = users
        .iter()
        .find(|u| u.email.as_deref() == Some("old@x.org"))
        .unwrap();
    assert_eq!(old.active, Some(false));
}

#[tokio::test]
async fn a_saved_plan_is_refused_once_the_site_changed() {
    let memory =
        Arc::new(MemoryDirectory::new("club").with_users([user("1", "ada@x.org", "Ada", &[])]));
    let sites = [site(memory.clone(), quick_policy())];
    let saved = plan(&desired("email,first_name\nada@x.org,Augusta\n"), &sites)
        .await
        .to_json();
    memory
        .update_user(
            "1",
            &roster_core::UserPatch {
                last_name: roster_core::Change::Set("Lovelace".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let loaded = roster_engine::Plan::from_json(&saved).unwrap();
    let error = apply(
        &loaded,
        &sites,
        &RunOptions::default(),
        ApplyHooks::default(),
    )
    .await
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("changed since the plan was made"),
        "{error}"
    );
    assert_eq!(memory.calls_of(roster_core::Operation::UpdateUser), 1);
}

use roster_core::UserDirectory;

#[tokio::test]
async fn max_deletes_holds_back_every_removal_and_says_how_to_override() {
    let users: Vec<User> = (1..=10)
        .map(|i| user(&i.to_string(), &format!("u{i}@x.org"), "U", &[]))
        .collect();
    let memory = Arc::new(MemoryDirectory::new("club").with_users(users));
    let policy = SitePolicy {
        orphans: OrphanPolicy::Delete,
        max_deletes: Some(MaxDeletes::Count(2)),
        ..quick_policy()
    };
    let sites = [site(memory.clone(), policy)];
    let planned = plan(
        &desired("email\nu1@x.org\nu2@x.org\nu3@x.org\nu4@x.org\nu5@x.org\nu6@x.org\n"),
        &sites,
    )
    .await;
    let report = common::applied(&planned, &sites).await;
    assert_eq!(report.count(ItemStatus::Skipped), 4);
    let reason = report.outcomes[0].reason.as_deref().unwrap();
    assert!(
        reason.contains("max_deletes") && reason.contains("at least 4"),
        "{reason}"
    );
    assert_eq!(memory.users().len(), 10);
    assert_eq!(memory.calls_of(roster_core::Operation::DeleteUser), 0);
}

#[tokio::test]
async fn copy_user_plans_the_source_user_on_every_target_without_its_id() {
    let mut source_user = user("41", "ada@x.org", "Ada", &[]);
    source_user
        .attributes
        .insert("created_at".into(), "2020-01-01".into());
    source_user
        .attributes
        .insert("known_as".into(), "Countess".into());
    // The source computes `created_at` itself: it says so, and a copy leaves it out.
    let source = MemoryDirectory::new("source")
        .with_capabilities(Capabilities {
            read_only_fields: vec!["created_at".into()],
            ..Capabilities::full()
        })
        .with_users([source_user]);
    let no_membership = Capabilities {
        write_membership: false,
        ..Capabilities::full()
    };
    let a = Arc::new(MemoryDirectory::new("a"));
    let b = Arc::new(MemoryDirectory::new("b").with_capabilities(no_membership));
    let targets = [
        site(a.clone(), quick_policy()),
        site(b.clone(), quick_policy()),
    ];
    let key = UserKey::Email("ada@x.org".into());
    let copy = copy_user(&source, &key, &targets, None).await.unwrap();
    assert!(copy.fields.0.contains("known_as") && !copy.fields.0.contains("created_at"));
    assert_eq!(copy.plan.sites.len(), 2);
    assert!(copy.plan.sites[1]
        .notes
        .iter()
        .any(|n| n.contains("left out groups")));
    let report = apply(
        &copy.plan,
        &targets,
        &RunOptions::default(),
        ApplyHooks::default(),
    )
    .await
    .unwrap();
    assert!(report.is_success(), "{report}");
    for target in [&a, &b] {
        let copied = &target.users()[0];
        assert_eq!(copied.email.as_deref(), Some("ada@x.org"));
        assert_eq!(copied.attributes.get("known_as"), Some(&"Countess".into()));
        assert!(!copied.attributes.contains_key("created_at"));
        assert_ne!(copied.id, "41");
    }
    let narrowed = CopyFields::of(&source.users()[0]).without("known_as");
    let again = copy_user(&source, &key, &targets, Some(narrowed))
        .await
        .unwrap();
    assert!(!again.fields.0.contains("known_as"));
    assert!(again.plan.is_empty(), "{}", again.plan);
}

#[tokio::test]
async fn concurrency_is_bounded_per_site_and_by_the_shared_global_cap() {
    let rows: String = (0..12).map(|i| format!("u{i}@x.org\n")).collect();
    let wanted = desired(&format!("email\n{rows}"));
    let global = Arc::new(tokio::sync::Semaphore::new(2));
    let latency = std::time::Duration::from_millis(2);
    let (a, b, c) = (
        Arc::new(MemoryDirectory::new("a").with_latency(latency)),
        Arc::new(MemoryDirectory::new("b").with_latency(latency)),
        Arc::new(MemoryDirectory::new("c").with_latency(latency)),
    );
    let per_site = SitePolicy {
        concurrency: 3,
        ..quick_policy()
    };
    let build = |memory: &Arc<MemoryDirectory>, global: Option<Arc<tokio::sync::Semaphore>>| {
        let backend: SharedDirectory = memory.clone();
        Site::new(
            roster_engine::layered(backend, &per_site, global),
            per_site.clone(),
        )
    };
    let sites = [
        build(&a, None),
        build(&b, Some(global.clone())),
        build(&c, Some(global)),
    ];
    let planned = plan(&wanted, &sites).await;
    let report = common::applied(&planned, &sites).await;
    assert!(report.is_success(), "{report}");
    assert_eq!(a.peak_in_flight(), 3, "the site's own limit");
    assert!(
        b.peak_in_flight() <= 2 && c.peak_in_flight() <= 2,
        "the global cap"
    );
    assert_eq!(a.users().len() + b.users().len() + c.users().len(), 36);
}
