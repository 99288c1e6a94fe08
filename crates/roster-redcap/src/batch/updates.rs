//! The updates of a batch: per chunk of `batch_max` users, one role-mapping import taking
//! users out of their role where REDCap requires it, one user import, one role-mapping import
//! assigning roles.

use roster_core::{DirectoryError, UserOp};

use super::{chunks_without_repeats, mapping_row, Outcomes};
use crate::api::Content;
use crate::changes;
use crate::directory::RedcapDirectory;
use crate::mapping::row_after_import;
use crate::observed::Snapshot;
use crate::reply::Repeat;
use crate::rows::{RoleMappingImportRow, UserImportRow, UserRow};
use crate::users::{role_not_assigned, UpdateSteps};

/// An update that needs requests.
struct PlannedUpdate {
    index: usize,
    username: String,
    base: UserRow,
    steps: UpdateSteps,
}

impl RedcapDirectory {
    pub(super) async fn update_segment(
        &self,
        ops: &[UserOp],
        indices: &[usize],
        snapshot: &mut Snapshot,
        outcomes: &mut Outcomes,
    ) {
        let today = self.today();
        let mut planned = Vec::new();
        for &index in indices {
            let UserOp::Update { id, patch } = &ops[index] else {
                continue;
            };
            let username = id.trim().to_lowercase();
            let plan = changes::patch_changes(patch, today).and_then(|changes| {
                let base = snapshot.users.get(&username).cloned().ok_or_else(|| {
                    DirectoryError::not_found(format!("user {username} is not in the project"))
                })?;
                let current = snapshot.role_of(&username).unwrap_or_default().name;
                let steps = UpdateSteps::plan(&changes, &base, &current)?;
                Ok((base, steps))
            });
            match plan {
                Err(error) => outcomes[index] = Some(Err(error)),
                Ok((base, steps)) if steps.is_nothing() => {
                    outcomes[index] = Some(Ok(Some(self.user_of(snapshot, &base))));
                }
                Ok((base, steps)) => planned.push(PlannedUpdate {
                    index,
                    username,
                    base,
                    steps,
                }),
            }
        }
        for chunk in chunks_without_repeats(planned, self.batch_max, |p| &p.username) {
            self.update_chunk(&chunk, snapshot, outcomes).await;
        }
    }

    /// Unassign roles, import, assign roles: three requests at most for the whole chunk.
    async fn update_chunk(
        &self,
        chunk: &[PlannedUpdate],
        snapshot: &mut Snapshot,
        outcomes: &mut Outcomes,
    ) {
        let mut failed: Vec<Option<DirectoryError>> = vec![None; chunk.len()];

        let unassign: Vec<usize> = positions(chunk, |p| p.steps.unassign_first);
        let rows: Vec<RoleMappingImportRow> = unassign
            .iter()
            .map(|&at| mapping_row(&chunk[at].username, ""))
            .collect();
        let results = self
            .api
            .import_each(Content::UserRoleMapping, &rows, Repeat::Safe)
            .await;
        for (&at, result) in unassign.iter().zip(results) {
            failed[at] = result.err();
        }
        let out_of_role: Vec<bool> = failed.iter().map(Option::is_none).collect();

        let import: Vec<usize> = positions(chunk, |p| p.steps.import.is_some())
            .into_iter()
            .filter(|&at| out_of_role[at])
            .collect();
        let rows: Vec<UserImportRow> = import
            .iter()
            .filter_map(|&at| chunk[at].steps.import.clone())
            .collect();
        let results = self
            .api
            .import_each(Content::User, &rows, Repeat::Safe)
            .await;
        for (&at, result) in import.iter().zip(results) {
            failed[at] = result.err();
        }

        // The role goes back (or on) even when the import failed, so a user taken out of a
        // role for the import does not stay out of it.
        let assign: Vec<usize> = positions(chunk, |p| p.steps.assign_after.is_some())
            .into_iter()
            .filter(|&at| {
                if chunk[at].steps.unassign_first {
                    out_of_role[at]
                } else {
                    failed[at].is_none()
                }
            })
            .collect();
        let rows: Vec<RoleMappingImportRow> = assign
            .iter()
            .map(|&at| {
                let planned = &chunk[at];
                mapping_row(
                    &planned.username,
                    planned.steps.assign_after.as_deref().unwrap_or_default(),
                )
            })
            .collect();
        let results = self
            .api
            .import_each(Content::UserRoleMapping, &rows, Repeat::Safe)
            .await;
        for (&at, result) in assign.iter().zip(results) {
            if let Err(error) = result {
                let planned = &chunk[at];
                let role = planned.steps.assign_after.as_deref().unwrap_or_default();
                failed[at] = Some(role_not_assigned(&planned.username, role, error));
            }
        }

        for (planned, failure) in chunk.iter().zip(failed) {
            outcomes[planned.index] = Some(match failure {
                Some(error) => Err(error),
                None => {
                    let row = planned.steps.import.as_ref().map_or_else(
                        || planned.base.clone(),
                        |import| row_after_import(&planned.base, import),
                    );
                    Ok(Some(self.remember(
                        snapshot,
                        row,
                        Some(&planned.steps.final_role),
                    )))
                }
            });
        }
    }
}

impl UpdateSteps {
    /// True when the update changes nothing REDCap holds.
    fn is_nothing(&self) -> bool {
        !self.unassign_first && self.import.is_none() && self.assign_after.is_none()
    }
}

fn positions(chunk: &[PlannedUpdate], wanted: impl Fn(&PlannedUpdate) -> bool) -> Vec<usize> {
    (0..chunk.len()).filter(|&at| wanted(&chunk[at])).collect()
}
