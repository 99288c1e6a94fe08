//! The JSON the API speaks, and the tolerant reading of answers whose real shapes are unknown:
//! lists as bare arrays or wrapped in an object (under `users`/`groups` or `data`, with an
//! optional `next_page_start`), single entities bare, wrapped (`user`/`group`) or as a
//! one-element array.

use std::ops::ControlFlow;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::error::Category;
use serde_json::{Map, Value};

use crate::wire_list::{Each, PageVisitor};

/// A user as the API reports it; every field but the known ones is kept in `extra`.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct WireUser {
    pub email: String,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub groups: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A group as the API reports it; `access` and any other field stay in `extra`.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct WireGroup {
    pub name: String,
    #[serde(default)]
    pub id: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What tells an entity apart from an envelope around it.
pub(crate) trait Entity: DeserializeOwned {
    /// The field every entity has.
    const IDENTITY: &'static str;
    /// The key a single entity may be wrapped under.
    const WRAPPER: &'static str;
    /// The key a list may be wrapped under.
    const LIST: &'static str;
}

impl Entity for WireUser {
    const IDENTITY: &'static str = "email";
    const WRAPPER: &'static str = "user";
    const LIST: &'static str = "users";
}

impl Entity for WireGroup {
    const IDENTITY: &'static str = "name";
    const WRAPPER: &'static str = "group";
    const LIST: &'static str = "groups";
}

/// One page of a list.
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next_page_start: Option<String>,
}

/// Reads a whole list answer into a page.
pub(crate) fn page<T: Entity>(body: &[u8]) -> Result<Page<T>, String> {
    let mut items = Vec::new();
    let next_page_start = each_in_page(body, &mut |item| {
        items.push(item);
        ControlFlow::Continue(())
    })?;
    Ok(Page {
        items,
        next_page_start,
    })
}

/// Reads a list answer, handing each entity to `each` as soon as it is decoded, and returns
/// where the next page starts. Nothing is held beside the body: no JSON tree of the whole list
/// (several times the body for a million users), no vector of its entities.
pub(crate) fn each_in_page<T: Entity>(
    body: &[u8],
    each: &mut Each<'_, T>,
) -> Result<Option<String>, String> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let read = serde::Deserializer::deserialize_any(&mut deserializer, PageVisitor { each })
        .and_then(|next| deserializer.end().map(|()| next));
    read.map_err(|error| match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => format!("not JSON: {error}"),
        Category::Data => error.to_string(),
    })
}

pub(crate) fn page_token(value: Option<&Value>) -> Result<Option<String>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(token)) if token.is_empty() => Ok(None),
        Some(Value::String(token)) => Ok(Some(token.clone())),
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        Some(other) => Err(format!("unexpected next_page_start {other}")),
    }
}

/// Reads a single-entity answer; `None` when the body is not one (empty, not JSON, or some
/// other object).
pub(crate) fn entity<T: Entity>(body: &[u8]) -> Option<T> {
    serde_json::from_slice(body).ok().and_then(entity_in::<T>)
}

fn entity_in<T: Entity>(value: Value) -> Option<T> {
    match value {
        Value::Array(mut items) if items.len() == 1 => entity_in(items.remove(0)),
        Value::Object(mut map) if !map.contains_key(T::IDENTITY) => match map.remove(T::WRAPPER) {
            Some(inner @ Value::Object(_)) => entity_in(inner),
            _ => None,
        },
        object @ Value::Object(_) => serde_json::from_value(object).ok(),
        _ => None,
    }
}

/// `POST /api/v1/users`, in the contract's field order.
#[derive(Serialize)]
pub(crate) struct CreateUserBody<'a> {
    pub email: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<&'a str>,
    pub groups: Vec<&'a str>,
    pub invited_by_email: &'a str,
}

/// `PUT /api/v1/users`: only the fields that change.
#[derive(Default, Serialize)]
pub(crate) struct UpdateUserBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<&'a str>,
    /// The complete set (never a delta), without implicit groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<&'a str>>,
}

impl UpdateUserBody<'_> {
    /// True when the body would change nothing.
    pub fn is_empty(&self) -> bool {
        self.first_name.is_none() && self.last_name.is_none() && self.groups.is_none()
    }
}

/// `POST /api/v1/groups`.
#[derive(Serialize)]
pub(crate) struct CreateGroupBody<'a> {
    pub name: &'a str,
    pub access: &'a str,
    pub created_by_email: &'a str,
}

/// `PUT /api/v1/groups/<name>`.
#[derive(Serialize)]
pub(crate) struct UpdateGroupBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_by_email: Option<&'a str>,
}

/// A request body as bytes.
pub(crate) fn to_body(body: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(body).expect("request bodies are plain structs of strings")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emails(body: &str) -> (Vec<String>, Option<String>) {
        let page = page::<WireUser>(body.as_bytes()).unwrap();
        (
            page.items.into_iter().map(|user| user.email).collect(),
            page.next_page_start,
        )
    }

    #[test]
    fn lists_come_bare_wrapped_or_paged() {
        let one = (vec!["a@x.org".to_owned()], None);
        assert_eq!(emails(r#"[{"email":"a@x.org"}]"#), one);
        assert_eq!(emails(r#"{"users":[{"email":"a@x.org"}]}"#), one);
        assert_eq!(emails(r#"{"data":[{"email":"a@x.org"}]}"#), one);
        assert_eq!(
            emails(r#"{"users":[{"email":"a@x.org"}],"next_page_start":null}"#),
            one
        );
        assert_eq!(
            emails(r#"{"users":[],"next_page_start":"abc","items_this_page":0}"#),
            (vec![], Some("abc".to_owned()))
        );
        assert_eq!(
            emails(r#"{"users":[],"next_page_start":40}"#),
            (vec![], Some("40".to_owned()))
        );
    }

    #[test]
    fn malformed_lists_are_errors_not_panics() {
        for body in [
            "",
            "nonsense",
            "42",
            r#"{"people":[]}"#,
            r#"{"users":{}}"#,
            r#"[{"first_name":"no email"}]"#,
            r#"[{"email":7}]"#,
            r#"{"users":[],"next_page_start":[]}"#,
        ] {
            assert!(page::<WireUser>(body.as_bytes()).is_err(), "{body}");
        }
    }

    #[test]
    fn single_entities_come_bare_wrapped_or_in_a_one_element_array() {
        for body in [
            r#"{"name":"Analysts","access":"View"}"#,
            r#"{"group":{"name":"Analysts","access":"View"}}"#,
            r#"[{"name":"Analysts","access":"View"}]"#,
        ] {
            let group = entity::<WireGroup>(body.as_bytes()).expect(body);
            assert_eq!(group.name, "Analysts");
            assert_eq!(group.extra["access"], "View");
        }
        for body in ["", "<html>", r#"{"success":true}"#, "[]", r#"[{},{}]"#] {
            assert!(entity::<WireGroup>(body.as_bytes()).is_none(), "{body}");
        }
    }

    #[test]
    fn unknown_user_fields_are_kept() {
        let user =
            entity::<WireUser>(br#"{"email":"a@x.org","id":17,"sso":true,"first_name":null}"#)
                .unwrap();
        assert_eq!(user.first_name, None);
        assert_eq!(user.extra["id"], 17);
        assert_eq!(user.extra["sso"], true);
    }

    #[test]
    fn create_bodies_keep_the_contract_field_order() {
        let body = CreateUserBody {
            email: "bo@example.com",
            first_name: Some("Bo"),
            last_name: Some("Ng"),
            groups: vec!["Analysts"],
            invited_by_email: "admin@example.com",
        };
        assert_eq!(
            String::from_utf8(to_body(&body)).unwrap(),
            r#"{"email":"bo@example.com","first_name":"Bo","last_name":"Ng","groups":["Analysts"],"invited_by_email":"admin@example.com"}"#
        );
    }
}
