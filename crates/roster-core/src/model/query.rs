use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::user::{value_as_text, User};

/// Which users a listing should return.
///
/// Within one filter kind any value may match (OR); across kinds every non-empty kind must
/// match (AND). The default query matches every user. Backends with server-side filtering send
/// what their platform can filter on and use [`UserQuery::matches`] for the rest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserQuery {
    /// Users with any of these login names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub usernames: Vec<String>,
    /// Compared case-insensitively.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    /// Users in any of these groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Attribute name → accepted values (as text). `about` matches `first_name last_name`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, Vec<String>>,
}

impl UserQuery {
    /// The query that matches every user.
    pub fn all() -> Self {
        Self::default()
    }

    /// True when the query has no filter at all.
    pub fn is_all(&self) -> bool {
        self.usernames.is_empty()
            && self.emails.is_empty()
            && self.groups.is_empty()
            && self.attributes.is_empty()
    }

    /// Adds a `name=value` filter: `username`, `email`, `group`, or an attribute name.
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        let value = value.into();
        match name {
            "username" => self.usernames.push(value),
            "email" => self.emails.push(value),
            "group" => self.groups.push(value),
            attribute => self
                .attributes
                .entry(attribute.to_owned())
                .or_default()
                .push(value),
        }
        self
    }

    /// True when `user` passes every filter of the query.
    pub fn matches(&self, user: &User) -> bool {
        let username_ok = self.usernames.is_empty()
            || user
                .username
                .as_ref()
                .is_some_and(|name| self.usernames.contains(name));
        let email_ok = self.emails.is_empty()
            || user.email.as_ref().is_some_and(|email| {
                self.emails
                    .iter()
                    .any(|wanted| wanted.eq_ignore_ascii_case(email))
            });
        let group_ok = self.groups.is_empty()
            || user
                .groups
                .as_ref()
                .is_some_and(|groups| self.groups.iter().any(|g| groups.contains(g)));
        let attributes_ok = self.attributes.iter().all(|(name, values)| {
            let actual = if name == "about" {
                user.about()
            } else {
                user.attributes.get(name).and_then(value_as_text)
            };
            actual.is_some_and(|actual| values.contains(&actual))
        });
        username_ok && email_ok && group_ok && attributes_ok
    }
}
