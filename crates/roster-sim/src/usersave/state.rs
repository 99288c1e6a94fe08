//! Shared state of a running `/user/save` simulator: the directory, tokens, and the test
//! knobs of spec §6.10 (token revoke and lifetime, scripted faults per path, forbidden users,
//! atomic membership, dump and reset).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use base64::Engine;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::fields::render;
use super::profile::Profile;
use super::store::Store;

/// An answer the next calls of one path give instead of being processed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScriptedFault {
    /// `503`, reason `backendError`.
    ServerError,
    /// `429` with `Retry-After: 1`.
    TooManyRequests,
    /// `400` with message `RATE_LIMIT_EXCEEDED` (the signal LumApps is known to give).
    RateLimitExceeded,
}

struct Token {
    user_id: String,
    expires: Instant,
}

/// State of one simulated organization (reach it with `SimHandle::state`).
pub struct UsersaveState {
    profile: Profile,
    store: Mutex<Store>,
    initial: Store,
    tokens: Mutex<HashMap<String, Token>>,
    token_ttl: Mutex<Duration>,
    token_rng: Mutex<SmallRng>,
    forbidden: Mutex<HashSet<String>>,
    atomic_membership: AtomicBool,
    scripted: Mutex<HashMap<String, VecDeque<ScriptedFault>>>,
    page_cap: Option<usize>,
}

impl UsersaveState {
    pub(crate) fn new(profile: Profile, store: Store, seed: u64, page_cap: Option<usize>) -> Self {
        let ttl = match &profile.auth {
            super::profile::AuthStyle::TokenEndpoint { token_ttl_secs, .. } => {
                Duration::from_secs(*token_ttl_secs)
            }
            _ => Duration::from_secs(3600),
        };
        Self {
            profile,
            initial: store.clone(),
            store: Mutex::new(store),
            tokens: Mutex::new(HashMap::new()),
            token_ttl: Mutex::new(ttl),
            token_rng: Mutex::new(SmallRng::seed_from_u64(seed ^ 0x70CE_4E11)),
            forbidden: Mutex::new(HashSet::new()),
            atomic_membership: AtomicBool::new(false),
            scripted: Mutex::new(HashMap::new()),
            page_cap: page_cap.filter(|n| *n > 0),
        }
    }

    /// The profile this simulator speaks.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().expect("usersave state lock")
    }

    /// The server-side page cap (`SimOptions::page_size`), if any.
    pub(crate) fn page_cap(&self) -> Option<usize> {
        self.page_cap
    }

    /// Every user as the API would show it, in creation order.
    pub fn users(&self) -> Vec<Value> {
        let order = &self.profile.user.key_order;
        self.lock()
            .users
            .iter()
            .map(|r| to_value(render(&r.obj, order)))
            .collect()
    }

    /// One user by id or e-mail (case-insensitive).
    pub fn user(&self, reference: &str) -> Option<Value> {
        let fields = &self.profile.user;
        self.lock()
            .users
            .iter()
            .find(|r| fields.matches(&r.obj, reference))
            .map(|r| to_value(render(&r.obj, &fields.key_order)))
    }

    /// Every group (feed) as the API would show it, in creation order.
    pub fn groups(&self) -> Vec<Value> {
        let order = &self.profile.group.key_order;
        self.lock()
            .groups
            .iter()
            .map(|r| to_value(render(&r.obj, order)))
            .collect()
    }

    /// Ids of the explicit members of a group (built-in groups implicitly hold everyone).
    pub fn members(&self, group_id: &str) -> Vec<String> {
        self.lock()
            .members
            .get(group_id)
            .map(|m| m.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Number of users whose e-mail (case-insensitive) is shared with another user; zero
    /// unless something created a duplicate identity.
    pub fn duplicate_identities(&self) -> usize {
        let fields = &self.profile.user;
        let mut seen: HashMap<String, usize> = HashMap::new();
        for record in &self.lock().users {
            if let Some(email) = fields.email_of(&record.obj) {
                *seen.entry(email.to_lowercase()).or_default() += 1;
            }
        }
        seen.values().filter(|n| **n > 1).sum()
    }

    /// Revokes every issued token: the next call with one answers `401`.
    pub fn revoke_tokens(&self) {
        self.tokens.lock().expect("tokens lock").clear();
    }

    /// Lifetime of tokens issued from now on (`expires_in`).
    pub fn set_token_ttl(&self, ttl: Duration) {
        *self.token_ttl.lock().expect("ttl lock") = ttl;
    }

    pub(crate) fn token_ttl(&self) -> Duration {
        *self.token_ttl.lock().expect("ttl lock")
    }

    /// Issues a token acting as `user_id`, as the token endpoint does.
    pub(crate) fn issue_token(&self, user_id: &str) -> String {
        let bytes: [u8; 24] = self.token_rng.lock().expect("token rng").random();
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let expires = Instant::now() + self.token_ttl();
        self.tokens.lock().expect("tokens lock").insert(
            token.clone(),
            Token {
                user_id: user_id.to_owned(),
                expires,
            },
        );
        token
    }

    /// A token acting as the user with this e-mail, without a token request (for tests).
    pub fn token_for(&self, email: &str) -> Option<String> {
        let id = {
            let store = self.lock();
            let fields = &self.profile.user;
            let record = store.users.iter().find(|r| fields.matches(&r.obj, email))?;
            fields.id(&record.obj)?.to_owned()
        };
        Some(self.issue_token(&id))
    }

    /// The user a live token acts for.
    pub(crate) fn token_user(&self, token: &str) -> Option<String> {
        let tokens = self.tokens.lock().expect("tokens lock");
        let entry = tokens.get(token)?;
        (entry.expires > Instant::now()).then(|| entry.user_id.clone())
    }

    /// The next `count` calls of endpoint `path` (e.g. `user/list`) answer `fault`.
    pub fn fail_next(&self, path: &str, count: usize, fault: ScriptedFault) {
        let mut scripted = self.scripted.lock().expect("faults lock");
        scripted
            .entry(path.to_owned())
            .or_default()
            .extend(std::iter::repeat_n(fault, count));
    }

    pub(crate) fn take_scripted_fault(&self, path: &str) -> Option<ScriptedFault> {
        self.scripted
            .lock()
            .expect("faults lock")
            .get_mut(path)?
            .pop_front()
    }

    /// Marks a user (id or e-mail) so that reading it answers `403`.
    pub fn set_forbidden(&self, reference: &str, forbidden: bool) {
        let id = {
            let store = self.lock();
            let fields = &self.profile.user;
            store
                .users
                .iter()
                .find(|r| fields.matches(&r.obj, reference))
                .and_then(|r| fields.id(&r.obj).map(str::to_owned))
        };
        if let Some(id) = id {
            let mut set = self.forbidden.lock().expect("forbidden lock");
            if forbidden {
                set.insert(id);
            } else {
                set.remove(&id);
            }
        }
    }

    pub(crate) fn is_forbidden(&self, user_id: &str) -> bool {
        self.forbidden
            .lock()
            .expect("forbidden lock")
            .contains(user_id)
    }

    /// Atomic membership: a batch with an unknown user applies nothing (default: the entries
    /// before the unknown one stay applied).
    pub fn set_atomic_membership(&self, atomic: bool) {
        self.atomic_membership.store(atomic, Ordering::Relaxed);
    }

    pub(crate) fn atomic_membership(&self) -> bool {
        self.atomic_membership.load(Ordering::Relaxed)
    }

    /// The whole directory as JSON, in the state-file format.
    pub fn dump(&self) -> Value {
        serde_json::to_value(&*self.lock()).expect("state serialises")
    }

    /// Back to the starting state; tokens, faults, forbidden marks and modes cleared.
    pub fn reset(&self) {
        *self.lock() = self.initial.clone();
        self.revoke_tokens();
        self.scripted.lock().expect("faults lock").clear();
        self.forbidden.lock().expect("forbidden lock").clear();
        self.set_atomic_membership(false);
    }
}

fn to_value(body: crate::common::OrderedJson) -> Value {
    serde_json::from_slice(&body.to_vec()).expect("rendered JSON parses")
}
