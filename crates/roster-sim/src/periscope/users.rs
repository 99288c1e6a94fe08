//! `/api/v1/users`: list, get by `HTTP-X-EMAIL`, create, update and delete (spec §6.4).

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value};

use super::list::list_body;
use super::model::{PeriscopeUser, Site, ALL_USERS};
use super::reply::{bad_request, error, json};
use super::request::{apply, authenticate, email_header, json_object, required_str, test_mode};
use super::routes::App;

/// `GET /api/v1/users`: the list, or one user when `HTTP-X-EMAIL` is present.
pub async fn get(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, Response> {
    let Some(email) = email_header(&headers) else {
        app.counters.hit("GET /api/v1/users");
        let index = authenticate(&app.state, &headers)?;
        let users: Vec<_> = app.state.lock().sites[index]
            .users
            .values()
            .map(PeriscopeUser::to_wire)
            .collect();
        return Ok(list_body(&app.state, "users", users, query.as_deref()));
    };
    app.counters.hit("GET /api/v1/users (HTTP-X-EMAIL)");
    let index = authenticate(&app.state, &headers)?;
    Ok(match app.state.lock().sites[index].user(&email) {
        Some(user) => json(StatusCode::OK, &user.to_wire()),
        None => user_not_found(&email),
    })
}

/// `POST /api/v1/users`.
pub async fn create(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Response> {
    app.counters.hit("POST /api/v1/users");
    let index = authenticate(&app.state, &headers)?;
    let dry_run = test_mode(query.as_deref())?;
    let body = json_object(&body)?;
    apply(&app.state, index, dry_run, |site| create_user(site, &body))
}

fn create_user(site: &mut Site, body: &Map<String, Value>) -> Result<Response, Response> {
    let email = required_str(body, "email")?;
    if !email.contains('@') {
        return Err(bad_request(format!("Invalid email: {email}")));
    }
    let first_name = required_str(body, "first_name")?;
    let last_name = required_str(body, "last_name")?;
    let invited_by = required_str(body, "invited_by_email")?;
    if !site.is_admin(invited_by) {
        return Err(bad_request("invited_by_email must be a site administrator"));
    }
    let groups = group_names(site, body.get("groups"))?.unwrap_or_default();
    if site.user(email).is_some() {
        return Err(error(
            StatusCode::CONFLICT,
            format!("User already exists: {email}"),
        ));
    }
    let user = PeriscopeUser {
        email: email.to_owned(),
        first_name: first_name.to_owned(),
        last_name: last_name.to_owned(),
        groups,
        extra: Map::new(),
    };
    site.insert_user(user);
    let created = site.user(email).expect("just inserted");
    Ok(json(StatusCode::CREATED, &created.to_wire()))
}

/// `PUT /api/v1/users`.
pub async fn update(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Response> {
    app.counters.hit("PUT /api/v1/users");
    let merge = app.state.list_shape().groups_merge;
    let index = authenticate(&app.state, &headers)?;
    let dry_run = test_mode(query.as_deref())?;
    let body = json_object(&body)?;
    let email =
        email_header(&headers).ok_or_else(|| bad_request("HTTP-X-EMAIL header is required"))?;
    apply(&app.state, index, dry_run, |site| {
        update_user(site, &email, &body, merge)
    })
}

fn update_user(
    site: &mut Site,
    email: &str,
    body: &Map<String, Value>,
    merge: bool,
) -> Result<Response, Response> {
    let Some(current) = site.user(email).cloned() else {
        return Err(user_not_found(email));
    };
    if let Some(sent) = body.get("email") {
        let same = sent
            .as_str()
            .is_some_and(|s| s.to_lowercase() == current.email.to_lowercase());
        if !same {
            return Err(bad_request("email cannot be changed"));
        }
    }
    let name = |field: &str| -> Result<Option<String>, Response> {
        match body.get(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad_request(format!("{field} must be a string"))),
        }
    };
    let first_name = name("first_name")?;
    let last_name = name("last_name")?;
    let groups = group_names(site, body.get("groups"))?;

    let mut user = current;
    if let Some(first) = first_name {
        user.first_name = first;
    }
    if let Some(last) = last_name {
        user.last_name = last;
    }
    if let Some(groups) = groups {
        if merge {
            user.groups.extend(groups);
        } else {
            user.groups = groups;
        }
    }
    site.insert_user(user);
    let updated = site.user(email).expect("still there");
    Ok(json(StatusCode::OK, &updated.to_wire()))
}

/// `DELETE /api/v1/users`: answers `200` with the user as it was (the vendor's scripts
/// JSON-decode the answer).
pub async fn delete(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, Response> {
    app.counters.hit("DELETE /api/v1/users");
    let index = authenticate(&app.state, &headers)?;
    let dry_run = test_mode(query.as_deref())?;
    let email =
        email_header(&headers).ok_or_else(|| bad_request("HTTP-X-EMAIL header is required"))?;
    apply(&app.state, index, dry_run, |site| {
        let removed = site
            .users
            .remove(&email.to_lowercase())
            .ok_or_else(|| user_not_found(&email))?;
        Ok(json(StatusCode::OK, &removed.to_wire()))
    })
}

/// `groups` from a body: `None` when absent; every name must exist. `All Users` is added.
fn group_names(site: &Site, value: Option<&Value>) -> Result<Option<BTreeSet<String>>, Response> {
    let Some(value) = value else { return Ok(None) };
    let invalid = || bad_request("groups must be an array of group names");
    let list = value.as_array().ok_or_else(invalid)?;
    let mut names = BTreeSet::from([ALL_USERS.to_owned()]);
    for item in list {
        let name = item.as_str().ok_or_else(invalid)?;
        if !site.groups.contains_key(name) {
            return Err(bad_request(format!("Unknown group: {name}")));
        }
        names.insert(name.to_owned());
    }
    Ok(Some(names))
}

fn user_not_found(email: &str) -> Response {
    error(StatusCode::NOT_FOUND, format!("User not found: {email}"))
}
