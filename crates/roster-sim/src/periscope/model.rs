//! The data one Periscope site holds, and how it looks on the wire.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::common::OrderedJson;

/// The group every user belongs to; it cannot be removed from a user.
pub const ALL_USERS: &str = "All Users";
/// The group whose members are site administrators.
pub const ADMINISTRATORS: &str = "Administrators";
/// The access levels a group may have, compared case-insensitively.
pub const ACCESS_LEVELS: [&str; 3] = ["SQL", "Discovery", "View"];

/// One Periscope user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeriscopeUser {
    /// The identity, kept in the spelling it was first given.
    pub email: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Names of the groups the user belongs to, always including `All Users`.
    #[serde(default)]
    pub groups: BTreeSet<String>,
    /// Extra fields from a state file, returned verbatim after the known ones.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl PeriscopeUser {
    /// The wire object: `email`, `first_name`, `last_name`, `groups` (sorted), then extras.
    pub fn to_wire(&self) -> OrderedJson {
        let groups = self
            .groups
            .iter()
            .map(|g| OrderedJson::from(g.as_str()))
            .collect::<Vec<_>>();
        let mut body = OrderedJson::object()
            .with("email", self.email.as_str())
            .with("first_name", self.first_name.as_str())
            .with("last_name", self.last_name.as_str())
            .with("groups", groups);
        for (key, value) in &self.extra {
            body.push(key.as_str(), value.clone());
        }
        body
    }
}

/// One Periscope group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeriscopeGroup {
    /// The identity, used in paths.
    pub name: String,
    /// Access level, stored as sent (`SQL`, `Discovery`, `View` in any case).
    pub access: String,
    /// Extra fields from a state file, returned verbatim after the known ones.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl PeriscopeGroup {
    /// The wire object: `name`, `access`, then extras. No member list.
    pub fn to_wire(&self) -> OrderedJson {
        let mut body = OrderedJson::object()
            .with("name", self.name.as_str())
            .with("access", self.access.as_str());
        for (key, value) in &self.extra {
            body.push(key.as_str(), value.clone());
        }
        body
    }

    /// `Administrators` and `All Users` cannot be renamed or deleted.
    pub fn is_builtin(&self) -> bool {
        is_builtin(&self.name)
    }
}

/// Whether `name` is one of the two built-in groups.
pub fn is_builtin(name: &str) -> bool {
    name == ADMINISTRATORS || name == ALL_USERS
}

/// One site: credentials, switches and directory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// First half of `HTTP-X-PARTNER-AUTH`.
    pub site_name: String,
    /// Second half of `HTTP-X-PARTNER-AUTH`.
    pub api_key: String,
    /// When false, every API call of this site answers `403`.
    #[serde(default = "enabled")]
    pub user_api_enabled: bool,
    /// Users keyed by lower-cased e-mail, which is also the listing order.
    #[serde(with = "users_as_list")]
    pub users: BTreeMap<String, PeriscopeUser>,
    /// Groups keyed by exact name, which is also the listing order.
    #[serde(with = "groups_as_list")]
    pub groups: BTreeMap<String, PeriscopeGroup>,
}

fn enabled() -> bool {
    true
}

impl Site {
    /// An empty site with the two built-in groups (both with `SQL` access).
    pub fn new(site_name: &str, api_key: &str) -> Self {
        let mut site = Site {
            site_name: site_name.to_owned(),
            api_key: api_key.to_owned(),
            user_api_enabled: true,
            users: BTreeMap::new(),
            groups: BTreeMap::new(),
        };
        for name in [ADMINISTRATORS, ALL_USERS] {
            site.groups.insert(
                name.to_owned(),
                PeriscopeGroup {
                    name: name.to_owned(),
                    access: "SQL".to_owned(),
                    extra: Map::new(),
                },
            );
        }
        site
    }

    /// The user with this e-mail, compared case-insensitively.
    pub fn user(&self, email: &str) -> Option<&PeriscopeUser> {
        self.users.get(&email.to_lowercase())
    }

    /// Whether `email` belongs to a member of `Administrators`.
    pub fn is_admin(&self, email: &str) -> bool {
        self.user(email)
            .is_some_and(|u| u.groups.contains(ADMINISTRATORS))
    }

    /// The existing group whose name equals `name` ignoring case, if any.
    pub fn group_named_like(&self, name: &str) -> Option<&PeriscopeGroup> {
        let lower = name.to_lowercase();
        self.groups
            .values()
            .find(|g| g.name.to_lowercase() == lower)
    }

    /// Adds a user, keeping the invariant that every user is in `All Users`.
    pub fn insert_user(&mut self, mut user: PeriscopeUser) {
        user.groups.insert(ALL_USERS.to_owned());
        self.users.insert(user.email.to_lowercase(), user);
    }
}

/// Users are written to state files as a list; the map key is derived from the e-mail.
mod users_as_list {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        users: &BTreeMap<String, PeriscopeUser>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(users.values())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, PeriscopeUser>, D::Error> {
        let list = Vec::<PeriscopeUser>::deserialize(d)?;
        Ok(list
            .into_iter()
            .map(|mut u| {
                u.groups.insert(ALL_USERS.to_owned());
                (u.email.to_lowercase(), u)
            })
            .collect())
    }
}

/// Groups are written to state files as a list; the map key is the name.
mod groups_as_list {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        groups: &BTreeMap<String, PeriscopeGroup>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(groups.values())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, PeriscopeGroup>, D::Error> {
        let list = Vec::<PeriscopeGroup>::deserialize(d)?;
        Ok(list.into_iter().map(|g| (g.name.clone(), g)).collect())
    }
}
