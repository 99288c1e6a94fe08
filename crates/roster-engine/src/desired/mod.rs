//! The desired state: the users a file (or another site) says should exist.
//!
//! Only the columns present are managed: a field a row does not name is left as the site has
//! it. Reading refuses bad input before any request is sent and reports every problem at once.

mod csv;
mod json;
mod mapping;
mod problems;
mod select;
mod validate;

use std::collections::BTreeMap;
use std::path::Path;

use roster_core::{Change, SecretString, UserKeyKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use mapping::{AttributeType, ColumnMapping};
pub use problems::{InputError, InputProblem};

/// One user as the desired state describes it.
///
/// Each field is a [`Change`]: `Leave` when the column is absent (or an empty cell is
/// ignored), `Set` with the wanted value, `Clear` when an empty cell asks to clear it.
#[derive(Clone, Debug, Default)]
pub struct DesiredUser {
    /// The line of the source this row starts on (1-based), for messages.
    pub line: u64,
    /// The username.
    pub username: Change<String>,
    /// The email (compared case-insensitively).
    pub email: Change<String>,
    /// The first name.
    pub first_name: Change<String>,
    /// The last name.
    pub last_name: Change<String>,
    /// `Set(false)` deactivates the user.
    pub active: Change<bool>,
    /// Every group the user should be in (sorted, no duplicates); `Clear` means none.
    /// A plain vector: a million rows of one or two groups each cost far less than sets.
    pub groups: Change<Vec<String>>,
    /// Attribute columns by canonical name.
    pub attributes: BTreeMap<String, Change<Value>>,
    /// Only used when the user is created; never printed, planned or journaled.
    pub password: Option<SecretString>,
}

impl DesiredUser {
    /// The value this row has for a key kind, as it was given (not normalised).
    pub fn key_value(&self, kind: &UserKeyKind) -> Option<&str> {
        fn set(change: &Change<String>) -> Option<&str> {
            match change {
                Change::Set(value) => Some(value),
                _ => None,
            }
        }
        match kind {
            UserKeyKind::Username => set(&self.username),
            UserKeyKind::Email => set(&self.email),
            UserKeyKind::Id => None,
            UserKeyKind::Attribute(name) => match self.attributes.get(name) {
                Some(Change::Set(Value::String(value))) => Some(value),
                _ => None,
            },
        }
    }

    /// A short label for messages and plans: the email, else the username, else the line.
    pub fn label(&self) -> String {
        self.key_value(&UserKeyKind::Email)
            .or_else(|| self.key_value(&UserKeyKind::Username))
            .map(str::to_owned)
            .unwrap_or_else(|| format!("line {}", self.line))
    }
}

/// Every desired user, with where they came from.
#[derive(Clone, Debug, Default)]
pub struct DesiredState {
    /// The file (or site) the rows came from, for messages.
    pub source: String,
    /// One per row, in file order.
    pub users: Vec<DesiredUser>,
}

/// The layout of a desired-state file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputFormat {
    /// A header row, then one user per row.
    Csv,
    /// One array of objects.
    Json,
    /// One object per line.
    Jsonl,
}

impl InputFormat {
    /// The format a file name suggests: `.json`, `.jsonl`/`.ndjson`, else CSV.
    pub fn from_path(path: &Path) -> Self {
        match path.extension().and_then(|ext| ext.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => InputFormat::Json,
            Some(ext)
                if ext.eq_ignore_ascii_case("jsonl") || ext.eq_ignore_ascii_case("ndjson") =>
            {
                InputFormat::Jsonl
            }
            _ => InputFormat::Csv,
        }
    }
}

/// What an empty cell (or a JSON `null` / `""`) means.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmptyCells {
    /// Leave the field as the site has it (the default: nothing is cleared by accident).
    #[default]
    Ignore,
    /// Clear the field on the site.
    Clear,
}

/// How to read a desired-state file.
#[derive(Clone, Debug, Default)]
pub struct InputOptions {
    /// The layout; `None` = from the file name.
    pub format: Option<InputFormat>,
    /// The CSV delimiter; `None` = detected from the header row (comma, semicolon or tab).
    pub delimiter: Option<u8>,
    /// Your headers → canonical column names.
    pub mapping: ColumnMapping,
    /// Attribute columns beyond the canonical ones, with how to check their values.
    pub attributes: BTreeMap<String, AttributeType>,
    /// What an empty cell means.
    pub empty_cells: EmptyCells,
}

impl DesiredState {
    /// Reads a file; every problem is reported at once and nothing is returned when there is
    /// any.
    pub fn read_path(path: &Path, options: &InputOptions) -> Result<Self, InputError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|error| {
            InputError::single(InputProblem::file(&name, format!("cannot read: {error}")))
        })?;
        let format = options
            .format
            .unwrap_or_else(|| InputFormat::from_path(path));
        Self::read_bytes(&name, &bytes, format, options)
    }

    /// Reads desired users from `bytes` in `format`; `source` names them in messages.
    pub fn read_bytes(
        source: &str,
        bytes: &[u8],
        format: InputFormat,
        options: &InputOptions,
    ) -> Result<Self, InputError> {
        let text = validate::decode_utf8(source, bytes)?;
        let columns = mapping::Columns::new(options);
        let mut problems = problems::Problems::new(source);
        let users = match format {
            InputFormat::Csv => csv::read(text, options, &columns, &mut problems),
            InputFormat::Json => json::read_array(text, options, &columns, &mut problems),
            InputFormat::Jsonl => json::read_lines(text, options, &columns, &mut problems),
        };
        validate::check_rows(&users, &mut problems);
        problems.finish()?;
        Ok(Self {
            source: source.to_owned(),
            users,
        })
    }
}
