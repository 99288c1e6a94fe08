//! Groups: listing (built-in groups left out), lookup by name, create (with the group type
//! found on the site when none is configured), delete and rename.

use roster_core::{DirectoryError, ErrorKind, Group, NewGroup, Operation, Result};
use serde_json::Value;

use super::requests::{needed, object_of, with_body};
use super::UsersaveDirectory;
use crate::groups::{self, ListedGroup};
use crate::paging::fetch_all;
use crate::template::slug;

impl UsersaveDirectory {
    /// Every group, built-in ones included (flagged).
    pub(super) async fn all_groups(&self) -> Result<Vec<ListedGroup>> {
        let endpoint = needed(&self.profile.endpoints.list_groups, Operation::ListGroups)?;
        let request = self.request(endpoint, None)?;
        fetch_all(&self.api, &self.profile.pagination, request, true)
            .await?
            .iter()
            .map(|object| groups::from_wire(&self.profile.group, object))
            .collect()
    }

    /// The groups `list_groups` reports: all but the built-in ones.
    pub(super) async fn visible_groups(&self) -> Result<Vec<Group>> {
        Ok(self
            .all_groups()
            .await?
            .into_iter()
            .filter(|listed| !listed.implicit)
            .map(|listed| listed.group)
            .collect())
    }

    /// The one group called `name` (compared case-insensitively, as the SDK does). Names are
    /// not unique on every platform: two matches are a conflict.
    pub(super) async fn find_group(&self, name: &str) -> Result<ListedGroup> {
        let wanted = name.to_lowercase();
        let mut matches: Vec<ListedGroup> = self
            .all_groups()
            .await?
            .into_iter()
            .filter(|listed| listed.group.name.to_lowercase() == wanted)
            .collect();
        match matches.len() {
            0 => Err(DirectoryError::not_found(format!("group {name}"))),
            1 => Ok(matches.remove(0)),
            count => Err(DirectoryError::new(ErrorKind::Conflict {
                message: format!("{count} groups are called {name}"),
            })),
        }
    }

    /// `find_group`, refusing the built-in groups, which are never written.
    pub(super) async fn find_writable_group(&self, name: &str) -> Result<ListedGroup> {
        let group = self.find_group(name).await?;
        if group.implicit {
            return Err(DirectoryError::invalid(
                Some("group"),
                format!("{name} is a built-in group and is never written"),
            ));
        }
        Ok(group)
    }

    pub(super) async fn create_group_inner(&self, group: &NewGroup) -> Result<Group> {
        let save = needed(&self.profile.endpoints.save_group, Operation::CreateGroup)?;
        let fields = &self.profile.group;
        let mut vars = self
            .vars
            .clone()
            .with("name", Some(&group.name))
            .with("slug", Some(&slug(&group.name)));
        if groups::create_needs(fields, group, "group_type")?
            && vars.fill("{group_type}").ok().flatten().is_none()
        {
            vars = vars.with("group_type", Some(self.discovered_group_type().await?));
        }
        let body = groups::create_body(fields, group, &vars)?;
        // Group names are not unique: a repeated create could make a second group.
        let request = with_body(self.request(save, None)?, &body, false);
        let reply = self.api.send_ok(&request).await?;
        match object_of(&reply)?.filter(|_| !save.void) {
            Some(object) => Ok(groups::from_wire(fields, &object)?.group),
            None => Ok(self.find_group(&group.name).await?.group),
        }
    }

    /// The only group type at the configured level, looked up once.
    async fn discovered_group_type(&self) -> Result<&str> {
        let found = self
            .discovered_group_type
            .get_or_try_init(|| async {
                let endpoint = self.profile.endpoints.group_types.as_ref().ok_or_else(|| {
                    DirectoryError::config("group_type: missing (new groups need a type)")
                })?;
                let request = self.request(endpoint, None)?;
                let types = fetch_all(&self.api, &self.profile.pagination, request, false).await?;
                // Types carry their level in the field the scope parameter names.
                let level_field = endpoint.scope_param.as_deref().unwrap_or("instance");
                let instance = self.instance_id();
                let at_level = |wanted: Option<&str>| -> Vec<String> {
                    types
                        .iter()
                        .filter(|object| object.text(level_field) == wanted)
                        .filter_map(|object| crate::users::wire_id(&self.profile.group.id, object))
                        .collect()
                };
                let mut candidates = at_level(instance.as_deref());
                if candidates.is_empty() && instance.is_some() {
                    // An instance inherits the platform's types.
                    candidates = at_level(None);
                }
                match candidates.len() {
                    1 => Ok(candidates.remove(0)),
                    count => Err(DirectoryError::config(format!(
                        "group_type: missing, and the site has {count} group types at this level"
                    ))),
                }
            })
            .await?;
        Ok(found.as_str())
    }

    pub(super) async fn delete_group_inner(&self, name: &str) -> Result<()> {
        let endpoint = needed(&self.profile.endpoints.delete_group, Operation::DeleteGroup)?;
        let group = self.find_writable_group(name).await?;
        let request = self.request(endpoint, Some(group.id()))?;
        let reply = self.api.send(&request).await?;
        // A 404 means it is already gone: a repeated delete is done.
        if reply.is_success() || reply.status == 404 {
            Ok(())
        } else {
            Err(self.api.error(&reply, true))
        }
    }

    pub(super) async fn rename_group_inner(&self, name: &str, new_name: &str) -> Result<Group> {
        let get = needed(&self.profile.endpoints.get_group, Operation::CreateGroup)?;
        let save = needed(&self.profile.endpoints.save_group, Operation::CreateGroup)?;
        let group = self.find_writable_group(name).await?;
        let mut object = self
            .fetch_optional(&self.request(get, Some(group.id()))?)
            .await?
            .ok_or_else(|| DirectoryError::not_found(format!("group {name}")))?;
        object.insert(
            self.profile.group.name.clone(),
            Value::String(new_name.to_owned()),
        );
        // A save naming the group by id carries absolute values: safe to repeat.
        let request = with_body(self.request(save, Some(group.id()))?, &object, true);
        let reply = self.api.send_ok(&request).await?;
        match object_of(&reply)?.filter(|_| !save.void) {
            Some(saved) => Ok(groups::from_wire(&self.profile.group, &saved)?.group),
            None => Ok(self.find_group(new_name).await?.group),
        }
    }
}
