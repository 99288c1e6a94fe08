//! Pairs desired rows with the users a site reports, by the site's key order.
//!
//! Each row ends up in one situation: *linked* to exactly one site user, *unmatched* (no
//! site user: create it), or *disputed* (its keys point at several users, or another row
//! claims the same user). Site users no row claims are *orphans*.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use roster_core::{User, UserKeyKind};

use crate::desired::DesiredUser;
use crate::digest::{Compared, NOT_MANAGED};
use crate::normalize;
use crate::parallel;
use crate::plan::Dispute;

/// The situations of every row and every site user.
#[derive(Debug, Default)]
pub(crate) struct Correlation {
    /// (desired index, actual index, certainly unchanged by the digests)
    pub linked: Vec<(usize, usize, bool)>,
    /// Desired indices with no site user.
    pub unmatched: Vec<usize>,
    /// Actual indices no row claims.
    pub orphans: Vec<usize>,
    pub disputed: Vec<Dispute>,
}

/// Marks an index entry whose key hash several site users share.
const SHARED: u32 = u32::MAX;

/// A hasher for keys that already are hashes.
#[derive(Default)]
struct PreHashed(u64);

impl Hasher for PreHashed {
    fn write(&mut self, _: &[u8]) {
        unreachable!("the index is keyed by u64 hashes only")
    }
    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Key hash → site user index. Only the 64-bit hash of a normalised key is stored, which
/// keeps a million-user index small and its probes cache-friendly; every hit is checked
/// against the user's actual key, and a shared hash is resolved by comparing the keys
/// themselves, so a hash collision can never link the wrong user.
type KeyMap = HashMap<u64, u32, BuildHasherDefault<PreHashed>>;

/// Site users by normalised key, one map per key kind.
struct Index<'a> {
    actual: &'a [User],
    compared: &'a Compared,
    key_order: &'a [UserKeyKind],
    by_kind: Vec<KeyMap>,
    /// Per key kind: every user behind a hash several users share.
    shared: Vec<HashMap<u64, Vec<u32>, BuildHasherDefault<PreHashed>>>,
    hasher: foldhash::fast::RandomState,
}

impl<'a> Index<'a> {
    fn build(actual: &'a [User], key_order: &'a [UserKeyKind], compared: &'a Compared) -> Self {
        let hasher = foldhash::fast::RandomState::default();
        let built = parallel::map_jobs(key_order, parallel::is_large(actual.len()), |kind| {
            let mut map = KeyMap::with_capacity_and_hasher(actual.len(), Default::default());
            let mut shared: HashMap<u64, Vec<u32>, BuildHasherDefault<PreHashed>> =
                HashMap::default();
            for (index, user) in actual.iter().enumerate() {
                let Some(value) = normalize::user_key(user, kind) else {
                    continue;
                };
                let hash = hash_key(&hasher, kind, &value);
                match map.entry(hash) {
                    Entry::Vacant(slot) => {
                        slot.insert(index as u32);
                    }
                    Entry::Occupied(mut hit) => {
                        let first = std::mem::replace(hit.get_mut(), SHARED);
                        let users = shared.entry(hash).or_default();
                        if first != SHARED {
                            users.push(first);
                        }
                        users.push(index as u32);
                    }
                }
            }
            (map, shared)
        });
        let (by_kind, shared) = built.into_iter().unzip();
        Self {
            actual,
            compared,
            key_order,
            by_kind,
            shared,
            hasher,
        }
    }

    /// What one row's keys find; `record` is the row's digest record.
    fn find(&self, row: &DesiredUser, record: &[u64]) -> Found {
        let mut found: Option<u32> = None;
        for (position, (kind, map)) in self.key_order.iter().zip(&self.by_kind).enumerate() {
            let Some(value) = row.key_value(kind) else {
                continue;
            };
            // Nearly always the user found by the first key has the row's other keys too:
            // checking that user directly saves a probe into another large map.
            if let Some(first) = found {
                if self.has_key(position, record, value, first) {
                    continue;
                }
            }
            let Some(&hit) = map.get(&hash_key(&self.hasher, kind, value)) else {
                continue;
            };
            let hit = if hit == SHARED {
                match self.sharing(position, value).as_slice() {
                    [] => continue,
                    [only] => *only,
                    _ => return Found::Several,
                }
            } else if self.has_key(position, record, value, hit) {
                hit
            } else {
                continue; // another key with the same hash
            };
            match found {
                None => found = Some(hit),
                Some(first) if first != hit => return Found::Several,
                Some(_) => {}
            }
        }
        found.map_or(Found::None, Found::One)
    }

    /// True when site user `user` has the row's key of the kind at `position`. Username and
    /// email are compared by their digests (a second, independent 64-bit hash, so a false
    /// match needs two hash collisions at once) without visiting the user; other keys by
    /// their text.
    fn has_key(&self, position: usize, record: &[u64], value: &str, user: u32) -> bool {
        let kind = &self.key_order[position];
        match self.compared.layout.key_slot(kind) {
            Some(slot) => {
                record[slot] != NOT_MANAGED
                    && record[slot] == self.compared.actual.record(user as usize)[slot]
            }
            None => same_key(
                kind,
                normalize::user_key(&self.actual[user as usize], kind),
                value,
            ),
        }
    }

    /// Why a row is disputed and which site users it involves (rare, so recomputed).
    fn explain(&self, row: &DesiredUser) -> (String, Vec<u32>) {
        let mut seen: Vec<(u32, &UserKeyKind)> = Vec::new();
        for (position, kind) in self.key_order.iter().enumerate() {
            let Some(value) = row.key_value(kind) else {
                continue;
            };
            let ids = self.users_with(position, value);
            if ids.len() > 1 {
                return (format!("{} site users share this {kind}", ids.len()), ids);
            }
            seen.extend(ids.into_iter().map(|id| (id, kind)));
        }
        let reason = match seen.as_slice() {
            [(_, a), (_, b), ..] => format!("its {a} and its {b} match different site users"),
            _ => "its keys match several site users".to_owned(),
        };
        (reason, seen.into_iter().map(|(id, _)| id).collect())
    }

    /// The users behind a shared hash whose key really is `value`.
    fn sharing(&self, position: usize, value: &str) -> Vec<u32> {
        let kind = &self.key_order[position];
        let hash = hash_key(&self.hasher, kind, value);
        self.shared[position]
            .get(&hash)
            .into_iter()
            .flatten()
            .copied()
            .filter(|a| {
                same_key(
                    kind,
                    normalize::user_key(&self.actual[*a as usize], kind),
                    value,
                )
            })
            .collect()
    }

    /// Every user whose key of this kind is `value`.
    fn users_with(&self, position: usize, value: &str) -> Vec<u32> {
        let kind = &self.key_order[position];
        match self.by_kind[position].get(&hash_key(&self.hasher, kind, value)) {
            None => Vec::new(),
            Some(&SHARED) => self.sharing(position, value),
            Some(&hit)
                if same_key(
                    kind,
                    normalize::user_key(&self.actual[hit as usize], kind),
                    value,
                ) =>
            {
                vec![hit]
            }
            Some(_) => Vec::new(),
        }
    }
}

fn hash_key(hasher: &foldhash::fast::RandomState, kind: &UserKeyKind, value: &str) -> u64 {
    hasher.hash_one(normalize::key(kind, value).as_ref())
}

fn same_key(kind: &UserKeyKind, have: Option<Cow<'_, str>>, wanted: &str) -> bool {
    // Identical text is the common case and needs no normalising.
    have.is_some_and(|have| {
        have == wanted || normalize::key(kind, &have) == normalize::key(kind, wanted)
    })
}

/// What one row's keys found.
#[derive(Clone, Copy)]
enum Found {
    None,
    One(u32),
    /// Several site users.
    Several,
}

/// Correlates `desired` with `actual` by `key_order`.
pub(crate) fn correlate(
    desired: &[DesiredUser],
    actual: &[User],
    key_order: &[UserKeyKind],
    compared: &Compared,
) -> Correlation {
    let index = Index::build(actual, key_order, compared);
    // Each row's digest record is computed here, while its text is in cache, and compared
    // with the linked user's record right away, while that one is too.
    let found: Vec<(Found, bool)> = parallel::map_chunks(desired, |_, rows| {
        let mut record = compared.row_buffer();
        rows.iter()
            .map(|row| {
                compared.layout.desired_record(row, &mut record);
                let found = index.find(row, &record);
                let unchanged = match found {
                    Found::One(a) => compared.unchanged(&record, a as usize),
                    _ => false,
                };
                (found, unchanged)
            })
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();

    // How many rows claim each site user, and which site users a dispute involves.
    let mut claims = vec![0u32; actual.len()];
    let mut involved = vec![false; actual.len()];
    let mut result = Correlation::default();
    for (hit, _) in &found {
        if let Found::One(a) = hit {
            claims[*a as usize] += 1;
        }
    }
    let mut contested: HashMap<u32, Vec<usize>> = HashMap::new();
    for (row, (hit, unchanged)) in found.into_iter().enumerate() {
        match hit {
            Found::None => result.unmatched.push(row),
            Found::One(a) if claims[a as usize] > 1 => contested.entry(a).or_default().push(row),
            Found::One(a) => result.linked.push((row, a as usize, unchanged)),
            Found::Several => {
                let (reason, ids) = index.explain(&desired[row]);
                ids.iter().for_each(|a| involved[*a as usize] = true);
                result.disputed.push(Dispute {
                    key: desired[row].label(),
                    lines: vec![desired[row].line],
                    user_ids: ids.iter().map(|a| actual[*a as usize].id.clone()).collect(),
                    reason: format!("one row matches several users: {reason}"),
                });
            }
        }
    }
    drop(index);
    let mut contested: Vec<_> = contested.into_iter().collect();
    contested.sort_unstable_by_key(|(_, rows)| rows[0]);
    for (a, rows) in contested {
        involved[a as usize] = true;
        let user = &actual[a as usize];
        result.disputed.push(Dispute {
            key: user.label().to_owned(),
            lines: rows
                .iter()
                .map(|row| desired[*row].line)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            user_ids: vec![user.id.clone()],
            reason: format!("{} rows match the same site user", rows.len()),
        });
    }
    result.orphans = (0..actual.len())
        .filter(|a| claims[*a] == 0 && !involved[*a])
        .collect();
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::Change;

    fn row(line: u64, email: Option<&str>, username: Option<&str>) -> DesiredUser {
        DesiredUser {
            line,
            email: email.map_or(Change::Leave, |e| Change::Set(e.into())),
            username: username.map_or(Change::Leave, |u| Change::Set(u.into())),
            ..DesiredUser::default()
        }
    }

    fn user(id: &str, email: Option<&str>, username: Option<&str>) -> User {
        User {
            id: id.into(),
            email: email.map(Into::into),
            username: username.map(Into::into),
            ..User::default()
        }
    }

    fn order() -> Vec<UserKeyKind> {
        vec![UserKeyKind::Email, UserKeyKind::Username]
    }

    fn correlate(desired: &[DesiredUser], actual: &[User], order: &[UserKeyKind]) -> Correlation {
        let compared = Compared::new(desired, actual, order);
        super::correlate(desired, actual, order, &compared)
    }

    #[test]
    fn rows_link_by_the_key_order_with_emails_compared_case_insensitively() {
        let desired = [
            row(2, Some("Ada@X.org"), None),
            row(3, None, Some("bob")),
            row(4, Some("new@x.org"), Some("new")),
        ];
        let actual = [
            user("1", Some("ada@x.org"), Some("ada")),
            user("2", Some("bob@x.org"), Some("bob")),
            user("3", Some("old@x.org"), Some("old")),
        ];
        let c = correlate(&desired, &actual, &order());
        let linked: Vec<_> = c.linked.iter().map(|(row, a, _)| (*row, *a)).collect();
        assert_eq!(linked, vec![(0, 0), (1, 1)]);
        assert_eq!(c.unmatched, vec![2]);
        assert_eq!(c.orphans, vec![2]);
        assert!(c.disputed.is_empty());
    }

    #[test]
    fn a_row_whose_keys_match_different_users_is_disputed_and_neither_user_is_orphaned() {
        let desired = [row(2, Some("ada@x.org"), Some("bob"))];
        let actual = [
            user("1", Some("ada@x.org"), Some("ada")),
            user("2", Some("bob@x.org"), Some("bob")),
        ];
        let c = correlate(&desired, &actual, &order());
        assert!(c.linked.is_empty() && c.unmatched.is_empty() && c.orphans.is_empty());
        assert_eq!(c.disputed[0].user_ids, vec!["1", "2"]);
    }

    #[test]
    fn two_rows_claiming_one_user_are_both_disputed() {
        let desired = [row(2, Some("ada@x.org"), None), row(3, None, Some("ada"))];
        let actual = [user("1", Some("ada@x.org"), Some("ada"))];
        let c = correlate(&desired, &actual, &order());
        assert!(c.linked.is_empty() && c.orphans.is_empty());
        assert_eq!(c.disputed.len(), 1);
        assert_eq!(c.disputed[0].lines, vec![2, 3]);
    }

    #[test]
    fn a_key_several_site_users_share_is_disputed() {
        let desired = [row(2, Some("ada@x.org"), None)];
        let actual = [
            user("1", Some("ada@x.org"), None),
            user("2", Some("ADA@x.org"), None),
        ];
        let c = correlate(&desired, &actual, &order());
        assert_eq!(c.disputed[0].user_ids, vec!["1", "2"]);
        assert!(c.orphans.is_empty());
    }
}
