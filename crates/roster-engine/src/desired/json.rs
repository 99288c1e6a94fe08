//! JSON (one array of objects) and JSONL (one object per line).

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::mapping::Columns;
use super::problems::Problems;
use super::validate::{set_cell, Cell};
use super::{DesiredUser, InputOptions};

pub(crate) fn read_array(
    text: &str,
    options: &InputOptions,
    columns: &Columns<'_>,
    problems: &mut Problems,
) -> Vec<DesiredUser> {
    let items = match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => items,
        Ok(_) => {
            problems.add(1, None, None, "expected an array of objects");
            return Vec::new();
        }
        Err(error) => {
            problems.add(
                error.line() as u64,
                None,
                None,
                format!("not valid JSON: {error}"),
            );
            return Vec::new();
        }
    };
    let lines = item_lines(text);
    let repeated = serde_json::from_str::<RepeatedKeys>(text)
        .map(|found| found.0)
        .unwrap_or_default();
    items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| {
            let line = lines.get(index).copied().unwrap_or(0);
            if let Some(names) = repeated.get(index) {
                refuse_repeated(names, line, problems);
            }
            read_object(item, line, options, columns, problems)
        })
        .collect()
}

pub(crate) fn read_lines(
    text: &str,
    options: &InputOptions,
    columns: &Columns<'_>,
    problems: &mut Problems,
) -> Vec<DesiredUser> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .filter_map(|(index, line)| {
            let number = index as u64 + 1;
            match serde_json::from_str::<Value>(line) {
                Ok(item) => {
                    if let Ok(RepeatedKeys(found)) =
                        serde_json::from_str::<RepeatedKeys>(&format!("[{line}]"))
                    {
                        found
                            .iter()
                            .for_each(|names| refuse_repeated(names, number, problems));
                    }
                    read_object(&item, number, options, columns, problems)
                }
                Err(error) => {
                    problems.add(number, None, None, format!("not valid JSON: {error}"));
                    None
                }
            }
        })
        .collect()
}

fn read_object(
    item: &Value,
    line: u64,
    options: &InputOptions,
    columns: &Columns<'_>,
    problems: &mut Problems,
) -> Option<DesiredUser> {
    let Some(object): Option<&Map<String, Value>> = item.as_object() else {
        problems.add(line, None, None, "expected an object");
        return None;
    };
    let mut user = DesiredUser {
        line,
        ..DesiredUser::default()
    };
    for (name, value) in object {
        match columns.resolve(name) {
            Ok(column) => set_cell(
                &mut user,
                &column,
                Cell::Json(value),
                options.empty_cells,
                problems,
            ),
            Err(message) => problems.add(line, Some(name), None, message),
        }
    }
    Some(user)
}

/// A name given twice in one object: JSON parsers keep one of the two values silently, so
/// the row would not say what the file says.
fn refuse_repeated(names: &BTreeSet<String>, line: u64, problems: &mut Problems) {
    for name in names {
        problems.add(
            line,
            Some(name),
            None,
            "key given twice in one object: keep one",
        );
    }
}

/// For each element of a JSON array, the object keys it repeats (empty for non-objects).
struct RepeatedKeys(Vec<BTreeSet<String>>);

impl<'de> Deserialize<'de> for RepeatedKeys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(ItemsVisitor).map(RepeatedKeys)
    }
}

struct ItemsVisitor;

impl<'de> Visitor<'de> for ItemsVisitor {
    type Value = Vec<BTreeSet<String>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Repeated(names)) = seq.next_element::<Repeated>()? {
            items.push(names);
        }
        Ok(items)
    }
}

/// The keys one value repeats at its top level.
struct Repeated(BTreeSet<String>);

impl<'de> Deserialize<'de> for Repeated {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RepeatedVisitor).map(Repeated)
    }
}

struct RepeatedVisitor;

impl<'de> Visitor<'de> for RepeatedVisitor {
    type Value = BTreeSet<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut seen, mut repeated) = (BTreeSet::new(), BTreeSet::new());
        while let Some(key) = map.next_key::<String>()? {
            map.next_value::<IgnoredAny>()?;
            if !seen.insert(key.clone()) {
                repeated.insert(key);
            }
        }
        Ok(repeated)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(BTreeSet::new())
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(BTreeSet::new())
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(BTreeSet::new())
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(BTreeSet::new())
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(BTreeSet::new())
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(BTreeSet::new())
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(BTreeSet::new())
    }
}

/// The line each top-level array element starts on, found by scanning outside strings.
fn item_lines(text: &str) -> Vec<u64> {
    let mut lines = Vec::new();
    let (mut line, mut depth) = (1u64, 0usize);
    let (mut in_string, mut escaped, mut expecting_item) = (false, false, false);
    for byte in text.bytes() {
        if byte == b'\n' {
            line += 1;
        }
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        if expecting_item && !byte.is_ascii_whitespace() && byte != b']' {
            lines.push(line);
            expecting_item = false;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth == 1 {
                    expecting_item = true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => expecting_item = true,
            _ => {}
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_given_twice_in_one_object_is_refused() {
        let text = "[{\"email\": \"a@x.org\", \"first_name\": \"A\", \"first_name\": \"B\"},\n 1, {\"email\": \"b@x.org\"}]";
        let RepeatedKeys(found) = serde_json::from_str(text).unwrap();
        assert_eq!(found.len(), 3);
        assert_eq!(found[0], BTreeSet::from(["first_name".to_owned()]));
        assert!(found[1].is_empty() && found[2].is_empty());
    }

    #[test]
    fn item_lines_follow_the_array_layout() {
        let text = "[\n  {\"email\": \"a,]@x.org\"},\n\n  {\"email\": \"b@x.org\",\n \"groups\": [\"x\"]}\n]";
        assert_eq!(item_lines(text), vec![2, 4]);
    }
}
