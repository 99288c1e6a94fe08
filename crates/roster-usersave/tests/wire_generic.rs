//! A non-LumApps API described by a profile file: the same backend sends what that profile
//! says (Basic auth, bare arrays, partial updates, an inverted `disabled` flag, plain errors).

use httpmock::prelude::*;
use roster_core::{
    Change, ErrorKind, NewUser, SecretString, UserDirectory, UserKey, UserPatch, UserQuery,
};
use roster_usersave::{AuthConfig, Profile, UsersaveConfig, UsersaveDirectory};
use serde_json::json;

const BASIC: &str = "Basic b3BzOnB3"; // ops:pw

fn profile() -> Profile {
    Profile::from_toml(include_str!("profiles/accounts_teams.toml")).unwrap()
}

fn site(server: &MockServer, profile: Profile) -> UsersaveDirectory {
    let config = UsersaveConfig {
        base_url: server.base_url(),
        auth: AuthConfig {
            username: Some("ops".into()),
            password: Some(SecretString::from("pw")),
            ..AuthConfig::default()
        },
        profile: Some(profile),
        ..UsersaveConfig::default()
    };
    UsersaveDirectory::new("accounts", config).unwrap()
}

#[test]
fn capabilities_follow_the_endpoints_the_profile_names() {
    let server = MockServer::start();
    let caps = site(&server, profile()).describe().capabilities.clone();
    assert!(caps.delete_user && caps.deactivate_user && caps.write_membership);
    assert_eq!(caps.page_size, None, "lists come whole");
    let mut no_membership = profile();
    no_membership.endpoints.membership = None;
    let caps = site(&server, no_membership).describe().capabilities.clone();
    assert!(!caps.write_membership && caps.read_membership);
}

#[tokio::test]
async fn creates_updates_and_deletes_in_the_profiles_terms() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v2/accounts/save")
                .header("authorization", BASIC)
                .header_missing("LumApps-Organization-Id")
                .body(r#"{"mail":"n@x.org","given_name":"N","family_name":"X","disabled":true,"password":"pw1"}"#);
            then.status(200).json_body(json!({"account_id": "7", "mail": "n@x.org", "given_name": "N",
                "family_name": "X", "disabled": true, "display_name": "N X"}));
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v2/accounts/save")
                .header("authorization", BASIC)
                .body(r#"{"account_id":"7","family_name":"","disabled":false}"#);
            then.status(200)
                .json_body(json!({"account_id": "7", "mail": "n@x.org", "given_name": "N"}));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/api/v2/accounts/delete")
                .query_param("account_id", "7")
                .header("authorization", BASIC);
            then.status(204);
        })
        .await;
    let dir = site(&server, profile());
    let new = NewUser {
        email: Some("n@x.org".into()),
        first_name: Some("N".into()),
        last_name: Some("X".into()),
        active: Some(false),
        password: Some(SecretString::from("pw1")),
        ..NewUser::default()
    };
    let created = dir.create_user(&new).await.unwrap();
    assert_eq!((created.id.as_str(), created.active), ("7", Some(false)));
    assert_eq!(created.attributes["full_name"], "N X");
    let patch = UserPatch {
        last_name: Change::Clear,
        active: Change::Set(true),
        ..UserPatch::default()
    };
    let updated = dir.update_user("7", &patch).await.unwrap();
    assert_eq!(
        updated.active,
        Some(true),
        "an absent `disabled` flag means active"
    );
    dir.delete_user("7").await.unwrap();
    create.assert_async().await;
    update.assert_async().await;
    delete.assert_async().await;
}

#[tokio::test]
async fn reads_bare_arrays_and_plain_errors() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v2/accounts").header("authorization", BASIC);
            then.status(200).json_body(json!([{"account_id": "1", "mail": "a@x.org"},
                                               {"account_id": "2", "mail": "b@x.org", "disabled": true}]));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v2/accounts/lookup")
                .query_param("account_id", "9");
            then.status(403).json_body(json!({"error": "not yours"}));
        })
        .await;
    let mut config_profile = profile();
    config_profile.endpoints.user_groups = None;
    config_profile.endpoints.list_members = None;
    let dir = site(&server, config_profile);
    let users = dir.list_users(&UserQuery::all()).await.unwrap();
    let summary: Vec<_> = users.iter().map(|u| (u.id.as_str(), u.active)).collect();
    assert_eq!(summary, [("1", Some(true)), ("2", Some(false))]);
    let error = dir.get_user(&UserKey::Id("9".into())).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Forbidden { message } if message == "not yours"),
        "{error}"
    );
}

#[tokio::test]
async fn membership_uses_the_profiles_fields_and_missing_member_rule() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v2/teams");
            then.status(200).json_body(json!([{"team_id": "t1", "title": "Crew"},
                                               {"team_id": "t0", "title": "Everyone", "kind": "system"}]));
        })
        .await;
    let first = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v2/teams/members")
                .body(r#"{"team_id":"t1","add":["1","ghost"],"remove":[]}"#);
            then.status(422)
                .json_body(json!({"error": "Unknown member: ghost"}));
        })
        .await;
    let resent = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v2/teams/members")
                .body(r#"{"team_id":"t1","add":["1"],"remove":[]}"#);
            then.status(204);
        })
        .await;
    let dir = site(&server, profile());
    let groups = dir.list_groups().await.unwrap();
    assert_eq!(
        groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(),
        ["Crew"]
    );
    let error = dir
        .set_membership("crew", &["1".to_owned(), "ghost".to_owned()], &[])
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Partial { failed } if failed.contains_key("ghost")),
        "{error}"
    );
    first.assert_async().await;
    resent.assert_async().await;
}

#[tokio::test]
async fn offset_pagination_reads_until_a_short_page() {
    let server = MockServer::start_async().await;
    let page = |offset: &'static str, ids: &[&str]| {
        let items: Vec<_> = ids
            .iter()
            .map(|id| json!({"account_id": id, "mail": format!("{id}@x.org")}))
            .collect();
        (offset, json!({"data": items}))
    };
    let mut mocks = Vec::new();
    for (offset, body) in [
        page("0", &["1", "2"]),
        page("2", &["3", "4"]),
        page("4", &["5"]),
    ] {
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(GET)
                        .path("/api/v2/accounts")
                        .query_param("offset", offset)
                        .query_param("limit", "2");
                    then.status(200).json_body(body);
                })
                .await,
        );
    }
    let mut paged = profile();
    paged.pagination = toml::from_str(
        r#"style = "offset"
           offset_param = "offset"
           limit_param = "limit"
           items_field = "data"
           page_size = 2"#,
    )
    .unwrap();
    paged.endpoints.user_groups = None;
    paged.endpoints.list_members = None;
    let users = site(&server, paged)
        .list_users(&UserQuery::all())
        .await
        .unwrap();
    assert_eq!(users.len(), 5);
    for mock in &mocks {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn a_server_ignoring_the_offset_is_caught_not_followed_forever() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v2/accounts");
            then.status(200)
                .json_body(json!([{"account_id": "1", "mail": "a@x.org"}, {"account_id": "2", "mail": "b@x.org"}]));
        })
        .await;
    let mut paged = profile();
    paged.pagination = toml::from_str(
        r#"style = "offset"
           offset_param = "offset"
           limit_param = "limit"
           page_size = 2"#,
    )
    .unwrap();
    paged.endpoints.user_groups = None;
    paged.endpoints.list_members = None;
    let error = site(&server, paged)
        .list_users(&UserQuery::all())
        .await
        .unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Decode { .. }), "{error}");
}
