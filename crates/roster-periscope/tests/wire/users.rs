//! User reads and writes.

use std::collections::BTreeSet;

use httpmock::prelude::*;
use roster_core::{
    Change, ErrorKind, NewUser, SecretString, User, UserDirectory, UserKey, UserPatch, UserQuery,
};
use serde_json::json;

use super::{
    answer_any, any_request, config, directory, directory_with, in_turn, read, read_user, request,
    write, API_KEY, APPLYING, ROSTER_SITE, TEST_MODE,
};

fn ann() -> User {
    User {
        id: "ann@example.com".into(),
        email: Some("ann@example.com".into()),
        first_name: Some("Ann".into()),
        last_name: Some("Lee".into()),
        groups: Some(BTreeSet::from(["Analysts".to_owned()])),
        ..User::default()
    }
}

#[tokio::test]
async fn list_sends_one_plain_get_and_maps_every_user() {
    let server = MockServer::start_async().await;
    let list = server
        .mock_async(|when, then| {
            read(when, "/api/v1/users").header_missing("HTTP-X-EMAIL");
            then.status(200).json_body(json!({"users": [
                {"email": "ann@example.com", "first_name": "Ann", "last_name": "Lee",
                 "groups": ["All Users", "Analysts"]},
                {"email": "Bo@Example.com", "first_name": "Bo", "last_name": "Ng", "id": 17,
                 "sso_enabled": true}
            ]}));
        })
        .await;
    let users = directory(&server)
        .list_users(&UserQuery::all())
        .await
        .unwrap();
    list.assert_calls_async(1).await;
    assert_eq!(users[0], ann(), "the implicit All Users group is left out");
    let bo = &users[1];
    assert_eq!(bo.id, "Bo@Example.com", "the id is the e-mail as reported");
    assert_eq!(bo.username, None);
    assert_eq!(bo.active, None);
    assert_eq!(bo.groups, None, "no groups field: membership unknown");
    assert_eq!(bo.attributes["id"], 17);
    assert_eq!(bo.attributes["sso_enabled"], true);
}

#[tokio::test]
async fn list_follows_next_page_start_until_it_is_null() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            read(when, "/api/v1/users");
            then.status(200).json_body(json!({
                "users": [{"email": "a@example.com", "groups": []}],
                "next_page_start": "page 2", "items_this_page": 1
            }));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            request(
                when.method(GET).path("/api/v1/users"),
                Some("next_page_start=page+2"),
            );
            then.status(200).json_body(json!({
                "users": [{"email": "b@example.com", "groups": []}],
                "next_page_start": null
            }));
        })
        .await;
    let users = directory(&server)
        .list_users(&UserQuery::all())
        .await
        .unwrap();
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    let ids: Vec<_> = users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, ["a@example.com", "b@example.com"]);
}

#[tokio::test]
async fn a_page_token_that_comes_back_is_an_error_not_a_loop() {
    let server = MockServer::start_async().await;
    let pages = server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v1/users");
            then.status(200)
                .json_body(json!({"users": [], "next_page_start": "again"}));
        })
        .await;
    let error = directory(&server)
        .list_users(&UserQuery::all())
        .await
        .unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Decode { .. }), "{error}");
    pages.assert_calls_async(2).await;
}

#[tokio::test]
async fn list_accepts_a_bare_array_and_filters_here() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v1/users");
            then.status(200).json_body(json!([
                {"email": "ann@example.com", "first_name": "Ann", "last_name": "Lee",
                 "groups": ["All Users", "Analysts"]},
                {"email": "bo@example.com", "groups": ["All Users"]}
            ]));
        })
        .await;
    let users = directory(&server)
        .list_users(&UserQuery::all().with("group", "Analysts"))
        .await
        .unwrap();
    assert_eq!(users, vec![ann()]);
}

#[tokio::test]
async fn a_group_query_reads_users_the_listing_left_without_groups() {
    let server = MockServer::start_async().await;
    let list = server
        .mock_async(|when, then| {
            read(when, "/api/v1/users").header_missing("HTTP-X-EMAIL");
            then.status(200).json_body(json!({"users": [
                {"email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"}
            ]}));
        })
        .await;
    let one = server
        .mock_async(|when, then| {
            read_user(when, "ann@example.com");
            then.status(200)
                .json_body(json!({"email": "ann@example.com",
                "first_name": "Ann", "last_name": "Lee", "groups": ["All Users", "Analysts"]}));
        })
        .await;
    let site = directory(&server);
    let users = site
        .list_users(&UserQuery::all().with("group", "Analysts"))
        .await
        .unwrap();
    assert_eq!(users, vec![ann()]);
    one.assert_calls_async(1).await;
    // Without a group filter nobody is read one by one.
    site.list_users(&UserQuery::all()).await.unwrap();
    list.assert_calls_async(2).await;
    one.assert_calls_async(1).await;
}

#[tokio::test]
async fn get_selects_the_user_with_the_email_header() {
    let server = MockServer::start_async().await;
    let found = server
        .mock_async(|when, then| {
            read_user(when, "ann@example.com");
            then.status(200)
                .json_body(json!({"user": {"email": "ann@example.com",
                "first_name": "Ann", "last_name": "Lee", "groups": ["Analysts", "All Users"]}}));
        })
        .await;
    let missing = server
        .mock_async(|when, then| {
            read_user(when, "nobody@example.com");
            then.status(404)
                .json_body(json!({"error": "User not found: nobody@example.com"}));
        })
        .await;
    let site = directory(&server);
    let by_id = site
        .get_user(&UserKey::Id("ann@example.com".into()))
        .await
        .unwrap();
    assert_eq!(by_id, Some(ann()));
    let by_email = site
        .get_user(&UserKey::Email("ann@example.com".into()))
        .await
        .unwrap();
    assert_eq!(by_email, Some(ann()));
    found.assert_calls_async(2).await;
    let none = site
        .get_user(&UserKey::Email("nobody@example.com".into()))
        .await
        .unwrap();
    assert_eq!(none, None);
    missing.assert_calls_async(1).await;
}

#[tokio::test]
async fn get_by_username_sends_nothing_since_no_user_has_one() {
    let server = MockServer::start_async().await;
    let any = any_request(&server).await;
    let found = directory(&server)
        .get_user(&UserKey::Username("ann".into()))
        .await
        .unwrap();
    assert_eq!(found, None);
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn get_by_another_attribute_searches_the_listing() {
    let server = MockServer::start_async().await;
    let list = server
        .mock_async(|when, then| {
            read(when, "/api/v1/users").header_missing("HTTP-X-EMAIL");
            then.status(200).json_body(json!({"users": [
                {"email": "a@example.com", "id": 1},
                {"email": "b@example.com", "id": 2}
            ]}));
        })
        .await;
    let key = UserKey::Attribute {
        name: "id".into(),
        value: "2".into(),
    };
    let found = directory(&server).get_user(&key).await.unwrap().unwrap();
    assert_eq!(found.id, "b@example.com");
    list.assert_calls_async(1).await;
}

fn new_bo() -> NewUser {
    NewUser {
        username: Some("bo".into()),
        email: Some("bo@example.com".into()),
        first_name: Some("Bo".into()),
        last_name: Some("Ng".into()),
        groups: BTreeSet::from(["Analysts".to_owned(), "All Users".to_owned()]),
        ..NewUser::default()
    }
}

const BO_CREATE_BODY: &str = r#"{"email":"bo@example.com","first_name":"Bo","last_name":"Ng","groups":["Analysts"],"invited_by_email":"admin@example.com"}"#;

#[tokio::test]
async fn create_posts_the_contract_body_in_its_field_order() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            write(when, POST, "/api/v1/users", APPLYING)
                .header_missing("HTTP-X-EMAIL")
                .body(BO_CREATE_BODY);
            then.status(201).json_body(json!({"email": "bo@example.com",
                "first_name": "Bo", "last_name": "Ng", "groups": ["All Users", "Analysts"]}));
        })
        .await;
    let created = directory(&server).create_user(&new_bo()).await.unwrap();
    create.assert_calls_async(1).await;
    assert_eq!(created.id, "bo@example.com");
    assert_eq!(
        created.groups,
        Some(BTreeSet::from(["Analysts".to_owned()]))
    );
}

#[tokio::test]
async fn create_without_groups_sends_an_empty_list_and_omits_absent_names() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            write(when, POST, "/api/v1/users", APPLYING).body(
                r#"{"email":"cy@example.com","groups":[],"invited_by_email":"admin@example.com"}"#,
            );
            then.status(201)
                .json_body(json!({"email": "cy@example.com", "groups": ["All Users"]}));
        })
        .await;
    let user = NewUser {
        email: Some("cy@example.com".into()),
        ..NewUser::default()
    };
    directory(&server).create_user(&user).await.unwrap();
    create.assert_calls_async(1).await;
}

#[tokio::test]
async fn dry_run_sends_every_write_with_test_mode_true() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            write(when, POST, "/api/v1/users", TEST_MODE).body(BO_CREATE_BODY);
            then.status(201).body("");
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            write(when, DELETE, "/api/v1/users", TEST_MODE)
                .header("HTTP-X-EMAIL", "bo@example.com");
            then.status(200).body("{}");
        })
        .await;
    let site = directory_with(&server, |config| config.dry_run = true);
    let created = site.create_user(&new_bo()).await.unwrap();
    // Nothing was saved, so the answer is what was sent, not a read-back.
    assert_eq!(created.id, "bo@example.com");
    assert_eq!(created.first_name.as_deref(), Some("Bo"));
    site.delete_user("bo@example.com").await.unwrap();
    create.assert_calls_async(1).await;
    delete.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_create_answered_without_the_user_reads_it_back() {
    let server = MockServer::start_async().await;
    let create = answer_any(&server, POST, "/api/v1/users", 201, "Created").await;
    let read = server
        .mock_async(|when, then| {
            read_user(when, "bo@example.com");
            then.status(200).json_body(json!({"email": "bo@example.com",
                "first_name": "Bo", "last_name": "Ng", "groups": ["All Users", "Analysts"]}));
        })
        .await;
    let created = directory(&server).create_user(&new_bo()).await.unwrap();
    create.assert_calls_async(1).await;
    read.assert_calls_async(1).await;
    assert_eq!(created.first_name.as_deref(), Some("Bo"));
}

#[tokio::test]
async fn creates_periscope_cannot_take_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = any_request(&server).await;
    let site = directory(&server);
    let mut with_password = new_bo();
    with_password.password = Some(SecretString::from("hunter2"));
    let error = site.create_user(&with_password).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Unsupported { .. }));
    assert!(!format!("{error} {error:?}").contains("hunter2"));

    let mut with_attribute = new_bo();
    with_attribute
        .attributes
        .insert("uuid".into(), json!("ext-1"));
    let error = site.create_user(&with_attribute).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Invalid { field: Some(f), .. } if f == "uuid"),
        "{error}"
    );

    let mut inactive = new_bo();
    inactive.active = Some(false);
    let error = site.create_user(&inactive).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Unsupported { .. }));

    let no_email = NewUser {
        first_name: Some("Bo".into()),
        ..NewUser::default()
    };
    let error = site.create_user(&no_email).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Invalid { field: Some(f), .. } if f == "email"));

    let error = directory_with(&server, |config| config.invited_by_email = None)
        .create_user(&new_bo())
        .await
        .unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Config { .. }));
    assert!(error.to_string().contains("invited_by_email"), "{error}");
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn update_puts_only_the_changed_names_for_the_selected_user() {
    let server = MockServer::start_async().await;
    let update = server
        .mock_async(|when, then| {
            write(when, PUT, "/api/v1/users", APPLYING)
                .header("HTTP-X-EMAIL", "ann@example.com")
                .body(r#"{"first_name":"Anna","last_name":""}"#);
            then.status(200)
                .json_body(json!({"email": "ann@example.com",
                "first_name": "Anna", "last_name": "", "groups": ["All Users"]}));
        })
        .await;
    let patch = UserPatch {
        first_name: Change::Set("Anna".into()),
        last_name: Change::Clear,
        ..UserPatch::default()
    };
    let updated = directory(&server)
        .update_user("ann@example.com", &patch)
        .await
        .unwrap();
    update.assert_calls_async(1).await;
    assert_eq!(updated.first_name.as_deref(), Some("Anna"));
    assert_eq!(updated.groups, Some(BTreeSet::new()));
}

#[tokio::test]
async fn an_update_answered_with_no_body_reads_the_user_back() {
    let server = MockServer::start_async().await;
    let update = server
        .mock_async(|when, then| {
            when.method(PUT).path("/api/v1/users");
            then.status(204);
        })
        .await;
    let read = server
        .mock_async(|when, then| {
            read_user(when, "ann@example.com");
            then.respond_with(in_turn(vec![(
                200,
                r#"{"email":"ann@example.com","first_name":"Anna","last_name":"Lee"}"#,
            )]));
        })
        .await;
    let patch = UserPatch {
        first_name: Change::Set("Anna".into()),
        ..UserPatch::default()
    };
    let updated = directory(&server)
        .update_user("ann@example.com", &patch)
        .await
        .unwrap();
    update.assert_calls_async(1).await;
    read.assert_calls_async(1).await;
    assert_eq!(updated.first_name.as_deref(), Some("Anna"));
}

#[tokio::test]
async fn updates_periscope_cannot_make_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = any_request(&server).await;
    let site = directory(&server);
    let error = site
        .update_user("ann@example.com", &UserPatch::deactivate())
        .await
        .unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Unsupported { .. }));
    assert_eq!(error.operation(), Some(roster_core::Operation::UpdateUser));
    assert_eq!(error.site(), Some(ROSTER_SITE));
    let rename = UserPatch {
        email: Change::Set("new@example.com".into()),
        ..UserPatch::default()
    };
    let error = site
        .update_user("ann@example.com", &rename)
        .await
        .unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Invalid { field: Some(f), .. } if f == "email"));
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn delete_selects_the_user_and_accepts_an_empty_answer() {
    let server = MockServer::start_async().await;
    let delete = server
        .mock_async(|when, then| {
            write(when, DELETE, "/api/v1/users", APPLYING)
                .header("HTTP-X-EMAIL", "Ann@Example.com")
                .body("");
            then.status(204);
        })
        .await;
    directory(&server)
        .delete_user("Ann@Example.com")
        .await
        .unwrap();
    delete.assert_calls_async(1).await;
}

#[tokio::test]
async fn bodies_over_the_cap_are_refused_and_garbage_never_panics() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v1/users")
                .header_missing("HTTP-X-EMAIL");
            then.status(200).body(format!("[{}]", " ".repeat(4096)));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v1/users")
                .header_exists("HTTP-X-EMAIL");
            then.status(200).body("{\"email\": [1, 2");
        })
        .await;
    let site = directory_with(&server, |config| config.max_body_bytes = 1024);
    let error = site.list_users(&UserQuery::all()).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Decode { .. }), "{error}");
    assert!(error.to_string().contains("max_body_bytes"), "{error}");
    let error = site
        .get_user(&UserKey::Email("ann@example.com".into()))
        .await
        .unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Decode { .. }), "{error}");
}

#[tokio::test]
async fn debug_output_never_shows_the_key() {
    let server = MockServer::start_async().await;
    let site = directory(&server);
    let text = format!("{site:?} {:?}", config(&server));
    assert!(!text.contains(API_KEY), "{text}");
    assert!(text.contains(ROSTER_SITE));
}
