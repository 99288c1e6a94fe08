//! The generated AMS site: deterministic persons, groups, roles and two logins.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::codes::iso_to_ams;
use super::model::{AmsSeed, AmsTestKnobs, Group, LoginProfile, Person, Phone, Role};
use crate::common::{seed_group_names, seed_people, SimOptions};

/// The site name of generated seeds: the site URL is `http://127.0.0.1:PORT/club`.
pub const DEFAULT_SITE: &str = "club";
/// Username of the generated login holding every recorded permission.
pub const ADMIN_USERNAME: &str = "api.admin";
/// Username of the generated login without `Account Write` (its saves get `403`).
pub const READ_ONLY_USERNAME: &str = "read.only";

/// The first person id; later ids grow by small random steps, as recorded ids do.
const FIRST_ID: i64 = 70_000;
/// A fixed `__mtime__` base, so that the same seed gives the same bytes.
const MTIME_BASE: i64 = 1_747_000_000_000;

/// The seed for `options`: two logins, then `options.users` generated athletes.
pub fn generate(options: &SimOptions) -> AmsSeed {
    let mut rng = SmallRng::seed_from_u64(options.seed ^ 0xA315);
    let password = format!("Sim-{:08x}-pw", rng.random::<u32>());
    let admin = login_person(FIRST_ID, ADMIN_USERNAME, "Api", "Admin", true);
    let viewer = login_person(FIRST_ID + 1, READ_ONLY_USERNAME, "Read", "Only", false);
    let mut persons = vec![admin, viewer];
    let mut id = FIRST_ID + 1;
    for (i, seed) in seed_people(options.seed, options.users)
        .into_iter()
        .enumerate()
    {
        id += rng.random_range(1..=3);
        let phones = (i % 3 == 0).then(|| {
            vec![Phone {
                kind: if i % 2 == 0 { 1 } else { 0 },
                country_code: "44".into(),
                number: format!("{:07}", rng.random_range(0..10_000_000)),
                prefix: "7700".into(),
            }]
        });
        persons.push(Person {
            active: i % 10 != 9,
            communication_preferences: Some("3".into()),
            sex: if seed.sex == "FEMALE" { "1" } else { "0" }.into(),
            id,
            owner_id: FIRST_ID,
            email_address: seed.email,
            known_as: if i % 7 == 3 {
                seed.first_name.chars().take(3).collect()
            } else {
                String::new()
            },
            first_name: seed.first_name,
            last_name: seed.last_name,
            sidebar_width: Some("250px".into()),
            username: seed.username,
            uuid: if i % 4 == 1 {
                None
            } else {
                Some(format!("ext-{id}"))
            },
            addresses: Some(Vec::new()),
            favorite_events: Some(Vec::new()),
            front_page_buttons: Some(Vec::new()),
            phone_numbers: Some(phones.unwrap_or_default()),
            date_of_birth: iso_to_ams(&seed.dob),
            mtime: MTIME_BASE + i as i64 * 1_000,
            ..Person::default()
        });
    }
    let athletes: Vec<i64> = persons[2..].iter().map(|p| p.id).collect();
    let group_count = (athletes.len() / 8).clamp(3, 12);
    let mut groups: Vec<Group> = seed_group_names(group_count)
        .into_iter()
        .enumerate()
        .map(|(g, name)| Group {
            id: 3_000 + g as i64 * 100,
            name,
            athletes: Vec::new(),
            coaches: vec![FIRST_ID],
        })
        .collect();
    let mut coaches = Vec::new();
    for (i, &pid) in athletes.iter().enumerate() {
        groups[i % group_count].athletes.push(pid);
        if i % 4 == 0 {
            groups[(i + 1) % group_count].athletes.push(pid);
        }
        if i % 15 == 14 {
            groups[i % group_count].coaches.push(pid);
            coaches.push(pid);
        }
    }
    for group in &mut groups {
        group.athletes.sort_unstable();
        group.coaches.sort_unstable();
    }
    let roles = vec![
        Role {
            id: 700,
            name: "Athlete".into(),
            members: athletes
                .iter()
                .copied()
                .filter(|id| !coaches.contains(id))
                .collect(),
        },
        Role {
            id: 701,
            name: "Coach".into(),
            members: coaches,
        },
        Role {
            id: 702,
            name: "Administrator".into(),
            members: vec![FIRST_ID],
        },
    ];
    AmsSeed {
        site: DEFAULT_SITE.into(),
        application_id: 1044,
        persons,
        groups,
        roles,
        logins: vec![
            LoginProfile {
                user_id: FIRST_ID,
                is_athlete: false,
                is_coach: true,
                permissions: None,
            },
            LoginProfile {
                user_id: FIRST_ID + 1,
                is_athlete: false,
                is_coach: true,
                permissions: Some(vec!["Account Read".into(), "Reports".into()]),
            },
        ],
        passwords: [ADMIN_USERNAME, READ_ONLY_USERNAME]
            .iter()
            .map(|u| ((*u).to_owned(), password.clone()))
            .collect(),
        admin_username: ADMIN_USERNAME.into(),
        admin_password: password,
        knobs: AmsTestKnobs {
            token_seed: options.seed,
            ..AmsTestKnobs::default()
        },
    }
}

fn login_person(id: i64, username: &str, first: &str, last: &str, admin: bool) -> Person {
    Person {
        communication_preferences: Some("0".into()),
        id,
        owner_id: FIRST_ID,
        email_address: format!("{username}@example.org"),
        first_name: first.into(),
        last_name: last.into(),
        sidebar_width: Some("250px".into()),
        timezone: Some(String::new()),
        username: username.into(),
        addresses: Some(Vec::new()),
        favorite_dashboards: Some(Vec::new()),
        favorite_events: Some(Vec::new()),
        front_page_buttons: Some(Vec::new()),
        phone_numbers: Some(Vec::new()),
        date_of_birth: "01/01/1990".into(),
        mtime: MTIME_BASE - 1_000,
        admin,
        ..Person::default()
    }
}
