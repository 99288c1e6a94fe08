//! Periscope users and groups onto the canonical model (spec §3).

use std::collections::BTreeSet;

use roster_core::{Group, User};
use serde_json::Value;

use crate::config::Settings;
use crate::wire::{WireGroup, WireUser};

/// The canonical user: the e-mail is the id, there is no username and no active flag,
/// implicit groups are left out, and every other wire field is kept verbatim.
pub(crate) fn user_from_wire(wire: WireUser, settings: &Settings) -> User {
    User {
        id: wire.email.clone(),
        username: None,
        email: Some(wire.email),
        first_name: wire.first_name,
        last_name: wire.last_name,
        active: None,
        groups: wire.groups.map(|groups| explicit_groups(groups, settings)),
        attributes: wire.extra.into_iter().collect(),
    }
}

/// A group set without the groups every user is in.
pub(crate) fn explicit_groups(
    groups: impl IntoIterator<Item = String>,
    settings: &Settings,
) -> BTreeSet<String> {
    groups
        .into_iter()
        .filter(|group| !settings.is_implicit(group))
        .collect()
}

/// The canonical group: `access` and any other field become attributes; a server `id`, if
/// any, is informational.
pub(crate) fn group_from_wire(wire: WireGroup) -> Group {
    let mut attributes: std::collections::BTreeMap<String, Value> =
        wire.extra.into_iter().collect();
    let id = match wire.id {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(id),
        Some(Value::Number(id)) => Some(id.to_string()),
        Some(other) => {
            attributes.insert("id".to_owned(), other);
            None
        }
    };
    Group {
        name: wire.name,
        id,
        attributes,
    }
}
