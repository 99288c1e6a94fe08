//! The live state of one AMS site: persons, groups, roles, sessions and uploads.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::model::{AmsSeed, BadLoginMode, Group, LoginProfile, Person, Role};

/// One login session (spec §6.3).
#[derive(Clone, Debug)]
pub(crate) struct Session {
    pub skype_name: String,
    pub user_id: i64,
    pub created: Instant,
}

/// One stored upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFile {
    /// The file id `getUploadStatus` reports.
    pub id: i64,
    /// The server name, `<stem>_<epoch-ms><ext>`.
    pub name: String,
    /// The name the client sent.
    pub original_name: String,
    /// `avatar-key` or `document-key`.
    pub processor_key: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

pub(crate) struct Inner {
    pub site: String,
    pub application_id: i64,
    /// Ascending by id at all times.
    pub persons: Vec<Person>,
    pub groups: Vec<Group>,
    pub roles: Vec<Role>,
    pub logins: HashMap<i64, LoginProfile>,
    pub sessions: HashMap<String, Session>,
    /// Last upload per session token, or per Basic username when there is no token.
    pub last_upload: HashMap<String, i64>,
    pub files: BTreeMap<i64, StoredFile>,
    pub next_file_id: i64,
    pub rng: SmallRng,
    pub fixed_clock_ms: Option<i64>,
    pub session_ttl: Option<Duration>,
    pub bad_login: BadLoginMode,
    pub save_error_status: u16,
}

/// The state of a running AMS simulator. Tests read it through the methods below.
pub struct AmsState {
    inner: Mutex<Inner>,
    admin_username: String,
    admin_password: String,
}

impl AmsState {
    /// Builds the state from a seed document.
    pub fn from_seed(seed: AmsSeed) -> Self {
        let mut persons = seed.persons;
        persons.sort_by_key(|p| p.id);
        for (username, password) in &seed.passwords {
            if let Some(p) = persons
                .iter_mut()
                .find(|p| p.username.eq_ignore_ascii_case(username))
            {
                p.password = Some(password.clone());
            }
        }
        let next_file_id = persons
            .iter()
            .map(|p| p.avatar_id)
            .max()
            .unwrap_or(0)
            .max(90_000)
            + 1;
        let logins = seed.logins.into_iter().map(|l| (l.user_id, l)).collect();
        Self {
            admin_username: seed.admin_username,
            admin_password: seed.admin_password,
            inner: Mutex::new(Inner {
                site: seed.site,
                application_id: seed.application_id,
                persons,
                groups: seed.groups,
                roles: seed.roles,
                logins,
                sessions: HashMap::new(),
                last_upload: HashMap::new(),
                files: BTreeMap::new(),
                next_file_id,
                rng: SmallRng::seed_from_u64(seed.knobs.token_seed),
                fixed_clock_ms: seed.knobs.fixed_clock_ms,
                session_ttl: seed.knobs.session_ttl_secs.map(Duration::from_secs),
                bad_login: seed.knobs.bad_login,
                save_error_status: seed.knobs.save_error_status.unwrap_or(400),
            }),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().expect("AMS state lock")
    }

    /// The site name (last segment of the site URL).
    pub fn site(&self) -> String {
        self.lock().site.clone()
    }

    /// The seeded login that has every permission.
    pub fn admin_login(&self) -> (String, String) {
        (self.admin_username.clone(), self.admin_password.clone())
    }

    /// Every person, ascending by id, as `person/get` would return them.
    pub fn persons(&self) -> Vec<Person> {
        self.lock().persons.clone()
    }

    /// The person with this username (case-insensitive).
    pub fn person_by_username(&self, username: &str) -> Option<Person> {
        self.lock()
            .persons
            .iter()
            .find(|p| p.username.eq_ignore_ascii_case(username))
            .cloned()
    }

    /// The person with this id.
    pub fn person(&self, id: i64) -> Option<Person> {
        self.lock().persons.iter().find(|p| p.id == id).cloned()
    }

    /// Number of persons.
    pub fn person_count(&self) -> usize {
        self.lock().persons.len()
    }

    /// Groups with their members, in seed order.
    pub fn groups(&self) -> Vec<Group> {
        self.lock().groups.clone()
    }

    /// Roles with their members.
    pub fn roles(&self) -> Vec<Role> {
        self.lock().roles.clone()
    }

    /// Uploaded files, by id.
    pub fn files(&self) -> Vec<StoredFile> {
        self.lock().files.values().cloned().collect()
    }

    /// Live sessions.
    pub fn session_count(&self) -> usize {
        self.lock().sessions.len()
    }

    /// The number of persons that share their username or (non-empty) email address with
    /// another person, both compared case-insensitively: 0 proves no duplicate was created.
    pub fn duplicate_identities(&self) -> usize {
        let inner = self.lock();
        let mut usernames: HashMap<String, usize> = HashMap::new();
        let mut emails: HashMap<String, usize> = HashMap::new();
        for p in &inner.persons {
            *usernames.entry(p.username.to_lowercase()).or_default() += 1;
            if !p.email_address.is_empty() {
                *emails.entry(p.email_address.to_lowercase()).or_default() += 1;
            }
        }
        inner
            .persons
            .iter()
            .filter(|p| {
                usernames[&p.username.to_lowercase()] > 1
                    || (!p.email_address.is_empty() && emails[&p.email_address.to_lowercase()] > 1)
            })
            .count()
    }

    /// Fixes the clock (epoch ms) used for `__mtime__` and upload names; `None` = system clock.
    pub fn set_fixed_clock(&self, epoch_ms: Option<i64>) {
        self.lock().fixed_clock_ms = epoch_ms;
    }

    /// How a bad login is answered.
    pub fn set_bad_login_mode(&self, mode: BadLoginMode) {
        self.lock().bad_login = mode;
    }

    /// The status of `person/save` error replies (400 by default, or 200).
    pub fn set_save_error_status(&self, status: u16) {
        self.lock().save_error_status = status;
    }

    /// Session lifetime; `None` = forever.
    pub fn set_session_ttl(&self, ttl: Option<Duration>) {
        self.lock().session_ttl = ttl;
    }
}

impl Inner {
    pub fn now_ms(&self) -> i64 {
        self.fixed_clock_ms.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0)
        })
    }

    /// A fresh 24-character session token over `[A-Za-z0-9+-]`.
    pub fn new_token(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-";
        (0..24)
            .map(|_| ALPHABET[self.rng.random_range(0..ALPHABET.len())] as char)
            .collect()
    }

    /// A fresh 19-digit upload token (a positive signed 64-bit value).
    pub fn new_skype_name(&mut self) -> String {
        self.rng
            .random_range(1_000_000_000_000_000_000i64..=i64::MAX)
            .to_string()
    }

    /// The live session for `token`, dropping it when it has expired.
    pub fn session(&mut self, token: &str) -> Option<Session> {
        let session = self.sessions.get(token)?.clone();
        if let Some(ttl) = self.session_ttl {
            if session.created.elapsed() > ttl {
                self.sessions.remove(token);
                return None;
            }
        }
        Some(session)
    }

    pub fn person_index(&self, id: i64) -> Option<usize> {
        self.persons.binary_search_by_key(&id, |p| p.id).ok()
    }

    pub fn find_username(&self, username: &str) -> Option<&Person> {
        self.persons
            .iter()
            .find(|p| p.username.eq_ignore_ascii_case(username))
    }

    pub fn permissions_of(&self, user_id: i64) -> Vec<String> {
        match self
            .logins
            .get(&user_id)
            .and_then(|l| l.permissions.clone())
        {
            Some(list) => list,
            None if self.logins.contains_key(&user_id) => super::model::RECORDED_PERMISSIONS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            // Persons created through person/save can log in but hold no permission (CHOSEN).
            None => Vec::new(),
        }
    }
}
