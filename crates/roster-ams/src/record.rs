//! A person record exactly as `person/get` returned it: every key in server order, every value
//! byte for byte, so a read-modify-write sends back what it did not change untouched
//! (spec §5.4).

use std::fmt;

use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::Value;

/// Keys `person/save` receives as strings (spec §5.4 step 3).
const SENT_AS_STRINGS: [&str; 17] = [
    "id",
    "avatarId",
    "organisationId",
    "ownerId",
    "plan",
    "state",
    "uuid",
    "emailAddress",
    "firstName",
    "lastName",
    "username",
    "dateOfBirth",
    "knownAs",
    "middleNames",
    "language",
    "sidebarWidth",
    "sex",
];

/// One person (v2 form), keys in the order received.
#[derive(Clone, Debug, Default)]
pub struct PersonRecord {
    fields: Vec<(String, Box<RawValue>)>,
}

impl PersonRecord {
    /// The raw JSON of `key`, if present.
    pub fn raw(&self, key: &str) -> Option<&RawValue> {
        self.fields
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.as_ref())
    }

    /// `key` read as `T`; `None` when absent, null or of another type.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.raw(key)
            .and_then(|raw| serde_json::from_str::<Option<T>>(raw.get()).ok())
            .flatten()
    }

    /// `key` as text: a string as it is, a number printed; `None` otherwise.
    pub fn text(&self, key: &str) -> Option<String> {
        match self.get::<Value>(key)? {
            Value::String(text) => Some(text),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        }
    }

    /// The integer id, accepted as a number or a numeric string.
    pub fn id(&self) -> Option<i64> {
        match self.get::<Value>("id")? {
            Value::Number(number) => number.as_i64(),
            Value::String(text) => text.trim().parse().ok(),
            _ => None,
        }
    }

    /// Replaces `key`'s value in place, or appends the key when the record lacks it.
    pub fn set(&mut self, key: &str, value: &Value) {
        let raw = RawValue::from_string(value.to_string()).expect("a JSON value prints as JSON");
        match self.fields.iter_mut().find(|(name, _)| name == key) {
            Some((_, slot)) => *slot = raw,
            None => self.fields.push((key.to_owned(), raw)),
        }
    }

    /// The form `person/save` takes: the same keys and values, with the ids and text fields of
    /// [`SENT_AS_STRINGS`] turned into strings where they are numbers.
    pub fn into_save_form(mut self) -> Self {
        for (name, raw) in &mut self.fields {
            if !SENT_AS_STRINGS.contains(&name.as_str()) {
                continue;
            }
            if let Ok(Value::Number(number)) = serde_json::from_str::<Value>(raw.get()) {
                *raw = RawValue::from_string(Value::String(number.to_string()).to_string())
                    .expect("a JSON string prints as JSON");
            }
        }
        self
    }
}

impl Serialize for PersonRecord {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.fields.len()))?;
        for (name, value) in &self.fields {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for PersonRecord {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(RecordVisitor)
    }
}

struct RecordVisitor;

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = PersonRecord;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a person object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PersonRecord, A::Error> {
        let mut record = PersonRecord::default();
        while let Some((name, value)) = map.next_entry::<String, Box<RawValue>>()? {
            // A repeated key keeps its first place and its last value, as JSON readers do.
            match record.fields.iter_mut().find(|(known, _)| *known == name) {
                Some((_, slot)) => *slot = value,
                None => record.fields.push((name, value)),
            }
        }
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORDED: &str = r#"{"active":true,"admin":false,"sex":"0","avatarId":93831,"id":72827,"uuid":null,"emailAddress":"riley.jones@newdomain.com","phoneNumbers":[{"type":1,"countryCode":"1","number":"4567891","prefix":"333"}],"favoriteEvents":[],"__mtime__":1747137396964}"#;

    #[test]
    fn a_record_round_trips_byte_for_byte() {
        let record: PersonRecord = serde_json::from_str(RECORDED).unwrap();
        assert_eq!(serde_json::to_string(&record).unwrap(), RECORDED);
        assert_eq!(record.id(), Some(72827));
        assert_eq!(record.text("avatarId").as_deref(), Some("93831"));
        assert_eq!(record.get::<bool>("active"), Some(true));
        assert_eq!(record.get::<String>("uuid"), None);
    }

    #[test]
    fn the_save_form_turns_ids_into_strings_and_keeps_the_rest() {
        let mut record: PersonRecord = serde_json::from_str(RECORDED).unwrap();
        record.set("emailAddress", &Value::String("r@x.com".into()));
        record.set("knownAs", &Value::String("Ri".into()));
        let sent = serde_json::to_string(&record.into_save_form()).unwrap();
        assert_eq!(
            sent,
            r#"{"active":true,"admin":false,"sex":"0","avatarId":"93831","id":"72827","uuid":null,"emailAddress":"r@x.com","phoneNumbers":[{"type":1,"countryCode":"1","number":"4567891","prefix":"333"}],"favoriteEvents":[],"__mtime__":1747137396964,"knownAs":"Ri"}"#
        );
    }

    #[test]
    fn a_non_object_is_refused() {
        assert!(serde_json::from_str::<PersonRecord>("[1,2]").is_err());
        assert!(serde_json::from_str::<PersonRecord>("{\"id\":").is_err());
    }
}
