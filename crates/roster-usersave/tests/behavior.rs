//! The roster behavior suite against the simulator: once with the built-in LumApps profile,
//! once with a second, different API described by a profile file.

mod common;

use std::sync::Arc;

use roster_core::{Change, SecretString, UserPatch};
use roster_sim::usersave::{Profile as SimProfile, UsersaveAuth, UsersaveSim};
use roster_sim::SimOptions;
use roster_testkit::{Fixture, SuiteOptions};
use roster_usersave::{AuthConfig, Profile, UsersaveConfig, UsersaveDirectory};
use serde_json::Value;

fn options() -> SimOptions {
    SimOptions {
        users: 3,
        ..SimOptions::default()
    }
}

/// LumApps: users stored hidden (so listing must ask for hidden users), no clearable
/// attribute (`last_name` is cleared instead).
async fn lumapps() -> Fixture {
    let handle = UsersaveSim::start(options())
        .await
        .expect("simulator starts");
    let config = common::sim_config(&handle);
    let dir = UsersaveDirectory::new("lumapps-sim", config).expect("valid config");
    Fixture::with_guard(Arc::new(dir), handle).with_options(SuiteOptions {
        clearable_attribute: None,
        kept_attribute: Some(("is_hidden".into(), Value::Bool(true))),
        partial_update: Some(UserPatch {
            first_name: Change::Set("Renamed".into()),
            ..UserPatch::default()
        }),
        ..SuiteOptions::default()
    })
}

/// The second profile: Basic auth, bare arrays, partial updates, a `disabled` flag.
async fn accounts_teams() -> Fixture {
    let handle = UsersaveSim::start_with_profile(options(), SimProfile::generic())
        .await
        .expect("simulator starts");
    let UsersaveAuth::Basic { username, password } = handle.credentials().auth else {
        panic!("the second profile uses Basic auth");
    };
    let profile = Profile::from_toml(include_str!("profiles/accounts_teams.toml"))
        .expect("the profile reads");
    let config = UsersaveConfig {
        base_url: handle.url().to_owned(),
        auth: AuthConfig {
            username: Some(username),
            password: Some(SecretString::from(password)),
            ..AuthConfig::default()
        },
        profile: Some(profile),
        ..UsersaveConfig::default()
    };
    let dir = UsersaveDirectory::new("accounts-sim", config).expect("valid config");
    Fixture::with_guard(Arc::new(dir), handle).with_options(SuiteOptions {
        clearable_attribute: None,
        kept_attribute: None,
        ..SuiteOptions::default()
    })
}

roster_testkit::behavior_suite!(against_simulator, lumapps);
roster_testkit::behavior_suite!(against_simulator_second_profile, accounts_teams);
