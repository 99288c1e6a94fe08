//! Groups (LumApps feeds) and group types: list, search, get, save, delete (spec §6.7).

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use super::dispatch::{Answer, Call};
use super::fields::{now_timestamp, render, set_ids, text};
use super::page::{page, page_request, PageRequest};
use super::profile::{Pagination, Profile};
use super::reply::{ok, void};
use super::store::{Record, Store};
use super::users::query_page;
use crate::common::OrderedJson;

/// Output key order of a group type.
const TYPE_KEY_ORDER: [&str; 8] = [
    "id",
    "uid",
    "name",
    "customer",
    "instance",
    "heritable",
    "createdAt",
    "updatedAt",
];

/// The message for a change to a built-in group.
pub const SYSTEM_FEED: &str = "SYSTEM_FEED";

/// Filters of `feed/list` (query) and `feed/search` (body).
#[derive(Default)]
struct GroupFilter {
    instance: Option<String>,
    herited: bool,
    kind: Option<String>,
    query: Option<String>,
    has_group: Option<bool>,
    restrict: Vec<String>,
    except: Vec<String>,
}

impl GroupFilter {
    fn keeps(&self, profile: &Profile, obj: &Map<String, Value>) -> bool {
        let g = &profile.group;
        let id = g.id(obj).unwrap_or("");
        let instance = g.instance.as_ref().and_then(|f| text(obj, f));
        let instance_ok = match &self.instance {
            None => true,
            Some(want) => instance == Some(want.as_str()) || (self.herited && instance.is_none()),
        };
        let kind_ok = self
            .kind
            .as_ref()
            .is_none_or(|want| g.type_field.as_ref().and_then(|f| text(obj, f)) == Some(want));
        let query_ok = self.query.as_ref().is_none_or(|q| {
            text(obj, &g.name).is_some_and(|n| n.to_lowercase().contains(&q.to_lowercase()))
        });
        let synced = obj
            .get("group")
            .is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty()))
            || obj
                .get("groups")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty());
        instance_ok
            && kind_ok
            && query_ok
            && self.has_group.is_none_or(|want| want == synced)
            && (self.restrict.is_empty() || self.restrict.iter().any(|r| r == id))
            && !self.except.iter().any(|e| e == id)
    }
}

/// One page of the groups `filter` keeps.
fn listed(call: &Call, store: &Store, filter: &GroupFilter, request: &PageRequest) -> OrderedJson {
    let profile = call.profile();
    let items = store
        .groups
        .iter()
        .filter(|r| filter.keeps(profile, &r.obj))
        .map(|r| (r.seq, r));
    page(&profile.pagination, items, request, |r| {
        render(&r.obj, &profile.group.key_order)
    })
}

/// `feed/list`.
pub fn list(call: &Call) -> Answer {
    let q = &call.query;
    let filter = GroupFilter {
        instance: q.get("instance").map(str::to_owned),
        herited: q
            .bool("herited")
            .map_err(|e| call.bad_param(e))?
            .unwrap_or(true),
        kind: q.get("type").map(str::to_owned),
        query: q.get("query").map(str::to_owned),
        has_group: q.bool("hasGroup").map_err(|e| call.bad_param(e))?,
        restrict: q
            .all("restrictToFeeds")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        except: q
            .all("exceptFeeds")
            .into_iter()
            .map(str::to_owned)
            .collect(),
    };
    let request = query_page(call)?;
    let store = call.state().lock();
    Ok(ok(&listed(call, &store, &filter, &request)))
}

/// `feed/search`: the `feed/list` filters, cursor and page size in a JSON body.
pub fn search(call: &Call) -> Answer {
    let body = call.body_object()?;
    let store = call.state().lock();
    for field in ["customerId", "customer"] {
        if let Some(value) = body.get(field).filter(|v| !v.is_null()) {
            if value.as_str() != Some(store.access.customer_id.as_str()) {
                return Err(call.bad("Invalid customer"));
            }
        }
    }
    let string = |field: &str| {
        body.get(field)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let boolean = |field: &str| -> Result<Option<bool>, Response> {
        match body.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) => super::query::parse_bool(field, s)
                .map(Some)
                .map_err(|e| call.bad_param(e)),
            Some(_) => Err(call.bad(&format!("Invalid boolean value for {field}"))),
        }
    };
    let strings = |field: &str| -> Vec<String> {
        body.get(field)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let filter = GroupFilter {
        instance: string("instance"),
        herited: boolean("herited")?.unwrap_or(true),
        kind: string("type"),
        query: string("query"),
        has_group: boolean("hasGroup")?,
        restrict: strings("restrictToFeeds"),
        except: strings("exceptFeeds"),
    };
    let profile = call.profile();
    let (cursor, size) = match &profile.pagination {
        Pagination::CursorMore {
            cursor_param,
            page_size_param,
            ..
        } => (body.get(cursor_param), body.get(page_size_param)),
        Pagination::None => (None, None),
    };
    let request = page_request(&profile.pagination, cursor, size, call.state().page_cap())
        .map_err(|e| call.bad(&e.0))?;
    Ok(ok(&listed(call, &store, &filter, &request)))
}

/// The id parameter of an endpoint, or `400 "<param> is required"`.
fn required_id<'a>(call: &'a Call, param: Option<&String>) -> Result<&'a str, Response> {
    let param = param.map(String::as_str).unwrap_or("id");
    call.query
        .get(param)
        .ok_or_else(|| call.bad(&format!("{param} is required")))
}

/// `feed/get`.
pub fn get(call: &Call) -> Answer {
    let profile = call.profile();
    let id = required_id(call, profile.endpoints.get_group.id_param.as_ref())?;
    let store = call.state().lock();
    match store
        .groups
        .iter()
        .find(|r| profile.group.id(&r.obj) == Some(id))
    {
        Some(record) => Ok(ok(&render(&record.obj, &profile.group.key_order))),
        None => Err(call.fail(
            StatusCode::NOT_FOUND,
            &call.profile().group.not_found_message,
        )),
    }
}

/// `feed/save`: create, or update by id (full replace or merge, as the profile says).
pub fn save(call: &Call) -> Answer {
    let profile = call.profile();
    let g = &profile.group;
    let body = call.body_object()?;
    let mut store = call.state().lock();
    let sent_id =
        g.id.iter()
            .find_map(|f| body.get(f).and_then(Value::as_str))
            .filter(|s| !s.is_empty());
    let target = match sent_id {
        None => None,
        Some(id) => match store.groups.iter().position(|r| g.id(&r.obj) == Some(id)) {
            Some(index) => Some(index),
            None => {
                return Err(call.fail(
                    StatusCode::NOT_FOUND,
                    &call.profile().group.not_found_message,
                ))
            }
        },
    };
    if target.is_some_and(|i| g.is_implicit(&store.groups[i].obj)) {
        return Err(call.bad(SYSTEM_FEED));
    }
    call.require_admin(&store)?;

    let merging = target.is_some() && !profile.save.replace;
    match body.get(&g.name) {
        Some(Value::String(s)) if !s.trim().is_empty() => {}
        None if merging => {}
        _ => return Err(call.bad(&format!("{} is required", g.name))),
    }
    if let Some(field) = &g.type_field {
        match body.get(field) {
            None if merging => {}
            Some(Value::String(t))
                if store
                    .group_types
                    .iter()
                    .any(|r| g.id(&r.obj) == Some(t.as_str())) => {}
            Some(other) => {
                return Err(call.bad(&format!(
                    "Unknown feed type: {}",
                    other.as_str().unwrap_or("")
                )))
            }
            None => return Err(call.bad(&format!("{field} is required"))),
        }
    }
    if let Some(field) = &g.customer {
        if let Some(value) = body.get(field).filter(|v| !v.is_null()) {
            if value.as_str() != Some(store.access.customer_id.as_str()) {
                return Err(call.bad("Invalid customer"));
            }
        }
    }
    if let Some(field) = &g.instance {
        if let Some(value) = body.get(field).filter(|v| !v.is_null()) {
            if !value
                .as_str()
                .is_some_and(|i| store.access.instances.iter().any(|k| k == i))
            {
                return Err(call.bad(&format!(
                    "Unknown instance: {}",
                    value.as_str().unwrap_or("")
                )));
            }
        }
    }

    let dropped: Vec<&String> =
        g.id.iter()
            .chain(&g.created_at)
            .chain(&g.updated_at)
            .collect();
    let clean: Map<String, Value> = body
        .into_iter()
        .filter(|(k, v)| !v.is_null() && !dropped.contains(&k))
        .collect();
    let now = now_timestamp();
    let mut obj = match target {
        None => {
            let mut obj = clean;
            let id = store.new_id();
            set_ids(&mut obj, &g.id, &id);
            if let Some(field) = &g.created_at {
                obj.insert(field.clone(), Value::from(now.clone()));
            }
            obj
        }
        Some(index) if profile.save.replace => {
            let current = &store.groups[index].obj;
            let mut obj = clean;
            for field in g.id.iter().chain(&g.customer).chain(&g.created_at) {
                if let Some(value) = current.get(field) {
                    obj.insert(field.clone(), value.clone());
                }
            }
            obj
        }
        Some(index) => {
            let mut obj = store.groups[index].obj.clone();
            obj.extend(clean);
            obj
        }
    };
    if let Some(field) = &g.customer {
        obj.entry(field.clone())
            .or_insert_with(|| Value::from(store.access.customer_id.clone()));
    }
    if let Some(field) = &g.status {
        obj.entry(field.clone())
            .or_insert_with(|| Value::from("enabled"));
    }
    if let Some(field) = &g.heritable {
        obj.entry(field.clone()).or_insert(Value::Bool(true));
    }
    if let Some(field) = &g.updated_at {
        obj.insert(field.clone(), Value::from(now));
    }
    let answer = render(&obj, &g.key_order);
    match target {
        Some(index) => store.groups[index].obj = obj,
        None => {
            let seq = store.new_seq();
            store.groups.push(Record { seq, obj });
        }
    }
    Ok(ok(&answer))
}

/// `feed/delete`: `204`; members go with the group.
pub fn delete(call: &Call) -> Answer {
    let profile = call.profile();
    let param = profile
        .endpoints
        .delete_group
        .as_ref()
        .and_then(|e| e.id_param.as_ref());
    let id = required_id(call, param)?.to_owned();
    let mut store = call.state().lock();
    let Some(index) = store
        .groups
        .iter()
        .position(|r| profile.group.id(&r.obj) == Some(id.as_str()))
    else {
        return Err(call.fail(
            StatusCode::NOT_FOUND,
            &call.profile().group.not_found_message,
        ));
    };
    if profile.group.is_implicit(&store.groups[index].obj) {
        return Err(call.bad(SYSTEM_FEED));
    }
    call.require_admin(&store)?;
    store.groups.remove(index);
    store.members.remove(&id);
    Ok(void())
}

/// `feedtype/list`: platform-level types, or an instance's (plus platform ones unless
/// `herited=false`).
pub fn types(call: &Call) -> Answer {
    let q = &call.query;
    let herited = q
        .bool("herited")
        .map_err(|e| call.bad_param(e))?
        .unwrap_or(true);
    let request = query_page(call)?;
    let store = call.state().lock();
    if q.get("customer")
        .is_some_and(|c| c != store.access.customer_id)
    {
        return Err(call.bad("Invalid customer"));
    }
    let instance = q.get("instance");
    let items = store
        .group_types
        .iter()
        .filter(|r| {
            let own = text(&r.obj, "instance");
            match instance {
                None => own.is_none(),
                Some(want) => own == Some(want) || (herited && own.is_none()),
            }
        })
        .map(|r| (r.seq, r));
    let order = TYPE_KEY_ORDER.map(String::from);
    let body = page(&call.profile().pagination, items, &request, |r| {
        render(&r.obj, &order)
    });
    Ok(ok(&body))
}
