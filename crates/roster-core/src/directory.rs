use std::ops::ControlFlow;
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::capabilities::Capabilities;
use crate::error::Result;
use crate::model::{Group, NewGroup, NewUser, User, UserKey, UserOp, UserPatch, UserQuery};

/// Who a directory is: its backend kind, its site name and what it can do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendInfo {
    /// The backend kind: `memory`, `ams`, `redcap`, `periscope`, `usersave`, …
    pub kind: String,
    /// The site's name as configured.
    pub site: String,
    /// What the backend can do.
    pub capabilities: Capabilities,
}

impl BackendInfo {
    /// Describes a site.
    pub fn new(
        kind: impl Into<String>,
        site: impl Into<String>,
        capabilities: Capabilities,
    ) -> Self {
        Self {
            kind: kind.into(),
            site: site.into(),
            capabilities,
        }
    }
}

/// Where a streaming listing ([`UserDirectory::for_each_user`]) hands its users, one at a
/// time; returning `ControlFlow::Break` ends the listing early. Any
/// `FnMut(User) -> ControlFlow<()>` closure is one.
pub trait UserSink: Send {
    /// Takes one listed user.
    fn accept(&mut self, user: User) -> ControlFlow<()>;
}

impl<F: FnMut(User) -> ControlFlow<()> + Send> UserSink for F {
    fn accept(&mut self, user: User) -> ControlFlow<()> {
        self(user)
    }
}

/// A sink that keeps every user it is handed in `users`: how a backend that overrides
/// [`UserDirectory::for_each_user`] implements `list_users` through the same listing.
/// (A backend that does not override it must not: the default lists through `list_users`.)
pub fn collect_into(users: &mut Vec<User>) -> impl FnMut(User) -> ControlFlow<()> + Send + '_ {
    |user| {
        users.push(user);
        ControlFlow::Continue(())
    }
}

/// One site's users and groups, whatever platform it runs on.
///
/// Every backend implements it, and so do the layers that wrap a backend (retry, throttle,
/// concurrency limit, tracing, chaos). Operations a backend cannot do return
/// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported), but callers are expected to check
/// [`Capabilities`] first, as the engine does when it plans.
///
/// With the `mock` feature, `MockUserDirectory` is a mockall mock of this trait.
#[async_trait]
pub trait UserDirectory: Send + Sync {
    /// Backend kind, site name and capabilities.
    fn describe(&self) -> &BackendInfo;

    /// Every user matching `query`, across all pages.
    async fn list_users(&self, query: &UserQuery) -> Result<Vec<User>>;

    /// Hands every user matching `query` to `sink` as the listing is read, so a caller that
    /// writes users out never holds them all (an export of a million users). The sink returns
    /// `ControlFlow::Break` to end the listing early, which is not an error.
    ///
    /// The default lists them all with [`list_users`](Self::list_users), then hands them
    /// over; backends override it to hand each page, or each user of a page as it is decoded.
    /// A failure after some users were handed over ends the listing with that error: those
    /// users were real, but the listing is incomplete.
    async fn for_each_user(&self, query: &UserQuery, sink: &mut dyn UserSink) -> Result<()> {
        for user in self.list_users(query).await? {
            if sink.accept(user).is_break() {
                break;
            }
        }
        Ok(())
    }

    /// The user `key` names, or `None` when there is none.
    async fn get_user(&self, key: &UserKey) -> Result<Option<User>>;

    /// Creates a user; `AlreadyExists` when one with the same key is there.
    async fn create_user(&self, user: &NewUser) -> Result<User>;

    /// Changes the fields the patch names and keeps every other field.
    async fn update_user(&self, id: &str, patch: &UserPatch) -> Result<User>;

    /// Removes the user from the site.
    async fn delete_user(&self, id: &str) -> Result<()>;

    /// Every group of the site.
    async fn list_groups(&self) -> Result<Vec<Group>>;

    /// Creates a group.
    async fn create_group(&self, group: &NewGroup) -> Result<Group>;

    /// Deletes a group by name.
    async fn delete_group(&self, name: &str) -> Result<()>;

    /// Adds the users with ids `add` to `group` and removes those with ids `remove`.
    /// Adding a member or removing a non-member is not an error. When some users fail and
    /// the rest were applied, the error kind is `Partial` naming the failed ids.
    async fn set_membership(&self, group: &str, add: &[String], remove: &[String]) -> Result<()>;

    /// Says that the users with these ids are about to be updated. A backend whose updates
    /// read each record before writing it (AMS `person/save` takes the whole record) may read
    /// them all now, in as few requests as its API allows, and use those records for the
    /// updates that follow within moments; the engine calls it before each group of
    /// updates. The default does nothing. A failure costs only speed: each update then reads
    /// its own record.
    async fn prepare_updates(&self, ids: &[String]) -> Result<()> {
        let _ = ids;
        Ok(())
    }

    /// Applies several user writes; one result per op, in order (`Some(user)` after a create
    /// or update, `None` after a delete). The default sends them one by one; backends whose
    /// platform takes arrays override it and send up to `batch_max` per request.
    async fn apply_batch(&self, ops: &[UserOp]) -> Result<Vec<Result<Option<User>>>> {
        let mut results = Vec::with_capacity(ops.len());
        for op in ops {
            let result = match op {
                UserOp::Create(user) => self.create_user(user).await.map(Some),
                UserOp::Update { id, patch } => self.update_user(id, patch).await.map(Some),
                UserOp::Delete { id } => self.delete_user(id).await.map(|()| None),
            };
            results.push(result);
        }
        Ok(results)
    }
}

// Written out rather than `automock`ed: mockall cannot mock a method that takes a sink, so
// the mock keeps the default `for_each_user`, which lists through the mocked `list_users`.
#[cfg(feature = "mock")]
mockall::mock! {
    /// A mockall mock of [`UserDirectory`]: every method but `for_each_user` has
    /// expectations; `for_each_user` hands over what the `list_users` expectation returns.
    pub UserDirectory {}

    #[async_trait]
    impl UserDirectory for UserDirectory {
        fn describe(&self) -> &BackendInfo;
        async fn list_users(&self, query: &UserQuery) -> Result<Vec<User>>;
        async fn get_user(&self, key: &UserKey) -> Result<Option<User>>;
        async fn create_user(&self, user: &NewUser) -> Result<User>;
        async fn update_user(&self, id: &str, patch: &UserPatch) -> Result<User>;
        async fn delete_user(&self, id: &str) -> Result<()>;
        async fn list_groups(&self) -> Result<Vec<Group>>;
        async fn create_group(&self, group: &NewGroup) -> Result<Group>;
        async fn delete_group(&self, name: &str) -> Result<()>;
        async fn set_membership(&self, group: &str, add: &[String], remove: &[String]) -> Result<()>;
        async fn apply_batch(&self, ops: &[UserOp]) -> Result<Vec<Result<Option<User>>>>;
    }
}

macro_rules! forward_directory {
    ($($pointer:ident),*) => {$(
        #[async_trait]
        impl<T: UserDirectory + ?Sized> UserDirectory for $pointer<T> {
            fn describe(&self) -> &BackendInfo {
                (**self).describe()
            }
            async fn list_users(&self, query: &UserQuery) -> Result<Vec<User>> {
                (**self).list_users(query).await
            }
            async fn for_each_user(
                &self,
                query: &UserQuery,
                sink: &mut dyn UserSink,
            ) -> Result<()> {
                (**self).for_each_user(query, sink).await
            }
            async fn get_user(&self, key: &UserKey) -> Result<Option<User>> {
                (**self).get_user(key).await
            }
            async fn create_user(&self, user: &NewUser) -> Result<User> {
                (**self).create_user(user).await
            }
            async fn update_user(&self, id: &str, patch: &UserPatch) -> Result<User> {
                (**self).update_user(id, patch).await
            }
            async fn delete_user(&self, id: &str) -> Result<()> {
                (**self).delete_user(id).await
            }
            async fn list_groups(&self) -> Result<Vec<Group>> {
                (**self).list_groups().await
            }
            async fn create_group(&self, group: &NewGroup) -> Result<Group> {
                (**self).create_group(group).await
            }
            async fn delete_group(&self, name: &str) -> Result<()> {
                (**self).delete_group(name).await
            }
            async fn set_membership(&self, group: &str, add: &[String], remove: &[String]) -> Result<()> {
                (**self).set_membership(group, add, remove).await
            }
            async fn prepare_updates(&self, ids: &[String]) -> Result<()> {
                (**self).prepare_updates(ids).await
            }
            async fn apply_batch(&self, ops: &[UserOp]) -> Result<Vec<Result<Option<User>>>> {
                (**self).apply_batch(ops).await
            }
        }
    )*};
}

// Shared and boxed directories are directories too, so layers can wrap `Arc<dyn UserDirectory>`.
forward_directory!(Arc, Box);

/// A directory shared across tasks: what the engine and the CLI hold.
pub type SharedDirectory = Arc<dyn UserDirectory>;
