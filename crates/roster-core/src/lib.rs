#![warn(missing_docs)]
//! The core of roster: the canonical model of users and groups, the [`UserDirectory`] trait
//! every backend implements, [`Capabilities`], [`DirectoryError`], the in-memory reference
//! directory and the layers (retry, throttle, concurrency limit, tracing, chaos) that wrap any
//! directory.

pub mod attempts;
mod capabilities;
mod directory;
mod error;
pub mod layers;
mod memory;
pub mod model;

pub use capabilities::Capabilities;
#[cfg(feature = "mock")]
pub use directory::MockUserDirectory;
pub use directory::{collect_into, BackendInfo, SharedDirectory, UserDirectory, UserSink};
pub use error::{DirectoryError, ErrorClass, ErrorKind, Operation, Result};
pub use layers::DirectoryExt;
pub use memory::MemoryDirectory;
pub use model::{
    Change, Group, NewGroup, NewUser, User, UserKey, UserKeyKind, UserOp, UserPatch, UserQuery,
};
pub use secrecy::{ExposeSecret, SecretString};
