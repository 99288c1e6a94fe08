//! The canonical [`UserDirectory`] operations, each tagged with its operation and site.

use std::ops::ControlFlow;

use async_trait::async_trait;
use roster_core::{
    collect_into, BackendInfo, Group, NewGroup, NewUser, Operation, Result, User, UserDirectory,
    UserKey, UserPatch, UserQuery, UserSink,
};

use crate::directory::PeriscopeDirectory;

#[async_trait]
impl UserDirectory for PeriscopeDirectory {
    fn describe(&self) -> &BackendInfo {
        &self.info
    }

    async fn list_users(&self, query: &UserQuery) -> Result<Vec<User>> {
        let mut users = Vec::new();
        self.for_each_user(query, &mut collect_into(&mut users))
            .await?;
        Ok(users)
    }

    /// Every user (the site cannot filter), handed over as it is decoded when the query
    /// matches it. When the query asks for group members and the listing did not carry a
    /// user's groups, that user is read alone after the listing, then handed over if it matches.
    async fn for_each_user(&self, query: &UserQuery, sink: &mut dyn UserSink) -> Result<()> {
        let tag = self.tag(Operation::ListUsers);
        let reads_groups = !query.groups.is_empty();
        let mut without_groups = Vec::new();
        let mut stopped = false;
        self.each_listed_user(&mut |user: User| {
            if reads_groups && user.groups.is_none() {
                without_groups.push(user);
                ControlFlow::Continue(())
            } else if query.matches(&user) {
                let flow = sink.accept(user);
                stopped = flow.is_break();
                flow
            } else {
                ControlFlow::Continue(())
            }
        })
        .await
        .map_err(&tag)?;
        if stopped {
            return Ok(());
        }
        for mut user in without_groups {
            if let Some(read) = self.fetch_user(&user.id).await.map_err(&tag)? {
                user.groups = read.groups;
            }
            if query.matches(&user) && sink.accept(user).is_break() {
                break;
            }
        }
        Ok(())
    }

    /// By id or e-mail: one lookup with `HTTP-X-EMAIL`. Periscope users have no username, so
    /// no user has one. Any other attribute is found in the full listing.
    async fn get_user(&self, key: &UserKey) -> Result<Option<User>> {
        let tag = self.tag(Operation::GetUser);
        match key {
            UserKey::Id(email) | UserKey::Email(email) => self.fetch_user(email).await.map_err(tag),
            UserKey::Username(_) => Ok(None),
            UserKey::Attribute { .. } => {
                let mut found = None;
                self.each_listed_user(&mut |user: User| {
                    if user.matches_key(key) {
                        found = Some(user);
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                })
                .await
                .map_err(tag)?;
                Ok(found)
            }
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
