//! Reading ahead the records of users about to be updated, for backends whose updates read
//! each record before writing it (`UserDirectory::prepare_updates`).
//!
//! Updates are sent in groups of [`ROUNDS`] × the site's concurrency. The site is told which
//! users a group updates while the group before it is sent (the first group: before it), so a
//! backend like AMS reads their records in one request instead of one per update and the
//! writes never wait for it. Groups are small so a record read ahead is written back within
//! moments, as with a read right before each write.

use roster_core::UserDirectory;

use crate::plan::{Action, PlanItem};

/// Rounds of concurrent updates per group: enough that the read ahead is a small part of a
/// group's time, few enough that a record waits well under a second for its write.
pub(super) const ROUNDS: usize = 16;

/// The id of the user `item` updates, if it is an update (deactivation included).
pub(super) fn updated_id(item: &PlanItem) -> Option<&str> {
    match &item.action {
        Action::UpdateUser { id, .. } | Action::DeactivateUser { id } => Some(id),
        _ => None,
    }
}

/// Tells the site which users are about to be updated. A failure is only traced: each
/// update then reads its own record, as it would without the read ahead.
pub(super) async fn announce(directory: &dyn UserDirectory, items: &[&PlanItem]) {
    let ids: Vec<String> = items
        .iter()
        .filter_map(|item| updated_id(item))
        .map(str::to_owned)
        .collect();
    if ids.is_empty() {
        return;
    }
    if let Err(error) = directory.prepare_updates(&ids).await {
        tracing::debug!(%error, users = ids.len(), "reading ahead failed; each update reads alone");
    }
}
