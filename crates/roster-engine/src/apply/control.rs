//! What every site of a run shares: the stop signal, the failure budget, the journal and the
//! progress channel.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use tokio_util::sync::CancellationToken;

use super::outcome::{ItemOutcome, ItemStatus};
use crate::journal::{Journal, JournalEvent, JournalRecord, ResumeState};
use crate::plan::PlanItem;
use crate::progress::{emit, ProgressEvent, ProgressSender};

pub(crate) struct RunControl {
    pub run_id: String,
    pub plan_hash: String,
    pub dry_run: bool,
    pub resume: ResumeState,
    journal: Option<Journal>,
    progress: Option<ProgressSender>,
    /// Cancelled by the caller, by the failure budget or by a journal that cannot be written.
    stop: CancellationToken,
    stop_reason: Mutex<Option<String>>,
    failures: AtomicUsize,
    max_failures: Option<usize>,
}

impl RunControl {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        run_id: String,
        plan_hash: String,
        dry_run: bool,
        resume: ResumeState,
        journal: Option<Journal>,
        progress: Option<ProgressSender>,
        cancel: &CancellationToken,
        max_failures: Option<usize>,
    ) -> Self {
        Self {
            run_id,
            plan_hash,
            dry_run,
            resume,
            journal,
            progress,
            stop: cancel.child_token(),
            stop_reason: Mutex::new(None),
            failures: AtomicUsize::new(0),
            max_failures,
        }
    }

    /// Why the run stops, once it does; items not yet sent become `not_attempted`.
    pub fn stopped(&self) -> Option<String> {
        if !self.stop.is_cancelled() {
            return None;
        }
        Some(
            self.stop_reason
                .lock()
                .expect("stop reason")
                .clone()
                .unwrap_or_else(|| {
                    "cancelled: in-flight items finished, the rest were not sent".into()
                }),
        )
    }

    fn stop_with(&self, reason: String) {
        self.stop_reason
            .lock()
            .expect("stop reason")
            .get_or_insert(reason);
        self.stop.cancel();
    }

    pub fn emit(&self, event: ProgressEvent) {
        emit(self.progress.as_ref(), event);
    }

    /// Writes a record; a journal that cannot be written stops the run, since a resume
    /// could no longer be trusted.
    pub fn journal(&self, record: JournalRecord) {
        if let Some(journal) = &self.journal {
            if let Err(error) = journal.write(&record) {
                self.stop_with(format!("the journal cannot be written: {error}"));
            }
        }
    }

    pub fn record(&self, event: JournalEvent) -> JournalRecord {
        JournalRecord::new(&self.run_id, &self.plan_hash, event)
    }

    pub fn item_record(&self, event: JournalEvent, site: &str, item: &PlanItem) -> JournalRecord {
        JournalRecord {
            site: Some(site.to_owned()),
            item: Some(item.id),
            key: Some(item.key.clone()),
            action: Some(item.action.name().to_owned()),
            ..self.record(event)
        }
    }

    /// Journals that an item is about to be sent.
    pub fn attempted(&self, site: &str, item: &PlanItem) {
        if !self.dry_run {
            self.journal(self.item_record(JournalEvent::Attempted, site, item));
        }
    }

    /// Journals and reports an outcome, and counts it against the failure budget.
    pub fn finished(
        &self,
        item: Option<&PlanItem>,
        outcome: &ItemOutcome,
        user_id: Option<String>,
    ) {
        if let (Some(item), false) = (item, self.dry_run) {
            self.journal(JournalRecord {
                status: Some(outcome.status),
                reason: outcome.reason.clone(),
                user_id,
                attempts: Some(outcome.attempts),
                duration_ms: Some(outcome.duration_ms),
                ..self.item_record(JournalEvent::Outcome, &outcome.site, item)
            });
        }
        self.emit(ProgressEvent::ItemDone {
            outcome: outcome.clone(),
        });
        if outcome.status == ItemStatus::Failed {
            let failures = self.failures.fetch_add(1, Ordering::SeqCst) + 1;
            if let Some(max) = self.max_failures {
                if failures >= max {
                    self.stop_with(format!(
                        "failure budget exhausted: {failures} item(s) failed (max_failures = {max})"
                    ));
                }
            }
        }
    }
}
