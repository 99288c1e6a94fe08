//! The simulator's state: the sites, the test switches of spec §6.7, and inspection helpers.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use super::model::{PeriscopeGroup, PeriscopeUser, Site};

/// Every site the simulator hosts; the first one is the primary site whose credentials the
/// handle reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Directory {
    /// Hosted sites, primary first.
    pub sites: Vec<Site>,
}

/// How list endpoints answer (spec §6.7 knobs); the default is the contract's plain answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListShape {
    /// `Some(n)`: lists come `n` at a time with `next_page_start` / `items_this_page`.
    #[serde(default)]
    pub paginate: Option<usize>,
    /// Lists are bare arrays instead of `{"users":[…]}` (pagination is then off).
    #[serde(default)]
    pub bare: bool,
    /// `PUT` with `groups` merges into the user's set instead of replacing it.
    #[serde(default)]
    pub groups_merge: bool,
}

/// Shared state of a running Periscope simulator (reach it with `SimHandle::state`).
pub struct PeriscopeState {
    directory: Mutex<Directory>,
    initial: Directory,
    shape: Mutex<ListShape>,
    scripted: Mutex<VecDeque<u16>>,
}

impl PeriscopeState {
    pub(crate) fn new(directory: Directory) -> Self {
        Self {
            initial: directory.clone(),
            directory: Mutex::new(directory),
            shape: Mutex::new(ListShape::default()),
            scripted: Mutex::new(VecDeque::new()),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Directory> {
        self.directory.lock().expect("periscope state lock")
    }

    fn primary<T>(&self, read: impl FnOnce(&Site) -> T) -> T {
        read(&self.lock().sites[0])
    }

    /// Users of the primary site, in listing order (lower-cased e-mail).
    pub fn users(&self) -> Vec<PeriscopeUser> {
        self.primary(|s| s.users.values().cloned().collect())
    }

    /// One user of the primary site, by e-mail (case-insensitive).
    pub fn user(&self, email: &str) -> Option<PeriscopeUser> {
        self.primary(|s| s.user(email).cloned())
    }

    /// Groups of the primary site, in listing order (name).
    pub fn groups(&self) -> Vec<PeriscopeGroup> {
        self.primary(|s| s.groups.values().cloned().collect())
    }

    /// A copy of the named site.
    pub fn site(&self, site_name: &str) -> Option<Site> {
        self.lock()
            .sites
            .iter()
            .find(|s| s.site_name == site_name)
            .cloned()
    }

    /// Number of users, across all sites, whose e-mail (case-insensitive) is shared with
    /// another user of the same site. Zero unless something created a duplicate identity.
    pub fn duplicate_identities(&self) -> usize {
        self.lock()
            .sites
            .iter()
            .map(|site| {
                let mut seen: HashMap<String, usize> = HashMap::new();
                for user in site.users.values() {
                    *seen.entry(user.email.to_lowercase()).or_default() += 1;
                }
                seen.values().filter(|n| **n > 1).sum::<usize>()
            })
            .sum()
    }

    /// Adds another site (tests use it for the wrong-site `403`).
    pub fn add_site(&self, site_name: &str, api_key: &str) {
        self.lock().sites.push(Site::new(site_name, api_key));
    }

    /// Turns the User and Group Management API of a site on or off (off = `403`).
    pub fn set_user_api_enabled(&self, site_name: &str, enabled: bool) {
        if let Some(site) = self
            .lock()
            .sites
            .iter_mut()
            .find(|s| s.site_name == site_name)
        {
            site.user_api_enabled = enabled;
        }
    }

    /// The current list shape.
    pub fn list_shape(&self) -> ListShape {
        self.shape.lock().expect("periscope shape lock").clone()
    }

    /// Changes how lists are answered and how `PUT groups` behaves (spec §6.7).
    pub fn set_list_shape(&self, shape: ListShape) {
        *self.shape.lock().expect("periscope shape lock") = shape;
    }

    /// The next `count` API requests answer `status` (`429` with `Retry-After: 1`, or `503`)
    /// without being processed.
    pub fn fail_next(&self, count: usize, status: u16) {
        let mut queue = self.scripted.lock().expect("periscope faults lock");
        queue.extend(std::iter::repeat_n(status, count));
    }

    pub(crate) fn take_scripted_fault(&self) -> Option<u16> {
        self.scripted
            .lock()
            .expect("periscope faults lock")
            .pop_front()
    }

    /// The whole state as JSON, in the state-file format (`{"sites":[…]}`).
    pub fn dump(&self) -> serde_json::Value {
        serde_json::to_value(&*self.lock()).expect("state serialises")
    }

    /// Back to the state the simulator started with; switches and scripted faults cleared.
    pub fn reset(&self) {
        *self.lock() = self.initial.clone();
        self.set_list_shape(ListShape::default());
        self.scripted.lock().expect("periscope faults lock").clear();
    }
}
