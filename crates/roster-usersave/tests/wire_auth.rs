//! Tokens (§5.2), other auth styles and configuration checks; secrets never show.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;
use httpmock::prelude::*;
use httpmock::HttpMockResponse;
use roster_core::{ErrorClass, ErrorKind, Operation, SecretString, UserDirectory, UserKey};
use roster_usersave::{AuthConfig, Profile, UsersaveConfig, UsersaveDirectory};
use serde_json::json;

fn user() -> serde_json::Value {
    json!({"id": "1", "uid": "1", "email": "a@acme.com", "status": "enabled"})
}

/// The user's feeds, read after the user: none.
async fn no_feeds(server: &MockServer) {
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{PREFIX}/feed/user/subscription/list"));
            then.status(200).json_body(json!({"more": false}));
        })
        .await;
}

async fn user_get(server: &MockServer, status: u16) -> httpmock::Mock<'_> {
    no_feeds(server).await;
    server
        .mock_async(|when, then| {
            exact_query(api_call(when, GET, "user/get"), "uid=1");
            if status == 200 {
                then.status(200).json_body(user());
            } else {
                then.status(status)
                    .json_body(envelope(status, "Invalid Credentials", "authError"));
            }
        })
        .await
}

#[tokio::test]
async fn one_token_serves_many_calls() {
    let server = MockServer::start_async().await;
    let token = token(&server).await;
    let get = user_get(&server, 200).await;
    let dir = site(&server);
    for _ in 0..3 {
        dir.get_user(&UserKey::Id("1".into()))
            .await
            .unwrap()
            .unwrap();
    }
    token.assert_calls_async(1).await;
    get.assert_calls_async(3).await;
}

#[tokio::test]
async fn a_token_about_to_expire_is_renewed_before_use() {
    let server = MockServer::start_async().await;
    // 20 s left is inside the 30 s margin: every call fetches a fresh token.
    let token = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/v2/organizations/{CUSTOMER}/application-token"));
            then.status(200)
                .json_body(json!({"access_token": TOKEN, "expires_in": 20}));
        })
        .await;
    user_get(&server, 200).await;
    let dir = site(&server);
    dir.get_user(&UserKey::Id("1".into())).await.unwrap();
    dir.get_user(&UserKey::Id("1".into())).await.unwrap();
    // Two API calls per lookup (the user, then their feeds), each with a fresh token.
    token.assert_calls_async(4).await;
}

#[tokio::test]
async fn a_401_renews_the_token_and_repeats_the_call_once() {
    let server = MockServer::start_async().await;
    let issued = Arc::new(AtomicUsize::new(0));
    let counter = issued.clone();
    let token = server
        .mock_async(move |when, then| {
            when.method(POST)
                .path(format!("/v2/organizations/{CUSTOMER}/application-token"));
            then.respond_with(move |_| {
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                HttpMockResponse::builder()
                    .status(200)
                    .header("content-type", "application/json")
                    .body(format!(r#"{{"access_token":"tok-{n}","expires_in":3600}}"#))
                    .build()
            });
        })
        .await;
    let revoked = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{PREFIX}/user/get"))
                .header("authorization", "Bearer tok-1");
            then.status(401)
                .json_body(envelope(401, "Invalid Credentials", "authError"));
        })
        .await;
    let fresh = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{PREFIX}/user/get"))
                .header("authorization", "Bearer tok-2");
            then.status(200).json_body(user());
        })
        .await;
    no_feeds(&server).await;
    let found = site(&server)
        .get_user(&UserKey::Id("1".into()))
        .await
        .unwrap();
    assert_eq!(found.unwrap().id, "1");
    token.assert_calls_async(2).await;
    revoked.assert_calls_async(1).await;
    fresh.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_second_401_is_unauthorized_and_permanent() {
    let server = MockServer::start_async().await;
    let token = token(&server).await;
    let get = user_get(&server, 401).await;
    let error = site(&server)
        .get_user(&UserKey::Id("1".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Unauthorized { .. }),
        "{error}"
    );
    assert_eq!(error.class(), ErrorClass::Permanent);
    assert_eq!(error.operation(), Some(Operation::GetUser));
    assert_eq!(error.site(), Some("intranet"));
    token.assert_calls_async(2).await;
    get.assert_calls_async(2).await;
}

#[tokio::test]
async fn token_endpoint_refusals_are_unauthorized_and_outages_temporary() {
    let cases = [
        (
            401,
            json!({"error": "invalid_client"}),
            ErrorClass::Permanent,
            "invalid_client",
        ),
        (
            400,
            json!({"error": "invalid_request"}),
            ErrorClass::Permanent,
            "invalid_request",
        ),
        (
            404,
            json!({"error": "not_found"}),
            ErrorClass::Permanent,
            "not_found",
        ),
        (
            503,
            json!({"error": "backend"}),
            ErrorClass::Temporary,
            "503",
        ),
    ];
    for (status, body, class, mentions) in cases {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(POST)
                    .path(format!("/v2/organizations/{CUSTOMER}/application-token"));
                then.status(status).json_body(body);
            })
            .await;
        let api = server
            .mock_async(|when, then| {
                when.path_prefix(PREFIX);
                then.status(200);
            })
            .await;
        let error = site(&server)
            .get_user(&UserKey::Id("1".into()))
            .await
            .unwrap_err();
        assert_eq!(error.class(), class, "{status}: {error}");
        if status < 500 {
            assert!(
                matches!(error.kind(), ErrorKind::Unauthorized { .. }),
                "{error}"
            );
        } else {
            assert!(
                matches!(error.kind(), ErrorKind::Server { status: 503, .. }),
                "{error}"
            );
        }
        assert!(error.to_string().contains(mentions), "{error}");
        api.assert_calls_async(0).await;
    }
}

#[tokio::test]
async fn a_static_bearer_token_is_sent_as_is_and_a_401_is_final() {
    let server = MockServer::start_async().await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/user/get")
                .header("authorization", "Bearer fixed-token");
            then.status(401).json_body(json!({"error": "expired"}));
        })
        .await;
    let mut profile = Profile::lumapps();
    profile.api_prefix = "/api".into();
    profile.auth = toml::from_str(r#"style = "static_bearer""#).unwrap();
    profile.headers.clear();
    let config = UsersaveConfig {
        base_url: server.base_url(),
        auth: AuthConfig {
            token: Some(SecretString::from("fixed-token")),
            ..AuthConfig::default()
        },
        profile: Some(profile),
        ..UsersaveConfig::default()
    };
    let dir = UsersaveDirectory::new("static", config).unwrap();
    let error = dir.get_user(&UserKey::Id("1".into())).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Unauthorized { .. }),
        "{error}"
    );
    get.assert_calls_async(1).await;
}

#[tokio::test]
async fn secrets_and_tokens_never_show_in_debug_output_or_errors() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/v2/organizations/{CUSTOMER}/application-token"));
            then.status(200)
                .json_body(json!({"access_token": "tok-very-private", "expires_in": 3600}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path_prefix(PREFIX);
            then.status(500).body("backend exploded");
        })
        .await;
    let config = UsersaveConfig::lumapps(
        server.base_url(),
        CUSTOMER,
        "client",
        "s3cr3t-value",
        "admin@acme.com",
    );
    let config_debug = format!("{config:?}");
    let dir = UsersaveDirectory::new("intranet", config).unwrap();
    let error = dir.get_user(&UserKey::Id("1".into())).await.unwrap_err();
    let shown = format!("{config_debug} {dir:?} {error} {error:?}");
    for secret in [
        "s3cr3t-value",
        "tok-very-private",
        "Y2xpZW50OnMzY3IzdC12YWx1ZQ",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
    assert!(
        shown.contains("backend exploded"),
        "the body excerpt is kept: {shown}"
    );
}

#[test]
fn configuration_errors_name_the_field() {
    let base = || {
        UsersaveConfig::lumapps(
            "http://127.0.0.1:9",
            CUSTOMER,
            "client",
            "secret",
            "admin@acme.com",
        )
    };
    let cases: Vec<(UsersaveConfig, &str)> = vec![
        (
            UsersaveConfig {
                base_url: "not a url".into(),
                ..base()
            },
            "base_url",
        ),
        (
            UsersaveConfig {
                base_url: "ftp://127.0.0.1".into(),
                ..base()
            },
            "base_url",
        ),
        (
            UsersaveConfig {
                customer_id: None,
                ..base()
            },
            "customer_id",
        ),
        (
            UsersaveConfig {
                page_size: Some(0),
                ..base()
            },
            "page_size",
        ),
        (
            UsersaveConfig {
                membership_batch: Some(0),
                ..base()
            },
            "max_batch",
        ),
        (
            UsersaveConfig {
                auth: AuthConfig {
                    client_secret: None,
                    ..base().auth
                },
                ..base()
            },
            "auth.client_secret",
        ),
        (
            UsersaveConfig {
                auth: AuthConfig {
                    client_secret: None,
                    client_secret_env: Some("ROSTER_TEST_UNSET_VARIABLE".into()),
                    ..base().auth
                },
                ..base()
            },
            "ROSTER_TEST_UNSET_VARIABLE",
        ),
        (
            UsersaveConfig {
                auth: AuthConfig {
                    acting_user_email: None,
                    ..base().auth
                },
                ..base()
            },
            "auth.acting_user_email",
        ),
    ];
    for (config, field) in cases {
        let error = UsersaveDirectory::new("bad", config).unwrap_err();
        assert!(matches!(error.kind(), ErrorKind::Config { .. }), "{error}");
        assert!(
            error.to_string().contains(field),
            "{field} not named in: {error}"
        );
    }
}

#[test]
fn a_profile_with_an_unknown_placeholder_is_refused() {
    let mut profile = Profile::from_toml(include_str!("profiles/accounts_teams.toml")).unwrap();
    profile.headers.insert("X-Tenant".into(), "{tenant}".into());
    let config = UsersaveConfig {
        base_url: "http://127.0.0.1:9".into(),
        auth: AuthConfig {
            username: Some("u".into()),
            password: Some(SecretString::from("p")),
            ..AuthConfig::default()
        },
        profile: Some(profile),
        ..UsersaveConfig::default()
    };
    let error = UsersaveDirectory::new("bad", config).unwrap_err();
    assert!(error.to_string().contains("{tenant}"), "{error}");
}

#[test]
fn the_config_reads_from_a_roster_toml_table() {
    let table = r#"
        kind = "usersave"
        base_url = "https://go-cell-001.api.lumapps.com/"
        customer_id = "4664706704080896"
        page_size = 50
        list_statuses = []
        [auth]
        client_id = "roster"
        client_secret_env = "ROSTER_TEST_LUMAPPS_SECRET"
        acting_user_email = "admin@acme.com"
    "#;
    let config: UsersaveConfig = toml::from_str(table).unwrap();
    std::env::set_var("ROSTER_TEST_LUMAPPS_SECRET", "from-the-environment");
    let dir = UsersaveDirectory::new("intranet", config).unwrap();
    assert_eq!(dir.describe().capabilities.page_size, Some(50));
    assert!(dir.profile().user.list_status_passes.is_empty());
}
