//! The AMS directory: construction, capabilities and the [`UserDirectory`] implementation.

use std::fmt;

use async_trait::async_trait;
use roster_core::{
    BackendInfo, Capabilities, DirectoryError, Group, NewGroup, NewUser, Operation, Result, User,
    UserDirectory, UserKey, UserPatch, UserQuery, UserSink,
};
use tokio::sync::Mutex;

use crate::attributes::READ_ONLY;
use crate::config::AmsConfig;
use crate::http::Transport;
use crate::read_ahead::ReadAhead;

/// The backend kind, as `roster.toml` and `roster describe` name it.
pub const KIND: &str = "ams";

/// One Teamworks AMS (Smartabase) site.
///
/// It logs in on first use, reuses the session for every call and logs in again once when the
/// site answers 401. Users are read with usersearch and person/get, written with person/save
/// as a read-modify-write of the whole record. AMS has no API to delete users or to change
/// group membership, so those operations are `Unsupported` (deactivate with
/// `active = false` instead).
pub struct AmsDirectory {
    info: BackendInfo,
    pub(crate) transport: Transport,
    /// Uploads take turns: the site reports the status of a session's latest upload only.
    pub(crate) upload_turn: Mutex<()>,
    /// Records read for updates the engine announced (`prepare_updates`).
    pub(crate) read_ahead: ReadAhead,
}

impl AmsDirectory {
    /// A directory for the site named `site` (the roster site name), with its own HTTP client
    /// (the configured connect and read timeouts, rustls).
    pub fn new(site: impl Into<String>, config: AmsConfig) -> Result<Self> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout())
            .read_timeout(config.read_timeout())
            .build()
            .map_err(|error| {
                DirectoryError::config(format!("cannot build the HTTP client: {error}"))
            })?;
        Self::with_client(site, config, client)
    }

    /// A directory that sends through `client` (its timeouts and TLS settings apply).
    pub fn with_client(
        site: impl Into<String>,
        config: AmsConfig,
        client: reqwest::Client,
    ) -> Result<Self> {
        let site = site.into();
        let resolved = config
            .resolve()
            .map_err(|error| error.at_site(site.clone()))?;
        Ok(Self {
            info: BackendInfo::new(KIND, site, Self::capabilities()),
            transport: Transport::new(
                client,
                resolved.site,
                resolved.username,
                resolved.password,
                resolved.max_response_bytes,
            ),
            upload_turn: Mutex::new(()),
            read_ahead: ReadAhead::default(),
        })
    }

    /// What AMS can do (spec §4); the read-only fields are the RO attributes of spec §3.1.
    pub fn capabilities() -> Capabilities {
        Capabilities {
            list_users: true,
            get_user: true,
            create_user: true,
            update_user: true,
            delete_user: false,
            deactivate_user: true,
            list_groups: true,
            create_group: false,
            delete_group: false,
            read_membership: true,
            write_membership: false,
            max_groups_per_user: None,
            batch_max: 1,
            server_side_filter: true,
            remote_dry_run: false,
            avatar_upload: true,
            page_size: None,
            read_only_fields: READ_ONLY.iter().map(|name| (*name).to_owned()).collect(),
            writable_attributes: Some(
                crate::attributes::WRITABLE
                    .iter()
                    .map(|attribute| attribute.name.to_owned())
                    .collect(),
            ),
        }
    }

    /// The athletes of `group`, as full users; an unknown or empty group has none.
    pub async fn group_members(&self, group: &str) -> Result<Vec<User>> {
        let query = UserQuery::all().with("group", group);
        self.list(&query)
            .await
            .map_err(|error| self.tag(error, Operation::ListUsers))
    }

    /// The site URL, without a trailing `/`.
    pub fn site_url(&self) -> &str {
        &self.transport.urls().site
    }

    pub(crate) fn describe_site(&self) -> &str {
        &self.info.site
    }

    /// Records the operation and the site on an error.
    pub(crate) fn tag(&self, error: DirectoryError, operation: Operation) -> DirectoryError {
        error
            .in_operation(operation)
            .at_site(self.info.site.clone())
    }

    fn unsupported(&self, operation: Operation) -> DirectoryError {
        DirectoryError::unsupported(operation).at_site(self.info.site.clone())
    }
}

impl fmt::Debug for AmsDirectory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AmsDirectory")
            .field("site", &self.info.site)
            .field("url", &self.transport.urls().site)
            .field("username", &self.transport.username())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl UserDirectory for AmsDirectory {
    fn describe(&self) -> &BackendInfo {
        &self.info
    }

    async fn list_users(&self, query: &UserQuery) -> Result<Vec<User>> {
        self.list(query)
            .await
            .map_err(|error| self.tag(error, Operation::ListUsers))
    }

    /// Hands users over one person/get batch at a time, so the full records of at most
    /// [`PERSON_GET_BATCH`](crate::PERSON_GET_BATCH) users are held; a `Break` sends nothing
    /// more. `list_users` collects through the same listing.
    async fn for_each_user(&self, query: &UserQuery, sink: &mut dyn UserSink) -> Result<()> {
        self.each_user(query, sink)
            .await
            .map_err(|error| self.tag(error, Operation::ListUsers))
    }

    async fn get_user(&self, key: &UserKey) -> Result<Option<User>> {
        self.get(key)
            .await
            .map_err(|error| self.tag(error, Operation::GetUser))
    }

    async fn create_user(&self, user: &NewUser) -> Result<User> {
        self.create(user)
            .await
            .map_err(|error| self.tag(error, Operation::CreateUser))
    }

    async fn update_user(&self, id: &str, patch: &UserPatch) -> Result<User> {
        self.update(id, patch)
            .await
            .map_err(|error| self.tag(error, Operation::UpdateUser))
    }

    async fn delete_user(&self, _id: &str) -> Result<()> {
        Err(self.unsupported(Operation::DeleteUser))
    }

    async fn list_groups(&self) -> Result<Vec<Group>> {
        self.groups()
            .await
            .map_err(|error| self.tag(error, Operation::ListGroups))
    }

    async fn create_group(&self, _group: &NewGroup) -> Result<Group> {
        Err(self.unsupported(Operation::CreateGroup))
    }

    async fn delete_group(&self, _name: &str) -> Result<()> {
        Err(self.unsupported(Operation::DeleteGroup))
    }

    /// Reads the records of the users about to be updated with as few person/get requests as
    /// the batch limit allows; each update then saves without reading first.
    async fn prepare_updates(&self, ids: &[String]) -> Result<()> {
        self.read_records_ahead(ids)
            .await
            .map_err(|error| self.tag(error, Operation::PrepareUpdates))
    }

    async fn set_membership(
        &self,
        _group: &str,
        _add: &[String],
        _remove: &[String],
    ) -> Result<()> {
        Err(self.unsupported(Operation::SetMembership))
    }
}
