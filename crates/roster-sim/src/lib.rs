//! Wire-faithful simulators of the four platforms roster speaks to, each an axum server that
//! starts in-process on an ephemeral loopback port and stops when its handle is dropped.
//!
//! The simulators are written from the wire specifications, never from the backend crates, so
//! that a misunderstanding in one is caught by the other.

pub mod ams;
pub mod common;
pub mod fleet;
pub mod periscope;
pub mod redcap;
pub mod usersave;

pub use common::{Counters, FaultKind, FaultOptions, SeedPerson, SimHandle, SimOptions};
pub use fleet::Fleet;
