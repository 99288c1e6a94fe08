//! The roster behavior suite against the REDCap simulator.

use std::collections::BTreeMap;
use std::sync::Arc;

use roster_core::{Change, NewGroup, SecretString, UserPatch};
use roster_redcap::{base_group_name, RedcapConfig, RedcapDirectory};
use roster_sim::redcap::RedcapSim;
use roster_sim::SimOptions;
use roster_testkit::{Fixture, SuiteOptions};
use serde_json::Value;

/// REDCap derives a DAG's unique name from its label, so the suite's groups are asked for
/// under the name REDCap will give them.
fn dag(label: &str) -> NewGroup {
    NewGroup {
        name: base_group_name(label),
        attributes: BTreeMap::from([("label".to_owned(), Value::from(label))]),
    }
}

async fn fixture() -> Fixture {
    let handle = RedcapSim::start(SimOptions {
        users: 5,
        ..SimOptions::default()
    })
    .await
    .expect("start the REDCap simulator");
    // The backend and the server agree on "today", which decides `active`.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).expect("date");
    handle.state().set_today(today);
    let credentials = handle.credentials();
    let config = RedcapConfig::new(credentials.api_url, SecretString::from(credentials.token));
    let directory = RedcapDirectory::new("redcap-sim", config)
        .expect("valid config")
        .with_today(today);
    let options = SuiteOptions {
        new_group: dag,
        clearable_attribute: Some(("expiration".into(), Value::from("2099-06-30"))),
        kept_attribute: Some(("expiration".into(), Value::from("2099-12-31"))),
        partial_update: Some(UserPatch {
            attributes: BTreeMap::from([(
                "expiration".to_owned(),
                Change::Set(Value::from("2098-01-31")),
            )]),
            ..UserPatch::default()
        }),
        ..SuiteOptions::default()
    };
    Fixture::with_guard(Arc::new(directory), handle).with_options(options)
}

roster_testkit::behavior_suite!(against_simulator, fixture);
