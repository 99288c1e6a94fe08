//! The login session: logged in lazily once per directory, reused by every call, and renewed
//! once when the site answers 401 (spec §5.1, §5.7).

use std::sync::Arc;

use secrecy::SecretString;

/// What one login gave: the session token and the upload token. Both are secrets.
#[derive(Debug)]
pub struct Session {
    /// Sent as `session-header` and as the `JSESSIONID` cookie.
    pub token: SecretString,
    /// The login reply's `user.skypeName`, the `session-token` of uploads.
    pub upload_token: Option<SecretString>,
    /// Counts logins, so a renewal can tell whether another task already renewed.
    pub generation: u64,
}

/// The current session, if logged in, and how many logins there were.
#[derive(Default)]
pub struct SessionSlot {
    pub current: Option<Arc<Session>>,
    pub logins: u64,
}

impl SessionSlot {
    /// The session to use instead of `stale`, when another task renewed it meanwhile.
    pub fn newer_than(&self, stale: &Session) -> Option<Arc<Session>> {
        self.current
            .as_ref()
            .filter(|current| current.generation != stale.generation)
            .cloned()
    }
}
