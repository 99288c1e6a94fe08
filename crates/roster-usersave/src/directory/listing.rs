//! Listing users: one paginated pass per status value, each page's users handed over as the
//! page arrives, so a listing holds one page of users at a time and a reader that stops sends
//! no further page request.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use roster_core::{collect_into, Operation, Result, User, UserQuery, UserSink};

use super::requests::needed;
use super::UsersaveDirectory;
use crate::api::ApiRequest;
use crate::errors::decode;
use crate::ordered_map::WireObject;
use crate::paging::Pages;
use crate::profile::Endpoint;
use crate::users;

/// Where a listed user's groups come from.
enum Groups {
    /// Not read: the site cannot say, or the listing was asked to skip them.
    Unread,
    /// From every group's member list, read before the first page.
    Known(BTreeMap<String, BTreeSet<String>>),
    /// One request per user, sent when that user's page arrives.
    PerUser,
}

impl UsersaveDirectory {
    /// Every user matching `query`, collected from [`each_user_inner`](Self::each_user_inner).
    pub(super) async fn list_users_inner(&self, query: &UserQuery) -> Result<Vec<User>> {
        let mut users = Vec::new();
        self.each_user_inner(query, &mut collect_into(&mut users))
            .await?;
        Ok(users)
    }

    /// Hands every user matching `query` to `sink`, page by page, with their groups unless
    /// the site cannot say or the listing skips them. A `Break` ends the listing: no further
    /// page or per-user group request is sent.
    pub(super) async fn each_user_inner(
        &self,
        query: &UserQuery,
        sink: &mut dyn UserSink,
    ) -> Result<()> {
        // Pages are read lazily: making them first only checks the profile can list.
        let mut pages = self.user_pages()?;
        let groups = self.listing_groups(query).await?;
        while let Some(page) = pages.next().await? {
            for object in page {
                let mut user = users::from_wire(&self.profile.user, &object)?;
                user.groups = match &groups {
                    Groups::Unread => user.groups,
                    Groups::Known(membership) => {
                        Some(membership.get(&user.id).cloned().unwrap_or_default())
                    }
                    Groups::PerUser => {
                        Some(self.groups_of_user(&user.id).await?.unwrap_or_default())
                    }
                };
                if query.matches(&user) && sink.accept(user).is_break() {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Every user object, every status pass, each user once.
    pub(super) async fn list_user_objects(&self) -> Result<Vec<WireObject>> {
        let mut pages = self.user_pages()?;
        let mut objects = Vec::new();
        while let Some(page) = pages.next().await? {
            objects.extend(page);
        }
        Ok(objects)
    }

    /// How this listing reads groups: skipped when the configuration says so and the query
    /// does not filter on them; from the member lists when the profile has them (read first,
    /// since a user's groups are complete only once every list is read); else per user.
    async fn listing_groups(&self, query: &UserQuery) -> Result<Groups> {
        let want_groups = !self.list_without_groups || !query.groups.is_empty();
        if !want_groups || !self.info.capabilities.read_membership {
            return Ok(Groups::Unread);
        }
        if self.profile.endpoints.list_members.is_none() {
            return Ok(Groups::PerUser);
        }
        Ok(Groups::Known(self.membership_from_member_lists().await?))
    }

    /// The user listing, page by page across the status passes.
    fn user_pages(&self) -> Result<UserPages<'_>> {
        Ok(UserPages {
            directory: self,
            endpoint: needed(&self.profile.endpoints.list_users, Operation::ListUsers)?,
            passes: self.status_passes().into_iter(),
            current: None,
            seen: HashSet::new(),
        })
    }

    /// `None` = one pass without a status filter.
    pub(super) fn status_passes(&self) -> Vec<Option<&str>> {
        let passes = &self.profile.user.list_status_passes;
        if passes.is_empty() || self.profile.user.status_field.is_none() {
            vec![None]
        } else {
            passes.iter().map(|status| Some(status.as_str())).collect()
        }
    }

    /// The status of this pass, then the profile's constant listing parameters.
    pub(super) fn add_listing_filters(&self, request: &mut ApiRequest, status: Option<&str>) {
        if let (Some(status), Some(field)) = (status, &self.profile.user.status_field) {
            request.query.push((field.clone(), status.to_owned()));
        }
        for (name, value) in self.profile.user.list_constant_params.iter() {
            request.query.push((name.to_owned(), value.clone()));
        }
    }
}

/// The user objects of a listing, one page per [`next`](UserPages::next): one pass per status
/// value, each pass started only when the one before is read, a user in two passes kept
/// from the first (merged by id).
struct UserPages<'a> {
    directory: &'a UsersaveDirectory,
    endpoint: &'a Endpoint,
    passes: std::vec::IntoIter<Option<&'a str>>,
    current: Option<Pages<'a>>,
    /// Ids handed out so far: only ids are kept, never the users.
    seen: HashSet<String>,
}

impl UserPages<'_> {
    /// The next page's users not seen before; `None` after the last page of the last pass.
    async fn next(&mut self) -> Result<Option<Vec<WireObject>>> {
        loop {
            let page = match self.current.as_mut() {
                Some(pages) => pages.next().await?,
                None => None,
            };
            if let Some(page) = page {
                return self.unseen(page).map(Some);
            }
            let Some(status) = self.passes.next() else {
                return Ok(None);
            };
            let directory = self.directory;
            let mut request = directory.request(self.endpoint, None)?;
            directory.add_listing_filters(&mut request, status);
            let pagination = &directory.profile.pagination;
            self.current = Some(Pages::new(&directory.api, pagination, request, true));
        }
    }

    fn unseen(&mut self, page: Vec<WireObject>) -> Result<Vec<WireObject>> {
        let id_fields = &self.directory.profile.user.id;
        let mut fresh = Vec::with_capacity(page.len());
        for object in page {
            let id =
                users::wire_id(id_fields, &object).ok_or_else(|| decode("user", "no id field"))?;
            if self.seen.insert(id) {
                fresh.push(object);
            }
        }
        Ok(fresh)
    }
}
