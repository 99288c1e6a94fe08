use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;

/// A JSON value whose objects keep their keys in the order they were built.
///
/// Wire specs give key order for some bodies; `serde_json::Map` sorts keys unless the
/// workspace-wide `preserve_order` feature is on, so bodies with a fixed order are built
/// with this type instead.
#[derive(Clone, Debug, PartialEq)]
pub enum OrderedJson {
    /// An object, keys in emission order.
    Object(Vec<(String, OrderedJson)>),
    /// An array.
    Array(Vec<OrderedJson>),
    /// Any other value, emitted as serde_json emits it (nested maps in sorted order).
    Value(Value),
}

impl OrderedJson {
    /// An empty object, to be filled with [`OrderedJson::push`].
    pub fn object() -> Self {
        OrderedJson::Object(Vec::new())
    }

    /// Appends `key: value` when `self` is an object (ignored otherwise).
    pub fn push(&mut self, key: impl Into<String>, value: impl Into<OrderedJson>) {
        if let OrderedJson::Object(entries) = self {
            entries.push((key.into(), value.into()));
        }
    }

    /// Builder form of [`OrderedJson::push`].
    pub fn with(mut self, key: impl Into<String>, value: impl Into<OrderedJson>) -> Self {
        self.push(key, value);
        self
    }

    /// The compact JSON text.
    pub fn to_vec(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("JSON values always serialise")
    }
}

impl From<Value> for OrderedJson {
    fn from(value: Value) -> Self {
        OrderedJson::Value(value)
    }
}

impl From<&str> for OrderedJson {
    fn from(value: &str) -> Self {
        OrderedJson::Value(Value::String(value.to_owned()))
    }
}

impl From<String> for OrderedJson {
    fn from(value: String) -> Self {
        OrderedJson::Value(Value::String(value))
    }
}

impl From<bool> for OrderedJson {
    fn from(value: bool) -> Self {
        OrderedJson::Value(Value::Bool(value))
    }
}

impl From<u64> for OrderedJson {
    fn from(value: u64) -> Self {
        OrderedJson::Value(Value::from(value))
    }
}

impl From<Vec<OrderedJson>> for OrderedJson {
    fn from(items: Vec<OrderedJson>) -> Self {
        OrderedJson::Array(items)
    }
}

impl Serialize for OrderedJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            OrderedJson::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
            OrderedJson::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            OrderedJson::Value(value) => value.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_insertion_order() {
        let body = OrderedJson::object()
            .with("zeta", 1u64)
            .with("alpha", vec![OrderedJson::from("x")])
            .with("mid", true);
        assert_eq!(body.to_vec(), br#"{"zeta":1,"alpha":["x"],"mid":true}"#);
    }
}
