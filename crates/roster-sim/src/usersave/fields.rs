//! Reading stored objects through a profile's field names, and writing them in its key order.

use serde_json::{Map, Value};

use super::profile::{Active, GroupFields, UserFields};
use crate::common::OrderedJson;

/// A string field.
pub fn text<'a>(obj: &'a Map<String, Value>, field: &str) -> Option<&'a str> {
    obj.get(field).and_then(Value::as_str)
}

/// A boolean field, false when absent.
pub fn flag(obj: &Map<String, Value>, field: Option<&String>) -> bool {
    field
        .and_then(|f| obj.get(f))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// The first id field present.
pub fn id_of<'a>(obj: &'a Map<String, Value>, ids: &[String]) -> Option<&'a str> {
    ids.iter()
        .find_map(|f| text(obj, f))
        .filter(|s| !s.is_empty())
}

/// Writes `id` into every id field.
pub fn set_ids(obj: &mut Map<String, Value>, ids: &[String], id: &str) {
    for field in ids {
        obj.insert(field.clone(), Value::String(id.to_owned()));
    }
}

impl UserFields {
    /// The user's id.
    pub fn id<'a>(&self, obj: &'a Map<String, Value>) -> Option<&'a str> {
        id_of(obj, &self.id)
    }

    /// The user's e-mail.
    pub fn email_of<'a>(&self, obj: &'a Map<String, Value>) -> Option<&'a str> {
        text(obj, &self.email)
    }

    /// Whether `reference` names this user: exact id, or e-mail ignoring case.
    pub fn matches(&self, obj: &Map<String, Value>, reference: &str) -> bool {
        self.id(obj) == Some(reference)
            || self
                .email_of(obj)
                .is_some_and(|e| e.eq_ignore_ascii_case(reference))
    }

    /// Active unless the status / flag says otherwise (absent = active).
    pub fn is_active(&self, obj: &Map<String, Value>) -> bool {
        match &self.active {
            Active::Status {
                field, inactive, ..
            } => text(obj, field) != Some(inactive.as_str()),
            Active::Flag { field, invert } => match obj.get(field).and_then(Value::as_bool) {
                None => true,
                Some(set) => set != *invert,
            },
        }
    }

    /// `"first last"`, trimmed.
    pub fn full_name(&self, obj: &Map<String, Value>) -> String {
        let first = text(obj, &self.first_name).unwrap_or("");
        let last = text(obj, &self.last_name).unwrap_or("");
        format!("{first} {last}").trim().to_owned()
    }
}

impl GroupFields {
    /// The group's id.
    pub fn id<'a>(&self, obj: &'a Map<String, Value>) -> Option<&'a str> {
        id_of(obj, &self.id)
    }

    /// Whether this is a built-in group (holds every user, cannot change).
    pub fn is_implicit(&self, obj: &Map<String, Value>) -> bool {
        self.implicit
            .as_ref()
            .is_some_and(|i| text(obj, &i.field).is_some_and(|v| i.values.iter().any(|x| x == v)))
    }
}

/// The object with keys in `order` first, the rest sorted; nulls and empty arrays are left out
/// (unset fields are not serialised on the wire).
pub fn render(obj: &Map<String, Value>, order: &[String]) -> OrderedJson {
    let keep = |v: &Value| !v.is_null() && !matches!(v, Value::Array(a) if a.is_empty());
    let mut out = OrderedJson::object();
    for key in order {
        if let Some(value) = obj.get(key).filter(|v| keep(v)) {
            out.push(key.as_str(), value.clone());
        }
    }
    let mut rest: Vec<_> = obj
        .iter()
        .filter(|(k, v)| !order.contains(k) && keep(v))
        .collect();
    rest.sort_by(|a, b| a.0.cmp(b.0));
    for (key, value) in rest {
        out.push(key.as_str(), value.clone());
    }
    out
}

/// Naive UTC with microseconds, e.g. `2024-05-02T09:14:03.120044`.
pub fn now_timestamp() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6f")
        .to_string()
}
