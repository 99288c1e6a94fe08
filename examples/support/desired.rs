//! Desired states for the benchmarks, built from what a site lists: every row keyed by the
//! site's first key, some rows with one field changed.

use roster::core::{Change, User, UserKeyKind};
use roster::engine::{DesiredState, DesiredUser};
use roster::sim::Fleet;
use serde_json::Value;

use super::fail;
use super::platforms::Platform;

/// REDCap refuses privilege changes (the expiry among them) for users in a role; the
/// simulator's state says who is in one without a request to the site.
fn can_change(platform: Platform, fleet: &Fleet, user: &User) -> bool {
    match (platform, &user.username) {
        (Platform::Redcap, Some(username)) => fleet
            .redcap
            .state()
            .user(0, username)
            .is_some_and(|member| member.role_id.is_none()),
        _ => true,
    }
}

/// One field of `row` changed to a value marked with `round`: the last name, or on REDCap
/// (which keeps names outside the project) the expiry date.
fn change(platform: Platform, row: &mut DesiredUser, round: u32) {
    match platform {
        Platform::Redcap => {
            row.attributes.insert(
                "expiration".into(),
                Change::Set(Value::String(format!("20{}-06-30", 40 + round))),
            );
        }
        _ => row.last_name = Change::Set(format!("Benchmark{round}-{}", row.line)),
    }
}

/// The desired state for `users` of `platform`'s site: `changes` users (those first by key
/// that can take it) get one field changed, marked with `round`. With `everyone`, every other
/// user is a row too, unchanged; without, only the changed users are rows.
pub fn with_changes(
    platform: Platform,
    fleet: &Fleet,
    users: &[User],
    changes: usize,
    round: u32,
    everyone: bool,
) -> DesiredState {
    let key = &platform.policy(1).key_order[0];
    let mut keyed: Vec<(String, &User)> = users
        .iter()
        .filter_map(|user| user.key_value(key).map(|value| (value, user)))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut left = changes;
    let mut rows = Vec::with_capacity(keyed.len());
    for (value, user) in keyed {
        let mut row = DesiredUser {
            line: rows.len() as u64 + 2,
            ..DesiredUser::default()
        };
        match key {
            UserKeyKind::Email => row.email = Change::Set(value),
            _ => row.username = Change::Set(value),
        }
        if left > 0 && can_change(platform, fleet, user) {
            change(platform, &mut row, round);
            left -= 1;
        } else if !everyone {
            continue;
        }
        rows.push(row);
    }
    if left > 0 {
        fail(format!(
            "{}: only {} users can take the change, {changes} needed",
            platform.name(),
            changes - left
        ));
    }
    DesiredState {
        source: format!("{}-round-{round}", platform.name()),
        users: rows,
    }
}
