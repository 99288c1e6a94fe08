//! Membership, written per user: read the user's groups, send the complete new set in the
//! user PUT (never a delta), then read it back, because whether the site replaces or merges
//! the set is unknown (spec §5.3).

use std::collections::{BTreeMap, BTreeSet};

use roster_core::{DirectoryError, ErrorKind, Result};

use crate::directory::PeriscopeDirectory;
use crate::errors::decode_error;
use crate::wire::UpdateUserBody;

/// Whether one user joins or leaves the group.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Move {
    Join,
    Leave,
}

impl PeriscopeDirectory {
    /// Adds `add` to `group` and removes `remove` from it, one user at a time (a user named in
    /// both ends up outside). Users already where they should be cost one read and no write.
    pub(crate) async fn write_membership(
        &self,
        group: &str,
        add: &[String],
        remove: &[String],
    ) -> Result<()> {
        if self.site.settings.is_implicit(group) {
            if remove.is_empty() {
                // Every user is in an implicit group already.
                return Ok(());
            }
            return Err(DirectoryError::invalid(
                Some("groups"),
                format!("every Periscope user is in {group}; nobody can leave it"),
            ));
        }
        let mut moves: BTreeMap<&str, Move> = BTreeMap::new();
        for id in add {
            moves.insert(id, Move::Join);
        }
        for id in remove {
            moves.insert(id, Move::Leave);
        }
        let mut failed = BTreeMap::new();
        let mut last_error = None;
        for (id, change) in &moves {
            match self.move_user(id, group, *change).await {
                Ok(()) => {}
                // The whole call is safe to repeat (every write is an absolute set computed
                // from a fresh read), so the retry layer may simply run it again.
                Err(error) if error.is_temporary() => return Err(error),
                Err(error) => {
                    failed.insert((*id).to_owned(), error.to_string());
                    last_error = Some(error);
                }
            }
        }
        match last_error {
            None => Ok(()),
            Some(error) if moves.len() == 1 => Err(error),
            Some(_) => Err(DirectoryError::new(ErrorKind::Partial { failed })),
        }
    }

    async fn move_user(&self, id: &str, group: &str, change: Move) -> Result<()> {
        if self.membership_merges() {
            return Err(merges_error());
        }
        let user = self
            .fetch_user(id)
            .await?
            .ok_or_else(|| DirectoryError::not_found(id))?;
        let current = user
            .groups
            .ok_or_else(|| decode_error(format!("the site did not report the groups of {id}")))?;
        let mut wanted = current.clone();
        match change {
            Move::Join => wanted.insert(group.to_owned()),
            Move::Leave => wanted.remove(group),
        };
        if wanted == current {
            return Ok(());
        }
        let body = UpdateUserBody {
            groups: Some(wanted.iter().map(String::as_str).collect()),
            ..UpdateUserBody::default()
        };
        self.put_user(id, &body).await?;
        if self.is_test_mode() {
            return Ok(());
        }
        self.verify_groups(id, &wanted).await
    }

    /// Reads the user back and compares their groups with the set that was sent.
    async fn verify_groups(&self, id: &str, sent: &BTreeSet<String>) -> Result<()> {
        let reported = self
            .fetch_user(id)
            .await?
            .ok_or_else(|| DirectoryError::not_found(id))?
            .groups
            .ok_or_else(|| decode_error(format!("the site did not report the groups of {id}")))?;
        if reported.difference(sent).next().is_some() {
            self.note_membership_merges();
            return Err(merges_error());
        }
        let missing: Vec<&String> = sent.difference(&reported).collect();
        if !missing.is_empty() {
            return Err(DirectoryError::new(ErrorKind::Conflict {
                message: format!("membership not applied: {id} is not in {missing:?}"),
            }));
        }
        Ok(())
    }
}

fn merges_error() -> DirectoryError {
    DirectoryError::new(ErrorKind::Conflict {
        message: "server merges membership: a group set sent in a user update was added to, \
                  not replaced; membership is no longer written to this site"
            .into(),
    })
}
