use std::collections::{BTreeMap, BTreeSet};

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::user::{value_as_text, UserKey};

/// A user to create.
///
/// The password is a [`SecretString`]: its `Debug` output is redacted and it is never
/// serialised, so a `NewUser` can be logged, planned or journaled without leaking it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct NewUser {
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
    /// `Some(false)` creates the user deactivated; `None` leaves the platform's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Groups to join right after creation (the engine writes them as membership changes).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub groups: BTreeSet<String>,
    /// Platform fields under their canonical names (`dob`, `sex`, `role`, …).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, Value>,
    /// Only on create; never serialised, printed or logged.
    #[serde(skip)]
    pub password: Option<SecretString>,
}

impl NewUser {
    /// Every key this user can be found by, most specific first: email, username, then the
    /// `uuid` attribute. The retry layer uses them to tell whether an ambiguous create landed.
    pub fn lookup_keys(&self) -> Vec<UserKey> {
        let mut keys = Vec::new();
        if let Some(email) = &self.email {
            keys.push(UserKey::Email(email.clone()));
        }
        if let Some(username) = &self.username {
            keys.push(UserKey::Username(username.clone()));
        }
        if let Some(uuid) = self.attributes.get("uuid").and_then(value_as_text) {
            keys.push(UserKey::Attribute {
                name: "uuid".into(),
                value: uuid,
            });
        }
        keys
    }

    /// A short human label: the email, else the username.
    pub fn label(&self) -> &str {
        self.email
            .as_deref()
            .or(self.username.as_deref())
            .unwrap_or("(no key)")
    }
}

impl PartialEq for NewUser {
    /// Compares every field but the password, which is deliberately not comparable.
    fn eq(&self, other: &Self) -> bool {
        self.username == other.username
            && self.email == other.email
            && self.first_name == other.first_name
            && self.last_name == other.last_name
            && self.active == other.active
            && self.groups == other.groups
            && self.attributes == other.attributes
    }
}
