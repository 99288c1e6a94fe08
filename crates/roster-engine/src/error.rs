//! Why the engine refused to plan or apply.

use roster_core::{DirectoryError, UserKey};

/// A refusal of the engine as a whole (item failures are outcomes, not errors).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The plan has errors (changes a site cannot make); fix them and plan again.
    #[error("the plan has {0} error(s); fix them and plan again")]
    PlanHasErrors(usize),
    /// The plan names a site that was not given.
    #[error("the plan is for site {0:?}, which is not configured")]
    UnknownSite(String),
    /// The site changed since the plan was made.
    #[error("site {site} changed since the plan was made (fingerprint {planned}, now {now}); plan again")]
    StateChanged {
        /// The site's name.
        site: String,
        /// The fingerprint the plan was made from.
        planned: String,
        /// The fingerprint of the site now.
        now: String,
    },
    /// Reading a site failed.
    #[error("reading site {site} failed: {source}")]
    Observe {
        /// The site's name.
        site: String,
        #[source]
        /// What the site answered.
        source: DirectoryError,
    },
    /// The source user of a copy does not exist.
    #[error("no user {0} on the source site")]
    NoSuchUser(UserKey),
    /// The journal could not be read or written.
    #[error("journal: {0}")]
    Journal(#[from] std::io::Error),
}
