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
    request: ApiRequest,
    send_page_size: bool,
) -> Result<Vec<WireObject>, DirectoryError> {
    let mut pages = Pages::new(api, pagination, request, send_page_size);
    let mut items = Vec::new();
    while let Some(page) = pages.next().await? {
        items.extend(page);
    }
    Ok(items)
}

/// A list read one page per [`next`](Pages::next), in the profile's pagination style: each
/// call sends one request, so a reader that stops early sends no more.
pub(crate) struct Pages<'a> {
    api: &'a Api,
    pagination: &'a Pagination,
    request: ApiRequest,
    /// The first page's query, which later pages add their own parameters to.
    base_query: Vec<(String, String)>,
    /// Cursors already followed: one coming back would loop forever.
    seen_cursors: HashSet<String>,
    /// The next page's offset (offset style) or number (page-number style).
    position: u64,
    /// The first item of the page before (offset and page-number styles): a server that
    /// ignores the page parameter sends the same page again.
    previous_first: Option<WireObject>,
    done: bool,
}

impl<'a> Pages<'a> {
    /// The pages of the list `request` starts. `send_page_size` adds the profile's page size
    /// parameter (some list endpoints take none).
    pub(crate) fn new(
        api: &'a Api,
        pagination: &'a Pagination,
        mut request: ApiRequest,
        send_page_size: bool,
    ) -> Self {
        let mut position = 0;
        match pagination {
            Pagination::CursorMore {
                page_size_param: Some(param),
                page_size,
                ..
            } if send_page_size => request.query.push((param.clone(), page_size.to_string())),
            Pagination::PageNumber { first_page, .. } => position = *first_page,
            _ => {}
        }
        Self {
            api,
            pagination,
            base_query: request.query.clone(),
            request,
            seen_cursors: HashSet::new(),
            position,
            previous_first: None,
            done: false,
        }
    }

    /// The items of the next page; `None` once the list has no more.
    pub(crate) async fn next(&mut self) -> Result<Option<Vec<WireObject>>, DirectoryError> {
        if self.done {
            return Ok(None);
        }
        let pagination = self.pagination;
        match pagination {
            Pagination::CursorMore {
                cursor_param,
                cursor_body_field,
                items_field,
                more_field,
                cursor_field,
                ..
            } => {
                let cursor = Cursor {
                    param: cursor_param,
                    body_field: cursor_body_field,
                    field: cursor_field,
                };
                self.cursor_page(items_field, more_field.as_ref(), &cursor)
                    .await
                    .map(Some)
            }
            Pagination::Offset {
                offset_param,
                limit_param,
                items_field,
                page_size,
            } => {
                let numbering = Numbering {
                    position_param: offset_param,
                    size_param: limit_param,
                    page_size: *page_size,
                };
                self.numbered_page(&numbering, items_field.as_ref(), Step::ByCount)
                    .await
            }
            Pagination::PageNumber {
                page_param,
                size_param,
                items_field,
                page_size,
                ..
            } => {
                let numbering = Numbering {
                    position_param: page_param,
                    size_param,
                    page_size: *page_size,
                };
                self.numbered_page(&numbering, items_field.as_ref(), Step::ByOne)
                    .await
            }
            Pagination::None { items_field } => {
                self.done = true;
                let page = fetch_page(self.api, &self.request).await?;
                take_items(&page, items_field.as_ref()).map(Some)
            }
        }
    }

    /// One page of a cursor listing; it is the last when it says there is no more.
    async fn cursor_page(
        &mut self,
        items_field: &String,
        more_field: Option<&String>,
        cursor: &Cursor<'_>,
    ) -> Result<Vec<WireObject>, DirectoryError> {
        let page = fetch_page(self.api, &self.request).await?;
        let items = take_items(&page, Some(items_field))?;
        let more = match more_field {
            Some(field) => truthy(page.get(field)),
            None => cursor_of(&page, cursor.field).is_some(),
        };
        if !more {
            self.done = true;
            return Ok(items);
        }
        if items.is_empty() {
            // The SDK stops here too: "more" with nothing in the page is a server bug.
            tracing::warn!(path = %self.request.path, "list said `more` with no items; stopping");
            self.done = true;
            return Ok(items);
        }
        let next = cursor_of(&page, cursor.field).ok_or_else(|| {
            decode(
                "list response",
                format!("`more` without a `{}`", cursor.field),
            )
        })?;
        set_cursor(
            &mut self.request,
            &self.base_query,
            cursor.param,
            cursor.body_field,
            &next,
        )?;
        if !self.seen_cursors.insert(next) {
            return Err(decode("list response", "a cursor came back twice"));
        }
        Ok(items)
    }

    /// One page of an offset or page-number listing: an empty page ends the list (and is not
    /// returned), a short page is the last.
    async fn numbered_page(
        &mut self,
        numbering: &Numbering<'_>,
        items_field: Option<&String>,
        step: Step,
    ) -> Result<Option<Vec<WireObject>>, DirectoryError> {
        self.request.query = self.base_query.clone();
        self.request.query.extend([
            (numbering.position_param.clone(), self.position.to_string()),
            (
                numbering.size_param.clone(),
                numbering.page_size.to_string(),
            ),
        ]);
        let page = take_items(&fetch_page(self.api, &self.request).await?, items_field)?;
        let Some(first) = page.first() else {
            self.done = true;
            return Ok(None);
        };
        // A page starting like the one before: the server ignores the page parameter and
        // would send the same page forever.
        if self.previous_first.as_ref() == Some(first) {
            return Err(decode("list response", "the same page came back twice"));
        }
        self.done = page.len() < numbering.page_size;
        self.position += match step {
            Step::ByCount => page.len() as u64,
            Step::ByOne => 1,
        };
        self.previous_first = Some(first.clone());
        Ok(Some(page))
    }
}

/// Where a cursor listing finds and sends its cursor.
struct Cursor<'a> {
    param: &'a Option<String>,
    body_field: &'a Option<String>,
    field: &'a str,
}

/// The parameters of an offset or page-number listing.
struct Numbering<'a> {
    position_param: &'a String,
    size_param: &'a String,
    page_size: usize,
}

/// How the position moves from one page to the next.
#[derive(Clone, Copy)]
enum Step {
    /// By the items received (offset style).
    ByCount,
    /// By one (page-number style).
    ByOne,
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
