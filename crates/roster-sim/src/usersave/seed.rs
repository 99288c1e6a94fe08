//! The initial directory: generated from the seed in the profile's field names, or loaded from
//! a state file (the format of `UsersaveState::dump`).

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value};

use super::fields::set_ids;
use super::profile::{Active, Profile};
use super::store::{Access, Record, Store};
use crate::common::{seed_group_names, seed_people, SimOptions};

/// Organization id of a generated directory.
pub const DEFAULT_CUSTOMER_ID: &str = "4664706704080896";
/// Instance (site) id of a generated directory.
pub const DEFAULT_INSTANCE_ID: &str = "5764607523034234";
/// E-mail of the generated administrator the credentials act for.
pub const DEFAULT_ADMIN_EMAIL: &str = "admin@example.com";
/// The organization a generated directory simulates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsersaveConfig {
    /// Organization (customer) id.
    pub customer_id: String,
    /// The instance (site) id.
    pub instance_id: String,
    /// E-mail of the seeded administrator the credentials act for.
    pub admin_email: String,
    /// OAuth client id (the secret is generated from the seed).
    pub client_id: String,
}

impl Default for UsersaveConfig {
    fn default() -> Self {
        Self {
            customer_id: DEFAULT_CUSTOMER_ID.into(),
            instance_id: DEFAULT_INSTANCE_ID.into(),
            admin_email: DEFAULT_ADMIN_EMAIL.into(),
            client_id: "roster-sim".into(),
        }
    }
}

/// First id handed out: 16-digit decimal ids, like the platform's.
const FIRST_ID: u64 = 5_000_000_000_000_001;
/// Team-like groups a generated directory has besides the built-ins.
const SEEDED_GROUPS: usize = 6;

/// Reads a state file (the format of `UsersaveState::dump`).
pub fn load_seed(path: &std::path::Path) -> std::io::Result<Store> {
    let text = std::fs::read_to_string(path)?;
    let mut store: Store = serde_json::from_str(&text)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    store.normalise();
    Ok(store)
}

/// Seeded timestamps: deterministic, naive UTC with microseconds.
fn seeded_time(rng: &mut SmallRng, index: usize) -> String {
    let base =
        chrono::DateTime::from_timestamp(1_552_391_335, 684_166_000).expect("valid base time");
    let at = base
        + chrono::Duration::minutes(97 * index as i64)
        + chrono::Duration::microseconds(rng.random_range(0..1_000_000));
    at.naive_utc().format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

/// The generated directory for `options`, in `profile`'s field names.
pub fn generate(profile: &Profile, options: &SimOptions, config: &UsersaveConfig) -> Store {
    let mut rng = SmallRng::seed_from_u64(options.seed ^ 0x05E7_5A7E);
    let secret =
        |rng: &mut SmallRng| format!("{:016x}{:016x}", rng.random::<u64>(), rng.random::<u64>());
    let access = Access {
        customer_id: config.customer_id.clone(),
        instances: vec![config.instance_id.clone()],
        clients: vec![(config.client_id.clone(), secret(&mut rng))],
        acting_user_email: config.admin_email.clone(),
        static_token: secret(&mut rng),
        basic_username: "roster-sim".into(),
        basic_password: secret(&mut rng),
    };
    let mut store = Store {
        access,
        users: Vec::new(),
        groups: Vec::new(),
        group_types: Vec::new(),
        members: Default::default(),
        next_id: FIRST_ID,
        next_seq: 0,
    };

    // The administrator first, then the generated people.
    let admin = user_object(
        profile,
        &mut store,
        &mut rng,
        ("Ada", "Admin", &config.admin_email),
        true,
    );
    push_user(&mut store, admin);
    for person in seed_people(options.seed, options.users) {
        let mut obj = user_object(
            profile,
            &mut store,
            &mut rng,
            (&person.first_name, &person.last_name, &person.email),
            false,
        );
        let u = &profile.user;
        if rng.random_bool(0.1) {
            set_active(&mut obj, &u.active, false);
        }
        if let Some(hidden) = &u.hidden {
            obj.insert(hidden.clone(), Value::Bool(rng.random_bool(0.05)));
        }
        if let Some(kind) = &u.account_type {
            let value = if rng.random_bool(0.2) {
                "google"
            } else {
                "external"
            };
            obj.insert(kind.clone(), Value::from(value));
        }
        push_user(&mut store, obj);
    }

    let g = &profile.group;
    let type_id = g.type_field.as_ref().map(|_| {
        let id = store.new_id();
        let mut obj = Map::new();
        set_ids(&mut obj, &g.id, &id);
        obj.insert("name".into(), Value::from("Groups"));
        obj.insert(
            "customer".into(),
            Value::from(store.access.customer_id.clone()),
        );
        obj.insert("heritable".into(), Value::Bool(true));
        let seq = store.new_seq();
        store.group_types.push(Record { seq, obj });
        id
    });

    if let Some(implicit) = &g.implicit {
        for value in &implicit.values {
            let name = value.strip_prefix("LUMAPPS_").unwrap_or("Everyone");
            let mut obj = group_object(profile, &mut store, &mut rng, name, type_id.as_deref());
            obj.insert(implicit.field.clone(), Value::from(value.as_str()));
            let seq = store.new_seq();
            store.groups.push(Record { seq, obj });
        }
    }
    let user_ids: Vec<String> = store
        .users
        .iter()
        .filter_map(|r| profile.user.id(&r.obj).map(str::to_owned))
        .collect();
    for name in seed_group_names(SEEDED_GROUPS) {
        let mut obj = group_object(profile, &mut store, &mut rng, &name, type_id.as_deref());
        if g.implicit
            .as_ref()
            .is_some_and(|i| i.field == "functionalInnerId")
        {
            obj.insert("functionalInnerId".into(), Value::from(slug(&name)));
        } else if let Some(implicit) = &g.implicit {
            obj.insert(implicit.field.clone(), Value::from("team"));
        }
        let id = g.id(&obj).expect("group has an id").to_owned();
        let members = user_ids
            .iter()
            .filter(|_| rng.random_bool(0.3))
            .cloned()
            .collect();
        store.members.insert(id, members);
        let seq = store.new_seq();
        store.groups.push(Record { seq, obj });
    }
    store
}

fn push_user(store: &mut Store, obj: Map<String, Value>) {
    let seq = store.new_seq();
    store.users.push(Record { seq, obj });
}

fn user_object(
    profile: &Profile,
    store: &mut Store,
    rng: &mut SmallRng,
    (first, last, email): (&str, &str, &str),
    admin: bool,
) -> Map<String, Value> {
    let u = &profile.user;
    let mut obj = Map::new();
    let id = store.new_id();
    set_ids(&mut obj, &u.id, &id);
    obj.insert(u.email.clone(), Value::from(email));
    obj.insert(u.first_name.clone(), Value::from(first));
    obj.insert(u.last_name.clone(), Value::from(last));
    if let Some(full) = &u.full_name {
        obj.insert(full.clone(), Value::from(format!("{first} {last}")));
    }
    if let Some(kind) = &u.account_type {
        obj.insert(kind.clone(), Value::from("external"));
    }
    set_active(&mut obj, &u.active, true);
    if let Some(hidden) = &u.hidden {
        obj.insert(hidden.clone(), Value::Bool(false));
    }
    if let Some(customer) = &u.customer {
        obj.insert(
            customer.clone(),
            Value::from(store.access.customer_id.clone()),
        );
    }
    let at = seeded_time(rng, store.next_seq as usize);
    for field in [&u.created_at, &u.updated_at].into_iter().flatten() {
        obj.insert(field.clone(), Value::from(at.clone()));
    }
    if admin {
        if let Some(flag) = &u.admin {
            obj.insert(flag.clone(), Value::Bool(true));
        }
    }
    obj
}

fn group_object(
    profile: &Profile,
    store: &mut Store,
    rng: &mut SmallRng,
    name: &str,
    type_id: Option<&str>,
) -> Map<String, Value> {
    let g = &profile.group;
    let mut obj = Map::new();
    let id = store.new_id();
    set_ids(&mut obj, &g.id, &id);
    obj.insert(g.name.clone(), Value::from(name));
    if let Some(customer) = &g.customer {
        obj.insert(
            customer.clone(),
            Value::from(store.access.customer_id.clone()),
        );
    }
    if let (Some(field), Some(type_id)) = (&g.type_field, type_id) {
        obj.insert(field.clone(), Value::from(type_id));
    }
    if let Some(field) = &g.heritable {
        obj.insert(field.clone(), Value::Bool(true));
    }
    if let Some(field) = &g.status {
        obj.insert(field.clone(), Value::from("enabled"));
    }
    let at = seeded_time(rng, store.next_seq as usize);
    for field in [&g.created_at, &g.updated_at].into_iter().flatten() {
        obj.insert(field.clone(), Value::from(at.clone()));
    }
    obj
}

/// Writes the active / inactive state in the profile's way.
pub fn set_active(obj: &mut Map<String, Value>, active_style: &Active, active: bool) {
    match active_style {
        Active::Status {
            field,
            active: on,
            inactive: off,
        } => {
            obj.insert(
                field.clone(),
                Value::from(if active { on.as_str() } else { off.as_str() }),
            );
        }
        Active::Flag { field, invert } => {
            obj.insert(field.clone(), Value::Bool(active != *invert));
        }
    }
}

/// Lower-case words joined by `-` (the SDK's `functionalInnerId` convention).
fn slug(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}
