//! The behavior checks, each `pub async fn name(&Fixture)`. Each returns early (passing, with
//! a note on stderr) when the directory's capabilities rule it out.

use std::collections::BTreeSet;

use roster_core::{
    Capabilities, Change, ErrorKind, NewUser, Operation, User, UserDirectory, UserKey, UserPatch,
    UserQuery,
};

use crate::Fixture;

fn caps(fixture: &Fixture) -> &Capabilities {
    &fixture.directory.describe().capabilities
}

/// Says why a check does not apply; returns true when it does not.
fn skip(check: &str, needs: &[(&str, bool)]) -> bool {
    let missing: Vec<&str> = needs
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(name, _)| *name)
        .collect();
    if missing.is_empty() {
        return false;
    }
    eprintln!(
        "behavior: {check}: not applicable (needs {})",
        missing.join(", ")
    );
    true
}

async fn create(fixture: &Fixture, user: &NewUser) -> User {
    let created = fixture
        .directory
        .create_user(user)
        .await
        .unwrap_or_else(|error| panic!("create {} failed: {error}", user.label()));
    assert!(!created.id.is_empty(), "a created user has an id");
    created
}

async fn get(fixture: &Fixture, key: &UserKey) -> Option<User> {
    fixture
        .directory
        .get_user(key)
        .await
        .unwrap_or_else(|error| panic!("get {key} failed: {error}"))
}

async fn get_by_id(fixture: &Fixture, id: &str) -> User {
    get(fixture, &UserKey::Id(id.to_owned()))
        .await
        .unwrap_or_else(|| panic!("user id {id} should exist"))
}

/// The n-th test user, without the fields this backend cannot write.
fn new_user(fixture: &Fixture, n: u32) -> NewUser {
    let mut user = (fixture.options.new_user)(n);
    if let Some((name, value)) = &fixture.options.kept_attribute {
        user.attributes
            .entry(name.clone())
            .or_insert_with(|| value.clone());
    }
    let c = caps(fixture);
    for (field, slot) in [
        ("username", &mut user.username),
        ("email", &mut user.email),
        ("first_name", &mut user.first_name),
        ("last_name", &mut user.last_name),
    ] {
        if !c.can_write_field(field) {
            *slot = None;
        }
    }
    user.attributes.retain(|name, _| c.can_write_field(name));
    user
}

/// Lists more users than one page holds and finds every one of them.
pub async fn list_returns_every_user_across_pages(fixture: &Fixture) {
    let c = caps(fixture);
    if skip(
        "list",
        &[("list_users", c.list_users), ("create_user", c.create_user)],
    ) {
        return;
    }
    let count = c.page_size.map_or(3, |page| page + 1) as u32;
    let mut created = BTreeSet::new();
    for n in 0..count {
        created.insert(create(fixture, &new_user(fixture, 1000 + n)).await.id);
    }
    let listed: BTreeSet<String> = fixture
        .directory
        .list_users(&UserQuery::all())
        .await
        .expect("list users")
        .into_iter()
        .map(|user| user.id)
        .collect();
    let missing: Vec<_> = created.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "users missing from the listing: {missing:?}"
    );
}

/// Finds a created user by id, by username and by email (in another case) where it has them.
pub async fn get_finds_a_user_by_each_key_kind(fixture: &Fixture) {
    let c = caps(fixture);
    if skip(
        "get",
        &[("get_user", c.get_user), ("create_user", c.create_user)],
    ) {
        return;
    }
    let created = create(fixture, &new_user(fixture, 1)).await;
    let mut keys = vec![UserKey::Id(created.id.clone())];
    if let Some(username) = created.username.as_ref().filter(|u| !u.is_empty()) {
        keys.push(UserKey::Username(username.clone()));
    }
    if let Some(email) = created.email.as_ref().filter(|e| !e.is_empty()) {
        keys.push(UserKey::Email(email.clone()));
        keys.push(UserKey::Email(email.to_uppercase()));
    }
    for key in keys {
        let found = get(fixture, &key)
            .await
            .unwrap_or_else(|| panic!("{key} not found"));
        assert_eq!(found.id, created.id, "{key} found another user");
    }
}

/// A created user reports the fields it was created with, and a later get agrees.
pub async fn create_returns_the_fields_it_was_given(fixture: &Fixture) {
    let c = caps(fixture);
    if skip(
        "create",
        &[("create_user", c.create_user), ("get_user", c.get_user)],
    ) {
        return;
    }
    let wanted = new_user(fixture, 2);
    let created = create(fixture, &wanted).await;
    let fetched = get_by_id(fixture, &created.id).await;
    for user in [&created, &fetched] {
        if wanted.email.is_some() {
            assert_eq!(
                user.email.as_deref().map(str::to_lowercase),
                wanted.email.as_deref().map(str::to_lowercase)
            );
        }
        if wanted.first_name.is_some() || wanted.last_name.is_some() {
            assert_eq!(user.first_name, wanted.first_name);
            assert_eq!(user.last_name, wanted.last_name);
        }
        if user.username.is_some() && wanted.username.is_some() {
            assert_eq!(user.username, wanted.username);
        }
        if let Some((name, value)) = &fixture.options.kept_attribute {
            if c.can_write_field(name) {
                assert_eq!(user.attributes.get(name), Some(value), "attribute {name}");
            }
        }
    }
    if c.deactivate_user {
        assert_eq!(fetched.active, Some(true), "a new user is active");
    }
}

/// Creating a user whose key is taken fails with AlreadyExists and creates nothing.
pub async fn duplicate_create_is_already_exists(fixture: &Fixture) {
    let c = caps(fixture);
    if skip("duplicate create", &[("create_user", c.create_user)]) {
        return;
    }
    let user = new_user(fixture, 3);
    create(fixture, &user).await;
    let error = fixture
        .directory
        .create_user(&user)
        .await
        .expect_err("a second create with the same key must fail");
    assert!(
        matches!(error.kind(), ErrorKind::AlreadyExists { .. }),
        "expected AlreadyExists, got {error}"
    );
    if c.list_users {
        let key = &user.lookup_keys()[0];
        let same = fixture
            .directory
            .list_users(&UserQuery::all())
            .await
            .expect("list users")
            .into_iter()
            .filter(|u| u.matches_key(key))
            .count();
        assert_eq!(same, 1, "exactly one user with that key");
    }
}

/// Changing one field leaves every other field as it was.
pub async fn partial_update_leaves_every_other_field(fixture: &Fixture) {
    let c = caps(fixture);
    if skip(
        "partial update",
        &[
            ("create_user", c.create_user),
            ("update_user", c.update_user),
            ("get_user", c.get_user),
        ],
    ) {
        return;
    }
    let patch = match &fixture.options.partial_update {
        Some(patch) => patch.clone(),
        None if c.can_write_field("first_name") => UserPatch {
            first_name: Change::Set("Renamed".into()),
            ..UserPatch::default()
        },
        None => {
            eprintln!("behavior: partial update: not applicable (first_name is read-only and no partial_update is given)");
            return;
        }
    };
    let before = create(fixture, &new_user(fixture, 4)).await;
    let before = get_by_id(fixture, &before.id).await;
    fixture
        .directory
        .update_user(&before.id, &patch)
        .await
        .expect("update");
    let mut after = get_by_id(fixture, &before.id).await;
    let mut expected = before.clone();
    patch.apply_to(&mut expected);
    // Read-only attributes are the server's (a recomputed full name, an update timestamp):
    // they may change on any write.
    for user in [&mut after, &mut expected] {
        user.attributes.retain(|name, _| c.can_write_field(name));
    }
    assert_eq!(
        after,
        expected,
        "only {:?} may change",
        patch.touched_fields()
    );
}

/// Clearing a field removes it (an attribute where the platform has a clearable one).
pub async fn clearing_a_field_removes_it(fixture: &Fixture) {
    let c = caps(fixture);
    if skip(
        "clear",
        &[
            ("create_user", c.create_user),
            ("update_user", c.update_user),
            ("get_user", c.get_user),
        ],
    ) {
        return;
    }
    let mut user = new_user(fixture, 5);
    let clearing = fixture
        .options
        .clearable_attribute
        .as_ref()
        .filter(|(name, _)| c.can_write_field(name));
    let patch = match clearing {
        Some((name, value)) => {
            user.attributes.insert(name.clone(), value.clone());
            UserPatch {
                attributes: [(name.clone(), Change::Clear)].into_iter().collect(),
                ..UserPatch::default()
            }
        }
        None if c.can_write_field("last_name") => UserPatch {
            last_name: Change::Clear,
            ..UserPatch::default()
        },
        None => {
            eprintln!(
                "behavior: clear: not applicable (no clearable attribute; last_name is read-only)"
            );
            return;
        }
    };
    let created = create(fixture, &user).await;
    fixture
        .directory
        .update_user(&created.id, &patch)
        .await
        .expect("update");
    let after = get_by_id(fixture, &created.id).await;
    match clearing {
        Some((name, _)) => assert!(
            after
                .attributes
                .get(name)
                .is_none_or(|v| v.is_null() || v == ""),
            "attribute {name} should be cleared, is {:?}",
            after.attributes.get(name)
        ),
        None => assert!(after.last_name.as_deref().is_none_or(str::is_empty)),
    }
    assert_eq!(
        after.email, created.email,
        "clearing one field keeps the others"
    );
}

/// Deactivating sets `active = false`, and the user is still listed.
pub async fn deactivate_keeps_the_user_listed(fixture: &Fixture) {
    let c = caps(fixture);
    if skip(
        "deactivate",
        &[
            ("create_user", c.create_user),
            ("deactivate_user", c.deactivate_user),
            ("get_user", c.get_user),
        ],
    ) {
        return;
    }
    let created = create(fixture, &new_user(fixture, 6)).await;
    fixture
        .directory
        .update_user(&created.id, &UserPatch::deactivate())
        .await
        .expect("deactivate");
    assert_eq!(get_by_id(fixture, &created.id).await.active, Some(false));
    if c.list_users {
        let listed = fixture
            .directory
            .list_users(&UserQuery::all())
            .await
            .expect("list");
        assert!(listed
            .iter()
            .any(|u| u.id == created.id && u.active == Some(false)));
    }
}

/// A deleted user is gone from get and list.
pub async fn delete_removes_the_user(fixture: &Fixture) {
    let c = caps(fixture);
    if skip(
        "delete",
        &[
            ("create_user", c.create_user),
            ("delete_user", c.delete_user),
            ("get_user", c.get_user),
        ],
    ) {
        return;
    }
    let created = create(fixture, &new_user(fixture, 7)).await;
    fixture
        .directory
        .delete_user(&created.id)
        .await
        .expect("delete");
    assert!(get(fixture, &UserKey::Id(created.id.clone()))
        .await
        .is_none());
    if let Some(email) = &created.email {
        assert!(get(fixture, &UserKey::Email(email.clone())).await.is_none());
    }
    if c.list_users {
        let listed = fixture
            .directory
            .list_users(&UserQuery::all())
            .await
            .expect("list");
        assert!(listed.iter().all(|u| u.id != created.id));
    }
}

/// Looking up a user who is not there is `None`, not an error.
pub async fn get_of_a_missing_user_is_none(fixture: &Fixture) {
    let c = caps(fixture);
    if skip("missing get", &[("get_user", c.get_user)]) {
        return;
    }
    let probe = new_user(fixture, 999_999);
    for key in probe.lookup_keys() {
        assert!(get(fixture, &key).await.is_none(), "{key} should not exist");
    }
}

/// A created group is listed; a deleted one is not.
pub async fn groups_create_list_delete(fixture: &Fixture) {
    let c = caps(fixture);
    if skip(
        "groups",
        &[
            ("create_group", c.create_group),
            ("list_groups", c.list_groups),
            ("delete_group", c.delete_group),
        ],
    ) {
        return;
    }
    let group = (fixture.options.new_group)("Suite Group Ω");
    let created = fixture
        .directory
        .create_group(&group)
        .await
        .expect("create group");
    assert_eq!(created.name, group.name);
    let names = group_names(fixture).await;
    assert!(
        names.contains(&group.name),
        "created group listed: {names:?}"
    );
    fixture
        .directory
        .delete_group(&group.name)
        .await
        .expect("delete group");
    assert!(!group_names(fixture).await.contains(&group.name));
}

async fn group_names(fixture: &Fixture) -> BTreeSet<String> {
    fixture
        .directory
        .list_groups()
        .await
        .expect("list groups")
        .into_iter()
        .map(|g| g.name)
        .collect()
}

/// Two groups to test membership with: created, or the first two listed.
async fn two_groups(fixture: &Fixture) -> Option<(String, String)> {
    if caps(fixture).create_group {
        let mut names = Vec::new();
        for name in ["Suite Team A", "Suite Team B"] {
            let group = (fixture.options.new_group)(name);
            names.push(
                fixture
                    .directory
                    .create_group(&group)
                    .await
                    .expect("create group")
                    .name,
            );
        }
        return Some((names[0].clone(), names[1].clone()));
    }
    let names: Vec<String> = group_names(fixture).await.into_iter().collect();
    (names.len() >= 2).then(|| (names[0].clone(), names[1].clone()))
}

async fn groups_of(fixture: &Fixture, id: &str) -> BTreeSet<String> {
    get_by_id(fixture, id)
        .await
        .groups
        .expect("read_membership: users report groups")
}

/// Adding a user to a group shows in their groups; removing takes it away.
pub async fn membership_add_and_remove(fixture: &Fixture) {
    let c = caps(fixture);
    if skip(
        "membership",
        &[
            ("create_user", c.create_user),
            ("read_membership", c.read_membership),
            ("write_membership", c.write_membership),
            ("get_user", c.get_user),
        ],
    ) {
        return;
    }
    let Some((group, _)) = two_groups(fixture).await else {
        eprintln!("behavior: membership: not applicable (fewer than two groups)");
        return;
    };
    let user = create(fixture, &new_user(fixture, 8)).await;
    let id = [user.id.clone()];
    fixture
        .directory
        .set_membership(&group, &id, &[])
        .await
        .expect("add");
    assert!(groups_of(fixture, &user.id).await.contains(&group));
    // Adding again is not an error.
    fixture
        .directory
        .set_membership(&group, &id, &[])
        .await
        .expect("add again");
    fixture
        .directory
        .set_membership(&group, &[], &id)
        .await
        .expect("remove");
    assert!(!groups_of(fixture, &user.id).await.contains(&group));
}

/// Where a user may hold one group only, joining a second one leaves exactly one.
pub async fn one_group_per_user_is_enforced(fixture: &Fixture) {
    let c = caps(fixture);
    if skip(
        "one group per user",
        &[
            ("max_groups_per_user = 1", c.max_groups_per_user == Some(1)),
            ("write_membership", c.write_membership),
            ("read_membership", c.read_membership),
            ("create_user", c.create_user),
        ],
    ) {
        return;
    }
    let Some((first, second)) = two_groups(fixture).await else {
        eprintln!("behavior: one group per user: not applicable (fewer than two groups)");
        return;
    };
    let user = create(fixture, &new_user(fixture, 9)).await;
    let id = [user.id.clone()];
    fixture
        .directory
        .set_membership(&first, &id, &[])
        .await
        .expect("join first");
    fixture
        .directory
        .set_membership(&second, &id, &[])
        .await
        .expect("join second");
    let groups = groups_of(fixture, &user.id).await;
    assert_eq!(groups, BTreeSet::from([second]), "one group at most");
}

/// Names outside ASCII come back exactly as sent.
pub async fn unicode_names_round_trip(fixture: &Fixture) {
    let c = caps(fixture);
    if skip(
        "unicode",
        &[
            ("create_user", c.create_user),
            ("get_user", c.get_user),
            (
                "first_name and last_name writable",
                c.can_write_field("first_name") && c.can_write_field("last_name"),
            ),
        ],
    ) {
        return;
    }
    let mut user = new_user(fixture, 10);
    user.first_name = Some("Zoë Ångström".into());
    user.last_name = Some("Łukasiewicz-山田 O'Brien".into());
    let created = create(fixture, &user).await;
    let fetched = get_by_id(fixture, &created.id).await;
    assert_eq!(fetched.first_name, user.first_name);
    assert_eq!(fetched.last_name, user.last_name);
}

/// Every operation the capabilities rule out fails with Unsupported.
pub async fn unsupported_operations_say_so(fixture: &Fixture) {
    let c = caps(fixture).clone();
    let dir = &fixture.directory;
    let id = "no-such-id".to_owned();
    let mut checked = Vec::new();
    let mut expect = |operation: Operation, result: Result<(), roster_core::DirectoryError>| {
        match result {
            Err(error) if matches!(error.kind(), ErrorKind::Unsupported { .. }) => {}
            other => panic!(
                "{operation} is not in the capabilities and must be Unsupported, got {other:?}"
            ),
        }
        checked.push(operation);
    };
    if !c.list_users {
        expect(
            Operation::ListUsers,
            dir.list_users(&UserQuery::all()).await.map(drop),
        );
    }
    if !c.get_user {
        expect(
            Operation::GetUser,
            dir.get_user(&UserKey::Id(id.clone())).await.map(drop),
        );
    }
    if !c.create_user {
        expect(
            Operation::CreateUser,
            dir.create_user(&new_user(fixture, 11)).await.map(drop),
        );
    }
    if !c.update_user {
        let patch = UserPatch {
            first_name: Change::Set("x".into()),
            ..UserPatch::default()
        };
        expect(
            Operation::UpdateUser,
            dir.update_user(&id, &patch).await.map(drop),
        );
    }
    if !c.deactivate_user {
        expect(
            Operation::UpdateUser,
            dir.update_user(&id, &UserPatch::deactivate())
                .await
                .map(drop),
        );
    }
    if !c.delete_user {
        expect(Operation::DeleteUser, dir.delete_user(&id).await);
    }
    if !c.list_groups {
        expect(Operation::ListGroups, dir.list_groups().await.map(drop));
    }
    if !c.create_group {
        expect(
            Operation::CreateGroup,
            dir.create_group(&(fixture.options.new_group)("x"))
                .await
                .map(drop),
        );
    }
    if !c.delete_group {
        expect(Operation::DeleteGroup, dir.delete_group("x").await);
    }
    if !c.write_membership {
        expect(
            Operation::SetMembership,
            dir.set_membership("x", std::slice::from_ref(&id), &[])
                .await,
        );
    }
    eprintln!("behavior: unsupported operations checked: {checked:?}");
}
