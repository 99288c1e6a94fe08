//! [`UsersaveDirectory`]: one site of a `/user/save`-style API as a [`UserDirectory`].

mod group_ops;
mod listing;
mod membership;
mod requests;
mod user_ops;

use std::time::Duration;

use async_trait::async_trait;
use roster_core::layers::RetryPolicy;
use roster_core::{
    BackendInfo, DirectoryError, Group, NewGroup, NewUser, Operation, Result, User, UserDirectory,
    UserKey, UserPatch, UserQuery, UserSink,
};
use tokio::sync::OnceCell;

use crate::api::Api;
use crate::builder;
use crate::config::UsersaveConfig;
use crate::profile::Profile;
use crate::template::Vars;

/// The backend kind `describe()` reports.
pub const KIND: &str = "usersave";

/// One site of a `/user/save`-style API (a LumApps organization by default).
pub struct UsersaveDirectory {
    info: BackendInfo,
    profile: Profile,
    api: Api,
    /// Site-level placeholder values (customer, instance, acting user, group type).
    vars: Vars,
    /// The group type found on the site when none is configured, looked up once.
    discovered_group_type: OnceCell<String>,
    list_without_groups: bool,
}

impl std::fmt::Debug for UsersaveDirectory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UsersaveDirectory")
            .field("site", &self.info.site)
            .field("profile", &self.profile.name)
            .field("root", &self.api.root)
            .finish_non_exhaustive()
    }
}

impl UsersaveDirectory {
    /// Checks `config` and builds the directory with its own HTTP client; nothing is sent.
    /// Configuration errors name the offending key.
    pub fn new(site: impl Into<String>, config: UsersaveConfig) -> Result<Self> {
        Self::build(site.into(), config, None)
    }

    /// As [`new`](Self::new), with a caller's HTTP client (its timeouts and proxy settings
    /// apply; `timeout_s` is then ignored).
    pub fn with_client(
        site: impl Into<String>,
        config: UsersaveConfig,
        client: reqwest::Client,
    ) -> Result<Self> {
        Self::build(site.into(), config, Some(client))
    }

    fn build(
        site: String,
        config: UsersaveConfig,
        client: Option<reqwest::Client>,
    ) -> Result<Self> {
        let at_site = |error: DirectoryError| error.at_site(site.clone());
        let profile = builder::effective_profile(&config).map_err(at_site)?;
        let vars = builder::site_vars(&config);
        let api = builder::api(&config, &profile, &vars, client).map_err(at_site)?;
        Ok(Self {
            info: BackendInfo::new(KIND, site.clone(), crate::capabilities::of(&profile)),
            profile,
            api,
            vars,
            discovered_group_type: OnceCell::new(),
            list_without_groups: config.list_without_groups,
        })
    }

    /// The profile in use, with the configuration's tuning applied.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Renames a group (read-modify-write of the whole group object).
    pub async fn rename_group(&self, name: &str, new_name: &str) -> Result<Group> {
        // No canonical operation covers a rename: the error names the site only.
        self.rename_group_inner(name, new_name)
            .await
            .map_err(|error| error.at_site(self.info.site.clone()))
    }

    /// The retry policy the spec gives this platform (§5.6): at most 3 attempts in all,
    /// waits of 1 s then 2 s, with jitter. The Retry layer is where repeats happen.
    pub fn retry_policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            min_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(2),
            jitter: true,
        }
    }

    /// Records operation and site on a failure.
    fn tag<T>(&self, result: Result<T>, operation: Operation) -> Result<T> {
        result.map_err(|error| {
            error
                .in_operation(operation)
                .at_site(self.info.site.clone())
        })
    }

    fn unsupported<T>(operation: Operation) -> Result<T> {
        Err(DirectoryError::unsupported(operation))
    }
}

#[async_trait]
impl UserDirectory for UsersaveDirectory {
    fn describe(&self) -> &BackendInfo {
        &self.info
    }

    async fn list_users(&self, query: &UserQuery) -> Result<Vec<User>> {
        if !self.info.capabilities.list_users {
            return Self::unsupported(Operation::ListUsers);
        }
        let result = self.list_users_inner(query).await;
        self.tag(result, Operation::ListUsers)
    }

    /// Hands each page's users over as the page arrives; a `Break` sends no further page.
    /// `list_users` collects through the same listing.
    async fn for_each_user(&self, query: &UserQuery, sink: &mut dyn UserSink) -> Result<()> {
        if !self.info.capabilities.list_users {
            return Self::unsupported(Operation::ListUsers);
        }
        let result = self.each_user_inner(query, sink).await;
        self.tag(result, Operation::ListUsers)
    }

    async fn get_user(&self, key: &UserKey) -> Result<Option<User>> {
        if !self.info.capabilities.get_user {
            return Self::unsupported(Operation::GetUser);
        }
        let result = self.get_user_inner(key).await;
        self.tag(result, Operation::GetUser)
    }

    async fn create_user(&self, user: &NewUser) -> Result<User> {
        if !self.info.capabilities.create_user {
            return Self::unsupported(Operation::CreateUser);
        }
        let result = self.create_user_inner(user).await;
        self.tag(result, Operation::CreateUser)
    }

    async fn update_user(&self, id: &str, patch: &UserPatch) -> Result<User> {
        let caps = &self.info.capabilities;
        if !caps.update_user || (!patch.active.is_leave() && !caps.deactivate_user) {
            return Self::unsupported(Operation::UpdateUser);
        }
        let result = self.update_user_inner(id, patch).await;
        self.tag(result, Operation::UpdateUser)
    }

    async fn delete_user(&self, id: &str) -> Result<()> {
        if !self.info.capabilities.delete_user {
            return Self::unsupported(Operation::DeleteUser);
        }
        let result = self.delete_user_inner(id).await;
        self.tag(result, Operation::DeleteUser)
    }

    async fn list_groups(&self) -> Result<Vec<Group>> {
        if !self.info.capabilities.list_groups {
            return Self::unsupported(Operation::ListGroups);
        }
        let result = self.visible_groups().await;
        self.tag(result, Operation::ListGroups)
    }

    async fn create_group(&self, group: &NewGroup) -> Result<Group> {
        if !self.info.capabilities.create_group {
            return Self::unsupported(Operation::CreateGroup);
        }
        let result = self.create_group_inner(group).await;
        self.tag(result, Operation::CreateGroup)
    }

    async fn delete_group(&self, name: &str) -> Result<()> {
        if !self.info.capabilities.delete_group {
            return Self::unsupported(Operation::DeleteGroup);
        }
        let result = self.delete_group_inner(name).await;
        self.tag(result, Operation::DeleteGroup)
    }

    async fn set_membership(&self, group: &str, add: &[String], remove: &[String]) -> Result<()> {
        if !self.info.capabilities.write_membership {
            return Self::unsupported(Operation::SetMembership);
        }
        let result = self.set_membership_inner(group, add, remove).await;
        self.tag(result, Operation::SetMembership)
    }
}
