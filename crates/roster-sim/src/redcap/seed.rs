//! The generated REDCap server: the conformance project of spec §6.3 plus generated users,
//! and a second project for the restricted and expired tokens of §7.2.

use std::collections::BTreeMap;

use serde_json::Value;

use super::rights::Features;
use super::rng::SplitMix64;
use super::seed_model::{
    ProjectStatus, RedcapSeed, SeedAccount, SeedDag, SeedProject, SeedRole, SeedUser,
};
use crate::common::{seed_people, SimOptions};

/// The token of `admin` in the main project (the one of the spec's examples).
pub const ADMIN_TOKEN: &str = "0123456789ABCDEF0123456789ABCDEF";
/// The unique name of the seeded role.
pub const EXAMPLE_ROLE: &str = "U-573AEYRNR8";
/// Username, in the second project, of the token with `api_export=1, user_rights=0`.
pub const RESTRICTED_USER: &str = "restricted";
/// Username, in the second project, of the token whose privileges have expired.
pub const EXPIRED_USER: &str = "expired";

fn rights(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

fn account(username: &str, first: &str, last: &str) -> SeedAccount {
    SeedAccount {
        username: username.into(),
        email: format!("{username}@example.org"),
        firstname: first.into(),
        lastname: last.into(),
        super_user: false,
        suspended: false,
    }
}

fn user(username: &str) -> SeedUser {
    SeedUser {
        username: username.into(),
        token: None,
        dag: None,
        role: None,
        expiration: String::new(),
        rights: BTreeMap::new(),
        forms: BTreeMap::new(),
        forms_export: BTreeMap::new(),
        dag_switcher: Vec::new(),
    }
}

const FULL: &[(&str, i64)] = &[
    ("user_rights", 1),
    ("data_access_groups", 1),
    ("api_export", 1),
    ("api_import", 1),
    ("record_delete", 1),
    ("design", 1),
];

/// The seed for `options`: `options.users` generated users join the main project.
pub fn generate(options: &SimOptions) -> RedcapSeed {
    let mut rng = SplitMix64::new(options.seed ^ 0x5EED_4ED0);
    let mut accounts = vec![
        account("admin", "Ada", "Admin"),
        account("alice", "Alice", "Archer"),
        account("bob", "Bob", "Baker"),
        account("carol", "Carol", "Carter"),
        account("dave", "Dave", "Dawson"),
        account(RESTRICTED_USER, "Rex", "Stricted"),
        account(EXPIRED_USER, "Eve", "Xpired"),
    ];
    let mut admin = user("admin");
    admin.token = Some(ADMIN_TOKEN.into());
    admin.rights = rights(FULL);
    admin.dag_switcher = vec![None, Some("test_dag".into())];
    let mut alice = user("alice");
    alice.role = Some(EXAMPLE_ROLE.into());
    alice.dag = Some("test_dag".into());
    let mut bob = user("bob");
    bob.rights = rights(&[("reports", 1), ("calendar", 1)]);
    bob.forms = rights(&[("form_1", 1)]);
    let mut main_users = vec![admin, alice, bob];
    for (i, person) in seed_people(options.seed, options.users)
        .into_iter()
        .enumerate()
    {
        accounts.push(SeedAccount {
            username: person.username.clone(),
            email: person.email,
            firstname: person.first_name,
            lastname: person.last_name,
            super_user: false,
            suspended: false,
        });
        let mut u = user(&person.username);
        if i % 3 == 0 {
            u.dag = Some("test_dag".into());
        }
        if i % 4 == 1 {
            u.role = Some(EXAMPLE_ROLE.into());
        } else {
            u.rights = rights(&[
                ("reports", 1),
                ("data_import_tool", (i % 2) as i64),
                ("calendar", 1),
            ]);
            u.forms = rights(&[("form_1", 1), ("form_2", (i % 2) as i64)]);
            u.forms_export = rights(&[("form_1", 2)]);
        }
        if i % 10 == 9 {
            u.expiration = "2024-12-31".into();
        }
        main_users.push(u);
    }
    let mut restricted = user(RESTRICTED_USER);
    restricted.token = Some(rng.token());
    restricted.rights = rights(&[("api_export", 1), ("user_rights", 0)]);
    let mut expired = user(EXPIRED_USER);
    expired.token = Some(rng.token());
    expired.rights = rights(FULL);
    expired.expiration = "2020-01-01".into();
    let role_rights: BTreeMap<String, Value> = [("reports".to_owned(), Value::from(1))].into();
    RedcapSeed {
        version: None,
        today: None,
        rng_seed: options.seed,
        dag_id_start: 1,
        api_enabled: true,
        role_update_resets_rights: true,
        accounts,
        projects: vec![
            SeedProject {
                forms: vec!["form_1".into(), "form_2".into()],
                features: Features::default(),
                status: ProjectStatus::Normal,
                dags: vec![SeedDag {
                    id: 1,
                    label: "Test DAG".into(),
                }],
                roles: vec![SeedRole {
                    unique_role_name: EXAMPLE_ROLE.into(),
                    label: "Example Role".into(),
                    rights: role_rights,
                    forms: rights(&[("form_1", 1), ("form_2", 0)]),
                    forms_export: rights(&[("form_1", 0), ("form_2", 0)]),
                }],
                users: main_users,
            },
            SeedProject {
                forms: vec!["form_1".into()],
                features: Features::default(),
                status: ProjectStatus::Normal,
                dags: Vec::new(),
                roles: Vec::new(),
                users: vec![restricted, expired],
            },
        ],
    }
}
