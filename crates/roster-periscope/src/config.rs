//! The per-site configuration, as a `roster.toml` table gives it, and its validation.

use std::time::Duration;

use reqwest::header::HeaderValue;
use reqwest::Url;
use roster_core::{DirectoryError, ExposeSecret, SecretString};
use serde::Deserialize;

/// Where the vendor's own examples send every call.
pub const DEFAULT_BASE_URL: &str = "https://api.periscopedata.com";

/// Groups every user belongs to; they are never reported or written.
pub const DEFAULT_IMPLICIT_GROUPS: &[&str] = &["All Users"];

/// Per-request timeout unless configured.
pub const DEFAULT_TIMEOUT_SECS: u64 = 60;

/// Largest response body read unless configured (64 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// One Periscope site, as read from a `[sites.NAME]` table with `kind = "periscope"`.
///
/// The API key is given either directly (`api_key`) or, better, as the name of the
/// environment variable holding it (`api_key_env`). It is a [`SecretString`]: `Debug` output
/// shows it redacted.
#[derive(Clone, Debug, Deserialize)]
pub struct PeriscopeConfig {
    /// Scheme and host of the API; `/api/v1/...` is appended. Default
    /// [`DEFAULT_BASE_URL`].
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// The Periscope site name (the path segment after `/app/` in dashboard URLs): the first
    /// half of the `HTTP-X-PARTNER-AUTH` header.
    pub site_name: String,
    /// The site's API key: the second half of `HTTP-X-PARTNER-AUTH`.
    #[serde(default)]
    pub api_key: Option<SecretString>,
    /// The name of the environment variable that holds the API key, read when `api_key` is
    /// not given.
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// The administrator e-mail sent as `invited_by_email` on every user create; creates are
    /// refused without it.
    #[serde(default)]
    pub invited_by_email: Option<String>,
    /// Sent as `created_by_email` on group creates and `updated_by_email` on group updates.
    /// Default: `invited_by_email`.
    #[serde(default)]
    pub created_by_email: Option<String>,
    /// The `access` level of group creates that do not name one; without it such creates are
    /// refused.
    #[serde(default)]
    pub default_group_access: Option<String>,
    /// Groups every user is always in; left out of reported and written membership.
    #[serde(default = "default_implicit_groups")]
    pub implicit_groups: Vec<String>,
    /// Send every change with `test_mode=true`: the site validates and answers, saves nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Per-request timeout in seconds.
    #[serde(default = "default_timeout_secs", alias = "timeout")]
    pub timeout_secs: u64,
    /// Largest response body accepted, in bytes.
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: usize,
}

fn default_base_url() -> String {
    DEFAULT_BASE_URL.to_owned()
}

fn default_implicit_groups() -> Vec<String> {
    DEFAULT_IMPLICIT_GROUPS
        .iter()
        .map(|name| (*name).to_owned())
        .collect()
}

fn default_timeout_secs() -> u64 {
    DEFAULT_TIMEOUT_SECS
}

fn default_max_body_bytes() -> usize {
    DEFAULT_MAX_BODY_BYTES
}

impl PeriscopeConfig {
    /// A configuration with every default, for `site_name` and `api_key`.
    pub fn new(site_name: impl Into<String>, api_key: SecretString) -> Self {
        Self {
            base_url: default_base_url(),
            site_name: site_name.into(),
            api_key: Some(api_key),
            api_key_env: None,
            invited_by_email: None,
            created_by_email: None,
            default_group_access: None,
            implicit_groups: default_implicit_groups(),
            dry_run: false,
            timeout_secs: DEFAULT_TIMEOUT_SECS,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

/// A configuration that passed validation, in the shapes the backend uses.
pub(crate) struct Settings {
    /// `base_url` without a trailing `/`.
    pub base_url: String,
    /// `site_name:api_key`, marked sensitive so `Debug` never shows it.
    pub auth: HeaderValue,
    /// The key itself, kept only to scrub it from error excerpts.
    pub api_key: SecretString,
    pub invited_by_email: Option<String>,
    pub created_by_email: Option<String>,
    pub default_group_access: Option<String>,
    pub implicit_groups: Vec<String>,
    pub dry_run: bool,
    pub timeout: Duration,
    pub max_body_bytes: usize,
}

impl Settings {
    /// True for a group every user belongs to.
    pub fn is_implicit(&self, group: &str) -> bool {
        self.implicit_groups.iter().any(|name| name == group)
    }
}

fn field_error(field: &str, message: &str) -> DirectoryError {
    DirectoryError::config(format!("periscope `{field}`: {message}"))
}

impl TryFrom<PeriscopeConfig> for Settings {
    type Error = DirectoryError;

    fn try_from(config: PeriscopeConfig) -> Result<Self, DirectoryError> {
        let base_url = validate_base_url(&config.base_url)?;
        if config.site_name.trim().is_empty() {
            return Err(field_error("site_name", "must not be empty"));
        }
        if config.site_name.contains(':') {
            return Err(field_error(
                "site_name",
                "must not contain `:` (it separates the site name from the key)",
            ));
        }
        let api_key = resolve_api_key(config.api_key, config.api_key_env.as_deref())?;
        let mut auth =
            HeaderValue::from_str(&format!("{}:{}", config.site_name, api_key.expose_secret()))
                .map_err(|_| {
                    field_error(
                        "api_key",
                        "the site name and key must be printable ASCII (they form a header)",
                    )
                })?;
        auth.set_sensitive(true);
        for (field, value) in [
            ("invited_by_email", &config.invited_by_email),
            ("created_by_email", &config.created_by_email),
        ] {
            if value.as_deref().is_some_and(|email| !email.contains('@')) {
                return Err(field_error(field, "must be an e-mail address"));
            }
        }
        if config
            .default_group_access
            .as_deref()
            .is_some_and(|access| access.trim().is_empty())
        {
            return Err(field_error("default_group_access", "must not be empty"));
        }
        if config.timeout_secs == 0 {
            return Err(field_error("timeout_secs", "must be at least 1"));
        }
        if config.max_body_bytes == 0 {
            return Err(field_error("max_body_bytes", "must be at least 1"));
        }
        let created_by_email = config
            .created_by_email
            .or_else(|| config.invited_by_email.clone());
        Ok(Self {
            base_url,
            auth,
            api_key,
            invited_by_email: config.invited_by_email,
            created_by_email,
            default_group_access: config.default_group_access,
            implicit_groups: config.implicit_groups,
            dry_run: config.dry_run,
            timeout: Duration::from_secs(config.timeout_secs),
            max_body_bytes: config.max_body_bytes,
        })
    }
}

fn validate_base_url(raw: &str) -> Result<String, DirectoryError> {
    let trimmed = raw.trim().trim_end_matches('/');
    let url = Url::parse(trimmed).map_err(|error| field_error("base_url", &error.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(field_error(
            "base_url",
            "must start with https:// or http://",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(field_error(
            "base_url",
            "must not carry a query or a fragment",
        ));
    }
    Ok(trimmed.to_owned())
}

/// The key itself when given (a configuration loader may already have read the variable),
/// else the variable `api_key_env` names.
fn resolve_api_key(
    key: Option<SecretString>,
    env: Option<&str>,
) -> Result<SecretString, DirectoryError> {
    let key = match (key, env) {
        (Some(key), _) => key,
        (None, Some(variable)) => {
            std::env::var(variable)
                .map(SecretString::from)
                .map_err(|_| {
                    field_error(
                        "api_key_env",
                        &format!("environment variable {variable} is not set"),
                    )
                })?
        }
        (None, None) => {
            return Err(field_error(
                "api_key",
                "missing (set `api_key_env` to the variable that holds it)",
            ))
        }
    };
    if key.expose_secret().trim().is_empty() {
        return Err(field_error("api_key", "must not be empty"));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> PeriscopeConfig {
        PeriscopeConfig::new("example_site", SecretString::from("k-123"))
    }

    fn message(config: PeriscopeConfig) -> String {
        match Settings::try_from(config) {
            Ok(_) => panic!("the config should be refused"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn a_table_with_the_defaults_deserialises() {
        let config: PeriscopeConfig = serde_json::from_value(serde_json::json!({
            "site_name": "example_site",
            "api_key_env": "SOME_VARIABLE",
            "invited_by_email": "admin@example.com",
        }))
        .unwrap();
        assert_eq!(config.base_url, DEFAULT_BASE_URL);
        assert_eq!(config.implicit_groups, vec!["All Users".to_owned()]);
        assert_eq!(config.timeout_secs, 60);
        assert!(!config.dry_run);
    }

    #[test]
    fn the_base_url_loses_its_trailing_slash() {
        let mut config = config();
        config.base_url = "http://127.0.0.1:8080/".into();
        let settings = Settings::try_from(config).unwrap();
        assert_eq!(settings.base_url, "http://127.0.0.1:8080");
    }

    #[test]
    fn created_by_defaults_to_invited_by() {
        let mut config = config();
        config.invited_by_email = Some("admin@example.com".into());
        let settings = Settings::try_from(config).unwrap();
        assert_eq!(
            settings.created_by_email.as_deref(),
            Some("admin@example.com")
        );
    }

    #[test]
    fn errors_name_the_field() {
        let mut bad = config();
        bad.base_url = "ftp://example.com".into();
        assert!(message(bad).contains("`base_url`"));
        let mut bad = config();
        bad.site_name = " ".into();
        assert!(message(bad).contains("`site_name`"));
        let mut bad = config();
        bad.site_name = "a:b".into();
        assert!(message(bad).contains("`site_name`"));
        let mut bad = config();
        bad.api_key = None;
        assert!(message(bad).contains("`api_key`"));
        let mut bad = config();
        bad.api_key = None;
        bad.api_key_env = Some("ROSTER_PERISCOPE_SURELY_UNSET_VARIABLE".into());
        assert!(message(bad).contains("`api_key_env`"));
        let mut bad = config();
        bad.invited_by_email = Some("nobody".into());
        assert!(message(bad).contains("`invited_by_email`"));
        let mut bad = config();
        bad.timeout_secs = 0;
        assert!(message(bad).contains("`timeout_secs`"));
    }

    #[test]
    fn the_key_comes_from_the_named_variable_unless_given() {
        let variable = "ROSTER_PERISCOPE_TEST_KEY_FROM_ENV";
        std::env::set_var(variable, "k-from-env");
        let mut from_env = config();
        from_env.api_key = None;
        from_env.api_key_env = Some(variable.into());
        let settings = Settings::try_from(from_env).unwrap();
        assert_eq!(settings.api_key.expose_secret(), "k-from-env");
        let mut both = config();
        both.api_key_env = Some(variable.into());
        let settings = Settings::try_from(both).unwrap();
        assert_eq!(settings.api_key.expose_secret(), "k-123");
    }

    #[test]
    fn debug_output_never_shows_the_key() {
        let config = config();
        assert!(!format!("{config:?}").contains("k-123"));
        let settings = Settings::try_from(config).unwrap();
        assert!(!format!("{:?}", settings.auth).contains("k-123"));
    }
}
