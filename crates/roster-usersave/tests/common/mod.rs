//! Shared pieces of the wire tests: a LumApps site pointed at a mock server, its token
//! endpoint, and the headers every API call must carry.

#![allow(dead_code)] // each test file uses its own subset

use httpmock::prelude::*;
use httpmock::{Mock, Then, When};
use roster_sim::usersave::{UsersaveAuth, UsersaveState};
use roster_sim::SimHandle;
use roster_usersave::{UsersaveConfig, UsersaveDirectory};

pub const CUSTOMER: &str = "4664706704080896";
pub const SECRET: &str = "secret";
pub const TOKEN: &str = "tok-ABC";
pub const PREFIX: &str = "/_ah/api/lumsites/v1";

/// The configuration of a LumApps site on `server` (client `client:secret`, acting as
/// `admin@acme.com`).
pub fn config(server: &MockServer) -> UsersaveConfig {
    UsersaveConfig::lumapps(
        server.base_url(),
        CUSTOMER,
        "client",
        SECRET,
        "admin@acme.com",
    )
}

/// A LumApps site on `server`.
pub fn site(server: &MockServer) -> UsersaveDirectory {
    UsersaveDirectory::new("intranet", config(server)).expect("valid config")
}

/// A site with its own tuning.
pub fn site_with(server: &MockServer, tune: impl FnOnce(&mut UsersaveConfig)) -> UsersaveDirectory {
    let mut config = config(server);
    tune(&mut config);
    UsersaveDirectory::new("intranet", config).expect("valid config")
}

/// The token endpoint, exactly as the spec's token request (§1.3), answering [`TOKEN`].
pub async fn token(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/v2/organizations/{CUSTOMER}/application-token"))
                .header("authorization", "Basic Y2xpZW50OnNlY3JldA==")
                .header("content-type", "application/x-www-form-urlencoded")
                .header_missing("LumApps-Organization-Id")
                .header_missing("x-lumapps-analytics")
                .body("grant_type=client_credentials&user_email=admin%40acme.com");
            then.status(200)
                .json_body(serde_json::json!({"access_token": TOKEN, "expires_in": 3600}));
        })
        .await
}

/// The headers every API call carries (§2 "Common headers").
pub fn api_call(when: When, method: httpmock::Method, endpoint: &str) -> When {
    when.method(method)
        .path(format!("{PREFIX}/{endpoint}"))
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("LumApps-Organization-Id", CUSTOMER)
        .header("x-lumapps-analytics", "off")
        .header("accept", "application/json")
        .header(
            "user-agent",
            format!("roster/{}", env!("CARGO_PKG_VERSION")),
        )
}

/// Also pins the whole query string, in order.
pub fn exact_query(when: When, query: impl Into<String>) -> When {
    let query = query.into();
    when.is_true(move |request| request.uri().query().unwrap_or("") == query)
}

/// A POST with a JSON body, pinned byte for byte (field order included).
pub fn json_post(when: When, endpoint: &str, body: &str) -> When {
    api_call(when, POST, endpoint)
        .header("content-type", "application/json")
        .body(body.to_owned())
}

/// The LumApps error envelope.
pub fn envelope(code: u16, message: &str, reason: &str) -> serde_json::Value {
    serde_json::json!({"error": {"code": code,
        "errors": [{"domain": "global", "message": message, "reason": reason}],
        "message": message}})
}

/// A GET of `endpoint` with exactly `query`, answered with `status` and the JSON `body`.
pub async fn mock_get<'a>(
    server: &'a MockServer,
    endpoint: &str,
    query: impl Into<String>,
    status: u16,
    body: serde_json::Value,
) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            exact_query(api_call(when, GET, endpoint), query);
            then.status(status).json_body(body);
        })
        .await
}

/// A user/get with exactly `query`, answered 404 "User not found".
pub async fn mock_user_not_found<'a>(server: &'a MockServer, query: &str) -> Mock<'a> {
    mock_get(
        server,
        "user/get",
        query,
        404,
        envelope(404, "User not found", "notFound"),
    )
    .await
}

/// A POST of exactly the JSON `body` to `endpoint` (see [`json_post`]), answered as `reply`
/// says.
pub async fn mock_json_post_with<'a>(
    server: &'a MockServer,
    endpoint: &str,
    body: &str,
    reply: impl FnOnce(Then) -> Then,
) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            json_post(when, endpoint, body);
            reply(then);
        })
        .await
}

/// A POST of exactly the JSON `body` to `endpoint` (see [`json_post`]), answered 200 with `reply`.
pub async fn mock_json_post<'a>(
    server: &'a MockServer,
    endpoint: &str,
    body: &str,
    reply: serde_json::Value,
) -> Mock<'a> {
    mock_json_post_with(server, endpoint, body, |then| {
        then.status(200).json_body(reply)
    })
    .await
}

/// Any `method` call of `endpoint` (any query, any body), answered with a bare `status`.
pub async fn mock_any_call<'a>(
    server: &'a MockServer,
    method: httpmock::Method,
    endpoint: &str,
    status: u16,
) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            api_call(when, method, endpoint);
            then.status(status);
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

/// The LumApps configuration that signs in to the simulator behind `handle` with its OAuth
/// application, acting as its acting user.
pub fn sim_config(handle: &SimHandle<UsersaveState>) -> UsersaveConfig {
    let creds = handle.credentials();
    let UsersaveAuth::OauthApplication {
        client_id,
        client_secret,
        ..
    } = creds.auth
    else {
        panic!("the LumApps simulator uses an OAuth application");
    };
    UsersaveConfig::lumapps(
        handle.url(),
        creds.customer_id,
        client_id,
        client_secret,
        creds.acting_user_email,
    )
}
