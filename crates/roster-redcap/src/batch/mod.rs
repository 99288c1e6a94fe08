//! `apply_batch` (spec §5.4): writes merged with the observed listing (no re-read per user),
//! sent as one import per `batch_max` users and one delete per `batch_max` names, with
//! REDCap's all-or-nothing refusals resolved into one result per op.

mod creates;
mod deletes;
mod updates;

use std::collections::BTreeSet;

use roster_core::{ErrorClass, Operation, Result, User, UserOp};

use crate::directory::RedcapDirectory;
use crate::observed::{RoleDetail, Snapshot};
use crate::reply;
use crate::rows::{RoleMappingImportRow, UserRow};

/// One result per op, filled in as the segments run.
type Outcomes = Vec<Option<Result<Option<User>>>>;

impl RedcapDirectory {
    pub(crate) async fn apply_batch_impl(
        &self,
        ops: &[UserOp],
    ) -> Result<Vec<Result<Option<User>>>> {
        let mut outcomes: Outcomes = vec![None; ops.len()];
        let mut snapshot = if ops.iter().all(|op| matches!(op, UserOp::Delete { .. })) {
            // Deletes need no observation: the server names the users it does not have.
            Snapshot::new(Default::default(), None, None)
        } else {
            let detail = if ops.iter().any(sets_role) {
                RoleDetail::Names
            } else {
                RoleDetail::None
            };
            self.observed_or_read(detail)
                .await
                .map_err(self.fail(Operation::ApplyBatch))?
        };
        for (start, end) in segments(ops) {
            let indices: Vec<usize> = (start..end).collect();
            match &ops[start] {
                UserOp::Create(_) => {
                    self.create_segment(ops, &indices, &mut snapshot, &mut outcomes)
                        .await
                }
                UserOp::Update { .. } => {
                    self.update_segment(ops, &indices, &mut snapshot, &mut outcomes)
                        .await
                }
                UserOp::Delete { .. } => {
                    self.delete_segment(ops, &indices, &mut snapshot, &mut outcomes)
                        .await
                }
            }
        }
        let results: Vec<Result<Option<User>>> = outcomes
            .into_iter()
            .map(|outcome| {
                outcome.unwrap_or_else(|| {
                    Err(reply::decode_error("the op was not attempted")
                        .in_operation(Operation::ApplyBatch))
                })
            })
            .zip(ops)
            .map(|(result, op)| result.map_err(self.fail(op.operation())))
            .collect();
        // A failure that may or may not have been applied leaves the observation unreliable.
        if results.iter().any(|result| {
            result
                .as_ref()
                .is_err_and(|error| error.class() != ErrorClass::Permanent)
        }) {
            self.observed.forget();
        }
        Ok(results)
    }

    /// Records a written row in this batch's snapshot and in the shared observation, and
    /// returns the user as it now stands.
    fn remember(&self, snapshot: &mut Snapshot, row: UserRow, role: Option<&str>) -> User {
        let username = row.username.to_lowercase();
        self.observed
            .update(|shared| shared.record(row.clone(), role));
        snapshot.record(row, role);
        snapshot
            .user(&username, self.today())
            .unwrap_or_else(|| User {
                id: username.clone(),
                username: Some(username),
                ..User::default()
            })
    }
}

/// True for a write that sets or clears the `role` attribute.
fn sets_role(op: &UserOp) -> bool {
    match op {
        UserOp::Create(user) => user.attributes.contains_key("role"),
        UserOp::Update { patch, .. } => patch
            .attributes
            .get("role")
            .is_some_and(|change| !change.is_leave()),
        UserOp::Delete { .. } => false,
    }
}

/// Runs of consecutive ops of the same kind, as `start..end` ranges, in order.
fn segments(ops: &[UserOp]) -> Vec<(usize, usize)> {
    let kind = |op: &UserOp| std::mem::discriminant(op);
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for (index, op) in ops.iter().enumerate() {
        match ranges.last_mut() {
            Some((start, end)) if kind(&ops[*start]) == kind(op) => *end = index + 1,
            _ => ranges.push((index, index + 1)),
        }
    }
    ranges
}

/// Splits `items` into chunks of at most `max`, starting a new chunk rather than putting
/// one user in a chunk twice (REDCap would apply both rows, or count a name once).
fn chunks_without_repeats<T>(items: Vec<T>, max: usize, key: impl Fn(&T) -> &str) -> Vec<Vec<T>> {
    let mut chunks: Vec<Vec<T>> = Vec::new();
    let mut keys: BTreeSet<String> = BTreeSet::new();
    for item in items {
        let fits = chunks
            .last()
            .is_some_and(|chunk| chunk.len() < max && !keys.contains(key(&item)));
        if !fits {
            chunks.push(Vec::new());
            keys.clear();
        }
        keys.insert(key(&item).to_owned());
        if let Some(chunk) = chunks.last_mut() {
            chunk.push(item);
        }
    }
    chunks
}

fn mapping_row(username: &str, role: &str) -> RoleMappingImportRow {
    RoleMappingImportRow {
        username: username.to_owned(),
        unique_role_name: role.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_hold_at_most_max_and_no_repeats() {
        let names = ["a", "b", "c", "a", "d"].map(String::from).to_vec();
        let chunks = chunks_without_repeats(names, 2, String::as_str);
        assert_eq!(
            chunks,
            vec![
                vec!["a".to_owned(), "b".to_owned()],
                vec!["c".to_owned(), "a".to_owned()],
                vec!["d".to_owned()]
            ]
        );
        let repeated = ["a", "a"].map(String::from).to_vec();
        assert_eq!(chunks_without_repeats(repeated, 5, String::as_str).len(), 2);
    }

    #[test]
    fn segments_group_consecutive_kinds() {
        let delete = |id: &str| UserOp::Delete { id: id.into() };
        let create = UserOp::Create(Default::default());
        let ops = vec![create.clone(), create, delete("a"), delete("b")];
        assert_eq!(segments(&ops), vec![(0, 2), (2, 4)]);
    }
}
