//! One entry point for every request: the profile decides which path and method is which
//! endpoint, so a second profile needs no new routes. Unknown method/path pairs answer `404`
//! (Cloud Endpoints routes on the pair, so a wrong method is simply not found).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use serde_json::{Map, Value};

use super::profile::{AuthStyle, Op, Profile};
use super::query::{BadParam, Query};
use super::reply::error;
use super::state::{ScriptedFault, UsersaveState};
use super::store::Store;
use super::{admin, auth, discovery, groups, membership, users};
use crate::common::Counters;

/// What every request reaches: the state and the request counters.
pub struct App {
    /// Directory, tokens and knobs.
    pub state: Arc<UsersaveState>,
    /// Per-endpoint request counts.
    pub counters: Counters,
}

/// A handler's result: `Err` carries an error answer.
pub type Answer = Result<Response, Response>;

/// One authenticated API call.
pub struct Call<'a> {
    /// The simulator.
    pub app: &'a App,
    /// Query parameters.
    pub query: Query,
    /// Raw body.
    pub body: Bytes,
    /// Id of the user the call acts as (may be empty when no such user exists).
    pub caller: String,
}

impl Call<'_> {
    /// The profile.
    pub fn profile(&self) -> &Profile {
        self.app.state.profile()
    }

    /// The state.
    pub fn state(&self) -> &UsersaveState {
        &self.app.state
    }

    /// An error answer in the profile's envelope.
    pub fn fail(&self, status: StatusCode, message: &str) -> Response {
        error(self.profile().errors, status, message)
    }

    /// `400` with `message`.
    pub fn bad(&self, message: &str) -> Response {
        self.fail(StatusCode::BAD_REQUEST, message)
    }

    /// `400` for a query value that does not parse.
    pub fn bad_param(&self, bad: BadParam) -> Response {
        self.bad(&bad.0)
    }

    /// The body as a JSON object.
    pub fn body_object(&self) -> Result<Map<String, Value>, Response> {
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(self.bad("Invalid JSON body")),
        }
    }

    /// Whether the caller may write other users and groups (always, without an admin field).
    pub fn caller_is_admin(&self, store: &Store) -> bool {
        let fields = &self.profile().user;
        let Some(admin) = &fields.admin else {
            return true;
        };
        store
            .users
            .iter()
            .find(|r| fields.id(&r.obj) == Some(self.caller.as_str()))
            .is_some_and(|r| r.obj.get(admin).and_then(Value::as_bool).unwrap_or(false))
    }

    /// `403` unless the caller is an administrator.
    pub fn require_admin(&self, store: &Store) -> Result<(), Response> {
        if self.caller_is_admin(store) {
            Ok(())
        } else {
            Err(self.fail(StatusCode::FORBIDDEN, "Forbidden"))
        }
    }
}

/// The router: everything goes through [`dispatch`].
pub fn router(app: Arc<App>) -> Router {
    Router::new().fallback(dispatch).with_state(app)
}

async fn dispatch(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let profile = app.state.profile();
    let path = uri.path();
    if let Some(rest) = path.strip_prefix(&format!("/__sim/{}/", profile.name)) {
        return admin::handle(&app, &method, rest, &body);
    }
    if profile.discovery_path.as_deref() == Some(path) && method == Method::GET {
        app.counters.hit("discovery");
        return discovery::document(profile, &headers);
    }
    if let AuthStyle::TokenEndpoint { path: template, .. } = &profile.auth {
        if let Some(customer) = auth::match_token_path(template, path) {
            if method == Method::POST {
                app.counters.hit("application-token");
                return auth::token(&app, &customer, &headers, &body);
            }
        }
    }
    let not_found = || error(profile.errors, StatusCode::NOT_FOUND, "Not Found");
    let Some(endpoint) = path
        .strip_prefix(profile.api_prefix.as_str())
        .and_then(|p| p.strip_prefix('/'))
    else {
        return not_found();
    };
    let Some(op) = profile.route(method.as_str(), endpoint) else {
        return not_found();
    };
    // Scripted faults answer before the platform sees the call, like the shared knobs, so
    // neither is counted.
    if let Some(fault) = app.state.take_scripted_fault(endpoint) {
        return scripted(profile, fault);
    }
    app.counters.hit(endpoint);
    let caller = match auth::authenticate(&app, &headers) {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    if let Some(name) = &profile.organization_header {
        if let Some(sent) = headers.get(name.as_str()) {
            if sent.to_str().ok() != Some(app.state.lock().access.customer_id.as_str()) {
                return error(profile.errors, StatusCode::FORBIDDEN, "Forbidden");
            }
        }
    }
    let call = Call {
        app: &app,
        query: Query::parse(uri.query()),
        body,
        caller,
    };
    let answer = match op {
        Op::ListUsers => users::list(&call),
        Op::GetUser => users::get(&call),
        Op::SaveUser => users::save(&call),
        Op::DeleteUser => users::delete(&call),
        Op::ListGroups => groups::list(&call),
        Op::SearchGroups => groups::search(&call),
        Op::GetGroup => groups::get(&call),
        Op::SaveGroup => groups::save(&call),
        Op::DeleteGroup => groups::delete(&call),
        Op::GroupTypes => groups::types(&call),
        Op::Membership => membership::save(&call),
        Op::ListMembers => membership::list_members(&call),
        Op::UserGroups => membership::user_groups(&call),
    };
    answer.unwrap_or_else(|e| e)
}

fn scripted(profile: &Profile, fault: ScriptedFault) -> Response {
    match fault {
        ScriptedFault::ServerError => error(
            profile.errors,
            StatusCode::SERVICE_UNAVAILABLE,
            "Backend Error",
        ),
        ScriptedFault::RateLimitExceeded => error(
            profile.errors,
            StatusCode::BAD_REQUEST,
            "RATE_LIMIT_EXCEEDED",
        ),
        ScriptedFault::TooManyRequests => {
            let mut response = error(
                profile.errors,
                StatusCode::TOO_MANY_REQUESTS,
                "RATE_LIMIT_EXCEEDED",
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
    }
}
