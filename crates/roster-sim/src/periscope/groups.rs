//! `/api/v1/groups` and `/api/v1/groups/{name}` (spec §6.5). Axum percent-decodes `{name}`
//! with path rules, so `All%20Users` is `All Users` and a literal `+` stays a plus (§6.6).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::list::list_body;
use super::model::{is_builtin, PeriscopeGroup, Site, ACCESS_LEVELS, ALL_USERS};
use super::reply::{bad_request, error, json};
use super::request::{apply, authenticate, json_object, required_str, test_mode, GroupName};
use super::routes::App;

/// `GET /api/v1/groups`.
pub async fn list(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, Response> {
    app.counters.hit("GET /api/v1/groups");
    let index = authenticate(&app.state, &headers)?;
    let groups: Vec<_> = app.state.lock().sites[index]
        .groups
        .values()
        .map(PeriscopeGroup::to_wire)
        .collect();
    Ok(list_body(&app.state, "groups", groups, query.as_deref()))
}

/// `GET /api/v1/groups/{name}`.
pub async fn get(
    State(app): State<Arc<App>>,
    GroupName(name): GroupName,
    headers: HeaderMap,
) -> Result<Response, Response> {
    app.counters.hit("GET /api/v1/groups/{name}");
    let index = authenticate(&app.state, &headers)?;
    Ok(match app.state.lock().sites[index].groups.get(&name) {
        Some(group) => json(StatusCode::OK, &group.to_wire()),
        None => group_not_found(&name),
    })
}

/// `POST /api/v1/groups`.
pub async fn create(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Response> {
    app.counters.hit("POST /api/v1/groups");
    let index = authenticate(&app.state, &headers)?;
    let dry_run = test_mode(query.as_deref())?;
    let body = json_object(&body)?;
    apply(&app.state, index, dry_run, |site| create_group(site, &body))
}

fn create_group(site: &mut Site, body: &Map<String, Value>) -> Result<Response, Response> {
    let name = required_str(body, "name")?;
    let access =
        valid_access(body.get("access"))?.ok_or_else(|| bad_request("access is required"))?;
    let creator = required_str(body, "created_by_email")?;
    if !site.is_admin(creator) {
        return Err(bad_request("created_by_email must be a site administrator"));
    }
    if site.group_named_like(name).is_some() {
        return Err(error(
            StatusCode::CONFLICT,
            format!("Group already exists: {name}"),
        ));
    }
    let group = PeriscopeGroup {
        name: name.to_owned(),
        access,
        extra: Map::new(),
    };
    let body = group.to_wire();
    site.groups.insert(name.to_owned(), group);
    Ok(json(StatusCode::CREATED, &body))
}

/// `PUT /api/v1/groups/{name}`.
pub async fn update(
    State(app): State<Arc<App>>,
    GroupName(name): GroupName,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Response> {
    app.counters.hit("PUT /api/v1/groups/{name}");
    let index = authenticate(&app.state, &headers)?;
    let dry_run = test_mode(query.as_deref())?;
    let body = json_object(&body)?;
    apply(&app.state, index, dry_run, |site| {
        update_group(site, &name, &body)
    })
}

fn update_group(
    site: &mut Site,
    name: &str,
    body: &Map<String, Value>,
) -> Result<Response, Response> {
    let Some(current) = site.groups.get(name).cloned() else {
        return Err(group_not_found(name));
    };
    let access = valid_access(body.get("access"))?;
    let new_name = match body.get("name") {
        None => None,
        Some(Value::String(s)) if s.trim().is_empty() => {
            return Err(bad_request("name is required"))
        }
        Some(Value::String(s)) => Some(s.clone()).filter(|s| s != name),
        Some(_) => return Err(bad_request("name must be a string")),
    };
    if let Some(updater) = body.get("updated_by_email") {
        if !updater.as_str().is_some_and(|e| site.is_admin(e)) {
            return Err(bad_request("updated_by_email must be a site administrator"));
        }
    }
    let access_changes = access.as_ref().is_some_and(|a| *a != current.access);
    if current.is_builtin() && (new_name.is_some() || (access_changes && name != ALL_USERS)) {
        return Err(bad_request("Built-in group cannot be modified"));
    }
    if let Some(target) = &new_name {
        if site
            .group_named_like(target)
            .is_some_and(|g| g.name != name)
        {
            return Err(error(
                StatusCode::CONFLICT,
                format!("Group already exists: {target}"),
            ));
        }
    }

    let mut group = current;
    if let Some(access) = access {
        group.access = access;
    }
    if let Some(target) = new_name {
        site.groups.remove(name);
        for user in site.users.values_mut() {
            if user.groups.remove(name) {
                user.groups.insert(target.clone());
            }
        }
        group.name = target;
    }
    let body = group.to_wire();
    site.groups.insert(group.name.clone(), group);
    Ok(json(StatusCode::OK, &body))
}

/// `DELETE /api/v1/groups/{name}`: `204`, no body.
pub async fn delete(
    State(app): State<Arc<App>>,
    GroupName(name): GroupName,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, Response> {
    app.counters.hit("DELETE /api/v1/groups/{name}");
    let index = authenticate(&app.state, &headers)?;
    let dry_run = test_mode(query.as_deref())?;
    apply(&app.state, index, dry_run, |site| {
        if !site.groups.contains_key(&name) {
            return Err(group_not_found(&name));
        }
        if is_builtin(&name) {
            return Err(bad_request("Built-in group cannot be deleted"));
        }
        site.groups.remove(&name);
        for user in site.users.values_mut() {
            user.groups.remove(&name);
        }
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

/// `access` when present: one of the levels in any case, kept as sent.
fn valid_access(value: Option<&Value>) -> Result<Option<String>, Response> {
    let Some(value) = value else { return Ok(None) };
    let text = value.as_str().unwrap_or_default();
    if ACCESS_LEVELS
        .iter()
        .any(|level| level.eq_ignore_ascii_case(text))
    {
        Ok(Some(text.to_owned()))
    } else {
        let shown = value
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| value.to_string());
        Err(bad_request(format!("Invalid access: {shown}")))
    }
}

fn group_not_found(name: &str) -> Response {
    error(StatusCode::NOT_FOUND, format!("Group not found: {name}"))
}
