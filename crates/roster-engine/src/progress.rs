//! Progress events for progress bars: totals when a site starts, one event per finished item,
//! one when a site is done.

use serde::Serialize;
use tokio::sync::mpsc::UnboundedSender;

use crate::apply::ItemOutcome;

/// What happened during a run, as it happens.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ProgressEvent {
    /// A site starts; `total` items will each get an outcome.
    Planned {
        /// The site's name.
        site: String,
        /// Items (and disputed rows) that will each get an outcome.
        total: usize,
    },
    /// One item finished (whatever its status).
    ItemDone {
        /// What happened to the item.
        outcome: ItemOutcome,
    },
    /// Every item of the site has an outcome.
    SiteDone {
        /// The site's name.
        site: String,
        /// Items that succeeded.
        succeeded: usize,
        /// Items that failed.
        failed: usize,
        /// Items skipped.
        skipped: usize,
        /// Items not attempted.
        not_attempted: usize,
    },
}

/// Where progress events go; a closed receiver is not an error (nobody is watching).
pub type ProgressSender = UnboundedSender<ProgressEvent>;

pub(crate) fn emit(sender: Option<&ProgressSender>, event: ProgressEvent) {
    if let Some(sender) = sender {
        let _ = sender.send(event);
    }
}
