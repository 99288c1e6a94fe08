//! The canonical [`UserDirectory`] operations, each tagged with its operation and site.

use async_trait::async_trait;
use roster_core::{
    BackendInfo, Group, NewGroup, NewUser, Operation, Result, User, UserDirectory, UserKey,
    UserPatch, UserQuery,
};

use crate::directory::PeriscopeDirectory;

#[async_trait]
impl UserDirectory for PeriscopeDirectory {
    fn describe(&self) -> &BackendInfo {
        &self.info
    }

    /// Every user (the site cannot filter), then the query applied here. When the query asks
    /// for group members and the listing did not carry groups, each such user is read alone.
    async fn list_users(&self, query: &UserQuery) -> Result<Vec<User>> {
        let tag = self.tag(Operation::ListUsers);
        let mut users = self.fetch_all_users().await.map_err(&tag)?;
        if !query.groups.is_empty() {
            for user in users.iter_mut().filter(|user| user.groups.is_none()) {
                if let Some(read) = self.fetch_user(&user.id).await.map_err(&tag)? {
                    user.groups = read.groups;
                }
            }
        }
        users.retain(|user| query.matches(user));
        Ok(users)
    }

    /// By id or e-mail: one lookup with `HTTP-X-EMAIL`. Periscope users have no username, so
    /// no user has one. Any other attribute is found in the full listing.
    async fn get_user(&self, key: &UserKey) -> Result<Option<User>> {
        let tag = self.tag(Operation::GetUser);
        match key {
            UserKey::Id(email) | UserKey::Email(email) => self.fetch_user(email).await.map_err(tag),
            UserKey::Username(_) => Ok(None),
            UserKey::Attribute { .. } => Ok(self
                .fetch_all_users()
                .await
                .map_err(tag)?
                .into_iter()
                .find(|user| user.matches_key(key))),
        }
    }

    async fn create_user(&self, user: &NewUser) -> Result<User> {
        self.send_create_user(user)
            .await
            .map_err(self.tag(Operation::CreateUser))
    }

    async fn update_user(&self, id: &str, patch: &UserPatch) -> Result<User> {
        self.send_update_user(id, patch)
            .await
            .map_err(self.tag(Operation::UpdateUser))
    }

    async fn delete_user(&self, id: &str) -> Result<()> {
        self.send_delete_user(id)
            .await
            .map_err(self.tag(Operation::DeleteUser))
    }

    async fn list_groups(&self) -> Result<Vec<Group>> {
        self.fetch_all_groups()
            .await
            .map_err(self.tag(Operation::ListGroups))
    }

    async fn create_group(&self, group: &NewGroup) -> Result<Group> {
        self.send_create_group(group)
            .await
            .map_err(self.tag(Operation::CreateGroup))
    }

    async fn delete_group(&self, name: &str) -> Result<()> {
        self.send_delete_group(name)
            .await
            .map_err(self.tag(Operation::DeleteGroup))
    }

    async fn set_membership(&self, group: &str, add: &[String], remove: &[String]) -> Result<()> {
        self.write_membership(group, add, remove)
            .await
            .map_err(self.tag(Operation::SetMembership))
    }
}
