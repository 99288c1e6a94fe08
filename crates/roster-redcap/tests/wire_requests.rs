//! Every request the backend sends, pinned: method, path, content type and the exact form
//! body (field order included), per spec §5.1; and how the replies are read.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;

use httpmock::prelude::*;
use httpmock::MockServer;
use roster_core::{Change, NewGroup, NewUser, User, UserDirectory, UserKey, UserPatch, UserQuery};
use roster_redcap::{ExportFormat, NewRole, RedcapDirectory};
use serde_json::{json, Value};
use support::*;

fn patch(name: &str, change: Change<Value>) -> UserPatch {
    UserPatch {
        attributes: BTreeMap::from([(name.to_owned(), change)]),
        ..UserPatch::default()
    }
}

#[tokio::test]
async fn listing_sends_one_user_export_and_maps_every_field() {
    let server = MockServer::start_async().await;
    let export = expect_export(&server, "user", USERS).await;
    let users = directory(&server)
        .list_users(&UserQuery::all())
        .await
        .expect("list");
    export.assert_async().await;
    assert_eq!(users.len(), 2);
    let alice = &users[0];
    assert_eq!(alice.id, "alice");
    assert_eq!(alice.email.as_deref(), Some("alice@example.org"));
    assert_eq!(alice.groups, Some(BTreeSet::from(["test_dag".to_owned()])));
    assert_eq!(alice.active, Some(true));
    assert_eq!(
        alice.attributes["rights"],
        json!({"api_export": 0, "design": 0, "reports": 1, "user_rights": 0})
    );
    assert!(
        !alice.attributes.contains_key("role"),
        "roles are not read by default"
    );
    let bob = &users[1];
    assert_eq!(bob.groups, Some(BTreeSet::new()));
    assert_eq!(bob.attributes["expiration"], "2030-01-01");
    assert_eq!(bob.attributes["forms_export"], json!({}));
}

#[tokio::test]
async fn listing_with_roles_adds_the_mapping_and_role_exports() {
    let server = MockServer::start_async().await;
    let users = expect_export(&server, "user", USERS).await;
    let mapping = expect_export(&server, "userRoleMapping", ROLE_MAPPING).await;
    let roles = expect_export(&server, "userRole", ROLES).await;
    let directory =
        RedcapDirectory::new("trial", config(&server).with_read_roles(true)).expect("config");
    let listed = directory.list_users(&UserQuery::all()).await.expect("list");
    users.assert_async().await;
    mapping.assert_async().await;
    roles.assert_async().await;
    assert_eq!(listed[0].attributes["role"], "U-573AEYRNR8");
    assert_eq!(listed[0].attributes["role_label"], "Example Role");
    assert_eq!(listed[1].attributes["role"], "");
    assert!(!listed[1].attributes.contains_key("role_label"));
}

#[tokio::test]
async fn get_filters_the_export_by_each_key() {
    let server = MockServer::start_async().await;
    let export = expect_export(&server, "user", USERS).await;
    let directory = directory(&server);
    for key in [
        UserKey::Id("bob".into()),
        UserKey::Username("BOB".into()),
        UserKey::Email("Bob@Example.org".into()),
    ] {
        let found = directory.get_user(&key).await.expect("get");
        assert_eq!(found.map(|user| user.id).as_deref(), Some("bob"), "{key}");
    }
    assert!(directory
        .get_user(&UserKey::Username("carol".into()))
        .await
        .expect("get")
        .is_none());
    export.assert_calls_async(4).await;
}

#[tokio::test]
async fn create_checks_imports_with_the_dag_then_assigns_the_role() {
    let server = MockServer::start_async().await;
    let users = expect_export(&server, "user", USERS).await;
    let mapping = expect_export(&server, "userRoleMapping", ROLE_MAPPING).await;
    let import = expect_import(
        &server,
        "user",
        r#"[{"username":"carol","expiration":"2099-12-31","data_access_group":"test_dag"}]"#,
        "1",
    )
    .await;
    let role = expect_import(
        &server,
        "userRoleMapping",
        r#"[{"username":"carol","unique_role_name":"U-573AEYRNR8"}]"#,
        "1",
    )
    .await;
    let new_user = NewUser {
        username: Some("Carol".into()),
        groups: BTreeSet::from(["test_dag".to_owned()]),
        attributes: BTreeMap::from([
            ("expiration".to_owned(), Value::from("2099-12-31")),
            ("role".to_owned(), Value::from("U-573AEYRNR8")),
        ]),
        ..NewUser::default()
    };
    let created = directory(&server)
        .create_user(&new_user)
        .await
        .expect("create");
    for mock in [&users, &mapping, &import, &role] {
        mock.assert_async().await;
    }
    assert_eq!(created.id, "carol");
    assert_eq!(
        created.groups,
        Some(BTreeSet::from(["test_dag".to_owned()]))
    );
    assert_eq!(created.attributes["role"], "U-573AEYRNR8");
    assert_eq!(created.active, Some(true));
}

#[tokio::test]
async fn update_sends_the_merged_row_with_the_current_dag() {
    let server = MockServer::start_async().await;
    let users = expect_export(&server, "user", USERS).await;
    let mapping = expect_export(&server, "userRoleMapping", ROLE_MAPPING).await;
    let import = expect_import(
        &server,
        "user",
        r#"[{"username":"bob","expiration":"2030-01-01","data_access_group":"","api_export":1,"design":0,"reports":0,"user_rights":1,"forms":{"form_1":3,"form_2":2}}]"#,
        "1",
    )
    .await;
    let mut change = patch("rights", Change::Set(json!({"design": 0})));
    change
        .attributes
        .insert("forms".into(), Change::Set(json!({"form_2": 2})));
    let updated = directory(&server)
        .update_user("bob", &change)
        .await
        .expect("update");
    for mock in [&users, &mapping, &import] {
        mock.assert_async().await;
    }
    assert_eq!(updated.attributes["rights"]["design"], 0);
    assert_eq!(
        updated.attributes["forms"],
        json!({"form_1": 3, "form_2": 2})
    );
    assert_eq!(updated.email.as_deref(), Some("bob@example.org"));
}

#[tokio::test]
async fn deactivating_a_user_in_a_role_unassigns_imports_and_reassigns() {
    let server = MockServer::start_async().await;
    expect_export(&server, "user", USERS).await;
    expect_export(&server, "userRoleMapping", ROLE_MAPPING).await;
    let unassign = expect_import(
        &server,
        "userRoleMapping",
        r#"[{"username":"alice","unique_role_name":""}]"#,
        "1",
    )
    .await;
    let import = expect_import(
        &server,
        "user",
        r#"[{"username":"alice","expiration":"2026-01-15","data_access_group":"test_dag"}]"#,
        "1",
    )
    .await;
    let reassign = expect_import(
        &server,
        "userRoleMapping",
        r#"[{"username":"alice","unique_role_name":"U-573AEYRNR8"}]"#,
        "1",
    )
    .await;
    let updated = directory(&server)
        .update_user("alice", &UserPatch::deactivate())
        .await
        .expect("deactivate");
    for mock in [&unassign, &import, &reassign] {
        mock.assert_async().await;
    }
    assert_eq!(updated.active, Some(false));
    assert_eq!(updated.attributes["role"], "U-573AEYRNR8");
}

#[tokio::test]
async fn a_role_change_alone_is_one_mapping_import() {
    let server = MockServer::start_async().await;
    expect_export(&server, "user", USERS).await;
    expect_export(&server, "userRoleMapping", ROLE_MAPPING).await;
    let assign = expect_import(
        &server,
        "userRoleMapping",
        r#"[{"username":"bob","unique_role_name":"U-573AEYRNR8"}]"#,
        "1",
    )
    .await;
    directory(&server)
        .update_user("bob", &patch("role", Change::Set("U-573AEYRNR8".into())))
        .await
        .expect("role");
    assign.assert_async().await;
}

#[tokio::test]
async fn delete_sends_a_users_array_in_lower_case() {
    let server = MockServer::start_async().await;
    let delete = expect(
        &server,
        &body("user", "delete", &[("users[0]", "bob")]),
        200,
        "1",
    )
    .await;
    directory(&server).delete_user("Bob").await.expect("delete");
    delete.assert_async().await;
}

#[tokio::test]
async fn groups_are_dags() {
    let server = MockServer::start_async().await;
    let export = expect_export(&server, "dag", DAGS).await;
    let groups = directory(&server).list_groups().await.expect("groups");
    export.assert_async().await;
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].name, "test_dag");
    assert_eq!(groups[0].id.as_deref(), Some("1"));
    assert_eq!(groups[0].attributes["label"], "Test DAG");
    assert_eq!(groups[0].attributes["unique_group_name"], "test_dag");
}

#[tokio::test]
async fn creating_a_dag_imports_with_action_import_and_reads_the_new_id() {
    let server = MockServer::start_async().await;
    let seen = Seen::default();
    let before = server
        .mock_async(|when, then| {
            when.method(POST)
                .body(body("dag", "export", &[]))
                .is_true(seen.phase(false));
            then.status(200).body(DAGS);
        })
        .await;
    let import = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/")
                .header("content-type", FORM)
                .body(import_body(
                    "dag",
                    r#"[{"data_access_group_name":"Site A","unique_group_name":""}]"#,
                ))
                .is_true(seen.recorder("action=import"));
            then.status(200).body("1");
        })
        .await;
    let after = server
        .mock_async(|when, then| {
            when.method(POST)
                .body(body("dag", "export", &[]))
                .is_true(seen.phase(true));
            then.status(200).body(
                r#"[{"data_access_group_name":"Site A","unique_group_name":"site_a","data_access_group_id":7},
                    {"data_access_group_name":"Test DAG","unique_group_name":"test_dag","data_access_group_id":1}]"#,
            );
        })
        .await;
    let group = NewGroup {
        name: "site_a".into(),
        attributes: BTreeMap::from([("label".to_owned(), Value::from("Site A"))]),
    };
    let created = directory(&server)
        .create_group(&group)
        .await
        .expect("create");
    before.assert_async().await;
    import.assert_async().await;
    after.assert_async().await;
    assert_eq!(created.name, "site_a");
    assert_eq!(created.id.as_deref(), Some("7"));
}

#[tokio::test]
async fn a_dag_name_redcap_would_not_give_is_refused_without_sending_the_import() {
    let server = MockServer::start_async().await;
    let export = expect_export(&server, "dag", DAGS).await;
    let directory = directory(&server);
    let error = directory
        .create_group(&NewGroup::named("Site A"))
        .await
        .expect_err("Site A would be named site_a");
    assert!(error.to_string().contains("site_a"), "{error}");
    let error = directory
        .create_group(&NewGroup {
            name: "test_dag".into(),
            attributes: BTreeMap::from([("label".to_owned(), Value::from("Test DAG"))]),
        })
        .await
        .expect_err("exists");
    assert!(
        matches!(error.kind(), roster_core::ErrorKind::AlreadyExists { .. }),
        "{error}"
    );
    export.assert_calls_async(2).await;
}

#[tokio::test]
async fn deleting_a_dag_unassigns_its_members_first() {
    let server = MockServer::start_async().await;
    expect_export(&server, "user", USERS).await;
    let unassign = expect_import(
        &server,
        "userDagMapping",
        r#"[{"username":"alice","redcap_data_access_group":""}]"#,
        "1",
    )
    .await;
    let delete = expect(
        &server,
        &body("dag", "delete", &[("dags[0]", "test_dag")]),
        200,
        "1",
    )
    .await;
    directory(&server)
        .delete_group("test_dag")
        .await
        .expect("delete");
    unassign.assert_async().await;
    delete.assert_async().await;
}

#[tokio::test]
async fn membership_adds_and_removes_through_the_user_dag_mapping() {
    let server = MockServer::start_async().await;
    let export = expect_export(&server, "user", USERS).await;
    let adds = expect_import(
        &server,
        "userDagMapping",
        r#"[{"username":"bob","redcap_data_access_group":"site_b"}]"#,
        "1",
    )
    .await;
    let directory = directory(&server);
    directory
        .set_membership("site_b", &["Bob".into()], &[])
        .await
        .expect("add");
    adds.assert_async().await;
    export.assert_calls_async(0).await;

    let removes = expect_import(
        &server,
        "userDagMapping",
        r#"[{"username":"alice","redcap_data_access_group":""}]"#,
        "1",
    )
    .await;
    // bob is not in test_dag, so removing him sends nothing for him.
    directory
        .set_membership("test_dag", &[], &["alice".into(), "bob".into()])
        .await
        .expect("remove");
    removes.assert_async().await;
    export.assert_calls_async(1).await;
}

#[tokio::test]
async fn dag_rename_and_switch() {
    let server = MockServer::start_async().await;
    let seen = Seen::default();
    expect_export_in_phase(&server, &seen, "dag", false, DAGS).await;
    let rename = expect_recorded_import(
        &server,
        &seen,
        "dag",
        r#"[{"data_access_group_name":"Boston Site","unique_group_name":"test_dag"}]"#,
    )
    .await;
    expect_export_in_phase(
        &server,
        &seen,
        "dag",
        true,
        r#"[{"data_access_group_name":"Boston Site","unique_group_name":"boston_site","data_access_group_id":1}]"#,
    )
    .await;
    let switch = expect(
        &server,
        &body("dag", "switch", &[("dag", "test_dag")]),
        200,
        "1",
    )
    .await;
    let unswitch = expect(&server, &body("dag", "switch", &[("dag", "")]), 200, "1").await;
    let directory = directory(&server);
    let renamed = directory
        .rename_group("test_dag", "Boston Site")
        .await
        .expect("rename");
    rename.assert_async().await;
    assert_eq!(renamed.name, "boston_site");
    assert_eq!(renamed.id.as_deref(), Some("1"));
    directory
        .switch_dag(Some("test_dag"))
        .await
        .expect("switch");
    directory.switch_dag(None).await.expect("switch back");
    switch.assert_async().await;
    unswitch.assert_async().await;
}

#[tokio::test]
async fn roles_are_listed_created_deleted_and_assigned() {
    let server = MockServer::start_async().await;
    let seen = Seen::default();
    expect_export_in_phase(&server, &seen, "userRole", false, ROLES).await;
    let import = expect_recorded_import(
        &server,
        &seen,
        "userRole",
        r#"[{"unique_role_name":"","role_label":"Monitor","api_export":1,"reports":1,"forms":{"form_1":2}}]"#,
    )
    .await;
    expect_export_in_phase(
        &server,
        &seen,
        "userRole",
        true,
        r#"[{"unique_role_name":"U-573AEYRNR8","role_label":"Example Role","reports":"1","forms":[],"forms_export":[]},
                    {"unique_role_name":"U-942MC93HH8","role_label":"Monitor","api_export":"1","reports":"1","forms":{"form_1":2},"forms_export":[]}]"#,
    )
    .await;
    let delete = expect(
        &server,
        &body("userRole", "delete", &[("roles[0]", "U-942MC93HH8")]),
        200,
        "1",
    )
    .await;
    expect_export(&server, "user", USERS).await;
    let assign = expect_import(
        &server,
        "userRoleMapping",
        r#"[{"username":"bob","unique_role_name":"U-942MC93HH8"}]"#,
        "1",
    )
    .await;
    let directory = directory(&server);
    let listed = directory.list_roles().await.expect("roles");
    assert_eq!(listed[0].label, "Example Role");
    assert_eq!(
        listed[0].rights["reports"], 1,
        "role rights come as strings and read as ints"
    );
    let role = NewRole {
        label: "Monitor".into(),
        rights: BTreeMap::from([("api_export".into(), 1), ("reports".into(), 1)]),
        forms: BTreeMap::from([("form_1".into(), 2)]),
        forms_export: BTreeMap::new(),
    };
    let created = directory.create_role(&role).await.expect("create role");
    import.assert_async().await;
    assert_eq!(created.unique_role_name, "U-942MC93HH8");
    directory
        .assign_role("Bob", Some("U-942MC93HH8"))
        .await
        .expect("assign");
    assign.assert_async().await;
    let error = directory
        .assign_role("nobody", Some("U-942MC93HH8"))
        .await
        .expect_err("not in the project");
    assert!(
        matches!(error.kind(), roster_core::ErrorKind::NotFound { .. }),
        "{error}"
    );
    directory
        .delete_role("U-942MC93HH8")
        .await
        .expect("delete role");
    delete.assert_async().await;
}

#[tokio::test]
async fn raw_exports_come_back_as_the_server_wrote_them() {
    let server = MockServer::start_async().await;
    let csv = "username,email,firstname,lastname,expiration,data_access_group\nalice,,,,,test_dag";
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?><users><item><username>alice</username></item></users>";
    for (format, reply) in [("csv", csv), ("xml", xml), ("json", USERS)] {
        server
            .mock_async(|when, then| {
                when.body(encode(&[
                    ("token", TOKEN),
                    ("content", "user"),
                    ("action", "export"),
                    ("format", format),
                    ("returnFormat", "json"),
                ]));
                then.status(200).body(reply);
            })
            .await;
    }
    let directory = directory(&server);
    assert_eq!(
        directory
            .export_users_raw(ExportFormat::Csv)
            .await
            .expect("csv"),
        csv
    );
    assert_eq!(
        directory
            .export_users_raw(ExportFormat::Xml)
            .await
            .expect("xml"),
        xml
    );
    assert_eq!(
        directory
            .export_users_raw(ExportFormat::Json)
            .await
            .expect("json"),
        USERS
    );
}

#[tokio::test]
async fn account_fields_are_refused_without_sending_anything() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(500);
        })
        .await;
    let directory = directory(&server);
    let named = NewUser {
        username: Some("dave".into()),
        email: Some("dave@example.org".into()),
        ..NewUser::default()
    };
    let error = directory
        .create_user(&named)
        .await
        .expect_err("email is read-only");
    assert!(
        matches!(error.kind(), roster_core::ErrorKind::Unsupported { .. }),
        "{error}"
    );
    let rename = UserPatch {
        last_name: Change::Set("Other".into()),
        ..UserPatch::default()
    };
    assert!(directory.update_user("bob", &rename).await.is_err());
    let boolean = patch("rights", Change::Set(json!({"design": true})));
    let error = directory
        .update_user("bob", &boolean)
        .await
        .expect_err("booleans");
    assert!(error.to_string().contains("integers"), "{error}");
    any.assert_calls_async(0).await;
    let caps = &directory.describe().capabilities;
    assert_eq!(
        caps.read_only_fields,
        vec!["email", "first_name", "last_name", "role_label"]
    );
}

/// Every user `for_each_user` hands over for `query`.
async fn streamed(directory: &RedcapDirectory, query: &UserQuery) -> Vec<User> {
    let mut users = Vec::new();
    directory
        .for_each_user(query, &mut |user| {
            users.push(user);
            ControlFlow::Continue(())
        })
        .await
        .expect("a streamed listing");
    users
}

/// A directory reading roles, on the mock server.
fn reading_roles(server: &MockServer) -> RedcapDirectory {
    RedcapDirectory::new("trial", config(server).with_read_roles(true))
        .expect("config")
        .with_today(today())
}

#[tokio::test]
async fn a_streamed_listing_hands_over_what_list_users_returns_from_the_same_exports() {
    let server = MockServer::start_async().await;
    let users = expect_export(&server, "user", USERS).await;
    let mapping = expect_export(&server, "userRoleMapping", ROLE_MAPPING).await;
    let roles = expect_export(&server, "userRole", ROLES).await;
    let directory = reading_roles(&server);
    let queries = [
        UserQuery::all(),
        UserQuery::all().with("group", "test_dag"),
        UserQuery::all().with("role_label", "Example Role"),
        UserQuery::all().with("username", "bob"),
    ];
    for query in &queries {
        let listed = directory.list_users(query).await.expect("list");
        assert!(!listed.is_empty(), "{query:?}");
        assert_eq!(streamed(&directory, query).await, listed, "{query:?}");
    }
    let listings = queries.len() * 2;
    users.assert_calls_async(listings).await;
    mapping.assert_calls_async(listings).await;
    roles.assert_calls_async(listings).await;
}

#[tokio::test]
async fn a_sink_that_stops_after_the_first_user_ends_the_listing_without_an_error() {
    let server = MockServer::start_async().await;
    let export = expect_export(&server, "user", USERS).await;
    let mut handed_over = Vec::new();
    directory(&server)
        .for_each_user(&UserQuery::all(), &mut |user: User| {
            handed_over.push(user.id);
            ControlFlow::Break(())
        })
        .await
        .expect("stopping early is not an error");
    assert_eq!(handed_over, ["alice"]);
    export.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_export_out_of_username_order_is_listed_in_username_order_and_streamed_as_sent() {
    let server = MockServer::start_async().await;
    let rows: Vec<Value> = serde_json::from_str(USERS).expect("rows");
    let reversed = serde_json::to_string(&[&rows[1], &rows[0]]).expect("json");
    expect_export(&server, "user", &reversed).await;
    let directory = directory(&server);
    let ids = |users: Vec<User>| users.into_iter().map(|user| user.id).collect::<Vec<_>>();
    assert_eq!(
        ids(directory.list_users(&UserQuery::all()).await.expect("list")),
        ["alice", "bob"],
        "a listing is in username order, as it always was"
    );
    assert_eq!(
        ids(streamed(&directory, &UserQuery::all()).await),
        ["bob", "alice"],
        "a streamed listing goes in the export's order"
    );
}
