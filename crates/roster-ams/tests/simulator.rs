//! Against the AMS simulator: request economy asserted with its counters (DESIGN §7), one
//! login per directory, group members, and avatars end to end.

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use roster_ams::{
    AmsConfig, AmsDirectory, AvatarSource, AvatarStatus, PERSON_GET_BATCH, SEARCH_BATCH,
};
use roster_core::{Change, User, UserDirectory, UserKey, UserKeyKind, UserPatch, UserQuery};
use roster_sim::ams::{AmsSim, AmsState};
use roster_sim::{SimHandle, SimOptions};

async fn site(users: usize) -> (SimHandle<AmsState>, AmsDirectory) {
    let sim = AmsSim::start(SimOptions {
        users,
        ..SimOptions::default()
    })
    .await
    .expect("start the AMS simulator");
    let credentials = sim.credentials();
    let config = AmsConfig::new(
        credentials.site_url.clone(),
        credentials.username.clone(),
        credentials.password.clone().into(),
    );
    let directory = AmsDirectory::new("sim", config).expect("a valid configuration");
    (sim, directory)
}

/// Requests per endpoint since the last reset, zero counts left out.
fn counts(sim: &SimHandle<AmsState>) -> BTreeMap<String, u64> {
    let mut counts = sim.counters().snapshot();
    counts.retain(|_, count| *count > 0);
    counts
}

/// Every user `for_each_user` hands over for `query`.
async fn streamed(site: &AmsDirectory, query: &UserQuery) -> Vec<User> {
    let mut users = Vec::new();
    site.for_each_user(query, &mut |user| {
        users.push(user);
        ControlFlow::Continue(())
    })
    .await
    .expect("a streamed listing");
    users
}

fn expected(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs
        .iter()
        .filter(|(_, count)| *count > 0)
        .map(|(name, count)| ((*name).to_owned(), *count))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_update_is_one_person_get_and_one_save() {
    let (sim, site) = site(5).await;
    let users = site.list_users(&UserQuery::all()).await.unwrap();
    let target = &users[users.len() - 1];
    sim.counters().reset();
    let patch = UserPatch {
        first_name: Change::Set("Renamed".into()),
        ..UserPatch::default()
    };
    site.update_user(&target.id, &patch).await.unwrap();
    assert_eq!(
        counts(&sim),
        expected(&[("person/get", 1), ("person/save", 1)])
    );
    let after = site
        .get_user(&UserKey::Id(target.id.clone()))
        .await
        .unwrap()
        .unwrap();
    let mut wanted = target.clone();
    wanted.first_name = Some("Renamed".into());
    assert_eq!(after, wanted, "every other field is kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconcile_reads_in_batches_then_writes_one_get_and_one_save_per_change() {
    let (sim, site) = site(620).await;
    let users = site.list_users(&UserQuery::all()).await.unwrap();
    let n = users.len() as u64;
    assert!(n > 600, "the site holds {n} users");
    let batches = |size: u64| n.div_ceil(size);
    assert_eq!(
        counts(&sim),
        expected(&[
            ("loginUser", 1),
            ("usersearch", 1 + batches(100)),
            ("person/get", batches(500)),
        ])
    );
    sim.counters().reset();
    for user in users.iter().take(3) {
        site.update_user(&user.id, &UserPatch::deactivate())
            .await
            .unwrap();
    }
    assert_eq!(
        counts(&sim),
        expected(&[("person/get", 3), ("person/save", 3)])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_directory_logs_in_once_for_all_its_calls() {
    let (sim, site) = site(5).await;
    let groups = site.list_groups().await.unwrap();
    assert!(!groups.is_empty(), "the simulator seeds groups");
    let users = site.list_users(&UserQuery::all()).await.unwrap();
    site.get_user(&UserKey::Id(users[0].id.clone()))
        .await
        .unwrap();
    assert_eq!(sim.counters().get("loginUser"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_members_are_the_users_listed_in_that_group() {
    let (sim, site) = site(20).await;
    let everyone = site.list_users(&UserQuery::all()).await.unwrap();
    let group = everyone
        .iter()
        .flat_map(|user| user.groups.clone().unwrap_or_default())
        .next()
        .expect("some user is in a group");
    sim.counters().reset();
    let members = site.group_members(&group).await.unwrap();
    let mut from_listing: Vec<String> = everyone
        .iter()
        .filter(|user| {
            user.groups
                .as_ref()
                .is_some_and(|groups| groups.contains(&group))
        })
        .map(|user| user.id.clone())
        .collect();
    from_listing.sort();
    let mut ids: Vec<String> = members.iter().map(|user| user.id.clone()).collect();
    ids.sort();
    assert_eq!(ids, from_listing);
    assert_eq!(counts(&sim).get("groupmembers"), Some(&1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_avatar_is_uploaded_and_attached_keeping_every_other_field() {
    let (sim, site) = site(5).await;
    let users = site.list_users(&UserQuery::all()).await.unwrap();
    let target = users.last().unwrap().clone();
    let username = target.username.clone().unwrap();
    let dir = std::env::temp_dir().join(format!("roster-ams-sim-avatar-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(format!("{username}.png")),
        b"\x89PNG\r\n\x1a\nrest",
    )
    .unwrap();
    sim.counters().reset();

    let results = site
        .upload_avatars(AvatarSource::Directory(dir.clone()), UserKeyKind::Username)
        .await
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();

    assert_eq!(results.len(), 1);
    let result = &results[0];
    assert_eq!(result.status, AvatarStatus::Success, "{:?}", result.reason);
    assert_eq!(result.user_id.as_deref(), Some(target.id.as_str()));
    assert_eq!(
        counts(&sim),
        expected(&[
            ("usersearch", 1),
            ("fileupload", 1),
            ("getUploadStatus", 1),
            ("person/get", 1),
            ("person/save", 1),
        ])
    );
    let after = site
        .get_user(&UserKey::Id(target.id.clone()))
        .await
        .unwrap()
        .unwrap();
    let mut wanted = target.clone();
    wanted.attributes.insert(
        "avatar_id".into(),
        serde_json::Value::String(result.file_id.clone().unwrap()),
    );
    assert_eq!(after, wanted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_are_found_by_about_email_and_uuid() {
    let (sim, site) = site(5).await;
    let users = site.list_users(&UserQuery::all()).await.unwrap();
    let target = users.last().unwrap().clone();
    let about = target.about().expect("a name");
    sim.counters().reset();
    let by_about = site
        .get_user(&UserKey::Attribute {
            name: "about".into(),
            value: about,
        })
        .await
        .unwrap();
    assert_eq!(by_about.as_ref(), Some(&target));
    assert_eq!(
        counts(&sim),
        expected(&[("usersearch", 2), ("person/get", 1)]),
        "one search for everyone, one username search for memberships"
    );
    let email = target.email.clone().expect("an email").to_uppercase();
    let by_email = site.get_user(&UserKey::Email(email)).await.unwrap();
    assert_eq!(by_email.as_ref(), Some(&target));
    let missing = site
        .get_user(&UserKey::Attribute {
            name: "uuid".into(),
            value: "no-such-uuid".into(),
        })
        .await
        .unwrap();
    assert!(missing.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_listing_hands_over_what_list_users_returns_with_the_same_requests() {
    let (sim, site) = site(620).await;
    let everyone = site.list_users(&UserQuery::all()).await.unwrap();
    assert!(everyone.len() > PERSON_GET_BATCH, "more than one batch");
    let group = everyone
        .iter()
        .flat_map(|user| user.groups.clone().unwrap_or_default())
        .next()
        .expect("some user is in a group");
    let about = everyone[3].about().expect("a name");
    let sex = everyone[1].attributes["sex"]
        .as_str()
        .expect("a sex")
        .to_owned();
    let queries = [
        UserQuery::all(),
        UserQuery::all().with("group", group),
        UserQuery::all().with("about", about),
        UserQuery::all().with("sex", sex),
        UserQuery::all()
            .with("username", everyone[0].username.clone().unwrap())
            .with("username", everyone[600].username.clone().unwrap()),
    ];
    for query in queries {
        sim.counters().reset();
        let listed = site.list_users(&query).await.unwrap();
        assert!(!listed.is_empty(), "{query:?}");
        let listing_requests = counts(&sim);
        sim.counters().reset();
        let handed_over = streamed(&site, &query).await;
        assert_eq!(handed_over, listed, "{query:?}");
        assert_eq!(counts(&sim), listing_requests, "{query:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sink_that_stops_in_the_first_batch_ends_the_listing_after_one_person_get() {
    let (sim, site) = site(620).await;
    let everyone = site.list_users(&UserQuery::all()).await.unwrap();
    assert!(everyone.len() > PERSON_GET_BATCH, "more than one batch");
    sim.counters().reset();
    let mut handed_over = Vec::new();
    site.for_each_user(&UserQuery::all(), &mut |user: User| {
        handed_over.push(user);
        ControlFlow::Break(())
    })
    .await
    .expect("stopping early is not an error");
    assert_eq!(handed_over, everyone[..1]);
    let first_batch_searches = PERSON_GET_BATCH.div_ceil(SEARCH_BATCH) as u64;
    assert_eq!(
        counts(&sim),
        expected(&[("usersearch", 1 + first_batch_searches), ("person/get", 1),]),
        "the search for everyone, then the first batch only: its records and memberships"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_read_ahead_save_without_reading_and_keep_every_other_field() {
    let (sim, site) = site(40).await;
    let users = site.list_users(&UserQuery::all()).await.unwrap();
    let targets: Vec<&User> = users.iter().take(30).collect();
    let ids: Vec<String> = targets.iter().map(|user| user.id.clone()).collect();
    sim.counters().reset();

    site.prepare_updates(&ids).await.unwrap();
    assert_eq!(counts(&sim), expected(&[("person/get", 1)]));
    let patch = UserPatch {
        last_name: Change::Set("Read-Ahead".into()),
        ..UserPatch::default()
    };
    for id in &ids {
        site.update_user(id, &patch).await.unwrap();
    }
    assert_eq!(
        counts(&sim),
        expected(&[("person/get", 1), ("person/save", 30)]),
        "one read for all thirty updates"
    );

    let after = site.list_users(&UserQuery::all()).await.unwrap();
    for before in &targets {
        let now = after.iter().find(|user| user.id == before.id).unwrap();
        let mut wanted = (*before).clone();
        wanted.last_name = Some("Read-Ahead".into());
        assert_eq!(now, &wanted, "every other field is kept");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_read_ahead_serves_one_update_and_unknown_ids_are_left_to_theirs() {
    let (sim, site) = site(5).await;
    let users = site.list_users(&UserQuery::all()).await.unwrap();
    let id = users[0].id.clone();
    sim.counters().reset();
    site.prepare_updates(&[id.clone(), "not-a-number".into(), "999999".into()])
        .await
        .unwrap();
    let rename = |name: &str| UserPatch {
        first_name: Change::Set(name.into()),
        ..UserPatch::default()
    };
    site.update_user(&id, &rename("First")).await.unwrap();
    let second = site.update_user(&id, &rename("Second")).await.unwrap();
    assert_eq!(second.first_name.as_deref(), Some("Second"));
    assert_eq!(
        counts(&sim),
        expected(&[("person/get", 2), ("person/save", 2)]),
        "the second update of the same user reads its record afresh"
    );
    let missing = site.update_user("999999", &rename("Nobody")).await;
    assert!(
        missing.is_err(),
        "an id that names no one is still reported"
    );
}
