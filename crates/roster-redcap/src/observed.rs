//! The project's users as last observed: read by one export, then reused by `apply_batch` so a
//! reconcile costs one export plus one import per batch (spec §5.4, "request economy").

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use roster_core::User;

use crate::mapping::{user_from_row, RoleOf};
use crate::rows::UserRow;

/// How long an observed listing stands in for a fresh export. A plan is applied soon after
/// it is made (and the engine re-lists to check nothing changed); an older listing is read
/// again rather than trusted.
const MAX_AGE: Duration = Duration::from_secs(300);

/// How much of the role picture a read includes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum RoleDetail {
    /// The user export only.
    None,
    /// Plus the user-role mapping: each user's unique role name.
    Names,
    /// Plus the role export: each role's label.
    Labels,
}

/// Every project user, by lower-case username, with their roles when they were read.
#[derive(Clone, Debug)]
pub(crate) struct Snapshot {
    pub users: BTreeMap<String, UserRow>,
    /// Username → unique role name (`""` for none); `None` when the mapping was not read.
    pub roles: Option<BTreeMap<String, String>>,
    /// Unique role name → label; `None` when the role export was not read.
    pub role_labels: Option<BTreeMap<String, String>>,
    taken: Instant,
}

impl Snapshot {
    pub(crate) fn new(
        users: BTreeMap<String, UserRow>,
        roles: Option<BTreeMap<String, String>>,
        role_labels: Option<BTreeMap<String, String>>,
    ) -> Self {
        Self {
            users,
            roles,
            role_labels,
            taken: Instant::now(),
        }
    }

    /// How much of the role picture this snapshot holds.
    pub(crate) fn detail(&self) -> RoleDetail {
        match (&self.roles, &self.role_labels) {
            (None, _) => RoleDetail::None,
            (Some(_), None) => RoleDetail::Names,
            (Some(_), Some(_)) => RoleDetail::Labels,
        }
    }

    /// The role of `username` when roles were read (name `""` for none).
    pub(crate) fn role_of(&self, username: &str) -> Option<RoleOf> {
        let name = self
            .roles
            .as_ref()?
            .get(username)
            .cloned()
            .unwrap_or_default();
        let label = self
            .role_labels
            .as_ref()
            .and_then(|labels| labels.get(&name).cloned());
        Some(RoleOf { name, label })
    }

    /// The canonical user `username`, if in the project.
    pub(crate) fn user(&self, username: &str, today: NaiveDate) -> Option<User> {
        let row = self.users.get(username)?;
        Some(user_from_row(row, self.role_of(username).as_ref(), today))
    }

    /// Every user, in username order.
    pub(crate) fn all_users(&self, today: NaiveDate) -> Vec<User> {
        self.users
            .keys()
            .filter_map(|username| self.user(username, today))
            .collect()
    }

    /// Records what a successful write left: the row, and the role when it was set.
    pub(crate) fn record(&mut self, row: UserRow, role: Option<&str>) {
        let username = row.username.to_lowercase();
        if let (Some(roles), Some(role)) = (self.roles.as_mut(), role) {
            roles.insert(username.clone(), role.to_owned());
        }
        self.users.insert(username, row);
    }

    /// Records that `username` left the project.
    pub(crate) fn remove(&mut self, username: &str) {
        self.users.remove(username);
        if let Some(roles) = self.roles.as_mut() {
            roles.remove(username);
        }
    }
}

/// The last snapshot, shared by the calls of one directory.
#[derive(Debug, Default)]
pub(crate) struct Observed {
    slot: Mutex<Option<Snapshot>>,
}

impl Observed {
    /// Keeps `snapshot` as the latest observation.
    pub(crate) fn store(&self, snapshot: Snapshot) {
        *self.slot.lock().expect("observed users") = Some(snapshot);
    }

    /// A copy of the latest observation, when it is recent and has at least `detail`.
    pub(crate) fn fresh(&self, detail: RoleDetail) -> Option<Snapshot> {
        self.slot
            .lock()
            .expect("observed users")
            .as_ref()
            .filter(|snapshot| snapshot.detail() >= detail && snapshot.taken.elapsed() < MAX_AGE)
            .cloned()
    }

    /// Changes the observation in place, if there is one (after a write that succeeded).
    pub(crate) fn update(&self, change: impl FnOnce(&mut Snapshot)) {
        if let Some(snapshot) = self.slot.lock().expect("observed users").as_mut() {
            change(snapshot);
        }
    }

    /// Forgets the observation (after a write whose outcome is not known row by row).
    pub(crate) fn forget(&self) {
        *self.slot.lock().expect("observed users") = None;
    }
}
