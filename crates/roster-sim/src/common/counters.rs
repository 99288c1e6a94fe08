use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Per-endpoint request counters. Cheap to clone; clones share the counts.
///
/// Each simulator names its endpoints in the platform's own terms (for example `usersearch`,
/// `user:export`, `GET /api/v1/users`, `user/list`), and documents the names it uses.
#[derive(Clone, Debug, Default)]
pub struct Counters {
    inner: Arc<Mutex<BTreeMap<String, u64>>>,
}

impl Counters {
    /// Counts one request to `endpoint`.
    pub fn hit(&self, endpoint: &str) {
        let mut map = self.inner.lock().expect("counters lock");
        *map.entry(endpoint.to_owned()).or_default() += 1;
    }

    /// Requests served by `endpoint` so far.
    pub fn get(&self, endpoint: &str) -> u64 {
        self.inner
            .lock()
            .expect("counters lock")
            .get(endpoint)
            .copied()
            .unwrap_or(0)
    }

    /// Requests served by every endpoint together.
    pub fn total(&self) -> u64 {
        self.inner.lock().expect("counters lock").values().sum()
    }

    /// A copy of every counter.
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.inner.lock().expect("counters lock").clone()
    }

    /// Sets every counter back to zero.
    pub fn reset(&self) {
        self.inner.lock().expect("counters lock").clear();
    }
}
