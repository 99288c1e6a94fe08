//! The plan: a serde value, rendered for people and as JSON, with fingerprints.

mod build;
mod fingerprint;
mod model;
mod render;
mod secrets;

pub use build::{plan_site, SiteView};
pub use fingerprint::observed_fingerprint;
pub use model::{
    Action, Dispute, FieldChange, Phase, Plan, PlanCounts, PlanError, PlanItem, SitePlan,
};
pub use render::render_site;
