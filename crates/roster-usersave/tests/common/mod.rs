//! Shared pieces of the wire tests: a LumApps site pointed at a mock server, its token
//! endpoint, and the headers every API call must carry.

#![allow(dead_code)] // each test file uses its own subset

use httpmock::prelude::*;
use httpmock::{Mock, When};
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
