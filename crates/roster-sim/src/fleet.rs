//! All four simulators at once: what the CLI's `roster sim` and `roster demo` and the
//! end-to-end tests start.

use crate::ams::{AmsSim, AmsState};
use crate::periscope::{PeriscopeSim, PeriscopeState};
use crate::redcap::{RedcapSim, RedcapState};
use crate::usersave::{UsersaveSim, UsersaveState};
use crate::{SimHandle, SimOptions};

/// One running simulator of each platform; dropping the fleet stops them all.
pub struct Fleet {
    pub ams: SimHandle<AmsState>,
    pub redcap: SimHandle<RedcapState>,
    pub periscope: SimHandle<PeriscopeState>,
    pub usersave: SimHandle<UsersaveState>,
}

impl Fleet {
    /// Starts the four simulators with the same options, concurrently.
    pub async fn start(options: SimOptions) -> std::io::Result<Self> {
        let (ams, redcap, periscope, usersave) = tokio::try_join!(
            AmsSim::start(options.clone()),
            RedcapSim::start(options.clone()),
            PeriscopeSim::start(options.clone()),
            UsersaveSim::start(options),
        )?;
        Ok(Self {
            ams,
            redcap,
            periscope,
            usersave,
        })
    }

    /// Users sharing a key with another user, summed over the four sites.
    pub fn duplicate_identities(&self) -> usize {
        self.ams.state().duplicate_identities()
            + self.redcap.state().duplicate_identities()
            + self.periscope.state().duplicate_identities()
            + self.usersave.state().duplicate_identities()
    }

    /// Requests served, summed over the four sites.
    pub fn total_requests(&self) -> u64 {
        self.ams.counters().total()
            + self.redcap.counters().total()
            + self.periscope.counters().total()
            + self.usersave.counters().total()
    }
}
