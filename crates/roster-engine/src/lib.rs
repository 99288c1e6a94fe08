//! The roster bulk engine: read the desired users, read what each site reports, show the
//! difference as a [`Plan`], and [`apply()`] exactly that plan with a per-item report.
//!
//! The engine only sees [`roster_core::SharedDirectory`] and
//! [`roster_core::Capabilities`]; it never knows which platform a site runs on.
//!
//! ```text
//! DesiredState::read_path ─► plan(&desired, &sites) ─► Plan ─► apply(&plan, &sites, …) ─► ApplyReport
//! ```

#![warn(missing_docs)]

pub mod apply;
mod copy_user;
mod correlate;
pub mod desired;
mod diff;
mod digest;
mod error;
mod fanout;
mod guards;
pub mod journal;
mod normalize;
mod observe;
mod parallel;
pub mod plan;
mod policy;
pub mod progress;
mod site;

pub use apply::{apply, ApplyHooks, ApplyReport, ItemOutcome, ItemStatus};
pub use copy_user::{copy_user, CopyFields, CopyPlan};
pub use desired::{DesiredState, DesiredUser, EmptyCells, InputError, InputFormat, InputOptions};
pub use error::EngineError;
pub use fanout::plan;
pub use observe::{observe, Observed};
pub use plan::{Plan, SitePlan};
pub use policy::{GroupOrphanPolicy, MaxDeletes, OrphanPolicy, RunOptions, SitePolicy};
pub use site::{layered, RemoteValidator, Site};
