//! The in-memory reference directory: the behaviour every backend is measured against.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;

use crate::capabilities::Capabilities;
use crate::directory::{BackendInfo, UserDirectory};
use crate::error::{DirectoryError, ErrorKind, Operation, Result};
use crate::model::{Change, Group, NewGroup, NewUser, User, UserKey, UserPatch, UserQuery};

/// A thread-safe directory held in memory, with full capabilities by default.
///
/// Narrow its capabilities with [`MemoryDirectory::with_capabilities`] to stand in for a
/// platform that cannot delete, cannot write membership, allows one group per user, …: an
/// operation outside its capabilities returns `Unsupported`, like a real backend. It counts
/// the calls it serves and the most calls it had in flight at once, so tests can check request
/// economy and concurrency limits by counting rather than timing.
pub struct MemoryDirectory {
    info: BackendInfo,
    latency: Duration,
    state: Mutex<State>,
    calls: Mutex<BTreeMap<Operation, u64>>,
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
}

#[derive(Default)]
struct State {
    users: BTreeMap<u64, User>,
    groups: BTreeMap<String, Group>,
    next_id: u64,
}

impl MemoryDirectory {
    /// An empty directory named `site`, with every capability.
    pub fn new(site: impl Into<String>) -> Self {
        Self {
            info: BackendInfo::new("memory", site, Capabilities::full()),
            latency: Duration::ZERO,
            state: Mutex::new(State {
                next_id: 1,
                ..State::default()
            }),
            calls: Mutex::new(BTreeMap::new()),
            in_flight: AtomicUsize::new(0),
            peak_in_flight: AtomicUsize::new(0),
        }
    }

    /// The same directory with narrower (or other) capabilities.
    pub fn with_capabilities(mut self, capabilities: Capabilities) -> Self {
        self.info.capabilities = capabilities;
        self
    }

    /// Each call waits this long before answering (to exercise concurrency).
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Adds users directly, without counting calls; ids are assigned when empty.
    pub fn with_users(self, users: impl IntoIterator<Item = User>) -> Self {
        {
            let mut state = self.state.lock().expect("memory state");
            for mut user in users {
                let id = state.take_id(&user.id);
                user.id = id.to_string();
                state.users.insert(id, user);
            }
        }
        self
    }

    /// Adds groups directly, without counting calls.
    pub fn with_groups(self, groups: impl IntoIterator<Item = Group>) -> Self {
        {
            let mut state = self.state.lock().expect("memory state");
            for group in groups {
                state.groups.insert(group.name.clone(), group);
            }
        }
        self
    }

    /// Every user, in id order, without counting a call.
    pub fn users(&self) -> Vec<User> {
        self.state
            .lock()
            .expect("memory state")
            .users
            .values()
            .cloned()
            .collect()
    }

    /// Every group, without counting a call.
    pub fn groups(&self) -> Vec<Group> {
        self.state
            .lock()
            .expect("memory state")
            .groups
            .values()
            .cloned()
            .collect()
    }

    /// Calls served, per operation.
    pub fn calls(&self) -> BTreeMap<Operation, u64> {
        self.calls.lock().expect("memory calls").clone()
    }

    /// Calls served of one operation.
    pub fn calls_of(&self, operation: Operation) -> u64 {
        self.calls().get(&operation).copied().unwrap_or(0)
    }

    /// Calls served in all.
    pub fn total_calls(&self) -> u64 {
        self.calls().values().sum()
    }

    /// The most calls that were in flight at the same moment.
    pub fn peak_in_flight(&self) -> usize {
        self.peak_in_flight.load(Ordering::SeqCst)
    }

    /// Users that share a username or an email (case-insensitive) with another user: zero
    /// unless something created a duplicate.
    pub fn duplicate_identities(&self) -> usize {
        let state = self.state.lock().expect("memory state");
        let mut seen: HashMap<String, usize> = HashMap::new();
        for user in state.users.values() {
            if let Some(name) = &user.username {
                *seen.entry(format!("u:{name}")).or_default() += 1;
            }
            if let Some(email) = &user.email {
                *seen
                    .entry(format!("e:{}", email.to_lowercase()))
                    .or_default() += 1;
            }
        }
        seen.values()
            .filter(|count| **count > 1)
            .map(|count| count - 1)
            .sum()
    }

    fn caps(&self) -> &Capabilities {
        &self.info.capabilities
    }

    fn error(&self, error: DirectoryError, operation: Operation) -> DirectoryError {
        error.in_operation(operation).at_site(&self.info.site)
    }

    fn require(&self, allowed: bool, operation: Operation) -> Result<()> {
        if allowed {
            Ok(())
        } else {
            Err(self.error(DirectoryError::unsupported(operation), operation))
        }
    }

    /// Refuses a write to a field the capabilities mark read-only, as a backend would.
    fn require_writable<'a>(
        &self,
        mut fields: impl Iterator<Item = &'a str>,
        operation: Operation,
    ) -> Result<()> {
        match fields.find(|field| !self.caps().can_write_field(field)) {
            None => Ok(()),
            Some(field) => Err(self.error(
                DirectoryError::invalid(Some(field), "read-only on this site"),
                operation,
            )),
        }
    }

    /// Counts the call, tracks concurrency and waits the configured latency.
    async fn serve(&self, operation: Operation) -> InFlight<'_> {
        *self
            .calls
            .lock()
            .expect("memory calls")
            .entry(operation)
            .or_default() += 1;
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak_in_flight.fetch_max(now, Ordering::SeqCst);
        let guard = InFlight(&self.in_flight);
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
        guard
    }
}

struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl State {
    fn take_id(&mut self, wanted: &str) -> u64 {
        let id = wanted.parse().unwrap_or(self.next_id);
        self.next_id = self.next_id.max(id + 1);
        id
    }

    fn parse_id(id: &str) -> Option<u64> {
        id.parse().ok()
    }

    /// The id of another user that already holds `username` or `email`.
    fn clash(
        &self,
        except: Option<u64>,
        username: Option<&str>,
        email: Option<&str>,
    ) -> Option<String> {
        self.users.iter().find_map(|(id, user)| {
            if Some(*id) == except {
                return None;
            }
            if username.is_some() && user.username.as_deref() == username {
                return Some(format!("username {}", username.unwrap_or_default()));
            }
            match (email, &user.email) {
                (Some(wanted), Some(have)) if wanted.eq_ignore_ascii_case(have) => {
                    Some(format!("email {wanted}"))
                }
                _ => None,
            }
        })
    }
}

#[async_trait]
impl UserDirectory for MemoryDirectory {
    fn describe(&self) -> &BackendInfo {
        &self.info
    }

    async fn list_users(&self, query: &UserQuery) -> Result<Vec<User>> {
        let _call = self.serve(Operation::ListUsers).await;
        self.require(self.caps().list_users, Operation::ListUsers)?;
        let state = self.state.lock().expect("memory state");
        Ok(state
            .users
            .values()
            .filter(|u| query.matches(u))
            .cloned()
            .collect())
    }

    async fn get_user(&self, key: &UserKey) -> Result<Option<User>> {
        let _call = self.serve(Operation::GetUser).await;
        self.require(self.caps().get_user, Operation::GetUser)?;
        let state = self.state.lock().expect("memory state");
        Ok(match key {
            UserKey::Id(id) => State::parse_id(id)
                .and_then(|id| state.users.get(&id))
                .cloned(),
            other => state.users.values().find(|u| u.matches_key(other)).cloned(),
        })
    }

    async fn create_user(&self, new: &NewUser) -> Result<User> {
        let op = Operation::CreateUser;
        let _call = self.serve(op).await;
        self.require(self.caps().create_user, op)?;
        let named = [
            ("username", new.username.is_some()),
            ("email", new.email.is_some()),
            ("first_name", new.first_name.is_some()),
            ("last_name", new.last_name.is_some()),
        ];
        let fields = named.iter().filter(|(_, set)| *set).map(|(name, _)| *name);
        self.require_writable(fields.chain(new.attributes.keys().map(String::as_str)), op)?;
        if new.username.is_none() && new.email.is_none() {
            return Err(self.error(
                DirectoryError::invalid(Some("email"), "a user needs a username or an email"),
                op,
            ));
        }
        let mut state = self.state.lock().expect("memory state");
        if let Some(what) = state.clash(None, new.username.as_deref(), new.email.as_deref()) {
            return Err(self.error(DirectoryError::already_exists(what), op));
        }
        let id = state.take_id("");
        let user = User {
            id: id.to_string(),
            username: new.username.clone(),
            email: new.email.clone(),
            first_name: new.first_name.clone(),
            last_name: new.last_name.clone(),
            active: self
                .caps()
                .deactivate_user
                .then(|| new.active.unwrap_or(true)),
            groups: self.caps().read_membership.then(BTreeSet::new),
            attributes: new.attributes.clone(),
        };
        state.users.insert(id, user.clone());
        Ok(user)
    }

    async fn update_user(&self, id: &str, patch: &UserPatch) -> Result<User> {
        let op = Operation::UpdateUser;
        let _call = self.serve(op).await;
        self.require(self.caps().update_user, op)?;
        if !patch.active.is_leave() {
            self.require(self.caps().deactivate_user, op)?;
        }
        let touched = patch.touched_fields();
        self.require_writable(touched.iter().map(String::as_str), op)?;
        let mut state = self.state.lock().expect("memory state");
        let key = State::parse_id(id)
            .filter(|key| state.users.contains_key(key))
            .ok_or_else(|| self.error(DirectoryError::not_found(format!("user id {id}")), op))?;
        let mut user = state.users[&key].clone();
        patch.apply_to(&mut user);
        let username_changed = matches!(patch.username, Change::Set(_));
        let email_changed = matches!(patch.email, Change::Set(_));
        if username_changed || email_changed {
            let username = username_changed
                .then_some(user.username.as_deref())
                .flatten();
            let email = email_changed.then_some(user.email.as_deref()).flatten();
            if let Some(what) = state.clash(Some(key), username, email) {
                return Err(self.error(DirectoryError::already_exists(what), op));
            }
        }
        state.users.insert(key, user.clone());
        Ok(user)
    }

    async fn delete_user(&self, id: &str) -> Result<()> {
        let op = Operation::DeleteUser;
        let _call = self.serve(op).await;
        self.require(self.caps().delete_user, op)?;
        let mut state = self.state.lock().expect("memory state");
        State::parse_id(id)
            .and_then(|key| state.users.remove(&key))
            .map(|_| ())
            .ok_or_else(|| self.error(DirectoryError::not_found(format!("user id {id}")), op))
    }

    async fn list_groups(&self) -> Result<Vec<Group>> {
        let _call = self.serve(Operation::ListGroups).await;
        self.require(self.caps().list_groups, Operation::ListGroups)?;
        Ok(self
            .state
            .lock()
            .expect("memory state")
            .groups
            .values()
            .cloned()
            .collect())
    }

    async fn create_group(&self, new: &NewGroup) -> Result<Group> {
        let op = Operation::CreateGroup;
        let _call = self.serve(op).await;
        self.require(self.caps().create_group, op)?;
        let mut state = self.state.lock().expect("memory state");
        if state.groups.contains_key(&new.name) {
            return Err(self.error(
                DirectoryError::already_exists(format!("group {}", new.name)),
                op,
            ));
        }
        let group = Group {
            name: new.name.clone(),
            id: Some(format!("g{}", state.groups.len() + 1)),
            attributes: new.attributes.clone(),
        };
        state.groups.insert(new.name.clone(), group.clone());
        Ok(group)
    }

    async fn delete_group(&self, name: &str) -> Result<()> {
        let op = Operation::DeleteGroup;
        let _call = self.serve(op).await;
        self.require(self.caps().delete_group, op)?;
        let mut state = self.state.lock().expect("memory state");
        if state.groups.remove(name).is_none() {
            return Err(self.error(DirectoryError::not_found(format!("group {name}")), op));
        }
        for user in state.users.values_mut() {
            if let Some(groups) = &mut user.groups {
                groups.remove(name);
            }
        }
        Ok(())
    }

    /// Only counted, so tests can see the engine announce its updates: a memory directory
    /// has nothing to read ahead.
    async fn prepare_updates(&self, _ids: &[String]) -> Result<()> {
        *self
            .calls
            .lock()
            .expect("memory calls")
            .entry(Operation::PrepareUpdates)
            .or_default() += 1;
        Ok(())
    }

    async fn set_membership(&self, group: &str, add: &[String], remove: &[String]) -> Result<()> {
        let op = Operation::SetMembership;
        let _call = self.serve(op).await;
        self.require(self.caps().write_membership, op)?;
        let limit = self.caps().max_groups_per_user;
        let mut state = self.state.lock().expect("memory state");
        if !state.groups.contains_key(group) {
            return Err(self.error(DirectoryError::not_found(format!("group {group}")), op));
        }
        let mut failed = BTreeMap::new();
        for (id, adding) in add
            .iter()
            .map(|id| (id, true))
            .chain(remove.iter().map(|id| (id, false)))
        {
            let Some(user) = State::parse_id(id).and_then(|key| state.users.get_mut(&key)) else {
                failed.insert(id.clone(), format!("no user with id {id}"));
                continue;
            };
            let groups = user.groups.get_or_insert_with(BTreeSet::new);
            if !adding {
                groups.remove(group);
                continue;
            }
            match limit {
                // One group per user: joining a group moves the user, as a REDCap DAG does.
                Some(1) => {
                    groups.clear();
                    groups.insert(group.to_owned());
                }
                Some(max) if !groups.contains(group) && groups.len() >= max as usize => {
                    failed.insert(
                        id.clone(),
                        format!("already in {max} groups, the most allowed"),
                    );
                }
                _ => {
                    groups.insert(group.to_owned());
                }
            }
        }
        if failed.is_empty() {
            Ok(())
        } else {
            Err(self.error(DirectoryError::new(ErrorKind::Partial { failed }), op))
        }
    }
}
