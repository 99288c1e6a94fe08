//! Every documented error reply (§5.5) mapped to its kind and class; replies that are too big
//! or malformed are Decode errors, never panics.

mod common;

use std::time::Duration;

use common::*;
use httpmock::prelude::*;
use roster_core::{
    ErrorClass, ErrorKind, NewGroup, NewUser, Operation, UserDirectory, UserKey, UserPatch,
    UserQuery,
};
use roster_usersave::UsersaveDirectory;
use serde_json::json;

/// The error a `user/get` answered with `status`, `body` and `headers` gives.
async fn get_error(
    status: u16,
    body: &str,
    headers: &[(&str, &str)],
) -> roster_core::DirectoryError {
    let server = MockServer::start_async().await;
    token(&server).await;
    server
        .mock_async(|when, then| {
            api_call(when, GET, "user/get");
            let mut then = then.status(status).body(body);
            for (name, value) in headers {
                then = then.header(*name, *value);
            }
        })
        .await;
    site(&server)
        .get_user(&UserKey::Id("1".into()))
        .await
        .unwrap_err()
}

#[tokio::test]
async fn each_status_maps_to_its_kind_and_class() {
    let rate = envelope(400, "RATE_LIMIT_EXCEEDED", "badRequest").to_string();
    let error = get_error(400, &rate, &[]).await;
    assert!(
        matches!(error.kind(), ErrorKind::RateLimited { .. }),
        "{error}"
    );
    assert_eq!(
        (error.class(), error.retry_after()),
        (ErrorClass::Temporary, Some(Duration::from_secs(61)))
    );

    let error = get_error(429, "slow down", &[("Retry-After", "7")]).await;
    assert!(
        matches!(error.kind(), ErrorKind::RateLimited { .. }),
        "{error}"
    );
    assert_eq!(
        (error.class(), error.retry_after()),
        (ErrorClass::Temporary, Some(Duration::from_secs(7)))
    );

    let bad = envelope(400, "Invalid cursor", "badRequest").to_string();
    let error = get_error(400, &bad, &[]).await;
    assert!(
        matches!(error.kind(), ErrorKind::Invalid { message, .. } if message == "Invalid cursor"),
        "{error}"
    );
    assert_eq!(error.class(), ErrorClass::Permanent);

    let error = get_error(409, &envelope(409, "conflict", "conflict").to_string(), &[]).await;
    assert!(
        matches!(error.kind(), ErrorKind::AlreadyExists { .. }),
        "{error}"
    );

    for status in [500, 502, 503, 504] {
        let error = get_error(status, "<html>upstream</html>", &[]).await;
        assert!(
            matches!(error.kind(), ErrorKind::Server { status: s, body } if *s == status && body.contains("upstream")),
            "{error}"
        );
        assert_eq!(
            error.class(),
            ErrorClass::Temporary,
            "a GET is safe to repeat"
        );
        assert_eq!(error.operation(), Some(Operation::GetUser));
        assert_eq!(error.site(), Some("intranet"));
    }
}

#[tokio::test]
async fn a_server_error_on_a_create_is_ambiguous_and_on_an_update_temporary() {
    let server = MockServer::start_async().await;
    token(&server).await;
    server
        .mock_async(|when, then| {
            exact_query(api_call(when, GET, "user/get"), "email=new%40acme.com");
            then.status(404)
                .json_body(envelope(404, "User not found", "notFound"));
        })
        .await;
    server
        .mock_async(|when, then| {
            exact_query(api_call(when, GET, "user/get"), "uid=1");
            then.status(200)
                .json_body(json!({"id": "1", "email": "a@acme.com", "status": "enabled"}));
        })
        .await;
    server
        .mock_async(|when, then| {
            api_call(when, POST, "user/save");
            then.status(503)
                .json_body(envelope(503, "Backend Error", "backendError"));
        })
        .await;
    server
        .mock_async(|when, then| {
            api_call(when, POST, "feed/save");
            then.status(503);
        })
        .await;
    server
        .mock_async(|when, then| {
            api_call(when, GET, "feed/list");
            then.status(200)
                .json_body(json!({"items": [{"id": "12", "name": "Sales"}], "more": false}));
        })
        .await;
    server
        .mock_async(|when, then| {
            api_call(when, POST, "feed/subscribers/save");
            then.status(503);
        })
        .await;
    let dir = site_with(&server, |config| config.group_type = Some("9".into()));
    let new = NewUser {
        email: Some("new@acme.com".into()),
        ..NewUser::default()
    };
    let create = dir.create_user(&new).await.unwrap_err();
    assert_eq!(create.class(), ErrorClass::Ambiguous, "{create}");
    let update = dir
        .update_user("1", &UserPatch::deactivate())
        .await
        .unwrap_err();
    assert_eq!(update.class(), ErrorClass::Temporary, "{update}");
    let group = dir.create_group(&NewGroup::named("Ops")).await.unwrap_err();
    assert_eq!(group.class(), ErrorClass::Ambiguous, "{group}");
    let membership = dir
        .set_membership("Sales", &["1".to_owned()], &[])
        .await
        .unwrap_err();
    assert_eq!(membership.class(), ErrorClass::Temporary, "{membership}");
}

#[tokio::test]
async fn a_timeout_after_sending_is_ambiguous_for_a_create_and_temporary_for_a_read() {
    let server = MockServer::start_async().await;
    token(&server).await;
    server
        .mock_async(|when, then| {
            exact_query(api_call(when, GET, "user/get"), "uid=1");
            then.status(404).delay(Duration::from_secs(3));
        })
        .await;
    server
        .mock_async(|when, then| {
            exact_query(api_call(when, GET, "user/get"), "email=new%40acme.com");
            then.status(404);
        })
        .await;
    server
        .mock_async(|when, then| {
            api_call(when, POST, "user/save");
            then.status(200).delay(Duration::from_secs(3));
        })
        .await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let dir = UsersaveDirectory::with_client("intranet", config(&server), client).unwrap();
    let read = dir.get_user(&UserKey::Id("1".into())).await.unwrap_err();
    assert!(
        matches!(read.kind(), ErrorKind::Timeout { request_sent: true }),
        "{read}"
    );
    assert_eq!(read.class(), ErrorClass::Temporary);
    let new = NewUser {
        email: Some("new@acme.com".into()),
        ..NewUser::default()
    };
    let create = dir.create_user(&new).await.unwrap_err();
    assert!(
        matches!(create.kind(), ErrorKind::Timeout { request_sent: true }),
        "{create}"
    );
    assert_eq!(create.class(), ErrorClass::Ambiguous);
}

#[tokio::test]
async fn a_refused_connection_is_a_temporary_transport_error() {
    // A port that was free a moment ago: nothing listens there now.
    let url = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let dir = UsersaveDirectory::new(
        "gone",
        roster_usersave::UsersaveConfig::lumapps(url, CUSTOMER, "client", SECRET, "admin@acme.com"),
    )
    .unwrap();
    let error = dir.list_users(&UserQuery::all()).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Transport { .. }),
        "{error}"
    );
    assert_eq!(error.class(), ErrorClass::Temporary);
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused() {
    let server = MockServer::start_async().await;
    token(&server).await;
    let big = json!({"items": [{"id": "1", "email": "x".repeat(5000)}], "more": false});
    server
        .mock_async(|when, then| {
            api_call(when, GET, "user/list");
            then.status(200).json_body(big);
        })
        .await;
    let dir = site_with(&server, |config| {
        config.max_body_bytes = Some(1024);
        config.list_without_groups = true;
    });
    let error = dir.list_users(&UserQuery::all()).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Decode { message } if message.contains("1024 byte limit")),
        "{error}"
    );
}

#[tokio::test]
async fn malformed_lists_are_decode_errors() {
    let cases = [
        "not json at all",
        r#"{"items":[{"id":"1"}],"more":true}"#,
        r#"{"items":[{"id":"1"}],"more":true,"cursor":"same-every-time"}"#,
        r#"{"items":"many","more":false}"#,
        r#"{"items":[42],"more":false}"#,
        r#"{"items":[{"email":"no-id@acme.com"}],"more":false}"#,
        r#"[1, 2"#,
    ];
    for body in cases {
        let server = MockServer::start_async().await;
        token(&server).await;
        server
            .mock_async(|when, then| {
                api_call(when, GET, "user/list");
                then.status(200).body(body);
            })
            .await;
        let dir = site_with(&server, |config| config.list_without_groups = true);
        let error = dir.list_users(&UserQuery::all()).await.unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::Decode { .. }),
            "{body}: {error}"
        );
        assert_eq!(error.class(), ErrorClass::Permanent);
    }
}

#[tokio::test]
async fn more_without_items_stops_the_listing() {
    let server = MockServer::start_async().await;
    token(&server).await;
    let list = server
        .mock_async(|when, then| {
            api_call(when, GET, "user/list");
            then.status(200).body(r#"{"more":true,"cursor":"x"}"#);
        })
        .await;
    let dir = site_with(&server, |config| config.list_without_groups = true);
    assert!(dir.list_users(&UserQuery::all()).await.unwrap().is_empty());
    list.assert_calls_async(2).await; // one page per status pass, no second page
}
