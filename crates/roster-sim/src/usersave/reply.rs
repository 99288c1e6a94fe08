//! Answers in the profile's error envelope, JSON bodies, void answers, and the knobs'
//! platform answers.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::profile::ErrorEnvelope;
use crate::common::{FaultResponses, OrderedJson};

/// Content type of every JSON answer of the API.
pub const JSON_UTF8: &str = "application/json; charset=UTF-8";

/// `status` with a JSON body.
pub fn json(status: StatusCode, body: &OrderedJson) -> Response {
    (status, [(header::CONTENT_TYPE, JSON_UTF8)], body.to_vec()).into_response()
}

/// `200` with a JSON body.
pub fn ok(body: &OrderedJson) -> Response {
    json(StatusCode::OK, body)
}

/// `204`, empty body: what a void endpoint answers.
pub fn void() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// The Google reason code for a status.
fn reason(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "badRequest",
        401 => "authError",
        403 => "forbidden",
        404 => "notFound",
        409 => "conflict",
        429 => "rateLimitExceeded",
        422 => "invalid",
        _ => "backendError",
    }
}

/// An error in `envelope` with `message`.
pub fn error(envelope: ErrorEnvelope, status: StatusCode, message: &str) -> Response {
    let body = match envelope {
        ErrorEnvelope::Google => {
            let detail = OrderedJson::object()
                .with("domain", "global")
                .with("message", message)
                .with("reason", reason(status));
            OrderedJson::object().with(
                "error",
                OrderedJson::object()
                    .with("code", u64::from(status.as_u16()))
                    .with("errors", vec![detail])
                    .with("message", message),
            )
        }
        ErrorEnvelope::Plain => OrderedJson::object().with("error", message),
    };
    json(status, &body)
}

/// An OAuth token-endpoint error: `{"error":"<code>"}`.
pub fn oauth_error(status: StatusCode, code: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        OrderedJson::object().with("error", code).to_vec(),
    )
        .into_response()
}

fn retry_after(mut response: Response, wait: Duration) -> Response {
    let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

fn google_rate_limited(wait: Duration) -> Response {
    retry_after(
        error(
            ErrorEnvelope::Google,
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMIT_EXCEEDED",
        ),
        wait,
    )
}

fn google_server_error() -> Response {
    error(
        ErrorEnvelope::Google,
        StatusCode::SERVICE_UNAVAILABLE,
        "Backend Error",
    )
}

fn plain_rate_limited(wait: Duration) -> Response {
    retry_after(
        error(
            ErrorEnvelope::Plain,
            StatusCode::TOO_MANY_REQUESTS,
            "Rate limit exceeded",
        ),
        wait,
    )
}

fn plain_server_error() -> Response {
    error(
        ErrorEnvelope::Plain,
        StatusCode::SERVICE_UNAVAILABLE,
        "Service unavailable",
    )
}

/// The knobs' answers in this envelope: `429` with `Retry-After`, and `503`.
pub fn fault_responses(envelope: ErrorEnvelope) -> FaultResponses {
    match envelope {
        ErrorEnvelope::Google => FaultResponses {
            rate_limited: google_rate_limited,
            server_error: google_server_error,
        },
        ErrorEnvelope::Plain => FaultResponses {
            rate_limited: plain_rate_limited,
            server_error: plain_server_error,
        },
    }
}
