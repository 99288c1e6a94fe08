//! REDCap simulator, following the "Simulator contract" of the REDCap spec.
//!
//! One endpoint, `POST /api/`, form-encoded. The generated seed holds the project of the
//! spec's conformance section (`admin`, `alice`, `bob`, DAG `test_dag`, role `U-573AEYRNR8`)
//! plus `SimOptions::users` generated users, and a second project with a restricted and an
//! expired token.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use roster_sim::redcap::RedcapSim;
//! let sim = RedcapSim::start(roster_sim::SimOptions::default()).await?;
//! let creds = sim.credentials();
//! // POST {creds.api_url} token=…&content=user&format=json
//! assert_eq!(sim.counters().get("user:export"), 0);
//! # Ok(()) }
//! ```
//!
//! Counter names are `content:action` (`user:export`, `user:import`, `user:delete`,
//! `userRole:export|import|delete`, `userRoleMapping:export|import`, `dag:export|import|
//! delete|switch`, `userDagMapping:export|import`), plus `version` and `invalid` (a content
//! or action that does not resolve).

mod dag_names;
mod dags;
mod data;
mod mappings;
mod output;
mod pipeline;
mod request;
mod rights;
mod rng;
mod roles;
mod routes;
mod seed;
mod seed_model;
mod state;
mod users;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;

use crate::common::{Counters, FaultResponses, Knobs, SimHandle, SimOptions};

pub use rights::{Features, Version};
pub use seed::{ADMIN_TOKEN, EXAMPLE_ROLE, EXPIRED_USER, RESTRICTED_USER};
pub use seed_model::{
    ProjectStatus, RedcapSeed, SeedAccount, SeedDag, SeedProject, SeedRole, SeedUser,
};
pub use state::{Account, Dag, DagView, Project, ProjectUser, RedcapState, RoleRecord};

/// Starts REDCap simulators.
pub struct RedcapSim;

impl RedcapSim {
    /// Starts a server seeded from `options` (or from `options.state_file`, a JSON
    /// [`RedcapSeed`]). `options.version` picks the emulated version (default 15.7.6).
    pub async fn start(options: SimOptions) -> std::io::Result<SimHandle<RedcapState>> {
        let seed = match &options.state_file {
            Some(path) => load_seed(path)?,
            None => seed::generate(&options),
        };
        Self::start_with_seed(options, seed).await
    }

    /// Starts a server holding exactly `seed`; knobs and version come from `options`.
    pub async fn start_with_seed(
        options: SimOptions,
        seed: RedcapSeed,
    ) -> std::io::Result<SimHandle<RedcapState>> {
        let state = RedcapState::from_seed(seed, options.version.as_deref())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        let state = Arc::new(state);
        let counters = Counters::default();
        let knobs = Arc::new(Knobs::new(&options, FAULTS));
        let router = routes::router(state.clone(), counters.clone());
        SimHandle::serve(router, state, counters, knobs, "").await
    }

    /// The generated seed for `options`, for tests that want to adjust it before starting.
    pub fn generated_seed(options: &SimOptions) -> RedcapSeed {
        seed::generate(options)
    }
}

/// Reads a JSON [`RedcapSeed`] file.
pub fn load_seed(path: &std::path::Path) -> std::io::Result<RedcapSeed> {
    let text = std::fs::read(path)?;
    serde_json::from_slice(&text)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// Where and with which token a client reaches the main project.
#[derive(Clone, PartialEq, Eq)]
pub struct RedcapCredentials {
    /// The API URL, ending in `/api/` as PyCap requires.
    pub api_url: String,
    /// The token of `admin` in the main project (full rights, no DAG).
    pub token: String,
}

impl std::fmt::Debug for RedcapCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedcapCredentials")
            .field("api_url", &self.api_url)
            .field("token", &"<redacted>")
            .finish()
    }
}

impl SimHandle<RedcapState> {
    /// The API URL and the main project's admin token (the first token seeded in project 0).
    pub fn credentials(&self) -> RedcapCredentials {
        let token = self
            .state()
            .token_for(0, "admin")
            .or_else(|| self.state().first_token(0))
            .unwrap_or_default();
        RedcapCredentials {
            api_url: format!("{}/api/", self.url()),
            token,
        }
    }
}

/// CHOSEN (the spec names no rate-limit answer): `429` with `Retry-After` in whole seconds;
/// an injected server fault is `503 Service Unavailable` with a short text body. The spec
/// (§5.2, §5.3) classes 500 as Permanent and 502/503/504 as Temporary: an injected fault
/// stands for a passing outage (a restarting web server, an overloaded proxy), so it must
/// look transient to a client that follows the spec. The simulator's own 500s, for requests
/// REDCap itself cannot serve, are unchanged.
const FAULTS: FaultResponses = FaultResponses {
    rate_limited,
    server_error,
};

fn rate_limited(wait: Duration) -> Response {
    let mut response = Response::new(Body::from("Too Many Requests"));
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    let headers = response.headers_mut();
    headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn server_error() -> Response {
    let mut response = Response::new(Body::from("Service Unavailable"));
    *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
