//! A site as the engine sees it: a directory, its policy, and an optional remote validator.

use std::sync::Arc;

use async_trait::async_trait;
use roster_core::{Capabilities, DirectoryError, DirectoryExt, SharedDirectory};
use tokio::sync::Semaphore;

use crate::plan::PlanItem;
use crate::policy::SitePolicy;

/// Asks a site whether an item would succeed, without applying it. Sites whose capabilities
/// say `remote_dry_run` can offer one; a dry run then validates each item with it.
#[async_trait]
pub trait RemoteValidator: Send + Sync {
    /// `Ok` when the site accepts the item.
    async fn validate(&self, item: &PlanItem) -> Result<(), DirectoryError>;
}

/// One site: the directory (usually built with [`layered`]), its policy and, optionally, a
/// validator for dry runs.
#[derive(Clone)]
pub struct Site {
    /// The directory, usually wrapped by [`layered`].
    pub directory: SharedDirectory,
    /// How the site is managed.
    pub policy: SitePolicy,
    /// Validates items in dry runs, on sites that can.
    pub validator: Option<Arc<dyn RemoteValidator>>,
}

impl Site {
    /// A site with no validator.
    pub fn new(directory: SharedDirectory, policy: SitePolicy) -> Self {
        Self {
            directory,
            policy,
            validator: None,
        }
    }

    /// Adds a remote validator used by dry runs.
    pub fn with_validator(mut self, validator: Arc<dyn RemoteValidator>) -> Self {
        self.validator = Some(validator);
        self
    }

    /// The site's name.
    pub fn name(&self) -> &str {
        &self.directory.describe().site
    }

    /// What the site can do.
    pub fn capabilities(&self) -> &Capabilities {
        &self.directory.describe().capabilities
    }
}

/// Wraps a backend in the engine's layer stack,
/// `Traced(Retry(Throttle(ConcurrencyLimit(backend))))`, from the policy's numbers; `global`
/// is the semaphore every site of a run shares.
pub fn layered(
    backend: SharedDirectory,
    policy: &SitePolicy,
    global: Option<Arc<Semaphore>>,
) -> SharedDirectory {
    let limited = backend.limited(policy.concurrency, global);
    match policy.requests_per_second {
        Some(per_second) => Arc::new(
            limited
                .throttled(per_second)
                .retried(policy.retry.clone())
                .traced(),
        ),
        None => Arc::new(limited.retried(policy.retry.clone()).traced()),
    }
}
