//! A profile: everything that makes one `/user/save`-style API different from another — paths,
//! parameter and field names, pagination, authentication, error envelope. The LumApps profile
//! is built in ([`Profile::lumapps`]); any other API of the same style is described by a profile
//! read from configuration, with no code change.
//!
//! Strings in a profile may hold placeholders, filled from the site's configuration or the
//! call: `{customer_id}`, `{instance_id}`, `{acting_user_email}`, `{client_id}`,
//! `{group_type}`, `{name}`, `{slug}` and `{id}` (in paths). A value that is exactly one
//! placeholder with nothing to fill it is left out of the request.

mod endpoints;
pub(crate) mod fields;

use std::collections::BTreeMap;

use serde::Deserialize;

pub use endpoints::{
    Endpoint, Endpoints, HttpMethod, ListMembers, MemberRef, MembershipEndpoint, MissingMember,
};
pub use fields::{GroupFields, ImplicitGroups, UserFields};

/// The built-in LumApps profile, as configuration.
const LUMAPPS_PROFILE: &str = include_str!("lumapps.toml");

/// How one `/user/save`-style API is spoken.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// A name for messages and `roster describe`.
    pub name: String,
    /// Joined to `base_url` before every endpoint path (e.g. `/_ah/api/lumsites/v1`).
    #[serde(default)]
    pub api_prefix: String,
    /// How an update is sent.
    #[serde(default)]
    pub update_style: UpdateStyle,
    /// How a partial update clears a field.
    #[serde(default)]
    pub partial_clear: PartialClear,
    /// The save endpoint creates or updates by e-mail, so a create first checks that the
    /// user is absent (otherwise it would silently update someone).
    #[serde(default)]
    pub save_is_upsert: bool,
    pub auth: AuthProfile,
    /// Constant headers on every API call (not on the token request); placeholders allowed.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub endpoints: Endpoints,
    pub pagination: Pagination,
    pub user: UserFields,
    pub group: GroupFields,
    #[serde(default)]
    pub errors: ErrorProfile,
}

impl Profile {
    /// The LumApps profile (the default).
    pub fn lumapps() -> Self {
        Self::from_toml(LUMAPPS_PROFILE).expect("the built-in LumApps profile is valid")
    }

    /// Reads a profile from TOML text: either the profile table itself or a document with a
    /// `[profile]` table, as in a configuration file.
    pub fn from_toml(text: &str) -> Result<Self, toml::de::Error> {
        let mut document: toml::Table = toml::from_str(text)?;
        match document.remove("profile") {
            Some(profile) => profile.try_into(),
            None => toml::Value::Table(document).try_into(),
        }
    }

    /// The page size lists ask for, when the API pages.
    pub fn page_size(&self) -> Option<usize> {
        match &self.pagination {
            Pagination::CursorMore { page_size, .. }
            | Pagination::Offset { page_size, .. }
            | Pagination::PageNumber { page_size, .. } => Some(*page_size),
            Pagination::None { .. } => None,
        }
    }

    /// Replaces the page size of a paging API; no effect when lists come whole.
    pub fn set_page_size(&mut self, size: usize) {
        match &mut self.pagination {
            Pagination::CursorMore { page_size, .. }
            | Pagination::Offset { page_size, .. }
            | Pagination::PageNumber { page_size, .. } => *page_size = size,
            Pagination::None { .. } => {}
        }
    }
}

/// How an update reaches the server.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateStyle {
    /// Read the whole object, change it, save the whole object back (LumApps).
    #[default]
    ReadModifyWrite,
    /// Send only the changed fields (a cleared field is sent as `null`).
    Partial,
}

/// What a partial update sends for a cleared field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartialClear {
    /// `null`, as in a JSON merge patch.
    #[default]
    Null,
    /// `""`, for APIs that read `null` as "leave as it is".
    EmptyString,
}

/// How API calls are authenticated.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "style", rename_all = "snake_case", deny_unknown_fields)]
pub enum AuthProfile {
    /// A bearer token from a token endpoint, cached and renewed (LumApps OAuth application).
    BearerFromTokenEndpoint {
        /// Path (on `base_url`) of the token endpoint; placeholders allowed.
        token_url: String,
        /// How the client id and secret are presented.
        #[serde(default)]
        client_auth: ClientAuth,
        /// Form fields of the token request, in order; placeholders allowed.
        #[serde(default)]
        form: crate::OrderedMap<String>,
        #[serde(default = "default_access_token_field")]
        access_token_field: String,
        #[serde(default = "default_expires_in_field")]
        expires_in_field: String,
        /// The token is renewed this many seconds before it expires.
        #[serde(default = "default_refresh_margin")]
        refresh_margin_s: u64,
        /// On a 401, fetch a new token and repeat the call once.
        #[serde(default = "yes")]
        retry_once_on_401: bool,
    },
    /// A token from configuration; a 401 is final.
    StaticBearer,
    /// HTTP Basic with a username and password on every call; a 401 is final.
    Basic,
}

/// How the OAuth client presents its id and secret to the token endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// `Authorization: Basic base64(client_id:client_secret)`.
    #[default]
    Basic,
    /// `client_id` and `client_secret` as form fields.
    Form,
}

/// How list responses are paged.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "style", rename_all = "snake_case", deny_unknown_fields)]
pub enum Pagination {
    /// A continuation cursor and a "more" flag (LumApps).
    CursorMore {
        /// Query parameter carrying the cursor (GET lists).
        #[serde(default)]
        cursor_param: Option<String>,
        /// Body field carrying the cursor (POST lists).
        #[serde(default)]
        cursor_body_field: Option<String>,
        #[serde(default = "default_items_field")]
        items_field: String,
        /// Absent: there are more pages exactly when a cursor comes back.
        #[serde(default)]
        more_field: Option<String>,
        #[serde(default = "default_cursor_field")]
        cursor_field: String,
        #[serde(default)]
        page_size_param: Option<String>,
        page_size: usize,
    },
    /// `offset` and `limit` parameters; a short page is the last.
    Offset {
        offset_param: String,
        limit_param: String,
        /// Absent: the response is a bare array.
        #[serde(default)]
        items_field: Option<String>,
        page_size: usize,
    },
    /// Numbered pages; a short page is the last.
    PageNumber {
        page_param: String,
        #[serde(default = "one")]
        first_page: u64,
        size_param: String,
        #[serde(default)]
        items_field: Option<String>,
        page_size: usize,
    },
    /// Every list comes whole: a bare array, or an object with `items_field`.
    None {
        #[serde(default)]
        items_field: Option<String>,
    },
}

/// How error bodies are read.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorProfile {
    #[serde(default)]
    pub envelope: ErrorEnvelope,
}

/// The shape of an error body.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorEnvelope {
    /// `{"error":{"code":N,"message":M,"errors":[{"message":M,"reason":R}]}}`.
    #[default]
    Google,
    /// `{"error":"…"}` or `{"message":"…"}` (or `{"error":{"message":"…"}}`).
    Plain,
    /// The body text is the message.
    Text,
}

fn default_access_token_field() -> String {
    "access_token".into()
}
fn default_expires_in_field() -> String {
    "expires_in".into()
}
fn default_refresh_margin() -> u64 {
    30
}
fn default_items_field() -> String {
    "items".into()
}
fn default_cursor_field() -> String {
    "cursor".into()
}
fn yes() -> bool {
    true
}
fn one() -> u64 {
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_lumapps_profile_reads() {
        let profile = Profile::lumapps();
        assert_eq!(profile.name, "lumapps");
        assert_eq!(profile.page_size(), Some(100));
        assert!(profile.endpoints.delete_user.is_none());
        assert_eq!(profile.user.list_status_passes, ["enabled", "disabled"]);
    }

    #[test]
    fn a_typo_in_a_profile_is_refused() {
        let text = include_str!("lumapps.toml").replace("cursor_field", "cursorfield");
        assert!(Profile::from_toml(&text).is_err());
    }
}
