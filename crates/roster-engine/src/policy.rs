//! What the engine may do on each site, and how a run behaves.

use std::fmt;
use std::path::PathBuf;

use roster_core::layers::RetryPolicy;
use roster_core::{UserKey, UserKeyKind};
use serde::{Deserialize, Serialize};

/// What happens to a user the site has and the desired state does not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrphanPolicy {
    /// Leave the user alone (the default).
    #[default]
    Preserve,
    /// Set `active = false`; the user stays on the site.
    Deactivate,
    /// Remove the user from the site.
    Delete,
}

/// What happens to a group of the site that no desired user names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupOrphanPolicy {
    /// Leave the group alone (the default).
    #[default]
    Preserve,
    /// Delete the group, but only when every desired row manages its groups.
    Delete,
}

/// The most deletions and deactivations one run may make on a site.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaxDeletes {
    /// At most this many users.
    Count(usize),
    /// At most this percentage of the users the site has.
    Percent(f64),
}

impl MaxDeletes {
    /// Parses `"25"` (a count) or `"10%"` (a percentage).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let invalid = || format!("max_deletes must be a count or a percentage, not {text:?}");
        match text.strip_suffix('%') {
            Some(percent) => percent
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|p| (0.0..=100.0).contains(p))
                .map(MaxDeletes::Percent)
                .ok_or_else(invalid),
            None => text.parse().map(MaxDeletes::Count).map_err(|_| invalid()),
        }
    }

    /// The limit as a count, for a site with `site_users` users.
    pub fn limit(&self, site_users: usize) -> usize {
        match self {
            MaxDeletes::Count(count) => *count,
            MaxDeletes::Percent(percent) => (site_users as f64 * percent / 100.0).floor() as usize,
        }
    }
}

impl fmt::Display for MaxDeletes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MaxDeletes::Count(count) => write!(f, "{count}"),
            MaxDeletes::Percent(percent) => write!(f, "{percent}%"),
        }
    }
}

/// Everything the engine needs to know about one site, as `roster.toml` states it.
#[derive(Clone, Debug, PartialEq)]
pub struct SitePolicy {
    /// Keys tried in order to find a desired user on the site.
    pub key_order: Vec<UserKeyKind>,
    /// What happens to users the desired state does not have.
    pub orphans: OrphanPolicy,
    /// What happens to groups no row names.
    pub orphan_groups: GroupOrphanPolicy,
    /// Users (by key) the engine never touches.
    pub protected: Vec<UserKey>,
    /// `None` = no limit.
    pub max_deletes: Option<MaxDeletes>,
    /// Calls in flight at once on this site.
    pub concurrency: usize,
    /// `None` = unthrottled.
    pub requests_per_second: Option<u32>,
    /// How failed calls are repeated.
    pub retry: RetryPolicy,
    /// User writes per batch request; capped by the site's `batch_max` (0 = `batch_max`).
    pub batch_size: usize,
    /// Fields of the desired state this site does not manage (`password`, `dob`, …), on top
    /// of the fields its backend reports as read-only. The plan names them.
    pub ignore_fields: Vec<String>,
}

impl Default for SitePolicy {
    fn default() -> Self {
        Self {
            key_order: vec![UserKeyKind::Email, UserKeyKind::Username],
            orphans: OrphanPolicy::Preserve,
            orphan_groups: GroupOrphanPolicy::Preserve,
            protected: Vec::new(),
            max_deletes: Some(MaxDeletes::Percent(10.0)),
            concurrency: 8,
            requests_per_second: None,
            retry: RetryPolicy::default(),
            batch_size: 0,
            ignore_fields: Vec::new(),
        }
    }
}

impl SitePolicy {
    /// The batch size to use on a site whose `batch_max` is given.
    pub fn effective_batch(&self, batch_max: usize) -> usize {
        let max = batch_max.max(1);
        if self.batch_size == 0 {
            max
        } else {
            self.batch_size.min(max)
        }
    }
}

/// How one apply run behaves.
///
/// The cap on calls in flight across every site is the semaphore the sites' layer stacks
/// share (see [`layered`](crate::layered)).
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Stop once this many items have failed; the rest become `not_attempted`.
    pub max_failures: Option<usize>,
    /// Report what would be done; change nothing, journal nothing.
    pub dry_run: bool,
    /// Append-only JSONL journal; a re-run with the same journal resumes.
    pub journal: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_deletes_parses_counts_and_percentages() {
        assert_eq!(MaxDeletes::parse("25"), Ok(MaxDeletes::Count(25)));
        assert_eq!(MaxDeletes::parse("10%"), Ok(MaxDeletes::Percent(10.0)));
        assert!(MaxDeletes::parse("ten").is_err());
        assert!(MaxDeletes::parse("120%").is_err());
        assert_eq!(MaxDeletes::Percent(10.0).limit(95), 9);
    }

    #[test]
    fn batch_size_never_exceeds_the_sites_batch_max() {
        let mut policy = SitePolicy::default();
        assert_eq!(policy.effective_batch(500), 500);
        policy.batch_size = 100;
        assert_eq!(policy.effective_batch(500), 100);
        assert_eq!(policy.effective_batch(1), 1);
    }
}
