//! The roster behavior suite against the AMS simulator.

use std::sync::Arc;

use roster_ams::{AmsConfig, AmsDirectory};
use roster_core::NewUser;
use roster_sim::ams::AmsSim;
use roster_sim::SimOptions;
use roster_testkit::{Fixture, SuiteOptions};
use serde_json::json;

/// The suite's n-th user with what AMS requires on create: a password and a date of birth.
fn ams_user(n: u32) -> NewUser {
    let mut user = (SuiteOptions::default().new_user)(n);
    user.password = Some(format!("Suite-pw-{n}").into());
    user.attributes.insert("dob".into(), json!("1990-04-12"));
    user.attributes.insert("sex".into(), json!("FEMALE"));
    user
}

async fn fixture() -> Fixture {
    let sim = AmsSim::start(SimOptions {
        users: 5,
        ..SimOptions::default()
    })
    .await
    .expect("start the AMS simulator");
    let credentials = sim.credentials();
    let config = AmsConfig::new(
        credentials.site_url.clone(),
        credentials.username.clone(),
        credentials.password.clone().into(),
    );
    let directory = AmsDirectory::new("suite", config).expect("a valid configuration");
    Fixture::with_guard(Arc::new(directory), sim).with_options(SuiteOptions {
        new_user: ams_user,
        clearable_attribute: Some(("known_as".into(), json!("Tess"))),
        kept_attribute: Some(("uuid".into(), json!("ext-0001"))),
        ..SuiteOptions::default()
    })
}

roster_testkit::behavior_suite!(against_simulator, fixture);
