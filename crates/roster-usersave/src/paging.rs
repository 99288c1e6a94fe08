//! Reading every page of a list, in the profile's pagination style.

use std::collections::HashSet;

use roster_core::DirectoryError;
use serde_json::Value;

use crate::api::{Api, ApiRequest};
use crate::errors::decode;
use crate::ordered_map::WireObject;
use crate::profile::Pagination;

/// Every item of the list `request` starts, across all pages. `send_page_size` adds the
/// profile's page size parameter (some list endpoints take none).
pub(crate) async fn fetch_all(
    api: &Api,
    pagination: &Pagination,
    mut request: ApiRequest,
    send_page_size: bool,
) -> Result<Vec<WireObject>, DirectoryError> {
    let mut items = Vec::new();
    match pagination {
        Pagination::CursorMore {
            cursor_param,
            cursor_body_field,
            items_field,
            more_field,
            cursor_field,
            page_size_param,
            page_size,
        } => {
            if let (true, Some(param)) = (send_page_size, page_size_param) {
                request.query.push((param.clone(), page_size.to_string()));
            }
            let base_query = request.query.clone();
            let mut seen_cursors = HashSet::new();
            loop {
                let page = fetch_page(api, &request).await?;
                let page_items = take_items(&page, Some(items_field))?;
                let more = match more_field {
                    Some(field) => truthy(page.get(field)),
                    None => cursor_of(&page, cursor_field).is_some(),
                };
                let got_items = !page_items.is_empty();
                items.extend(page_items);
                if !more {
                    break;
                }
                if !got_items {
                    // The SDK stops here too: "more" with nothing in the page is a server bug.
                    tracing::warn!(path = %request.path, "list said `more` with no items; stopping");
                    break;
                }
                let cursor = cursor_of(&page, cursor_field).ok_or_else(|| {
                    decode(
                        "list response",
                        format!("`more` without a `{cursor_field}`"),
                    )
                })?;
                set_cursor(
                    &mut request,
                    &base_query,
                    cursor_param,
                    cursor_body_field,
                    &cursor,
                )?;
                if !seen_cursors.insert(cursor) {
                    return Err(decode("list response", "a cursor came back twice"));
                }
            }
        }
        Pagination::Offset {
            offset_param,
            limit_param,
            items_field,
            page_size,
        } => {
            let base_query = request.query.clone();
            let mut offset = 0usize;
            loop {
                request.query = base_query.clone();
                request
                    .query
                    .push((offset_param.clone(), offset.to_string()));
                request
                    .query
                    .push((limit_param.clone(), page_size.to_string()));
                let page = take_items(&fetch_page(api, &request).await?, items_field.as_ref())?;
                let count = page.len();
                if !extend_unless_repeated(&mut items, page)? || count < *page_size {
                    break;
                }
                offset += count;
            }
        }
        Pagination::PageNumber {
            page_param,
            first_page,
            size_param,
            items_field,
            page_size,
        } => {
            let base_query = request.query.clone();
            let mut number = *first_page;
            loop {
                request.query = base_query.clone();
                request.query.push((page_param.clone(), number.to_string()));
                request
                    .query
                    .push((size_param.clone(), page_size.to_string()));
                let page = take_items(&fetch_page(api, &request).await?, items_field.as_ref())?;
                let count = page.len();
                if !extend_unless_repeated(&mut items, page)? || count < *page_size {
                    break;
                }
                number += 1;
            }
        }
        Pagination::None { items_field } => {
            let page = fetch_page(api, &request).await?;
            items = take_items(&page, items_field.as_ref())?;
        }
    }
    Ok(items)
}

/// Adds a page to `items`; false for an empty page. A server that ignores the page parameter
/// would send the same page forever: a page starting like the previous one is an error.
fn extend_unless_repeated(
    items: &mut Vec<WireObject>,
    page: Vec<WireObject>,
) -> Result<bool, DirectoryError> {
    let Some(first) = page.first() else {
        return Ok(false);
    };
    let previous_start = items.len().checked_sub(page.len());
    if previous_start.is_some_and(|start| items.get(start) == Some(first)) {
        return Err(decode("list response", "the same page came back twice"));
    }
    items.extend(page);
    Ok(true)
}

/// One page: a JSON object or array (an empty body counts as an empty list).
async fn fetch_page(api: &Api, request: &ApiRequest) -> Result<Value, DirectoryError> {
    let reply = api.send_ok(request).await?;
    if reply.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&reply.body).map_err(|error| decode("list response", error))
}

/// The items of a page: a bare array, or the array under `items_field` (absent = none).
fn take_items(
    page: &Value,
    items_field: Option<&String>,
) -> Result<Vec<WireObject>, DirectoryError> {
    let items = match (page, items_field) {
        (Value::Null, _) => return Ok(Vec::new()),
        (Value::Array(items), _) => items,
        (Value::Object(object), Some(field)) => match object.get(field.as_str()) {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(_) => {
                return Err(decode(
                    "list response",
                    format!("`{field}` is not an array"),
                ))
            }
        },
        (Value::Object(object), None) => match object.get("items") {
            Some(Value::Array(items)) => items,
            _ => return Ok(Vec::new()),
        },
        _ => return Err(decode("list response", "neither an object nor an array")),
    };
    items
        .iter()
        .map(|item| match item {
            Value::Object(object) => Ok(WireObject::from_json_object(object.clone())),
            _ => Err(decode("list response", "an item is not an object")),
        })
        .collect()
}

fn truthy(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(flag)) => *flag,
        Some(Value::String(text)) => text.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

fn cursor_of(page: &Value, cursor_field: &str) -> Option<String> {
    match page.get(cursor_field)? {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn set_cursor(
    request: &mut ApiRequest,
    base_query: &[(String, String)],
    cursor_param: &Option<String>,
    cursor_body_field: &Option<String>,
    cursor: &str,
) -> Result<(), DirectoryError> {
    if request.method != reqwest::Method::GET {
        if let Some(field) = cursor_body_field {
            let mut body: WireObject = match &request.body {
                Some(bytes) => serde_json::from_slice(bytes)
                    .map_err(|error| decode("list request body", error))?,
                None => WireObject::new(),
            };
            body.insert(field.clone(), Value::String(cursor.to_owned()));
            request.body = Some(body.to_json_bytes());
            return Ok(());
        }
    }
    let param = cursor_param.as_deref().unwrap_or("cursor");
    request.query = base_query.to_vec();
    request.query.push((param.to_owned(), cursor.to_owned()));
    Ok(())
}
