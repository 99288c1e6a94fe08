//! From canonical writes to REDCap's: which fields REDCap can write (spec §3, §5.4), how
//! `active` becomes `expiration`, and the import rows that result. Fields REDCap takes from the
//! account (email, names, password) are refused, never dropped, so no drift is left behind.

use chrono::NaiveDate;
use roster_core::{Change, DirectoryError, ErrorKind, NewUser, Result, UserPatch};
use serde_json::Value;

use crate::mapping::is_active;
use crate::rows::{as_int, IntMap, UserImportRow, UserRow};

/// What a write changes, in REDCap's terms; `None` = leave as it is.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Changes {
    /// The new expiration, `""` for never.
    pub expiration: Option<String>,
    pub rights: Option<RightsChange>,
    pub forms: Option<RightsChange>,
    pub forms_export: Option<RightsChange>,
    /// The new role, `""` for none.
    pub role: Option<String>,
}

/// A change to a map of rights.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RightsChange {
    /// These rights take these values; the others keep theirs.
    Merge(IntMap),
    /// Every right becomes 0.
    Zero,
}

impl Changes {
    /// True when rights or form rights change, which REDCap refuses for users in a role.
    pub(crate) fn touches_rights(&self) -> bool {
        self.rights.is_some() || self.forms.is_some() || self.forms_export.is_some()
    }

    /// True when a user import is needed (anything but the role).
    pub(crate) fn needs_user_import(&self) -> bool {
        self.expiration.is_some() || self.touches_rights()
    }

    /// The full row for a user without a role: the observed row with the changes merged in
    /// and the user's current DAG, so the import keeps everything it does not change.
    pub(crate) fn merged_row(&self, base: &UserRow) -> UserImportRow {
        let nonzero_or_none = |map: IntMap| (!map.is_empty()).then_some(map);
        UserImportRow {
            username: base.username.to_lowercase(),
            expiration: self
                .expiration
                .clone()
                .unwrap_or_else(|| base.expiration.clone()),
            data_access_group: base.data_access_group.clone(),
            rights: apply(&base.rights(), self.rights.as_ref()),
            forms: nonzero_or_none(apply(&base.forms, self.forms.as_ref())),
            forms_export: nonzero_or_none(apply(&base.forms_export, self.forms_export.as_ref())),
        }
    }

    /// The row for a user in a role (spec §5.4): username, expiration and the current DAG.
    pub(crate) fn expiration_row(&self, base: &UserRow) -> UserImportRow {
        UserImportRow {
            username: base.username.to_lowercase(),
            expiration: self
                .expiration
                .clone()
                .unwrap_or_else(|| base.expiration.clone()),
            data_access_group: base.data_access_group.clone(),
            rights: IntMap::new(),
            forms: None,
            forms_export: None,
        }
    }
}

fn apply(current: &IntMap, change: Option<&RightsChange>) -> IntMap {
    match change {
        None => current.clone(),
        Some(RightsChange::Zero) => current.keys().map(|name| (name.clone(), 0)).collect(),
        Some(RightsChange::Merge(values)) => {
            let mut merged = current.clone();
            merged.extend(values.iter().map(|(name, right)| (name.clone(), *right)));
            merged
        }
    }
}

/// A user to add to the project: the import row and the role to assign after it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Creation {
    pub row: UserImportRow,
    /// The role to assign after the import, if any.
    pub role: Option<String>,
}

/// Checks a new user and turns it into its import row (spec §5.4 `create_user`).
pub(crate) fn creation(user: &NewUser, today: NaiveDate) -> Result<Creation> {
    let Some(username) = user.username.as_deref() else {
        return Err(DirectoryError::invalid(
            Some("username"),
            "a REDCap user needs a username (the REDCap account name)",
        ));
    };
    let username = checked_username(username)?;
    for (field, given) in [
        ("email", user.email.is_some()),
        ("first_name", user.first_name.is_some()),
        ("last_name", user.last_name.is_some()),
        ("password", user.password.is_some()),
    ] {
        if given {
            return Err(account_field(field));
        }
    }
    if user.groups.len() > 1 {
        return Err(DirectoryError::invalid(
            Some("groups"),
            "a REDCap user belongs to one DAG at most",
        ));
    }
    let mut changes = Changes::default();
    for (name, value) in &user.attributes {
        record(&mut changes, name, &Change::Set(value.clone()))?;
    }
    let active = user.active.map_or(Change::Leave, Change::Set);
    let expiration = expiration_for(&active, changes.expiration.take(), today)?;
    // Rights given with a role are stored as the user's own; the role, assigned after the
    // import, decides what the user may do (spec §5.4 `create_user`).
    let role = changes.role.take().filter(|role| !role.is_empty());
    let row = UserImportRow {
        username,
        expiration: expiration.unwrap_or_default(),
        data_access_group: user.groups.iter().next().cloned().unwrap_or_default(),
        rights: merge_only(changes.rights),
        forms: changes.forms.map(|change| merge_only(Some(change))),
        forms_export: changes.forms_export.map(|change| merge_only(Some(change))),
    };
    Ok(Creation { row, role })
}

/// A new user has no rights to zero; clearing them is granting none.
fn merge_only(change: Option<RightsChange>) -> IntMap {
    match change {
        Some(RightsChange::Merge(values)) => values,
        Some(RightsChange::Zero) | None => IntMap::new(),
    }
}

/// Checks a patch and turns it into REDCap changes (spec §5.4 `update_user`).
pub(crate) fn patch_changes(patch: &UserPatch, today: NaiveDate) -> Result<Changes> {
    if !patch.username.is_leave() {
        return Err(DirectoryError::new(ErrorKind::Unsupported {
            operation: "renaming a user (the username is the REDCap account)".into(),
        }));
    }
    for (field, leave) in [
        ("email", patch.email.is_leave()),
        ("first_name", patch.first_name.is_leave()),
        ("last_name", patch.last_name.is_leave()),
    ] {
        if !leave {
            return Err(account_field(field));
        }
    }
    let mut changes = Changes::default();
    for (name, change) in &patch.attributes {
        record(&mut changes, name, change)?;
    }
    changes.expiration = expiration_for(&patch.active, changes.expiration.take(), today)?;
    Ok(changes)
}

/// Records one attribute change, checking its name and value.
fn record(changes: &mut Changes, name: &str, change: &Change<Value>) -> Result<()> {
    let value = match change {
        Change::Leave => return Ok(()),
        Change::Set(value) => Some(value),
        Change::Clear => None,
    };
    match name {
        "expiration" => {
            let text = match value {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(text)) => text.trim().to_owned(),
                Some(other) => return Err(invalid_date(other)),
            };
            if !text.is_empty() && NaiveDate::parse_from_str(&text, "%Y-%m-%d").is_err() {
                return Err(invalid_date(&Value::String(text)));
            }
            changes.expiration = Some(text);
        }
        "role" => {
            changes.role = Some(match value {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(role)) => role.trim().to_owned(),
                Some(other) => {
                    return Err(DirectoryError::invalid(
                        Some("role"),
                        format!("a unique role name is text, got {other}"),
                    ))
                }
            })
        }
        "rights" => changes.rights = Some(rights_change(name, value)?),
        "forms" => changes.forms = Some(rights_change(name, value)?),
        "forms_export" => changes.forms_export = Some(rights_change(name, value)?),
        "role_label" => {
            return Err(DirectoryError::invalid(
                Some("role_label"),
                "the role label is read-only here; set `role` to a unique role name",
            ))
        }
        other => {
            return Err(DirectoryError::invalid(
                Some(other),
                "REDCap users have no such attribute (expiration, role, rights, forms, \
                 forms_export can be written)",
            ))
        }
    }
    Ok(())
}

/// Rights are objects of integers; booleans are refused, as the server refuses them.
fn rights_change(field: &str, value: Option<&Value>) -> Result<RightsChange> {
    let object = match value {
        None | Some(Value::Null) => return Ok(RightsChange::Zero),
        Some(Value::Object(object)) => object,
        Some(other) => {
            return Err(DirectoryError::invalid(
                Some(field),
                format!("expected an object of integer rights, got {other}"),
            ))
        }
    };
    object
        .iter()
        .map(|(name, right)| match as_int(right) {
            Some(right) => Ok((name.clone(), right)),
            None => Err(DirectoryError::invalid(
                Some(&format!("{field}.{name}")),
                format!("REDCap rights are integers, got {right}"),
            )),
        })
        .collect::<Result<IntMap>>()
        .map(RightsChange::Merge)
}

/// The expiration a write leaves: deactivating sets today (the server treats a date of today
/// or earlier as expired), reactivating clears it; an explicit date must agree with `active`.
fn expiration_for(
    active: &Change<bool>,
    expiration: Option<String>,
    today: NaiveDate,
) -> Result<Option<String>> {
    let today_text = today.format("%Y-%m-%d").to_string();
    match (active, expiration) {
        (Change::Leave, expiration) => Ok(expiration),
        (Change::Clear, _) => Err(DirectoryError::invalid(
            Some("active"),
            "active can be set to true or false, not cleared",
        )),
        (Change::Set(false), None) => Ok(Some(today_text)),
        (Change::Set(true), None) => Ok(Some(String::new())),
        (Change::Set(wanted), Some(date)) => {
            if is_active(&date, today) == *wanted {
                Ok(Some(date))
            } else {
                Err(DirectoryError::invalid(
                    Some("expiration"),
                    format!("expiration {date:?} contradicts active = {wanted}"),
                ))
            }
        }
    }
}

/// The error for a right change on a user who stays in their role.
pub(crate) fn governed_by_role(role: &str) -> DirectoryError {
    DirectoryError::invalid(
        Some("rights"),
        format!(
            "the rights of this user are governed by role {role}; change the role's rights, \
             or set `role` to \"\" in the same change"
        ),
    )
}

/// Spec §2.1: letters, digits, `_`, `'`, whitespace, `.`, `-`, `@`; sent in lower case.
pub(crate) fn checked_username(username: &str) -> Result<String> {
    let trimmed = username.trim();
    let allowed = |c: char| c.is_alphanumeric() || "_'.-@".contains(c) || c.is_whitespace();
    if trimmed.is_empty() || !trimmed.chars().all(allowed) {
        return Err(DirectoryError::invalid(
            Some("username"),
            format!(
                "{trimmed:?} is not a REDCap username (letters, numbers, underscores, hyphens, \
                 periods, spaces, apostrophes and @ only)"
            ),
        ));
    }
    Ok(trimmed.to_lowercase())
}

fn account_field(field: &str) -> DirectoryError {
    DirectoryError::new(ErrorKind::Unsupported {
        operation: format!(
            "writing {field} (REDCap takes it from the user's account, which the project API \
             cannot change)"
        ),
    })
}

fn invalid_date(value: &Value) -> DirectoryError {
    DirectoryError::invalid(
        Some("expiration"),
        format!("expected a date as YYYY-MM-DD or \"\", got {value}"),
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 15).expect("date")
    }

    fn patch(name: &str, change: Change<Value>) -> UserPatch {
        UserPatch {
            attributes: BTreeMap::from([(name.to_owned(), change)]),
            ..UserPatch::default()
        }
    }

    #[test]
    fn deactivating_sets_today_and_reactivating_clears() {
        let off = patch_changes(&UserPatch::deactivate(), today()).expect("valid");
        assert_eq!(off.expiration.as_deref(), Some("2026-01-15"));
        let on = UserPatch {
            active: Change::Set(true),
            ..UserPatch::default()
        };
        assert_eq!(
            patch_changes(&on, today())
                .expect("valid")
                .expiration
                .as_deref(),
            Some("")
        );
    }

    #[test]
    fn account_fields_and_booleans_are_refused() {
        let email = UserPatch {
            email: Change::Set("x@example.org".into()),
            ..UserPatch::default()
        };
        let error = patch_changes(&email, today()).expect_err("read-only");
        assert!(
            matches!(error.kind(), ErrorKind::Unsupported { .. }),
            "{error}"
        );
        let boolean = patch("rights", Change::Set(serde_json::json!({"design": true})));
        let error = patch_changes(&boolean, today()).expect_err("boolean right");
        assert!(error.to_string().contains("rights.design"), "{error}");
        let unknown = patch("uuid", Change::Set("x".into()));
        assert!(patch_changes(&unknown, today()).is_err());
    }

    #[test]
    fn merged_rows_keep_the_dag_and_every_other_right() {
        let base: UserRow = serde_json::from_value(serde_json::json!({
            "username": "bob", "expiration": "", "data_access_group": "site_a",
            "design": 1, "reports": 0, "forms": {"form_1": 1, "form_2": 0}
        }))
        .expect("row");
        let changes = patch_changes(
            &patch("forms", Change::Set(serde_json::json!({"form_2": 2}))),
            today(),
        )
        .expect("valid");
        let row = changes.merged_row(&base);
        assert_eq!(row.data_access_group, "site_a");
        assert_eq!(
            row.rights,
            IntMap::from([("design".into(), 1), ("reports".into(), 0)])
        );
        assert_eq!(
            row.forms,
            Some(IntMap::from([("form_1".into(), 1), ("form_2".into(), 2)]))
        );
        assert_eq!(row.forms_export, None);
    }

    #[test]
    fn a_creation_carries_its_dag_and_role() {
        let user = NewUser {
            username: Some("Carol".into()),
            groups: ["site_a".to_owned()].into(),
            attributes: BTreeMap::from([("role".to_owned(), Value::from("U-573AEYRNR8"))]),
            ..NewUser::default()
        };
        let creation = creation(&user, today()).expect("valid");
        assert_eq!(creation.row.username, "carol");
        assert_eq!(creation.row.data_access_group, "site_a");
        assert_eq!(creation.role.as_deref(), Some("U-573AEYRNR8"));
        let named = NewUser {
            first_name: Some("Carol".into()),
            ..user
        };
        assert!(super::creation(&named, today()).is_err());
        assert!(checked_username("bad!").is_err());
    }
}
