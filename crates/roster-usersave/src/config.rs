//! The site configuration, as read from a `roster.toml` table.

use secrecy::SecretString;
use serde::Deserialize;

use roster_core::DirectoryError;

use crate::profile::Profile;

/// Default largest response body accepted: 64 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// Default per-request timeout, as the official SDK uses.
pub const DEFAULT_TIMEOUT_S: u64 = 120;

/// One `/user/save`-style site (one LumApps organization, by default).
///
/// Every key but `base_url` and the credentials the profile's auth style needs is optional.
/// The tuning keys (`page_size`, `list_statuses`, `membership_batch`, `implicit_groups`,
/// `default_account_type`) override the profile's own values. Secrets are
/// [`SecretString`]s: `Debug` output redacts them.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct UsersaveConfig {
    /// The server, e.g. `https://go-cell-001.api.lumapps.com` (a trailing `/` is dropped).
    pub base_url: String,
    /// The organization id: the token URL and the `LumApps-Organization-Id` header.
    #[serde(default)]
    pub customer_id: Option<String>,
    /// Groups are listed and created at this instance's level; absent = platform level.
    #[serde(default)]
    pub instance_id: Option<String>,
    #[serde(default)]
    pub auth: AuthConfig,
    /// Users per list request (LumApps `maxResults`; default 100).
    #[serde(default)]
    pub page_size: Option<usize>,
    /// Group (feed) type id for new groups; absent = the only type the site has.
    #[serde(default)]
    pub group_type: Option<String>,
    /// Account type of new users (LumApps default `external`).
    #[serde(default)]
    pub default_account_type: Option<String>,
    /// Values of the built-in-group marker field (LumApps `LUMAPPS_ALL`, `LUMAPPS_PUBLIC`).
    #[serde(default)]
    pub implicit_groups: Option<Vec<String>>,
    /// Most users per membership call (default 100).
    #[serde(default)]
    pub membership_batch: Option<usize>,
    /// One listing pass per status value; `[]` = one pass without a status filter.
    #[serde(default)]
    pub list_statuses: Option<Vec<String>>,
    /// `list_users` leaves out each user's groups (`groups: None`), saving one member
    /// listing per group and status pass. By default users are listed with their groups.
    #[serde(default)]
    pub list_without_groups: bool,
    /// Per-request timeout in seconds (default 120).
    #[serde(default)]
    pub timeout_s: Option<u64>,
    /// Largest response body accepted, in bytes (default 64 MiB).
    #[serde(default)]
    pub max_body_bytes: Option<usize>,
    /// The API profile; absent = LumApps.
    #[serde(default)]
    pub profile: Option<Profile>,
}

/// Credentials. Which ones are needed depends on the profile's auth style: an OAuth
/// application (`client_id`, `client_secret`, `acting_user_email`), a static bearer `token`,
/// or Basic `username` and `password`. Each secret may instead be named by an environment
/// variable (`*_env`), read when the directory is built.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_secret: Option<SecretString>,
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// The user the application acts as; every call has that user's rights.
    #[serde(default)]
    pub acting_user_email: Option<String>,
    #[serde(default)]
    pub token: Option<SecretString>,
    #[serde(default)]
    pub token_env: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<SecretString>,
    #[serde(default)]
    pub password_env: Option<String>,
}

impl UsersaveConfig {
    /// A LumApps site with an OAuth application acting as `acting_user_email`.
    pub fn lumapps(
        base_url: impl Into<String>,
        customer_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        acting_user_email: impl Into<String>,
    ) -> Self {
        Self {
            base_url: base_url.into(),
            customer_id: Some(customer_id.into()),
            auth: AuthConfig {
                client_id: Some(client_id.into()),
                client_secret: Some(SecretString::from(client_secret.into())),
                acting_user_email: Some(acting_user_email.into()),
                ..AuthConfig::default()
            },
            ..Self::default()
        }
    }
}

/// A secret given inline or through an environment variable; `field` names it in errors.
pub(crate) fn resolve_secret(
    inline: &Option<SecretString>,
    env: &Option<String>,
    field: &str,
) -> Result<SecretString, DirectoryError> {
    if let Some(secret) = inline {
        return Ok(secret.clone());
    }
    match env {
        Some(variable) => std::env::var(variable)
            .map(SecretString::from)
            .map_err(|_| {
                DirectoryError::config(format!(
                    "auth.{field}_env: environment variable {variable} is not set"
                ))
            }),
        None => Err(DirectoryError::config(format!(
            "auth.{field}: missing (set auth.{field} or auth.{field}_env)"
        ))),
    }
}

/// A required plain setting; `field` names it in errors.
pub(crate) fn required<'a>(
    value: &'a Option<String>,
    field: &str,
) -> Result<&'a str, DirectoryError> {
    value
        .as_deref()
        .filter(|text| !text.trim().is_empty())
        .ok_or_else(|| DirectoryError::config(format!("{field}: missing")))
}
