//! Users: list with filters, get, save (create / update / upsert) and, where the profile has
//! one, delete (spec §6.5, §6.6).

use std::collections::HashSet;

use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::dispatch::{Answer, Call};
use super::fields::{flag, now_timestamp, render, set_ids, text};
use super::page::{page, page_request, PageRequest};
use super::profile::{Active, ListMembers, Pagination, Profile};
use super::reply::{ok, void};
use super::seed::set_active;
use super::store::{Record, Store};

/// Account types a user may have.
const ACCOUNT_TYPES: [&str; 4] = ["google", "microsoft", "okta", "external"];

/// The page a GET list asks for, from its query.
pub fn query_page(call: &Call) -> Result<PageRequest, axum::response::Response> {
    let (cursor, size) = match &call.profile().pagination {
        Pagination::CursorMore {
            cursor_param,
            page_size_param,
            ..
        } => (
            call.query.get(cursor_param).map(Value::from),
            call.query.get(page_size_param).map(Value::from),
        ),
        Pagination::None => (None, None),
    };
    page_request(
        &call.profile().pagination,
        cursor.as_ref(),
        size.as_ref(),
        call.state().page_cap(),
    )
    .map_err(|e| call.bad(&e.0))
}

/// Ids of the users in any of `group_ids`, and whether a built-in group (everyone) is among them.
pub fn members_of(profile: &Profile, store: &Store, group_ids: &[&str]) -> (HashSet<String>, bool) {
    let mut ids = HashSet::new();
    let mut everyone = false;
    for group_id in group_ids {
        let group = store
            .groups
            .iter()
            .find(|r| profile.group.id(&r.obj) == Some(*group_id));
        match group {
            Some(g) if profile.group.is_implicit(&g.obj) => everyone = true,
            Some(_) => ids.extend(store.members.get(*group_id).into_iter().flatten().cloned()),
            None => {}
        }
    }
    (ids, everyone)
}

/// `user/list`.
pub fn list(call: &Call) -> Answer {
    let profile = call.profile();
    let u = &profile.user;
    let q = &call.query;
    let show_hidden = q
        .bool("showHidden")
        .map_err(|e| call.bad_param(e))?
        .unwrap_or(false);
    let registered_since = q.int("registeredSince").map_err(|e| call.bad_param(e))?;
    let request = query_page(call)?;
    let status = q.get("status");
    let email = q.get("email");
    let ids = q.all("ids");
    let types = q.all("types");
    let search = q.get("query").map(str::to_lowercase);
    let first = q.get("firstName");
    let last = q.get("lastName");
    let feeds = match &profile.endpoints.list_members {
        ListMembers::ListUsers { filter_param } => q.all(filter_param),
        ListMembers::Endpoint { .. } => Vec::new(),
    };
    let since =
        registered_since.map(|days| chrono::Utc::now().naive_utc() - chrono::Duration::days(days));

    let store = call.state().lock();
    let (members, everyone) = members_of(profile, &store, &feeds);
    let keep = |r: &&Record| {
        let o = &r.obj;
        let id = u.id(o).unwrap_or("");
        let eq = |field: &str, want: Option<&str>| {
            want.is_none_or(|w| text(o, field).is_some_and(|v| v.eq_ignore_ascii_case(w)))
        };
        let status_ok = match (&u.active, status) {
            (Active::Status { field, active, .. }, Some(want)) => {
                text(o, field).unwrap_or(active) == want
            }
            _ => true,
        };
        let hidden_ok = show_hidden || !flag(o, u.hidden.as_ref());
        let types_ok = types.is_empty()
            || u.account_type
                .as_ref()
                .is_some_and(|f| types.contains(&text(o, f).unwrap_or("external")));
        let search_ok = search.as_ref().is_none_or(|needle| {
            let full = u.full_name(o);
            let found = [
                text(o, &u.email),
                text(o, &u.first_name),
                text(o, &u.last_name),
                Some(full.as_str()),
            ]
            .into_iter()
            .flatten()
            .any(|v| v.to_lowercase().contains(needle));
            found
        });
        let since_ok = since.is_none_or(|since| {
            u.created_at
                .as_ref()
                .and_then(|f| text(o, f))
                .and_then(|t| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f").ok())
                .is_some_and(|t| t >= since)
        });
        status_ok
            && hidden_ok
            && types_ok
            && search_ok
            && since_ok
            && eq(&u.email, email)
            && eq(&u.first_name, first)
            && eq(&u.last_name, last)
            && (ids.is_empty() || ids.contains(&id))
            && (feeds.is_empty() || everyone || members.contains(id))
    };
    let items = store.users.iter().filter(keep).map(|r| (r.seq, r));
    let body = page(&profile.pagination, items, &request, |r| {
        render(&r.obj, &u.key_order)
    });
    Ok(ok(&body))
}

/// `user/get`: by id, by e-mail, or the caller.
pub fn get(call: &Call) -> Answer {
    let profile = call.profile();
    let endpoint = &profile.endpoints.get_user;
    let by_id = endpoint.id_param.as_ref().and_then(|p| call.query.get(p));
    let by_email = endpoint
        .email_param
        .as_ref()
        .and_then(|p| call.query.get(p));
    let store = call.state().lock();
    let u = &profile.user;
    let found = store.users.iter().find(|r| match (by_id, by_email) {
        (Some(id), _) => u.id(&r.obj) == Some(id),
        (None, Some(email)) => u
            .email_of(&r.obj)
            .is_some_and(|e| e.eq_ignore_ascii_case(email)),
        (None, None) => u.id(&r.obj) == Some(call.caller.as_str()),
    });
    let Some(record) = found else {
        return Err(call.fail(StatusCode::NOT_FOUND, "User not found"));
    };
    if call.state().is_forbidden(u.id(&record.obj).unwrap_or("")) {
        return Err(call.fail(StatusCode::FORBIDDEN, "Forbidden"));
    }
    Ok(ok(&render(&record.obj, &u.key_order)))
}

/// `user/save`: create, update by id, or (upsert profiles) update by e-mail.
pub fn save(call: &Call) -> Answer {
    let profile = call.profile();
    let u = &profile.user;
    let body = call.body_object()?;
    let mut store = call.state().lock();

    let sent_id =
        u.id.iter()
            .find_map(|f| body.get(f).and_then(Value::as_str))
            .filter(|s| !s.is_empty());
    let sent_email = body.get(&u.email).and_then(Value::as_str);
    let by_email = |email: &str| {
        store.users.iter().position(|r| {
            u.email_of(&r.obj)
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
    };
    let target = match (sent_id, sent_email) {
        (Some(id), _) => match store.users.iter().position(|r| u.id(&r.obj) == Some(id)) {
            Some(index) => Some(index),
            None => return Err(call.fail(StatusCode::NOT_FOUND, "User not found")),
        },
        (None, Some(email)) => match by_email(email) {
            Some(index) if profile.save.upsert_by_email => Some(index),
            Some(_) => {
                return Err(call.fail(
                    StatusCode::CONFLICT,
                    &format!("User already exists: {email}"),
                ))
            }
            None => None,
        },
        (None, None) => None,
    };
    let is_self = target.is_some_and(|i| u.id(&store.users[i].obj) == Some(call.caller.as_str()));
    if !is_self {
        call.require_admin(&store)?;
    }

    // Validation: nothing changes on failure.
    match sent_email {
        Some(email) if email.contains('@') => {}
        Some(email) => return Err(call.bad(&format!("Invalid email: {email}"))),
        None if target.is_none() => return Err(call.bad("Invalid email: missing")),
        None => {}
    }
    validate_active(call, &u.active, &body)?;
    if let Some(field) = &u.account_type {
        if let Some(value) = body.get(field).filter(|v| !v.is_null()) {
            if !value.as_str().is_some_and(|v| ACCOUNT_TYPES.contains(&v)) {
                return Err(call.bad(&format!("Invalid {field}: {}", shown(value))));
            }
        }
    }
    if let Some((first, rest)) = u.password_fields.split_first() {
        if let Some(password) = body.get(first) {
            if rest.iter().any(|f| body.get(f) != Some(password)) {
                return Err(call.bad("PASSWORDS_DO_NOT_MATCH"));
            }
        }
    }
    if let (Some(email), Some(index)) = (sent_email, target) {
        if by_email(email).is_some_and(|other| other != index) {
            return Err(call.bad("EMAIL_ALREADY_USED"));
        }
    }

    let clean = writable_fields(profile, body);
    let now = now_timestamp();
    let mut obj = match target {
        None => {
            let mut obj = clean;
            let id = store.new_id();
            set_ids(&mut obj, &u.id, &id);
            if let Some(field) = &u.customer {
                obj.insert(field.clone(), Value::from(store.access.customer_id.clone()));
            }
            if let Some(field) = &u.created_at {
                obj.insert(field.clone(), Value::from(now.clone()));
            }
            obj
        }
        Some(index) if profile.save.replace => {
            let current = &store.users[index].obj;
            let mut obj = clean;
            // Server-managed fields survive a full replace; admin rights are not writable here.
            let kept =
                u.id.iter()
                    .chain(&u.customer)
                    .chain(&u.created_at)
                    .chain(&u.admin);
            for field in kept.chain(std::iter::once(&u.email)) {
                if let (false, Some(value)) = (obj.contains_key(field), current.get(field)) {
                    obj.insert(field.clone(), value.clone());
                }
            }
            obj
        }
        Some(index) => {
            let mut obj = store.users[index].obj.clone();
            obj.extend(clean);
            obj
        }
    };
    apply_defaults(profile, &mut obj);
    if let Some(field) = &u.updated_at {
        obj.insert(field.clone(), Value::from(now));
    }
    if let Some(field) = &u.full_name {
        match u.full_name(&obj) {
            full if full.is_empty() => obj.remove(field),
            full => obj.insert(field.clone(), Value::from(full)),
        };
    }
    let body = render(&obj, &u.key_order);
    match target {
        Some(index) => store.users[index].obj = obj,
        None => {
            let seq = store.new_seq();
            store.users.push(Record { seq, obj });
        }
    }
    Ok(ok(&body))
}

fn validate_active(
    call: &Call,
    active: &Active,
    body: &Map<String, Value>,
) -> Result<(), axum::response::Response> {
    match active {
        Active::Status {
            field,
            active,
            inactive,
        } => match body.get(field) {
            None | Some(Value::Null) => Ok(()),
            Some(Value::String(s)) if s == active || s == inactive => Ok(()),
            Some(other) => Err(call.bad(&format!("Invalid {field}: {}", shown(other)))),
        },
        Active::Flag { field, .. } => match body.get(field) {
            None | Some(Value::Null) | Some(Value::Bool(_)) => Ok(()),
            Some(other) => Err(call.bad(&format!("Invalid {field}: {}", shown(other)))),
        },
    }
}

/// A value in a message: strings as they are, anything else as JSON.
fn shown(value: &Value) -> String {
    value
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| value.to_string())
}

/// The body without server-managed, computed, secret and null fields.
fn writable_fields(profile: &Profile, body: Map<String, Value>) -> Map<String, Value> {
    let u = &profile.user;
    let dropped: Vec<&String> = u
        .ignored_on_save
        .iter()
        .chain(&u.password_fields)
        .chain(&u.id)
        .chain(&u.customer)
        .chain(&u.created_at)
        .chain(&u.updated_at)
        .chain(&u.admin)
        .chain(&u.full_name)
        .collect();
    body.into_iter()
        .filter(|(k, v)| !v.is_null() && !dropped.contains(&k))
        .collect()
}

/// Absent status, hidden flag and account type take their defaults.
fn apply_defaults(profile: &Profile, obj: &mut Map<String, Value>) {
    let u = &profile.user;
    let active_field = match &u.active {
        Active::Status { field, .. } | Active::Flag { field, .. } => field,
    };
    if !obj.contains_key(active_field) {
        set_active(obj, &u.active, true);
    }
    if let Some(field) = &u.hidden {
        obj.entry(field.clone()).or_insert(Value::Bool(false));
    }
    if let Some(field) = &u.account_type {
        obj.entry(field.clone()).or_insert(Value::from("external"));
    }
}

/// Delete a user by id (profiles that have the endpoint); `204`.
pub fn delete(call: &Call) -> Answer {
    let profile = call.profile();
    let param = profile
        .endpoints
        .delete_user
        .as_ref()
        .and_then(|e| e.id_param.clone())
        .unwrap_or_default();
    let Some(id) = call.query.get(&param) else {
        return Err(call.bad(&format!("{param} is required")));
    };
    let mut store = call.state().lock();
    let Some(index) = store
        .users
        .iter()
        .position(|r| profile.user.id(&r.obj) == Some(id))
    else {
        return Err(call.fail(StatusCode::NOT_FOUND, "User not found"));
    };
    call.require_admin(&store)?;
    store.users.remove(index);
    for members in store.members.values_mut() {
        members.remove(id);
    }
    Ok(void())
}
