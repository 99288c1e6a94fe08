//! The deletes of a batch: one delete per `batch_max` names, no export needed.

use std::collections::BTreeSet;

use roster_core::{DirectoryError, UserOp};

use super::{chunks_without_repeats, Outcomes};
use crate::api::Content;
use crate::directory::RedcapDirectory;
use crate::observed::Snapshot;
use crate::reply;

impl RedcapDirectory {
    /// One delete per chunk of names; names the server says are not in the project are
    /// `NotFound` and the rest is sent again (REDCap deletes all or nothing).
    pub(super) async fn delete_segment(
        &self,
        ops: &[UserOp],
        indices: &[usize],
        snapshot: &mut Snapshot,
        outcomes: &mut Outcomes,
    ) {
        let names: Vec<(usize, String)> = indices
            .iter()
            .filter_map(|&index| match &ops[index] {
                UserOp::Delete { id } => Some((index, id.trim().to_lowercase())),
                _ => None,
            })
            .collect();
        for mut chunk in chunks_without_repeats(names, self.batch_max, |(_, name)| name) {
            while !chunk.is_empty() {
                let list: Vec<String> = chunk.iter().map(|(_, name)| name.clone()).collect();
                let error = match self.api.delete(Content::User, "users", &list).await {
                    Ok(_) => {
                        for (index, name) in chunk.drain(..) {
                            self.observed.update(|shared| shared.remove(&name));
                            snapshot.remove(&name);
                            outcomes[index] = Some(Ok(None));
                        }
                        break;
                    }
                    Err(error) => error,
                };
                let missing: BTreeSet<String> = reply::invalid_message(&error)
                    .and_then(reply::names_that_do_not_exist)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|name| name.to_lowercase())
                    .collect();
                let (absent, rest): (Vec<_>, Vec<_>) = chunk
                    .into_iter()
                    .partition(|(_, name)| missing.contains(name));
                if absent.is_empty() {
                    for (index, _) in rest {
                        outcomes[index] = Some(Err(error.clone()));
                    }
                    break;
                }
                for (index, name) in absent {
                    outcomes[index] = Some(Err(DirectoryError::not_found(format!(
                        "user {name} is not in the project"
                    ))));
                }
                chunk = rest;
            }
        }
    }
}
