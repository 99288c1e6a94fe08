//! `RedcapDirectory`: one REDCap project as a roster directory.

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use async_trait::async_trait;
use chrono::NaiveDate;
use roster_core::{
    BackendInfo, Capabilities, DirectoryError, Group, NewGroup, NewUser, Operation, Result, User,
    UserDirectory, UserKey, UserOp, UserPatch, UserQuery, UserSink,
};

use crate::api::{Api, Content};
use crate::config::RedcapConfig;
use crate::observed::{Observed, RoleDetail, Snapshot};
use crate::rows::{RoleMappingRow, RoleRow, UserRow};
use crate::transport::Transport;

/// The backend kind, as `roster.toml` and `roster describe` name it.
pub const KIND: &str = "redcap";

/// A REDCap project: users are project users, groups are Data Access Groups (one per user),
/// and `role`, `expiration`, `rights`, `forms` and `forms_export` are attributes.
///
/// Besides [`UserDirectory`], it offers what does not fit the canonical model: the raw user
/// export ([`RedcapDirectory::export_users_raw`]), roles ([`RedcapDirectory::list_roles`] and
/// the calls next to it), DAG renames and the DAG switch.
pub struct RedcapDirectory {
    info: BackendInfo,
    pub(crate) api: Api,
    pub(crate) batch_max: usize,
    read_roles: bool,
    fixed_today: Option<NaiveDate>,
    pub(crate) observed: Observed,
}

impl std::fmt::Debug for RedcapDirectory {
    /// The site and settings; never the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedcapDirectory")
            .field("site", &self.info.site)
            .field("batch_max", &self.batch_max)
            .field("read_roles", &self.read_roles)
            .finish_non_exhaustive()
    }
}

impl RedcapDirectory {
    /// A directory for the project `config` describes, named `site`. Checks the configuration
    /// (errors name the field, never the token) and builds an HTTP client with the configured
    /// timeouts. Sends nothing.
    pub fn new(site: impl Into<String>, config: RedcapConfig) -> Result<Self> {
        Self::build(site.into(), config, None)
    }

    /// Like [`RedcapDirectory::new`], over a client the caller built (shared connection pool,
    /// proxies, own timeouts).
    pub fn with_client(
        site: impl Into<String>,
        config: RedcapConfig,
        client: reqwest::Client,
    ) -> Result<Self> {
        Self::build(site.into(), config, Some(client))
    }

    fn build(site: String, config: RedcapConfig, client: Option<reqwest::Client>) -> Result<Self> {
        let (url, token) = config
            .validate()
            .map_err(|error| error.at_site(site.clone()))?;
        let transport =
            Transport::new(&config, url, token, client).map_err(|error| error.at_site(&site))?;
        Ok(Self {
            info: BackendInfo::new(KIND, site, capabilities(config.batch_max)),
            api: Api::new(transport),
            batch_max: config.batch_max,
            read_roles: config.read_roles,
            fixed_today: None,
            observed: Observed::default(),
        })
    }

    /// Pins the date that decides `active` and that deactivation writes as `expiration`.
    /// By default it is today's UTC date; pin it for a server whose "today" differs (spec §8
    /// question 6) or for tests.
    pub fn with_today(mut self, today: NaiveDate) -> Self {
        self.fixed_today = Some(today);
        self
    }

    /// The site name, for errors.
    pub(crate) fn site(&self) -> &str {
        &self.info.site
    }

    /// Adds the operation and the site to an error.
    pub(crate) fn fail(
        &self,
        operation: Operation,
    ) -> impl Fn(DirectoryError) -> DirectoryError + '_ {
        move |error| error.in_operation(operation).at_site(self.site())
    }

    pub(crate) fn today(&self) -> NaiveDate {
        self.fixed_today
            .unwrap_or_else(|| chrono::Utc::now().date_naive())
    }

    /// How much role detail listings carry.
    pub(crate) fn listing_detail(&self) -> RoleDetail {
        if self.read_roles {
            RoleDetail::Labels
        } else {
            RoleDetail::None
        }
    }

    /// Exports the users (and the roles as far as `detail` asks) and keeps the result as the
    /// latest observation.
    pub(crate) async fn read_users(&self, detail: RoleDetail) -> Result<Snapshot> {
        let mut users = BTreeMap::new();
        self.api
            .export_each(Content::User, &mut |row: UserRow| {
                users.insert(row.username.to_lowercase(), row);
                ControlFlow::Continue(())
            })
            .await?;
        let mut snapshot = self.read_roles(detail).await?;
        snapshot.users = users;
        self.observed.store(snapshot.clone());
        Ok(snapshot)
    }

    /// The roles as far as `detail` asks (the user-role mapping, then the role export), as a
    /// snapshot that holds no users yet.
    pub(crate) async fn read_roles(&self, detail: RoleDetail) -> Result<Snapshot> {
        let roles = if detail >= RoleDetail::Names {
            let mapping: Vec<RoleMappingRow> = self.api.export(Content::UserRoleMapping).await?;
            Some(
                mapping
                    .into_iter()
                    .map(|row| (row.username.to_lowercase(), row.unique_role_name))
                    .collect::<BTreeMap<_, _>>(),
            )
        } else {
            None
        };
        let role_labels = if detail >= RoleDetail::Labels {
            let roles: Vec<RoleRow> = self.api.export(Content::UserRole).await?;
            Some(
                roles
                    .into_iter()
                    .map(|role| (role.unique_role_name, role.role_label))
                    .collect::<BTreeMap<_, _>>(),
            )
        } else {
            None
        };
        Ok(Snapshot::new(BTreeMap::new(), roles, role_labels))
    }

    /// The latest observation when it is recent and detailed enough, else a fresh read.
    pub(crate) async fn observed_or_read(&self, detail: RoleDetail) -> Result<Snapshot> {
        match self.observed.fresh(detail) {
            Some(snapshot) => Ok(snapshot),
            None => self.read_users(detail).await,
        }
    }
}

/// Spec §4, with the site's batch size.
fn capabilities(batch_max: usize) -> Capabilities {
    Capabilities {
        list_users: true,
        get_user: true,
        create_user: true,
        update_user: true,
        delete_user: true,
        deactivate_user: true,
        list_groups: true,
        create_group: true,
        delete_group: true,
        read_membership: true,
        write_membership: true,
        max_groups_per_user: Some(1),
        batch_max,
        server_side_filter: false,
        remote_dry_run: false,
        avatar_upload: false,
        page_size: None,
        read_only_fields: READ_ONLY_FIELDS
            .iter()
            .map(|field| field.to_string())
            .collect(),
        writable_attributes: Some(WRITABLE_ATTRIBUTES.iter().map(|a| a.to_string()).collect()),
    }
}

/// Fields REDCap reports but this API cannot write: the account's email and names (spec §3),
/// and the label of the user's role.
pub const READ_ONLY_FIELDS: [&str; 4] = ["email", "first_name", "last_name", "role_label"];

/// The attributes the project API writes (spec §3): the role, the expiration, and rights and
/// form rights of users without a role.
pub const WRITABLE_ATTRIBUTES: [&str; 5] =
    ["role", "expiration", "rights", "forms", "forms_export"];

#[async_trait]
impl UserDirectory for RedcapDirectory {
    fn describe(&self) -> &BackendInfo {
        &self.info
    }

    async fn list_users(&self, query: &UserQuery) -> Result<Vec<User>> {
        self.list_users_impl(query).await
    }

    /// One user export, each row handed over as it is decoded from the body, in the export's
    /// order; `list_users` collects through the same listing.
    async fn for_each_user(&self, query: &UserQuery, sink: &mut dyn UserSink) -> Result<()> {
        self.for_each_user_impl(query, sink).await
    }

    async fn get_user(&self, key: &UserKey) -> Result<Option<User>> {
        self.get_user_impl(key).await
    }

    async fn create_user(&self, user: &NewUser) -> Result<User> {
        self.create_user_impl(user).await
    }

    async fn update_user(&self, id: &str, patch: &UserPatch) -> Result<User> {
        self.update_user_impl(id, patch).await
    }

    async fn delete_user(&self, id: &str) -> Result<()> {
        self.delete_user_impl(id).await
    }

    async fn list_groups(&self) -> Result<Vec<Group>> {
        self.list_groups_impl().await
    }

    async fn create_group(&self, group: &NewGroup) -> Result<Group> {
        self.create_group_impl(group).await
    }

    async fn delete_group(&self, name: &str) -> Result<()> {
        self.delete_group_impl(name).await
    }

    async fn set_membership(&self, group: &str, add: &[String], remove: &[String]) -> Result<()> {
        self.set_membership_impl(group, add, remove).await
    }

    async fn apply_batch(&self, ops: &[UserOp]) -> Result<Vec<Result<Option<User>>>> {
        self.apply_batch_impl(ops).await
    }
}
