//! Routing (spec §6.1): one configured site, every endpoint a POST, the query string ignored.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum::routing::any;
use axum::Router;
use serde_json::Value;

use super::auth::{authenticate, login};
use super::reads::{groupmembers, listgroups, person_get, usersearch};
use super::save::person_save;
use super::state::AmsState;
use super::upload::{file_upload, upload_status, UploadForm};
use super::wire::empty;
use crate::common::Counters;

/// What every handler shares.
#[derive(Clone)]
struct App {
    state: Arc<AmsState>,
    counters: Counters,
}

/// The endpoints under the site path, with their counter names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Endpoint {
    Login,
    UserSearch,
    GroupMembers,
    ListGroups,
    PersonGet,
    PersonSave,
    UploadStatus,
}

impl Endpoint {
    fn counter(self) -> &'static str {
        match self {
            Endpoint::Login => "loginUser",
            Endpoint::UserSearch => "usersearch",
            Endpoint::GroupMembers => "groupmembers",
            Endpoint::ListGroups => "listgroups",
            Endpoint::PersonGet => "person/get",
            Endpoint::PersonSave => "person/save",
            Endpoint::UploadStatus => "getUploadStatus",
        }
    }
}

/// The router of one AMS site.
pub fn router(state: Arc<AmsState>, counters: Counters) -> Router {
    let app = App { state, counters };
    let site_route = |endpoint: Endpoint| {
        any(
            move |State(app): State<App>,
                  Path(site): Path<String>,
                  method: Method,
                  headers: HeaderMap,
                  body: Bytes| async move {
                dispatch(&app, &site, &method, &headers, &body, endpoint)
            },
        )
    };
    Router::new()
        .route("/{site}/api/v2/user/loginUser", site_route(Endpoint::Login))
        .route(
            "/{site}/api/v1/usersearch",
            site_route(Endpoint::UserSearch),
        )
        .route(
            "/{site}/api/v1/groupmembers",
            site_route(Endpoint::GroupMembers),
        )
        .route(
            "/{site}/api/v1/listgroups",
            site_route(Endpoint::ListGroups),
        )
        .route("/{site}/api/v2/person/get", site_route(Endpoint::PersonGet))
        .route(
            "/{site}/api/v2/person/save",
            site_route(Endpoint::PersonSave),
        )
        .route(
            "/{site}/api/v2/fileupload/getUploadStatus",
            site_route(Endpoint::UploadStatus),
        )
        .route("/x/fileupload", any(upload_route))
        .fallback(|| async { empty(StatusCode::NOT_FOUND) })
        .with_state(app)
}

fn dispatch(
    app: &App,
    site: &str,
    method: &Method,
    headers: &HeaderMap,
    body: &[u8],
    endpoint: Endpoint,
) -> Response {
    let mut inner = app.state.lock();
    if site != inner.site {
        return empty(StatusCode::NOT_FOUND);
    }
    if method != Method::POST {
        return empty(StatusCode::METHOD_NOT_ALLOWED);
    }
    app.counters.hit(endpoint.counter());
    if endpoint == Endpoint::Login {
        return login(&mut inner, headers, body);
    }
    let Some(caller) = authenticate(&mut inner, headers) else {
        return empty(StatusCode::UNAUTHORIZED);
    };
    // Any JSON formatting is accepted; a body that is not JSON reads as an empty request.
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    match endpoint {
        Endpoint::UserSearch => usersearch(&inner, &caller, &body),
        Endpoint::GroupMembers => groupmembers(&inner, &caller, &body),
        Endpoint::ListGroups => listgroups(&inner, &caller),
        Endpoint::PersonGet => person_get(&inner, &caller, &body),
        Endpoint::PersonSave => person_save(&mut inner, &caller, &body),
        Endpoint::UploadStatus => upload_status(&inner, &caller),
        Endpoint::Login => unreachable!("handled above"),
    }
}

/// `POST /x/fileupload`, at the parent of the site path.
async fn upload_route(State(app): State<App>, request: Request) -> Response {
    if request.method() != Method::POST {
        return empty(StatusCode::METHOD_NOT_ALLOWED);
    }
    app.counters.hit("fileupload");
    let caller = authenticate(&mut app.state.lock(), request.headers());
    let Some(caller) = caller else {
        return empty(StatusCode::UNAUTHORIZED);
    };
    let form = match Multipart::from_request(request, &()).await {
        Ok(multipart) => UploadForm::read(multipart).await,
        Err(_) => None,
    };
    file_upload(&mut app.state.lock(), &caller, form)
}
