//! Applying a plan: phases in order, bounded concurrency per site and across sites, batches,
//! a failure budget, cancellation, progress events and the journal.

mod batch;
mod control;
mod membership;
mod outcome;
mod phases;
mod read_ahead;
mod send;

use std::time::{SystemTime, UNIX_EPOCH};

use tokio_util::sync::CancellationToken;

pub use outcome::{ApplyReport, ItemOutcome, ItemStatus};

use crate::error::EngineError;
use crate::journal::{read_resume_state, Journal, JournalEvent, ResumeState};
use crate::observe::observe;
use crate::plan::{observed_fingerprint, Plan};
use crate::policy::RunOptions;
use crate::progress::ProgressSender;
use crate::site::Site;
use control::RunControl;
use phases::SiteRun;

/// How the caller follows and steers a run.
#[derive(Clone, Debug, Default)]
pub struct ApplyHooks {
    /// Receives progress events.
    pub progress: Option<ProgressSender>,
    /// Cancel it to stop: in-flight items finish, the rest become `not_attempted`.
    pub cancel: CancellationToken,
}

fn new_run_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("run-{nanos:x}-{:x}", std::process::id())
}

/// Applies `plan` to `sites` (matched by site name).
///
/// Refuses a plan with errors, and a site whose state changed since the plan was made
/// (unless the journal shows this very plan already started writing to it: then the run
/// resumes). Every item, and every disputed row, gets an outcome in the report.
pub async fn apply(
    plan: &Plan,
    sites: &[Site],
    options: &RunOptions,
    hooks: ApplyHooks,
) -> Result<ApplyReport, EngineError> {
    let errors: usize = plan.sites.iter().map(|s| s.errors.len()).sum();
    if errors > 0 {
        return Err(EngineError::PlanHasErrors(errors));
    }
    let mut pairs = Vec::with_capacity(plan.sites.len());
    for site_plan in &plan.sites {
        let site = sites
            .iter()
            .find(|site| site.name() == site_plan.site)
            .ok_or_else(|| EngineError::UnknownSite(site_plan.site.clone()))?;
        pairs.push((site, site_plan));
    }
    let plan_hash = plan.hash();
    let journal_path = options.journal.as_ref().filter(|_| !options.dry_run);
    let resume = match journal_path {
        Some(path) => read_resume_state(path, &plan_hash)?,
        None => ResumeState::default(),
    };
    let to_check: Vec<_> = pairs
        .iter()
        .filter(|(_, site_plan)| !site_plan.items.is_empty() && !resume.started(&site_plan.site))
        .collect();
    // Every site is re-read at once, as `plan` reads them: one after another, a fan-out to 50
    // sites spent the sum of their listing times here before the first write.
    let listings = futures::future::join_all(to_check.iter().map(|(site, _)| observe(site))).await;
    for ((_, site_plan), observed) in to_check.into_iter().zip(listings) {
        let observed = observed.map_err(|source| EngineError::Observe {
            site: site_plan.site.clone(),
            source,
        })?;
        let now = observed_fingerprint(&observed.users, &observed.groups);
        if now != site_plan.fingerprint {
            return Err(EngineError::StateChanged {
                site: site_plan.site.clone(),
                planned: site_plan.fingerprint.clone(),
                now,
            });
        }
    }
    let journal = journal_path.map(|path| Journal::open(path)).transpose()?;
    let control = RunControl::new(
        new_run_id(),
        plan_hash.clone(),
        options.dry_run,
        resume,
        journal,
        hooks.progress,
        &hooks.cancel,
        options.max_failures,
    );
    control.journal(control.record(JournalEvent::RunStarted));
    if !options.dry_run {
        for (_, site_plan) in &pairs {
            for item in &site_plan.items {
                control.journal(control.item_record(JournalEvent::Planned, &site_plan.site, item));
            }
        }
    }
    let runs = pairs
        .iter()
        .map(|(site, site_plan)| SiteRun::new(site, site_plan, &control).run());
    let outcomes = futures::future::join_all(runs)
        .await
        .into_iter()
        .flatten()
        .collect();
    control.journal(control.record(JournalEvent::RunFinished));
    Ok(ApplyReport {
        run_id: control.run_id.clone(),
        plan_hash,
        dry_run: options.dry_run,
        outcomes,
        stopped: control.stopped(),
    })
}
