//! Checking input: the encoding, each cell's value, and whole rows.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

use chrono::NaiveDate;
use roster_core::{Change, SecretString, UserKeyKind};
use serde_json::Value;

use super::mapping::{AttributeType, Column};
use super::problems::{InputError, InputProblem, Problems};
use super::{DesiredUser, EmptyCells};

/// The text of a file that must be UTF-8 without a byte order mark.
pub(crate) fn decode_utf8<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, InputError> {
    let refuse = |message: &str| Err(InputError::single(InputProblem::file(file, message)));
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return refuse(
            "the file starts with a byte order mark (BOM); save it as UTF-8 without BOM",
        );
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return refuse("wrong encoding: the file is UTF-16; save it as UTF-8");
    }
    std::str::from_utf8(bytes).map_err(|error| {
        let offset = error.valid_up_to();
        let line = bytes[..offset].iter().filter(|b| **b == b'\n').count() as u64 + 1;
        InputError::single(InputProblem {
            file: file.to_owned(),
            line,
            column: None,
            value: None,
            message: format!(
                "wrong encoding: invalid UTF-8 at byte {offset}; save the file as UTF-8"
            ),
        })
    })
}

/// The most bytes one cell may hold. Real fields are far shorter; a larger cell is a broken
/// export or a hostile file, and must not travel to a site, into a plan or into a message.
pub(crate) const MAX_CELL_BYTES: usize = 64 * 1024;

/// A cell as the file gave it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Cell<'a> {
    Text(&'a str),
    Json(&'a Value),
}

impl Cell<'_> {
    fn is_empty(&self) -> bool {
        match self {
            Cell::Text(text) => text.trim().is_empty(),
            Cell::Json(Value::Null) => true,
            Cell::Json(Value::String(text)) => text.trim().is_empty(),
            Cell::Json(Value::Array(items)) => items.is_empty(),
            Cell::Json(_) => false,
        }
    }

    /// The cell's size in bytes, as written (JSON values serialised).
    fn len(&self) -> usize {
        match self {
            Cell::Text(text) => text.len(),
            Cell::Json(Value::String(text)) => text.len(),
            Cell::Json(other) => other.to_string().len(),
        }
    }

    /// The cell as text for messages and text fields.
    fn text(&self) -> String {
        match self {
            Cell::Text(text) => text.trim().to_owned(),
            Cell::Json(Value::String(text)) => text.trim().to_owned(),
            Cell::Json(other) => other.to_string(),
        }
    }
}

/// Stores one cell into `user`, or records why it cannot.
pub(crate) fn set_cell(
    user: &mut DesiredUser,
    column: &Column,
    cell: Cell<'_>,
    empty_cells: EmptyCells,
    problems: &mut Problems,
) {
    let line = user.line;
    if cell.is_empty() {
        if empty_cells == EmptyCells::Clear {
            clear(user, column);
        }
        return;
    }
    let size = cell.len();
    if size > MAX_CELL_BYTES {
        // Not quoted: the message must stay readable and the value may be anything.
        problems.add(
            line,
            Some(column.name()),
            None,
            format!("the value is {size} bytes long; a cell may hold at most {MAX_CELL_BYTES}"),
        );
        return;
    }
    let mut refuse = |message: String| {
        // A password is never echoed back, not even a wrong one.
        let value = (*column != Column::Password).then(|| cell.text());
        problems.add(line, Some(column.name()), value.as_deref(), message);
    };
    match column {
        Column::Username => text_field(&mut user.username, cell, &mut refuse),
        Column::FirstName => text_field(&mut user.first_name, cell, &mut refuse),
        Column::LastName => text_field(&mut user.last_name, cell, &mut refuse),
        Column::Email => match text(cell) {
            Some(email) if is_valid_email(&email) => user.email = Change::Set(email),
            _ => refuse("not a valid email address".into()),
        },
        Column::Active => match boolean(cell) {
            Some(flag) => user.active = Change::Set(flag),
            None => refuse("not a boolean (true/false, yes/no, 1/0)".into()),
        },
        Column::Groups => match groups(cell) {
            Some(set) => user.groups = Change::Set(set),
            None => refuse("groups must be text separated by ';' or an array of names".into()),
        },
        Column::Password => match text(cell) {
            Some(password) => user.password = Some(SecretString::from(password)),
            None => refuse("a password must be text".into()),
        },
        Column::Attribute(name, kind) => match attribute(cell, *kind) {
            Ok(value) => {
                user.attributes.insert(name.clone(), Change::Set(value));
            }
            Err(message) => refuse(message),
        },
    }
}

fn clear(user: &mut DesiredUser, column: &Column) {
    match column {
        Column::Username => user.username = Change::Clear,
        Column::Email => user.email = Change::Clear,
        Column::FirstName => user.first_name = Change::Clear,
        Column::LastName => user.last_name = Change::Clear,
        Column::Active => user.active = Change::Clear,
        Column::Groups => user.groups = Change::Clear,
        // An empty password means "no password": there is nothing on the site to clear.
        Column::Password => {}
        Column::Attribute(name, _) => {
            user.attributes.insert(name.clone(), Change::Clear);
        }
    }
}

fn text(cell: Cell<'_>) -> Option<String> {
    match cell {
        Cell::Text(text) => Some(text.trim().to_owned()),
        Cell::Json(Value::String(text)) => Some(text.trim().to_owned()),
        Cell::Json(_) => None,
    }
}

fn text_field(slot: &mut Change<String>, cell: Cell<'_>, refuse: &mut impl FnMut(String)) {
    match text(cell) {
        Some(value) => *slot = Change::Set(value),
        None => refuse("expected text".into()),
    }
}

/// A deliberately plain check: one `@`, a non-empty local part, a dotted domain, no spaces.
pub(crate) fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !email.chars().any(char::is_whitespace)
}

fn boolean(cell: Cell<'_>) -> Option<bool> {
    match cell {
        Cell::Json(Value::Bool(flag)) => Some(*flag),
        Cell::Json(Value::Number(number)) => match number.as_u64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        other => match text(other)?.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => Some(true),
            "false" | "no" | "n" | "0" => Some(false),
            _ => None,
        },
    }
}

fn groups(cell: Cell<'_>) -> Option<Vec<String>> {
    let names: Vec<String> = match cell {
        Cell::Json(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(|name| name.trim().to_owned()))
            .collect::<Option<_>>()?,
        other => text(other)?
            .split(';')
            .map(|name| name.trim().to_owned())
            .collect(),
    };
    let mut names: Vec<String> = names.into_iter().filter(|name| !name.is_empty()).collect();
    names.sort_unstable();
    names.dedup();
    Some(names)
}

fn attribute(cell: Cell<'_>, kind: AttributeType) -> Result<Value, String> {
    match kind {
        AttributeType::Text => text(cell)
            .map(Value::String)
            .or_else(|| match cell {
                // Numbers and booleans in JSON are kept as the file gave them.
                Cell::Json(value @ (Value::Number(_) | Value::Bool(_))) => Some(value.clone()),
                _ => None,
            })
            .ok_or_else(|| "expected text".to_owned()),
        AttributeType::Date => {
            let value = text(cell).ok_or("expected an ISO date (YYYY-MM-DD)")?;
            NaiveDate::parse_from_str(&value, "%Y-%m-%d")
                .map(|date| Value::String(date.format("%Y-%m-%d").to_string()))
                .map_err(|_| "not an ISO date (YYYY-MM-DD)".to_owned())
        }
        AttributeType::Boolean => boolean(cell)
            .map(Value::Bool)
            .ok_or_else(|| "not a boolean (true/false, yes/no, 1/0)".to_owned()),
        AttributeType::Integer => match cell {
            Cell::Json(Value::Number(number)) if number.is_i64() => {
                Ok(Value::Number(number.clone()))
            }
            other => text(other)
                .and_then(|value| value.parse::<i64>().ok())
                .map(Value::from)
                .ok_or_else(|| "not a whole number".to_owned()),
        },
        AttributeType::Json => match cell {
            Cell::Json(value) => Ok(value.clone()),
            Cell::Text(text) => serde_json::from_str(text.trim())
                .map_err(|error| format!("not valid JSON: {error}")),
        },
    }
}

/// Whole-row checks once every row is read: each row has a key, and no key is used twice.
pub(crate) fn check_rows(users: &[DesiredUser], problems: &mut Problems) {
    let unique = [
        UserKeyKind::Email,
        UserKeyKind::Username,
        UserKeyKind::Attribute("uuid".into()),
    ];
    // Keys borrow from the rows: a million rows cost no extra allocation here.
    let mut seen: Vec<HashMap<Cow<'_, str>, u64, foldhash::fast::RandomState>> = unique
        .iter()
        .map(|_| HashMap::with_capacity_and_hasher(users.len(), Default::default()))
        .collect();
    for user in users {
        let mut has_key = false;
        for (kind, seen) in unique.iter().zip(seen.iter_mut()) {
            let Some(value) = user.key_value(kind) else {
                continue;
            };
            has_key = true;
            match seen.entry(crate::normalize::key(kind, value)) {
                Entry::Occupied(first) => problems.add(
                    user.line,
                    Some(&kind.to_string()),
                    Some(value),
                    format!("duplicate key: line {} has the same {kind}", first.get()),
                ),
                Entry::Vacant(slot) => {
                    slot.insert(user.line);
                }
            }
        }
        // A row whose key cell was refused already has its problem reported.
        if !has_key && !problems.has_line(user.line) {
            problems.add(
                user.line,
                None,
                None,
                "the row has no key: give it an email, a username or a uuid",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_plainly() {
        assert!(is_valid_email("ada@example.org"));
        for bad in [
            "ada",
            "@example.org",
            "ada@org",
            "ada@@x.org",
            "a da@x.org",
            "ada@x..org",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn a_bom_utf16_and_invalid_utf8_are_refused() {
        assert!(decode_utf8("f", b"\xEF\xBB\xBFemail\n").is_err());
        assert!(decode_utf8("f", b"\xFF\xFEe\0").is_err());
        let error = decode_utf8("f", b"email\nada@x.org\n\xC3(\n").unwrap_err();
        assert_eq!(error.problems[0].line, 3);
        assert!(error.problems[0].message.contains("wrong encoding"));
    }

    #[test]
    fn a_wrong_password_is_refused_without_echoing_it() {
        let mut problems = Problems::new("f");
        let mut user = DesiredUser::default();
        let value = Value::Bool(true);
        set_cell(
            &mut user,
            &Column::Password,
            Cell::Json(&value),
            EmptyCells::Ignore,
            &mut problems,
        );
        let error = problems.finish().unwrap_err();
        assert_eq!(error.problems[0].value, None);
    }

    #[test]
    fn an_oversized_cell_is_refused_without_quoting_it() {
        let mut problems = Problems::new("f");
        let mut user = DesiredUser {
            line: 2,
            ..DesiredUser::default()
        };
        let huge = "A".repeat(MAX_CELL_BYTES + 1);
        set_cell(
            &mut user,
            &Column::FirstName,
            Cell::Text(&huge),
            EmptyCells::Ignore,
            &mut problems,
        );
        let error = problems.finish().unwrap_err();
        assert_eq!(error.problems[0].line, 2);
        assert_eq!(error.problems[0].value, None);
        assert!(error.problems[0].message.contains("at most 65536"));
        assert!(matches!(user.first_name, Change::Leave));
    }
}
