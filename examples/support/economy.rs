//! The fewest requests each API allows for a reconcile of updates, per endpoint (DESIGN §7 and
//! each platform's spec), named as the simulators' counters name them.
//!
//! A reconcile reads the site twice with the same requests (`plan`, then `apply` re-reads it to
//! check the plan's fingerprint), then writes.

use std::collections::BTreeMap;

use roster::core::User;

use super::platforms::Platform;

/// Updates the engine announces at once at the default concurrency (16 rounds of 8), whose
/// records AMS reads with one person/get before saving each.
const READ_AHEAD_GROUP: usize = 16 * 8;

/// The least an endpoint can be called when planning (`plan`) and applying (`apply`).
pub struct Minimum {
    pub endpoint: String,
    pub plan: u64,
    pub apply: u64,
    pub why: String,
}

/// An endpoint called `read` times per listing and `write` times by the writes.
fn min(endpoint: &str, read: u64, write: u64, why: String) -> Minimum {
    Minimum {
        endpoint: endpoint.to_owned(),
        plan: read,
        apply: read + write,
        why,
    }
}

fn pages(items: usize, page: usize) -> u64 {
    items.div_ceil(page).max(1) as u64
}

/// LumApps list requests: ⌈users / page size⌉ per status pass (enabled, disabled), at least
/// one each, for the user listing and again for the members of each feed.
fn lumapps_list_pages(users: &[User], page: usize) -> (u64, u64) {
    let per_pass = |members: &[&User]| {
        let enabled = members.iter().filter(|u| u.active != Some(false)).count();
        pages(enabled, page) + pages(members.len() - enabled, page)
    };
    let everyone: Vec<&User> = users.iter().collect();
    let mut feeds: BTreeMap<&str, Vec<&User>> = BTreeMap::new();
    for user in users {
        for group in user.groups.iter().flatten() {
            feeds.entry(group.as_str()).or_default().push(user);
        }
    }
    let feed_pages = feeds.values().map(|members| per_pass(members)).sum();
    (per_pass(&everyone), feed_pages)
}

/// The minimum for `platform`, whose site lists `users`, for `changes` updates.
pub fn minimum(platform: Platform, users: &[User], changes: usize) -> Vec<Minimum> {
    let n = users.len();
    let c = changes as u64;
    match platform {
        Platform::Ams => vec![
            min(
                "usersearch",
                1 + pages(n, 100),
                0,
                format!("1 search for every user + ⌈{n}/100⌉ username searches for groups"),
            ),
            min(
                "person/get",
                pages(n, 500),
                changes.div_ceil(READ_AHEAD_GROUP) as u64,
                format!(
                    "⌈{n}/500⌉ per listing; 1 per group of {READ_AHEAD_GROUP} updates, read ahead"
                ),
            ),
            min("person/save", 0, c, "1 per update".into()),
            min("listgroups", 1, 0, "the group listing".into()),
        ],
        Platform::Redcap => vec![
            min("user:export", 1, 0, "one export holds every user".into()),
            min("dag:export", 1, 0, "the group (DAG) listing".into()),
            min(
                "user:import",
                0,
                pages(changes, 500),
                format!("⌈{changes}/500⌉ batched imports"),
            ),
        ],
        Platform::Periscope => vec![
            min(
                "GET /api/v1/users",
                1,
                0,
                "one list holds every user".into(),
            ),
            min("GET /api/v1/groups", 1, 0, "the group listing".into()),
            min(
                "PUT /api/v1/users",
                0,
                c,
                "1 partial update per user".into(),
            ),
        ],
        Platform::Lumapps => {
            let (passes, feeds) = lumapps_list_pages(users, 100);
            vec![
                min(
                    "user/list",
                    passes + feeds,
                    0,
                    format!(
                        "{passes} pages of 100 over 2 status passes, {feeds} for the feeds' members, the same way"
                    ),
                ),
                min(
                    "feed/list",
                    2,
                    0,
                    "the group listing, and the feeds whose members a user listing reads".into(),
                ),
                min("user/get", 0, c, "1 per update (read-modify-write)".into()),
                min("user/save", 0, c, "1 per update".into()),
            ]
        }
    }
}
