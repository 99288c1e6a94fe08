//! Shared helpers for the wire tests: a directory pointed at a mock server, and the exact
//! form bodies REDCap expects (spec §5.1).

#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use httpmock::prelude::*;
use httpmock::{HttpMockRequest, Mock, MockServer};
use roster_core::SecretString;
use roster_redcap::{RedcapConfig, RedcapDirectory};

pub const TOKEN: &str = "0123456789ABCDEF0123456789ABCDEF";
pub const FORM: &str = "application/x-www-form-urlencoded";
pub const JSON: &str = "application/json; charset=utf-8";

/// The date the tests' REDCap server calls today.
pub fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 1, 15).expect("date")
}

/// A configuration for the mock server's `/api/` with the test token and nothing else set.
pub fn config(server: &MockServer) -> RedcapConfig {
    RedcapConfig::new(server.url("/api/"), SecretString::from(TOKEN))
}

/// A directory for the mock server's `/api/`, with `batch_max` rows per batch.
pub fn directory_with(server: &MockServer, batch_max: usize) -> RedcapDirectory {
    let config = config(server).with_batch_max(batch_max);
    RedcapDirectory::new("trial", config)
        .expect("valid config")
        .with_today(today())
}

pub fn directory(server: &MockServer) -> RedcapDirectory {
    directory_with(server, 500)
}

/// The form body for these fields, in this order, encoded as the backend encodes it.
pub fn encode(pairs: &[(&str, &str)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}

/// `token, content, action, format=json, returnFormat=json`, then `rest`.
pub fn body(content: &str, action: &str, rest: &[(&str, &str)]) -> String {
    let mut pairs = vec![
        ("token", TOKEN),
        ("content", content),
        ("action", action),
        ("format", "json"),
        ("returnFormat", "json"),
    ];
    pairs.extend_from_slice(rest);
    encode(&pairs)
}

/// An import of `data` (compact JSON).
pub fn import_body(content: &str, data: &str) -> String {
    body(content, "import", &[("data", data)])
}

/// Answers `status` with `reply` to a POST of exactly `expected_body` to `/api/`.
pub async fn expect<'a>(
    server: &'a MockServer,
    expected_body: &str,
    status: u16,
    reply: &str,
) -> Mock<'a> {
    let expected_body = expected_body.to_owned();
    let reply = reply.to_owned();
    server
        .mock_async(move |when, then| {
            when.method(POST)
                .path("/api/")
                .header("content-type", FORM)
                .body(expected_body);
            then.status(status).header("content-type", JSON).body(reply);
        })
        .await
}

/// Answers 200 with `reply` to an export of `content` (no further fields).
pub async fn expect_export<'a>(server: &'a MockServer, content: &str, reply: &str) -> Mock<'a> {
    expect(server, &body(content, "export", &[]), 200, reply).await
}

/// Answers 200 with the row count `count` to an import of `data` into `content`.
pub async fn expect_import<'a>(
    server: &'a MockServer,
    content: &str,
    data: &str,
    count: &str,
) -> Mock<'a> {
    expect(server, &import_body(content, data), 200, count).await
}

/// Answers 200 with `reply` to an export of `content`, but only before `seen` turned on
/// (`after == false`) or only after (`after == true`). Matches the body alone.
pub async fn expect_export_in_phase<'a>(
    server: &'a MockServer,
    seen: &Seen,
    content: &str,
    after: bool,
    reply: &str,
) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            when.body(body(content, "export", &[]))
                .is_true(seen.phase(after));
            then.status(200).body(reply);
        })
        .await
}

/// Answers 200 with `1` to an import of `data` into `content`, and turns `seen` on when it
/// comes (it matches the body alone, and the `action=import` marker).
pub async fn expect_recorded_import<'a>(
    server: &'a MockServer,
    seen: &Seen,
    content: &str,
    data: &str,
) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            when.body(import_body(content, data))
                .is_true(seen.recorder("action=import"));
            then.status(200).body("1");
        })
        .await
}

/// A switch that turns on when the server sees a request whose body contains `marker`, so a
/// test can answer the same export differently before and after a write.
#[derive(Clone, Default)]
pub struct Seen(Arc<AtomicBool>);

impl Seen {
    /// A matcher that records requests containing `marker` (and matches only those).
    pub fn recorder(
        &self,
        marker: &'static str,
    ) -> impl Fn(&HttpMockRequest) -> bool + Send + Sync {
        let seen = self.0.clone();
        move |request| {
            let hit = request.body_string().contains(marker);
            if hit {
                seen.store(true, Ordering::SeqCst);
            }
            hit
        }
    }

    /// A matcher true once the marker was seen (`after`) or while it was not (`!after`).
    pub fn phase(&self, after: bool) -> impl Fn(&HttpMockRequest) -> bool + Send + Sync {
        let seen = self.0.clone();
        move |_| seen.load(Ordering::SeqCst) == after
    }
}

/// Two users as the REDCap 15.7.6 export has them: alice in role and DAG, bob in neither.
pub const USERS: &str = r#"[
 {"username":"alice","email":"alice@example.org","firstname":"Alice","lastname":"Ng",
  "expiration":"","data_access_group":"test_dag","data_access_group_id":1,
  "design":0,"user_rights":0,"reports":1,"api_export":0,
  "forms":{"form_1":1,"form_2":0},"forms_export":{"form_1":0,"form_2":0}},
 {"username":"bob","email":"bob@example.org","firstname":"Bob","lastname":"Stone",
  "expiration":"2030-01-01","data_access_group":"","data_access_group_id":"",
  "design":1,"user_rights":1,"reports":0,"api_export":1,
  "forms":{"form_1":3,"form_2":0},"forms_export":[]}
]"#;

pub const ROLE_MAPPING: &str = r#"[
 {"username":"alice","unique_role_name":"U-573AEYRNR8","data_access_group":"test_dag"},
 {"username":"bob","unique_role_name":"","data_access_group":""}
]"#;

pub const ROLES: &str = r#"[
 {"unique_role_name":"U-573AEYRNR8","role_label":"Example Role","design":"0","reports":"1",
  "forms":{"form_1":1,"form_2":0},"forms_export":{"form_1":0,"form_2":0}}
]"#;

pub const DAGS: &str = r#"[{"data_access_group_name":"Test DAG","unique_group_name":"test_dag","data_access_group_id":1}]"#;
