//! Column names: the canonical ones, the attribute columns and the user's own headers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::InputOptions;

/// Maps your own headers (or JSON keys) to canonical column names, e.g. `"E-mail" → "email"`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMapping(pub BTreeMap<String, String>);

impl ColumnMapping {
    /// Adds `header → canonical`.
    pub fn with(mut self, header: impl Into<String>, canonical: impl Into<String>) -> Self {
        self.0.insert(header.into(), canonical.into());
        self
    }
}

/// How the values of an attribute column are checked and stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributeType {
    /// Trimmed text.
    Text,
    /// An ISO date, `YYYY-MM-DD`.
    Date,
    /// `true`/`false` (also `yes`/`no`, `1`/`0`).
    Boolean,
    /// A whole number.
    Integer,
    /// Any JSON value (in CSV: the cell parsed as JSON).
    Json,
}

/// The writable canonical attributes every file may use without declaring them.
const CANONICAL_ATTRIBUTES: &[(&str, AttributeType)] = &[
    ("dob", AttributeType::Date),
    ("sex", AttributeType::Text),
    ("uuid", AttributeType::Text),
    ("known_as", AttributeType::Text),
    ("middle_names", AttributeType::Text),
    ("language", AttributeType::Text),
    ("sidebar_width", AttributeType::Integer),
    ("role", AttributeType::Text),
    ("expiration", AttributeType::Date),
    ("rights", AttributeType::Json),
    ("forms", AttributeType::Json),
    ("forms_export", AttributeType::Json),
    ("is_hidden", AttributeType::Boolean),
    ("account_type", AttributeType::Text),
];

/// What a column holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Column {
    Username,
    Email,
    FirstName,
    LastName,
    Active,
    Groups,
    Password,
    Attribute(String, AttributeType),
}

impl Column {
    /// The canonical name, for messages.
    pub fn name(&self) -> &str {
        match self {
            Column::Username => "username",
            Column::Email => "email",
            Column::FirstName => "first_name",
            Column::LastName => "last_name",
            Column::Active => "active",
            Column::Groups => "groups",
            Column::Password => "password",
            Column::Attribute(name, _) => name,
        }
    }
}

/// Resolves headers to columns under the reading options.
pub(crate) struct Columns<'a> {
    options: &'a InputOptions,
}

impl<'a> Columns<'a> {
    pub fn new(options: &'a InputOptions) -> Self {
        Self { options }
    }

    /// The column a header names, or why it names none.
    pub fn resolve(&self, header: &str) -> Result<Column, String> {
        let header = header.trim();
        let canonical = self
            .options
            .mapping
            .0
            .get(header)
            .map(String::as_str)
            .unwrap_or(header);
        Ok(match canonical {
            "username" => Column::Username,
            "email" => Column::Email,
            "first_name" => Column::FirstName,
            "last_name" => Column::LastName,
            "active" => Column::Active,
            "groups" => Column::Groups,
            "password" => Column::Password,
            "" => return Err("empty column name".into()),
            name => match self.attribute_type(name) {
                Some(kind) => Column::Attribute(name.to_owned(), kind),
                None => {
                    return Err(format!(
                        "unknown column {name:?}: map it to a canonical name or declare it as an attribute"
                    ))
                }
            },
        })
    }

    fn attribute_type(&self, name: &str) -> Option<AttributeType> {
        self.options.attributes.get(name).copied().or_else(|| {
            CANONICAL_ATTRIBUTES
                .iter()
                .find(|(known, _)| *known == name)
                .map(|(_, kind)| *kind)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_declared_and_canonical_headers_resolve_and_others_do_not() {
        let mut options = InputOptions {
            mapping: ColumnMapping::default().with("E-mail", "email"),
            ..InputOptions::default()
        };
        options
            .attributes
            .insert("team".into(), AttributeType::Text);
        let columns = Columns::new(&options);
        assert_eq!(columns.resolve("E-mail"), Ok(Column::Email));
        assert_eq!(
            columns.resolve(" dob "),
            Ok(Column::Attribute("dob".into(), AttributeType::Date))
        );
        assert_eq!(
            columns.resolve("team"),
            Ok(Column::Attribute("team".into(), AttributeType::Text))
        );
        assert!(columns
            .resolve("shoe_size")
            .unwrap_err()
            .contains("unknown column"));
    }
}
