//! Group reads and writes: `/api/v1/groups` and `/api/v1/groups/<name>`, plus the group
//! extras that do not fit the canonical trait (get one group, update access or name).

use reqwest::Method;
use roster_core::{DirectoryError, Group, NewGroup, Operation, Result};
use serde_json::Value;

use crate::directory::PeriscopeDirectory;
use crate::errors::{decode_error, Repeat};
use crate::http::{Call, Reply};
use crate::mapping::group_from_wire;
use crate::pages::PageCursor;
use crate::wire::{entity, page, to_body, CreateGroupBody, UpdateGroupBody, WireGroup};

/// The groups every site has; the product relies on them, so they cannot be deleted.
pub const BUILT_IN_GROUPS: [&str; 2] = ["Administrators", "All Users"];

/// The group attribute holding the access level (`SQL`, `Discovery`, `View`, …).
pub const ACCESS: &str = "access";

/// A change to a group: a new name, a new access level, or both.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupUpdate {
    /// Renames the group; its members follow.
    pub name: Option<String>,
    /// The access level of the group's members.
    pub access: Option<String>,
}

impl PeriscopeDirectory {
    /// One group by name (`GET /api/v1/groups/<name>`); `None` when there is none.
    pub async fn get_group(&self, name: &str) -> Result<Option<Group>> {
        // `Operation` names the trait's operations only; a group read is closest to a listing.
        self.fetch_group(name)
            .await
            .map_err(self.tag(Operation::ListGroups))
    }

    /// Renames a group or changes its access level (`PUT /api/v1/groups/<name>`), with
    /// `updated_by_email` from the configuration. A rename is not safe to repeat blindly: after
    /// an ambiguous failure, look the new name up first.
    pub async fn update_group(&self, name: &str, update: &GroupUpdate) -> Result<Group> {
        // `Operation` has no group update; errors are filed under the other group write.
        self.send_update_group(name, update)
            .await
            .map_err(self.tag(Operation::CreateGroup))
    }

    pub(crate) async fn fetch_group(&self, name: &str) -> Result<Option<Group>> {
        let call = Call {
            method: Method::GET,
            url: self.site.endpoints.group_read(name)?,
            email: None,
            body: None,
            kind: self.read_kind(name),
        };
        let Some(reply) = self.site.http.lookup(call).await? else {
            return Ok(None);
        };
        let wire = entity::<WireGroup>(&reply.body)
            .ok_or_else(|| decode_error("expected a group object"))?;
        Ok(Some(group_from_wire(wire)))
    }

    /// Every group, following `next_page_start` while the site sends one.
    pub(crate) async fn fetch_all_groups(&self) -> Result<Vec<Group>> {
        let mut groups = Vec::new();
        let mut cursor = PageCursor::new("group");
        loop {
            let call = Call {
                method: Method::GET,
                url: self.site.endpoints.groups_read(cursor.token())?,
                email: None,
                body: None,
                kind: self.read_kind("groups"),
            };
            let reply = self.site.http.send(call).await?;
            let page = page::<WireGroup>(&reply.body)
                .map_err(|message| self.site.http.undecodable(message))?;
            let listed = page.items.len();
            groups.extend(page.items.into_iter().map(group_from_wire));
            let more = cursor
                .advance(listed, page.next_page_start)
                .map_err(|message| self.site.http.undecodable(message))?;
            if !more {
                return Ok(groups);
            }
        }
    }

    /// `POST /api/v1/groups` with the group's access level, else the configured default.
    pub(crate) async fn send_create_group(&self, group: &NewGroup) -> Result<Group> {
        if group.name.trim().is_empty() {
            return Err(DirectoryError::invalid(
                Some("name"),
                "a group needs a name",
            ));
        }
        if let Some(other) = group.attributes.keys().find(|name| *name != ACCESS) {
            return Err(DirectoryError::invalid(
                Some(other),
                "only `access` can be written on a Periscope group",
            ));
        }
        let access = match group.attributes.get(ACCESS) {
            Some(Value::String(access)) => access.as_str(),
            Some(_) => {
                return Err(DirectoryError::invalid(
                    Some(ACCESS),
                    "the access level is text (SQL, Discovery, View)",
                ))
            }
            None => self
                .site
                .settings
                .default_group_access
                .as_deref()
                .ok_or_else(|| {
                    DirectoryError::invalid(
                        Some(ACCESS),
                        "a Periscope group needs an access level; give the `access` attribute or \
                     configure `default_group_access`",
                    )
                })?,
        };
        let created_by_email = self
            .site
            .settings
            .created_by_email
            .as_deref()
            .ok_or_else(|| {
                DirectoryError::config(
                    "periscope `created_by_email`: required to create groups (defaults to \
                 `invited_by_email`)",
                )
            })?;
        let body = CreateGroupBody {
            name: &group.name,
            access,
            created_by_email,
        };
        let call = Call {
            method: Method::POST,
            url: self.site.endpoints.groups_write(self.is_test_mode())?,
            email: None,
            body: Some(to_body(&body)),
            kind: self.write_kind(&group.name, Repeat::Unsafe, true),
        };
        let reply = self.site.http.send(call).await?;
        if let Some(created) = group_in(&reply) {
            return Ok(created);
        }
        if self.is_test_mode() {
            return Ok(Group {
                name: group.name.clone(),
                id: None,
                attributes: [(ACCESS.to_owned(), Value::String(access.to_owned()))]
                    .into_iter()
                    .collect(),
            });
        }
        self.reread_group(&group.name).await
    }

    async fn send_update_group(&self, name: &str, update: &GroupUpdate) -> Result<Group> {
        let renaming = update.name.as_deref().filter(|new| *new != name);
        if renaming.is_some_and(|new| new.trim().is_empty()) {
            return Err(DirectoryError::invalid(
                Some("name"),
                "a group needs a name",
            ));
        }
        let body = UpdateGroupBody {
            name: renaming,
            access: update.access.as_deref(),
            updated_by_email: self.site.settings.created_by_email.as_deref(),
        };
        let repeat = if renaming.is_some() {
            Repeat::Unsafe
        } else {
            Repeat::Safe
        };
        let call = Call {
            method: Method::PUT,
            url: self.site.endpoints.group_write(name, self.is_test_mode())?,
            email: None,
            body: Some(to_body(&body)),
            kind: self.write_kind(name, repeat, false),
        };
        let reply = self.site.http.send(call).await?;
        if let Some(updated) = group_in(&reply) {
            return Ok(updated);
        }
        if self.is_test_mode() {
            let mut current = self
                .fetch_group(name)
                .await?
                .ok_or_else(|| DirectoryError::not_found(name))?;
            if let Some(new) = renaming {
                current.name = new.to_owned();
            }
            if let Some(access) = &update.access {
                current
                    .attributes
                    .insert(ACCESS.to_owned(), Value::String(access.clone()));
            }
            return Ok(current);
        }
        self.reread_group(renaming.unwrap_or(name)).await
    }

    /// `DELETE /api/v1/groups/<name>`; the built-in groups are refused before sending.
    pub(crate) async fn send_delete_group(&self, name: &str) -> Result<()> {
        if BUILT_IN_GROUPS.contains(&name) {
            return Err(DirectoryError::invalid(
                Some("name"),
                format!("{name} is a built-in Periscope group and cannot be deleted"),
            ));
        }
        let call = Call {
            method: Method::DELETE,
            url: self.site.endpoints.group_write(name, self.is_test_mode())?,
            email: None,
            body: None,
            kind: self.write_kind(name, Repeat::Safe, false),
        };
        self.site.http.send(call).await.map(drop)
    }

    async fn reread_group(&self, name: &str) -> Result<Group> {
        self.fetch_group(name).await?.ok_or_else(|| {
            decode_error(format!(
                "the write was answered without the group, and {name} cannot be read back"
            ))
        })
    }
}

fn group_in(reply: &Reply) -> Option<Group> {
    entity::<WireGroup>(&reply.body).map(group_from_wire)
}
