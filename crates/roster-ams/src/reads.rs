//! Reads: usersearch, person/get, groupmembers and listgroups (spec §5.2), and the lookup of
//! one user by key. Listings combine them in `listing`, with the fewest requests.

use std::collections::HashMap;

use roster_core::{DirectoryError, ErrorKind, Group, Result, User, UserKey, UserQuery};

use crate::directory::AmsDirectory;
use crate::failure::{self, Repeat};
use crate::person::{self, Membership};
use crate::record::PersonRecord;
use crate::wire::{
    GroupMembersBody, Identification, ListGroupsBody, ListGroupsReply, PersonGetBody,
    PersonGetReply, SearchBody, SearchReply, SearchUser,
};

/// Most ids one person/get carries (CHOSEN by the spec; the real limit is unknown).
pub const PERSON_GET_BATCH: usize = 500;
/// Most entries one filtered usersearch carries (CHOSEN by the spec).
pub const SEARCH_BATCH: usize = 100;

impl AmsDirectory {
    /// The user `key` names; a key that names several users is a Conflict.
    pub(crate) async fn get(&self, key: &UserKey) -> Result<Option<User>> {
        let users = match key {
            UserKey::Id(text) => {
                let Ok(id) = text.trim().parse::<i64>() else {
                    return Ok(None);
                };
                let mut records = self.person_records(&[id]).await?;
                records.retain(|record| record.id() == Some(id));
                let memberships = self.memberships(&records).await?;
                records
                    .iter()
                    .map(|record| person::to_user(record, memberships.get(&id)))
                    .collect::<Result<Vec<_>>>()?
            }
            UserKey::Username(name) => {
                let mut candidates = self
                    .search_each(vec![Identification::Username(name.clone())])
                    .await?;
                candidates.retain(|c| same_text(c.username.as_deref(), name));
                self.complete(candidates, true).await?
            }
            UserKey::Email(email) => {
                let mut candidates = self
                    .search_each(vec![Identification::Email(email.clone())])
                    .await?;
                candidates.retain(|c| same_text(c.email.as_deref(), email));
                self.complete(candidates, true).await?
            }
            UserKey::Attribute { name, value } => {
                let query = UserQuery::all().with(name, value.clone());
                let users = self.list(&query).await?;
                users
                    .into_iter()
                    .filter(|user| user.matches_key(key))
                    .collect()
            }
        };
        one_of(users, key)
    }

    /// Group names (listgroups gives no ids).
    pub(crate) async fn groups(&self) -> Result<Vec<Group>> {
        let body = ListGroupsBody {
            name: self.transport.username(),
        };
        let reply: ListGroupsReply = self
            .transport
            .post_api("v1/listgroups", &body, Repeat::Safe)
            .await?;
        Ok(reply
            .name
            .into_iter()
            .map(|name| Group {
                name,
                ..Group::default()
            })
            .collect())
    }

    /// One usersearch; an empty identification lists every user.
    pub(crate) async fn search(&self, entries: &[Identification]) -> Result<Vec<SearchUser>> {
        let body = SearchBody {
            identification: entries,
        };
        let reply: SearchReply = self
            .transport
            .post_api("v1/usersearch", &body, Repeat::Safe)
            .await?;
        Ok(flatten(reply))
    }

    /// Filtered usersearches, [`SEARCH_BATCH`] entries each.
    pub(crate) async fn search_each(
        &self,
        entries: Vec<Identification>,
    ) -> Result<Vec<SearchUser>> {
        let mut found = Vec::new();
        for chunk in entries.chunks(SEARCH_BATCH) {
            found.extend(self.search(chunk).await?);
        }
        Ok(found)
    }

    /// The athletes of the named groups, from one groupmembers request.
    pub(crate) async fn members_of(&self, groups: &[String]) -> Result<Vec<SearchUser>> {
        let reply: SearchReply = self
            .transport
            .post_api(
                "v1/groupmembers",
                &GroupMembersBody { name: groups },
                Repeat::Safe,
            )
            .await?;
        Ok(flatten(reply))
    }

    /// Full person records, [`PERSON_GET_BATCH`] ids per request, in id order.
    pub(crate) async fn person_records(&self, ids: &[i64]) -> Result<Vec<PersonRecord>> {
        let mut records = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(PERSON_GET_BATCH) {
            let reply: PersonGetReply = self
                .transport
                .post_api(
                    "v2/person/get",
                    &PersonGetBody::for_ids(chunk),
                    Repeat::Safe,
                )
                .await?;
            if reply.objects.iter().any(|record| record.id().is_none()) {
                return Err(failure::decode("person/get", "a person has no integer id"));
            }
            records.extend(reply.objects);
        }
        Ok(records)
    }

    /// Memberships of these people, from username searches of [`SEARCH_BATCH`] names (only
    /// filtered searches report them).
    pub(crate) async fn memberships(
        &self,
        records: &[PersonRecord],
    ) -> Result<HashMap<i64, Membership>> {
        let entries: Vec<Identification> = records
            .iter()
            .filter_map(|record| record.text("username"))
            .filter(|name| !name.is_empty())
            .map(Identification::Username)
            .collect();
        if entries.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(membership_map(self.search_each(entries).await?))
    }
}

fn flatten(reply: SearchReply) -> Vec<SearchUser> {
    reply
        .results
        .into_iter()
        .flat_map(|group| group.results.unwrap_or_default())
        .collect()
}

/// Memberships by user id, from filtered search results (first result per user wins).
pub(crate) fn membership_map(found: Vec<SearchUser>) -> HashMap<i64, Membership> {
    let mut map = HashMap::new();
    for user in found {
        map.entry(user.user_id)
            .or_insert_with(|| Membership::from_wire(user.groups_and_roles.as_ref()));
    }
    map
}

/// AMS compares usernames and emails without regard to case.
fn same_text(found: Option<&str>, wanted: &str) -> bool {
    found.is_some_and(|found| found.eq_ignore_ascii_case(wanted))
}

/// The one user a key names.
fn one_of(mut users: Vec<User>, key: &UserKey) -> Result<Option<User>> {
    match users.len() {
        0 | 1 => Ok(users.pop()),
        count => Err(DirectoryError::new(ErrorKind::Conflict {
            message: format!("{count} users match {key}"),
        })),
    }
}
