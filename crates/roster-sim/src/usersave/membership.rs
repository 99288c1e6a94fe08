//! Membership: the batched write (`feed/subscribers/save`, spec §6.8), the groups of one
//! user, and (profiles with their own endpoint) the members of one group.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::dispatch::{Answer, Call};
use super::fields::render;
use super::groups::SYSTEM_FEED;
use super::page::page;
use super::profile::ListMembers;
use super::reply::{ok, void};
use super::store::Store;
use super::users::{members_of, query_page};

/// The batched membership write: adds in order, then removes in order. At the first entry
/// that names no user the call stops with the "missing member" answer; the entries before it
/// stay applied (the SDK's skip-missing helper relies on that), unless atomic mode is on.
pub fn save(call: &Call) -> Answer {
    let profile = call.profile();
    let spec = profile
        .endpoints
        .membership
        .as_ref()
        .expect("routed only when the profile has it");
    let body = call.body_object()?;
    let Some(group_id) = body
        .get(&spec.group_field)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    else {
        return Err(call.bad(&format!("{} is required", spec.group_field)));
    };
    let entries = |field: &str| -> Result<Vec<String>, Response> {
        match body.get(field) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| call.bad(&format!("{field} must list strings")))
                })
                .collect(),
            Some(_) => Err(call.bad(&format!("{field} must be an array"))),
        }
    };
    let added = entries(&spec.add_field)?;
    let removed = entries(&spec.remove_field)?;

    let mut store = call.state().lock();
    let Some(group) = store
        .groups
        .iter()
        .find(|r| profile.group.id(&r.obj) == Some(group_id))
    else {
        return Err(call.fail(
            StatusCode::NOT_FOUND,
            &call.profile().group.not_found_message,
        ));
    };
    if profile.group.is_implicit(&group.obj) {
        return Err(call.bad(SYSTEM_FEED));
    }
    call.require_admin(&store)?;

    let steps: Vec<(bool, &String)> = added
        .iter()
        .map(|e| (true, e))
        .chain(removed.iter().map(|e| (false, e)))
        .collect();
    let missing = |store: &Store, entry: &str| resolve(call, store, entry).is_none();
    if call.state().atomic_membership() {
        if let Some((_, entry)) = steps.iter().find(|(_, e)| missing(&store, e)) {
            return Err(missing_member(call, entry));
        }
    }
    for (add, entry) in steps {
        let Some(user_id) = resolve(call, &store, entry) else {
            return Err(missing_member(call, entry));
        };
        let members = store.members.entry(group_id.to_owned()).or_default();
        if add {
            members.insert(user_id);
        } else {
            members.remove(&user_id);
        }
    }
    Ok(void())
}

fn missing_member(call: &Call, entry: &str) -> Response {
    let spec = call
        .profile()
        .endpoints
        .membership
        .as_ref()
        .expect("membership endpoint");
    let status = StatusCode::from_u16(spec.missing_status).unwrap_or(StatusCode::NOT_FOUND);
    call.fail(status, &format!("{}{entry}", spec.missing_prefix))
}

/// The id of the user an entry names: an exact id, or an e-mail ignoring case.
fn resolve(call: &Call, store: &Store, entry: &str) -> Option<String> {
    let fields = &call.profile().user;
    store
        .users
        .iter()
        .find(|r| fields.matches(&r.obj, entry))
        .and_then(|r| fields.id(&r.obj).map(str::to_owned))
}

/// The groups one user belongs to, built-in groups included.
pub fn user_groups(call: &Call) -> Answer {
    let profile = call.profile();
    let param = profile
        .endpoints
        .user_groups
        .as_ref()
        .and_then(|e| e.id_param.clone())
        .unwrap_or_default();
    let Some(reference) = call.query.get(&param) else {
        return Err(call.bad(&format!("{param} is required")));
    };
    let request = query_page(call)?;
    let store = call.state().lock();
    let Some(user_id) = resolve(call, &store, reference) else {
        return Err(call.fail(StatusCode::NOT_FOUND, "User not found"));
    };
    let g = &profile.group;
    let items = store
        .groups
        .iter()
        .filter(|r| {
            g.is_implicit(&r.obj)
                || g.id(&r.obj)
                    .and_then(|id| store.members.get(id))
                    .is_some_and(|m| m.contains(&user_id))
        })
        .map(|r| (r.seq, r));
    let body = page(&profile.pagination, items, &request, |r| {
        render(&r.obj, &g.key_order)
    });
    Ok(ok(&body))
}

/// The members of one group, through the profile's own endpoint.
pub fn list_members(call: &Call) -> Answer {
    let profile = call.profile();
    let ListMembers::Endpoint { endpoint } = &profile.endpoints.list_members else {
        unreachable!("routed only when the profile has the endpoint");
    };
    let param = endpoint.id_param.clone().unwrap_or_default();
    let Some(group_id) = call.query.get(&param) else {
        return Err(call.bad(&format!("{param} is required")));
    };
    let request = query_page(call)?;
    let store = call.state().lock();
    if !store
        .groups
        .iter()
        .any(|r| profile.group.id(&r.obj) == Some(group_id))
    {
        return Err(call.fail(
            StatusCode::NOT_FOUND,
            &call.profile().group.not_found_message,
        ));
    }
    let (members, everyone) = members_of(profile, &store, &[group_id]);
    let u = &profile.user;
    let items = store
        .users
        .iter()
        .filter(|r| everyone || u.id(&r.obj).is_some_and(|id| members.contains(id)))
        .map(|r| (r.seq, r));
    let body = page(&profile.pagination, items, &request, |r| {
        render(&r.obj, &u.key_order)
    });
    Ok(ok(&body))
}
