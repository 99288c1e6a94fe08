//! Field-by-field difference between a desired row and the site user it is linked to.
//!
//! Only fields the row manages are compared, after normalisation; nothing is allocated for a
//! user that needs no change, which is nearly every user of a large site.

use roster_core::{Change, User, UserPatch};
use serde_json::Value;

use crate::desired::DesiredUser;
use crate::normalize;
use crate::plan::FieldChange;

/// What must change for a linked user.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct UserDiff {
    pub changes: Vec<FieldChange>,
    pub patch: UserPatch,
    pub add_groups: Vec<String>,
    pub remove_groups: Vec<String>,
}

impl UserDiff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.add_groups.is_empty() && self.remove_groups.is_empty()
    }
}

/// The difference between `desired` and `actual`.
pub(crate) fn diff(desired: &DesiredUser, actual: &User) -> UserDiff {
    let mut out = UserDiff::default();
    text(
        &mut out,
        "username",
        &desired.username,
        &actual.username,
        normalize::same_text,
        |p| &mut p.username,
    );
    text(
        &mut out,
        "email",
        &desired.email,
        &actual.email,
        normalize::same_email,
        |p| &mut p.email,
    );
    text(
        &mut out,
        "first_name",
        &desired.first_name,
        &actual.first_name,
        normalize::same_text,
        |p| &mut p.first_name,
    );
    text(
        &mut out,
        "last_name",
        &desired.last_name,
        &actual.last_name,
        normalize::same_text,
        |p| &mut p.last_name,
    );
    // A site without an active flag reports `None`: "active" is all it can mean there.
    if let Change::Set(wanted) = desired.active {
        if actual.active.unwrap_or(true) != wanted {
            out.changes.push(FieldChange {
                field: "active".into(),
                before: actual.active.map(Value::Bool),
                after: Some(Value::Bool(wanted)),
            });
            out.patch.active = Change::Set(wanted);
        }
    }
    for (name, change) in &desired.attributes {
        let before = actual.attributes.get(name);
        let changed = match (change, before) {
            (Change::Set(wanted), Some(have)) => !normalize::same_value(wanted, have),
            (Change::Set(_), None) | (Change::Clear, Some(_)) => true,
            (Change::Clear, None) | (Change::Leave, _) => false,
        };
        if changed {
            let after = match change {
                Change::Set(value) => Some(value.clone()),
                _ => None,
            };
            out.changes.push(FieldChange {
                field: name.clone(),
                before: before.cloned(),
                after,
            });
            out.patch.attributes.insert(name.clone(), change.clone());
        }
    }
    let wanted_groups: Option<&[String]> = match &desired.groups {
        Change::Leave => None,
        Change::Set(groups) => Some(groups),
        Change::Clear => Some(&[]),
    };
    if let (Some(wanted), Some(have)) = (wanted_groups, &actual.groups) {
        // A user holds a handful of groups: linear scans beat building sets.
        for group in wanted {
            if !have.contains(group) && !out.add_groups.contains(group) {
                out.add_groups.push(group.clone());
            }
        }
        out.remove_groups = have
            .iter()
            .filter(|g| !wanted.contains(g))
            .cloned()
            .collect();
    }
    out
}

fn text(
    out: &mut UserDiff,
    field: &str,
    desired: &Change<String>,
    actual: &Option<String>,
    same: fn(&str, &str) -> bool,
    slot: fn(&mut UserPatch) -> &mut Change<String>,
) {
    let change = match (desired, actual) {
        (Change::Set(wanted), Some(have)) if same(wanted, have) => return,
        (Change::Set(wanted), _) => Change::Set(wanted.trim().to_owned()),
        (Change::Clear, Some(_)) => Change::Clear,
        (Change::Clear, None) | (Change::Leave, _) => return,
    };
    out.changes.push(FieldChange {
        field: field.to_owned(),
        before: actual.clone().map(Value::String),
        after: match &change {
            Change::Set(value) => Some(Value::String(value.clone())),
            _ => None,
        },
    });
    *slot(&mut out.patch) = change;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn site_user() -> User {
        User {
            id: "7".into(),
            username: Some("ada".into()),
            email: Some("ada@x.org".into()),
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            active: Some(true),
            groups: Some(["coaches".to_owned(), "staff".to_owned()].into()),
            attributes: [("dob".to_owned(), json!("1815-12-10"))].into(),
        }
    }

    #[test]
    fn normalised_equal_values_and_unmanaged_fields_are_no_change() {
        let desired = DesiredUser {
            email: Change::Set("ADA@x.org ".into()),
            first_name: Change::Set(" Ada".into()),
            attributes: [("dob".to_owned(), Change::Set(json!("1815-12-10")))].into(),
            ..DesiredUser::default()
        };
        assert!(diff(&desired, &site_user()).is_empty());
    }

    #[test]
    fn changes_clears_and_group_sets_are_reported() {
        let desired = DesiredUser {
            first_name: Change::Set("Augusta".into()),
            last_name: Change::Clear,
            active: Change::Set(false),
            groups: Change::Set(vec!["board".to_owned(), "coaches".to_owned()]),
            attributes: [("dob".to_owned(), Change::Clear)].into(),
            ..DesiredUser::default()
        };
        let d = diff(&desired, &site_user());
        let fields: Vec<_> = d.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["first_name", "last_name", "active", "dob"]);
        assert_eq!(d.patch.first_name, Change::Set("Augusta".into()));
        assert_eq!(d.patch.last_name, Change::Clear);
        assert_eq!(d.patch.active, Change::Set(false));
        assert_eq!(d.add_groups, ["board"]);
        assert_eq!(d.remove_groups, ["staff"]);
    }
}
