//! Listing users: candidates from the narrowest server-side lookup, then their full records and
//! memberships one person/get batch at a time, each batch's users handed over before the next
//! batch is read. Collected or streamed, a listing costs the same requests (DESIGN §7: one
//! usersearch, ⌈N / 500⌉ person/get, ⌈N / 100⌉ username searches), since every batch but the
//! last holds [`PERSON_GET_BATCH`] ids, a multiple of [`SEARCH_BATCH`](crate::SEARCH_BATCH).

use std::collections::HashMap;
use std::ops::ControlFlow;

use roster_core::{collect_into, Result, User, UserQuery, UserSink};

use crate::directory::AmsDirectory;
use crate::person::{self, Membership};
use crate::reads::{membership_map, PERSON_GET_BATCH};
use crate::wire::{Identification, SearchUser};

/// Lookups usersearch answers from its projection without full records.
const PROJECTED_ATTRIBUTES: [&str; 2] = ["about", "uuid"];

/// Who a listing reads, before any full record is read.
struct Candidates {
    /// The usersearch or groupmembers projections (small: no full records).
    found: Vec<SearchUser>,
    /// Whether `found` came from a filtered search, which reports memberships itself.
    memberships_known: bool,
    /// What the server did not filter on, checked on each full user.
    rest: UserQuery,
}

impl AmsDirectory {
    /// Every user matching `query`, collected from [`each_user`](Self::each_user).
    pub(crate) async fn list(&self, query: &UserQuery) -> Result<Vec<User>> {
        let mut users = Vec::new();
        self.each_user(query, &mut collect_into(&mut users)).await?;
        Ok(users)
    }

    /// Hands every user matching `query` to `sink`, one person/get batch at a time. A `Break`
    /// ends the listing: no further person/get or search is sent.
    pub(crate) async fn each_user(&self, query: &UserQuery, sink: &mut dyn UserSink) -> Result<()> {
        let Candidates {
            found,
            memberships_known,
            rest,
        } = self.candidates(query).await?;
        let mut matching = |user: User| {
            if rest.matches(&user) {
                sink.accept(user)
            } else {
                ControlFlow::Continue(())
            }
        };
        self.each_completed(found, memberships_known, &mut matching)
            .await
    }

    /// Canonical users for these candidates, collected (lookups by key).
    pub(crate) async fn complete(
        &self,
        candidates: Vec<SearchUser>,
        memberships_known: bool,
    ) -> Result<Vec<User>> {
        let mut users = Vec::new();
        self.each_completed(candidates, memberships_known, &mut collect_into(&mut users))
            .await?;
        Ok(users)
    }

    /// The candidates of `query` from the narrowest lookup the server offers: a username or
    /// email search, the group members, or the search for everyone narrowed by its projection.
    async fn candidates(&self, query: &UserQuery) -> Result<Candidates> {
        let mut rest = query.clone();
        let (found, memberships_known) = if !query.usernames.is_empty() {
            let entries = query
                .usernames
                .iter()
                .cloned()
                .map(Identification::Username);
            (self.search_each(entries.collect()).await?, true)
        } else if !query.emails.is_empty() {
            let entries = query.emails.iter().cloned().map(Identification::Email);
            (self.search_each(entries.collect()).await?, true)
        } else if !query.groups.is_empty() {
            // groupmembers answered the group filter itself.
            rest.groups.clear();
            (self.members_of(&query.groups).await?, false)
        } else {
            let mut everyone = self.search(&[]).await?;
            everyone.retain(|candidate| projection_matches(candidate, query));
            (everyone, false)
        };
        Ok(Candidates {
            found,
            memberships_known,
            rest,
        })
    }

    /// Hands the canonical user of each candidate to `sink`, in id order, [`PERSON_GET_BATCH`]
    /// at a time: that batch's full records, then its memberships (from the candidates when a
    /// filtered search found them, else from username searches for that batch only).
    async fn each_completed(
        &self,
        candidates: Vec<SearchUser>,
        memberships_known: bool,
        sink: &mut dyn UserSink,
    ) -> Result<()> {
        let ids = distinct_ids(&candidates);
        let known = memberships_known.then(|| membership_map(candidates));
        for batch in ids.chunks(PERSON_GET_BATCH) {
            let records = self.person_records(batch).await?;
            let searched: HashMap<i64, Membership>;
            let memberships = match &known {
                Some(known) => known,
                None => {
                    searched = self.memberships(&records).await?;
                    &searched
                }
            };
            for record in &records {
                let membership = record.id().and_then(|id| memberships.get(&id));
                if sink.accept(person::to_user(record, membership)?).is_break() {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}

/// The candidates' ids in ascending order (the listing's order), each once: a user found by
/// two search entries is read once.
fn distinct_ids(candidates: &[SearchUser]) -> Vec<i64> {
    let mut ids: Vec<i64> = candidates.iter().map(|c| c.user_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Whether a usersearch projection can still match the query's `about` and `uuid` filters
/// (the full records are checked again afterwards).
fn projection_matches(candidate: &SearchUser, query: &UserQuery) -> bool {
    PROJECTED_ATTRIBUTES.iter().all(|name| {
        let Some(values) = query.attributes.get(*name) else {
            return true;
        };
        let actual = match *name {
            "about" => match (&candidate.first_name, &candidate.last_name) {
                (Some(first), Some(last)) => Some(format!("{first} {last}")),
                _ => None,
            },
            _ => candidate.uuid.clone().filter(|uuid| !uuid.is_empty()),
        };
        actual.is_some_and(|actual| values.contains(&actual))
    })
}
