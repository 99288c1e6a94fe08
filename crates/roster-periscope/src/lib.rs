//! Periscope Data (Sisense for Cloud Data Teams) backend for roster, through the site's User
//! and Group Management API v1.
//!
//! ```no_run
//! use roster_core::{SecretString, UserDirectory, UserQuery};
//! use roster_periscope::{PeriscopeConfig, PeriscopeDirectory};
//!
//! # async fn run() -> roster_core::Result<()> {
//! let mut config = PeriscopeConfig::new("example_site", SecretString::from("api-key"));
//! config.invited_by_email = Some("admin@example.com".into());
//! let site = PeriscopeDirectory::new("bi", config)?;
//! for user in site.list_users(&UserQuery::all()).await? {
//!     println!("{} {:?}", user.id, user.groups);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Users are keyed by e-mail (a user's id is its e-mail); membership is written per user by
//! sending the complete group set, and read back to check it; every write is sent with an
//! explicit `test_mode`, so [`PeriscopeDirectory::validate`] and
//! [`PeriscopeDirectory::validating`] let the site check changes without applying them.

#![warn(missing_docs)]

mod capabilities;
mod config;
mod directory;
mod endpoints;
mod errors;
mod groups;
mod http;
mod mapping;
mod membership;
mod pages;
mod user_directory;
mod users;
mod validate;
mod wire;
mod wire_list;

pub use capabilities::capabilities;
pub use config::{
    PeriscopeConfig, DEFAULT_BASE_URL, DEFAULT_IMPLICIT_GROUPS, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_TIMEOUT_SECS,
};
pub use directory::{PeriscopeDirectory, KIND};
pub use groups::{GroupUpdate, ACCESS, BUILT_IN_GROUPS};
