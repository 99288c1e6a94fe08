//! Periscope answers: JSON bodies, the `{"error":…}` shape, and the knobs' platform answers.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::common::{FaultResponses, OrderedJson};

/// `status` with a JSON body.
pub fn json(status: StatusCode, body: &OrderedJson) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_vec(),
    )
        .into_response()
}

/// `status` with `{"error":"<message>"}` (spec §6.3).
pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
    json(status, &OrderedJson::object().with("error", message.into()))
}

/// `400 {"error":…}`.
pub fn bad_request(message: impl Into<String>) -> Response {
    error(StatusCode::BAD_REQUEST, message)
}

/// `429` with `Retry-After` in whole seconds, rounded up.
pub fn rate_limited(wait: Duration) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut response = error(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded");
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
    response
}

/// `503 {"error":"Service unavailable"}`.
pub fn server_error() -> Response {
    error(StatusCode::SERVICE_UNAVAILABLE, "Service unavailable")
}

/// The answers the shared knobs give on this platform.
pub const FAULTS: FaultResponses = FaultResponses {
    rate_limited,
    server_error,
};
