//! Generic `/user/save` API simulator (LumApps profile by default), following the "Simulator
//! contract" of the usersave spec (§6) and its generic profile (§7).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use roster_sim::usersave::{Profile, UsersaveSim};
//! let lumapps = UsersaveSim::start(roster_sim::SimOptions::default()).await?;
//! let creds = lumapps.credentials();        // client id/secret, customer id, acting user
//! let generic = UsersaveSim::start_with_profile(roster_sim::SimOptions::default(), Profile::generic()).await?;
//! # Ok(()) }
//! ```
//!
//! Request counters (`SimHandle::counters`) are named by the endpoint path below the API
//! prefix: LumApps `user/list`, `user/get`, `user/save`, `feedtype/list`, `feed/list`,
//! `feed/search`, `feed/get`, `feed/save`, `feed/delete`, `feed/subscribers/save`,
//! `feed/user/subscription/list`; plus `application-token` and `discovery`. The generic
//! profile's are `accounts`, `accounts/lookup`, `accounts/save`, `accounts/delete`,
//! `accounts/teams`, `teams`, `teams/lookup`, `teams/save`, `teams/delete`, `teams/members`
//! (both the `POST` write and the `GET` list count there).

// Handlers return their error answer as `Err(Response)` so `?` can end a request early; the
// answer is built once per request, so its size on the stack does not matter.
#![allow(clippy::result_large_err)]

mod admin;
mod auth;
mod discovery;
mod dispatch;
mod fields;
mod groups;
mod membership;
mod page;
mod profile;
mod query;
mod reply;
mod seed;
mod state;
mod store;
mod users;

use std::sync::Arc;

use serde::Serialize;

pub use profile::{
    Active, AuthStyle, Endpoint, Endpoints, ErrorEnvelope, GroupFields, Implicit, ListMembers,
    MembershipEndpoint, Pagination, Profile, SaveStyle, UserFields,
};
pub use seed::{
    load_seed, UsersaveConfig, DEFAULT_ADMIN_EMAIL, DEFAULT_CUSTOMER_ID, DEFAULT_INSTANCE_ID,
};
pub use state::{ScriptedFault, UsersaveState};
pub use store::{Access, Record, Store};

use crate::common::{Counters, Knobs, SimHandle, SimOptions};

/// Starts `/user/save` simulators.
pub struct UsersaveSim;

impl UsersaveSim {
    /// The LumApps profile, seeded from `options` (or loaded from `options.state_file`).
    pub async fn start(options: SimOptions) -> std::io::Result<SimHandle<UsersaveState>> {
        Self::start_with_profile(options, Profile::lumapps()).await
    }

    /// Any profile, e.g. [`Profile::generic`]. `options.page_size` caps every page
    /// (`None` = no cap, as the spec chose for LumApps); a request's own page size
    /// (`maxResults`, default 30) applies below the cap.
    pub async fn start_with_profile(
        options: SimOptions,
        profile: Profile,
    ) -> std::io::Result<SimHandle<UsersaveState>> {
        Self::start_configured(options, profile, UsersaveConfig::default()).await
    }

    /// Any profile, with another organization id, instance, administrator or client id.
    pub async fn start_configured(
        options: SimOptions,
        profile: Profile,
        config: UsersaveConfig,
    ) -> std::io::Result<SimHandle<UsersaveState>> {
        let store = match &options.state_file {
            Some(path) => load_seed(path)?,
            None => seed::generate(&profile, &options, &config),
        };
        Self::start_with_seed(options, profile, store).await
    }

    /// Serves `seed` (for example [`UsersaveSim::generated_seed`], adjusted) with `profile`.
    pub async fn start_with_seed(
        options: SimOptions,
        profile: Profile,
        seed: Store,
    ) -> std::io::Result<SimHandle<UsersaveState>> {
        let knobs = Arc::new(Knobs::new(&options, reply::fault_responses(profile.errors)));
        let state = Arc::new(UsersaveState::new(
            profile,
            seed,
            options.seed,
            options.page_size,
        ));
        let counters = Counters::default();
        let app = Arc::new(dispatch::App {
            state: state.clone(),
            counters: counters.clone(),
        });
        SimHandle::serve(dispatch::router(app), state, counters, knobs, "").await
    }
}

impl UsersaveSim {
    /// The directory [`UsersaveSim::start_with_profile`] generates for `options`.
    pub fn generated_seed(options: &SimOptions, profile: &Profile) -> Store {
        seed::generate(profile, options, &UsersaveConfig::default())
    }
}

/// How a client authenticates, by profile style.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "style", rename_all = "snake_case")]
pub enum UsersaveAuth {
    /// OAuth application acting for `acting_user_email` (LumApps).
    OauthApplication {
        /// Client id (Basic user on the token endpoint).
        client_id: String,
        /// Client secret (Basic password on the token endpoint).
        client_secret: String,
        /// Token path below the base URL, e.g. `/v2/organizations/<cid>/application-token`.
        token_path: String,
    },
    /// A fixed bearer token.
    StaticBearer {
        /// The token.
        token: String,
    },
    /// Basic credentials on every call.
    Basic {
        /// User name.
        username: String,
        /// Password.
        password: String,
    },
}

/// What a client needs to call the simulated organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UsersaveCredentials {
    /// Profile name (`lumapps`, `generic`, …).
    pub profile: String,
    /// Organization (customer) id: token URL and `LumApps-Organization-Id`.
    pub customer_id: String,
    /// The instance (site) id.
    pub instance_id: String,
    /// The administrator the credentials act for.
    pub acting_user_email: String,
    /// The id of the group type new groups use, when the profile has group types.
    pub group_type: Option<String>,
    /// Auth material for the profile's style.
    pub auth: UsersaveAuth,
}

impl SimHandle<UsersaveState> {
    /// Credentials for the profile's auth style.
    pub fn credentials(&self) -> UsersaveCredentials {
        let state = self.state();
        let profile = state.profile();
        let store = state.lock();
        let access = &store.access;
        let auth = match &profile.auth {
            AuthStyle::TokenEndpoint { path, .. } => {
                let (client_id, client_secret) =
                    access.clients.first().cloned().unwrap_or_default();
                UsersaveAuth::OauthApplication {
                    client_id,
                    client_secret,
                    token_path: path.replace("{customer_id}", &access.customer_id),
                }
            }
            AuthStyle::StaticBearer => UsersaveAuth::StaticBearer {
                token: access.static_token.clone(),
            },
            AuthStyle::Basic => UsersaveAuth::Basic {
                username: access.basic_username.clone(),
                password: access.basic_password.clone(),
            },
        };
        let group_type = store
            .group_types
            .first()
            .and_then(|r| profile.group.id(&r.obj))
            .map(str::to_owned);
        UsersaveCredentials {
            profile: profile.name.clone(),
            customer_id: access.customer_id.clone(),
            instance_id: access.instances.first().cloned().unwrap_or_default(),
            acting_user_email: access.acting_user_email.clone(),
            group_type,
            auth,
        }
    }
}
