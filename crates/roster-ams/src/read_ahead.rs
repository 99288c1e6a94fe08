//! Person records read ahead for updates (`UserDirectory::prepare_updates`).
//!
//! An AMS update is a read-modify-write: person/save takes the whole record, so each update
//! first reads it with person/get. person/get takes up to 500 ids, so when the engine says
//! which users it is about to update, their records are read in one request and kept here;
//! each update then takes its record instead of reading it, halving the requests of an update
//! run. A record is taken at most once (a repeated update reads afresh) and only while it is
//! younger than [`FRESH_FOR`], so a record is never written back long after it was read. A
//! record whose update never came (the run stopped) is dropped once stale.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::record::PersonRecord;

/// How long a record read ahead may stand in for a read right before the write. The engine
/// announces updates in groups that take a few seconds to send; a record older than this was
/// read for a group that stalled, and is read again.
pub(crate) const FRESH_FOR: Duration = Duration::from_secs(30);

/// Records read ahead, by person id.
#[derive(Default)]
pub(crate) struct ReadAhead {
    records: Mutex<HashMap<i64, (Instant, PersonRecord)>>,
}

impl ReadAhead {
    /// Keeps freshly read records (replacing older ones) and drops any gone stale.
    pub(crate) fn keep(&self, records: Vec<PersonRecord>) {
        let now = Instant::now();
        let mut kept = self.records.lock().expect("read-ahead records");
        kept.retain(|_, (read, _)| now.duration_since(*read) < FRESH_FOR);
        for record in records {
            if let Some(id) = record.id() {
                kept.insert(id, (now, record));
            }
        }
    }

    /// The record of person `id` if one was read ahead within [`FRESH_FOR`]; it is handed out
    /// once.
    pub(crate) fn take(&self, id: i64) -> Option<PersonRecord> {
        let (read, record) = self
            .records
            .lock()
            .expect("read-ahead records")
            .remove(&id)?;
        (read.elapsed() < FRESH_FOR).then_some(record)
    }

    /// How many records are held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.records.lock().expect("read-ahead records").len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(json: &str) -> PersonRecord {
        serde_json::from_str(json).expect("a person record")
    }

    #[test]
    fn a_record_is_handed_out_once() {
        let ahead = ReadAhead::default();
        ahead.keep(vec![
            record(r#"{"id":7,"firstName":"Ann"}"#),
            record(r#"{"id":8,"firstName":"Bo"}"#),
        ]);
        assert_eq!(ahead.len(), 2);
        let seven = ahead.take(7).expect("read ahead");
        assert_eq!(seven.text("firstName").as_deref(), Some("Ann"));
        assert!(ahead.take(7).is_none(), "a second update reads afresh");
        assert!(ahead.take(9).is_none(), "never read ahead");
        assert_eq!(ahead.len(), 1);
    }

    #[test]
    fn records_without_an_id_are_not_kept() {
        let ahead = ReadAhead::default();
        ahead.keep(vec![record(r#"{"firstName":"Nobody"}"#)]);
        assert_eq!(ahead.len(), 0);
    }
}
