//! `apply_batch`: imports of up to `batch_max` rows, deletes of up to `batch_max` names, the
//! observed listing reused, and all-or-nothing refusals resolved into per-op results.

mod support;

use std::collections::BTreeMap;

use httpmock::MockServer;
use roster_core::{Change, ErrorKind, NewUser, User, UserDirectory, UserOp, UserPatch, UserQuery};
use serde_json::Value;
use support::*;

fn create(username: &str) -> UserOp {
    UserOp::Create(NewUser {
        username: Some(username.into()),
        ..NewUser::default()
    })
}

fn expire(id: &str, date: &str) -> UserOp {
    UserOp::Update {
        id: id.into(),
        patch: UserPatch {
            attributes: BTreeMap::from([("expiration".to_owned(), Change::Set(Value::from(date)))]),
            ..UserPatch::default()
        },
    }
}

fn delete(id: &str) -> UserOp {
    UserOp::Delete { id: id.into() }
}

fn row(username: &str) -> String {
    format!(r#"{{"username":"{username}","expiration":"","data_access_group":""}}"#)
}

fn rows(usernames: &[&str]) -> String {
    format!(
        "[{}]",
        usernames
            .iter()
            .map(|name| row(name))
            .collect::<Vec<_>>()
            .join(",")
    )
}

/// The body of one user delete naming `names` in order, as `users[0]`, `users[1]`, ...
fn delete_body(names: &[&str]) -> String {
    let keys: Vec<String> = (0..names.len()).map(|i| format!("users[{i}]")).collect();
    let pairs: Vec<(&str, &str)> = keys
        .iter()
        .map(String::as_str)
        .zip(names.iter().copied())
        .collect();
    body("user", "delete", &pairs)
}

fn ok_ids(results: &[roster_core::Result<Option<User>>]) -> Vec<String> {
    results
        .iter()
        .filter_map(|result| {
            result
                .as_ref()
                .ok()
                .and_then(|user| user.as_ref().map(|u| u.id.clone()))
        })
        .collect()
}

#[tokio::test]
async fn creates_go_in_imports_of_batch_max_rows_after_one_export() {
    let server = MockServer::start_async().await;
    let export = expect_export(&server, "user", USERS).await;
    let first = expect_import(&server, "user", &rows(&["c1", "c2"]), "2").await;
    let second = expect_import(&server, "user", &rows(&["c3"]), "1").await;
    let results = directory_with(&server, 2)
        .apply_batch(&[create("c1"), create("C2"), create("c3"), create("bob")])
        .await
        .expect("batch");
    export.assert_async().await;
    first.assert_async().await;
    second.assert_async().await;
    assert_eq!(ok_ids(&results), vec!["c1", "c2", "c3"]);
    let error = results[3].as_ref().expect_err("bob is in the project");
    assert!(
        matches!(error.kind(), ErrorKind::AlreadyExists { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn a_refused_row_fails_alone_and_the_rest_is_sent_again() {
    let server = MockServer::start_async().await;
    expect_export(&server, "user", "[]").await;
    let refused = expect(
        &server,
        &import_body("user", &rows(&["a", "b", "c"])),
        400,
        r#"{"error":"username \"b\" can not be added Since you have been assigned to a Data Access Group, you are only able to view\/edit users from your group, and you are not allowed to add new users to this project."}"#,
    )
    .await;
    let rest = expect_import(&server, "user", &rows(&["a", "c"]), "2").await;
    let results = directory(&server)
        .apply_batch(&[create("a"), create("b"), create("c")])
        .await
        .expect("batch");
    refused.assert_async().await;
    rest.assert_async().await;
    assert_eq!(ok_ids(&results), vec!["a", "c"]);
    let error = results[1].as_ref().expect_err("b was refused");
    assert!(matches!(error.kind(), ErrorKind::Invalid { .. }), "{error}");
    assert!(error.to_string().contains("can not be added"), "{error}");
    assert_eq!(error.operation(), Some(roster_core::Operation::CreateUser));
}

#[tokio::test]
async fn an_error_that_names_no_row_is_found_by_halving() {
    let server = MockServer::start_async().await;
    expect_export(&server, "user", "[]").await;
    let refusal = r#"{"error":"The form named \"form_9\" with value \"9\" is not a valid form-level rights value. It must be 0, 1, 2 or 3."}"#;
    let mut calls = Vec::new();
    for (names, status, reply) in [
        (vec!["a", "b", "c", "d"], 400, refusal),
        (vec!["a", "b"], 200, "2"),
        (vec!["c", "d"], 400, refusal),
        (vec!["c"], 400, refusal),
        (vec!["d"], 200, "1"),
    ] {
        calls.push(expect(&server, &import_body("user", &rows(&names)), status, reply).await);
    }
    let results = directory(&server)
        .apply_batch(&[create("a"), create("b"), create("c"), create("d")])
        .await
        .expect("batch");
    for call in &calls {
        call.assert_async().await;
    }
    assert_eq!(ok_ids(&results), vec!["a", "b", "d"]);
    assert!(results[2]
        .as_ref()
        .is_err_and(|e| e.to_string().contains("form_9")));
}

#[tokio::test]
async fn a_user_in_a_role_gets_a_clear_error_of_their_own() {
    let server = MockServer::start_async().await;
    expect_export(&server, "user", USERS).await;
    let both = r#"[{"username":"alice","expiration":"2027-01-01","data_access_group":"test_dag","api_export":0,"design":0,"reports":1,"user_rights":0,"forms":{"form_1":1,"form_2":0},"forms_export":{"form_1":0,"form_2":0}},{"username":"bob","expiration":"2027-01-01","data_access_group":"","api_export":1,"design":1,"reports":0,"user_rights":1,"forms":{"form_1":3,"form_2":0}}]"#;
    let refused = expect(
        &server,
        &import_body("user", both),
        400,
        r#"{"error":"The user \"alice\" cannot have their user privileges modified because the user belongs to a user role. Users in roles cannot have their privileges modified via the 'Import User' API method."}"#,
    )
    .await;
    let bob_only = r#"[{"username":"bob","expiration":"2027-01-01","data_access_group":"","api_export":1,"design":1,"reports":0,"user_rights":1,"forms":{"form_1":3,"form_2":0}}]"#;
    let rest = expect_import(&server, "user", bob_only, "1").await;
    let results = directory(&server)
        .apply_batch(&[expire("alice", "2027-01-01"), expire("bob", "2027-01-01")])
        .await
        .expect("batch");
    refused.assert_async().await;
    rest.assert_async().await;
    let error = results[0].as_ref().expect_err("alice is in a role");
    assert!(
        error.to_string().contains("belongs to a user role"),
        "{error}"
    );
    assert!(
        error.to_string().contains("`role`"),
        "the error says what to do: {error}"
    );
    let bob = results[1].as_ref().expect("bob").as_ref().expect("user");
    assert_eq!(bob.attributes["expiration"], "2027-01-01");
    assert_eq!(
        bob.groups,
        Some(Default::default()),
        "bob keeps having no DAG"
    );
}

#[tokio::test]
async fn the_listing_the_plan_observed_is_reused() {
    let server = MockServer::start_async().await;
    let export = expect_export(&server, "user", USERS).await;
    let import = expect_import(
        &server,
        "user",
        r#"[{"username":"bob","expiration":"","data_access_group":"","api_export":1,"design":1,"reports":0,"user_rights":1,"forms":{"form_1":3,"form_2":0}}]"#,
        "1",
    )
    .await;
    let directory = directory(&server);
    directory.list_users(&UserQuery::all()).await.expect("list");
    let reactivate = UserOp::Update {
        id: "bob".into(),
        patch: UserPatch {
            active: Change::Set(true),
            ..UserPatch::default()
        },
    };
    let results = directory.apply_batch(&[reactivate]).await.expect("batch");
    assert!(results[0].is_ok(), "{:?}", results[0]);
    export.assert_calls_async(1).await;
    import.assert_async().await;
}

#[tokio::test]
async fn deletes_need_no_export_and_missing_names_are_not_found() {
    let server = MockServer::start_async().await;
    let export = expect_export(&server, "user", USERS).await;
    let refused = expect(
        &server,
        &delete_body(&["carol", "ghost", "dave"]),
        400,
        r#"{"error":"One or more of the users provided are not valid usernames that do not exist in this project. Note: No users were deleted. Users that do not exist: ghost"}"#,
    )
    .await;
    let rest = expect(&server, &delete_body(&["carol", "dave"]), 200, "2").await;
    let results = directory(&server)
        .apply_batch(&[delete("carol"), delete("ghost"), delete("Dave")])
        .await
        .expect("batch");
    refused.assert_async().await;
    rest.assert_async().await;
    export.assert_calls_async(0).await;
    assert!(matches!(results[0], Ok(None)));
    assert!(matches!(results[2], Ok(None)));
    let error = results[1]
        .as_ref()
        .expect_err("ghost is not in the project");
    assert!(
        matches!(error.kind(), ErrorKind::NotFound { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn a_refusal_of_the_whole_request_fails_every_op_alike() {
    let server = MockServer::start_async().await;
    expect_export(&server, "user", "[]").await;
    expect(
        &server,
        &import_body("user", &rows(&["a", "b"])),
        403,
        r#"{"error":"You do not have API Import\/Update privileges"}"#,
    )
    .await;
    let results = directory(&server)
        .apply_batch(&[create("a"), create("b")])
        .await
        .expect("batch");
    for result in &results {
        let error = result.as_ref().expect_err("refused");
        assert!(
            matches!(error.kind(), ErrorKind::Forbidden { .. }),
            "{error}"
        );
        assert!(error.to_string().contains("API Import/Update"), "{error}");
    }
}

#[tokio::test]
async fn role_changes_in_a_batch_share_one_mapping_import() {
    let server = MockServer::start_async().await;
    expect_export(&server, "user", USERS).await;
    let mapping = expect_export(&server, "userRoleMapping", ROLE_MAPPING).await;
    let assign = expect_import(
        &server,
        "userRoleMapping",
        r#"[{"username":"alice","unique_role_name":""},{"username":"bob","unique_role_name":"U-573AEYRNR8"}]"#,
        "2",
    )
    .await;
    let role = |id: &str, role: &str| UserOp::Update {
        id: id.into(),
        patch: UserPatch {
            attributes: BTreeMap::from([("role".to_owned(), Change::Set(Value::from(role)))]),
            ..UserPatch::default()
        },
    };
    let results = directory(&server)
        .apply_batch(&[role("alice", ""), role("bob", "U-573AEYRNR8")])
        .await
        .expect("batch");
    mapping.assert_async().await;
    assign.assert_async().await;
    let bob = results[1].as_ref().expect("bob").as_ref().expect("user");
    assert_eq!(bob.attributes["role"], "U-573AEYRNR8");
}
