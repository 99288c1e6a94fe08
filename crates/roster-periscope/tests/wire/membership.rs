//! Membership: read the user's groups, PUT the complete new set, read it back.

use httpmock::prelude::*;
use roster_core::{ErrorKind, UserDirectory};

use super::{
    answer_any, any_request, directory, directory_with, in_turn, read_user, write, APPLYING,
    TEST_MODE,
};

const ANN_BEFORE: &str = r#"{"email":"ann@example.com","groups":["All Users","Analysts"]}"#;
const ANN_AFTER: &str =
    r#"{"email":"ann@example.com","groups":["All Users","Analysts","Finance"]}"#;

#[tokio::test]
async fn joining_puts_the_complete_set_then_reads_it_back() {
    let server = MockServer::start_async().await;
    let reads = server
        .mock_async(|when, then| {
            read_user(when, "ann@example.com");
            then.respond_with(in_turn(vec![(200, ANN_BEFORE), (200, ANN_AFTER)]));
        })
        .await;
    let put = server
        .mock_async(|when, then| {
            write(when, PUT, "/api/v1/users", APPLYING)
                .header("HTTP-X-EMAIL", "ann@example.com")
                .body(r#"{"groups":["Analysts","Finance"]}"#);
            then.status(200).body(ANN_AFTER);
        })
        .await;
    directory(&server)
        .set_membership("Finance", &["ann@example.com".into()], &[])
        .await
        .unwrap();
    reads.assert_calls_async(2).await;
    put.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_user_already_in_place_costs_one_read_and_no_write() {
    let server = MockServer::start_async().await;
    let reads = answer_any(&server, GET, "/api/v1/users", 200, ANN_BEFORE).await;
    let puts = server
        .mock_async(|when, then| {
            when.method(PUT);
            then.status(500);
        })
        .await;
    let site = directory(&server);
    site.set_membership("Analysts", &["ann@example.com".into()], &[])
        .await
        .unwrap();
    site.set_membership("Finance", &[], &["ann@example.com".into()])
        .await
        .unwrap();
    reads.assert_calls_async(2).await;
    puts.assert_calls_async(0).await;
}

#[tokio::test]
async fn leaving_sends_the_set_without_the_group() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v1/users");
            then.respond_with(in_turn(vec![
                (200, ANN_AFTER),
                (
                    200,
                    r#"{"email":"ann@example.com","groups":["All Users","Finance"]}"#,
                ),
            ]));
        })
        .await;
    let put = server
        .mock_async(|when, then| {
            write(when, PUT, "/api/v1/users", APPLYING).body(r#"{"groups":["Finance"]}"#);
            then.status(200).body("{}");
        })
        .await;
    directory(&server)
        .set_membership("Analysts", &[], &["ann@example.com".into()])
        .await
        .unwrap();
    put.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_site_that_merges_is_detected_and_not_written_again() {
    let server = MockServer::start_async().await;
    // The read-back still shows the group that was left: the site merged.
    let reads = answer_any(&server, GET, "/api/v1/users", 200, ANN_AFTER).await;
    let put = answer_any(&server, PUT, "/api/v1/users", 200, ANN_AFTER).await;
    let site = directory(&server);
    let error = site
        .set_membership("Analysts", &[], &["ann@example.com".into()])
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Conflict { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("merges"), "{error}");
    assert!(!error.is_temporary());
    let again = site
        .set_membership("Finance", &[], &["ann@example.com".into()])
        .await
        .unwrap_err();
    assert!(matches!(again.kind(), ErrorKind::Conflict { .. }));
    reads.assert_calls_async(2).await;
    put.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_set_that_did_not_land_is_a_conflict() {
    let server = MockServer::start_async().await;
    answer_any(&server, GET, "/api/v1/users", 200, ANN_BEFORE).await;
    answer_any(&server, PUT, "/api/v1/users", 200, ANN_AFTER).await;
    let error = directory(&server)
        .set_membership("Finance", &["ann@example.com".into()], &[])
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Conflict { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("not applied"), "{error}");
}

#[tokio::test]
async fn some_users_failing_is_partial_and_names_them() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v1/users")
                .header("HTTP-X-EMAIL", "ann@example.com");
            then.respond_with(in_turn(vec![(200, ANN_BEFORE), (200, ANN_AFTER)]));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v1/users")
                .header("HTTP-X-EMAIL", "ghost@example.com");
            then.status(404).body(r#"{"error":"User not found"}"#);
        })
        .await;
    answer_any(&server, PUT, "/api/v1/users", 200, ANN_AFTER).await;
    let error = directory(&server)
        .set_membership(
            "Finance",
            &["ann@example.com".into(), "ghost@example.com".into()],
            &[],
        )
        .await
        .unwrap_err();
    match error.kind() {
        ErrorKind::Partial { failed } => {
            assert_eq!(failed.keys().collect::<Vec<_>>(), ["ghost@example.com"]);
        }
        other => panic!("expected Partial, got {other:?}"),
    }
}

#[tokio::test]
async fn a_temporary_failure_ends_the_call_so_it_can_be_repeated_whole() {
    let server = MockServer::start_async().await;
    answer_any(&server, GET, "/api/v1/users", 503, "busy").await;
    let error = directory(&server)
        .set_membership(
            "Finance",
            &["ann@example.com".into(), "bo@example.com".into()],
            &[],
        )
        .await
        .unwrap_err();
    assert!(matches!(
        error.kind(),
        ErrorKind::Server { status: 503, .. }
    ));
    assert!(error.is_temporary());
}

#[tokio::test]
async fn implicit_groups_cannot_be_left_and_joining_them_sends_nothing() {
    let server = MockServer::start_async().await;
    let any = any_request(&server).await;
    let site = directory(&server);
    site.set_membership("All Users", &["ann@example.com".into()], &[])
        .await
        .unwrap();
    let error = site
        .set_membership("All Users", &[], &["ann@example.com".into()])
        .await
        .unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Invalid { .. }));
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn in_dry_run_the_set_goes_out_in_test_mode_and_is_not_read_back() {
    let server = MockServer::start_async().await;
    let reads = answer_any(&server, GET, "/api/v1/users", 200, ANN_BEFORE).await;
    let put = server
        .mock_async(|when, then| {
            write(when, PUT, "/api/v1/users", TEST_MODE)
                .body(r#"{"groups":["Analysts","Finance"]}"#);
            then.status(200).body(ANN_AFTER);
        })
        .await;
    directory_with(&server, |config| config.dry_run = true)
        .set_membership("Finance", &["ann@example.com".into()], &[])
        .await
        .unwrap();
    reads.assert_calls_async(1).await;
    put.assert_calls_async(1).await;
}
