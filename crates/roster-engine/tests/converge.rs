//! Property: for random desired and actual states, applying the plan leaves nothing to do.

use std::collections::BTreeSet;
use std::sync::Arc;

use proptest::prelude::*;
use roster_core::{Change, Group, MemoryDirectory, SharedDirectory, User};
use roster_engine::apply::ApplyHooks;
use roster_engine::desired::DesiredUser;
use roster_engine::{
    apply, plan, DesiredState, GroupOrphanPolicy, OrphanPolicy, RunOptions, Site, SitePolicy,
};

const GROUPS: [&str; 3] = ["a", "b", "c"];

fn groups_of(mask: u8) -> Vec<String> {
    GROUPS
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, g)| g.to_string())
        .collect()
}

fn change(choice: u8, value: String) -> Change<String> {
    match choice % 3 {
        0 => Change::Leave,
        1 => Change::Set(value),
        _ => Change::Clear,
    }
}

/// (index, has username, first name, active, group mask)
type ActualSpec = (u8, bool, u8, bool, u8);
/// (index, key choice, first name choice, last name choice, active choice, groups choice)
type DesiredSpec = (u8, u8, u8, u8, u8, u8);

fn actual_users(specs: &[ActualSpec]) -> Vec<User> {
    let mut seen = BTreeSet::new();
    specs
        .iter()
        .filter(|spec| seen.insert(spec.0))
        .map(|&(i, has_username, first, active, groups)| User {
            id: String::new(),
            username: has_username.then(|| format!("u{i}")),
            email: Some(format!("u{i}@x.org")),
            first_name: Some(format!("F{}", first % 3)),
            last_name: Some("L".into()),
            active: Some(active),
            groups: Some(groups_of(groups).into_iter().collect()),
            ..User::default()
        })
        .collect()
}

fn desired_rows(specs: &[DesiredSpec]) -> Vec<DesiredUser> {
    let mut seen = BTreeSet::new();
    specs
        .iter()
        .filter(|spec| seen.insert(spec.0))
        .enumerate()
        .map(
            |(line, &(i, keys, first, last, active, groups))| DesiredUser {
                line: line as u64 + 2,
                // At least one key: email, username, or both.
                email: if keys % 3 != 1 {
                    Change::Set(format!("U{i}@X.org"))
                } else {
                    Change::Leave
                },
                username: if keys % 3 != 0 {
                    Change::Set(format!("u{i}"))
                } else {
                    Change::Leave
                },
                first_name: change(first, format!("F{}", first % 2)),
                last_name: change(last, "M".into()),
                active: match active % 3 {
                    0 => Change::Leave,
                    1 => Change::Set(true),
                    _ => Change::Set(false),
                },
                groups: match groups % 9 {
                    8 => Change::Leave,
                    7 => Change::Clear,
                    mask => Change::Set(groups_of(mask)),
                },
                ..DesiredUser::default()
            },
        )
        .collect()
}

fn orphan_policy(choice: u8) -> OrphanPolicy {
    [
        OrphanPolicy::Preserve,
        OrphanPolicy::Deactivate,
        OrphanPolicy::Delete,
    ][choice as usize % 3]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn after_apply_a_fresh_plan_is_empty(
        actual in prop::collection::vec(any::<ActualSpec>().prop_map(|(i, u, f, a, g)| (i % 12, u, f, a, g)), 0..10),
        desired in prop::collection::vec(any::<DesiredSpec>().prop_map(|(i, k, f, l, a, g)| (i % 12, k, f, l, a, g)), 0..10),
        existing_groups in 0u8..8,
        orphans in 0u8..3,
        delete_groups in any::<bool>(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        // A site's users are only ever in groups the site has.
        let existing_groups = actual.iter().fold(existing_groups, |mask, spec| mask | spec.4);
        runtime.block_on(async {
            let memory = Arc::new(
                MemoryDirectory::new("site")
                    .with_users(actual_users(&actual))
                    .with_groups(groups_of(existing_groups).into_iter().map(|name| Group { name, ..Group::default() })),
            );
            let shared: SharedDirectory = memory.clone();
            let policy = SitePolicy {
                orphans: orphan_policy(orphans),
                orphan_groups: if delete_groups { GroupOrphanPolicy::Delete } else { GroupOrphanPolicy::Preserve },
                max_deletes: None,
                ..SitePolicy::default()
            };
            let sites = [Site::new(shared, policy)];
            let state = DesiredState { source: "generated".into(), users: desired_rows(&desired) };
            let first = plan(&state, &sites).await;
            prop_assert!(!first.has_errors(), "{first}");
            let report = apply(&first, &sites, &RunOptions::default(), ApplyHooks::default()).await.unwrap();
            prop_assert!(report.is_success(), "{first}\n{report}");
            let second = plan(&state, &sites).await;
            prop_assert!(second.is_empty(), "first:\n{first}\nsecond:\n{second}");
            prop_assert_eq!(memory.duplicate_identities(), 0);
            Ok(())
        })?;
    }
}
