//! Every documented answer that is not a success, and every way a call can get no answer,
//! mapped to a `DirectoryError` kind and class.

use std::time::Duration;

use httpmock::prelude::*;
use roster_core::{
    Change, DirectoryError, ErrorClass, ErrorKind, NewGroup, NewUser, Operation, UserDirectory,
    UserKey, UserPatch, UserQuery,
};
use roster_periscope::{GroupUpdate, PeriscopeDirectory, ACCESS};
use serde_json::json;

use super::{config, directory, API_KEY, ROSTER_SITE};

/// A site that answers every request with `status`, `body` and the optional `Retry-After`.
async fn answering(status: u16, body: &str, retry_after: Option<&str>) -> MockServer {
    let server = MockServer::start_async().await;
    let body = body.to_owned();
    let retry_after = retry_after.map(str::to_owned);
    server
        .mock_async(move |_, then| {
            let then = then
                .status(status)
                .header("content-type", "application/json")
                .body(body);
            if let Some(wait) = retry_after {
                then.header("retry-after", wait);
            }
        })
        .await;
    server
}

fn bo() -> NewUser {
    NewUser {
        email: Some("bo@example.com".into()),
        first_name: Some("Bo".into()),
        last_name: Some("Ng".into()),
        ..NewUser::default()
    }
}

fn rename_patch() -> UserPatch {
    UserPatch {
        first_name: Change::Set("Bob".into()),
        ..UserPatch::default()
    }
}

fn analysts() -> NewGroup {
    let mut group = NewGroup::named("Analysts");
    group.attributes.insert(ACCESS.into(), json!("View"));
    group
}

/// Every call the backend makes, each run once against `site`.
async fn every_call(site: &PeriscopeDirectory) -> Vec<(&'static str, DirectoryError)> {
    let mut errors = Vec::new();
    let mut note = |name, result: Result<(), DirectoryError>| {
        errors.push((name, result.expect_err(name)));
    };
    note(
        "list users",
        site.list_users(&UserQuery::all()).await.map(drop),
    );
    note("create user", site.create_user(&bo()).await.map(drop));
    note(
        "update user",
        site.update_user("bo@example.com", &rename_patch())
            .await
            .map(drop),
    );
    note("delete user", site.delete_user("bo@example.com").await);
    note(
        "set membership",
        site.set_membership("Analysts", &["bo@example.com".into()], &[])
            .await,
    );
    note("list groups", site.list_groups().await.map(drop));
    note(
        "create group",
        site.create_group(&analysts()).await.map(drop),
    );
    let access = GroupUpdate {
        access: Some("SQL".into()),
        ..GroupUpdate::default()
    };
    note(
        "update group",
        site.update_group("Analysts", &access).await.map(drop),
    );
    let rename = GroupUpdate {
        name: Some("Data".into()),
        ..GroupUpdate::default()
    };
    note(
        "rename group",
        site.update_group("Analysts", &rename).await.map(drop),
    );
    note("delete group", site.delete_group("Analysts").await);
    errors
}

/// Calls that may duplicate or miss if repeated after they were sent.
fn unsafe_to_repeat(call: &str) -> bool {
    matches!(call, "create user" | "create group" | "rename group")
}

#[tokio::test]
async fn unauthorized_and_forbidden_are_permanent_everywhere() {
    for (status, body) in [
        (401, r#"{"error":"Unauthorized"}"#),
        (
            403,
            r#"{"error":"User and Group Management API is not enabled for this site"}"#,
        ),
    ] {
        let server = answering(status, body, None).await;
        for (call, error) in every_call(&directory(&server)).await {
            let expected = match error.kind() {
                ErrorKind::Unauthorized { .. } => status == 401,
                ErrorKind::Forbidden { message } => status == 403 && message.contains("enabled"),
                _ => false,
            };
            assert!(expected, "{call} after {status}: {error}");
            assert_eq!(error.class(), ErrorClass::Permanent, "{call}");
            assert_eq!(error.site(), Some(ROSTER_SITE), "{call}");
            assert!(error.operation().is_some(), "{call}");
        }
    }
}

#[tokio::test]
async fn server_errors_are_temporary_unless_the_call_is_unsafe_to_repeat() {
    for status in [500, 502, 503, 504] {
        let server = answering(status, r#"{"error":"oops"}"#, None).await;
        for (call, error) in every_call(&directory(&server)).await {
            assert!(
                matches!(error.kind(), ErrorKind::Server { status: s, .. } if *s == status),
                "{call}: {error}"
            );
            let class = if unsafe_to_repeat(call) {
                ErrorClass::Ambiguous
            } else {
                ErrorClass::Temporary
            };
            assert_eq!(error.class(), class, "{call} after {status}");
        }
    }
}

#[tokio::test]
async fn rate_limits_are_temporary_and_carry_the_wait() {
    let server = answering(429, r#"{"error":"slow down"}"#, Some("7")).await;
    for (call, error) in every_call(&directory(&server)).await {
        assert!(
            matches!(error.kind(), ErrorKind::RateLimited { .. }),
            "{call}: {error}"
        );
        assert_eq!(error.class(), ErrorClass::Temporary, "{call}");
        assert_eq!(error.retry_after(), Some(Duration::from_secs(7)), "{call}");
    }
    let server = answering(429, "", None).await;
    let error = directory(&server).list_groups().await.unwrap_err();
    assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
}

#[tokio::test]
async fn not_found_on_a_write_is_permanent_not_found() {
    let server = answering(404, r#"{"error":"User not found: bo@example.com"}"#, None).await;
    let site = directory(&server);
    let errors = [
        (
            Operation::UpdateUser,
            site.update_user("bo@example.com", &rename_patch())
                .await
                .map(drop),
        ),
        (
            Operation::DeleteUser,
            site.delete_user("bo@example.com").await,
        ),
        (Operation::DeleteGroup, site.delete_group("Analysts").await),
        (
            Operation::SetMembership,
            site.set_membership("Analysts", &["bo@example.com".into()], &[])
                .await,
        ),
    ];
    for (operation, result) in errors {
        let error = result.unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::NotFound { .. }),
            "{operation}: {error}"
        );
        assert_eq!(error.class(), ErrorClass::Permanent);
        assert_eq!(error.operation(), Some(operation));
    }
    assert_eq!(
        site.get_user(&UserKey::Email("bo@example.com".into()))
            .await
            .unwrap(),
        None
    );
    assert_eq!(site.get_group("Analysts").await.unwrap(), None);
}

#[tokio::test]
async fn duplicates_are_already_exists_whether_409_or_a_400_that_says_so() {
    for (status, body) in [
        (409, r#"{"error":"User already exists: bo@example.com"}"#),
        (400, r#"{"error":"User already exists: bo@example.com"}"#),
        (422, "email has already been taken"),
    ] {
        let server = answering(status, body, None).await;
        let site = directory(&server);
        let error = site.create_user(&bo()).await.unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::AlreadyExists { .. }),
            "{status}: {error}"
        );
        assert_eq!(error.class(), ErrorClass::Permanent);
        let error = site.create_group(&analysts()).await.unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::AlreadyExists { .. }),
            "{status}: {error}"
        );
    }
}

#[tokio::test]
async fn other_refusals_are_invalid_with_the_servers_words() {
    for (status, body) in [
        (400, r#"{"error":"Unknown group: Finance"}"#),
        (
            400,
            r#"{"error":"invited_by_email must be a site administrator"}"#,
        ),
        (422, r#"{"error":"Invalid access: Edit"}"#),
        (400, r#"{"error":"Built-in group cannot be deleted"}"#),
    ] {
        let server = answering(status, body, None).await;
        for (call, error) in every_call(&directory(&server)).await {
            match error.kind() {
                ErrorKind::Invalid { message, .. } => {
                    assert!(body.contains(message.as_str()), "{call}: {message}")
                }
                other => panic!("{call} after {status} {body}: {other:?}"),
            }
            assert_eq!(error.class(), ErrorClass::Permanent, "{call}");
        }
    }
}

#[tokio::test]
async fn a_success_that_cannot_be_read_is_a_permanent_decode_error() {
    let server = answering(200, "<html>maintenance</html>", None).await;
    let site = directory(&server);
    let errors = [
        site.list_users(&UserQuery::all()).await.map(drop),
        site.list_groups().await.map(drop),
        site.get_user(&UserKey::Email("bo@example.com".into()))
            .await
            .map(drop),
        site.get_group("Analysts").await.map(drop),
    ];
    for result in errors {
        let error = result.unwrap_err();
        assert!(matches!(error.kind(), ErrorKind::Decode { .. }), "{error}");
        assert_eq!(error.class(), ErrorClass::Permanent);
    }
}

#[tokio::test]
async fn error_text_never_carries_the_key_even_when_the_server_echoes_it() {
    let body = format!(r#"{{"error":"bad credentials example_site:{API_KEY}"}}"#);
    let server = answering(401, &body, None).await;
    for (call, error) in every_call(&directory(&server)).await {
        let text = format!("{error} {error:?}");
        assert!(!text.contains(API_KEY), "{call}: {text}");
    }
}

#[tokio::test]
async fn a_lost_answer_is_temporary_for_a_safe_call_and_ambiguous_for_a_create() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(200)
                .body("{}")
                .delay(Duration::from_millis(2500));
        })
        .await;
    let mut config = config(&server);
    config.timeout_secs = 1;
    let site = PeriscopeDirectory::new(ROSTER_SITE, config).unwrap();
    let (patch, user) = (rename_patch(), bo());
    let (update, create) = tokio::join!(
        site.update_user("bo@example.com", &patch),
        site.create_user(&user)
    );
    let update = update.unwrap_err();
    assert_eq!(
        update.kind(),
        &ErrorKind::Timeout { request_sent: true },
        "{update}"
    );
    assert_eq!(update.class(), ErrorClass::Temporary);
    let create = create.unwrap_err();
    assert_eq!(create.kind(), &ErrorKind::Timeout { request_sent: true });
    assert_eq!(create.class(), ErrorClass::Ambiguous);
}

#[tokio::test]
async fn a_refused_connection_is_temporary_even_for_a_create() {
    let free_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = MockServer::start_async().await;
    let mut config = config(&server);
    config.base_url = format!("http://127.0.0.1:{free_port}");
    let site = PeriscopeDirectory::new(ROSTER_SITE, config).unwrap();
    let error = site.create_user(&bo()).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Transport { .. }),
        "{error}"
    );
    assert_eq!(error.class(), ErrorClass::Temporary);
    assert_eq!(error.operation(), Some(Operation::CreateUser));
}
