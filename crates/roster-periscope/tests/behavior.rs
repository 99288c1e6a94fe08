//! The roster behavior suite, run against the Periscope simulator.

use std::sync::Arc;

use roster_core::{NewGroup, SecretString};
use roster_periscope::{PeriscopeConfig, PeriscopeDirectory, ACCESS};
use roster_sim::periscope::PeriscopeSim;
use roster_sim::SimOptions;
use roster_testkit::{Fixture, SuiteOptions};

/// A Periscope group needs an access level.
fn group_with_access(name: &str) -> NewGroup {
    let mut group = NewGroup::named(name);
    group.attributes.insert(ACCESS.into(), "View".into());
    group
}

async fn fixture() -> Fixture {
    let handle = PeriscopeSim::start(SimOptions {
        users: 3,
        ..SimOptions::default()
    })
    .await
    .expect("start the Periscope simulator");
    let credentials = handle.credentials();
    let mut config = PeriscopeConfig::new(
        credentials.site_name.clone(),
        SecretString::from(credentials.api_key.clone()),
    );
    config.base_url = handle.url().to_owned();
    config.invited_by_email = Some(credentials.admin_email.clone());
    let directory = PeriscopeDirectory::new("periscope-sim", config).expect("valid config");
    Fixture::with_guard(Arc::new(directory), handle).with_options(SuiteOptions {
        new_group: group_with_access,
        // Periscope attributes are read-only: nothing to keep or clear but the names.
        clearable_attribute: None,
        kept_attribute: None,
        ..SuiteOptions::default()
    })
}

roster_testkit::behavior_suite!(against_simulator, fixture);
