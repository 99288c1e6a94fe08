//! Users: memberships as listings read them, lookups, create with its absence check, update
//! as read-modify-write or partial, delete where the profile has it. Listings are in
//! `listing`.

use std::collections::{BTreeMap, BTreeSet};

use roster_core::{
    DirectoryError, ErrorKind, NewUser, Operation, Result, User, UserKey, UserPatch,
};

use super::requests::{needed, object_of, with_body};
use super::UsersaveDirectory;
use crate::errors::decode;
use crate::ordered_map::WireObject;
use crate::paging::fetch_all;
use crate::profile::{Endpoint, ListMembers, PartialClear, UpdateStyle};
use crate::users::{self, ClearBy};

impl UsersaveDirectory {
    /// User id → group names, from one member listing per group.
    pub(super) async fn membership_from_member_lists(
        &self,
    ) -> Result<BTreeMap<String, BTreeSet<String>>> {
        let mut membership: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for group in self.all_groups().await?.into_iter().filter(|g| !g.implicit) {
            for member in self.member_ids(group.id()).await? {
                membership
                    .entry(member)
                    .or_default()
                    .insert(group.group.name.clone());
            }
        }
        Ok(membership)
    }

    /// The ids of the members of one group, every status pass.
    async fn member_ids(&self, group_id: &str) -> Result<Vec<String>> {
        let pagination = &self.profile.pagination;
        let mut ids = Vec::new();
        match needed(&self.profile.endpoints.list_members, Operation::ListUsers)? {
            ListMembers::ListUsers { filter_param } => {
                let endpoint = needed(&self.profile.endpoints.list_users, Operation::ListUsers)?;
                for status in self.status_passes() {
                    let mut request = self.request(endpoint, None)?;
                    request
                        .query
                        .insert(0, (filter_param.clone(), group_id.to_owned()));
                    self.add_listing_filters(&mut request, status);
                    ids.extend(self.ids_of(fetch_all(&self.api, pagination, request, true).await?));
                }
            }
            ListMembers::Endpoint {
                method,
                path,
                id_param,
            } => {
                let endpoint = Endpoint::plain(*method, path, id_param.clone());
                let request = self.request(&endpoint, Some(group_id))?;
                ids.extend(self.ids_of(fetch_all(&self.api, pagination, request, true).await?));
            }
        }
        Ok(ids)
    }

    fn ids_of(&self, objects: Vec<WireObject>) -> Vec<String> {
        objects
            .iter()
            .filter_map(|object| users::wire_id(&self.profile.user.id, object))
            .collect()
    }

    /// The groups of one user; `None` where the site cannot say.
    pub(super) async fn groups_of_user(&self, id: &str) -> Result<Option<BTreeSet<String>>> {
        if !self.info.capabilities.read_membership {
            return Ok(None);
        }
        let Some(endpoint) = &self.profile.endpoints.user_groups else {
            let mut membership = self.membership_from_member_lists().await?;
            return Ok(Some(membership.remove(id).unwrap_or_default()));
        };
        let request = self.request(endpoint, Some(id))?;
        let mut names = BTreeSet::new();
        for object in fetch_all(&self.api, &self.profile.pagination, request, false).await? {
            let group = crate::groups::from_wire(&self.profile.group, &object)?;
            if !group.implicit {
                names.insert(group.group.name);
            }
        }
        Ok(Some(names))
    }

    pub(super) async fn get_user_inner(&self, key: &UserKey) -> Result<Option<User>> {
        let object = match key {
            UserKey::Id(id) => self.user_object_by_id(id).await?,
            UserKey::Email(email) => self.user_object_by_email(email).await?,
            UserKey::Username(_) if self.profile.user.username.is_none() => return Ok(None),
            other => return self.scan_for(other).await,
        };
        let Some(object) = object else {
            return Ok(None);
        };
        let mut user = users::from_wire(&self.profile.user, &object)?;
        user.groups = self.groups_of_user(&user.id).await?;
        Ok(Some(user))
    }

    /// A key the server cannot look up: list and compare.
    async fn scan_for(&self, key: &UserKey) -> Result<Option<User>> {
        if !self.info.capabilities.list_users {
            return Err(DirectoryError::invalid(
                Some(&key.kind().to_string()),
                "this site can look users up by id or e-mail only",
            ));
        }
        let mut found = Vec::new();
        for object in self.list_user_objects().await? {
            let user = users::from_wire(&self.profile.user, &object)?;
            if user.matches_key(key) {
                found.push(user);
            }
        }
        if found.len() > 1 {
            return Err(DirectoryError::new(ErrorKind::Conflict {
                message: format!("{} users match {key}", found.len()),
            }));
        }
        let Some(mut user) = found.pop() else {
            return Ok(None);
        };
        user.groups = self.groups_of_user(&user.id).await?;
        Ok(Some(user))
    }

    async fn user_object_by_id(&self, id: &str) -> Result<Option<WireObject>> {
        let endpoint = needed(&self.profile.endpoints.get_user, Operation::GetUser)?;
        self.fetch_optional(&self.request(endpoint, Some(id))?)
            .await
    }

    async fn user_object_by_email(&self, email: &str) -> Result<Option<WireObject>> {
        let endpoint = needed(&self.profile.endpoints.get_user, Operation::GetUser)?;
        let Some(param) = &endpoint.email_param else {
            let key = UserKey::Email(email.to_owned());
            return Ok(self.list_user_objects().await?.into_iter().find(|object| {
                users::from_wire(&self.profile.user, object)
                    .is_ok_and(|user| user.matches_key(&key))
            }));
        };
        let mut request = self.request(endpoint, None)?;
        request.query.insert(0, (param.clone(), email.to_owned()));
        self.fetch_optional(&request).await
    }

    pub(super) async fn create_user_inner(&self, new: &NewUser) -> Result<User> {
        let endpoints = &self.profile.endpoints;
        let save = needed(
            if endpoints.create_user.is_some() {
                &endpoints.create_user
            } else {
                &endpoints.save_user
            },
            Operation::CreateUser,
        )?;
        let body = users::create_body(&self.profile.user, new, &self.vars)?;
        let email = new.email.as_deref().unwrap_or_default();
        // The save call updates whoever has this e-mail: make sure nobody has it yet.
        if self.profile.save_is_upsert && self.user_object_by_email(email).await?.is_some() {
            return Err(DirectoryError::already_exists(email));
        }
        // A create is not safe to repeat blindly: a failure after sending is Ambiguous.
        let mut request = with_body(self.request(save, None)?, &body, false);
        request.secrets.extend(new.password.clone());
        let reply = self.api.send_ok(&request).await?;
        let object = match object_of(&reply)?.filter(|_| !save.void) {
            Some(object) => object,
            None => self
                .user_object_by_email(email)
                .await?
                .ok_or_else(|| decode("create", "the new user cannot be read back"))?,
        };
        let mut user = users::from_wire(&self.profile.user, &object)?;
        for group in &new.groups {
            self.set_membership_inner(group, std::slice::from_ref(&user.id), &[])
                .await?;
        }
        if self.info.capabilities.read_membership {
            user.groups = Some(new.groups.clone());
        }
        Ok(user)
    }

    pub(super) async fn update_user_inner(&self, id: &str, patch: &UserPatch) -> Result<User> {
        let save = needed(&self.profile.endpoints.save_user, Operation::UpdateUser)?;
        let fields = &self.profile.user;
        let body = match self.profile.update_style {
            UpdateStyle::ReadModifyWrite => {
                let mut object = self
                    .user_object_by_id(id)
                    .await?
                    .ok_or_else(|| DirectoryError::not_found(format!("user {id}")))?;
                if patch.is_empty() {
                    return users::from_wire(fields, &object);
                }
                users::apply_patch(fields, &mut object, patch, ClearBy::Removing)?;
                object
            }
            UpdateStyle::Partial => {
                let mut body = WireObject::new();
                if !save.path.contains("{id}") {
                    body.insert(
                        fields.id[0].clone(),
                        serde_json::Value::String(id.to_owned()),
                    );
                }
                let cleared = match self.profile.partial_clear {
                    PartialClear::Null => serde_json::Value::Null,
                    PartialClear::EmptyString => serde_json::Value::String(String::new()),
                };
                users::apply_patch(fields, &mut body, patch, ClearBy::Sending(cleared))?;
                body
            }
        };
        // A save naming the user by id carries absolute values: safe to repeat.
        let request = with_body(self.request(save, Some(id))?, &body, true);
        let reply = self.api.send(&request).await?;
        if reply.status == 404 {
            return Err(DirectoryError::not_found(format!("user {id}")));
        }
        if !reply.is_success() {
            return Err(self.api.error(&reply, true));
        }
        let object = match object_of(&reply)?.filter(|_| !save.void) {
            Some(object) => object,
            None => self
                .user_object_by_id(id)
                .await?
                .ok_or_else(|| DirectoryError::not_found(format!("user {id}")))?,
        };
        users::from_wire(fields, &object)
    }

    pub(super) async fn delete_user_inner(&self, id: &str) -> Result<()> {
        let endpoint = needed(&self.profile.endpoints.delete_user, Operation::DeleteUser)?;
        let request = self.request(endpoint, Some(id))?;
        let reply = self.api.send(&request).await?;
        match reply.status {
            404 => Err(DirectoryError::not_found(format!("user {id}"))),
            _ if reply.is_success() => Ok(()),
            _ => Err(self.api.error(&reply, true)),
        }
    }
}
