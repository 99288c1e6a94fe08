//! The exact requests the backend sends and how it reads every documented answer, pinned
//! against a mock server.

mod errors;
mod groups;
mod membership;
mod users;
mod validate;

use httpmock::Method::GET;
use httpmock::{HttpMockRequest, HttpMockResponse, Method, Mock, MockServer, When};
use roster_core::SecretString;
use roster_periscope::{PeriscopeConfig, PeriscopeDirectory};

/// The Periscope site name of every mock site.
const SITE_NAME: &str = "example_site";
/// A key that must never show up in errors or debug output.
const API_KEY: &str = "k-0123-very-secret";
/// The configured inviting administrator.
const ADMIN: &str = "admin@example.com";
/// Roster's name for the mock site.
const ROSTER_SITE: &str = "bi";
const USER_AGENT: &str = concat!("roster/", env!("CARGO_PKG_VERSION"));

/// A configuration pointing at `server`, with an inviting administrator.
fn config(server: &MockServer) -> PeriscopeConfig {
    let mut config = PeriscopeConfig::new(SITE_NAME, SecretString::from(API_KEY));
    config.base_url = server.base_url();
    config.invited_by_email = Some(ADMIN.into());
    config
}

fn directory(server: &MockServer) -> PeriscopeDirectory {
    PeriscopeDirectory::new(ROSTER_SITE, config(server)).expect("valid config")
}

/// A directory on `server` whose configuration `adjust` has changed first.
fn directory_with(
    server: &MockServer,
    adjust: impl FnOnce(&mut PeriscopeConfig),
) -> PeriscopeDirectory {
    let mut config = config(server);
    adjust(&mut config);
    PeriscopeDirectory::new(ROSTER_SITE, config).expect("valid config")
}

/// The query of a write that is applied.
const APPLYING: &str = "test_mode=false";
/// The query of a write sent in test mode (dry run or validation).
const TEST_MODE: &str = "test_mode=true";

/// The headers every request carries, and exactly the query `query` (none for `None`).
fn request(when: When, query: Option<&'static str>) -> When {
    when.header("HTTP-X-PARTNER-AUTH", format!("{SITE_NAME}:{API_KEY}"))
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .header("user-agent", USER_AGENT)
        .is_true(move |req: &HttpMockRequest| req.uri().query() == query)
}

/// A `GET` of `path` with the common headers and no query.
fn read(when: When, path: &str) -> When {
    request(when.method(GET).path(path), None)
}

/// A `GET` of the one user selected by `email` in the `HTTP-X-EMAIL` header.
fn read_user(when: When, email: &str) -> When {
    read(when, "/api/v1/users").header("HTTP-X-EMAIL", email)
}

/// A `method` write to `path` with the common headers and exactly the query `query`
/// ([`APPLYING`] or [`TEST_MODE`]).
fn write(when: When, method: Method, path: &str, query: &'static str) -> When {
    request(when.method(method).path(path), Some(query))
}

/// A catch-all answering 500, for tests that assert nothing at all is sent.
async fn any_request(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|_, then| {
            then.status(500);
        })
        .await
}

/// Answers every `method` request to `path`, whatever its headers, query or body, with
/// `status` and the raw `body`.
async fn answer_any<'a>(
    server: &'a MockServer,
    method: Method,
    path: &str,
    status: u16,
    body: &str,
) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(method).path(path);
            then.status(status).body(body);
        })
        .await
}

/// Answers with each body in turn, then the last one again.
fn in_turn(bodies: Vec<(u16, &'static str)>) -> impl Fn(&HttpMockRequest) -> HttpMockResponse {
    let next = std::sync::atomic::AtomicUsize::new(0);
    move |_| {
        let index = next
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            .min(bodies.len() - 1);
        let (status, body) = bodies[index];
        HttpMockResponse::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(body)
            .build()
    }
}
