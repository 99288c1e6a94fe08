//! The live state of the REDCap server (spec §6.1): accounts, tokens and projects.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};

use chrono::NaiveDate;
use serde_json::Value;

use super::dag_names::unique_names;
use super::rights::{Emulation, Features, Version};
use super::rng::SplitMix64;
use super::seed_model::{ProjectStatus, RedcapSeed};

/// A REDCap account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub username: String,
    pub email: String,
    pub firstname: String,
    pub lastname: String,
    pub super_user: bool,
    pub suspended: bool,
}

/// A DAG.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dag {
    pub id: i64,
    pub label: String,
}

/// A DAG as exported: with its derived unique name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DagView {
    pub id: i64,
    pub label: String,
    pub unique_name: String,
}

/// A user role; rights are stored as strings, as the role export writes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleRecord {
    pub role_id: i64,
    pub unique_role_name: String,
    pub label: String,
    pub rights: BTreeMap<String, String>,
    pub forms: BTreeMap<String, i64>,
    pub forms_export: BTreeMap<String, i64>,
}

/// A user of one project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectUser {
    /// Lower case.
    pub username: String,
    /// `YYYY-MM-DD` or `""`.
    pub expiration: String,
    pub group_id: Option<i64>,
    pub role_id: Option<i64>,
    pub rights: BTreeMap<String, i64>,
    pub forms: BTreeMap<String, i64>,
    pub forms_export: BTreeMap<String, i64>,
    pub dag_switcher: BTreeSet<Option<i64>>,
}

/// One project.
#[derive(Clone, Debug, PartialEq)]
pub struct Project {
    pub status: ProjectStatus,
    pub forms: Vec<String>,
    pub features: Features,
    pub dags: Vec<Dag>,
    pub roles: Vec<RoleRecord>,
    /// Keyed by lower-case username.
    pub users: BTreeMap<String, ProjectUser>,
}

pub(crate) struct Inner {
    pub version: Version,
    pub today: Option<NaiveDate>,
    pub rng: SplitMix64,
    pub next_group_id: i64,
    pub next_role_id: i64,
    pub api_enabled: bool,
    pub role_update_resets_rights: bool,
    pub accounts: BTreeMap<String, Account>,
    /// token → (project index, lower-case username).
    pub tokens: HashMap<String, (usize, String)>,
    pub projects: Vec<Project>,
}

/// The state of a running REDCap simulator.
pub struct RedcapState {
    inner: Mutex<Inner>,
}

impl RedcapState {
    /// Builds the state from a seed; `version` overrides the seed's when given.
    pub fn from_seed(seed: RedcapSeed, version: Option<&str>) -> Result<Self, String> {
        let version_text = version.map(str::to_owned).or(seed.version.clone());
        let version = match version_text {
            Some(text) => Version::parse(&text).ok_or_else(|| format!("not a version: {text}"))?,
            None => Version::DEFAULT,
        };
        let today_text = seed
            .today
            .clone()
            .or_else(|| std::env::var("ROSTER_SIM_TODAY").ok());
        let today = match today_text {
            Some(text) => Some(
                NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                    .map_err(|_| format!("not a date: {text}"))?,
            ),
            None => None,
        };
        let accounts = seed
            .accounts
            .iter()
            .map(|a| {
                (
                    a.username.to_lowercase(),
                    Account {
                        username: a.username.to_lowercase(),
                        email: a.email.clone(),
                        firstname: a.firstname.clone(),
                        lastname: a.lastname.clone(),
                        super_user: a.super_user,
                        suspended: a.suspended,
                    },
                )
            })
            .collect();
        let mut tokens = HashMap::new();
        let mut projects = Vec::new();
        let mut max_group = seed.dag_id_start - 1;
        let mut next_role_id = 1;
        for (index, sp) in seed.projects.into_iter().enumerate() {
            let dags: Vec<Dag> = sp
                .dags
                .iter()
                .map(|d| Dag {
                    id: d.id,
                    label: d.label.clone(),
                })
                .collect();
            max_group = dags.iter().map(|d| d.id).fold(max_group, i64::max);
            let mut project = Project {
                status: sp.status,
                forms: sp.forms.clone(),
                features: sp.features,
                dags,
                roles: Vec::new(),
                users: BTreeMap::new(),
            };
            for role in sp.roles {
                let rights = role
                    .rights
                    .iter()
                    .map(|(k, v)| (k.clone(), value_text(v)))
                    .collect();
                project.roles.push(RoleRecord {
                    role_id: next_role_id,
                    unique_role_name: role.unique_role_name,
                    label: role.label,
                    rights,
                    forms: full_forms(&project.forms, &role.forms),
                    forms_export: full_forms(&project.forms, &role.forms_export),
                });
                next_role_id += 1;
            }
            for user in sp.users {
                let lower = user.username.to_lowercase();
                let group_of = |name: &Option<String>| -> Result<Option<i64>, String> {
                    match name {
                        None => Ok(None),
                        Some(n) => project
                            .dag_id(n)
                            .map(Some)
                            .ok_or_else(|| format!("unknown DAG {n} for {lower}")),
                    }
                };
                let group_id = group_of(&user.dag)?;
                let dag_switcher = user
                    .dag_switcher
                    .iter()
                    .map(&group_of)
                    .collect::<Result<BTreeSet<_>, _>>()?;
                let role_id = match &user.role {
                    None => None,
                    Some(name) => Some(
                        project
                            .roles
                            .iter()
                            .find(|r| &r.unique_role_name == name)
                            .map(|r| r.role_id)
                            .ok_or_else(|| format!("unknown role {name} for {lower}"))?,
                    ),
                };
                if let Some(token) = user.token {
                    tokens.insert(token, (index, lower.clone()));
                }
                project.users.insert(
                    lower.clone(),
                    ProjectUser {
                        username: lower,
                        expiration: user.expiration,
                        group_id,
                        role_id,
                        rights: user.rights,
                        forms: full_forms(&project.forms, &user.forms),
                        forms_export: full_forms(&project.forms, &user.forms_export),
                        dag_switcher,
                    },
                );
            }
            projects.push(project);
        }
        Ok(Self {
            inner: Mutex::new(Inner {
                version,
                today,
                rng: SplitMix64::new(seed.rng_seed),
                next_group_id: max_group + 1,
                next_role_id,
                api_enabled: seed.api_enabled,
                role_update_resets_rights: seed.role_update_resets_rights,
                accounts,
                tokens,
                projects,
            }),
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().expect("REDCap state lock")
    }

    /// The emulated version.
    pub fn version(&self) -> String {
        self.lock().version.to_string()
    }

    /// The token of `username` in project `project` (0-based, seed order).
    pub fn token_for(&self, project: usize, username: &str) -> Option<String> {
        let inner = self.lock();
        let lower = username.to_lowercase();
        let mut found: Vec<&String> = inner
            .tokens
            .iter()
            .filter(|(_, (p, u))| *p == project && *u == lower)
            .map(|(t, _)| t)
            .collect();
        found.sort();
        found.first().map(|t| (*t).clone())
    }

    /// The project users (lower-case usernames, ascending) of project `project`.
    pub fn usernames(&self, project: usize) -> Vec<String> {
        self.lock()
            .projects
            .get(project)
            .map(|p| p.users.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// One project user.
    pub fn user(&self, project: usize, username: &str) -> Option<ProjectUser> {
        self.lock()
            .projects
            .get(project)?
            .users
            .get(&username.to_lowercase())
            .cloned()
    }

    /// The DAGs of a project in export order, with their unique names.
    pub fn dags(&self, project: usize) -> Vec<DagView> {
        self.lock()
            .projects
            .get(project)
            .map(Project::dag_views)
            .unwrap_or_default()
    }

    /// The roles of a project, in creation order.
    pub fn roles(&self, project: usize) -> Vec<RoleRecord> {
        self.lock()
            .projects
            .get(project)
            .map(|p| p.roles.clone())
            .unwrap_or_default()
    }

    /// A copy of a whole project, to compare before and after a request.
    pub fn project(&self, project: usize) -> Option<Project> {
        self.lock().projects.get(project).cloned()
    }

    /// The number of users, across all projects, who share a project and a username
    /// (case-insensitively) with another user: 0 proves no duplicate was created.
    pub fn duplicate_identities(&self) -> usize {
        let inner = self.lock();
        inner
            .projects
            .iter()
            .map(|p| {
                let mut seen: HashMap<String, usize> = HashMap::new();
                for user in p.users.values() {
                    *seen.entry(user.username.to_lowercase()).or_default() += 1;
                }
                seen.values().filter(|n| **n > 1).sum::<usize>()
            })
            .sum()
    }

    /// Fixes the server's "today".
    pub fn set_today(&self, today: NaiveDate) {
        self.lock().today = Some(today);
    }

    /// Turns the API on or off (off: every call gets `400 The REDCap API is not enabled.`).
    pub fn set_api_enabled(&self, enabled: bool) {
        self.lock().api_enabled = enabled;
    }

    /// Sets a project's status.
    pub fn set_project_status(&self, project: usize, status: ProjectStatus) {
        if let Some(p) = self.lock().projects.get_mut(project) {
            p.status = status;
        }
    }
}

impl Inner {
    pub fn today(&self) -> NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Utc::now().date_naive())
    }

    pub fn emulation(&self, project: usize) -> Emulation {
        Emulation {
            version: self.version,
            features: self.projects[project].features,
        }
    }
}

impl Project {
    /// DAGs in export order (trimmed label, case-insensitive, ties by id) with unique names.
    pub fn dag_views(&self) -> Vec<DagView> {
        let mut sorted: Vec<&Dag> = self.dags.iter().collect();
        sorted.sort_by(|a, b| {
            a.label
                .trim()
                .to_lowercase()
                .cmp(&b.label.trim().to_lowercase())
                .then(a.id.cmp(&b.id))
        });
        let names = unique_names(sorted.iter().map(|d| d.label.as_str()));
        sorted
            .into_iter()
            .zip(names)
            .map(|(d, unique_name)| DagView {
                id: d.id,
                label: d.label.clone(),
                unique_name,
            })
            .collect()
    }

    /// The id of the DAG with this unique name.
    pub fn dag_id(&self, unique_name: &str) -> Option<i64> {
        self.dag_views()
            .into_iter()
            .find(|d| d.unique_name == unique_name)
            .map(|d| d.id)
    }

    /// The unique name of DAG `id`.
    pub fn dag_unique_name(&self, id: i64) -> Option<String> {
        self.dag_views()
            .into_iter()
            .find(|d| d.id == id)
            .map(|d| d.unique_name)
    }

    pub fn role(&self, role_id: i64) -> Option<&RoleRecord> {
        self.roles.iter().find(|r| r.role_id == role_id)
    }

    pub fn role_by_name(&self, name: &str) -> Option<&RoleRecord> {
        self.roles.iter().find(|r| r.unique_role_name == name)
    }

    /// A user's effective right: the role's when the user is in one, else their own.
    pub fn effective_right(&self, user: &ProjectUser, key: &str) -> i64 {
        match user.role_id.and_then(|id| self.role(id)) {
            Some(role) => role
                .rights
                .get(key)
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0),
            None => user.rights.get(key).copied().unwrap_or(0),
        }
    }

    /// A user's effective form rights: `(forms, forms_export)`.
    pub fn effective_forms(
        &self,
        user: &ProjectUser,
    ) -> (BTreeMap<String, i64>, BTreeMap<String, i64>) {
        match user.role_id.and_then(|id| self.role(id)) {
            Some(role) => (role.forms.clone(), role.forms_export.clone()),
            None => (user.forms.clone(), user.forms_export.clone()),
        }
    }
}

/// `given` completed with 0 for every instrument it leaves out.
pub fn full_forms(forms: &[String], given: &BTreeMap<String, i64>) -> BTreeMap<String, i64> {
    forms
        .iter()
        .map(|f| (f.clone(), given.get(f).copied().unwrap_or(0)))
        .collect()
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "0".into(),
        other => other.to_string(),
    }
}

impl RedcapState {
    /// Any token of project `project` (the smallest, for a stable answer).
    pub fn first_token(&self, project: usize) -> Option<String> {
        let inner = self.lock();
        inner
            .tokens
            .iter()
            .filter(|(_, (p, _))| *p == project)
            .map(|(t, _)| t.clone())
            .min()
    }
}
