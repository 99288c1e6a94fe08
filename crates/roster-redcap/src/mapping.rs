//! From REDCap rows to the canonical model (spec §3): username as id, account fields
//! read-only, `active` from `expiration`, the DAG as the one group, rights as integers.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use roster_core::{Group, User};
use serde_json::Value;

use crate::rows::{DagRow, IntMap, UserImportRow, UserRow};

/// A user's role as far as it is known: `None` when the role mapping was not read.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct RoleOf {
    /// The unique role name, `""` for none.
    pub name: String,
    /// The role's label, when the role export was read.
    pub label: Option<String>,
}

/// Active unless `expiration` is today or earlier (the server's rule, spec §3).
pub(crate) fn is_active(expiration: &str, today: NaiveDate) -> bool {
    if expiration.trim().is_empty() {
        return true;
    }
    match NaiveDate::parse_from_str(expiration.trim(), "%Y-%m-%d") {
        Ok(date) => date > today,
        Err(_) => expiration.trim() > today.format("%Y-%m-%d").to_string().as_str(),
    }
}

/// The canonical user for an export row.
pub(crate) fn user_from_row(row: &UserRow, role: Option<&RoleOf>, today: NaiveDate) -> User {
    let mut attributes: BTreeMap<String, Value> = row.unknown();
    if !row.expiration.is_empty() {
        attributes.insert("expiration".into(), Value::String(row.expiration.clone()));
    }
    attributes.insert("rights".into(), int_object(&row.rights()));
    attributes.insert("forms".into(), int_object(&row.forms));
    attributes.insert("forms_export".into(), int_object(&row.forms_export));
    if let Some(role) = role {
        attributes.insert("role".into(), Value::String(role.name.clone()));
        if let Some(label) = role.label.as_ref().filter(|_| !role.name.is_empty()) {
            attributes.insert("role_label".into(), Value::String(label.clone()));
        }
    }
    let username = row.username.to_lowercase();
    User {
        id: username.clone(),
        username: Some(username),
        email: non_empty(&row.email),
        first_name: non_empty(&row.firstname),
        last_name: non_empty(&row.lastname),
        active: Some(is_active(&row.expiration, today)),
        groups: Some(
            non_empty(&row.data_access_group)
                .into_iter()
                .collect::<BTreeSet<_>>(),
        ),
        attributes,
    }
}

/// The row as it stands after `import` was applied to it: what the server now holds.
pub(crate) fn row_after_import(before: &UserRow, import: &UserImportRow) -> UserRow {
    let mut after = before.clone();
    after.username = import.username.clone();
    after.expiration = import.expiration.clone();
    after.data_access_group = import.data_access_group.clone();
    for (name, right) in &import.rights {
        after.rest.insert(name.clone(), Value::from(*right));
    }
    if let Some(forms) = &import.forms {
        after.forms = forms.clone();
    }
    if let Some(forms_export) = &import.forms_export {
        after.forms_export = forms_export.clone();
    }
    after
}

/// The canonical group for a DAG export row.
pub(crate) fn group_from_row(row: &DagRow) -> Group {
    Group {
        name: row.unique_group_name.clone(),
        id: non_empty(&row.data_access_group_id),
        attributes: BTreeMap::from([
            (
                "label".to_owned(),
                Value::String(row.data_access_group_name.clone()),
            ),
            (
                "unique_group_name".to_owned(),
                Value::String(row.unique_group_name.clone()),
            ),
        ]),
    }
}

/// Rights as a JSON object of integers.
pub(crate) fn int_object(map: &IntMap) -> Value {
    Value::Object(
        map.iter()
            .map(|(name, right)| (name.clone(), Value::from(*right)))
            .collect(),
    )
}

fn non_empty(text: &str) -> Option<String> {
    (!text.trim().is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn active_follows_the_expiration_date() {
        let today = day("2026-01-15");
        assert!(is_active("", today));
        assert!(is_active("2026-01-16", today));
        assert!(!is_active("2026-01-15", today));
        assert!(!is_active("2025-12-31", today));
    }

    #[test]
    fn rows_map_onto_the_canonical_user() {
        let row: UserRow = serde_json::from_value(serde_json::json!({
            "username": "Alice", "email": "alice@example.org", "firstname": "Alice",
            "lastname": "", "expiration": "2026-01-10", "data_access_group": "test_dag",
            "data_access_group_id": 1, "design": 1, "forms": {"form_1": 1}, "forms_export": []
        }))
        .expect("row");
        let role = RoleOf {
            name: "U-573AEYRNR8".into(),
            label: Some("Example Role".into()),
        };
        let user = user_from_row(&row, Some(&role), day("2026-01-15"));
        assert_eq!(user.id, "alice");
        assert_eq!(user.email.as_deref(), Some("alice@example.org"));
        assert_eq!(user.last_name, None);
        assert_eq!(user.active, Some(false));
        assert_eq!(user.groups, Some(BTreeSet::from(["test_dag".to_owned()])));
        assert_eq!(user.attributes["rights"], serde_json::json!({"design": 1}));
        assert_eq!(user.attributes["forms"], serde_json::json!({"form_1": 1}));
        assert_eq!(user.attributes["forms_export"], serde_json::json!({}));
        assert_eq!(user.attributes["expiration"], "2026-01-10");
        assert_eq!(user.attributes["role"], "U-573AEYRNR8");
        assert_eq!(user.attributes["role_label"], "Example Role");
    }
}
