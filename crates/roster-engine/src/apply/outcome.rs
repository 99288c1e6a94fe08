//! What happened to each item, and the report of a run.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// How an item ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Applied as planned.
    Succeeded,
    /// Sent, and the site refused it or the call failed.
    Failed,
    /// Deliberately not done: held by a guard, disputed, a dry run, already applied, or a
    /// dependency failed.
    Skipped,
    /// The run stopped (failure budget, cancellation) before the item was sent.
    NotAttempted,
}

/// The outcome of one item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemOutcome {
    /// The site the item is for.
    pub site: String,
    /// The plan item id; `None` for disputed rows, which are not items.
    pub item: Option<u32>,
    /// Who or what the item is about.
    pub key: String,
    /// The action's snake_case name (`create_user`, …, or `disputed`).
    pub action: String,
    /// How it ended.
    pub status: ItemStatus,
    /// Why it failed or was skipped, or a remark on a success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Requests sent for it (retries included); 0 when nothing was sent.
    pub attempts: u32,
    /// Wall time from the first request to the outcome.
    pub duration_ms: u64,
}

/// Everything a run did.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ApplyReport {
    /// Unique per run; journal records carry it.
    pub run_id: String,
    /// The hash of the plan applied.
    pub plan_hash: String,
    /// True when nothing was sent.
    pub dry_run: bool,
    /// One per plan item and per disputed row.
    pub outcomes: Vec<ItemOutcome>,
    /// Why the run stopped early, if it did.
    pub stopped: Option<String>,
}

impl ApplyReport {
    /// How many outcomes have `status`.
    pub fn count(&self, status: ItemStatus) -> usize {
        self.outcomes.iter().filter(|o| o.status == status).count()
    }

    /// True when nothing failed and nothing was left unattempted.
    pub fn is_success(&self) -> bool {
        self.count(ItemStatus::Failed) == 0 && self.count(ItemStatus::NotAttempted) == 0
    }
}

impl fmt::Display for ApplyReport {
    /// One summary line per site, the failures, and why the run stopped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut per_site: BTreeMap<&str, BTreeMap<ItemStatus, usize>> = BTreeMap::new();
        for outcome in &self.outcomes {
            *per_site
                .entry(&outcome.site)
                .or_default()
                .entry(outcome.status)
                .or_default() += 1;
        }
        let label = if self.dry_run { "dry run" } else { "run" };
        writeln!(f, "{label} {} (plan {})", self.run_id, self.plan_hash)?;
        for (site, counts) in per_site {
            let get = |status| counts.get(&status).copied().unwrap_or(0);
            writeln!(
                f,
                "  {site}: {} succeeded, {} failed, {} skipped, {} not attempted",
                get(ItemStatus::Succeeded),
                get(ItemStatus::Failed),
                get(ItemStatus::Skipped),
                get(ItemStatus::NotAttempted)
            )?;
        }
        for outcome in self
            .outcomes
            .iter()
            .filter(|o| o.status == ItemStatus::Failed)
        {
            writeln!(
                f,
                "  failed {} {} {}: {}",
                outcome.site,
                outcome.action,
                outcome.key,
                outcome.reason.as_deref().unwrap_or("")
            )?;
        }
        if let Some(reason) = &self.stopped {
            writeln!(f, "  stopped early: {reason}")?;
        }
        Ok(())
    }
}
