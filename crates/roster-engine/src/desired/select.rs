//! The part of the desired state one site manages: fields its backend cannot write, or its
//! policy ignores, are taken out before that site is planned.

use std::collections::BTreeSet;

use roster_core::Change;

use super::{DesiredState, DesiredUser};

impl DesiredState {
    /// The fields among `fields` that some row actually sets (or clears).
    pub fn fields_present(&self, fields: &BTreeSet<String>) -> BTreeSet<String> {
        fields
            .iter()
            .filter(|field| self.users.iter().any(|row| row.names(field)))
            .cloned()
            .collect()
    }

    /// A copy without `fields` (canonical names, `password`, or attribute names).
    pub fn without_fields(&self, fields: &BTreeSet<String>) -> DesiredState {
        DesiredState {
            source: self.source.clone(),
            users: self
                .users
                .iter()
                .map(|row| {
                    let mut row = row.clone();
                    row.forget(fields);
                    row
                })
                .collect(),
        }
    }
}

impl DesiredUser {
    /// True when the row says anything about `field`.
    fn names(&self, field: &str) -> bool {
        match field {
            "username" => !self.username.is_leave(),
            "email" => !self.email.is_leave(),
            "first_name" => !self.first_name.is_leave(),
            "last_name" => !self.last_name.is_leave(),
            "active" => !self.active.is_leave(),
            "groups" => !self.groups.is_leave(),
            "password" => self.password.is_some(),
            attribute => self
                .attributes
                .get(attribute)
                .is_some_and(|c| !c.is_leave()),
        }
    }

    /// Leaves every field in `fields` as the site has it.
    fn forget(&mut self, fields: &BTreeSet<String>) {
        for field in fields {
            match field.as_str() {
                "username" => self.username = Change::Leave,
                "email" => self.email = Change::Leave,
                "first_name" => self.first_name = Change::Leave,
                "last_name" => self.last_name = Change::Leave,
                "active" => self.active = Change::Leave,
                "groups" => self.groups = Change::Leave,
                "password" => self.password = None,
                attribute => {
                    self.attributes.remove(attribute);
                }
            }
        }
    }
}
