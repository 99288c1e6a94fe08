//! The four platforms as benchmark sites: each backend pointed at its simulator, with the
//! policy `roster sim` writes into `roster.toml` (key order, fields the site does not manage).

use std::sync::Arc;

use roster::ams::{AmsConfig, AmsDirectory};
use roster::core::{SecretString, SharedDirectory, UserKeyKind};
use roster::engine::{layered, Site, SitePolicy};
use roster::periscope::{PeriscopeConfig, PeriscopeDirectory};
use roster::redcap::{RedcapConfig, RedcapDirectory};
use roster::sim::ams::AmsState;
use roster::sim::periscope::PeriscopeState;
use roster::sim::redcap::RedcapState;
use roster::sim::usersave::{UsersaveAuth, UsersaveState};
use roster::sim::{Counters, Fleet, SimHandle};
use roster::usersave::{UsersaveConfig, UsersaveDirectory};

/// One of the four platforms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    Ams,
    Redcap,
    Periscope,
    Lumapps,
}

impl Platform {
    /// Every platform, in the order the tables list them.
    pub const ALL: [Platform; 4] = [
        Platform::Ams,
        Platform::Redcap,
        Platform::Periscope,
        Platform::Lumapps,
    ];

    /// The site name `roster sim` gives it.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Ams => "ams",
            Platform::Redcap => "redcap",
            Platform::Periscope => "periscope",
            Platform::Lumapps => "lumapps",
        }
    }

    /// The platform named `name` (a site name of `roster sim`).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The bare backend for this platform's simulator in `fleet`.
    pub fn backend(self, fleet: &Fleet) -> SharedDirectory {
        match self {
            Platform::Ams => ams(self.name(), &fleet.ams),
            Platform::Redcap => redcap(self.name(), &fleet.redcap),
            Platform::Periscope => periscope(self.name(), &fleet.periscope),
            Platform::Lumapps => lumapps(self.name(), &fleet.usersave),
        }
    }

    /// The request counters of this platform's simulator in `fleet`.
    pub fn counters(self, fleet: &Fleet) -> &Counters {
        match self {
            Platform::Ams => fleet.ams.counters(),
            Platform::Redcap => fleet.redcap.counters(),
            Platform::Periscope => fleet.periscope.counters(),
            Platform::Lumapps => fleet.usersave.counters(),
        }
    }

    /// The policy of the simulated configuration, with `concurrency` calls in flight.
    pub fn policy(self, concurrency: usize) -> SitePolicy {
        let text = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect();
        let (key_order, ignore_fields) = match self {
            Platform::Ams => (vec![UserKeyKind::Username, UserKeyKind::Email], Vec::new()),
            Platform::Redcap => (
                vec![UserKeyKind::Username],
                text(&["password", "dob", "sex"]),
            ),
            Platform::Periscope => (vec![UserKeyKind::Email], text(&["password", "dob", "sex"])),
            Platform::Lumapps => (vec![UserKeyKind::Email], text(&["dob", "sex"])),
        };
        SitePolicy {
            key_order,
            ignore_fields,
            concurrency,
            ..SitePolicy::default()
        }
    }

    /// The site as the engine runs it: the backend in the engine's layer stack.
    pub fn site(self, backend: SharedDirectory, policy: SitePolicy) -> Site {
        Site::new(layered(backend, &policy, None), policy)
    }
}

/// An AMS backend named `name` for `sim`.
pub fn ams(name: &str, sim: &SimHandle<AmsState>) -> SharedDirectory {
    let creds = sim.credentials();
    let config = AmsConfig::new(
        creds.site_url,
        creds.username,
        SecretString::from(creds.password),
    );
    Arc::new(AmsDirectory::new(name, config).expect("a valid AMS configuration"))
}

/// A REDCap backend named `name` for `sim`.
pub fn redcap(name: &str, sim: &SimHandle<RedcapState>) -> SharedDirectory {
    let creds = sim.credentials();
    let config = RedcapConfig::new(creds.api_url, SecretString::from(creds.token));
    Arc::new(RedcapDirectory::new(name, config).expect("a valid REDCap configuration"))
}

/// A Periscope backend named `name` for `sim`.
pub fn periscope(name: &str, sim: &SimHandle<PeriscopeState>) -> SharedDirectory {
    let creds = sim.credentials();
    let mut config = PeriscopeConfig::new(creds.site_name, SecretString::from(creds.api_key));
    config.base_url = sim.url().to_owned();
    config.invited_by_email = Some(creds.admin_email);
    Arc::new(PeriscopeDirectory::new(name, config).expect("a valid Periscope configuration"))
}

/// A LumApps backend named `name` for `sim`.
pub fn lumapps(name: &str, sim: &SimHandle<UsersaveState>) -> SharedDirectory {
    let creds = sim.credentials();
    let UsersaveAuth::OauthApplication {
        client_id,
        client_secret,
        ..
    } = creds.auth
    else {
        panic!("the LumApps simulator uses an OAuth application");
    };
    let mut config = UsersaveConfig::lumapps(
        sim.url(),
        creds.customer_id,
        client_id,
        client_secret,
        creds.acting_user_email,
    );
    config.instance_id = Some(creds.instance_id);
    config.group_type = creds.group_type;
    Arc::new(UsersaveDirectory::new(name, config).expect("a valid LumApps configuration"))
}
