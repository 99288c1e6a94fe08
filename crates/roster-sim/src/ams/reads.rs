//! The read endpoints: usersearch, groupmembers, listgroups (v1) and person/get (v2), spec §6.6.

use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use serde_json::Value;

use super::auth::Caller;
use super::model::Person;
use super::state::Inner;
use super::wire::{
    project_user, rpc_exception, search_block, v1_response, v2_response, GroupsAndRoles,
};
use crate::common::OrderedJson;

/// `POST /{site}/api/v1/usersearch`.
pub fn usersearch(inner: &Inner, caller: &Caller, body: &Value) -> Response {
    let token = caller.token.as_deref();
    let entries: Option<Vec<Value>> = match body.get("identification") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) if items.is_empty() => None,
        Some(Value::Object(map)) if map.is_empty() => None,
        Some(Value::Array(items)) => Some(items.clone()),
        Some(other) => Some(vec![other.clone()]),
    };
    let blocks: Vec<OrderedJson> = match entries {
        None => {
            let users = inner
                .persons
                .iter()
                .map(|p| project_user(p, None))
                .collect();
            vec![search_block(Value::Object(Default::default()), users)]
        }
        Some(entries) => entries
            .into_iter()
            .map(|entry| {
                let users = inner
                    .persons
                    .iter()
                    .filter(|p| entry_matches(&entry, p))
                    .map(|p| {
                        let gr = GroupsAndRoles::of(p.id, &inner.groups, &inner.roles);
                        project_user(p, Some(&gr))
                    })
                    .collect();
                search_block(entry, users)
            })
            .collect(),
    };
    v1_response(&OrderedJson::object().with("results", blocks), token)
}

/// Whether an identification entry selects `person` (spec §6.6 match keys). Every known key
/// in the entry must match; an entry with no known key matches nobody (CHOSEN).
fn entry_matches(entry: &Value, person: &Person) -> bool {
    let Some(map) = entry.as_object() else {
        return false;
    };
    let text = |key: &str| map.get(key).and_then(Value::as_str);
    let mut known = false;
    if let Some(u) = text("username") {
        known = true;
        if !u.eq_ignore_ascii_case(&person.username) {
            return false;
        }
    }
    for key in ["email", "emailAddress"] {
        if let Some(e) = text(key) {
            known = true;
            if !e.eq_ignore_ascii_case(&person.email_address) {
                return false;
            }
        }
    }
    if let Some(id) = map.get("userId") {
        known = true;
        if as_i64(id) != Some(person.id) {
            return false;
        }
    }
    if let (Some(first), Some(last)) = (text("firstName"), text("lastName")) {
        known = true;
        if first != person.first_name || last != person.last_name {
            return false;
        }
    }
    known
}

/// A number, or a string holding one.
pub fn as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `POST /{site}/api/v1/groupmembers`: the athletes of each named group.
pub fn groupmembers(inner: &Inner, caller: &Caller, body: &Value) -> Response {
    let names: Vec<String> = match body.get("name") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect(),
        _ => Vec::new(),
    };
    let blocks: Vec<OrderedJson> = names
        .into_iter()
        .map(|name| {
            let members: Vec<OrderedJson> = match inner.groups.iter().find(|g| g.name == name) {
                Some(group) => inner
                    .persons
                    .iter()
                    .filter(|p| group.athletes.contains(&p.id))
                    .map(|p| project_user(p, None))
                    .collect(),
                None => Vec::new(),
            };
            search_block(serde_json::json!({ "name": name }), members)
        })
        .collect();
    v1_response(
        &OrderedJson::object().with("results", blocks),
        caller.token.as_deref(),
    )
}

/// `POST /{site}/api/v1/listgroups`: every group name, in seed order, whatever `name` says.
pub fn listgroups(inner: &Inner, caller: &Caller) -> Response {
    let names: Vec<OrderedJson> = inner
        .groups
        .iter()
        .map(|g| OrderedJson::from(g.name.as_str()))
        .collect();
    v1_response(
        &OrderedJson::object().with("name", names),
        caller.token.as_deref(),
    )
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PersonList<'a> {
    objects: Vec<&'a Person>,
    total_count: usize,
}

/// `POST /{site}/api/v2/person/get`.
pub fn person_get(inner: &Inner, caller: &Caller, body: &Value) -> Response {
    let token = caller.token.as_deref();
    let selection = match parse_filter(body) {
        Ok(selection) => selection,
        Err(message) => {
            let status =
                StatusCode::from_u16(inner.save_error_status).unwrap_or(StatusCode::BAD_REQUEST);
            return v2_response(
                status,
                &rpc_exception("java.lang.IllegalArgumentException", &message),
                token,
            );
        }
    };
    let mut objects: Vec<&Person> = inner
        .persons
        .iter()
        .filter(|p| selection.ids.as_ref().is_none_or(|ids| ids.contains(&p.id)))
        .collect();
    if let Some(offset) = selection.offset {
        objects = objects.into_iter().skip(offset).collect();
    }
    if let Some(limit) = selection.limit {
        objects.truncate(limit);
    }
    let reply = PersonList {
        total_count: objects.len(),
        objects,
    };
    v2_response(StatusCode::OK, &reply, token)
}

struct Selection {
    ids: Option<Vec<i64>>,
    limit: Option<usize>,
    offset: Option<usize>,
}

/// Reads the recorded filter shape (spec §2.5); anything else is an error (CHOSEN).
fn parse_filter(body: &Value) -> Result<Selection, String> {
    let Some(filter) = body.get("filter").filter(|f| !f.is_null()) else {
        return Ok(Selection {
            ids: None,
            limit: None,
            offset: None,
        });
    };
    let unsupported = || "Unsupported filter".to_owned();
    let positive = |key: &str| -> Result<Option<usize>, String> {
        match filter.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => match as_i64(v) {
                Some(n) if n > 0 => Ok(Some(n as usize)),
                Some(_) => Ok(None),
                None => Err(format!("Invalid {key}")),
            },
        }
    };
    let branches = filter
        .get("comparisons")
        .and_then(|c| c.get("branches"))
        .and_then(Value::as_array)
        .ok_or_else(unsupported)?;
    let mut ids = Vec::new();
    for branch in branches {
        let leaf = branch.get("leaf").ok_or_else(unsupported)?;
        if leaf.get("fieldName").and_then(Value::as_str) != Some("id")
            || leaf.get("negated").and_then(Value::as_bool) == Some(true)
        {
            return Err(unsupported());
        }
        let values = leaf
            .get("valueInteger")
            .and_then(Value::as_array)
            .ok_or_else(unsupported)?;
        for v in values {
            ids.push(as_i64(v).ok_or_else(|| format!("Invalid id: {v}"))?);
        }
    }
    Ok(Selection {
        ids: Some(ids),
        limit: positive("limit")?,
        offset: positive("offset")?,
    })
}
