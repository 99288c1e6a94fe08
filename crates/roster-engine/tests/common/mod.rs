//! What several engine tests share.

#![allow(dead_code)] // each test file uses its own part of this module

use roster_engine::apply::ApplyHooks;
use roster_engine::{
    apply, ApplyReport, DesiredState, InputFormat, InputOptions, Plan, RunOptions, Site,
};

/// A desired state read from CSV text with the default options; the text must be valid.
pub fn desired(csv: &str) -> DesiredState {
    DesiredState::read_bytes(
        "users.csv",
        csv.as_bytes(),
        InputFormat::Csv,
        &InputOptions::default(),
    )
    .expect("valid input")
}

/// Applies `plan` to `sites` with the default options and no hooks; the run must complete.
pub async fn applied(plan: &Plan, sites: &[Site]) -> ApplyReport {
    apply(plan, sites, &RunOptions::default(), ApplyHooks::default())
        .await
        .expect("the plan applies")
}
