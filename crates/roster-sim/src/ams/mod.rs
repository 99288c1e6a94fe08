//! Teamworks AMS (Smartabase) simulator, following the "Simulator contract" of the AMS spec.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use roster_sim::ams::AmsSim;
//! let sim = AmsSim::start(roster_sim::SimOptions::default()).await?;
//! let creds = sim.credentials();
//! // POST {creds.site_url}/api/v2/user/loginUser?informat=json&format=json ...
//! assert_eq!(sim.counters().get("usersearch"), 0);
//! # Ok(()) }
//! ```
//!
//! Counter names: `loginUser`, `usersearch`, `groupmembers`, `listgroups`, `person/get`,
//! `person/save`, `getUploadStatus`, `fileupload`.

mod auth;
mod codes;
mod model;
mod reads;
mod routes;
mod save;
mod seed;
mod state;
mod upload;
mod wire;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;

use crate::common::{Counters, FaultResponses, Knobs, SimHandle, SimOptions};

pub use model::{
    Address, AmsSeed, AmsTestKnobs, BadLoginMode, Group, LoginProfile, Person, Phone, Role,
    RECORDED_PERMISSIONS,
};
pub use seed::{ADMIN_USERNAME, DEFAULT_SITE, READ_ONLY_USERNAME};
pub use state::{AmsState, StoredFile};

/// Starts AMS simulators.
pub struct AmsSim;

impl AmsSim {
    /// Starts a site seeded from `options` (or from `options.state_file`, a JSON [`AmsSeed`]).
    pub async fn start(options: SimOptions) -> std::io::Result<SimHandle<AmsState>> {
        let seed = match &options.state_file {
            Some(path) => load_seed(path)?,
            None => seed::generate(&options),
        };
        Self::start_with_seed(options, seed).await
    }

    /// Starts a site holding exactly `seed`; the knobs still come from `options`.
    pub async fn start_with_seed(
        options: SimOptions,
        seed: AmsSeed,
    ) -> std::io::Result<SimHandle<AmsState>> {
        let site = seed.site.clone();
        let state = Arc::new(AmsState::from_seed(seed));
        let counters = Counters::default();
        let knobs = Arc::new(Knobs::new(&options, FAULTS));
        let router = routes::router(state.clone(), counters.clone());
        SimHandle::serve(router, state, counters, knobs, &format!("/{site}")).await
    }

    /// The generated seed for `options`, for tests that want to adjust it before starting.
    pub fn generated_seed(options: &SimOptions) -> AmsSeed {
        seed::generate(options)
    }
}

/// Reads a JSON [`AmsSeed`] file.
pub fn load_seed(path: &std::path::Path) -> std::io::Result<AmsSeed> {
    let text = std::fs::read(path)?;
    serde_json::from_slice(&text)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// Where and as whom a client logs in to the simulated site.
#[derive(Clone, PartialEq, Eq)]
pub struct AmsCredentials {
    /// The site URL, e.g. `http://127.0.0.1:41234/club`.
    pub site_url: String,
    /// A login holding every recorded permission.
    pub username: String,
    /// Its password.
    pub password: String,
}

impl std::fmt::Debug for AmsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmsCredentials")
            .field("site_url", &self.site_url)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl SimHandle<AmsState> {
    /// The site URL and the admin login.
    pub fn credentials(&self) -> AmsCredentials {
        let (username, password) = self.state().admin_login();
        AmsCredentials {
            site_url: self.url().to_owned(),
            username,
            password,
        }
    }
}

/// AMS documents no rate limit (spec §1.5). CHOSEN: `429` with `Retry-After` in whole seconds
/// and an empty body; a server fault is `500` with a short text body, as a Java servlet
/// container answers.
const FAULTS: FaultResponses = FaultResponses {
    rate_limited,
    server_error,
};

fn rate_limited(wait: Duration) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    response
}

fn server_error() -> Response {
    let mut response = Response::new(Body::from("Internal Server Error"));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
}
