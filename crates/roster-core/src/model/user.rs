use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A user as a site reports it, in the canonical model every backend maps onto.
///
/// Fields a platform does not have stay `None`; platform-specific fields live in
/// `attributes` under their canonical snake_case names (`dob`, `sex`, `uuid`, `role`, …).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// The backend-native id, as text.
    pub id: String,
    /// The login name, where the platform has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// `None` when the platform has no notion of an active flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Group names; `None` when this backend cannot report membership.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<BTreeSet<String>>,
    /// Platform fields under their canonical snake_case names.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, Value>,
}

impl User {
    /// The value this user has for `key`'s kind (username, email, id or attribute), as text.
    /// `about` is derived: `first_name + " " + last_name`.
    pub fn key_value(&self, kind: &UserKeyKind) -> Option<String> {
        match kind {
            UserKeyKind::Id => Some(self.id.clone()),
            UserKeyKind::Username => self.username.clone(),
            UserKeyKind::Email => self.email.clone(),
            UserKeyKind::Attribute(name) if name == "about" => self.about(),
            UserKeyKind::Attribute(name) => self.attributes.get(name).and_then(value_as_text),
        }
    }

    /// True when this user is the one `key` names (emails compare case-insensitively).
    pub fn matches_key(&self, key: &UserKey) -> bool {
        let Some(mine) = self.key_value(&key.kind()) else {
            return false;
        };
        match key {
            UserKey::Email(email) => mine.eq_ignore_ascii_case(email),
            other => mine == other.value(),
        }
    }

    /// `first_name + " " + last_name`, the AMS "about" lookup value.
    pub fn about(&self) -> Option<String> {
        match (&self.first_name, &self.last_name) {
            (Some(first), Some(last)) => Some(format!("{first} {last}")),
            _ => None,
        }
    }

    /// A short human label: the email, else the username, else the id.
    pub fn label(&self) -> &str {
        self.email
            .as_deref()
            .or(self.username.as_deref())
            .unwrap_or(&self.id)
    }
}

/// Text form of an attribute value for key lookups: strings as they are, numbers and booleans
/// printed, anything else not usable as a key.
pub fn value_as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// How a user is found on a site.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserKey {
    /// The login name.
    Username(String),
    /// Compared case-insensitively.
    Email(String),
    /// The backend-native id.
    Id(String),
    /// A named attribute, such as `uuid`, or `about` (AMS: first and last name).
    Attribute {
        /// The attribute's canonical name.
        name: String,
        /// The value looked for.
        value: String,
    },
}

impl UserKey {
    /// The looked-up value.
    pub fn value(&self) -> &str {
        match self {
            UserKey::Username(v) | UserKey::Email(v) | UserKey::Id(v) => v,
            UserKey::Attribute { value, .. } => value,
        }
    }

    /// Which kind of key this is.
    pub fn kind(&self) -> UserKeyKind {
        match self {
            UserKey::Username(_) => UserKeyKind::Username,
            UserKey::Email(_) => UserKeyKind::Email,
            UserKey::Id(_) => UserKeyKind::Id,
            UserKey::Attribute { name, .. } => UserKeyKind::Attribute(name.clone()),
        }
    }
}

impl fmt::Display for UserKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.kind(), self.value())
    }
}

/// The kind of a [`UserKey`], without a value: what a site's key order is made of.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserKeyKind {
    /// By login name.
    Username,
    /// By e-mail, case-insensitively.
    Email,
    /// By backend-native id.
    Id,
    /// By the named attribute.
    Attribute(String),
}

impl UserKeyKind {
    /// Parses `username`, `email`, `id`, or any other name as an attribute.
    pub fn parse(name: &str) -> Self {
        match name {
            "username" => UserKeyKind::Username,
            "email" => UserKeyKind::Email,
            "id" => UserKeyKind::Id,
            other => UserKeyKind::Attribute(other.to_owned()),
        }
    }

    /// A key of this kind with `value`.
    pub fn with_value(&self, value: impl Into<String>) -> UserKey {
        let value = value.into();
        match self {
            UserKeyKind::Username => UserKey::Username(value),
            UserKeyKind::Email => UserKey::Email(value),
            UserKeyKind::Id => UserKey::Id(value),
            UserKeyKind::Attribute(name) => UserKey::Attribute {
                name: name.clone(),
                value,
            },
        }
    }
}

impl fmt::Display for UserKeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UserKeyKind::Username => f.write_str("username"),
            UserKeyKind::Email => f.write_str("email"),
            UserKeyKind::Id => f.write_str("id"),
            UserKeyKind::Attribute(name) => f.write_str(name),
        }
    }
}
