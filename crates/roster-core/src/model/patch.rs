use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::user::User;

/// What an update does to one field: leave it as it is, set it, or clear it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change<T> {
    /// Keep the field as it is.
    #[default]
    Leave,
    /// Set the field to this value.
    Set(T),
    /// Remove the field's value.
    Clear,
}

impl<T> Change<T> {
    /// True for [`Change::Leave`].
    pub fn is_leave(&self) -> bool {
        matches!(self, Change::Leave)
    }

    /// Applies the change to `slot`.
    pub fn apply_to(&self, slot: &mut Option<T>)
    where
        T: Clone,
    {
        match self {
            Change::Leave => {}
            Change::Set(value) => *slot = Some(value.clone()),
            Change::Clear => *slot = None,
        }
    }
}

/// A partial update: only the fields that are not [`Change::Leave`] are touched.
///
/// Membership is not part of a patch; it is written with `set_membership`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UserPatch {
    /// The login name.
    #[serde(default, skip_serializing_if = "Change::is_leave")]
    pub username: Change<String>,
    /// The e-mail address.
    #[serde(default, skip_serializing_if = "Change::is_leave")]
    pub email: Change<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Change::is_leave")]
    pub first_name: Change<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Change::is_leave")]
    pub last_name: Change<String>,
    /// `Set(false)` deactivates.
    #[serde(default, skip_serializing_if = "Change::is_leave")]
    pub active: Change<bool>,
    /// Attributes not named here are kept.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, Change<Value>>,
}

impl UserPatch {
    /// A patch that only deactivates.
    pub fn deactivate() -> Self {
        Self {
            active: Change::Set(false),
            ..Self::default()
        }
    }

    /// True when the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        self.username.is_leave()
            && self.email.is_leave()
            && self.first_name.is_leave()
            && self.last_name.is_leave()
            && self.active.is_leave()
            && self.attributes.values().all(Change::is_leave)
    }

    /// The canonical names of the fields this patch touches, in a fixed order.
    pub fn touched_fields(&self) -> Vec<String> {
        let mut names = Vec::new();
        for (name, leave) in [
            ("username", self.username.is_leave()),
            ("email", self.email.is_leave()),
            ("first_name", self.first_name.is_leave()),
            ("last_name", self.last_name.is_leave()),
            ("active", self.active.is_leave()),
        ] {
            if !leave {
                names.push(name.to_owned());
            }
        }
        names.extend(
            self.attributes
                .iter()
                .filter(|(_, change)| !change.is_leave())
                .map(|(name, _)| name.clone()),
        );
        names
    }

    /// Applies the patch to `user` in place: the read-modify-write step of backends whose
    /// platform only takes whole records, and of the in-memory directory.
    pub fn apply_to(&self, user: &mut User) {
        self.username.apply_to(&mut user.username);
        self.email.apply_to(&mut user.email);
        self.first_name.apply_to(&mut user.first_name);
        self.last_name.apply_to(&mut user.last_name);
        self.active.apply_to(&mut user.active);
        for (name, change) in &self.attributes {
            match change {
                Change::Leave => {}
                Change::Set(value) => {
                    user.attributes.insert(name.clone(), value.clone());
                }
                Change::Clear => {
                    user.attributes.remove(name);
                }
            }
        }
    }
}
