//! The initial state: generated from the seed, or read from a state file.

use std::collections::BTreeSet;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::Map;

use super::model::{PeriscopeGroup, PeriscopeUser, Site, ACCESS_LEVELS, ADMINISTRATORS};
use super::state::Directory;
use crate::common::{seed_group_names, seed_people, SimOptions};

/// Site name of the generated primary site.
pub const DEFAULT_SITE_NAME: &str = "example_site";
/// E-mail of the generated site administrator (the first user, in both built-in groups).
pub const DEFAULT_ADMIN_EMAIL: &str = "admin@example.com";
/// What a generated site is called and who administers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriscopeConfig {
    /// Site name (first half of `HTTP-X-PARTNER-AUTH`).
    pub site_name: String,
    /// E-mail of the seeded administrator.
    pub admin_email: String,
}

impl Default for PeriscopeConfig {
    fn default() -> Self {
        Self {
            site_name: DEFAULT_SITE_NAME.into(),
            admin_email: DEFAULT_ADMIN_EMAIL.into(),
        }
    }
}

/// How many non-built-in groups a generated site has.
const SEEDED_GROUPS: usize = 6;

/// Reads a state file (the format of `PeriscopeState::dump`).
pub fn load_seed(path: &std::path::Path) -> std::io::Result<Directory> {
    let text = std::fs::read_to_string(path)?;
    let directory: Directory = serde_json::from_str(&text)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    if directory.sites.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "a Periscope state file needs at least one site",
        ));
    }
    Ok(directory)
}

/// The generated directory for `options`: one site.
pub fn generate(options: &SimOptions, config: &PeriscopeConfig) -> Directory {
    Directory {
        sites: vec![generated_site(options, config)],
    }
}

/// One site with the built-in groups, a few team groups, the admin and `options.users` people.
fn generated_site(options: &SimOptions, config: &PeriscopeConfig) -> Site {
    // A stream of its own, so the key does not shift when the people generator changes.
    let mut rng = SmallRng::seed_from_u64(options.seed ^ 0x9E71_5C09);
    let api_key = format!("{:016x}{:016x}", rng.random::<u64>(), rng.random::<u64>());
    let mut site = Site::new(&config.site_name, &api_key);

    let names = seed_group_names(SEEDED_GROUPS);
    for name in &names {
        let access = ACCESS_LEVELS[rng.random_range(0..ACCESS_LEVELS.len())];
        site.groups.insert(
            name.clone(),
            PeriscopeGroup {
                name: name.clone(),
                access: access.to_owned(),
                extra: Map::new(),
            },
        );
    }

    site.insert_user(PeriscopeUser {
        email: config.admin_email.clone(),
        first_name: "Ada".to_owned(),
        last_name: "Admin".to_owned(),
        groups: BTreeSet::from([ADMINISTRATORS.to_owned()]),
        extra: Map::new(),
    });
    for person in seed_people(options.seed, options.users) {
        let groups = names
            .iter()
            .filter(|_| rng.random_bool(0.3))
            .cloned()
            .collect();
        site.insert_user(PeriscopeUser {
            email: person.email,
            first_name: person.first_name,
            last_name: person.last_name,
            groups,
            extra: Map::new(),
        });
    }
    site
}
