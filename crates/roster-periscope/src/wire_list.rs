//! Decoding a list answer entity by entity, straight from the body: a list of a million users
//! never exists as a JSON tree beside the users decoded from it.

use std::fmt;
use std::ops::ControlFlow;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::wire::{page_token, Entity};

/// Takes each entity of a list as it is decoded; `Break` skips the rest of the list unread.
pub(crate) type Each<'a, T> = dyn FnMut(T) -> ControlFlow<()> + 'a;

/// A list answer: a bare array, or an object holding the array under `T::LIST` (preferred)
/// or `data`, with an optional `next_page_start`; other keys are skipped unread. Its value is
/// the `next_page_start` token.
pub(crate) struct PageVisitor<'a, T> {
    pub each: &'a mut Each<'a, T>,
}

impl<'de, T: Entity> Visitor<'de> for PageVisitor<'_, T> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array or an object")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<String>, A::Error> {
        Items { each: self.each }.visit_seq(seq)?;
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
        let each = self.each;
        let (mut listed, mut data, mut next) = (false, None::<Vec<T>>, None);
        while let Some(key) = map.next_key::<String>()? {
            if key == T::LIST && !listed {
                map.next_value_seed(Items { each: &mut *each })?;
                listed = true;
            } else if key == "data" && !listed && data.is_none() {
                // `data` counts only when there is no `T::LIST`, which may still follow, so
                // its entities wait here instead of going out.
                let mut held = Vec::new();
                map.next_value_seed(Items {
                    each: &mut |item| {
                        held.push(item);
                        ControlFlow::Continue(())
                    },
                })?;
                data = Some(held);
            } else if key == "next_page_start" {
                next = Some(map.next_value::<Value>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if !listed {
            let held = data.ok_or_else(|| {
                de::Error::custom(format!("expected an array under `{}` or `data`", T::LIST))
            })?;
            for item in held {
                if each(item).is_break() {
                    break;
                }
            }
        }
        page_token(next.as_ref()).map_err(de::Error::custom)
    }
}

/// The array of entities, each handed over as soon as it is read.
struct Items<'a, 'b, T> {
    each: &'b mut Each<'a, T>,
}

impl<'de, T: Entity> DeserializeSeed<'de> for Items<'_, '_, T> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, T: Entity> Visitor<'de> for Items<'_, '_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an array of {}s", T::WRAPPER)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            match seq.next_element::<T>() {
                Ok(Some(item)) => {
                    if (self.each)(item).is_break() {
                        // The rest is still read, so the answer is checked to its end.
                        while seq.next_element::<IgnoredAny>()?.is_some() {}
                        return Ok(());
                    }
                }
                Ok(None) => return Ok(()),
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
    use std::ops::ControlFlow;

    use crate::wire::{each_in_page, page, WireUser};

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

    #[test]
    fn data_is_the_list_only_when_the_list_key_is_absent() {
        let body = br#"{"data":[{"email":"d1@x.org"},{"email":"d2@x.org"}],"items_this_page":2}"#;
        let page = page::<WireUser>(body).unwrap();
        let emails: Vec<String> = page.items.into_iter().map(|user| user.email).collect();
        assert_eq!(emails, ["d1@x.org", "d2@x.org"]);
        assert_eq!(page.next_page_start, None);
    }

    #[test]
    fn entities_are_handed_over_in_order_until_the_taker_stops() {
        let body = br#"{"users":[{"email":"a@x.org"},{"email":"b@x.org"},{"email":"c@x.org"}],"next_page_start":9}"#;
        let mut taken = Vec::new();
        let next = each_in_page::<WireUser>(body, &mut |user| {
            taken.push(user.email);
            if taken.len() == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
        assert_eq!(taken, ["a@x.org", "b@x.org"]);
        assert_eq!(
            next.as_deref(),
            Some("9"),
            "the rest of the answer is still read"
        );
    }
}
