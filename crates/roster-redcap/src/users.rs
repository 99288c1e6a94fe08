//! One user at a time: get, create, update, delete (spec §5.4 recipes); listings are in
//! `listing`.

use roster_core::{
    DirectoryError, NewUser, Operation, Result, User, UserKey, UserKeyKind, UserPatch,
};

use crate::api::Content;
use crate::changes::{self, Changes};
use crate::directory::RedcapDirectory;
use crate::mapping::{row_after_import, user_from_row};
use crate::observed::{RoleDetail, Snapshot};
use crate::reply::{self, Repeat};
use crate::rows::{RoleMappingImportRow, UserImportRow, UserRow};

impl RedcapDirectory {
    pub(crate) async fn get_user_impl(&self, key: &UserKey) -> Result<Option<User>> {
        let detail = match key.kind() {
            UserKeyKind::Attribute(name) if name.starts_with("role") => RoleDetail::Labels,
            _ => RoleDetail::None,
        };
        let snapshot = self
            .read_users(self.listing_detail().max(detail))
            .await
            .map_err(self.fail(Operation::GetUser))?;
        let today = self.today();
        Ok(match key {
            UserKey::Id(name) | UserKey::Username(name) => {
                snapshot.user(&name.trim().to_lowercase(), today)
            }
            other => snapshot
                .all_users(today)
                .into_iter()
                .find(|user| user.matches_key(other)),
        })
    }

    /// Spec §5.4: refuse a user already in the project (the import would update them), import
    /// the row, then assign the role. The user comes back as written; the fields the server
    /// fills in (the account's email and names, rights left out) show on the next read.
    pub(crate) async fn create_user_impl(&self, user: &NewUser) -> Result<User> {
        let fail = self.fail(Operation::CreateUser);
        let creation = changes::creation(user, self.today()).map_err(&fail)?;
        let username = creation.row.username.clone();
        let detail = if creation.role.is_some() {
            RoleDetail::Names
        } else {
            RoleDetail::None
        };
        let mut snapshot = self.read_users(detail).await.map_err(&fail)?;
        if snapshot.users.contains_key(&username) {
            return Err(fail(DirectoryError::already_exists(format!(
                "user {username} is already in the project"
            ))));
        }
        let imported = self
            .api
            .import(
                Content::User,
                std::slice::from_ref(&creation.row),
                Repeat::Unsafe,
            )
            .await;
        self.observed.forget();
        imported.map_err(&fail)?;
        if let Some(role) = &creation.role {
            self.assign_roles(&[(username.clone(), role.clone())])
                .await
                .map_err(|error| fail(role_not_assigned(&username, role, error)))?;
        }
        snapshot.record(
            row_after_import(&UserRow::default(), &creation.row),
            creation.role.as_deref(),
        );
        snapshot
            .user(&username, self.today())
            .ok_or_else(|| fail(DirectoryError::not_found(username.clone())))
    }

    /// Spec §5.4: read the user and their role, then send only the calls the change needs.
    pub(crate) async fn update_user_impl(&self, id: &str, patch: &UserPatch) -> Result<User> {
        let fail = self.fail(Operation::UpdateUser);
        let changes = changes::patch_changes(patch, self.today()).map_err(&fail)?;
        let detail = self.listing_detail().max(RoleDetail::Names);
        let snapshot = self.read_users(detail).await.map_err(&fail)?;
        let username = id.trim().to_lowercase();
        let Some(base) = snapshot.users.get(&username).cloned() else {
            return Err(fail(DirectoryError::not_found(format!(
                "user {username} is not in the project"
            ))));
        };
        let current = snapshot.role_of(&username).unwrap_or_default().name;
        let steps = UpdateSteps::plan(&changes, &base, &current).map_err(&fail)?;
        let outcome = self.run_update(&username, &steps).await;
        self.observed.forget();
        outcome.map_err(&fail)?;
        let mut after = snapshot;
        let row = match &steps.import {
            Some(import) => row_after_import(&base, import),
            None => base,
        };
        after.record(row, Some(&steps.final_role));
        after
            .user(&username, self.today())
            .ok_or_else(|| fail(DirectoryError::not_found(username.clone())))
    }

    /// Unassign, import, assign, in that order. A user taken out of a role gets the role
    /// back even when the import fails, and then the import's error is reported.
    async fn run_update(&self, username: &str, steps: &UpdateSteps) -> Result<()> {
        if steps.unassign_first {
            self.assign_roles(&[(username.to_owned(), String::new())])
                .await?;
        }
        let imported = match &steps.import {
            Some(row) => self
                .api
                .import(Content::User, std::slice::from_ref(row), Repeat::Safe)
                .await
                .map(drop),
            None => Ok(()),
        };
        if imported.is_err() && !steps.unassign_first {
            return imported;
        }
        if let Some(role) = &steps.assign_after {
            self.assign_roles(&[(username.to_owned(), role.clone())])
                .await
                .map_err(|error| role_not_assigned(username, role, error))?;
        }
        imported
    }

    pub(crate) async fn delete_user_impl(&self, id: &str) -> Result<()> {
        let fail = self.fail(Operation::DeleteUser);
        let username = id.trim().to_lowercase();
        let result = self
            .api
            .delete(Content::User, "users", std::slice::from_ref(&username))
            .await;
        self.observed.forget();
        result
            .map(drop)
            .map_err(|error| fail(not_found_if_listed(error)))
    }

    /// One userRoleMapping import of `(username, role)` pairs; `""` unassigns.
    pub(crate) async fn assign_roles(&self, pairs: &[(String, String)]) -> Result<()> {
        let rows: Vec<RoleMappingImportRow> = pairs
            .iter()
            .map(|(username, role)| RoleMappingImportRow {
                username: username.clone(),
                unique_role_name: role.clone(),
            })
            .collect();
        self.api
            .import(Content::UserRoleMapping, &rows, Repeat::Safe)
            .await
            .map(drop)
    }

    /// The canonical user for a row, with the role as far as the snapshot knows it.
    pub(crate) fn user_of(&self, snapshot: &Snapshot, row: &UserRow) -> User {
        let username = row.username.to_lowercase();
        user_from_row(row, snapshot.role_of(&username).as_ref(), self.today())
    }
}

/// The calls one update needs (spec §5.4 `update_user` table).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct UpdateSteps {
    /// Take the user out of their role before the import (REDCap refuses imports for users
    /// in a role).
    pub unassign_first: bool,
    pub import: Option<UserImportRow>,
    /// The role to assign after the import (or the only call, for a role-only change).
    pub assign_after: Option<String>,
    /// The role the user ends with.
    pub final_role: String,
}

impl UpdateSteps {
    /// The steps for `changes` to a user observed as `base`, currently in role `current`
    /// (`""` for none, or for not known).
    pub(crate) fn plan(changes: &Changes, base: &UserRow, current: &str) -> Result<Self> {
        let target = changes.role.clone().unwrap_or_else(|| current.to_owned());
        if changes.touches_rights() && !target.is_empty() && target == current {
            return Err(changes::governed_by_role(&target));
        }
        let assign_after = (!target.is_empty()).then(|| target.clone());
        if !changes.needs_user_import() {
            return Ok(Self {
                unassign_first: false,
                import: None,
                assign_after: (target != current).then(|| target.clone()),
                final_role: target,
            });
        }
        if current.is_empty() {
            return Ok(Self {
                unassign_first: false,
                import: Some(changes.merged_row(base)),
                assign_after,
                final_role: target,
            });
        }
        // In a role: out of it, import, and into the target role if there is one. Without a
        // target role, or with new rights, the full row is written: the exported rights are
        // the role's, so a user leaving their role keeps them as their own.
        let import = if target.is_empty() || changes.touches_rights() {
            changes.merged_row(base)
        } else {
            changes.expiration_row(base)
        };
        Ok(Self {
            unassign_first: true,
            import: Some(import),
            assign_after,
            final_role: target,
        })
    }
}

/// A delete refused because names are not in the project is `NotFound`.
pub(crate) fn not_found_if_listed(error: DirectoryError) -> DirectoryError {
    match reply::invalid_message(&error).and_then(reply::names_that_do_not_exist) {
        Some(names) => {
            DirectoryError::not_found(format!("not in the project: {}", names.join(", ")))
        }
        None => error,
    }
}

/// The user was written but the role step failed: say so, keeping whether a repeat may help
/// and how long the server asked to wait.
pub(crate) fn role_not_assigned(
    username: &str,
    role: &str,
    error: DirectoryError,
) -> DirectoryError {
    let class = error.class();
    let retry_after = error.retry_after();
    DirectoryError::invalid(
        Some("role"),
        format!("{username} was written, but setting role {role:?} failed: {error}"),
    )
    .with_class(class)
    .with_retry_after(retry_after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::RightsChange;
    use crate::rows::IntMap;

    fn base() -> UserRow {
        serde_json::from_value(serde_json::json!({
            "username": "alice", "expiration": "", "data_access_group": "test_dag",
            "reports": 1, "forms": {"form_1": 1}
        }))
        .expect("row")
    }

    fn changes(expiration: Option<&str>, rights: bool, role: Option<&str>) -> Changes {
        Changes {
            expiration: expiration.map(str::to_owned),
            rights: rights.then(|| RightsChange::Merge(IntMap::from([("design".into(), 1)]))),
            role: role.map(str::to_owned),
            ..Changes::default()
        }
    }

    #[test]
    fn rights_of_a_user_staying_in_their_role_are_refused() {
        let error = UpdateSteps::plan(&changes(None, true, None), &base(), "U-1")
            .expect_err("governed by role");
        assert!(error.to_string().contains("U-1"), "{error}");
    }

    #[test]
    fn a_user_moving_between_roles_is_unassigned_written_and_assigned() {
        let steps =
            UpdateSteps::plan(&changes(None, true, Some("U-2")), &base(), "U-1").expect("allowed");
        assert!(steps.unassign_first);
        let row = steps.import.expect("import");
        assert_eq!(
            row.rights,
            IntMap::from([("design".into(), 1), ("reports".into(), 1)])
        );
        assert_eq!(row.data_access_group, "test_dag");
        assert_eq!(steps.assign_after.as_deref(), Some("U-2"));
    }

    #[test]
    fn an_expiration_in_a_role_is_written_around_the_role() {
        let steps = UpdateSteps::plan(&changes(Some("2026-01-15"), false, None), &base(), "U-1")
            .expect("allowed");
        assert!(steps.unassign_first);
        let row = steps.import.expect("import");
        assert!(row.rights.is_empty() && row.forms.is_none(), "{row:?}");
        assert_eq!(steps.assign_after.as_deref(), Some("U-1"));
    }

    #[test]
    fn role_changes_alone_and_no_changes_need_no_import() {
        let steps =
            UpdateSteps::plan(&changes(None, false, Some("")), &base(), "U-1").expect("allowed");
        assert_eq!(
            (steps.unassign_first, steps.import.is_none()),
            (false, true)
        );
        assert_eq!(steps.assign_after.as_deref(), Some(""));
        let steps = UpdateSteps::plan(&Changes::default(), &base(), "").expect("nothing");
        assert_eq!(steps.assign_after, None);
        assert!(steps.import.is_none());
    }

    #[test]
    fn a_user_without_a_role_gets_the_merged_row_then_the_new_role() {
        let steps =
            UpdateSteps::plan(&changes(None, true, Some("U-2")), &base(), "").expect("allowed");
        assert!(!steps.unassign_first);
        assert!(steps.import.is_some());
        assert_eq!(steps.assign_after.as_deref(), Some("U-2"));
    }
}
