//! `plan --validate-remote` on Periscope sites: each planned change is sent with
//! `test_mode=true`, which the site validates and answers without saving.

use std::sync::Arc;

use async_trait::async_trait;
use roster_core::{DirectoryError, UserDirectory, UserPatch};
use roster_engine::plan::{Action, PlanItem};
use roster_engine::RemoteValidator;
use roster_periscope::PeriscopeDirectory;

/// Validates plan items against a Periscope site's test mode.
pub struct PeriscopeValidator {
    test_mode: PeriscopeDirectory,
}

impl PeriscopeValidator {
    /// A validator sending through `site`'s test-mode view.
    pub fn new(site: &Arc<PeriscopeDirectory>) -> Self {
        Self {
            test_mode: site.validating(),
        }
    }
}

#[async_trait]
impl RemoteValidator for PeriscopeValidator {
    async fn validate(&self, item: &PlanItem) -> Result<(), DirectoryError> {
        let site = &self.test_mode;
        match &item.action {
            Action::CreateGroup { group } => site.create_group(group).await.map(drop),
            Action::CreateUser { user, .. } => site.create_user(user).await.map(drop),
            Action::UpdateUser { id, patch, .. } => site.update_user(id, patch).await.map(drop),
            Action::AddMember {
                group,
                user_id: Some(id),
                ..
            } => {
                site.set_membership(group, std::slice::from_ref(id), &[])
                    .await
            }
            // The user does not exist until the plan creates it: nothing to validate yet.
            Action::AddMember { user_id: None, .. } => Ok(()),
            Action::RemoveMember { group, user_id } => {
                site.set_membership(group, &[], std::slice::from_ref(user_id))
                    .await
            }
            Action::DeactivateUser { id } => site
                .update_user(id, &UserPatch::deactivate())
                .await
                .map(drop),
            Action::DeleteUser { id } => site.delete_user(id).await,
            Action::DeleteGroup { group } => site.delete_group(group).await,
        }
    }
}
