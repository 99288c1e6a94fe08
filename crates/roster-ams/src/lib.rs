//! Teamworks AMS (Smartabase) backend for roster.
//!
//! [`AmsDirectory`] implements [`roster_core::UserDirectory`] over the AMS HTTP API: login,
//! usersearch, person/get, person/save, groupmembers and listgroups. Users are listed with one
//! usersearch, person/get in batches of 500 ids and username searches in batches of 100 for
//! memberships; updates are a read-modify-write of the whole person record that keeps every
//! field the patch does not name. [`AmsDirectory::upload_avatars`] uploads profile pictures.
//!
//! ```no_run
//! # async fn demo() -> roster_core::Result<()> {
//! use roster_ams::{AmsConfig, AmsDirectory};
//! use roster_core::{UserDirectory, UserQuery};
//!
//! let config = AmsConfig::new("https://example.smartabase.com/site", "admin", "pw".into());
//! let site = AmsDirectory::new("club", config)?;
//! let users = site.list_users(&UserQuery::all()).await?;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod attributes;
mod avatar_files;
mod avatars;
mod codes;
mod config;
mod directory;
mod edits;
mod failure;
mod http;
mod listing;
mod login;
mod person;
mod read_ahead;
mod reads;
mod record;
mod session;
mod wire;
mod writes;

pub use avatar_files::AvatarSource;
pub use avatars::{AvatarResult, AvatarStatus};
pub use config::{
    AmsConfig, DEFAULT_CONNECT_TIMEOUT_SECS, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_READ_TIMEOUT_SECS,
};
pub use directory::{AmsDirectory, KIND};
pub use reads::{PERSON_GET_BATCH, SEARCH_BATCH};
