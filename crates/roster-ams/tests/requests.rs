//! The exact requests the backend sends (spec §5), pinned with httpmock.

mod common;

use std::collections::BTreeSet;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;
use httpmock::prelude::*;
use roster_ams::PERSON_GET_BATCH;
use roster_core::{
    Change, ErrorKind, NewUser, Operation, User, UserDirectory, UserKey, UserPatch, UserQuery,
};
use serde_json::json;

/// Two users of the recorded 77-user usersearch, projected without memberships.
const SEARCH_ALL_REPLY: &str = r#"{"results": [{"search": {},"results": [{"userId": 72827,"firstName": "Riley","lastName": "Jones","dob": "01/12/1990","middleName": "","emailAddress": "riley.jones@newdomain.com","knownAs": "","organisationalId": -1,"username": "Riley.Jones","sex": "MALE","uuid": "new123"},{"userId": 120890,"firstName": "JohnUpdated","lastName": "Doe","dob": "01/01/1990","middleName": "","emailAddress": "john.again.updated.doe@ams.com","knownAs": "","organisationalId": 0,"username": "johnupdated.doe","sex": "FEMALE","uuid": "12345"}]}]}"#;

const JOHN: &str = r#"{"active":false,"admin":false,"pending":false,"communicationPreferences":null,"sex":"1","avatarId":-1,"id":120890,"organisationId":0,"ownerId":120855,"plan":0,"state":-1,"emailAddress":"john.again.updated.doe@ams.com","firstName":"JohnUpdated","knownAs":"","language":"English","lastName":"Doe","middleNames":"","sidebarWidth":"","skypeName":null,"timezone":null,"username":"johnupdated.doe","uuid":"12345","addresses":null,"favoriteDashboards":null,"favoriteEvents":null,"frontPageButtons":null,"phoneNumbers":null,"accountExpiration":"01/01/1970","dateOfBirth":"01/01/1990","__mtime__":1747137396999}"#;

/// The username search for Riley.Jones, answered with his one membership (Mens Squad).
async fn mock_riley_username_search(server: &MockServer) -> httpmock::Mock<'_> {
    mock_v1(
        server,
        "v1/usersearch",
        r#"{"identification":[{"username":"Riley.Jones"}]}"#,
        r#"{"results": [{"search": {"username": "Riley.Jones"},"results": [{"userId": 72827,"username": "Riley.Jones","groupsAndRoles": {"coachGroups": [],"athleteGroups": [{"id": 3000,"name": "Mens Squad"}],"role": []}}]}]}"#,
    )
    .await
}

/// A filtered search: one group per entry, each user with `groupsAndRoles`.
fn username_search_reply() -> String {
    r#"{"results": [{"search": {"username": "Riley.Jones"},"results": [{"userId": 72827,"firstName": "Riley","lastName": "Jones","username": "Riley.Jones","groupsAndRoles": {"coachGroups": [],"athleteGroups": [{"id": 3000,"name": "Mens Squad"},{"id": 4000,"name": "All Accounts"}],"role": [{"id": 700,"name": "Athlete"}]},"uuid": "new123"}]},{"search": {"username": "johnupdated.doe"},"results": [{"userId": 120890,"firstName": "JohnUpdated","lastName": "Doe","username": "johnupdated.doe","groupsAndRoles": {"coachGroups": [{"id": 3000,"name": "Mens Squad"}],"athleteGroups": [],"role": []},"uuid": "12345"}]}]}"#.to_owned()
}

#[tokio::test]
async fn the_login_is_the_recorded_request_and_is_reused_by_later_calls() {
    let server = MockServer::start_async().await;
    let login = mock_login(&server).await;
    let groups = mock_v1(
        &server,
        "v1/listgroups",
        r#"{"name":"python.connector"}"#,
        r#"{"name": ["US HPCS","All Accounts","Mens Squad"]}"#,
    )
    .await;
    let site = directory(&server);
    for _ in 0..2 {
        let names: Vec<String> = site
            .list_groups()
            .await
            .unwrap()
            .into_iter()
            .map(|group| group.name)
            .collect();
        assert_eq!(names, ["US HPCS", "All Accounts", "Mens Squad"]);
    }
    login.assert_calls_async(1).await;
    groups.assert_calls_async(2).await;
}

#[tokio::test]
async fn listing_takes_one_search_one_person_get_and_one_username_search() {
    let server = MockServer::start_async().await;
    mock_login(&server).await;
    let all = mock_v1(
        &server,
        "v1/usersearch",
        r#"{"identification":[]}"#,
        SEARCH_ALL_REPLY,
    )
    .await;
    let records = mock_v2(
        &server,
        "v2/person/get",
        person_get_body(&["72827", "120890"]),
        &person_get_reply(&[RILEY, JOHN]),
    )
    .await;
    let memberships = mock_v1(
        &server,
        "v1/usersearch",
        r#"{"identification":[{"username":"Riley.Jones"},{"username":"johnupdated.doe"}]}"#,
        &username_search_reply(),
    )
    .await;
    let users = directory(&server)
        .list_users(&UserQuery::all())
        .await
        .unwrap();
    all.assert_calls_async(1).await;
    records.assert_calls_async(1).await;
    memberships.assert_calls_async(1).await;

    assert_eq!(users.len(), 2);
    let riley = &users[0];
    assert_eq!(riley.id, "72827");
    assert_eq!(riley.active, Some(true));
    assert_eq!(
        riley.groups,
        Some(BTreeSet::from([
            "All Accounts".to_owned(),
            "Mens Squad".to_owned()
        ]))
    );
    assert_eq!(riley.attributes["role"], json!("Athlete"));
    let john = &users[1];
    assert_eq!(john.active, Some(false), "inactive users are listed");
    assert_eq!(john.groups, Some(BTreeSet::new()));
    assert_eq!(john.attributes["coach_groups"], json!("Mens Squad"));
    assert_eq!(john.attributes["sex"], json!("FEMALE"));
    assert_eq!(john.attributes["dob"], json!("1990-01-01"));
    assert!(
        !john.attributes.contains_key("avatar_id"),
        "-1 means no avatar"
    );
}

#[tokio::test]
async fn a_username_filter_is_answered_by_a_username_search_and_the_records() {
    let server = MockServer::start_async().await;
    mock_login(&server).await;
    let search = mock_riley_username_search(&server).await;
    let records = mock_riley_get(&server).await;
    let site = directory(&server);
    let users = site
        .list_users(&UserQuery::all().with("username", "Riley.Jones"))
        .await
        .unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(
        users[0].groups,
        Some(BTreeSet::from(["Mens Squad".to_owned()]))
    );
    search.assert_calls_async(1).await;
    records.assert_calls_async(1).await;

    // AMS matches usernames without regard to case, and so does a lookup.
    let other_case = mock_v1(
        &server,
        "v1/usersearch",
        r#"{"identification":[{"username":"riley.jones"}]}"#,
        r#"{"results": [{"search": {"username": "riley.jones"},"results": [{"userId": 72827,"username": "Riley.Jones","groupsAndRoles": {"coachGroups": [],"athleteGroups": [],"role": []}}]}]}"#,
    )
    .await;
    let found = site
        .get_user(&UserKey::Username("riley.jones".into()))
        .await
        .unwrap()
        .expect("found");
    assert_eq!(found.id, "72827");
    other_case.assert_calls_async(1).await;
    records.assert_calls_async(2).await;
}

#[tokio::test]
async fn an_email_lookup_uses_the_email_address_key() {
    let server = MockServer::start_async().await;
    mock_login(&server).await;
    let search = mock_v1(
        &server,
        "v1/usersearch",
        r#"{"identification":[{"emailAddress":"RILEY.JONES@newdomain.com"}]}"#,
        r#"{"results": [{"search": {"emailAddress": "RILEY.JONES@newdomain.com"},"results": [{"userId": 72827,"emailAddress": "riley.jones@newdomain.com","username": "Riley.Jones","groupsAndRoles": {"coachGroups": [],"athleteGroups": [],"role": []}}]}]}"#,
    )
    .await;
    mock_riley_get(&server).await;
    let user = directory(&server)
        .get_user(&UserKey::Email("RILEY.JONES@newdomain.com".into()))
        .await
        .unwrap()
        .expect("found");
    assert_eq!(user.id, "72827");
    search.assert_calls_async(1).await;
}

#[tokio::test]
async fn group_members_are_read_with_a_name_list() {
    let server = MockServer::start_async().await;
    mock_login(&server).await;
    let members = mock_v1(
        &server,
        "v1/groupmembers",
        r#"{"name":["Mens Squad"]}"#,
        r#"{"results": [{"search": {"name": "Mens Squad"},"results": [{"userId": 72827,"firstName": "Riley","lastName": "Jones","username": "Riley.Jones","uuid": "new123"}]}]}"#,
    )
    .await;
    mock_riley_get(&server).await;
    mock_riley_username_search(&server).await;
    let users = directory(&server)
        .group_members("Mens Squad")
        .await
        .unwrap();
    members.assert_calls_async(1).await;
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].username.as_deref(), Some("Riley.Jones"));
}

#[tokio::test]
async fn a_create_sends_the_recorded_keys_in_order_and_reads_the_new_id() {
    let server = MockServer::start_async().await;
    mock_login(&server).await;
    let save = server
        .mock_async(|when, then| {
            data_call(when, "v2/person/save").body(
                r#"{"person":{"id":"-1","firstName":"Test","lastName":"User","username":"test.user.2025@example.com","emailAddress":"test.user.2025@example.com","dateOfBirth":"01/01/2000","password":"n3w-Pass","active":true,"knownAs":"","middleNames":"","language":"","sidebarWidth":"","uuid":"test-uuid-123","sex":"0"}}"#,
            );
            v2(
                then,
                r#"{"active":true,"admin":false,"pending":false,"communicationPreferences":null,"sex":"0","avatarId":0,"id":121185,"organisationId":0,"ownerId":120855,"plan":0,"state":0,"emailAddress":"test.user.2025@example.com","firstName":"Test","knownAs":"","language":"English","lastName":"User","middleNames":"","sidebarWidth":"","skypeName":null,"timezone":null,"username":"test.user.2025@example.com","uuid":"test-uuid-123","addresses":null,"favoriteDashboards":null,"favoriteEvents":null,"frontPageButtons":null,"phoneNumbers":null,"accountExpiration":"01/01/1970","dateOfBirth":"01/01/2000","__mtime__":1747406918247}"#,
            );
        })
        .await;
    let user = NewUser {
        username: Some("test.user.2025@example.com".into()),
        email: Some("test.user.2025@example.com".into()),
        first_name: Some("Test".into()),
        last_name: Some("User".into()),
        password: Some("n3w-Pass".into()),
        attributes: [
            ("dob".to_owned(), json!("2000-01-01")),
            ("uuid".to_owned(), json!("test-uuid-123")),
            ("sex".to_owned(), json!("MALE")),
        ]
        .into_iter()
        .collect(),
        ..NewUser::default()
    };
    let created = directory(&server).create_user(&user).await.unwrap();
    save.assert_calls_async(1).await;
    assert_eq!(created.id, "121185");
    assert_eq!(created.attributes["dob"], json!("2000-01-01"));
    assert_eq!(created.attributes["sex"], json!("MALE"));
    assert_eq!(created.attributes["language"], json!("English"));
}

#[tokio::test]
async fn an_update_sends_back_the_whole_record_with_only_the_patch_changed() {
    let server = MockServer::start_async().await;
    mock_login(&server).await;
    let get = mock_riley_get(&server).await;
    // The recorded edit_user body (spec §2.6) with first name "Rile", email "r@x.com" and
    // active false; dob and sex as AMS stores them, known_as newly set.
    let expected = r#"{"person":{"active":false,"admin":false,"pending":false,"communicationPreferences":"3","sex":"1","avatarId":"93831","id":"72827","organisationId":"-1","ownerId":"72788","plan":"-1","state":"-1","emailAddress":"r@x.com","firstName":"Rile","knownAs":"Sam","language":"English","lastName":"Jones","middleNames":"","sidebarWidth":"250px","skypeName":null,"timezone":null,"username":"Riley.Jones","uuid":"new123","addresses":null,"favoriteDashboards":null,"favoriteEvents":[],"frontPageButtons":[],"phoneNumbers":[{"type":1,"countryCode":"1","number":"4567891","prefix":"333"}],"accountExpiration":"01/01/1970","dateOfBirth":"02/10/1985","__mtime__":1747137396964}}"#;
    let saved = RILEY
        .replace(r#""active":true"#, r#""active":false"#)
        .replace(r#""sex":"0""#, r#""sex":"1""#)
        .replace("riley.jones@newdomain.com", "r@x.com")
        .replace(r#""firstName":"Riley""#, r#""firstName":"Rile""#)
        .replace(r#""knownAs":"""#, r#""knownAs":"Sam""#)
        .replace("01/12/1990", "02/10/1985");
    let save = mock_v2(&server, "v2/person/save", expected, &saved).await;
    let patch = UserPatch {
        first_name: Change::Set("Rile".into()),
        email: Change::Set("r@x.com".into()),
        active: Change::Set(false),
        attributes: [
            ("dob".to_owned(), Change::Set(json!("1985-10-02"))),
            ("sex".to_owned(), Change::Set(json!("FEMALE"))),
            ("known_as".to_owned(), Change::Set(json!("Sam"))),
        ]
        .into_iter()
        .collect(),
        ..UserPatch::default()
    };
    let updated = directory(&server)
        .update_user("72827", &patch)
        .await
        .unwrap();
    get.assert_calls_async(1).await;
    save.assert_calls_async(1).await;
    assert_eq!(updated.first_name.as_deref(), Some("Rile"));
    assert_eq!(updated.active, Some(false));
    assert_eq!(updated.attributes["known_as"], json!("Sam"));
    assert_eq!(
        updated.attributes["uuid"],
        json!("new123"),
        "untouched fields stay"
    );
}

#[tokio::test]
async fn a_401_renews_the_login_once_and_repeats_the_call() {
    let server = MockServer::start_async().await;
    let logins = Arc::new(AtomicUsize::new(0));
    let counter = logins.clone();
    let login = mock_login_answer(&server, |then| {
        then.respond_with(move |_| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let token = if n == 0 { "TOKEN-OLD" } else { "TOKEN-NEW" };
            HttpMockResponse::builder()
                .status(200)
                .header("session-header", token)
                .body(login_reply())
                .build()
        })
    })
    .await;
    let stale = server
        .mock_async(|when, then| {
            data_call_with(when, "v1/listgroups", "TOKEN-OLD");
            then.status(401);
        })
        .await;
    let fresh = server
        .mock_async(|when, then| {
            data_call_with(when, "v1/listgroups", "TOKEN-NEW");
            v1(then, r#"{"name": ["Mens Squad"]}"#);
        })
        .await;
    let site = directory(&server);
    assert_eq!(site.list_groups().await.unwrap().len(), 1);
    assert_eq!(site.list_groups().await.unwrap().len(), 1);
    login.assert_calls_async(2).await;
    stale.assert_calls_async(1).await;
    fresh.assert_calls_async(2).await;
}

#[tokio::test]
async fn operations_ams_cannot_do_send_nothing() {
    let server = MockServer::start_async().await;
    let anything = mock_any_request(&server).await;
    let site = directory(&server);
    for error in [
        site.delete_user("72827").await.unwrap_err(),
        site.create_group(&roster_core::NewGroup::named("x"))
            .await
            .unwrap_err(),
        site.delete_group("x").await.unwrap_err(),
        site.set_membership("x", &["72827".into()], &[])
            .await
            .unwrap_err(),
    ] {
        assert!(
            matches!(error.kind(), ErrorKind::Unsupported { .. }),
            "{error}"
        );
        assert_eq!(error.site(), Some("club"));
    }
    let incomplete = NewUser {
        username: Some("amy".into()),
        email: Some("amy@example.com".into()),
        first_name: Some("Amy".into()),
        last_name: Some("Ng".into()),
        password: Some("pw".into()),
        ..NewUser::default()
    };
    let error = site.create_user(&incomplete).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Invalid { field: Some(f), .. } if f == "dob"));
    let refused = UserPatch {
        attributes: [("role".to_owned(), Change::Set(json!("Coach")))]
            .into_iter()
            .collect(),
        ..UserPatch::default()
    };
    let error = site.update_user("72827", &refused).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Invalid { field: Some(f), .. } if f == "role"));
    anything.assert_calls_async(0).await;
}

#[tokio::test]
async fn capabilities_are_the_spec_table() {
    let server = MockServer::start_async().await;
    let site = directory(&server);
    let info = site.describe();
    assert_eq!(info.kind, "ams");
    assert_eq!(info.site, "club");
    let mut expected = roster_testkit::shapes::ams();
    expected.read_only_fields = info.capabilities.read_only_fields.clone();
    expected.writable_attributes = Some(
        [
            "dob",
            "sex",
            "uuid",
            "known_as",
            "middle_names",
            "language",
            "sidebar_width",
        ]
        .map(String::from)
        .to_vec(),
    );
    assert_eq!(info.capabilities, expected);
    assert!(!info.capabilities.can_write_field("role"));
    assert!(info.capabilities.can_write_field("known_as"));
}

/// A minimal person/get record of user `id`.
fn numbered_record(id: usize) -> String {
    format!(
        r#"{{"id":{id},"username":"user.{id}","firstName":"User","lastName":"{id}","emailAddress":"user.{id}@example.com"}}"#
    )
}

#[tokio::test]
async fn a_streamed_listing_hands_over_each_batch_and_ends_with_the_error_of_a_later_one() {
    let server = MockServer::start_async().await;
    mock_login(&server).await;
    let count = PERSON_GET_BATCH + 1;
    let everyone: Vec<String> = (1..=count)
        .map(|id| format!(r#"{{"userId":{id},"username":"user.{id}"}}"#))
        .collect();
    let search_all = format!(
        r#"{{"results":[{{"search":{{}},"results":[{}]}}]}}"#,
        everyone.join(",")
    );
    mock_v1(
        &server,
        "v1/usersearch",
        r#"{"identification":[]}"#,
        &search_all,
    )
    .await;
    let memberships = server
        .mock_async(|when, then| {
            data_call(when, "v1/usersearch").body_includes(r#"{"username":"#);
            v1(then, r#"{"results":[]}"#);
        })
        .await;
    let first: Vec<String> = (1..count).map(numbered_record).collect();
    let first: Vec<&str> = first.iter().map(String::as_str).collect();
    let first_batch = server
        .mock_async(|when, then| {
            data_call(when, "v2/person/get").body_includes(r#""valueInteger":["1","2","#);
            v2(then, &person_get_reply(&first));
        })
        .await;
    let last_id = count.to_string();
    let second_batch = server
        .mock_async(|when, then| {
            data_call(when, "v2/person/get").body(person_get_body(&[last_id.as_str()]));
            then.status(500).body("boom");
        })
        .await;

    let mut handed_over: Vec<User> = Vec::new();
    let error = directory(&server)
        .for_each_user(&UserQuery::all(), &mut |user| {
            handed_over.push(user);
            ControlFlow::Continue(())
        })
        .await
        .expect_err("the second batch fails");
    assert_eq!(
        handed_over.len(),
        PERSON_GET_BATCH,
        "the first batch went out"
    );
    assert_eq!(handed_over[0].id, "1");
    assert_eq!(error.operation(), Some(Operation::ListUsers), "{error}");
    assert_eq!(error.site(), Some("club"), "{error}");
    first_batch.assert_calls_async(1).await;
    second_batch.assert_calls_async(1).await;
    memberships.assert_calls_async(5).await;
}
