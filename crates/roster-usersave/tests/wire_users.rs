//! The user requests of the LumApps profile, pinned to the spec's backend contract (§5.3).

mod common;

use common::*;
use httpmock::prelude::*;
use roster_core::{
    Change, ErrorClass, ErrorKind, NewUser, SecretString, UserDirectory, UserKey, UserPatch,
    UserQuery,
};
use serde_json::json;

fn user_json(id: &str, email: &str, status: &str) -> serde_json::Value {
    json!({"id": id, "uid": id, "email": email, "firstName": "Ann", "lastName": "Lee",
           "fullName": "Ann Lee", "accountType": "external", "status": status,
           "isHidden": false, "customer": CUSTOMER, "createdAt": "2019-03-12T11:48:55.684166"})
}

#[tokio::test]
async fn listing_takes_one_pass_per_status_and_follows_the_cursor() {
    let server = MockServer::start_async().await;
    let token = token(&server).await;
    let enabled_1 = mock_get(
        &server,
        "user/list",
        "status=enabled&showHidden=true&maxResults=100",
        200,
        json!({"items": [user_json("1", "a@acme.com", "enabled")], "more": true, "cursor": "Mg=="}),
    )
    .await;
    let enabled_2 = mock_get(
        &server,
        "user/list",
        "status=enabled&showHidden=true&maxResults=100&cursor=Mg%3D%3D",
        200,
        json!({"items": [user_json("2", "b@acme.com", "enabled")], "more": false}),
    )
    .await;
    let disabled = mock_get(
        &server,
        "user/list",
        "status=disabled&showHidden=true&maxResults=100",
        200,
        json!({"items": [user_json("3", "c@acme.com", "disabled")], "more": false}),
    )
    .await;
    let dir = site_with(&server, |config| config.list_without_groups = true);
    let users = dir.list_users(&UserQuery::all()).await.unwrap();
    let summary: Vec<_> = users.iter().map(|u| (u.id.as_str(), u.active)).collect();
    assert_eq!(
        summary,
        [("1", Some(true)), ("2", Some(true)), ("3", Some(false))]
    );
    assert!(users.iter().all(|u| u.groups.is_none()));
    for mock in [&enabled_1, &enabled_2, &disabled] {
        mock.assert_async().await;
    }
    token.assert_calls_async(1).await;
}

#[tokio::test]
async fn listing_with_groups_lists_each_feeds_members_per_status() {
    let server = MockServer::start_async().await;
    token(&server).await;
    mock_get(
        &server,
        "user/list",
        "status=enabled&showHidden=true&maxResults=100",
        200,
        json!({"items": [user_json("1", "a@acme.com", "enabled"),
                         user_json("2", "b@acme.com", "enabled")], "more": false}),
    )
    .await;
    mock_get(
        &server,
        "user/list",
        "status=disabled&showHidden=true&maxResults=100",
        200,
        json!({"more": false}),
    )
    .await;
    let feeds = mock_get(
        &server,
        "feed/list",
        "maxResults=100",
        200,
        json!({"items": [
            {"id": "10", "name": "ALL", "functionalInnerId": "LUMAPPS_ALL"},
            {"id": "11", "name": "Sales", "functionalInnerId": "sales", "type": "9"}], "more": false}),
    )
    .await;
    let members = mock_get(
        &server,
        "user/list",
        "feeds=11&status=enabled&showHidden=true&maxResults=100",
        200,
        json!({"items": [user_json("2", "b@acme.com", "enabled")], "more": false}),
    )
    .await;
    let disabled_members = mock_get(
        &server,
        "user/list",
        "feeds=11&status=disabled&showHidden=true&maxResults=100",
        200,
        json!({"more": false}),
    )
    .await;
    let users = site(&server).list_users(&UserQuery::all()).await.unwrap();
    let groups: Vec<_> = users.iter().map(|u| u.groups.clone().unwrap()).collect();
    assert!(groups[0].is_empty(), "the built-in feed is not reported");
    assert_eq!(groups[1], ["Sales".to_owned()].into());
    feeds.assert_async().await;
    members.assert_async().await;
    disabled_members.assert_async().await;
}

#[tokio::test]
async fn get_by_id_and_by_email_read_the_user_and_their_feeds() {
    let server = MockServer::start_async().await;
    token(&server).await;
    let ann = user_json("5678", "a@acme.com", "enabled");
    let by_id = mock_get(&server, "user/get", "uid=5678", 200, ann.clone()).await;
    let by_email = mock_get(&server, "user/get", "email=a%40acme.com", 200, ann).await;
    let subscriptions = mock_get(
        &server,
        "feed/user/subscription/list",
        "userId=5678",
        200,
        json!({"items": [
            {"id": "10", "name": "ALL", "functionalInnerId": "LUMAPPS_ALL"},
            {"id": "11", "name": "Sales"}], "more": false}),
    )
    .await;
    let dir = site(&server);
    for key in [
        UserKey::Id("5678".into()),
        UserKey::Email("a@acme.com".into()),
    ] {
        let user = dir.get_user(&key).await.unwrap().expect("found");
        assert_eq!(user.id, "5678");
        assert_eq!(user.first_name.as_deref(), Some("Ann"));
        assert_eq!(user.attributes["account_type"], "external");
        assert_eq!(user.groups, Some(["Sales".to_owned()].into()));
    }
    by_id.assert_async().await;
    by_email.assert_async().await;
    subscriptions.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_missing_user_is_none_and_a_forbidden_one_is_an_error() {
    let server = MockServer::start_async().await;
    token(&server).await;
    mock_user_not_found(&server, "uid=404").await;
    mock_get(
        &server,
        "user/get",
        "uid=403",
        403,
        envelope(403, "Forbidden", "forbidden"),
    )
    .await;
    let dir = site(&server);
    assert_eq!(
        dir.get_user(&UserKey::Id("404".into())).await.unwrap(),
        None
    );
    let error = dir.get_user(&UserKey::Id("403".into())).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Forbidden { .. }),
        "{error}"
    );
    assert_eq!(error.class(), ErrorClass::Permanent);
    // No username on this platform: nothing to look up, nothing sent.
    assert_eq!(
        dir.get_user(&UserKey::Username("ann".into()))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn create_checks_absence_then_saves_the_minimal_payload() {
    let server = MockServer::start_async().await;
    token(&server).await;
    let absent = mock_user_not_found(&server, "email=new%40acme.com").await;
    let save = mock_json_post(
        &server,
        "user/save",
        r#"{"email":"new@acme.com","firstName":"New","lastName":"User","accountType":"external","isHidden":true,"status":"disabled","password":"1234567890","rePassword":"1234567890"}"#,
        user_json("5066549580791808", "new@acme.com", "disabled"),
    )
    .await;
    let new = NewUser {
        username: Some("ignored-no-usernames-here".into()),
        email: Some("new@acme.com".into()),
        first_name: Some("New".into()),
        last_name: Some("User".into()),
        active: Some(false),
        attributes: [("is_hidden".to_owned(), json!(true))].into(),
        password: Some(SecretString::from("1234567890")),
        ..NewUser::default()
    };
    let created = site(&server).create_user(&new).await.unwrap();
    assert_eq!(created.id, "5066549580791808");
    assert_eq!(created.active, Some(false));
    assert_eq!(created.groups, Some(Default::default()));
    absent.assert_async().await;
    save.assert_async().await;
}

#[tokio::test]
async fn create_of_an_existing_email_is_already_exists_and_saves_nothing() {
    let server = MockServer::start_async().await;
    token(&server).await;
    mock_get(
        &server,
        "user/get",
        "email=a%40acme.com",
        200,
        user_json("1", "a@acme.com", "enabled"),
    )
    .await;
    let save = mock_any_call(&server, POST, "user/save", 200).await;
    let new = NewUser {
        email: Some("a@acme.com".into()),
        ..NewUser::default()
    };
    let error = site(&server).create_user(&new).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::AlreadyExists { .. }),
        "{error}"
    );
    save.assert_calls_async(0).await;
}

#[tokio::test]
async fn update_saves_the_whole_object_read_with_the_changes() {
    let server = MockServer::start_async().await;
    token(&server).await;
    let read = server
        .mock_async(|when, then| {
            exact_query(api_call(when, GET, "user/get"), "uid=77");
            then.status(200).body(
                r#"{"id":"77","uid":"77","email":"a@acme.com","firstName":"Ann","lastName":"Lee","fullName":"Ann Lee","accountType":"external","status":"enabled","isHidden":false,"customer":"4664706704080896","createdAt":"2024-05-02T09:14:03.120044","customProfile":{"f1":"v"}}"#,
            );
        })
        .await;
    let save = mock_json_post(
        &server,
        "user/save",
        r#"{"id":"77","uid":"77","email":"a@acme.com","firstName":"Anna","fullName":"Ann Lee","accountType":"external","status":"disabled","isHidden":false,"customer":"4664706704080896","createdAt":"2024-05-02T09:14:03.120044","customProfile":{"f1":"v"}}"#,
        user_json("77", "a@acme.com", "disabled"),
    )
    .await;
    let patch = UserPatch {
        first_name: Change::Set("Anna".into()),
        last_name: Change::Clear,
        active: Change::Set(false),
        ..UserPatch::default()
    };
    let updated = site(&server).update_user("77", &patch).await.unwrap();
    assert_eq!(updated.active, Some(false));
    read.assert_async().await;
    save.assert_async().await;
}

#[tokio::test]
async fn update_of_a_missing_user_is_not_found_and_read_only_fields_are_refused() {
    let server = MockServer::start_async().await;
    token(&server).await;
    mock_user_not_found(&server, "uid=1").await;
    mock_get(
        &server,
        "user/get",
        "uid=2",
        200,
        user_json("2", "b@acme.com", "enabled"),
    )
    .await;
    let save = mock_any_call(&server, POST, "user/save", 200).await;
    let dir = site(&server);
    let error = dir
        .update_user("1", &UserPatch::deactivate())
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::NotFound { .. }),
        "{error}"
    );
    let read_only = UserPatch {
        attributes: [("full_name".to_owned(), Change::Set(json!("X")))].into(),
        ..UserPatch::default()
    };
    let error = dir.update_user("2", &read_only).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Invalid { field: Some(f), .. } if f == "full_name"),
        "{error}"
    );
    save.assert_calls_async(0).await;
}

#[tokio::test]
async fn delete_user_is_unsupported_and_sends_nothing() {
    let server = MockServer::start_async().await;
    let anything = mock_any_request(&server).await;
    let dir = site(&server);
    assert!(!dir.describe().capabilities.delete_user);
    let error = dir.delete_user("1").await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Unsupported { .. }),
        "{error}"
    );
    anything.assert_calls_async(0).await;
}
