//! List answers: cursor + `more` pages (spec §2.13, §6.4) or one bare array.
//!
//! The rules the SDK depends on: `more` is always present, `items` only when non-empty,
//! `cursor` exactly when `more` is true, and `more` is never true on an empty page. The
//! cursor is the base64url text of the creation-order position of the next item.

use base64::Engine;
use serde_json::Value;

use super::profile::Pagination;
use crate::common::OrderedJson;

/// Where a page starts and how long it is, as the request asked.
pub struct PageRequest {
    /// Creation-order position to start from.
    pub start: u64,
    /// Items per page.
    pub size: usize,
}

/// Why a page request is refused.
pub struct BadPage(pub String);

/// Reads the cursor and page size from query values (or body values for POST lists).
pub fn page_request(
    pagination: &Pagination,
    cursor: Option<&Value>,
    size: Option<&Value>,
    cap: Option<usize>,
) -> Result<PageRequest, BadPage> {
    let Pagination::CursorMore {
        default_page_size,
        page_size_param,
        ..
    } = pagination
    else {
        return Ok(PageRequest {
            start: 0,
            size: usize::MAX,
        });
    };
    let start = match cursor.filter(|v| !matches!(v, Value::Null)) {
        None => 0,
        Some(Value::String(s)) if s.is_empty() => 0,
        Some(Value::String(s)) => decode(s).ok_or_else(|| BadPage("Invalid cursor".into()))?,
        Some(_) => return Err(BadPage("Invalid cursor".into())),
    };
    let asked = match size.filter(|v| !matches!(v, Value::Null)) {
        None => *default_page_size as i64,
        Some(Value::Number(n)) => n.as_i64().ok_or_else(|| bad_size(page_size_param))?,
        Some(Value::String(s)) if s.is_empty() => *default_page_size as i64,
        Some(Value::String(s)) => s.parse().map_err(|_| bad_size(page_size_param))?,
        Some(_) => return Err(bad_size(page_size_param)),
    };
    if asked < 1 {
        return Err(bad_size(page_size_param));
    }
    let size = (asked as usize).min(cap.unwrap_or(usize::MAX));
    Ok(PageRequest { start, size })
}

fn bad_size(param: &str) -> BadPage {
    BadPage(format!(
        "Invalid value for {param}: it must be an integer of at least 1"
    ))
}

/// One page of `items` (creation position, item), already filtered and in order. Only the
/// items on the page are rendered, so a long listing costs one render per item overall.
pub fn page<T>(
    pagination: &Pagination,
    items: impl IntoIterator<Item = (u64, T)>,
    request: &PageRequest,
    render: impl Fn(T) -> OrderedJson,
) -> OrderedJson {
    let Pagination::CursorMore {
        items_field,
        more_field,
        cursor_field,
        ..
    } = pagination
    else {
        return OrderedJson::Array(items.into_iter().map(|(_, item)| render(item)).collect());
    };
    let mut rest = items.into_iter().filter(|(seq, _)| *seq >= request.start);
    let chosen: Vec<OrderedJson> = rest
        .by_ref()
        .take(request.size)
        .map(|(_, item)| render(item))
        .collect();
    let next = rest.next().map(|(seq, _)| seq);
    let has_items = !chosen.is_empty();
    let mut body = OrderedJson::object();
    if has_items {
        body.push(items_field.as_str(), chosen);
    }
    match next {
        Some(seq) if has_items => {
            body.push(more_field.as_str(), true);
            body.push(cursor_field.as_str(), encode(seq));
        }
        _ => body.push(more_field.as_str(), false),
    }
    body
}

fn encode(seq: u64) -> String {
    base64::engine::general_purpose::URL_SAFE.encode(seq.to_string())
}

fn decode(cursor: &str) -> Option<u64> {
    let engines = [
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::STANDARD,
    ];
    let bytes = engines
        .iter()
        .find_map(|e| e.decode(cursor).ok())
        .or_else(|| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(cursor.trim_end_matches('='))
                .ok()
        })?;
    std::str::from_utf8(&bytes).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_is_base64_of_the_position() {
        assert_eq!(encode(2), "Mg==");
        assert_eq!(decode("Mg=="), Some(2));
        assert_eq!(decode("Mg"), Some(2));
        assert_eq!(decode("!!"), None);
    }
}
