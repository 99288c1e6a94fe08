//! List answers: the `{"<key>":[…]}` envelope, or the shapes the §6.7 knobs ask for.

use axum::http::StatusCode;
use axum::response::Response;

use super::reply::{bad_request, json};
use super::request::query_param;
use super::state::PeriscopeState;
use crate::common::OrderedJson;

/// The list answer for `items` under `key` (`users` or `groups`), shaped by the knobs.
///
/// Plain mode ignores every query parameter. With `paginate = n` the list comes `n` at a time
/// like the sibling `/api/v1/dashboards` endpoint: `next_page_start` is an opaque token (null on
/// the last page) and `items_this_page` the count.
pub fn list_body(
    state: &PeriscopeState,
    key: &str,
    items: Vec<OrderedJson>,
    query: Option<&str>,
) -> Response {
    let shape = state.list_shape();
    if shape.bare {
        return json(StatusCode::OK, &OrderedJson::Array(items));
    }
    let Some(page_size) = shape.paginate.filter(|n| *n > 0) else {
        return json(StatusCode::OK, &OrderedJson::object().with(key, items));
    };
    let start = match query_param(query, "next_page_start") {
        None => 0,
        Some(token) => match decode_token(&token) {
            Some(start) if start <= items.len() => start,
            _ => return bad_request("Invalid next_page_start"),
        },
    };
    let end = (start + page_size).min(items.len());
    let page: Vec<_> = items[start..end].to_vec();
    let next = if end < items.len() {
        OrderedJson::from(encode_token(end))
    } else {
        OrderedJson::Value(serde_json::Value::Null)
    };
    let count = page.len() as u64;
    let body = OrderedJson::object()
        .with(key, page)
        .with("next_page_start", next)
        .with("items_this_page", count);
    json(StatusCode::OK, &body)
}

/// Page tokens look opaque to clients but are just the offset.
fn encode_token(offset: usize) -> String {
    format!("offset-{offset}")
}

fn decode_token(token: &str) -> Option<usize> {
    token.strip_prefix("offset-")?.parse().ok()
}
