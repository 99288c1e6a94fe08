//! Remote validation: the site checks a change without applying it (`test_mode=true`), so a
//! plan can be validated change by change before anything is written.

use roster_core::{Result, UserDirectory, UserOp};

use crate::directory::PeriscopeDirectory;

impl PeriscopeDirectory {
    /// Sends `op` exactly as applying it would, but with `test_mode=true`: `Ok` when the site
    /// would accept it, else the error applying it would give. Nothing is saved.
    ///
    /// Group creates, group deletes and membership changes validate the same way through
    /// [`validating`](Self::validating).
    pub async fn validate(&self, op: &UserOp) -> Result<()> {
        let view = self.validating();
        match op {
            UserOp::Create(user) => view.create_user(user).await.map(drop),
            UserOp::Update { id, patch } => view.update_user(id, patch).await.map(drop),
            UserOp::Delete { id } => view.delete_user(id).await,
        }
    }
}
