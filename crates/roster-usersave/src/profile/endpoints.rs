//! The endpoints of a profile: which call does what, and how its parameters are named.

use serde::Deserialize;

use crate::OrderedMap;

/// The HTTP method of an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl HttpMethod {
    pub(crate) fn to_reqwest(self) -> reqwest::Method {
        match self {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
            HttpMethod::Put => reqwest::Method::PUT,
            HttpMethod::Patch => reqwest::Method::PATCH,
            HttpMethod::Delete => reqwest::Method::DELETE,
        }
    }
}

/// One endpoint. An object id goes into the path where it holds `{id}`, otherwise into the
/// query parameter `id_param`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub method: HttpMethod,
    /// Relative to the API prefix.
    pub path: String,
    /// Query parameter naming the object by id.
    #[serde(default)]
    pub id_param: Option<String>,
    /// Query parameter naming a user by e-mail (`get_user`).
    #[serde(default)]
    pub email_param: Option<String>,
    /// Query parameter scoping a group call to the configured instance (`instance_id`).
    #[serde(default)]
    pub scope_param: Option<String>,
    /// Constant query parameters, in order; placeholders allowed.
    #[serde(default)]
    pub params: OrderedMap<String>,
    /// The endpoint answers with an empty body: after a save, the object is read back.
    #[serde(default)]
    pub void: bool,
}

impl Endpoint {
    /// An endpoint with just a method, a path and an id parameter (membership and member
    /// listing calls, which carry their own settings).
    pub(crate) fn plain(method: HttpMethod, path: &str, id_param: Option<String>) -> Self {
        Self {
            method,
            path: path.to_owned(),
            id_param,
            email_param: None,
            scope_param: None,
            params: OrderedMap::new(),
            void: false,
        }
    }
}

/// Every endpoint a profile may name. A missing one switches the capability off.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoints {
    #[serde(default)]
    pub list_users: Option<Endpoint>,
    #[serde(default)]
    pub get_user: Option<Endpoint>,
    /// Creates and updates (an upsert), unless `create_user` is given for creates.
    #[serde(default)]
    pub save_user: Option<Endpoint>,
    /// Creates, where the API has a create call apart from its save call.
    #[serde(default)]
    pub create_user: Option<Endpoint>,
    #[serde(default)]
    pub delete_user: Option<Endpoint>,
    #[serde(default)]
    pub list_groups: Option<Endpoint>,
    /// Reads one group for a rename (read-modify-write).
    #[serde(default)]
    pub get_group: Option<Endpoint>,
    #[serde(default)]
    pub save_group: Option<Endpoint>,
    #[serde(default)]
    pub delete_group: Option<Endpoint>,
    /// The group types, when new groups need one and `group_type` is not configured.
    #[serde(default)]
    pub group_types: Option<Endpoint>,
    #[serde(default)]
    pub membership: Option<MembershipEndpoint>,
    #[serde(default)]
    pub list_members: Option<ListMembers>,
    /// The groups of one user.
    #[serde(default)]
    pub user_groups: Option<Endpoint>,
}

/// A batched membership call: one group, users to add and users to remove.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembershipEndpoint {
    pub method: HttpMethod,
    pub path: String,
    /// Body field naming the group; absent when the path holds `{id}`.
    #[serde(default)]
    pub group_field: Option<String>,
    pub add_field: String,
    pub remove_field: String,
    /// What a member entry is: the user's id or e-mail.
    #[serde(default)]
    pub member_ref: MemberRef,
    /// Most entries (adds and removes together) in one call.
    pub max_batch: usize,
    /// Accepted for symmetry with other endpoints: membership answers are never read.
    #[serde(default)]
    pub void: bool,
    /// How the server says one entry is not a user.
    #[serde(default)]
    pub missing_member: Option<MissingMember>,
}

/// What the membership body lists users by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRef {
    #[default]
    Id,
    Email,
}

/// An error that names one unknown user of a membership batch: this status and a message
/// starting with this prefix, followed by the entry as sent.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MissingMember {
    pub status: u16,
    pub message_prefix: String,
}

/// How the members of one group are listed.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "via", rename_all = "snake_case", deny_unknown_fields)]
pub enum ListMembers {
    /// The user list with a group filter (LumApps: `user/list?feeds=<id>`).
    ListUsers { filter_param: String },
    /// An endpoint of its own, answering a user list.
    Endpoint {
        method: HttpMethod,
        path: String,
        #[serde(default)]
        id_param: Option<String>,
    },
}
