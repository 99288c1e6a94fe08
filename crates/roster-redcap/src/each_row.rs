//! Decoding an export row by row, straight from the body: a listing of a million users never
//! exists as a `Vec` of rows beside the users made from it.

use std::fmt;
use std::marker::PhantomData;
use std::ops::ControlFlow;

use serde::de::{DeserializeOwned, IgnoredAny, SeqAccess, Visitor};
use serde::Deserializer as _;

/// Takes each row of an export as it is decoded; `Break` skips the rest unread.
pub(crate) type Each<'a, T> = dyn FnMut(T) -> ControlFlow<()> + Send + 'a;

/// Hands each row of the JSON array `body` to `each`, in order. The errors are serde_json's
/// own, as decoding the body into a `Vec<T>` gives them (same wording, same positions), so a
/// malformed export reads the same whether it was streamed or collected.
pub(crate) fn each_row<T: DeserializeOwned>(
    body: &str,
    each: &mut Each<'_, T>,
) -> Result<(), serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(body);
    deserializer.deserialize_seq(Rows {
        each,
        row: PhantomData,
    })?;
    // Like `serde_json::from_str`: nothing but whitespace may follow the array.
    deserializer.end()
}

/// The array of rows, each handed over as soon as it is read.
struct Rows<'a, 'b, T> {
    each: &'b mut Each<'a, T>,
    row: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Rows<'_, '_, T> {
    type Value = ();

    /// What a `Vec` expects, so the message of a body that is no array does not change.
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(row) = seq.next_element::<T>()? {
            if (self.each)(row).is_break() {
                // The rest is still read as JSON (not as rows), so a truncated or broken body
                // is an error whether or not the taker stopped early.
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                return Ok(());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::ops::ControlFlow;

    use super::each_row;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Row {
        username: String,
    }

    fn collected(body: &str) -> Result<Vec<String>, String> {
        let mut names = Vec::new();
        each_row::<Row>(body, &mut |row| {
            names.push(row.username);
            ControlFlow::Continue(())
        })
        .map_err(|error| error.to_string())?;
        Ok(names)
    }

    #[test]
    fn rows_come_in_order_and_errors_read_as_a_vec_would_give_them() {
        assert_eq!(
            collected(r#"[{"username":"a"},{"username":"b"}]"#),
            Ok(vec!["a".to_owned(), "b".to_owned()])
        );
        for body in [
            "",
            r#"{"username":1}"#,
            r#"[{"nousername":true}]"#,
            "[{",
            "<html>oops</html>",
            "[1,2]",
            r#"[{"username":"a"}] trailing"#,
        ] {
            let whole = serde_json::from_str::<Vec<Row>>(body)
                .map(|rows| rows.into_iter().map(|row| row.username).collect())
                .map_err(|error| error.to_string());
            assert_eq!(collected(body), whole, "{body:?}");
            assert!(whole.is_err(), "{body:?}");
        }
    }

    #[test]
    fn a_break_skips_the_rest_but_still_checks_it() {
        let mut taken = Vec::new();
        each_row::<Row>(
            r#"[{"username":"a"},{"username":"b"},{"username":"c"}]"#,
            &mut |row| {
                taken.push(row.username);
                ControlFlow::Break(())
            },
        )
        .expect("well formed");
        assert_eq!(taken, ["a"]);
        let malformed_tail =
            each_row::<Row>(r#"[{"username":"a"},{"#, &mut |_| ControlFlow::Break(()));
        assert!(malformed_tail.is_err());
    }
}
