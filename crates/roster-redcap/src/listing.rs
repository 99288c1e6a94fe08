//! Listing users: the one user export, then the roles (small maps), then the export decoded
//! row by row, each row made a user and handed over as soon as it is read.

use std::ops::ControlFlow;

use roster_core::{collect_into, Operation, Result, User, UserQuery, UserSink};

use crate::api::Content;
use crate::directory::RedcapDirectory;
use crate::mapping::user_from_row;
use crate::observed::{RoleDetail, Snapshot};
use crate::rows::UserRow;

/// What a listing leaves besides the users it handed over.
struct Listed {
    /// The roles read, and the rows when the listing was asked to keep them.
    snapshot: Snapshot,
    /// Whether the export named each user once, in ascending lower-case username order: the
    /// order of a snapshot, so of every listing before listings streamed.
    in_username_order: bool,
}

impl RedcapDirectory {
    /// Every user matching `query`, in username order, collected from the same listing as
    /// [`for_each_user_impl`](Self::for_each_user_impl). The rows are kept as the latest
    /// observation, which `apply_batch` merges its writes with instead of exporting again.
    pub(crate) async fn list_users_impl(&self, query: &UserQuery) -> Result<Vec<User>> {
        let mut users = Vec::new();
        let listed = self
            .listing(query, true, &mut collect_into(&mut users))
            .await
            .map_err(self.fail(Operation::ListUsers))?;
        if !listed.in_username_order {
            // REDCap sorts the export by username, but in its database's collation, which may
            // order `_` or capitals otherwise, and a name may come twice in another case. A
            // listing has always been one user per name in lower-case order: the snapshot is.
            users = listed.snapshot.all_users(self.today());
            users.retain(|user| query.matches(user));
        }
        self.observed.store(listed.snapshot);
        Ok(users)
    }

    /// Hands every user matching `query` to `sink` in the export's order (REDCap's is by
    /// username), keeping no rows: an export of any size holds one row at a time beside the
    /// body. A `Break` ends the listing; one export is one request either way.
    pub(crate) async fn for_each_user_impl(
        &self,
        query: &UserQuery,
        sink: &mut dyn UserSink,
    ) -> Result<()> {
        self.listing(query, false, sink)
            .await
            .map(drop)
            .map_err(self.fail(Operation::ListUsers))
    }

    /// Exports the users, reads the roles the query and the site's settings need, then decodes
    /// the export row by row: each row becomes a user, handed to `sink` when `query` matches
    /// it. With `keep_rows`, the rows also go into the returned snapshot.
    async fn listing(
        &self,
        query: &UserQuery,
        keep_rows: bool,
        sink: &mut dyn UserSink,
    ) -> Result<Listed> {
        let detail = self.listing_detail().max(query_detail(query));
        // The export comes first, as it always has (a failed export sends nothing more), but
        // is decoded only once the roles are read: a user goes out complete, role included.
        let body = self.api.export_raw(Content::User, "json").await?;
        let mut snapshot = self.read_roles(detail).await?;
        let today = self.today();
        let mut order = UsernameOrder::default();
        self.api
            .each_exported_row(Content::User, &body, &mut |row: UserRow| {
                let username = row.username.to_lowercase();
                order.note(&username);
                let user = user_from_row(&row, snapshot.role_of(&username).as_ref(), today);
                if keep_rows {
                    snapshot.users.insert(username, row);
                }
                if query.matches(&user) {
                    sink.accept(user)
                } else {
                    ControlFlow::Continue(())
                }
            })?;
        Ok(Listed {
            snapshot,
            in_username_order: order.ascending,
        })
    }
}

/// Which role detail a query needs to be answered.
fn query_detail(query: &UserQuery) -> RoleDetail {
    if query.attributes.keys().any(|name| name.starts_with("role")) {
        RoleDetail::Labels
    } else {
        RoleDetail::None
    }
}

/// Whether the usernames seen so far came strictly ascending (so each once).
struct UsernameOrder {
    last: Option<String>,
    ascending: bool,
}

impl Default for UsernameOrder {
    fn default() -> Self {
        Self {
            last: None,
            ascending: true,
        }
    }
}

impl UsernameOrder {
    fn note(&mut self, username: &str) {
        match &mut self.last {
            Some(last) => {
                if last.as_str() >= username {
                    self.ascending = false;
                }
                last.clear();
                last.push_str(username);
            }
            None => self.last = Some(username.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::UsernameOrder;

    fn ascending(names: &[&str]) -> bool {
        let mut order = UsernameOrder::default();
        for name in names {
            order.note(name);
        }
        order.ascending
    }

    #[test]
    fn only_strictly_ascending_names_are_in_username_order() {
        assert!(ascending(&[]));
        assert!(ascending(&["a", "a_b", "ab", "b"]));
        assert!(
            !ascending(&["ab", "a_b"]),
            "a collation putting `_` after letters"
        );
        assert!(!ascending(&["alice", "alice"]), "a name twice");
    }
}
