//! Shared pieces of the httpmock tests: a site at `/ankle`, its recorded login, and the header
//! set every data call must carry.

#![allow(dead_code)] // each test file uses its own subset

use httpmock::prelude::*;
use httpmock::{Mock, Then, When};
use roster_ams::{AmsConfig, AmsDirectory};

pub const USERNAME: &str = "python.connector";
pub const PASSWORD: &str = "pw-secret";
/// `Basic base64("python.connector:pw-secret")`.
pub const BASIC: &str = "Basic cHl0aG9uLmNvbm5lY3Rvcjpwdy1zZWNyZXQ=";
pub const TOKEN: &str = "Q3vXk9PzLm+2Tb7Rw-Yc5NsA";
pub const UPLOAD_TOKEN: &str = "5550123456789012345";
pub const USER_AGENT: &str = concat!("roster-ams/", env!("CARGO_PKG_VERSION"));

/// A recorded person/get object (spec §2.5).
pub const RILEY: &str = r#"{"active":true,"admin":false,"pending":false,"communicationPreferences":"3","sex":"0","avatarId":93831,"id":72827,"organisationId":-1,"ownerId":72788,"plan":-1,"state":-1,"emailAddress":"riley.jones@newdomain.com","firstName":"Riley","knownAs":"","language":"English","lastName":"Jones","middleNames":"","sidebarWidth":"250px","skypeName":null,"timezone":null,"username":"Riley.Jones","uuid":"new123","addresses":null,"favoriteDashboards":null,"favoriteEvents":[],"frontPageButtons":[],"phoneNumbers":[{"type":1,"countryCode":"1","number":"4567891","prefix":"333"}],"accountExpiration":"01/01/1970","dateOfBirth":"01/12/1990","__mtime__":1747137396964}"#;

/// The path of an API endpoint of the site.
pub fn api(path: &str) -> String {
    format!("/ankle/api/{path}")
}

pub fn config(server: &MockServer) -> AmsConfig {
    AmsConfig::new(server.url("/ankle"), USERNAME, PASSWORD.into())
}

pub fn directory(server: &MockServer) -> AmsDirectory {
    AmsDirectory::new("club", config(server)).expect("a valid configuration")
}

/// A v2 reply of a login as `python.connector` (spec §2.1), upload token included.
pub fn login_reply() -> String {
    format!(
        r#"{{"isAthlete":true,"isCoach":true,"isAdmin":false,"user":{{"active":true,"id":120855,"skypeName":"{UPLOAD_TOKEN}","username":"{USERNAME}"}},"applicationId":1044}}"#
    )
}

/// The recorded login request, answered with [`TOKEN`].
pub async fn mock_login(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            login_request(when);
            then.status(200)
                .header("content-type", "application/json;charset=utf-8")
                .header("session-header", TOKEN)
                .header(
                    "set-cookie",
                    format!("JSESSIONID={TOKEN}; Path=/; Secure; HttpOnly"),
                )
                .body(login_reply());
        })
        .await
}

/// What a login request must look like (spec §5.1).
pub fn login_request(when: When) -> When {
    when.method(POST)
        .path(api("v2/user/loginUser"))
        .query_param("informat", "json")
        .query_param("format", "json")
        .header("authorization", BASIC)
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .header("x-app-id", "external.example.postman")
        .header("user-agent", USER_AGENT)
        .body_matches(format!(
            r#"^\{{"username":"{USERNAME}","password":"{PASSWORD}","loginProperties":\{{"appName":"ankle","clientTime":"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d"\}}\}}$"#
        ))
}

/// A data call to `path` with the full header set of spec §5.1 and the session [`TOKEN`].
pub fn data_call(when: When, path: &str) -> When {
    data_call_with(when, path, TOKEN)
}

pub fn data_call_with(when: When, path: &str, token: &str) -> When {
    when.method(POST)
        .path(api(path))
        .query_param("informat", "json")
        .query_param("format", "json")
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .header("x-app-id", "external.example.postman")
        .header("user-agent", USER_AGENT)
        .header("authorization", BASIC)
        .header("session-header", token)
        .header("cookie", format!("JSESSIONID={token}"))
}

/// A v2 reply (compact JSON with the v2 headers).
pub fn v2(then: httpmock::Then, body: &str) -> httpmock::Then {
    then.status(200)
        .header("content-type", "application/json;charset=utf-8")
        .header("content-disposition", "attachment")
        .header("session-header", TOKEN)
        .body(body)
}

/// A v1 reply: no Content-Type at all, as recorded.
pub fn v1(then: httpmock::Then, body: &str) -> httpmock::Then {
    then.status(200).header("session-header", TOKEN).body(body)
}

/// The person/get body for these ids.
pub fn person_get_body(ids: &[&str]) -> String {
    let ids: Vec<String> = ids.iter().map(|id| format!("\"{id}\"")).collect();
    format!(
        r#"{{"filter":{{"comparisons":{{"op":"0","branches":[{{"leaf":{{"negated":false,"comp":"1","fieldName":"id","valueInteger":[{}]}}}}]}},"limit":"-1","offset":"-1"}}}}"#,
        ids.join(",")
    )
}

/// A person/get reply holding these records.
pub fn person_get_reply(records: &[&str]) -> String {
    format!(
        r#"{{"objects":[{}],"totalCount":{}}}"#,
        records.join(","),
        records.len()
    )
}

/// Data calls to `path` (any body), answered as `reply` says.
pub async fn mock_data<'a>(
    server: &'a MockServer,
    path: &str,
    reply: impl FnOnce(Then) -> Then,
) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            data_call(when, path);
            reply(then);
        })
        .await
}

/// Data calls to `path` carrying exactly `body`, answered as `reply` says.
pub async fn mock_exact<'a>(
    server: &'a MockServer,
    path: &str,
    body: impl Into<String>,
    reply: impl FnOnce(Then) -> Then,
) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            data_call(when, path).body(body);
            reply(then);
        })
        .await
}

/// Data calls to `path` carrying exactly `body`, answered with a v1 `reply`.
pub async fn mock_v1<'a>(
    server: &'a MockServer,
    path: &str,
    body: impl Into<String>,
    reply: &str,
) -> Mock<'a> {
    mock_exact(server, path, body, |then| v1(then, reply)).await
}

/// Data calls to `path` carrying exactly `body`, answered with a v2 `reply`.
pub async fn mock_v2<'a>(
    server: &'a MockServer,
    path: &str,
    body: impl Into<String>,
    reply: &str,
) -> Mock<'a> {
    mock_exact(server, path, body, |then| v2(then, reply)).await
}

/// The person/get of Riley (id 72827) by exact body, answered with [`RILEY`].
pub async fn mock_riley_get(server: &MockServer) -> Mock<'_> {
    mock_v2(
        server,
        "v2/person/get",
        person_get_body(&["72827"]),
        &person_get_reply(&[RILEY]),
    )
    .await
}

/// Login requests (as [`login_request`] pins them), answered as `reply` says.
pub async fn mock_login_answer(server: &MockServer, reply: impl FnOnce(Then) -> Then) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            login_request(when);
            reply(then);
        })
        .await
}

/// Every request, answered with a 500: for tests that expect nothing to be sent.
pub async fn mock_any_request(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await
}
