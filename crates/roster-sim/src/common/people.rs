use std::collections::{HashMap, HashSet};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// One generated person: the same seed always gives the same people, in the same order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedPerson {
    pub first_name: String,
    pub last_name: String,
    /// Lower-case `first.last`, with a number appended when that is taken.
    pub username: String,
    /// `username@example.org` (a reserved domain: nothing is ever mailed).
    pub email: String,
    /// ISO `YYYY-MM-DD`, between 1960 and 2008.
    pub dob: String,
    /// `MALE` or `FEMALE`.
    pub sex: &'static str,
}

const FIRST_FEMALE: &[&str] = &[
    "Emma", "Olivia", "Ava", "Sophia", "Mia", "Amelia", "Chloé", "Zoë", "Ingrid", "Aisha", "Priya",
    "Mei", "Lucía", "Hannah", "Freya", "Niamh", "Sakura", "Fatima", "Anna", "Greta",
];
const FIRST_MALE: &[&str] = &[
    "Liam", "Noah", "Oliver", "Elijah", "James", "Lucas", "Mateo", "Björn", "Kai", "Omar", "Rahul",
    "Wei", "José", "Finn", "Arjun", "Tomás", "Kenji", "Yusuf", "Jonas", "Luca",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Garcia",
    "Müller",
    "Rossi",
    "Nguyen",
    "Kim",
    "O'Brien",
    "Andersson",
    "Novak",
    "Silva",
    "Kowalski",
    "Dubois",
    "Tanaka",
    "Patel",
    "Cohen",
    "Murphy",
    "Jensen",
    "Fischer",
    "López",
    "Ivanova",
    "Okafor",
    "Haddad",
];
const GROUPS: &[&str] = &[
    "First Team",
    "Academy",
    "Medical",
    "Strength & Conditioning",
    "Coaches",
    "Analysts",
    "Under 21",
    "Under 18",
    "Women's Team",
    "Physiotherapy",
    "Nutrition",
    "Recruitment",
];

/// `count` deterministic people for `seed`.
pub fn seed_people(seed: u64, count: usize) -> Vec<SeedPerson> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut taken = HashSet::with_capacity(count);
    // The suffix to try next per name stem: a million people share about a thousand stems,
    // and trying every suffix from 2 each time made generating them quadratic (minutes).
    let mut next_suffix: HashMap<String, usize> = HashMap::new();
    (0..count)
        .map(|_| {
            let female = rng.random_bool(0.5);
            let firsts = if female { FIRST_FEMALE } else { FIRST_MALE };
            let first_name = firsts[rng.random_range(0..firsts.len())].to_owned();
            let last_name = LAST[rng.random_range(0..LAST.len())].to_owned();
            let stem = format!("{}.{}", ascii_slug(&first_name), ascii_slug(&last_name));
            // Every suffix below `n` of this stem is taken, so the first free one is the same
            // as when counting from 1.
            let n = next_suffix.entry(stem.clone()).or_insert(1);
            let mut username = if *n == 1 {
                stem.clone()
            } else {
                format!("{stem}{n}")
            };
            while !taken.insert(username.clone()) {
                *n += 1;
                username = format!("{stem}{n}");
            }
            *n += 1;
            let dob = format!(
                "{:04}-{:02}-{:02}",
                rng.random_range(1960..=2008),
                rng.random_range(1..=12),
                rng.random_range(1..=28)
            );
            SeedPerson {
                email: format!("{username}@example.org"),
                username,
                first_name,
                last_name,
                dob,
                sex: if female { "FEMALE" } else { "MALE" },
            }
        })
        .collect()
}

/// The first `count` group names (team-like, realistic), then numbered ones.
pub fn seed_group_names(count: usize) -> Vec<String> {
    (0..count)
        .map(|i| match GROUPS.get(i) {
            Some(name) => (*name).to_owned(),
            None => format!("Squad {}", i + 1 - GROUPS.len()),
        })
        .collect()
}

/// Lower-case ASCII letters only, accents folded ("Björn" → "bjorn", "O'Brien" → "obrien").
fn ascii_slug(name: &str) -> String {
    name.chars()
        .filter_map(|c| {
            let folded = match c {
                'à'..='å' | 'À'..='Å' => 'a',
                'è'..='ë' | 'È'..='Ë' => 'e',
                'ì'..='ï' => 'i',
                'ò'..='ö' | 'Ò'..='Ö' => 'o',
                'ù'..='ü' | 'Ù'..='Ü' => 'u',
                'ç' => 'c',
                'ñ' => 'n',
                c => c,
            };
            folded
                .is_ascii_alphabetic()
                .then(|| folded.to_ascii_lowercase())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_people_and_unique_usernames() {
        let a = seed_people(7, 500);
        assert_eq!(a, seed_people(7, 500));
        assert_ne!(a, seed_people(8, 500));
        let unique: HashSet<_> = a.iter().map(|p| &p.username).collect();
        assert_eq!(unique.len(), 500);
        assert!(a
            .iter()
            .all(|p| p.username.is_ascii() && p.email.ends_with("@example.org")));
    }
}
