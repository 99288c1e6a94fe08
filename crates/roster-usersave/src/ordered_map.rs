//! A string-keyed map that keeps its keys in the order they were read or inserted.
//!
//! Wire objects are sent back as they were received (read-modify-write), request bodies have a
//! documented field order, and profile tables such as `create_defaults` are templates whose
//! order is the order of the body. `serde_json::Map` sorts its keys unless a crate-wide feature
//! is switched on for every crate in the build, so this small type keeps the order instead.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

/// Keys in insertion order; setting an existing key replaces its value in place.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderedMap<V = Value> {
    entries: Vec<(String, V)>,
}

/// A JSON object as it travels on the wire.
pub(crate) type WireObject = OrderedMap<Value>;

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
        }
    }
}

impl<V> OrderedMap<V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.entries
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value)
    }

    /// True when `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key`, keeping its position when it is already there.
    pub fn insert(&mut self, key: impl Into<String>, value: V) {
        let key = key.into();
        match self.entries.iter_mut().find(|(name, _)| *name == key) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((key, value)),
        }
    }

    /// Removes `key` and returns its value.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        let index = self.entries.iter().position(|(name, _)| name == key)?;
        Some(self.entries.remove(index).1)
    }

    /// The entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.entries
            .iter()
            .map(|(name, value)| (name.as_str(), value))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl OrderedMap<Value> {
    /// The text under `key`, when it is a string.
    pub(crate) fn text(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    /// A map from a JSON object (its keys come sorted, as `serde_json` keeps them).
    pub(crate) fn from_json_object(object: serde_json::Map<String, Value>) -> Self {
        Self {
            entries: object.into_iter().collect(),
        }
    }

    /// The map as a compact JSON body, in its key order.
    pub(crate) fn to_json_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a map of JSON values always serialises")
    }
}

impl<V> FromIterator<(String, V)> for OrderedMap<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(iter: I) -> Self {
        let mut map = Self::new();
        for (key, value) in iter {
            map.insert(key, value);
        }
        map
    }
}

impl<V: Serialize> Serialize for OrderedMap<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (key, value) in &self.entries {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedVisitor<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for OrderedVisitor<V> {
            type Value = OrderedMap<V>;

            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("an object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut map = OrderedMap::new();
                while let Some((key, value)) = access.next_entry::<String, V>()? {
                    map.insert(key, value);
                }
                Ok(map)
            }
        }

        deserializer.deserialize_map(OrderedVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_order_it_read_and_replaces_in_place() {
        let mut map: WireObject = serde_json::from_str(r#"{"z":1,"a":2,"m":3}"#).unwrap();
        map.insert("a", Value::from(20));
        map.insert("b", Value::from(4));
        assert_eq!(map.remove("z"), Some(Value::from(1)));
        assert_eq!(
            String::from_utf8(map.to_json_bytes()).unwrap(),
            r#"{"a":20,"m":3,"b":4}"#
        );
        assert_eq!(map.len(), 3);
        assert!(map.contains_key("m") && !map.contains_key("z"));
    }
}
