//! User roles (spec §2.2, §2.3): list, create, delete and assign. Roles do not fit the
//! canonical model, so they are inherent methods of [`RedcapDirectory`]; a user's role is also
//! the `role` attribute that `update_user` and `apply_batch` write.

use std::collections::{BTreeMap, BTreeSet};

use roster_core::{DirectoryError, Operation, Result};
use serde::{Deserialize, Serialize};

use crate::api::Content;
use crate::directory::RedcapDirectory;
use crate::observed::RoleDetail;
use crate::reply::{self, Repeat};
use crate::rows::{as_int, RoleImportRow, RoleRow};
use crate::users::not_found_if_listed;

/// A user role of the project, with rights as integers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    /// REDCap's name for it, `U-` and ten characters; chosen by the server.
    pub unique_role_name: String,
    /// The name people see.
    pub label: String,
    /// Project rights (`design`, `user_rights`, …), as integers.
    pub rights: BTreeMap<String, i64>,
    /// Data-entry rights per instrument.
    pub forms: BTreeMap<String, i64>,
    /// Export rights per instrument.
    pub forms_export: BTreeMap<String, i64>,
}

/// A role to create. Rights left out are 0.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRole {
    /// The name people see; it cannot be blank.
    pub label: String,
    /// Project rights, as integers.
    #[serde(default)]
    pub rights: BTreeMap<String, i64>,
    /// Data-entry rights per instrument.
    #[serde(default)]
    pub forms: BTreeMap<String, i64>,
    /// Export rights per instrument.
    #[serde(default)]
    pub forms_export: BTreeMap<String, i64>,
}

impl NewRole {
    /// A role with a label and no rights.
    pub fn labelled(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            ..Self::default()
        }
    }
}

impl RedcapDirectory {
    /// Every role of the project, in the server's order (creation order).
    pub async fn list_roles(&self) -> Result<Vec<Role>> {
        let rows: Vec<RoleRow> = self
            .api
            .export(Content::UserRole)
            .await
            .map_err(|error| error.at_site(self.site()))?;
        Ok(rows.into_iter().map(role_from_row).collect())
    }

    /// Creates a role and returns it with the unique name the server chose. The server picks
    /// the name, so the role is found afterwards as the one new role with this label; a
    /// create is never repeated blindly (a repeat would make a second role).
    pub async fn create_role(&self, role: &NewRole) -> Result<Role> {
        let fail = |error: DirectoryError| error.at_site(self.site());
        if role.label.trim().is_empty() {
            return Err(fail(DirectoryError::invalid(
                Some("label"),
                "a role label cannot be blank",
            )));
        }
        let before: BTreeSet<String> = self
            .list_roles()
            .await?
            .into_iter()
            .map(|role| role.unique_role_name)
            .collect();
        let row = RoleImportRow {
            unique_role_name: String::new(),
            role_label: role.label.clone(),
            rights: role.rights.clone(),
            forms: role.forms.clone(),
            forms_export: role.forms_export.clone(),
        };
        self.api
            .import(Content::UserRole, &[row], Repeat::Unsafe)
            .await
            .map_err(fail)?;
        self.list_roles()
            .await?
            .into_iter()
            .find(|listed| !before.contains(&listed.unique_role_name) && listed.label == role.label)
            .ok_or_else(|| {
                fail(reply::decode_error(
                    "the server accepted the role, but the role export does not list it",
                ))
            })
    }

    /// Deletes the role `unique_role_name`; `NotFound` when the project has no such role.
    /// What becomes of its members is unknown (spec §8); assign them elsewhere first.
    pub async fn delete_role(&self, unique_role_name: &str) -> Result<()> {
        self.api
            .delete(Content::UserRole, "roles", &[unique_role_name.to_owned()])
            .await
            .map(drop)
            .map_err(|error| not_found_if_listed(error).at_site(self.site()))
    }

    /// Puts the project user `username` in role `role`, or out of any role with `None`.
    /// REDCap's role mapping silently adds users who are not in the project, so a username
    /// that is not in the project is refused as `NotFound` instead of being added.
    pub async fn assign_role(&self, username: &str, role: Option<&str>) -> Result<()> {
        let fail = self.fail(Operation::UpdateUser);
        let username = username.trim().to_lowercase();
        let snapshot = self.read_users(RoleDetail::None).await.map_err(&fail)?;
        if !snapshot.users.contains_key(&username) {
            return Err(fail(DirectoryError::not_found(format!(
                "user {username} is not in the project"
            ))));
        }
        let result = self
            .assign_roles(&[(username, role.unwrap_or_default().to_owned())])
            .await;
        self.observed.forget();
        result.map_err(fail)
    }
}

fn role_from_row(row: RoleRow) -> Role {
    Role {
        rights: row
            .rest
            .iter()
            .filter_map(|(name, value)| as_int(value).map(|right| (name.clone(), right)))
            .collect(),
        unique_role_name: row.unique_role_name,
        label: row.role_label,
        forms: row.forms,
        forms_export: row.forms_export,
    }
}
