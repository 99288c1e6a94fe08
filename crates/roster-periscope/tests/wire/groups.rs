//! Group reads and writes, and the group extras.

use httpmock::prelude::*;
use roster_core::{ErrorKind, NewGroup, UserDirectory};
use roster_periscope::{GroupUpdate, ACCESS};
use serde_json::json;

use super::{any_request, directory, directory_with, read, write, APPLYING};

fn analysts() -> NewGroup {
    let mut group = NewGroup::named("Analysts");
    group.attributes.insert(ACCESS.into(), json!("View"));
    group
}

#[tokio::test]
async fn list_reads_every_group_with_its_access_level() {
    let server = MockServer::start_async().await;
    let list = server
        .mock_async(|when, then| {
            read(when, "/api/v1/groups");
            then.status(200).json_body(json!({"groups": [
                {"name": "Administrators", "access": "SQL"},
                {"name": "Analysts", "access": "View", "id": 12}
            ]}));
        })
        .await;
    let groups = directory(&server).list_groups().await.unwrap();
    list.assert_calls_async(1).await;
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[1].name, "Analysts");
    assert_eq!(groups[1].id.as_deref(), Some("12"));
    assert_eq!(groups[1].attributes[ACCESS], "View");
    assert!(!groups[1].attributes.contains_key("id"));
}

#[tokio::test]
async fn list_accepts_a_data_envelope() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v1/groups");
            then.status(200)
                .json_body(json!({"data": [{"name": "Analysts", "access": "View"}]}));
        })
        .await;
    let groups = directory(&server).list_groups().await.unwrap();
    assert_eq!(groups[0].name, "Analysts");
}

#[tokio::test]
async fn get_group_addresses_the_name_as_one_encoded_segment() {
    let server = MockServer::start_async().await;
    let found = server
        .mock_async(|when, then| {
            read(when, "/api/v1/groups/All%20Users");
            then.status(200)
                .json_body(json!({"name": "All Users", "access": "SQL"}));
        })
        .await;
    let missing = server
        .mock_async(|when, then| {
            read(when, "/api/v1/groups/a%2Fb");
            then.status(404)
                .json_body(json!({"error": "Group not found: a/b"}));
        })
        .await;
    let site = directory(&server);
    let group = site.get_group("All Users").await.unwrap().unwrap();
    assert_eq!(group.attributes[ACCESS], "SQL");
    assert_eq!(site.get_group("a/b").await.unwrap(), None);
    found.assert_calls_async(1).await;
    missing.assert_calls_async(1).await;
}

#[tokio::test]
async fn create_posts_name_access_and_creator() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            write(when, POST, "/api/v1/groups", APPLYING).body(
                r#"{"name":"Analysts","access":"View","created_by_email":"admin@example.com"}"#,
            );
            then.status(201)
                .json_body(json!({"name": "Analysts", "access": "View"}));
        })
        .await;
    let created = directory(&server).create_group(&analysts()).await.unwrap();
    create.assert_calls_async(1).await;
    assert_eq!(created.name, "Analysts");
    assert_eq!(created.attributes[ACCESS], "View");
}

#[tokio::test]
async fn create_takes_the_configured_access_and_creator_when_given() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            write(when, POST, "/api/v1/groups", APPLYING).body(
                r#"{"name":"Finance","access":"SQL","created_by_email":"owner@example.com"}"#,
            );
            then.status(201)
                .json_body(json!({"name": "Finance", "access": "SQL"}));
        })
        .await;
    let site = directory_with(&server, |config| {
        config.default_group_access = Some("SQL".into());
        config.created_by_email = Some("owner@example.com".into());
    });
    site.create_group(&NewGroup::named("Finance"))
        .await
        .unwrap();
    create.assert_calls_async(1).await;
}

#[tokio::test]
async fn group_writes_periscope_cannot_make_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = any_request(&server).await;
    let site = directory(&server);
    let error = site
        .create_group(&NewGroup::named("Finance"))
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Invalid { field: Some(f), .. } if f == "access"),
        "{error}"
    );
    let mut extra = analysts();
    extra.attributes.insert("colour".into(), json!("red"));
    let error = site.create_group(&extra).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Invalid { field: Some(f), .. } if f == "colour"));
    for built_in in ["Administrators", "All Users"] {
        let error = site.delete_group(built_in).await.unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::Invalid { .. }),
            "{built_in}: {error}"
        );
        assert!(error.to_string().contains("built-in"), "{error}");
    }
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn update_group_puts_the_changes_and_the_updater() {
    let server = MockServer::start_async().await;
    let update = server
        .mock_async(|when, then| {
            write(when, PUT, "/api/v1/groups/Analysts", APPLYING)
                .body(r#"{"access":"SQL","updated_by_email":"admin@example.com"}"#);
            then.status(200)
                .json_body(json!({"name": "Analysts", "access": "SQL"}));
        })
        .await;
    let rename = server
        .mock_async(|when, then| {
            write(when, PUT, "/api/v1/groups/Analysts", APPLYING)
                .body(r#"{"name":"Data Team","updated_by_email":"admin@example.com"}"#);
            then.status(200).body("");
        })
        .await;
    let reread = server
        .mock_async(|when, then| {
            read(when, "/api/v1/groups/Data%20Team");
            then.status(200)
                .json_body(json!({"name": "Data Team", "access": "View"}));
        })
        .await;
    let site = directory(&server);
    let access = GroupUpdate {
        access: Some("SQL".into()),
        ..GroupUpdate::default()
    };
    let updated = site.update_group("Analysts", &access).await.unwrap();
    assert_eq!(updated.attributes[ACCESS], "SQL");
    let new_name = GroupUpdate {
        name: Some("Data Team".into()),
        ..GroupUpdate::default()
    };
    let renamed = site.update_group("Analysts", &new_name).await.unwrap();
    assert_eq!(renamed.name, "Data Team");
    update.assert_calls_async(1).await;
    rename.assert_calls_async(1).await;
    reread.assert_calls_async(1).await;
}

#[tokio::test]
async fn delete_group_addresses_the_encoded_name() {
    let server = MockServer::start_async().await;
    let delete = server
        .mock_async(|when, then| {
            write(
                when,
                DELETE,
                "/api/v1/groups/Suite%20Group%20%CE%A9",
                APPLYING,
            );
            then.status(204);
        })
        .await;
    directory(&server)
        .delete_group("Suite Group Ω")
        .await
        .unwrap();
    delete.assert_calls_async(1).await;
}
