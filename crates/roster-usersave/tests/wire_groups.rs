//! Feeds as groups and batched membership, pinned to the spec's backend contract (§5.3).

mod common;

use common::*;
use httpmock::prelude::*;
use roster_core::{ErrorKind, NewGroup, UserDirectory};
use serde_json::json;

async fn feeds(server: &MockServer) -> httpmock::Mock<'_> {
    mock_get(
        server,
        "feed/list",
        "maxResults=100",
        200,
        json!({"items": [
            {"id": "10", "uid": "10", "name": "ALL", "functionalInnerId": "LUMAPPS_ALL"},
            {"id": "11", "uid": "11", "name": "PUBLIC", "functionalInnerId": "LUMAPPS_PUBLIC"},
            {"id": "12", "uid": "12", "name": "Sales", "functionalInnerId": "sales", "type": "9",
             "heritable": true, "status": "enabled"}], "more": false}),
    )
    .await
}

/// A feed/subscribers/save of exactly `body`, answered as `reply` says.
async fn mock_subscribers_save<'a>(
    server: &'a MockServer,
    body: &str,
    reply: impl FnOnce(httpmock::Then) -> httpmock::Then,
) -> httpmock::Mock<'a> {
    mock_json_post_with(server, "feed/subscribers/save", body, reply).await
}

/// A 404 reply refusing the membership of the unknown user `id`.
fn user_not_found(then: httpmock::Then, id: &str) -> httpmock::Then {
    then.status(404)
        .json_body(envelope(404, &format!("User not found: {id}"), "notFound"))
}

#[tokio::test]
async fn list_groups_leaves_out_the_built_in_feeds() {
    let server = MockServer::start_async().await;
    token(&server).await;
    let list = feeds(&server).await;
    let groups = site(&server).list_groups().await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].name, "Sales");
    assert_eq!(groups[0].id.as_deref(), Some("12"));
    assert_eq!(groups[0].attributes["feed_type"], "9");
    assert_eq!(groups[0].attributes["status"], "enabled");
    list.assert_async().await;
}

#[tokio::test]
async fn groups_are_listed_at_the_configured_instance() {
    let server = MockServer::start_async().await;
    token(&server).await;
    let list = mock_get(
        &server,
        "feed/list",
        "instance=5764607523034234&maxResults=100",
        200,
        json!({"more": false}),
    )
    .await;
    let dir = site_with(&server, |config| {
        config.instance_id = Some("5764607523034234".into())
    });
    assert!(dir.list_groups().await.unwrap().is_empty());
    list.assert_async().await;
}

#[tokio::test]
async fn create_finds_the_only_feed_type_once_and_saves_the_documented_body() {
    let server = MockServer::start_async().await;
    token(&server).await;
    let types = server
        .mock_async(|when, then| {
            exact_query(
                api_call(when, GET, "feedtype/list"),
                format!("customer={CUSTOMER}"),
            );
            then.status(200).json_body(json!({"items": [
                {"id": "9", "uid": "9", "name": "Groups", "customer": CUSTOMER, "heritable": true},
                {"id": "8", "uid": "8", "name": "Site types", "instance": "5764607523034234"}],
                "more": false}));
        })
        .await;
    let save = server
        .mock_async(|when, then| {
            json_post(when, "feed/save", &format!(
                r#"{{"customer":"{CUSTOMER}","name":"Sales & Marketing","functionalInnerId":"sales-marketing","type":"9","heritable":true,"status":"enabled"}}"#));
            then.status(200).json_body(json!({"id": "20", "uid": "20", "name": "Sales & Marketing",
                "functionalInnerId": "sales-marketing", "type": "9", "heritable": true, "status": "enabled"}));
        })
        .await;
    let dir = site(&server);
    let group = dir
        .create_group(&NewGroup::named("Sales & Marketing"))
        .await
        .unwrap();
    assert_eq!(group.id.as_deref(), Some("20"));
    assert_eq!(group.attributes["functional_inner_id"], "sales-marketing");
    dir.create_group(&NewGroup::named("Sales & Marketing"))
        .await
        .unwrap();
    types.assert_calls_async(1).await;
    save.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_configured_group_type_and_instance_go_into_the_body() {
    let server = MockServer::start_async().await;
    token(&server).await;
    let save = server
        .mock_async(|when, then| {
            json_post(when, "feed/save", &format!(
                r#"{{"customer":"{CUSTOMER}","name":"Team","functionalInnerId":"team-x","type":"77","heritable":true,"status":"enabled","instance":"55"}}"#));
            then.status(200).json_body(json!({"id": "21", "name": "Team", "instance": "55"}));
        })
        .await;
    let dir = site_with(&server, |config| {
        config.group_type = Some("77".into());
        config.instance_id = Some("55".into());
    });
    let mut group = NewGroup::named("Team");
    group
        .attributes
        .insert("functional_inner_id".into(), json!("team-x"));
    dir.create_group(&group).await.unwrap();
    save.assert_async().await;
}

#[tokio::test]
async fn delete_group_deletes_by_id_and_refuses_built_in_feeds() {
    let server = MockServer::start_async().await;
    token(&server).await;
    feeds(&server).await;
    let delete = server
        .mock_async(|when, then| {
            exact_query(api_call(when, DELETE, "feed/delete"), "uid=12");
            then.status(204);
        })
        .await;
    let dir = site(&server);
    dir.delete_group("sales").await.unwrap();
    let error = dir.delete_group("ALL").await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Invalid { .. }), "{error}");
    let error = dir.delete_group("Nobody").await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::NotFound { .. }),
        "{error}"
    );
    delete.assert_calls_async(1).await;
}

#[tokio::test]
async fn membership_goes_in_chunks_of_the_batch_size() {
    let server = MockServer::start_async().await;
    token(&server).await;
    feeds(&server).await;
    let ids = |range: std::ops::Range<u32>| range.map(|n| format!("u{n}")).collect::<Vec<_>>();
    let body = |adds: Vec<String>, removes: Vec<String>| {
        format!(
            r#"{{"feed":"12","addedUsers":{},"removedUsers":{}}}"#,
            json!(adds),
            json!(removes)
        )
    };
    let first =
        mock_subscribers_save(&server, &body(ids(0..100), vec![]), |then| then.status(204)).await;
    let second = mock_subscribers_save(&server, &body(ids(100..150), ids(500..550)), |then| {
        then.status(200).body("")
    })
    .await;
    let third = mock_subscribers_save(&server, &body(vec![], ids(550..560)), |then| {
        then.status(204)
    })
    .await;
    site(&server)
        .set_membership("Sales", &ids(0..150), &ids(500..560))
        .await
        .unwrap();
    for mock in [&first, &second, &third] {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn an_unknown_user_is_reported_and_the_rest_of_the_chunk_resent() {
    let server = MockServer::start_async().await;
    token(&server).await;
    feeds(&server).await;
    let with_ghost = mock_subscribers_save(
        &server,
        r#"{"feed":"12","addedUsers":["u1","ghost","u2"],"removedUsers":["u3"]}"#,
        |then| user_not_found(then, "ghost"),
    )
    .await;
    let without = mock_subscribers_save(
        &server,
        r#"{"feed":"12","addedUsers":["u1","u2"],"removedUsers":["u3"]}"#,
        |then| then.status(204),
    )
    .await;
    let add = ["u1", "ghost", "u2"].map(String::from);
    let error = site(&server)
        .set_membership("Sales", &add, &["u3".to_owned()])
        .await
        .unwrap_err();
    match error.kind() {
        ErrorKind::Partial { failed } => {
            assert_eq!(failed.keys().collect::<Vec<_>>(), ["ghost"]);
            assert_eq!(failed["ghost"], "User not found: ghost");
        }
        other => panic!("expected Partial, got {other:?}"),
    }
    with_ghost.assert_async().await;
    without.assert_async().await;
}

#[tokio::test]
async fn a_chunk_of_unknown_users_only_ends_after_one_round_each() {
    let server = MockServer::start_async().await;
    token(&server).await;
    feeds(&server).await;
    let both = mock_subscribers_save(
        &server,
        r#"{"feed":"12","addedUsers":["g1","g2"],"removedUsers":[]}"#,
        |then| user_not_found(then, "g1"),
    )
    .await;
    let last = mock_subscribers_save(
        &server,
        r#"{"feed":"12","addedUsers":["g2"],"removedUsers":[]}"#,
        |then| user_not_found(then, "g2"),
    )
    .await;
    let error = site(&server)
        .set_membership("Sales", &["g1".to_owned(), "g2".to_owned()], &[])
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Partial { failed } if failed.len() == 2),
        "{error}"
    );
    both.assert_calls_async(1).await;
    last.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_unknown_feed_is_not_found_and_writes_to_built_in_feeds_are_refused() {
    let server = MockServer::start_async().await;
    token(&server).await;
    feeds(&server).await;
    let calls = mock_any_call(&server, POST, "feed/subscribers/save", 204).await;
    let dir = site(&server);
    let error = dir
        .set_membership("Nope", &["u1".to_owned()], &[])
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::NotFound { .. }),
        "{error}"
    );
    let error = dir
        .set_membership("public", &["u1".to_owned()], &[])
        .await
        .unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Invalid { .. }), "{error}");
    dir.set_membership("Sales", &[], &[]).await.unwrap();
    calls.assert_calls_async(0).await;
}

#[tokio::test]
async fn rename_reads_the_feed_and_saves_it_whole_with_the_new_name() {
    let server = MockServer::start_async().await;
    token(&server).await;
    feeds(&server).await;
    let get = server
        .mock_async(|when, then| {
            exact_query(api_call(when, GET, "feed/get"), "uid=12");
            then.status(200).body(r#"{"id":"12","uid":"12","name":"Sales","type":"9","customer":"4664706704080896","heritable":true}"#);
        })
        .await;
    let save = mock_json_post(
        &server,
        "feed/save",
        r#"{"id":"12","uid":"12","name":"Revenue","type":"9","customer":"4664706704080896","heritable":true}"#,
        json!({"id": "12", "uid": "12", "name": "Revenue", "type": "9"}),
    )
    .await;
    let renamed = site(&server)
        .rename_group("Sales", "Revenue")
        .await
        .unwrap();
    assert_eq!(renamed.name, "Revenue");
    get.assert_async().await;
    save.assert_async().await;
}
