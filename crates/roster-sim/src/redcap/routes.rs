//! Routing: the single API endpoint `/api/` (and `/api`); every other path is `404`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;

use super::pipeline::handle;
use super::request::ApiRequest;
use super::state::RedcapState;
use crate::common::Counters;

#[derive(Clone)]
struct App {
    state: Arc<RedcapState>,
    counters: Counters,
}

/// The router of the REDCap server.
pub fn router(state: Arc<RedcapState>, counters: Counters) -> Router {
    Router::new()
        .route("/api/", any(api))
        .route("/api", any(api))
        .fallback(|| async { StatusCode::NOT_FOUND.into_response() })
        .with_state(App { state, counters })
}

async fn api(
    State(app): State<App>,
    method: Method,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    // A non-POST request still has its formats read (from the query) to wrap the 501.
    let request = if method == Method::POST {
        ApiRequest::parse(&body)
    } else {
        ApiRequest::parse(query.unwrap_or_default().as_bytes())
    };
    let mut inner = app.state.lock();
    handle(&mut inner, &app.counters, &method, &request)
}
