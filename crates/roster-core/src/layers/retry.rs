use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use backon::{BackoffBuilder, ExponentialBuilder, Retryable};

use crate::attempts;
use crate::directory::{BackendInfo, UserDirectory, UserSink};
use crate::error::{DirectoryError, Result};
use crate::model::{Group, NewGroup, NewUser, User, UserKey, UserOp, UserPatch, UserQuery};

/// How often and how patiently to repeat.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never repeat).
    pub max_attempts: usize,
    /// The first wait; each further wait doubles, up to `max_delay`.
    pub min_delay: Duration,
    /// The longest wait between attempts.
    pub max_delay: Duration,
    /// Randomise waits so many clients do not retry in lockstep.
    pub jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            min_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// Never repeat.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    fn backoff(&self) -> ExponentialBuilder {
        let builder = ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_attempts.saturating_sub(1));
        if self.jitter {
            builder.with_jitter()
        } else {
            builder
        }
    }
}

/// Repeats Temporary failures with jittered exponential backoff, waiting what the server asked
/// (`retry_after`) when it said; Permanent failures are returned at once.
///
/// An Ambiguous failure means the write may have happened, so it is never re-sent blindly: a
/// create is looked up by its keys first (a match is the success), a delete is checked for
/// absence, and only when the write did not land is it sent again. Ambiguous updates and
/// membership changes are returned as they are.
pub struct Retry<D> {
    inner: D,
    policy: RetryPolicy,
}

impl<D: UserDirectory> Retry<D> {
    /// Repeats calls to `inner` under `policy`.
    pub fn new(inner: D, policy: RetryPolicy) -> Self {
        Self { inner, policy }
    }

    /// The wrapped directory.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    /// One call with its Temporary failures repeated; each attempt is recorded.
    async fn repeat<T, F, Fut>(&self, mut call: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        (|| {
            attempts::record();
            call()
        })
        .retry(self.policy.backoff())
        .sleep(tokio::time::sleep)
        .when(DirectoryError::is_temporary)
        .adjust(|error: &DirectoryError, planned: Option<Duration>| {
            planned.map(|planned| error.retry_after().unwrap_or(planned))
        })
        .await
    }

    /// A write whose Ambiguous failures are resolved by `landed` before any re-send.
    async fn verified<T, F, Fut, V, VFut>(&self, mut call: F, mut landed: V) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
        V: FnMut() -> VFut,
        VFut: Future<Output = Result<Option<T>>>,
    {
        let mut sends = 0;
        loop {
            sends += 1;
            match self.repeat(&mut call).await {
                Err(error) if error.is_ambiguous() && sends < self.policy.max_attempts => {
                    if let Some(found) = self.repeat(&mut landed).await? {
                        return Ok(found);
                    }
                    // It did not land: sending it again cannot duplicate it.
                }
                other => return other,
            }
        }
    }

    /// The user one of `keys` names, if any.
    async fn find_user(&self, keys: &[UserKey]) -> Result<Option<User>> {
        for key in keys {
            if let Some(user) = self.inner.get_user(key).await? {
                return Ok(Some(user));
            }
        }
        Ok(None)
    }

    async fn find_group(&self, name: &str) -> Result<Option<Group>> {
        Ok(self
            .inner
            .list_groups()
            .await?
            .into_iter()
            .find(|group| group.name == name))
    }
}

#[async_trait]
impl<D: UserDirectory> UserDirectory for Retry<D> {
    fn describe(&self) -> &BackendInfo {
        self.inner.describe()
    }

    async fn list_users(&self, query: &UserQuery) -> Result<Vec<User>> {
        self.repeat(|| self.inner.list_users(query)).await
    }

    /// Repeated like any read until the first user reaches the sink; after that a failure is
    /// returned as it is, since listing again would hand the same users over twice.
    async fn for_each_user(&self, query: &UserQuery, sink: &mut dyn UserSink) -> Result<()> {
        let mut delays = self.policy.backoff().build();
        loop {
            attempts::record();
            let mut handed_over = false;
            let listed = self
                .inner
                .for_each_user(query, &mut |user| {
                    handed_over = true;
                    sink.accept(user)
                })
                .await;
            match listed {
                Err(error) if error.is_temporary() && !handed_over => match delays.next() {
                    Some(planned) => {
                        tokio::time::sleep(error.retry_after().unwrap_or(planned)).await;
                    }
                    None => return Err(error),
                },
                other => return other,
            }
        }
    }

    async fn get_user(&self, key: &UserKey) -> Result<Option<User>> {
        self.repeat(|| self.inner.get_user(key)).await
    }

    async fn create_user(&self, user: &NewUser) -> Result<User> {
        let keys = user.lookup_keys();
        self.verified(|| self.inner.create_user(user), || self.find_user(&keys))
            .await
    }

    async fn update_user(&self, id: &str, patch: &UserPatch) -> Result<User> {
        self.repeat(|| self.inner.update_user(id, patch)).await
    }

    async fn delete_user(&self, id: &str) -> Result<()> {
        let key = UserKey::Id(id.to_owned());
        let gone = || async { Ok(self.inner.get_user(&key).await?.is_none().then_some(())) };
        self.verified(|| self.inner.delete_user(id), gone).await
    }

    async fn list_groups(&self) -> Result<Vec<Group>> {
        self.repeat(|| self.inner.list_groups()).await
    }

    async fn create_group(&self, group: &NewGroup) -> Result<Group> {
        self.verified(
            || self.inner.create_group(group),
            || self.find_group(&group.name),
        )
        .await
    }

    async fn delete_group(&self, name: &str) -> Result<()> {
        let gone = || async { Ok(self.find_group(name).await?.is_none().then_some(())) };
        self.verified(|| self.inner.delete_group(name), gone).await
    }

    async fn set_membership(&self, group: &str, add: &[String], remove: &[String]) -> Result<()> {
        self.repeat(|| self.inner.set_membership(group, add, remove))
            .await
    }

    /// Not repeated: reading ahead only saves requests, and each update reads its own record
    /// when it was not read ahead.
    async fn prepare_updates(&self, ids: &[String]) -> Result<()> {
        self.inner.prepare_updates(ids).await
    }

    async fn apply_batch(&self, ops: &[UserOp]) -> Result<Vec<Result<Option<User>>>> {
        // A batch is repeated whole only on a Temporary failure of the request itself; the
        // engine resolves ambiguous batches item by item.
        self.repeat(|| self.inner.apply_batch(ops)).await
    }
}
