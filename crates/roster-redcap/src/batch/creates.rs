//! The creates of a batch: one user import per `batch_max` rows, then one role-mapping
//! import for the new users that have a role.

use std::collections::BTreeSet;

use roster_core::{DirectoryError, UserOp};

use super::{mapping_row, Outcomes};
use crate::api::Content;
use crate::changes::{self, Creation};
use crate::directory::RedcapDirectory;
use crate::mapping::row_after_import;
use crate::observed::Snapshot;
use crate::reply::Repeat;
use crate::rows::{RoleMappingImportRow, UserImportRow, UserRow};
use crate::users::role_not_assigned;

impl RedcapDirectory {
    pub(super) async fn create_segment(
        &self,
        ops: &[UserOp],
        indices: &[usize],
        snapshot: &mut Snapshot,
        outcomes: &mut Outcomes,
    ) {
        let today = self.today();
        let mut claimed = BTreeSet::new();
        let mut pending: Vec<(usize, Creation)> = Vec::new();
        for &index in indices {
            let UserOp::Create(user) = &ops[index] else {
                continue;
            };
            match changes::creation(user, today) {
                Err(error) => outcomes[index] = Some(Err(error)),
                Ok(creation)
                    if snapshot.users.contains_key(&creation.row.username)
                        || !claimed.insert(creation.row.username.clone()) =>
                {
                    outcomes[index] = Some(Err(DirectoryError::already_exists(format!(
                        "user {} is already in the project",
                        creation.row.username
                    ))));
                }
                Ok(creation) => pending.push((index, creation)),
            }
        }
        for chunk in pending.chunks(self.batch_max) {
            let rows: Vec<UserImportRow> = chunk.iter().map(|(_, c)| c.row.clone()).collect();
            let imported = self
                .api
                .import_each(Content::User, &rows, Repeat::Unsafe)
                .await;
            let with_role: Vec<(usize, RoleMappingImportRow)> = chunk
                .iter()
                .zip(&imported)
                .enumerate()
                .filter(|(_, (_, result))| result.is_ok())
                .filter_map(|(position, ((_, creation), _))| {
                    let role = creation.role.clone()?;
                    Some((position, mapping_row(&creation.row.username, &role)))
                })
                .collect();
            let role_rows: Vec<RoleMappingImportRow> =
                with_role.iter().map(|(_, row)| row.clone()).collect();
            let mut assigned = self
                .api
                .import_each(Content::UserRoleMapping, &role_rows, Repeat::Safe)
                .await
                .into_iter();
            let mut role_results = vec![None; chunk.len()];
            for (position, _) in &with_role {
                role_results[*position] = assigned.next();
            }
            for (((index, creation), import), role) in chunk.iter().zip(imported).zip(role_results)
            {
                outcomes[*index] = Some(match (import, role) {
                    (Err(error), _) => Err(error),
                    (Ok(()), Some(Err(error))) => Err(role_not_assigned(
                        &creation.row.username,
                        creation.role.as_deref().unwrap_or_default(),
                        error,
                    )),
                    (Ok(()), _) => {
                        let row = row_after_import(&UserRow::default(), &creation.row);
                        Ok(Some(self.remember(snapshot, row, creation.role.as_deref())))
                    }
                });
            }
        }
    }
}
