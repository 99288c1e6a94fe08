//! The journal: an append-only JSONL record of a run, one line per event, flushed as it is
//! written, so a run that crashed can be resumed without sending anything twice.
//!
//! Each item goes `planned` → `attempted` → `outcome`. On resume, an item of the same plan
//! with a `succeeded` outcome is not sent again, and an item `attempted` without an outcome
//! is looked up on the site before it is re-sent (it may have landed before the crash).

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::apply::ItemStatus;

/// What a journal record says happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalEvent {
    /// A run began.
    RunStarted,
    /// An item the run will handle.
    Planned,
    /// An item is about to be sent.
    Attempted,
    /// An item's outcome.
    Outcome,
    /// The run ended.
    RunFinished,
}

/// One line of the journal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JournalRecord {
    /// When the record was written.
    pub ts: DateTime<Utc>,
    /// The run that wrote it.
    pub run_id: String,
    /// The plan the run applies.
    pub plan_hash: String,
    /// What happened.
    pub event: JournalEvent,
    /// The site, for item records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// The plan item id, for item records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<u32>,
    /// Who or what the item is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The item's action name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The outcome's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ItemStatus>,
    /// Why it failed or was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The id a created user got, so a resumed run can still add it to its groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Requests sent for the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    /// How long the item took.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
}

impl JournalRecord {
    /// A record of `event` with no item fields.
    pub fn new(run_id: &str, plan_hash: &str, event: JournalEvent) -> Self {
        Self {
            ts: Utc::now(),
            run_id: run_id.to_owned(),
            plan_hash: plan_hash.to_owned(),
            event,
            site: None,
            item: None,
            key: None,
            action: None,
            status: None,
            reason: None,
            user_id: None,
            attempts: None,
            duration_ms: None,
        }
    }
}

/// What earlier runs of the same plan left behind.
#[derive(Debug, Default)]
pub struct ResumeState {
    /// (site, item) → the created user id, for items that succeeded.
    succeeded: HashMap<(String, u32), Option<String>>,
    /// Items sent without a recorded outcome.
    in_doubt: HashSet<(String, u32)>,
    /// Sites this plan already started on.
    sites: HashSet<String>,
}

impl ResumeState {
    /// True when the item succeeded in an earlier run; with the user id it created, if any.
    pub fn succeeded(&self, site: &str, item: u32) -> Option<&Option<String>> {
        self.succeeded.get(&(site.to_owned(), item))
    }

    /// True when the item was sent but its outcome was never recorded.
    pub fn in_doubt(&self, site: &str, item: u32) -> bool {
        self.in_doubt.contains(&(site.to_owned(), item))
    }

    /// True when an earlier run of this plan wrote to the site.
    pub fn started(&self, site: &str) -> bool {
        self.sites.contains(site)
    }

    /// True when no earlier run of this plan is recorded.
    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }
}

/// Reads the records of `plan_hash` from an existing journal (none when it does not exist).
pub fn read_resume_state(path: &Path, plan_hash: &str) -> std::io::Result<ResumeState> {
    let mut state = ResumeState::default();
    let file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(state),
        Err(error) => return Err(error),
    };
    for line in BufReader::new(file).lines() {
        let line = line?;
        // A crash can cut the last line short; it carries no outcome, so it is skipped.
        let Ok(record) = serde_json::from_str::<JournalRecord>(&line) else {
            continue;
        };
        if record.plan_hash != plan_hash {
            continue;
        }
        let (Some(site), Some(item)) = (record.site.clone(), record.item) else {
            continue;
        };
        match record.event {
            JournalEvent::Attempted => {
                state.sites.insert(site.clone());
                state.in_doubt.insert((site, item));
            }
            JournalEvent::Outcome => {
                state.in_doubt.remove(&(site.clone(), item));
                if record.status == Some(ItemStatus::Succeeded) {
                    state.succeeded.insert((site, item), record.user_id);
                }
            }
            _ => {}
        }
    }
    Ok(state)
}

/// An open journal; every record is written whole and flushed before `write` returns.
pub struct Journal {
    file: Mutex<File>,
}

impl Journal {
    /// Opens (or creates) the journal for appending.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self {
            file: Mutex::new(file),
        })
    }

    /// Appends one record as one line and flushes it.
    pub fn write(&self, record: &JournalRecord) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(record).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut file = self.file.lock().expect("journal lock");
        file.write_all(&line)?;
        file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(event: JournalEvent, item: u32, status: Option<ItemStatus>) -> JournalRecord {
        JournalRecord {
            site: Some("club".into()),
            item: Some(item),
            status,
            ..JournalRecord::new("run-1", "sha256:plan", event)
        }
    }

    #[test]
    fn resume_state_keeps_successes_and_items_in_doubt_of_the_same_plan_only() {
        let path =
            std::env::temp_dir().join(format!("roster-journal-{}.jsonl", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let journal = Journal::open(&path).unwrap();
        for r in [
            record(JournalEvent::Attempted, 0, None),
            record(JournalEvent::Outcome, 0, Some(ItemStatus::Succeeded)),
            record(JournalEvent::Attempted, 1, None),
            record(JournalEvent::Attempted, 2, None),
            record(JournalEvent::Outcome, 2, Some(ItemStatus::Failed)),
            JournalRecord {
                plan_hash: "sha256:other".into(),
                ..record(JournalEvent::Outcome, 3, Some(ItemStatus::Succeeded))
            },
        ] {
            journal.write(&r).unwrap();
        }
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"ts\":\"cut sh")
            .unwrap();
        let state = read_resume_state(&path, "sha256:plan").unwrap();
        assert!(state.succeeded("club", 0).is_some());
        assert!(state.in_doubt("club", 1));
        assert!(!state.in_doubt("club", 2) && state.succeeded("club", 2).is_none());
        assert!(state.succeeded("club", 3).is_none());
        assert!(state.started("club"));
        let _ = std::fs::remove_file(&path);
    }
}
