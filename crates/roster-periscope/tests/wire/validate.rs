//! Remote validation: the same requests as applying, with `test_mode=true`.

use std::collections::BTreeSet;

use httpmock::prelude::*;
use roster_core::{Change, ErrorKind, NewGroup, NewUser, UserDirectory, UserOp, UserPatch};
use roster_periscope::ACCESS;
use serde_json::json;

use super::{directory, write, TEST_MODE};

fn bo() -> NewUser {
    NewUser {
        email: Some("bo@example.com".into()),
        first_name: Some("Bo".into()),
        last_name: Some("Ng".into()),
        groups: BTreeSet::from(["Analysts".to_owned()]),
        ..NewUser::default()
    }
}

#[tokio::test]
async fn each_user_op_is_sent_as_applying_it_would_but_in_test_mode() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            write(when, POST, "/api/v1/users", TEST_MODE).body(
                r#"{"email":"bo@example.com","first_name":"Bo","last_name":"Ng","groups":["Analysts"],"invited_by_email":"admin@example.com"}"#,
            );
            then.status(201).json_body(json!({"email": "bo@example.com"}));
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            write(when, PUT, "/api/v1/users", TEST_MODE)
                .header("HTTP-X-EMAIL", "ann@example.com")
                .body(r#"{"last_name":"Li"}"#);
            then.status(200)
                .json_body(json!({"email": "ann@example.com"}));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            write(when, DELETE, "/api/v1/users", TEST_MODE)
                .header("HTTP-X-EMAIL", "ann@example.com");
            then.status(200)
                .json_body(json!({"email": "ann@example.com"}));
        })
        .await;
    let site = directory(&server);
    site.validate(&UserOp::Create(bo())).await.unwrap();
    let patch = UserPatch {
        last_name: Change::Set("Li".into()),
        ..UserPatch::default()
    };
    site.validate(&UserOp::Update {
        id: "ann@example.com".into(),
        patch,
    })
    .await
    .unwrap();
    site.validate(&UserOp::Delete {
        id: "ann@example.com".into(),
    })
    .await
    .unwrap();
    create.assert_calls_async(1).await;
    update.assert_calls_async(1).await;
    delete.assert_calls_async(1).await;
    assert!(
        !site.is_test_mode(),
        "validating leaves the directory as it was"
    );
}

#[tokio::test]
async fn a_refused_change_gives_the_error_applying_it_would() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            write(when, POST, "/api/v1/users", TEST_MODE);
            then.status(409)
                .json_body(json!({"error": "User already exists: bo@example.com"}));
        })
        .await;
    let error = directory(&server)
        .validate(&UserOp::Create(bo()))
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::AlreadyExists { .. }),
        "{error}"
    );
    assert_eq!(error.operation(), Some(roster_core::Operation::CreateUser));
}

#[tokio::test]
async fn a_server_error_in_test_mode_is_safe_to_repeat_even_for_a_create() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/api/v1/users");
            then.status(503);
        })
        .await;
    let site = directory(&server);
    let validating = site.validate(&UserOp::Create(bo())).await.unwrap_err();
    assert!(validating.is_temporary(), "{validating}");
    let applying = site.create_user(&bo()).await.unwrap_err();
    assert!(applying.is_ambiguous(), "{applying}");
}

#[tokio::test]
async fn the_validating_view_covers_group_writes() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            write(when, POST, "/api/v1/groups", TEST_MODE);
            then.status(201)
                .json_body(json!({"name": "Finance", "access": "SQL"}));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            write(when, DELETE, "/api/v1/groups/Finance", TEST_MODE);
            then.status(204);
        })
        .await;
    let view = directory(&server).validating();
    assert!(view.is_test_mode());
    let mut group = NewGroup::named("Finance");
    group.attributes.insert(ACCESS.into(), json!("SQL"));
    view.create_group(&group).await.unwrap();
    view.delete_group("Finance").await.unwrap();
    create.assert_calls_async(1).await;
    delete.assert_calls_async(1).await;
}
