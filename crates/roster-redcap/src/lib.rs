//! REDCap backend for roster.
//!
//! One site is one REDCap project, reached through its API endpoint with a project token.
//! Users are the project's users (REDCap accounts added to the project), groups are its Data
//! Access Groups (at most one per user), and the platform's own fields are attributes:
//! `expiration` (which decides `active`), `role`, `rights`, `forms` and `forms_export` (always
//! integers). Email and names come from the REDCap account and are read-only.
//!
//! ```no_run
//! # async fn demo() -> roster_core::Result<()> {
//! use roster_core::{SecretString, UserDirectory, UserQuery};
//! use roster_redcap::{RedcapConfig, RedcapDirectory};
//!
//! let config = RedcapConfig::new(
//!     "https://redcap.example.org/api/",
//!     SecretString::from("0123456789ABCDEF0123456789ABCDEF"),
//! );
//! let trial = RedcapDirectory::new("trial", config)?;
//! for user in trial.list_users(&UserQuery::all()).await? {
//!     println!("{} {:?}", user.id, user.groups);
//! }
//! # Ok(()) }
//! ```
//!
//! Writes are batched: `apply_batch` sends one import per `batch_max` users (500 by default)
//! and one delete per `batch_max` names, merged with the listing it last observed, and turns
//! REDCap's all-or-nothing refusals into one result per user.

#![warn(missing_docs)]

mod api;
mod batch;
mod changes;
mod config;
mod dag_names;
mod directory;
mod each_row;
mod export;
mod groups;
mod listing;
mod mapping;
mod observed;
mod reply;
mod resolve;
mod roles;
mod rows;
mod transport;
mod users;

pub use config::{RedcapConfig, BATCH_MAX_LIMIT, DEFAULT_BATCH_MAX, DEFAULT_MAX_RESPONSE_BYTES};
pub use dag_names::{base_group_name, unique_group_names};
pub use directory::{RedcapDirectory, KIND, READ_ONLY_FIELDS};
pub use export::ExportFormat;
pub use roles::{NewRole, Role};
