//! Every documented error body fed to the backend, and the `DirectoryError` it becomes: kind,
//! class (spec §5.2, §5.3), operation and site, and never the token.

mod support;

use std::time::Duration;

use httpmock::prelude::*;
use httpmock::MockServer;
use roster_core::{
    DirectoryError, ErrorClass, ErrorKind, Operation, SecretString, UserDirectory, UserQuery,
};
use roster_redcap::{RedcapConfig, RedcapDirectory};
use support::*;

/// Answers every request with `status`, `content_type` and `reply`.
async fn answer(server: &MockServer, status: u16, content_type: &str, reply: &str) {
    let content_type = content_type.to_owned();
    let reply = reply.to_owned();
    server
        .mock_async(move |when, then| {
            when.method(POST).path("/api/");
            then.status(status)
                .header("content-type", content_type)
                .body(reply);
        })
        .await;
}

/// A fresh mock server that answers every request with `status`, `content_type` and `reply`.
async fn server_answering(status: u16, content_type: &str, reply: &str) -> MockServer {
    let server = MockServer::start_async().await;
    answer(&server, status, content_type, reply).await;
    server
}

/// Answers every POST (any path) with `status`, a `retry-after` of `seconds` and `reply`.
async fn answer_with_retry_after(server: &MockServer, status: u16, seconds: &str, reply: &str) {
    server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(status)
                .header("retry-after", seconds)
                .body(reply);
        })
        .await;
}

async fn list_error(server: &MockServer) -> DirectoryError {
    directory(server)
        .list_users(&UserQuery::all())
        .await
        .expect_err("the listing must fail")
}

fn message(error: &DirectoryError) -> String {
    let text = error.to_string();
    assert!(!text.contains(TOKEN), "the token leaked: {text}");
    assert!(
        !format!("{error:?}").contains(TOKEN),
        "the token leaked: {error:?}"
    );
    text
}

#[tokio::test]
async fn a_bad_token_is_forbidden_and_permanent() {
    let server = server_answering(
        403,
        JSON,
        r#"{"error":"You do not have permissions to use the API"}"#,
    )
    .await;
    let error = list_error(&server).await;
    assert!(
        matches!(error.kind(), ErrorKind::Forbidden { .. }),
        "{error}"
    );
    assert_eq!(error.class(), ErrorClass::Permanent);
    assert_eq!(error.operation(), Some(Operation::ListUsers));
    assert_eq!(error.site(), Some("trial"));
    assert!(message(&error).contains("You do not have permissions to use the API"));
    let shown = format!("{:?}", directory(&server));
    assert!(!shown.contains(TOKEN), "the token leaked: {shown}");
}

#[tokio::test]
async fn expired_rights_are_forbidden() {
    let server = server_answering(403, JSON, r#"{"error":"You do not have API rights because your privileges have expired for this project as of 2026-01-01."}"#).await;
    let error = list_error(&server).await;
    assert!(
        matches!(error.kind(), ErrorKind::Forbidden { .. }),
        "{error}"
    );
    assert!(message(&error).contains("expired"));
}

#[tokio::test]
async fn validation_and_endpoint_privilege_errors_are_invalid_and_permanent() {
    for body in [
        r#"{"error":"Insufficient user privileges: You must have 'API Export' privileges and 'User Rights' privileges (Full Access or Read Only) in the project."}"#,
        r#"{"error":"This project is currently OFFLINE and is not accessible to normal users."}"#,
        r#"{"error":"The REDCap API is not enabled."}"#,
    ] {
        let server = server_answering(400, JSON, body).await;
        let error = list_error(&server).await;
        assert!(matches!(error.kind(), ErrorKind::Invalid { .. }), "{error}");
        assert_eq!(error.class(), ErrorClass::Permanent);
    }
}

#[tokio::test]
async fn errors_wrapped_as_xml_or_csv_are_read_too() {
    let server = server_answering(
        400,
        "text/xml; charset=utf-8",
        r#"<?xml version="1.0" encoding="UTF-8" ?><hash><error>The value of the parameter "content" is not valid</error></hash>"#,
    )
    .await;
    let error = list_error(&server).await;
    assert!(message(&error).contains(r#"The value of the parameter "content" is not valid"#));
    assert!(!message(&error).contains("<hash>"));

    let server = server_answering(
        400,
        "text/csv; charset=utf-8",
        "ERROR: The Role Label is blank.",
    )
    .await;
    let error = list_error(&server).await;
    assert!(matches!(error.kind(), ErrorKind::Invalid { .. }), "{error}");
    assert!(message(&error).ends_with("The Role Label is blank."));
}

#[tokio::test]
async fn server_errors_500_and_501_are_permanent() {
    for (status, body) in [
        (500, ""),
        (
            501,
            r#"{"error":"The requested method is not implemented."}"#,
        ),
    ] {
        let server = server_answering(status, JSON, body).await;
        let error = list_error(&server).await;
        assert!(
            matches!(error.kind(), ErrorKind::Server { status: s, .. } if *s == status),
            "{error}"
        );
        assert_eq!(error.class(), ErrorClass::Permanent);
    }
}

#[tokio::test]
async fn gateway_errors_are_temporary_for_reads_and_ambiguous_for_deletes() {
    let server = MockServer::start_async().await;
    answer_with_retry_after(&server, 503, "7", "Service Unavailable").await;
    let error = list_error(&server).await;
    assert!(
        matches!(error.kind(), ErrorKind::Server { status: 503, .. }),
        "{error}"
    );
    assert_eq!(error.class(), ErrorClass::Temporary);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
    let error = directory(&server)
        .delete_user("bob")
        .await
        .expect_err("503");
    assert_eq!(error.class(), ErrorClass::Ambiguous);
    assert_eq!(error.operation(), Some(Operation::DeleteUser));
}

#[tokio::test]
async fn rate_limits_carry_the_wait() {
    let server = MockServer::start_async().await;
    answer_with_retry_after(&server, 429, "2", "Too Many Requests").await;
    let error = list_error(&server).await;
    assert!(
        matches!(error.kind(), ErrorKind::RateLimited { .. }),
        "{error}"
    );
    assert_eq!(error.class(), ErrorClass::Temporary);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(2)));
}

#[tokio::test]
async fn errors_sent_with_http_200_are_recognised() {
    let server = server_answering(200, "text/xml; charset=utf-8", "ERROR: Invalid DAG").await;
    let error = directory(&server)
        .switch_dag(Some("nope"))
        .await
        .expect_err("switch refused");
    assert!(matches!(error.kind(), ErrorKind::Invalid { .. }), "{error}");
    assert_eq!(error.class(), ErrorClass::Permanent);
    assert!(message(&error).contains("Invalid DAG"));

    let server = server_answering(200, JSON, r#"{"error":"something went wrong"}"#).await;
    let error = list_error(&server).await;
    assert!(matches!(error.kind(), ErrorKind::Invalid { .. }), "{error}");
}

#[tokio::test]
async fn a_non_numeric_count_is_a_decode_error() {
    let server = server_answering(200, JSON, "The data is not in the specified format.").await;
    let error = directory(&server)
        .delete_user("bob")
        .await
        .expect_err("no count");
    assert!(matches!(error.kind(), ErrorKind::Decode { .. }), "{error}");
    assert_eq!(error.class(), ErrorClass::Permanent);
}

#[tokio::test]
async fn malformed_exports_are_decode_errors_and_never_panic() {
    for body in [
        "",
        "{\"username\":1}",
        "[{\"nousername\":true}]",
        "[{",
        "<html>oops</html>",
        "[1,2]",
    ] {
        let server = server_answering(200, JSON, body).await;
        let error = list_error(&server).await;
        assert!(
            matches!(error.kind(), ErrorKind::Decode { .. }),
            "{body}: {error}"
        );
    }
}

#[tokio::test]
async fn a_streamed_listing_fails_on_a_malformed_export_as_a_listing_does() {
    for body in [
        "",
        "{\"username\":1}",
        "[{\"nousername\":true}]",
        "[{\"username\":\"a\"},{",
        "<html>oops</html>",
        "[1,2]",
    ] {
        let server = server_answering(200, JSON, body).await;
        let listed = list_error(&server).await;
        let mut handed_over = 0;
        let streamed = directory(&server)
            .for_each_user(&UserQuery::all(), &mut |_| {
                handed_over += 1;
                std::ops::ControlFlow::Continue(())
            })
            .await
            .expect_err("the streamed listing must fail");
        assert_eq!(message(&streamed), message(&listed), "{body}");
        assert_eq!(streamed.kind(), listed.kind(), "{body}");
        assert_eq!(streamed.operation(), listed.operation(), "{body}");
        assert!(handed_over <= 1, "{body}: only a whole row goes out");
    }
}

#[tokio::test]
async fn oversized_replies_are_refused() {
    let server = server_answering(
        200,
        JSON,
        &format!(
            "[{}]",
            "{\"username\":\"a\"},".repeat(100) + "{\"username\":\"b\"}"
        ),
    )
    .await;
    let mut config = config(&server);
    config.max_response_bytes = 256;
    let directory = RedcapDirectory::new("trial", config).expect("config");
    let error = directory
        .list_users(&UserQuery::all())
        .await
        .expect_err("too large");
    assert!(matches!(error.kind(), ErrorKind::Decode { .. }), "{error}");
    assert!(error.to_string().contains("max_response_bytes"), "{error}");
}

#[tokio::test]
async fn missing_names_become_not_found() {
    let server = server_answering(400, JSON, r#"{"error":"One or more of the users provided are not valid usernames that do not exist in this project. Note: No users were deleted. Users that do not exist: carol"}"#).await;
    let error = directory(&server)
        .delete_user("carol")
        .await
        .expect_err("missing");
    assert!(
        matches!(error.kind(), ErrorKind::NotFound { .. }),
        "{error}"
    );

    let server = MockServer::start_async().await;
    // The member check reads the users first; the delete itself is refused.
    expect_export(&server, "user", "[]").await;
    answer(&server, 400, JSON, r#"{"error":"One or more of the dags provided are not valid unique group names that do not exist in this project. Note: No dags were deleted. DAGs that do not exist: nope"}"#).await;
    let error = directory(&server)
        .delete_group("nope")
        .await
        .expect_err("missing");
    assert!(
        matches!(error.kind(), ErrorKind::NotFound { .. }),
        "{error}"
    );

    let server = server_answering(400, JSON, r#"{"error":"One or more of the roles provided are not valid rolenames that do not exist in this project. Note: No roles were deleted. Roles that do not exist: U-111AAAAAAA"}"#).await;
    let error = directory(&server)
        .delete_role("U-111AAAAAAA")
        .await
        .expect_err("missing");
    assert!(
        matches!(error.kind(), ErrorKind::NotFound { .. }),
        "{error}"
    );

    let server = server_answering(
        400,
        JSON,
        r#"{"error":"Unique group name \"nope\" does not exist in the project."}"#,
    )
    .await;
    let error = directory(&server)
        .set_membership("nope", &["bob".into()], &[])
        .await
        .expect_err("no such DAG");
    assert!(
        matches!(error.kind(), ErrorKind::NotFound { .. }),
        "{error}"
    );
    assert_eq!(error.operation(), Some(Operation::SetMembership));
}

#[tokio::test]
async fn users_missing_from_a_membership_change_are_reported_per_item() {
    let server = MockServer::start_async().await;
    let refused = expect(
        &server,
        &import_body(
            "userDagMapping",
            r#"[{"username":"bob","redcap_data_access_group":"test_dag"},{"username":"nobody","redcap_data_access_group":"test_dag"}]"#,
        ),
        400,
        r#"{"error":"The username \"nobody\" does not exist in the project."}"#,
    )
    .await;
    let rest = expect_import(
        &server,
        "userDagMapping",
        r#"[{"username":"bob","redcap_data_access_group":"test_dag"}]"#,
        "1",
    )
    .await;
    let error = directory(&server)
        .set_membership("test_dag", &["bob".into(), "nobody".into()], &[])
        .await
        .expect_err("nobody is not in the project");
    refused.assert_async().await;
    rest.assert_async().await;
    match error.kind() {
        ErrorKind::Partial { failed } => {
            assert_eq!(failed.keys().collect::<Vec<_>>(), vec!["nobody"]);
        }
        other => panic!("expected Partial, got {other}"),
    }
}

#[tokio::test]
async fn a_refused_connection_is_temporary() {
    let config = RedcapConfig::new("http://127.0.0.1:9/api/", SecretString::from(TOKEN));
    let directory = RedcapDirectory::new("trial", config).expect("config");
    let error = directory
        .delete_user("bob")
        .await
        .expect_err("nothing listens");
    assert!(
        matches!(error.kind(), ErrorKind::Transport { .. }),
        "{error}"
    );
    assert_eq!(error.class(), ErrorClass::Temporary, "nothing was sent");
    message(&error);
}

#[tokio::test]
async fn a_timeout_after_sending_is_temporary_for_reads_and_ambiguous_for_deletes() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(200).body("1").delay(Duration::from_secs(2));
        })
        .await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .expect("client");
    let directory = RedcapDirectory::with_client("trial", config(&server), client).expect("config");
    let error = directory.delete_user("bob").await.expect_err("timeout");
    assert_eq!(error.kind(), &ErrorKind::Timeout { request_sent: true });
    assert_eq!(error.class(), ErrorClass::Ambiguous);
    let error = directory.list_groups().await.expect_err("timeout");
    assert_eq!(error.kind(), &ErrorKind::Timeout { request_sent: true });
    assert_eq!(error.class(), ErrorClass::Temporary);
}
