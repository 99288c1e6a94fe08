//! Test-only routes under `/__sim/periscope/`, a prefix the real API never uses (spec §6.7).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::routes::App;
use super::state::ListShape;

/// `GET state` (dump), `POST reset`, `POST list-shape` (a `ListShape` JSON), `POST faults`
/// (`{"status":429|503,"count":n}`), `POST sites/{site}/user-api` (`{"enabled":bool}`).
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/__sim/periscope/state", get(dump))
        .route("/__sim/periscope/reset", post(reset))
        .route("/__sim/periscope/list-shape", post(list_shape))
        .route("/__sim/periscope/faults", post(faults))
        .route("/__sim/periscope/sites/{site}/user-api", post(user_api))
}

async fn dump(State(app): State<Arc<App>>) -> Response {
    Json(app.state.dump()).into_response()
}

async fn reset(State(app): State<Arc<App>>) -> StatusCode {
    app.state.reset();
    StatusCode::NO_CONTENT
}

async fn list_shape(State(app): State<Arc<App>>, Json(shape): Json<ListShape>) -> StatusCode {
    app.state.set_list_shape(shape);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct Faults {
    status: u16,
    count: usize,
}

async fn faults(State(app): State<Arc<App>>, Json(faults): Json<Faults>) -> StatusCode {
    app.state.fail_next(faults.count, faults.status);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct UserApi {
    enabled: bool,
}

async fn user_api(
    State(app): State<Arc<App>>,
    Path(site): Path<String>,
    Json(body): Json<UserApi>,
) -> StatusCode {
    app.state.set_user_api_enabled(&site, body.enabled);
    StatusCode::NO_CONTENT
}
