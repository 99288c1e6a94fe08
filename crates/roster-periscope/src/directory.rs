//! The backend type: one Periscope site, its HTTP client and its settings.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::Client;
use roster_core::{BackendInfo, DirectoryError, Operation};

use crate::capabilities::capabilities;
use crate::config::{PeriscopeConfig, Settings};
use crate::endpoints::Endpoints;
use crate::errors::{CallKind, Repeat};
use crate::http::Http;

/// The backend kind, as `roster describe` and `roster.toml` name it.
pub const KIND: &str = "periscope";

/// How long to wait for a connection before giving up (the whole request has its own
/// configured timeout).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// One Periscope Data site, through its User and Group Management API (v1).
///
/// Users are keyed by e-mail (their id is the e-mail); membership is written per user by
/// sending the complete group set; groups carry an `access` level. Cloning is cheap and the
/// clones share one connection pool.
#[derive(Clone)]
pub struct PeriscopeDirectory {
    pub(crate) info: BackendInfo,
    pub(crate) site: Arc<Site>,
    /// Every write goes out with `test_mode=true` (see [`PeriscopeDirectory::validating`]).
    pub(crate) validating: bool,
}

/// What the clones of one directory share.
pub(crate) struct Site {
    pub http: Http,
    pub endpoints: Endpoints,
    pub settings: Settings,
    /// Set once a membership write was seen merging instead of replacing; membership is not
    /// written through this site after that.
    pub membership_merges: AtomicBool,
}

impl PeriscopeDirectory {
    /// A directory for the site roster calls `site`, with its own HTTP client.
    pub fn new(site: impl Into<String>, config: PeriscopeConfig) -> Result<Self, DirectoryError> {
        let site = site.into();
        let timeout = Duration::from_secs(config.timeout_secs);
        let client = Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(timeout)
            .build()
            .map_err(|error| {
                DirectoryError::config(format!("cannot build the HTTP client: {error}"))
                    .at_site(site.clone())
            })?;
        Self::with_client(site, config, client)
    }

    /// A directory for the site roster calls `site`, sharing `client` (its pool, its
    /// settings); the configured per-request timeout still applies.
    pub fn with_client(
        site: impl Into<String>,
        config: PeriscopeConfig,
        client: Client,
    ) -> Result<Self, DirectoryError> {
        let site = site.into();
        let settings = Settings::try_from(config).map_err(|error| error.at_site(site.clone()))?;
        let http = Http::new(
            client,
            settings.auth.clone(),
            settings.api_key.clone(),
            settings.timeout,
            settings.max_body_bytes,
        );
        Ok(Self {
            info: BackendInfo::new(KIND, site, capabilities()),
            site: Arc::new(Site {
                http,
                endpoints: Endpoints::new(settings.base_url.clone()),
                settings,
                membership_merges: AtomicBool::new(false),
            }),
            validating: false,
        })
    }

    /// The same site, but every write is sent with `test_mode=true`: the site validates it
    /// and answers as it would, and saves nothing. Reads are sent as usual.
    pub fn validating(&self) -> Self {
        Self {
            validating: true,
            ..self.clone()
        }
    }

    /// True when writes are sent with `test_mode=true` (configured `dry_run`, or a
    /// [`validating`](Self::validating) view).
    pub fn is_test_mode(&self) -> bool {
        self.validating || self.site.settings.dry_run
    }

    /// Tags an error with the operation and this site.
    pub(crate) fn tag(
        &self,
        operation: Operation,
    ) -> impl Fn(DirectoryError) -> DirectoryError + '_ {
        move |error| {
            error
                .in_operation(operation)
                .at_site(self.info.site.as_str())
        }
    }

    /// A read of `subject`: always safe to repeat.
    pub(crate) fn read_kind<'a>(&self, subject: &'a str) -> CallKind<'a> {
        CallKind {
            repeat: Repeat::Safe,
            creating: false,
            subject,
        }
    }

    /// A write of `subject`; in test mode nothing is saved, so any write is safe to repeat.
    pub(crate) fn write_kind<'a>(
        &self,
        subject: &'a str,
        repeat: Repeat,
        creating: bool,
    ) -> CallKind<'a> {
        CallKind {
            repeat: if self.is_test_mode() {
                Repeat::Safe
            } else {
                repeat
            },
            creating,
            subject,
        }
    }

    pub(crate) fn membership_merges(&self) -> bool {
        self.site.membership_merges.load(Ordering::Relaxed)
    }

    pub(crate) fn note_membership_merges(&self) {
        self.site.membership_merges.store(true, Ordering::Relaxed);
    }
}

impl fmt::Debug for PeriscopeDirectory {
    /// Names the site and where it points; never the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeriscopeDirectory")
            .field("site", &self.info.site)
            .field("base_url", &self.site.settings.base_url)
            .field("test_mode", &self.is_test_mode())
            .finish_non_exhaustive()
    }
}
