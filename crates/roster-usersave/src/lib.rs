//! Generic `/user/save` API backend for roster, LumApps profile by default.
//!
//! A [`UsersaveDirectory`] speaks to one site of an API built around "list users, get a user,
//! save (upsert) a user", plus groups and a batched membership call. What differs from one
//! such API to another — paths, parameter and field names, pagination, authentication, error
//! envelope — is a [`Profile`]: the LumApps profile (`lumsites` API v1, OAuth application
//! token) is built in and is the default; another API is described by a profile read from
//! configuration, with no code change.
//!
//! ```no_run
//! # async fn demo() -> roster_core::Result<()> {
//! use roster_core::{UserDirectory, UserQuery};
//! use roster_usersave::{UsersaveConfig, UsersaveDirectory};
//!
//! let config = UsersaveConfig::lumapps(
//!     "https://go-cell-001.api.lumapps.com",
//!     "4664706704080896",
//!     "client-id",
//!     "client-secret",
//!     "admin@acme.com",
//! );
//! let site = UsersaveDirectory::new("intranet", config)?;
//! let users = site.list_users(&UserQuery::all()).await?;
//! # let _ = users;
//! # Ok(())
//! # }
//! ```

mod api;
mod auth;
mod builder;
mod capabilities;
mod config;
mod directory;
mod errors;
mod groups;
mod http;
mod ordered_map;
mod paging;
pub mod profile;
mod template;
mod users;

pub use config::{AuthConfig, UsersaveConfig, DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_S};
pub use directory::{UsersaveDirectory, KIND};
pub use ordered_map::OrderedMap;
pub use profile::Profile;
