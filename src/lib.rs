//! roster: one API and one CLI to provision users and groups across Teamworks AMS
//! (Smartabase), REDCap, Periscope Data and `/user/save`-style APIs (LumApps by default).
//!
//! This facade re-exports the workspace so a program can depend on one crate:
//!
//! - [`core`]: the model, the [`UserDirectory`] trait, capabilities, errors, the in-memory
//!   directory and the layers (retry, throttle, concurrency limit, tracing, chaos);
//! - [`engine`]: desired state → plan → apply, across many sites;
//! - [`ams`], [`redcap`], [`periscope`], [`usersave`]: one backend per platform;
//! - [`sim`]: wire-faithful simulators of the four platforms.

pub use roster_ams as ams;
pub use roster_core as core;
pub use roster_engine as engine;
pub use roster_periscope as periscope;
pub use roster_redcap as redcap;
pub use roster_sim as sim;
pub use roster_usersave as usersave;

#[cfg(feature = "mock")]
pub use roster_core::MockUserDirectory;
pub use roster_core::{
    BackendInfo, Capabilities, DirectoryError, Group, NewGroup, NewUser, SharedDirectory, User,
    UserDirectory, UserKey, UserPatch, UserQuery,
};

pub mod simulated;
