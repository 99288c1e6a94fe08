//! Fingerprints: of the observed state of a site (so a saved plan is only applied to the
//! state it was made from) and of the plan itself (so the journal can tell runs apart).
//!
//! The observed-state fingerprint does not depend on listing order: each user is hashed on
//! its own and the digests are added up, which also lets two threads share the work.

use roster_core::{Group, User};
use sha2::{Digest, Sha256};

use super::model::Plan;

/// Feeds serde_json output straight into a hasher.
struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Length-prefixed, so `("ab", "c")` and `("a", "bc")` hash differently.
fn text(hasher: &mut Sha256, value: Option<&str>) {
    match value {
        None => hasher.update([0u8]),
        Some(value) => {
            hasher.update([1u8]);
            hasher.update((value.len() as u64).to_le_bytes());
            hasher.update(value.as_bytes());
        }
    }
}

fn user_digest(user: &User) -> u128 {
    let mut hasher = Sha256::new();
    text(&mut hasher, Some(&user.id));
    text(&mut hasher, user.username.as_deref());
    text(&mut hasher, user.email.as_deref());
    text(&mut hasher, user.first_name.as_deref());
    text(&mut hasher, user.last_name.as_deref());
    hasher.update([match user.active {
        None => 0u8,
        Some(false) => 1,
        Some(true) => 2,
    }]);
    match &user.groups {
        None => hasher.update([0u8]),
        Some(groups) => {
            hasher.update((groups.len() as u64 + 1).to_le_bytes());
            groups
                .iter()
                .for_each(|group| text(&mut hasher, Some(group)));
        }
    }
    for (name, value) in &user.attributes {
        text(&mut hasher, Some(name));
        serde_json::to_writer(HashWriter(&mut hasher), value).expect("hashing cannot fail");
    }
    let digest = hasher.finalize();
    u128::from_le_bytes(digest[..16].try_into().expect("16 bytes"))
}

fn sum_of_digests(users: &[User]) -> u128 {
    users
        .iter()
        .fold(0u128, |sum, user| sum.wrapping_add(user_digest(user)))
}

/// The fingerprint of what a site reported: `sha256:` and 64 hex digits.
pub fn observed_fingerprint(users: &[User], groups: &[Group]) -> String {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let sum = if threads > 1 && users.len() >= 10_000 {
        let chunk = users.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let workers: Vec<_> = users
                .chunks(chunk)
                .map(|part| scope.spawn(move || sum_of_digests(part)))
                .collect();
            workers
                .into_iter()
                .map(|worker| worker.join().expect("fingerprint worker"))
                .fold(0u128, u128::wrapping_add)
        })
    } else {
        sum_of_digests(users)
    };
    let mut names: Vec<&Group> = groups.iter().collect();
    names.sort_by(|a, b| a.name.cmp(&b.name));
    let mut hasher = Sha256::new();
    hasher.update((users.len() as u64).to_le_bytes());
    hasher.update(sum.to_le_bytes());
    for group in names {
        text(&mut hasher, Some(&group.name));
        text(&mut hasher, group.id.as_deref());
        serde_json::to_writer(HashWriter(&mut hasher), &group.attributes)
            .expect("hashing cannot fail");
    }
    format!("sha256:{}", hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Plan {
    /// The plan's own hash over its JSON form (creation time excluded): the journal ties every
    /// record to it, so a resume only ever trusts records of the same plan.
    pub fn hash(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.source.as_bytes());
        serde_json::to_writer(HashWriter(&mut hasher), &self.sites).expect("hashing cannot fail");
        format!("sha256:{}", hex(&hasher.finalize()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(n: usize) -> Vec<User> {
        (0..n)
            .map(|i| User {
                id: i.to_string(),
                email: Some(format!("u{i}@x.org")),
                ..User::default()
            })
            .collect()
    }

    #[test]
    fn listing_order_does_not_matter_but_any_field_does() {
        let mut list = users(20_000);
        let before = observed_fingerprint(&list, &[]);
        list.reverse();
        assert_eq!(observed_fingerprint(&list, &[]), before);
        list[3].first_name = Some("Changed".into());
        assert_ne!(observed_fingerprint(&list, &[]), before);
    }

    #[test]
    fn groups_count() {
        let list = users(3);
        let group = Group {
            name: "coaches".into(),
            ..Group::default()
        };
        assert_ne!(
            observed_fingerprint(&list, &[]),
            observed_fingerprint(&list, &[group])
        );
    }
}
