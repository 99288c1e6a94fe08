//! What a `/user/save`-style API looks like on the wire: paths, field names, pagination, auth
//! and error shape (spec §7). [`Profile::lumapps`] is the default; [`Profile::generic`] is a
//! second profile that differs in every area, so a client can be proven against both.
//!
//! A profile is plain data (serde), so it can also be written as JSON and loaded at start-up.
//! List filter parameters other than the member filter keep their LumApps names (`status`,
//! `email`, `ids`, `types`, `query`, `showHidden`, `instance`, `type`, `hasGroup`, …) in every
//! profile; each only applies when the profile has the field it filters on.

use serde::{Deserialize, Serialize};

/// One `/user/save`-style API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Short name; test routes live under `/__sim/<name>/`.
    pub name: String,
    /// Prefix of every API path, e.g. `/_ah/api/lumsites/v1`.
    pub api_prefix: String,
    /// How calls authenticate.
    pub auth: AuthStyle,
    /// Optional header that, when sent, must equal the customer id (else `403`).
    #[serde(default)]
    pub organization_header: Option<String>,
    /// Error body shape.
    pub errors: ErrorEnvelope,
    /// How lists are paged.
    pub pagination: Pagination,
    /// What a save does with an existing object.
    pub save: SaveStyle,
    /// Endpoint paths and parameter names.
    pub endpoints: Endpoints,
    /// User field names.
    pub user: UserFields,
    /// Group field names.
    pub group: GroupFields,
    /// Unauthenticated discovery document path (LumApps only), e.g.
    /// `/_ah/api/discovery/v1/apis/lumsites/v1/rest`.
    #[serde(default)]
    pub discovery_path: Option<String>,
}

/// How API calls authenticate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "style", rename_all = "snake_case")]
pub enum AuthStyle {
    /// OAuth application: `POST <path>` (Basic client credentials, form
    /// `grant_type=client_credentials&user_email=…`) gives a bearer token acting as that user.
    TokenEndpoint {
        /// Path template; `{customer_id}` is replaced by the customer id.
        path: String,
        /// Token lifetime in seconds.
        token_ttl_secs: u64,
    },
    /// A fixed bearer token from the credentials; `401` is final.
    StaticBearer,
    /// `Authorization: Basic` with the credentials' username and password on every call.
    Basic,
}

/// Error body shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorEnvelope {
    /// `{"error":{"code":N,"errors":[{"domain":"global","message":M,"reason":R}],"message":M}}`.
    Google,
    /// `{"error":"M"}`.
    Plain,
}

/// How lists are paged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "style", rename_all = "snake_case")]
pub enum Pagination {
    /// `{"<items>":[…],"<more>":true,"<cursor>":"…"}`; the cursor goes back as a query
    /// parameter (or in the body of POST lists).
    CursorMore {
        /// Query parameter (and POST body field) carrying the cursor.
        cursor_param: String,
        /// Response field holding the page's items (omitted when empty).
        items_field: String,
        /// Response field saying whether more pages follow (always present).
        more_field: String,
        /// Response field with the next cursor (present exactly when `more` is true).
        cursor_field: String,
        /// Query parameter with the requested page size.
        page_size_param: String,
        /// Page size when the request names none.
        default_page_size: usize,
    },
    /// Every list is one bare JSON array.
    None,
}

/// Save semantics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveStyle {
    /// `true`: an update replaces the stored object with the body (absent fields reset);
    /// `false`: the body's fields are merged into it (partial update).
    pub replace: bool,
    /// `true`: a save without id whose e-mail exists updates that user; `false`: `409`.
    pub upsert_by_email: bool,
}

/// One endpoint: method, path below the prefix, and its id / e-mail parameter names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    /// HTTP method, upper case.
    pub method: String,
    /// Path below `api_prefix`, e.g. `user/list`; also the request-counter name.
    pub path: String,
    /// Query parameter carrying an id.
    #[serde(default)]
    pub id_param: Option<String>,
    /// Query parameter carrying an e-mail.
    #[serde(default)]
    pub email_param: Option<String>,
}

impl Endpoint {
    fn new(method: &str, path: &str) -> Self {
        Endpoint {
            method: method.into(),
            path: path.into(),
            id_param: None,
            email_param: None,
        }
    }

    fn id(mut self, param: &str) -> Self {
        self.id_param = Some(param.into());
        self
    }

    fn email(mut self, param: &str) -> Self {
        self.email_param = Some(param.into());
        self
    }
}

/// The batched membership endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipEndpoint {
    /// Method and path.
    pub endpoint: Endpoint,
    /// Body field with the group id.
    pub group_field: String,
    /// Body field with users to add (ids or e-mails).
    pub add_field: String,
    /// Body field with users to remove (ids or e-mails).
    pub remove_field: String,
    /// Status of the "missing member" answer.
    pub missing_status: u16,
    /// Message prefix of the "missing member" answer, followed by the entry as sent.
    pub missing_prefix: String,
}

/// How a group's members are listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "via", rename_all = "snake_case")]
pub enum ListMembers {
    /// The user list with this (repeatable) group-id filter parameter.
    ListUsers {
        /// Filter parameter name.
        filter_param: String,
    },
    /// Its own endpoint, the group id in `id_param`.
    Endpoint {
        /// Method, path and id parameter.
        endpoint: Endpoint,
    },
}

/// Every endpoint; an absent optional one is answered `404` (the capability is missing).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Endpoints {
    /// List users.
    pub list_users: Endpoint,
    /// One user by id, by e-mail, or (neither) the caller.
    pub get_user: Endpoint,
    /// Create or update a user.
    pub save_user: Endpoint,
    /// Delete a user by id.
    #[serde(default)]
    pub delete_user: Option<Endpoint>,
    /// List groups.
    pub list_groups: Endpoint,
    /// List groups with the filters in a JSON body (LumApps `feed/search`).
    #[serde(default)]
    pub search_groups: Option<Endpoint>,
    /// One group by id.
    pub get_group: Endpoint,
    /// Create or update a group.
    pub save_group: Endpoint,
    /// Delete a group by id.
    #[serde(default)]
    pub delete_group: Option<Endpoint>,
    /// List group types (LumApps `feedtype/list`).
    #[serde(default)]
    pub group_types: Option<Endpoint>,
    /// Batched membership writes.
    #[serde(default)]
    pub membership: Option<MembershipEndpoint>,
    /// How members are listed.
    pub list_members: ListMembers,
    /// Groups of one user, user id in `id_param`.
    #[serde(default)]
    pub user_groups: Option<Endpoint>,
}

/// How "active" is written on a user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Active {
    /// A string field with two values (absent = active).
    Status {
        /// Field name.
        field: String,
        /// Value meaning active.
        active: String,
        /// Value meaning inactive.
        inactive: String,
    },
    /// A boolean field; `invert` when `true` means inactive (e.g. `disabled`).
    Flag {
        /// Field name.
        field: String,
        /// Whether `true` means inactive.
        invert: bool,
    },
}

/// User field names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserFields {
    /// Id fields, all written with the same value (LumApps: `id`, `uid`).
    pub id: Vec<String>,
    /// E-mail (identity key, case-insensitive).
    pub email: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Server-computed `"first last"`.
    #[serde(default)]
    pub full_name: Option<String>,
    /// Active / inactive.
    pub active: Active,
    /// Password fields; all must carry the same value; never stored or echoed.
    #[serde(default)]
    pub password_fields: Vec<String>,
    /// Boolean "hidden from search" field; hidden users are listed only with `showHidden=true`.
    #[serde(default)]
    pub hidden: Option<String>,
    /// Account type field, one of `google`, `microsoft`, `okta`, `external` (default).
    #[serde(default)]
    pub account_type: Option<String>,
    /// Boolean admin field: only admins write other users and groups. None = no checks.
    #[serde(default)]
    pub admin: Option<String>,
    /// Customer id field, set by the server.
    #[serde(default)]
    pub customer: Option<String>,
    /// Creation timestamp field.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Update timestamp field.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Fields the server computes; ignored when sent.
    #[serde(default)]
    pub ignored_on_save: Vec<String>,
    /// Output key order; other keys follow, sorted.
    #[serde(default)]
    pub key_order: Vec<String>,
}

/// How built-in groups are recognised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Implicit {
    /// Field to look at.
    pub field: String,
    /// Values marking a built-in group (which contains every user and cannot be changed).
    pub values: Vec<String>,
}

/// Group field names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupFields {
    /// Id fields, all written with the same value.
    pub id: Vec<String>,
    /// Name.
    pub name: String,
    /// Customer id field.
    #[serde(default)]
    pub customer: Option<String>,
    /// Group type field; when set, a save must name a known type.
    #[serde(default)]
    pub type_field: Option<String>,
    /// Instance (site) field.
    #[serde(default)]
    pub instance: Option<String>,
    /// Status field, default `enabled` on create.
    #[serde(default)]
    pub status: Option<String>,
    /// Heritable field, default `true` on create.
    #[serde(default)]
    pub heritable: Option<String>,
    /// Built-in groups.
    #[serde(default)]
    pub implicit: Option<Implicit>,
    /// Creation timestamp field.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Update timestamp field.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Output key order; other keys follow, sorted.
    #[serde(default)]
    pub key_order: Vec<String>,
    /// Message of the `404` for an unknown group.
    #[serde(default = "feed_not_found")]
    pub not_found_message: String,
}

fn feed_not_found() -> String {
    "Feed not found".into()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

impl Profile {
    /// LumApps (`lumsites` v1) as the official SDK uses it: spec §1–§6.
    pub fn lumapps() -> Self {
        Profile {
            name: "lumapps".into(),
            api_prefix: "/_ah/api/lumsites/v1".into(),
            auth: AuthStyle::TokenEndpoint {
                path: "/v2/organizations/{customer_id}/application-token".into(),
                token_ttl_secs: 3600,
            },
            organization_header: Some("LumApps-Organization-Id".into()),
            errors: ErrorEnvelope::Google,
            pagination: Pagination::CursorMore {
                cursor_param: "cursor".into(),
                items_field: "items".into(),
                more_field: "more".into(),
                cursor_field: "cursor".into(),
                page_size_param: "maxResults".into(),
                default_page_size: 30,
            },
            save: SaveStyle {
                replace: true,
                upsert_by_email: true,
            },
            endpoints: Endpoints {
                list_users: Endpoint::new("GET", "user/list"),
                get_user: Endpoint::new("GET", "user/get").id("uid").email("email"),
                save_user: Endpoint::new("POST", "user/save"),
                delete_user: None,
                list_groups: Endpoint::new("GET", "feed/list"),
                search_groups: Some(Endpoint::new("POST", "feed/search")),
                get_group: Endpoint::new("GET", "feed/get").id("uid"),
                save_group: Endpoint::new("POST", "feed/save"),
                delete_group: Some(Endpoint::new("DELETE", "feed/delete").id("uid")),
                group_types: Some(Endpoint::new("GET", "feedtype/list")),
                membership: Some(MembershipEndpoint {
                    endpoint: Endpoint::new("POST", "feed/subscribers/save"),
                    group_field: "feed".into(),
                    add_field: "addedUsers".into(),
                    remove_field: "removedUsers".into(),
                    missing_status: 404,
                    missing_prefix: "User not found: ".into(),
                }),
                list_members: ListMembers::ListUsers {
                    filter_param: "feeds".into(),
                },
                user_groups: Some(Endpoint::new("GET", "feed/user/subscription/list").id("userId")),
            },
            user: UserFields {
                id: strings(&["id", "uid"]),
                email: "email".into(),
                first_name: "firstName".into(),
                last_name: "lastName".into(),
                full_name: Some("fullName".into()),
                active: Active::Status {
                    field: "status".into(),
                    active: "enabled".into(),
                    inactive: "disabled".into(),
                },
                password_fields: strings(&["password", "rePassword"]),
                hidden: Some("isHidden".into()),
                account_type: Some("accountType".into()),
                admin: Some("isSuperAdmin".into()),
                customer: Some("customer".into()),
                created_at: Some("createdAt".into()),
                updated_at: Some("updatedAt".into()),
                ignored_on_save: strings(&[
                    "fullName",
                    "subscriptions",
                    "unreadNotificationCount",
                    "lastSynchronization",
                ]),
                key_order: strings(&[
                    "id",
                    "uid",
                    "email",
                    "firstName",
                    "lastName",
                    "fullName",
                    "accountType",
                    "status",
                    "isHidden",
                    "customer",
                    "createdAt",
                    "updatedAt",
                    "isSuperAdmin",
                ]),
            },
            group: GroupFields {
                id: strings(&["id", "uid"]),
                name: "name".into(),
                customer: Some("customer".into()),
                type_field: Some("type".into()),
                instance: Some("instance".into()),
                status: Some("status".into()),
                heritable: Some("heritable".into()),
                implicit: Some(Implicit {
                    field: "functionalInnerId".into(),
                    values: strings(&["LUMAPPS_ALL", "LUMAPPS_PUBLIC"]),
                }),
                created_at: Some("createdAt".into()),
                updated_at: Some("updatedAt".into()),
                key_order: strings(&[
                    "id",
                    "uid",
                    "customer",
                    "instance",
                    "name",
                    "functionalInnerId",
                    "type",
                    "heritable",
                    "status",
                    "group",
                    "groups",
                    "createdAt",
                    "updatedAt",
                ]),
                not_found_message: feed_not_found(),
            },
            discovery_path: Some("/_ah/api/discovery/v1/apis/lumsites/v1/rest".into()),
        }
    }

    /// A second, made-up API of the same style that differs from LumApps in every area:
    /// prefix `/api/v2`, `accounts/…` and `teams/…` paths (with a user delete), no pagination
    /// (bare arrays), partial updates without upsert, snake_case field names, a `disabled`
    /// flag, Basic auth, plain `{"error":"…"}` errors, and its own membership endpoints
    /// (`POST teams/members` `{"team_id","add","remove"}`, missing member = `422 Unknown
    /// member: …`; `GET teams/members?team_id=` lists members).
    pub fn generic() -> Self {
        Profile {
            name: "generic".into(),
            api_prefix: "/api/v2".into(),
            auth: AuthStyle::Basic,
            organization_header: None,
            errors: ErrorEnvelope::Plain,
            pagination: Pagination::None,
            save: SaveStyle {
                replace: false,
                upsert_by_email: false,
            },
            endpoints: Endpoints {
                list_users: Endpoint::new("GET", "accounts"),
                get_user: Endpoint::new("GET", "accounts/lookup")
                    .id("account_id")
                    .email("mail"),
                save_user: Endpoint::new("POST", "accounts/save"),
                delete_user: Some(Endpoint::new("DELETE", "accounts/delete").id("account_id")),
                list_groups: Endpoint::new("GET", "teams"),
                search_groups: None,
                get_group: Endpoint::new("GET", "teams/lookup").id("team_id"),
                save_group: Endpoint::new("POST", "teams/save"),
                delete_group: Some(Endpoint::new("DELETE", "teams/delete").id("team_id")),
                group_types: None,
                membership: Some(MembershipEndpoint {
                    endpoint: Endpoint::new("POST", "teams/members"),
                    group_field: "team_id".into(),
                    add_field: "add".into(),
                    remove_field: "remove".into(),
                    missing_status: 422,
                    missing_prefix: "Unknown member: ".into(),
                }),
                list_members: ListMembers::Endpoint {
                    endpoint: Endpoint::new("GET", "teams/members").id("team_id"),
                },
                user_groups: Some(Endpoint::new("GET", "accounts/teams").id("account_id")),
            },
            user: UserFields {
                id: strings(&["account_id"]),
                email: "mail".into(),
                first_name: "given_name".into(),
                last_name: "family_name".into(),
                full_name: Some("display_name".into()),
                active: Active::Flag {
                    field: "disabled".into(),
                    invert: true,
                },
                password_fields: strings(&["password"]),
                hidden: None,
                account_type: None,
                admin: None,
                customer: None,
                created_at: Some("created".into()),
                updated_at: Some("modified".into()),
                ignored_on_save: strings(&["display_name"]),
                key_order: strings(&[
                    "account_id",
                    "mail",
                    "given_name",
                    "family_name",
                    "display_name",
                    "disabled",
                    "created",
                    "modified",
                ]),
            },
            group: GroupFields {
                id: strings(&["team_id"]),
                name: "title".into(),
                customer: None,
                type_field: None,
                instance: None,
                status: None,
                heritable: None,
                implicit: Some(Implicit {
                    field: "kind".into(),
                    values: strings(&["system"]),
                }),
                created_at: Some("created".into()),
                updated_at: None,
                key_order: strings(&["team_id", "title", "kind", "created"]),
                not_found_message: "Team not found".into(),
            },
            discovery_path: None,
        }
    }

    /// Reads a profile written as JSON (the serde form of this type).
    pub fn from_json_file(path: &std::path::Path) -> std::io::Result<Self> {
        let text = std::fs::read_to_string(path)?;
        serde_json::from_str(&text)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }

    /// The endpoint whose method and path match, with its role.
    pub(crate) fn route(&self, method: &str, path: &str) -> Option<Op> {
        let e = &self.endpoints;
        let is = |endpoint: &Endpoint| {
            endpoint.method.eq_ignore_ascii_case(method) && endpoint.path == path
        };
        let opt = |endpoint: &Option<Endpoint>| endpoint.as_ref().is_some_and(is);
        if is(&e.list_users) {
            Some(Op::ListUsers)
        } else if is(&e.get_user) {
            Some(Op::GetUser)
        } else if is(&e.save_user) {
            Some(Op::SaveUser)
        } else if opt(&e.delete_user) {
            Some(Op::DeleteUser)
        } else if is(&e.list_groups) {
            Some(Op::ListGroups)
        } else if opt(&e.search_groups) {
            Some(Op::SearchGroups)
        } else if is(&e.get_group) {
            Some(Op::GetGroup)
        } else if is(&e.save_group) {
            Some(Op::SaveGroup)
        } else if opt(&e.delete_group) {
            Some(Op::DeleteGroup)
        } else if opt(&e.group_types) {
            Some(Op::GroupTypes)
        } else if e.membership.as_ref().is_some_and(|m| is(&m.endpoint)) {
            Some(Op::Membership)
        } else if matches!(&e.list_members, ListMembers::Endpoint { endpoint } if is(endpoint)) {
            Some(Op::ListMembers)
        } else if opt(&e.user_groups) {
            Some(Op::UserGroups)
        } else {
            None
        }
    }
}

/// What an API request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    ListUsers,
    GetUser,
    SaveUser,
    DeleteUser,
    ListGroups,
    SearchGroups,
    GetGroup,
    SaveGroup,
    DeleteGroup,
    GroupTypes,
    Membership,
    ListMembers,
    UserGroups,
}

impl Default for Profile {
    fn default() -> Self {
        Profile::lumapps()
    }
}
