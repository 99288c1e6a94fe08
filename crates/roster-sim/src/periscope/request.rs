//! Reading a Periscope request: credentials, `test_mode`, the e-mail header and JSON bodies,
//! and running a change for real or as a dry run.

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value};

use super::model::Site;
use super::reply::{bad_request, error};
use super::state::PeriscopeState;

/// Header carrying `<site_name>:<api_key>`.
pub const AUTH_HEADER: &str = "http-x-partner-auth";
/// Header selecting one user by e-mail.
pub const EMAIL_HEADER: &str = "http-x-email";

/// The index of the site the request's credentials open (spec §6.2).
pub fn authenticate(state: &PeriscopeState, headers: &HeaderMap) -> Result<usize, Response> {
    let unauthorized = || error(StatusCode::UNAUTHORIZED, "Unauthorized");
    let value = headers
        .get(AUTH_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(unauthorized)?;
    let (site_name, api_key) = value.split_once(':').ok_or_else(unauthorized)?;
    let directory = state.lock();
    if let Some(index) = directory
        .sites
        .iter()
        .position(|s| s.site_name == site_name && s.api_key == api_key)
    {
        if !directory.sites[index].user_api_enabled {
            return Err(error(
                StatusCode::FORBIDDEN,
                "User and Group Management API is not enabled for this site",
            ));
        }
        return Ok(index);
    }
    if directory.sites.iter().any(|s| s.api_key == api_key) {
        return Err(error(StatusCode::FORBIDDEN, "Forbidden"));
    }
    Err(unauthorized())
}

/// `test_mode` from the query: `true`/`false` in any case; absent = false; else `400`.
pub fn test_mode(query: Option<&str>) -> Result<bool, Response> {
    let value = form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .filter(|(k, _)| k == "test_mode")
        .map(|(_, v)| v.into_owned())
        .last();
    match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(bad_request("Invalid test_mode")),
    }
}

/// One query parameter, first occurrence.
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The `HTTP-X-EMAIL` header, when present and not blank.
pub fn email_header(headers: &HeaderMap) -> Option<String> {
    headers
        .get(EMAIL_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The body as a JSON object, or `400 {"error":"Invalid JSON body"}`.
pub fn json_object(body: &Bytes) -> Result<Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(bad_request("Invalid JSON body")),
    }
}

/// A non-empty string field, or `400 {"error":"<field> is required"}`.
pub fn required_str<'a>(body: &'a Map<String, Value>, field: &str) -> Result<&'a str, Response> {
    body.get(field)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| bad_request(format!("{field} is required")))
}

/// Runs `change` on site `index`. In test mode it runs on a copy that is then thrown away,
/// so validation and the answer are exactly those of the real call but nothing is kept.
pub fn apply<T>(
    state: &PeriscopeState,
    index: usize,
    dry_run: bool,
    change: impl FnOnce(&mut Site) -> Result<T, Response>,
) -> Result<T, Response> {
    let mut directory = state.lock();
    if dry_run {
        let mut scratch = directory.sites[index].clone();
        change(&mut scratch)
    } else {
        change(&mut directory.sites[index])
    }
}

/// The `{name}` path segment, percent-decoded; a segment that does not decode to UTF-8 gets
/// the JSON `400` instead of the framework's plain-text rejection.
pub struct GroupName(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for GroupName {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Response> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(name)| GroupName(name))
            .map_err(|_| bad_request("Invalid group name in path"))
    }
}
