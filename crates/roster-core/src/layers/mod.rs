//! Cross-cutting behaviour as wrappers: each layer is itself a [`UserDirectory`] around
//! another, so they stack in any order. The engine uses
//! `Traced(Retry(Throttle(ConcurrencyLimit(backend))))`: retries are traced once, waits between
//! retries hold no concurrency permit, and every attempt is throttled and limited.

mod chaos;
mod concurrency;
mod retry;
mod throttle;
mod traced;

use std::future::Future;
use std::sync::Arc;

use tokio::sync::Semaphore;

pub use chaos::{Chaos, ChaosConfig, ChaosFault};
pub use concurrency::ConcurrencyLimit;
pub use retry::{Retry, RetryPolicy};
pub use throttle::Throttle;
pub use traced::Traced;

use crate::directory::UserDirectory;
use crate::error::{Operation, Result};

/// What a layer knows about the call it wraps.
#[derive(Clone, Debug)]
pub(crate) struct CallInfo {
    pub operation: Operation,
    /// The user, group or id the call is about, for traces; never a secret.
    pub key: Option<String>,
}

impl CallInfo {
    pub fn new(operation: Operation, key: Option<String>) -> Self {
        Self { operation, key }
    }
}

/// A layer that does the same thing around every call (all but retry, which needs to know
/// what each call means).
pub(crate) trait Around: Send + Sync {
    fn around<'a, T, F, Fut>(
        &'a self,
        call: CallInfo,
        run: F,
    ) -> impl Future<Output = Result<T>> + Send + 'a
    where
        F: FnOnce() -> Fut + Send + 'a,
        Fut: Future<Output = Result<T>> + Send + 'a,
        T: Send + 'a;
}

/// Implements [`UserDirectory`] for a layer by passing every call through its `around`.
macro_rules! around_directory {
    ($layer:ident) => {
        #[async_trait::async_trait]
        impl<D: $crate::UserDirectory> $crate::UserDirectory for $layer<D> {
            fn describe(&self) -> &$crate::BackendInfo {
                self.inner.describe()
            }
            async fn list_users(
                &self,
                query: &$crate::UserQuery,
            ) -> $crate::Result<Vec<$crate::User>> {
                let call = $crate::layers::CallInfo::new($crate::Operation::ListUsers, None);
                self.around(call, || self.inner.list_users(query)).await
            }
            async fn for_each_user(
                &self,
                query: &$crate::UserQuery,
                sink: &mut dyn $crate::UserSink,
            ) -> $crate::Result<()> {
                let call = $crate::layers::CallInfo::new($crate::Operation::ListUsers, None);
                self.around(call, || self.inner.for_each_user(query, sink))
                    .await
            }
            async fn get_user(
                &self,
                key: &$crate::UserKey,
            ) -> $crate::Result<Option<$crate::User>> {
                let call = $crate::layers::CallInfo::new(
                    $crate::Operation::GetUser,
                    Some(key.to_string()),
                );
                self.around(call, || self.inner.get_user(key)).await
            }
            async fn create_user(&self, user: &$crate::NewUser) -> $crate::Result<$crate::User> {
                let call = $crate::layers::CallInfo::new(
                    $crate::Operation::CreateUser,
                    Some(user.label().to_owned()),
                );
                self.around(call, || self.inner.create_user(user)).await
            }
            async fn update_user(
                &self,
                id: &str,
                patch: &$crate::UserPatch,
            ) -> $crate::Result<$crate::User> {
                let call = $crate::layers::CallInfo::new(
                    $crate::Operation::UpdateUser,
                    Some(id.to_owned()),
                );
                self.around(call, || self.inner.update_user(id, patch))
                    .await
            }
            async fn delete_user(&self, id: &str) -> $crate::Result<()> {
                let call = $crate::layers::CallInfo::new(
                    $crate::Operation::DeleteUser,
                    Some(id.to_owned()),
                );
                self.around(call, || self.inner.delete_user(id)).await
            }
            async fn list_groups(&self) -> $crate::Result<Vec<$crate::Group>> {
                let call = $crate::layers::CallInfo::new($crate::Operation::ListGroups, None);
                self.around(call, || self.inner.list_groups()).await
            }
            async fn create_group(
                &self,
                group: &$crate::NewGroup,
            ) -> $crate::Result<$crate::Group> {
                let call = $crate::layers::CallInfo::new(
                    $crate::Operation::CreateGroup,
                    Some(group.name.clone()),
                );
                self.around(call, || self.inner.create_group(group)).await
            }
            async fn delete_group(&self, name: &str) -> $crate::Result<()> {
                let call = $crate::layers::CallInfo::new(
                    $crate::Operation::DeleteGroup,
                    Some(name.to_owned()),
                );
                self.around(call, || self.inner.delete_group(name)).await
            }
            async fn set_membership(
                &self,
                group: &str,
                add: &[String],
                remove: &[String],
            ) -> $crate::Result<()> {
                let call = $crate::layers::CallInfo::new(
                    $crate::Operation::SetMembership,
                    Some(group.to_owned()),
                );
                self.around(call, || self.inner.set_membership(group, add, remove))
                    .await
            }
            async fn prepare_updates(&self, ids: &[String]) -> $crate::Result<()> {
                let call = $crate::layers::CallInfo::new($crate::Operation::PrepareUpdates, None);
                self.around(call, || self.inner.prepare_updates(ids)).await
            }
            async fn apply_batch(
                &self,
                ops: &[$crate::UserOp],
            ) -> $crate::Result<Vec<$crate::Result<Option<$crate::User>>>> {
                let call = $crate::layers::CallInfo::new(
                    $crate::Operation::ApplyBatch,
                    Some(format!("{} ops", ops.len())),
                );
                self.around(call, || self.inner.apply_batch(ops)).await
            }
        }
    };
}
pub(crate) use around_directory;

/// Wraps any directory in the layers, fluently:
/// `backend.limited(8, None).throttled(20).retried(RetryPolicy::default()).traced()`.
pub trait DirectoryExt: UserDirectory + Sized {
    /// Repeats Temporary failures; resolves Ambiguous creates and deletes by looking first.
    fn retried(self, policy: RetryPolicy) -> Retry<Self> {
        Retry::new(self, policy)
    }

    /// At most `per_second` calls per second.
    fn throttled(self, per_second: u32) -> Throttle<Self> {
        Throttle::new(self, per_second)
    }

    /// At most `limit` calls in flight, and at most as many as `global` has permits across
    /// every directory sharing it.
    fn limited(self, limit: usize, global: Option<Arc<Semaphore>>) -> ConcurrencyLimit<Self> {
        ConcurrencyLimit::new(self, limit, global)
    }

    /// A span per call with site, backend, operation and key.
    fn traced(self) -> Traced<Self> {
        Traced::new(self)
    }

    /// Seeded fault injection, for tests.
    fn chaos(self, config: ChaosConfig) -> Chaos<Self> {
        Chaos::new(self, config)
    }
}

impl<D: UserDirectory + Sized> DirectoryExt for D {}
