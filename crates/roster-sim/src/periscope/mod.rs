//! Periscope Data simulator, following the "Simulator contract" of the Periscope spec.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use roster_sim::periscope::PeriscopeSim;
//! let sim = PeriscopeSim::start(roster_sim::SimOptions::default()).await?;
//! let creds = sim.credentials();
//! // HTTP-X-PARTNER-AUTH: {creds.site_name}:{creds.api_key} against {sim.url()}/api/v1/users
//! # Ok(()) }
//! ```
//!
//! Request counters (`SimHandle::counters`), one per endpoint:
//! `GET /api/v1/users`, `GET /api/v1/users (HTTP-X-EMAIL)`, `POST /api/v1/users`,
//! `PUT /api/v1/users`, `DELETE /api/v1/users`, `GET /api/v1/groups`,
//! `GET /api/v1/groups/{name}`, `POST /api/v1/groups`, `PUT /api/v1/groups/{name}`,
//! `DELETE /api/v1/groups/{name}`.

// Handlers return their error answer as `Err(Response)` so `?` can end a request early; the
// answer is built once per request, so its size on the stack does not matter.
#![allow(clippy::result_large_err)]

mod admin;
mod groups;
mod list;
mod model;
mod reply;
mod request;
mod routes;
mod seed;
mod state;
mod users;

use std::sync::Arc;

use serde::Serialize;

pub use model::{PeriscopeGroup, PeriscopeUser, Site, ACCESS_LEVELS, ADMINISTRATORS, ALL_USERS};
pub use seed::{load_seed, PeriscopeConfig, DEFAULT_ADMIN_EMAIL, DEFAULT_SITE_NAME};
pub use state::{Directory, ListShape, PeriscopeState};

use crate::common::{Counters, Knobs, SimHandle, SimOptions};

/// Starts Periscope simulators.
pub struct PeriscopeSim;

impl PeriscopeSim {
    /// Seeds a site from `options` (or loads `options.state_file`, in the format of
    /// `PeriscopeState::dump`) and serves it on `127.0.0.1:<ephemeral>`.
    pub async fn start(options: SimOptions) -> std::io::Result<SimHandle<PeriscopeState>> {
        Self::start_with(options, PeriscopeConfig::default()).await
    }

    /// As [`PeriscopeSim::start`], with another site name or administrator e-mail for the
    /// generated site.
    pub async fn start_with(
        options: SimOptions,
        config: PeriscopeConfig,
    ) -> std::io::Result<SimHandle<PeriscopeState>> {
        let seed = match &options.state_file {
            Some(path) => load_seed(path)?,
            None => seed::generate(&options, &config),
        };
        Self::start_with_seed(options, seed).await
    }

    /// Serves `seed` (for example [`PeriscopeSim::generated_seed`], adjusted). The first site
    /// is the primary one; it must exist.
    pub async fn start_with_seed(
        options: SimOptions,
        seed: Directory,
    ) -> std::io::Result<SimHandle<PeriscopeState>> {
        if seed.sites.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "a Periscope seed needs at least one site",
            ));
        }
        let state = Arc::new(PeriscopeState::new(seed));
        let counters = Counters::default();
        let knobs = Arc::new(Knobs::new(&options, reply::FAULTS));
        let app = Arc::new(routes::App {
            state: state.clone(),
            counters: counters.clone(),
        });
        SimHandle::serve(routes::router(app), state, counters, knobs, "").await
    }

    /// The directory [`PeriscopeSim::start`] generates for `options`.
    pub fn generated_seed(options: &SimOptions) -> Directory {
        seed::generate(options, &PeriscopeConfig::default())
    }
}

/// What a client needs to call the primary site.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PeriscopeCredentials {
    /// First half of `HTTP-X-PARTNER-AUTH`.
    pub site_name: String,
    /// Second half of `HTTP-X-PARTNER-AUTH` (a secret on the real platform).
    pub api_key: String,
    /// A site administrator, valid as `invited_by_email` / `created_by_email`.
    pub admin_email: String,
}

impl PeriscopeCredentials {
    /// The `HTTP-X-PARTNER-AUTH` header value.
    pub fn auth_header(&self) -> String {
        format!("{}:{}", self.site_name, self.api_key)
    }
}

impl SimHandle<PeriscopeState> {
    /// Credentials of the primary site, with an administrator's e-mail.
    pub fn credentials(&self) -> PeriscopeCredentials {
        let directory = self.state().lock();
        let site = &directory.sites[0];
        let admin_email = site
            .users
            .values()
            .find(|u| u.groups.contains(ADMINISTRATORS))
            .map(|u| u.email.clone())
            .unwrap_or_default();
        PeriscopeCredentials {
            site_name: site.site_name.clone(),
            api_key: site.api_key.clone(),
            admin_email,
        }
    }
}
