//! Compact digests of the fields a desired state manages, one fixed-width record of 64-bit
//! hashes per user.
//!
//! Linking and diffing a million users in file order means visiting the site's users in an
//! order unrelated to how they sit in memory; each visit of a full `User` (and of each of its
//! strings) is a cache miss. The digests are computed in two sequential passes, and the
//! random visits then read one small record instead. A record only answers "certainly the
//! same": equal digests mean the normalised values are equal (up to a 64-bit hash collision),
//! and any difference is confirmed by the full diff, which alone decides what changes.

use std::hash::BuildHasher;

use foldhash::fast::FixedState;
use roster_core::{Change, User, UserKeyKind};
use serde_json::Value;

use crate::desired::DesiredUser;
use crate::{normalize, parallel};

/// A row does not manage this field.
pub(crate) const NOT_MANAGED: u64 = 0;
/// The site does not report this field (membership on some sites): nothing to compare.
const ANY: u64 = 1;

/// A compared field.
#[derive(Clone, Debug, PartialEq)]
enum Slot {
    Username,
    Email,
    FirstName,
    LastName,
    Active,
    Groups,
    Attribute(String),
}

/// Which fields are digested, in record order.
pub(crate) struct Layout {
    slots: Vec<Slot>,
    hasher: FixedState,
}

/// One record of `width` digests per user.
pub(crate) struct Digests {
    width: usize,
    values: Vec<u64>,
}

impl Digests {
    /// The record of the user at `index`.
    pub fn record(&self, index: usize) -> &[u64] {
        &self.values[index * self.width..(index + 1) * self.width]
    }
}

/// The layout and the site's records; a row's record is computed when the row is matched,
/// while its text is in cache anyway.
pub(crate) struct Compared {
    pub layout: Layout,
    pub actual: Digests,
}

impl Compared {
    /// Digests `actual` over the fields the rows of `desired` manage.
    pub fn new(desired: &[DesiredUser], actual: &[User], key_order: &[UserKeyKind]) -> Self {
        let layout = Layout::new(desired, key_order);
        let actual = layout.actual(actual);
        Self { layout, actual }
    }

    /// A buffer for one row's record.
    pub fn row_buffer(&self) -> Vec<u64> {
        vec![NOT_MANAGED; self.layout.slots.len()]
    }

    /// True when every field the row's `record` manages is certainly the same on site user
    /// `actual`.
    pub fn unchanged(&self, record: &[u64], actual: usize) -> bool {
        unchanged(record, self.actual.record(actual))
    }
}

/// True when every field the desired record manages is certainly unchanged.
pub(crate) fn unchanged(desired: &[u64], actual: &[u64]) -> bool {
    desired
        .iter()
        .zip(actual)
        .all(|(d, a)| *d == NOT_MANAGED || d == a || *a == ANY)
}

impl Layout {
    /// The fields any row manages, plus the username and email when they are keys.
    pub fn new(desired: &[DesiredUser], key_order: &[UserKeyKind]) -> Self {
        let mut slots = Vec::new();
        let mut add = |slot: Slot| {
            if !slots.contains(&slot) {
                slots.push(slot);
            }
        };
        for kind in key_order {
            match kind {
                UserKeyKind::Username => add(Slot::Username),
                UserKeyKind::Email => add(Slot::Email),
                _ => {}
            }
        }
        let managed = |pick: fn(&DesiredUser) -> bool| desired.iter().any(pick);
        if managed(|r| !r.username.is_leave()) {
            add(Slot::Username);
        }
        if managed(|r| !r.email.is_leave()) {
            add(Slot::Email);
        }
        if managed(|r| !r.first_name.is_leave()) {
            add(Slot::FirstName);
        }
        if managed(|r| !r.last_name.is_leave()) {
            add(Slot::LastName);
        }
        if managed(|r| matches!(r.active, Change::Set(_))) {
            add(Slot::Active);
        }
        if managed(|r| !r.groups.is_leave()) {
            add(Slot::Groups);
        }
        for row in desired {
            for (name, change) in &row.attributes {
                if !change.is_leave() {
                    add(Slot::Attribute(name.clone()));
                }
            }
        }
        Self {
            slots,
            hasher: FixedState::with_seed(0x726f_7374_6572),
        }
    }

    /// The record position of a key kind whose digest identifies the key exactly as the
    /// index compares it (username and email).
    pub fn key_slot(&self, kind: &UserKeyKind) -> Option<usize> {
        let slot = match kind {
            UserKeyKind::Username => Slot::Username,
            UserKeyKind::Email => Slot::Email,
            _ => return None,
        };
        self.slots.iter().position(|s| *s == slot)
    }

    /// Records of the site's users.
    pub fn actual(&self, users: &[User]) -> Digests {
        self.records(users, |user, out| self.actual_record(user, out))
    }

    fn records<T: Sync>(&self, items: &[T], fill: impl Fn(&T, &mut [u64]) + Sync) -> Digests {
        let width = self.slots.len();
        let parts = parallel::map_chunks(items, |_, chunk| {
            let mut values = vec![NOT_MANAGED; chunk.len() * width];
            if width > 0 {
                for (item, out) in chunk.iter().zip(values.chunks_mut(width)) {
                    fill(item, out);
                }
            }
            values
        });
        Digests {
            width,
            values: parts.concat(),
        }
    }

    fn hash(&self, value: impl std::hash::Hash) -> u64 {
        // Keep the sentinels for themselves.
        self.hasher.hash_one(value).max(ANY + 1)
    }

    fn text(&self, value: Option<&str>) -> u64 {
        self.hash(value.map(|v| v.trim()))
    }

    fn email(&self, value: Option<&str>) -> u64 {
        self.hash(value.map(|v| normalize::key(&UserKeyKind::Email, v)))
    }

    fn groups<'a>(&self, names: impl Iterator<Item = &'a String>) -> u64 {
        // Order-independent: a set on the site, a list in the row.
        let (count, sum) = names.fold((0u64, 0u64), |(count, sum), name| {
            (count + 1, sum.wrapping_add(self.hash(name)))
        });
        self.hash(("groups", count, sum))
    }

    /// The digest of an attribute value, equal for values the diff considers the same:
    /// scalars by their trimmed text, date-times by their date, the rest by their JSON.
    fn attribute(&self, value: Option<&Value>) -> u64 {
        let Some(value) = value else {
            return self.hash("absent");
        };
        let text = match value {
            Value::String(text) => text.trim().to_owned(),
            Value::Number(number) => number.to_string(),
            Value::Bool(flag) => flag.to_string(),
            other => return self.hash(("json", other.to_string())),
        };
        match normalize::date_part(&text) {
            Some(day) => self.hash(("date", day)),
            None => self.hash(("text", text)),
        }
    }

    fn actual_record(&self, user: &User, out: &mut [u64]) {
        for (slot, out) in self.slots.iter().zip(out) {
            *out = match slot {
                Slot::Username => self.text(user.username.as_deref()),
                Slot::Email => self.email(user.email.as_deref()),
                Slot::FirstName => self.text(user.first_name.as_deref()),
                Slot::LastName => self.text(user.last_name.as_deref()),
                Slot::Active => self.hash(user.active.unwrap_or(true)),
                Slot::Groups => match &user.groups {
                    Some(groups) => self.groups(groups.iter()),
                    None => ANY,
                },
                Slot::Attribute(name) => self.attribute(user.attributes.get(name)),
            };
        }
    }

    /// Fills `out` with the record of a desired row.
    pub fn desired_record(&self, row: &DesiredUser, out: &mut [u64]) {
        let text = |change: &Change<String>, email: bool| match change {
            Change::Leave => NOT_MANAGED,
            Change::Set(value) if email => self.email(Some(value)),
            Change::Set(value) => self.text(Some(value)),
            Change::Clear => self.text(None),
        };
        for (slot, out) in self.slots.iter().zip(out) {
            *out = match slot {
                Slot::Username => text(&row.username, false),
                Slot::Email => text(&row.email, true),
                Slot::FirstName => text(&row.first_name, false),
                Slot::LastName => text(&row.last_name, false),
                Slot::Active => match row.active {
                    Change::Set(flag) => self.hash(flag),
                    _ => NOT_MANAGED,
                },
                Slot::Groups => match &row.groups {
                    Change::Leave => NOT_MANAGED,
                    Change::Set(groups) => self.groups(groups.iter()),
                    Change::Clear => self.groups(std::iter::empty()),
                },
                Slot::Attribute(name) => match row.attributes.get(name) {
                    None | Some(Change::Leave) => NOT_MANAGED,
                    Some(Change::Set(value)) => self.attribute(Some(value)),
                    Some(Change::Clear) => self.attribute(None),
                },
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn site_user() -> User {
        User {
            id: "1".into(),
            username: Some("ada".into()),
            email: Some("Ada@X.org".into()),
            first_name: Some("Ada".into()),
            active: None,
            groups: Some(["b".to_owned(), "a".to_owned()].into()),
            attributes: [
                ("dob".to_owned(), json!("1815-12-10T00:00:00")),
                ("n".to_owned(), json!(42)),
            ]
            .into(),
            ..User::default()
        }
    }

    fn row() -> DesiredUser {
        DesiredUser {
            username: Change::Set(" ada".into()),
            email: Change::Set("ada@x.org".into()),
            first_name: Change::Set("Ada".into()),
            last_name: Change::Clear,
            active: Change::Set(true),
            groups: Change::Set(vec!["a".into(), "b".into()]),
            attributes: [
                ("dob".to_owned(), Change::Set(json!("1815-12-10"))),
                ("n".to_owned(), Change::Set(json!("42"))),
            ]
            .into(),
            ..DesiredUser::default()
        }
    }

    fn compare(row: DesiredUser, user: User) -> bool {
        let rows = [row];
        let compared = Compared::new(&rows, &[user], &[UserKeyKind::Email]);
        let mut record = compared.row_buffer();
        compared.layout.desired_record(&rows[0], &mut record);
        compared.unchanged(&record, 0)
    }

    #[test]
    fn normalised_equal_fields_digest_equal() {
        assert!(compare(row(), site_user()));
    }

    #[test]
    fn any_managed_difference_is_seen() {
        let changes: [fn(&mut DesiredUser); 5] = [
            |r| r.first_name = Change::Set("Augusta".into()),
            |r| r.last_name = Change::Set("King".into()),
            |r| r.active = Change::Set(false),
            |r| r.groups = Change::Clear,
            |r| {
                r.attributes.insert("dob".into(), Change::Clear);
            },
        ];
        for change in changes {
            let mut changed = row();
            change(&mut changed);
            assert!(!compare(changed, site_user()));
        }
    }

    #[test]
    fn unmanaged_fields_and_unreported_membership_are_not_compared() {
        let mut user = site_user();
        user.last_name = Some("Lovelace".into());
        user.groups = None;
        let mut desired = row();
        desired.last_name = Change::Leave;
        assert!(compare(desired, user));
    }
}
