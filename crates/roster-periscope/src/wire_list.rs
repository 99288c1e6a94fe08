//! Decoding a list answer entity by entity, straight from the body: a list of a million users
//! never exists as a JSON tree beside the users decoded from it.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::wire::{page_token, Entity, Page};

/// A list answer: a bare array, or an object holding the array under `T::LIST` (preferred)
/// or `data`, with an optional `next_page_start`; other keys are skipped unread.
pub(crate) struct PageVisitor<T>(pub PhantomData<T>);

impl<'de, T: Entity> Visitor<'de> for PageVisitor<T> {
    type Value = Page<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array or an object")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Page<T>, A::Error> {
        Ok(Page {
            items: Items::<T>(PhantomData).visit_seq(seq)?,
            next_page_start: None,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Page<T>, A::Error> {
        let (mut listed, mut data, mut next) = (None, None, None);
        while let Some(key) = map.next_key::<String>()? {
            if key == T::LIST {
                listed = Some(map.next_value_seed(Items::<T>(PhantomData))?);
            } else if key == "data" {
                data = Some(map.next_value_seed(Items::<T>(PhantomData))?);
            } else if key == "next_page_start" {
                next = Some(map.next_value::<Value>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        let items = listed.or(data).ok_or_else(|| {
            de::Error::custom(format!("expected an array under `{}` or `data`", T::LIST))
        })?;
        let next_page_start = page_token(next.as_ref()).map_err(de::Error::custom)?;
        Ok(Page {
            items,
            next_page_start,
        })
    }
}

/// The array of entities, each decoded as it is read.
struct Items<T>(PhantomData<T>);

impl<'de, T: Entity> DeserializeSeed<'de> for Items<T> {
    type Value = Vec<T>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Vec<T>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, T: Entity> Visitor<'de> for Items<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an array of {}s", T::WRAPPER)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut items = Vec::new();
        loop {
            match seq.next_element::<T>() {
                Ok(Some(item)) => items.push(item),
                Ok(None) => return Ok(items),
                Err(error) => {
                    return Err(de::Error::custom(format!(
                        "a listed {} is malformed: {error}",
                        T::WRAPPER
                    )))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::wire::{page, WireUser};

    #[test]
    fn the_list_key_wins_over_data_and_other_keys_are_skipped() {
        let body = br#"{"data":[{"email":"d@x.org"}],"meta":{"deep":[1,{"a":2}]},"users":[{"email":"u@x.org"}],"next_page_start":"7"}"#;
        let page = page::<WireUser>(body).unwrap();
        let emails: Vec<String> = page.items.into_iter().map(|user| user.email).collect();
        assert_eq!(emails, ["u@x.org"]);
        assert_eq!(page.next_page_start.as_deref(), Some("7"));
    }

    #[test]
    fn errors_say_what_was_wrong() {
        let malformed = page::<WireUser>(br#"{"users":[{"email":"a@x.org"},{"email":7}]}"#);
        assert!(
            malformed
                .err()
                .is_some_and(|e| e.contains("a listed user is malformed")),
            "an entity of the wrong shape is named"
        );
        let truncated = page::<WireUser>(br#"{"users":[{"email":"a@x.org"}"#);
        assert!(truncated.err().is_some_and(|e| e.contains("EOF")));
        let not_json = page::<WireUser>(b"<html>");
        assert!(not_json.err().is_some_and(|e| e.starts_with("not JSON")));
        let unwrapped = page::<WireUser>(br#"{"people":[]}"#);
        assert!(unwrapped
            .err()
            .is_some_and(|e| e.contains("expected an array under `users` or `data`")));
    }
}
