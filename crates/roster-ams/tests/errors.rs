//! Every documented failure (spec §5.7) fed to the backend, and the error it becomes:
//! kind, class, operation and site; never a secret.

mod common;

use std::time::Duration;

use common::*;
use httpmock::prelude::*;
use roster_ams::{AmsConfig, AmsDirectory};
use roster_core::{
    Change, DirectoryError, ErrorClass, ErrorKind, NewUser, Operation, UserDirectory, UserKey,
    UserPatch, UserQuery,
};
use serde_json::json;

const USERNAME_TAKEN: &str = r#"{"__is_rpc_exception__":true,"type":"java.lang.IllegalArgumentException","value":{"detailMessage":"Username already exists: amy","cause":null}}"#;
const BAD_DATE: &str = r#"{"__is_rpc_exception__":true,"type":"java.lang.IllegalArgumentException","value":{"detailMessage":"Invalid dateOfBirth","cause":null}}"#;

fn amy() -> NewUser {
    NewUser {
        username: Some("amy".into()),
        email: Some("amy@example.com".into()),
        first_name: Some("Amy".into()),
        last_name: Some("Ng".into()),
        password: Some("amy-Secret-pw".into()),
        attributes: [("dob".to_owned(), json!("1999-09-09"))]
            .into_iter()
            .collect(),
        ..NewUser::default()
    }
}

fn first_name(name: &str) -> UserPatch {
    UserPatch {
        first_name: Change::Set(name.into()),
        ..UserPatch::default()
    }
}

fn assert_error(error: &DirectoryError, kind: fn(&ErrorKind) -> bool, class: ErrorClass) {
    assert!(kind(error.kind()), "unexpected kind: {error:?}");
    assert_eq!(error.class(), class, "{error}");
    assert_eq!(error.site(), Some("club"), "{error}");
    assert!(error.operation().is_some(), "{error}");
    let text = format!("{error} {error:?}");
    for secret in [PASSWORD, TOKEN, UPLOAD_TOKEN, "amy-Secret-pw"] {
        assert!(!text.contains(secret), "a secret leaked: {text}");
    }
}

/// A site whose person/save answers `status` with `body` (after a person/get of Riley).
async fn save_fails(server: &MockServer, status: u16, body: &'static str) {
    mock_login(server).await;
    mock_data(server, "v2/person/get", |then| {
        v2(then, &person_get_reply(&[RILEY]))
    })
    .await;
    mock_data(server, "v2/person/save", |then| {
        then.status(status)
            .header("content-type", "application/json;charset=utf-8")
            .body(body)
    })
    .await;
}

/// The error of renaming Riley (id 72827) to "R", a call that must fail.
async fn rename_riley_error(site: &AmsDirectory) -> DirectoryError {
    site.update_user("72827", &first_name("R"))
        .await
        .unwrap_err()
}

#[tokio::test]
async fn wrong_credentials_are_unauthorized_at_login() {
    let server = MockServer::start_async().await;
    mock_login_answer(&server, |then| then.status(401)).await;
    let error = directory(&server).list_groups().await.unwrap_err();
    assert_error(
        &error,
        |k| matches!(k, ErrorKind::Unauthorized { .. }),
        ErrorClass::Permanent,
    );
    assert_eq!(error.operation(), Some(Operation::Login));
}

#[tokio::test]
async fn a_login_refused_inside_a_200_is_unauthorized() {
    let server = MockServer::start_async().await;
    mock_login_answer(&server, |then| {
        then.status(200).header("session-header", TOKEN).body(
            r#"{"__is_rpc_exception__":true,"type":"java.lang.SecurityException","value":{"detailMessage":"Invalid username or password","cause":null}}"#,
        )
    })
    .await;
    let error = directory(&server).list_groups().await.unwrap_err();
    assert_error(
        &error,
        |k| matches!(k, ErrorKind::Unauthorized { .. }),
        ErrorClass::Permanent,
    );
    assert!(error.to_string().contains("Invalid username or password"));
}

#[tokio::test]
async fn a_login_without_a_session_header_is_a_decode_error() {
    let server = MockServer::start_async().await;
    mock_login_answer(&server, |then| then.status(200).body(login_reply())).await;
    let error = directory(&server).list_groups().await.unwrap_err();
    assert_error(
        &error,
        |k| matches!(k, ErrorKind::Decode { .. }),
        ErrorClass::Permanent,
    );
}

#[tokio::test]
async fn a_401_after_the_fresh_login_is_unauthorized() {
    let server = MockServer::start_async().await;
    let login = mock_login(&server).await;
    let groups = mock_data(&server, "v1/listgroups", |then| then.status(401)).await;
    let error = directory(&server).list_groups().await.unwrap_err();
    assert_error(
        &error,
        |k| matches!(k, ErrorKind::Unauthorized { .. }),
        ErrorClass::Permanent,
    );
    assert_eq!(error.operation(), Some(Operation::ListGroups));
    login.assert_calls_async(2).await;
    groups.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_403_is_forbidden() {
    let server = MockServer::start_async().await;
    save_fails(&server, 403, "Access Denied").await;
    let error = rename_riley_error(&directory(&server)).await;
    assert_error(
        &error,
        |k| matches!(k, ErrorKind::Forbidden { .. }),
        ErrorClass::Permanent,
    );
    assert_eq!(error.operation(), Some(Operation::UpdateUser));
}

#[tokio::test]
async fn a_taken_username_is_already_exists_with_a_400_or_a_200() {
    for status in [400, 200] {
        let server = MockServer::start_async().await;
        mock_login(&server).await;
        mock_data(&server, "v2/person/save", |then| {
            then.status(status).body(USERNAME_TAKEN)
        })
        .await;
        let error = directory(&server).create_user(&amy()).await.unwrap_err();
        assert_error(
            &error,
            |k| matches!(k, ErrorKind::AlreadyExists { .. }),
            ErrorClass::Permanent,
        );
        assert_eq!(error.operation(), Some(Operation::CreateUser));
    }
}

#[tokio::test]
async fn other_save_refusals_are_invalid() {
    for (status, body) in [(400, BAD_DATE), (200, BAD_DATE), (400, "Bad Request")] {
        let server = MockServer::start_async().await;
        save_fails(&server, status, body).await;
        let error = rename_riley_error(&directory(&server)).await;
        assert_error(
            &error,
            |k| matches!(k, ErrorKind::Invalid { .. }),
            ErrorClass::Permanent,
        );
    }
}

#[tokio::test]
async fn a_server_error_on_a_save_is_temporary_for_an_update_and_ambiguous_for_a_create() {
    let server = MockServer::start_async().await;
    save_fails(&server, 500, "Internal Server Error").await;
    let site = directory(&server);
    let update = rename_riley_error(&site).await;
    assert_error(
        &update,
        |k| matches!(k, ErrorKind::Server { status: 500, .. }),
        ErrorClass::Temporary,
    );
    let create = site.create_user(&amy()).await.unwrap_err();
    assert_error(
        &create,
        |k| matches!(k, ErrorKind::Server { status: 500, .. }),
        ErrorClass::Ambiguous,
    );
}

#[tokio::test]
async fn a_busy_read_is_temporary_and_keeps_retry_after() {
    let server = MockServer::start_async().await;
    mock_login(&server).await;
    mock_data(&server, "v1/usersearch", |then| {
        then.status(503)
            .header("retry-after", "7")
            .body("Service Unavailable")
    })
    .await;
    let error = directory(&server)
        .list_users(&UserQuery::all())
        .await
        .unwrap_err();
    assert_error(
        &error,
        |k| matches!(k, ErrorKind::Server { status: 503, .. }),
        ErrorClass::Temporary,
    );
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
    assert!(error.to_string().contains("Service Unavailable"));
}

#[tokio::test]
async fn a_429_is_rate_limited() {
    let server = MockServer::start_async().await;
    mock_login(&server).await;
    mock_data(&server, "v1/listgroups", |then| {
        then.status(429).header("retry-after", "2")
    })
    .await;
    let error = directory(&server).list_groups().await.unwrap_err();
    assert_error(
        &error,
        |k| matches!(k, ErrorKind::RateLimited { .. }),
        ErrorClass::Temporary,
    );
    assert_eq!(error.retry_after(), Some(Duration::from_secs(2)));
}

#[tokio::test]
async fn replies_of_the_wrong_shape_are_decode_errors() {
    let cases: [(&str, &str, &str); 5] = [
        ("v1/usersearch", "<html>Login</html>", "list"),
        ("v1/usersearch", r#"{"users": []}"#, "list"),
        ("v1/listgroups", r#"{"groups": []}"#, "groups"),
        ("v2/person/get", r#"{"totalCount": 0}"#, "get"),
        (
            "v2/person/get",
            r#"{"objects": [{"username": "no id"}]}"#,
            "get",
        ),
    ];
    for (path, body, call) in cases {
        let server = MockServer::start_async().await;
        mock_login(&server).await;
        mock_data(&server, path, |then| then.status(200).body(body)).await;
        let site = directory(&server);
        let error = match call {
            "list" => site.list_users(&UserQuery::all()).await.map(drop),
            "groups" => site.list_groups().await.map(drop),
            _ => site.get_user(&UserKey::Id("72827".into())).await.map(drop),
        }
        .unwrap_err();
        assert_error(
            &error,
            |k| matches!(k, ErrorKind::Decode { .. }),
            ErrorClass::Permanent,
        );
    }
}

#[tokio::test]
async fn a_save_reply_for_another_person_is_a_decode_error() {
    let server = MockServer::start_async().await;
    save_fails(&server, 200, r#"{"id":1,"username":"someone.else"}"#).await;
    let error = rename_riley_error(&directory(&server)).await;
    assert_error(
        &error,
        |k| matches!(k, ErrorKind::Decode { .. }),
        ErrorClass::Permanent,
    );
}

#[tokio::test]
async fn updating_a_missing_person_is_not_found_and_saves_nothing() {
    let server = MockServer::start_async().await;
    mock_login(&server).await;
    mock_data(&server, "v2/person/get", |then| {
        v2(then, r#"{"objects":[],"totalCount":0}"#)
    })
    .await;
    let save = mock_data(&server, "v2/person/save", |then| then.status(200)).await;
    let site = directory(&server);
    let error = site
        .update_user("4242", &first_name("R"))
        .await
        .unwrap_err();
    assert_error(
        &error,
        |k| matches!(k, ErrorKind::NotFound { .. }),
        ErrorClass::Permanent,
    );
    let error = site
        .update_user("not-a-number", &first_name("R"))
        .await
        .unwrap_err();
    assert_error(
        &error,
        |k| matches!(k, ErrorKind::NotFound { .. }),
        ErrorClass::Permanent,
    );
    assert!(site
        .get_user(&UserKey::Id("4242".into()))
        .await
        .unwrap()
        .is_none());
    save.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_reply_over_the_size_cap_is_refused() {
    let server = MockServer::start_async().await;
    mock_login(&server).await;
    let big = format!(r#"{{"name": ["{}"]}}"#, "x".repeat(4096));
    mock_data(&server, "v1/listgroups", |then| v1(then, &big)).await;
    let mut config = config(&server);
    config.max_response_bytes = 1024;
    let site = AmsDirectory::new("club", config).unwrap();
    let error = site.list_groups().await.unwrap_err();
    assert_error(
        &error,
        |k| matches!(k, ErrorKind::Decode { .. }),
        ErrorClass::Permanent,
    );
    assert!(error.to_string().contains("max_response_bytes"), "{error}");
}

#[tokio::test]
async fn a_refused_connection_is_temporary_even_for_a_create() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/ankle");
    let site = AmsDirectory::new("club", AmsConfig::new(url, USERNAME, PASSWORD.into())).unwrap();
    let error = site.create_user(&amy()).await.unwrap_err();
    assert_error(
        &error,
        |k| matches!(k, ErrorKind::Transport { .. }),
        ErrorClass::Temporary,
    );
}

#[tokio::test]
async fn a_timeout_after_sending_is_ambiguous_for_a_create_and_temporary_for_an_update() {
    let server = MockServer::start_async().await;
    mock_login(&server).await;
    mock_data(&server, "v2/person/get", |then| {
        v2(then, &person_get_reply(&[RILEY]))
    })
    .await;
    mock_data(&server, "v2/person/save", |then| {
        then.status(200).delay(Duration::from_secs(2)).body("{}")
    })
    .await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let site = AmsDirectory::with_client("club", config(&server), client).unwrap();
    let create = site.create_user(&amy()).await.unwrap_err();
    assert_error(
        &create,
        |k| matches!(k, ErrorKind::Timeout { request_sent: true }),
        ErrorClass::Ambiguous,
    );
    let update = rename_riley_error(&site).await;
    assert_error(
        &update,
        |k| matches!(k, ErrorKind::Timeout { request_sent: true }),
        ErrorClass::Temporary,
    );
}

#[tokio::test]
async fn an_error_body_echoing_secrets_is_redacted() {
    let server = MockServer::start_async().await;
    mock_login(&server).await;
    mock_data(&server, "v1/listgroups", |then| {
        then.status(500)
            .body(format!("session {TOKEN} for {USERNAME}:{PASSWORD} failed"))
    })
    .await;
    let site = directory(&server);
    let error = site.list_groups().await.unwrap_err();
    assert_error(
        &error,
        |k| matches!(k, ErrorKind::Server { .. }),
        ErrorClass::Temporary,
    );
    assert!(error.to_string().contains("<redacted>"), "{error}");
    let debug = format!("{site:?} {:?}", config(&server));
    assert!(!debug.contains(PASSWORD), "{debug}");
}

#[tokio::test]
async fn a_misspelled_site_url_is_a_permanent_error_that_says_so() {
    let server = MockServer::start_async().await;
    mock_login(&server).await;
    let config = AmsConfig::new(server.url("/ankel"), USERNAME, PASSWORD.into());
    let site = AmsDirectory::new("club", config).unwrap();
    let error = site.list_groups().await.unwrap_err();
    assert_error(
        &error,
        |k| matches!(k, ErrorKind::Server { status: 404, .. }),
        ErrorClass::Permanent,
    );
    assert!(error.to_string().contains("check the site URL"), "{error}");
    assert_eq!(error.operation(), Some(Operation::Login));
}
