//! The router: API routes, the JSON `404`/`405` answers, scripted faults and the test routes.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::reply::error;
use super::state::PeriscopeState;
use super::{admin, groups, users};
use crate::common::Counters;

/// What every handler reaches: the state and the request counters.
pub struct App {
    /// The sites and switches.
    pub state: Arc<PeriscopeState>,
    /// Per-endpoint request counts.
    pub counters: Counters,
}

/// The whole Periscope router.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route(
            "/api/v1/users",
            get(users::get)
                .post(users::create)
                .put(users::update)
                .delete(users::delete)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/v1/groups",
            get(groups::list)
                .post(groups::create)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/v1/groups/{name}",
            get(groups::get)
                .put(groups::update)
                .delete(groups::delete)
                .fallback(method_not_allowed),
        )
        .layer(from_fn_with_state(app.clone(), scripted_faults))
        .merge(admin::router())
        .fallback(not_found)
        .with_state(app)
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Not found")
}

async fn method_not_allowed() -> Response {
    error(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed")
}

/// Answers the faults queued with `PeriscopeState::fail_next` before the API sees the request.
async fn scripted_faults(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    match app.state.take_scripted_fault() {
        None => next.run(request).await,
        Some(429) => {
            let mut response = error(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded");
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
        Some(status) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            error(status, "Service unavailable")
        }
    }
}
