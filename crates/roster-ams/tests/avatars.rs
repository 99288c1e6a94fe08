//! The avatar upload flow (spec §2.7, §5.6) pinned with httpmock: look-ups, the multipart
//! upload, the status call, the attach, and one result row per file.

mod common;

use std::path::PathBuf;

use common::*;
use httpmock::prelude::*;
use roster_ams::{AvatarResult, AvatarSource, AvatarStatus};
use roster_core::{ErrorKind, UserKeyKind};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
const JPEG: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF";

const SEARCH_ALL: &str = r#"{"results": [{"search": {},"results": [{"userId": 72827,"firstName": "Riley","lastName": "Jones","emailAddress": "riley.jones@newdomain.com","username": "Riley.Jones","uuid": "new123"}]}]}"#;

/// A scratch directory holding `files`, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn with(name: &str, files: &[(&str, &[u8])]) -> Self {
        let dir = std::env::temp_dir().join(format!("roster-ams-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, bytes) in files {
            std::fs::write(dir.join(file), bytes).unwrap();
        }
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn mock_search_all(server: &MockServer) {
    mock_v1(
        server,
        "v1/usersearch",
        r#"{"identification":[]}"#,
        SEARCH_ALL,
    )
    .await;
}

/// Any POST to the upload path, answered with a bare 200.
async fn mock_upload_accepted(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(POST).path("/x/fileupload");
            then.status(200);
        })
        .await
}

fn row(
    user_key: &str,
    file_name: &str,
    status: AvatarStatus,
    reason: Option<&str>,
) -> AvatarResult {
    AvatarResult {
        user_key: user_key.into(),
        file_name: file_name.into(),
        user_id: None,
        file_id: None,
        server_file_name: None,
        status,
        reason: reason.map(str::to_owned),
    }
}

#[tokio::test]
async fn each_file_is_checked_matched_uploaded_and_attached() {
    let scratch = Scratch::with(
        "flow",
        &[
            ("Riley.Jones.png", PNG),
            ("nobody.here.jpg", JPEG),
            ("Mary.Phillips.svg", b"<svg/>"),
        ],
    );
    let server = MockServer::start_async().await;
    mock_login(&server).await;
    mock_search_all(&server).await;
    let upload = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/x/fileupload")
                .query_param_missing("informat")
                .header_prefix("content-type", "multipart/form-data; boundary=")
                .header("accept", "application/json")
                .header("x-app-id", "external.example.postman")
                .header("user-agent", USER_AGENT)
                .header("authorization", BASIC)
                .header("session-header", TOKEN)
                .header("cookie", format!("JSESSIONID={TOKEN}"))
                .body_matches(format!(
                    "(?s)name=\"session-token\"\r\n\r\n{UPLOAD_TOKEN}\r\n.*name=\"filename\"\r\n\r\nRiley.Jones.png\r\n.*name=\"processorkey\"\r\n\r\navatar-key\r\n.*name=\"filedata\"; filename=\"Riley.Jones.png\"\r\nContent-Type: image/png\r\n"
                ));
            then.status(200);
        })
        .await;
    let status = server
        .mock_async(|when, then| {
            data_call(when, "v2/fileupload/getUploadStatus").body("{}");
            v2(
                then,
                r#"{"uploadStatus":{"error":false,"message":""},"data":[{"value":{"id":94196,"name":"Riley.Jones_1747654002120.png"}}]}"#,
            );
        })
        .await;
    mock_riley_get(&server).await;
    let attached = RILEY.replace("93831", "94196");
    let save = server
        .mock_async(|when, then| {
            data_call(when, "v2/person/save").body(format!(
                "{{\"person\":{}}}",
                RILEY
                    .replace(r#""avatarId":93831,"id":72827,"organisationId":-1,"ownerId":72788,"plan":-1,"state":-1"#,
                        r#""avatarId":"94196","id":"72827","organisationId":"-1","ownerId":"72788","plan":"-1","state":"-1""#)
            ));
            v2(then, &attached);
        })
        .await;

    let mapping = ["Riley.Jones.png", "nobody.here.jpg", "Mary.Phillips.svg"]
        .iter()
        .map(|file| {
            (
                file.rsplit_once('.').unwrap().0.to_owned(),
                scratch.0.join(file),
            )
        })
        .collect();
    let results = directory(&server)
        .upload_avatars(AvatarSource::Mapping(mapping), UserKeyKind::Username)
        .await
        .unwrap();

    let mut riley = row(
        "Riley.Jones",
        "Riley.Jones.png",
        AvatarStatus::Success,
        None,
    );
    riley.user_id = Some("72827".into());
    riley.file_id = Some("94196".into());
    riley.server_file_name = Some("Riley.Jones_1747654002120.png".into());
    assert_eq!(
        results,
        [
            riley,
            row(
                "nobody.here",
                "nobody.here.jpg",
                AvatarStatus::Failed,
                Some("User not found for username value")
            ),
            row(
                "Mary.Phillips",
                "Mary.Phillips.svg",
                AvatarStatus::Failed,
                Some("Invalid file type '.svg'. Allowed: .jpeg, .jpg, .png")
            ),
        ]
    );
    upload.assert_calls_async(1).await;
    status.assert_calls_async(1).await;
    save.assert_calls_async(1).await;
    let json = serde_json::to_value(&results[0]).unwrap();
    assert_eq!(json["status"], "SUCCESS");
    assert_eq!(json["file_id"], "94196");
}

#[tokio::test]
async fn a_failed_upload_is_a_failed_row_and_attaches_nothing() {
    let scratch = Scratch::with("failed", &[("Riley.Jones.png", PNG)]);
    let server = MockServer::start_async().await;
    mock_login(&server).await;
    mock_search_all(&server).await;
    mock_upload_accepted(&server).await;
    server
        .mock_async(|when, then| {
            data_call(when, "v2/fileupload/getUploadStatus");
            v2(
                then,
                r#"{"uploadStatus":{"error":true,"message":"No upload found"},"data":[]}"#,
            );
        })
        .await;
    let save = mock_data(&server, "v2/person/save", |then| then.status(200)).await;
    let results = directory(&server)
        .upload_avatars(
            AvatarSource::Directory(scratch.0.clone()),
            UserKeyKind::Username,
        )
        .await
        .unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].status, AvatarStatus::Failed);
    assert_eq!(results[0].user_id.as_deref(), Some("72827"));
    let reason = results[0].reason.as_deref().unwrap();
    assert!(
        reason.starts_with("Upload failed: ") && reason.contains("No upload found"),
        "{reason}"
    );
    save.assert_calls_async(0).await;
}

#[tokio::test]
async fn files_that_fail_their_checks_send_nothing() {
    let scratch = Scratch::with(
        "checks",
        &[("fake.png", b"not an image"), ("c.gif", b"GIF89a")],
    );
    let server = MockServer::start_async().await;
    let anything = mock_any_request(&server).await;
    let site = directory(&server);
    let results = site
        .upload_avatars(
            AvatarSource::Directory(scratch.0.clone()),
            UserKeyKind::Username,
        )
        .await
        .unwrap();
    let reasons: Vec<_> = results.iter().map(|r| r.reason.clone().unwrap()).collect();
    assert_eq!(
        reasons,
        [
            "Invalid file type '.gif'. Allowed: .jpeg, .jpg, .png",
            "'fake.png' is not a PNG image",
        ]
    );
    let error = site
        .upload_avatars(
            AvatarSource::Directory(scratch.0.clone()),
            UserKeyKind::Attribute("known_as".into()),
        )
        .await
        .unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Invalid { field: Some(f), .. } if f == "user_key"));
    anything.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_login_without_an_upload_token_is_renewed_once_then_the_row_fails() {
    let scratch = Scratch::with("no-token", &[("Riley.Jones.png", PNG)]);
    let server = MockServer::start_async().await;
    let login = mock_login_answer(&server, |then| {
        then.status(200)
            .header("session-header", TOKEN)
            .body(r#"{"user":{"id":120855,"skypeName":null}}"#)
    })
    .await;
    mock_search_all(&server).await;
    let upload = mock_upload_accepted(&server).await;
    let results = directory(&server)
        .upload_avatars(
            AvatarSource::Directory(scratch.0.clone()),
            UserKeyKind::Username,
        )
        .await
        .unwrap();
    let reason = results[0].reason.as_deref().unwrap();
    assert!(reason.contains("upload token"), "{reason}");
    login.assert_calls_async(2).await;
    upload.assert_calls_async(0).await;
}
