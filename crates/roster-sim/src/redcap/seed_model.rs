//! The REDCap seed document (spec §6.3): what `RedcapSim::start_with_seed` takes and a state
//! file holds.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::rights::Features;

/// A whole REDCap server: accounts and projects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RedcapSeed {
    /// Emulated version; `None` = `SimOptions::version`, else 15.7.6.
    #[serde(default)]
    pub version: Option<String>,
    /// The server's "today" (`YYYY-MM-DD`); `None` = `ROSTER_SIM_TODAY`, else the UTC date.
    #[serde(default)]
    pub today: Option<String>,
    /// Seed of the SplitMix64 generator (role names, tokens).
    #[serde(default)]
    pub rng_seed: u64,
    /// First `group_id` handed to a new DAG (seeded DAGs keep their own ids).
    #[serde(default = "one")]
    pub dag_id_start: i64,
    #[serde(default = "yes")]
    pub api_enabled: bool,
    /// Rights omitted on a role update reset to `"0"` (15.7.6 source) rather than stay.
    #[serde(default = "yes")]
    pub role_update_resets_rights: bool,
    pub accounts: Vec<SeedAccount>,
    pub projects: Vec<SeedProject>,
}

/// A REDCap account (server-wide).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeedAccount {
    pub username: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub firstname: String,
    #[serde(default)]
    pub lastname: String,
    #[serde(default)]
    pub super_user: bool,
    #[serde(default)]
    pub suspended: bool,
}

/// Project status; every status but `normal` refuses API calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    #[default]
    Normal,
    Offline,
    Completed,
    Deleted,
}

/// One project.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeedProject {
    /// Instrument names, in order.
    pub forms: Vec<String>,
    #[serde(default)]
    pub features: Features,
    #[serde(default)]
    pub status: ProjectStatus,
    #[serde(default)]
    pub dags: Vec<SeedDag>,
    #[serde(default)]
    pub roles: Vec<SeedRole>,
    #[serde(default)]
    pub users: Vec<SeedUser>,
}

/// A DAG: its id and label (the unique name is derived).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeedDag {
    pub id: i64,
    pub label: String,
}

/// A user role; rights not listed are 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeedRole {
    pub unique_role_name: String,
    pub label: String,
    #[serde(default)]
    pub rights: BTreeMap<String, Value>,
    #[serde(default)]
    pub forms: BTreeMap<String, i64>,
    #[serde(default)]
    pub forms_export: BTreeMap<String, i64>,
}

/// A project user; `dag` and `role` name a DAG by unique name and a role by unique role name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeedUser {
    pub username: String,
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub dag: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub expiration: String,
    #[serde(default)]
    pub rights: BTreeMap<String, i64>,
    #[serde(default)]
    pub forms: BTreeMap<String, i64>,
    #[serde(default)]
    pub forms_export: BTreeMap<String, i64>,
    /// DAGs this user may switch to; `null` = "no assignment".
    #[serde(default)]
    pub dag_switcher: Vec<Option<String>>,
}

fn one() -> i64 {
    1
}

fn yes() -> bool {
    true
}
