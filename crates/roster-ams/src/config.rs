//! The site's configuration, as a `roster.toml` table gives it, and the URLs derived from it.

use std::time::Duration;

use roster_core::{DirectoryError, Result};
use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

/// Default connect timeout (spec §5.7: 30 s).
pub const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 30;
/// Default read timeout, taken from the Python client (spec §5.7: 300 s).
pub const DEFAULT_READ_TIMEOUT_SECS: u64 = 300;
/// Default cap on one response body: 64 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// How to reach one AMS site and whom to log in as.
///
/// ```toml
/// [sites.club]
/// kind = "ams"
/// url = "https://example.smartabase.com/site"
/// username_env = "AMS_USERNAME"
/// password_env = "AMS_PASSWORD"
/// ```
///
/// The username and the password may be given directly or through the name of an environment
/// variable that holds them (`*_env`); a direct value wins. The password is a secret: it never
/// appears in `Debug` output.
#[derive(Clone, Debug, Deserialize)]
pub struct AmsConfig {
    /// The site URL, `https://<host>/<site>`; its last path segment is the app name.
    pub url: String,
    /// The login username.
    #[serde(default)]
    pub username: Option<String>,
    /// The name of an environment variable holding the username.
    #[serde(default)]
    pub username_env: Option<String>,
    /// The login password.
    #[serde(default)]
    pub password: Option<SecretString>,
    /// The name of an environment variable holding the password.
    #[serde(default)]
    pub password_env: Option<String>,
    /// Seconds to wait for a connection.
    #[serde(default = "default_connect_timeout_secs")]
    pub connect_timeout_secs: u64,
    /// Seconds to wait for each read of a response.
    #[serde(default = "default_read_timeout_secs")]
    pub read_timeout_secs: u64,
    /// Largest response body accepted, in bytes; a larger one is a Decode error.
    #[serde(default = "default_max_response_bytes")]
    pub max_response_bytes: u64,
}

fn default_connect_timeout_secs() -> u64 {
    DEFAULT_CONNECT_TIMEOUT_SECS
}

fn default_read_timeout_secs() -> u64 {
    DEFAULT_READ_TIMEOUT_SECS
}

fn default_max_response_bytes() -> u64 {
    DEFAULT_MAX_RESPONSE_BYTES
}

impl AmsConfig {
    /// A configuration with the given site URL and login, and default limits.
    pub fn new(
        url: impl Into<String>,
        username: impl Into<String>,
        password: SecretString,
    ) -> Self {
        Self {
            url: url.into(),
            username: Some(username.into()),
            username_env: None,
            password: Some(password),
            password_env: None,
            connect_timeout_secs: DEFAULT_CONNECT_TIMEOUT_SECS,
            read_timeout_secs: DEFAULT_READ_TIMEOUT_SECS,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.connect_timeout_secs)
    }

    /// The read timeout.
    pub fn read_timeout(&self) -> Duration {
        Duration::from_secs(self.read_timeout_secs)
    }

    /// Checks every field and resolves the credentials; Config errors name the field.
    pub(crate) fn resolve(&self) -> Result<ResolvedConfig> {
        let site = SiteUrls::parse(&self.url)?;
        let username = match (&self.username, &self.username_env) {
            (Some(name), _) => name.clone(),
            (None, Some(var)) => read_env("username_env", var)?,
            (None, None) => return Err(config_error("username", "is required (or username_env)")),
        };
        if username.trim().is_empty() {
            return Err(config_error("username", "must not be empty"));
        }
        let password = match (&self.password, &self.password_env) {
            (Some(secret), _) => secret.clone(),
            (None, Some(var)) => SecretString::from(read_env("password_env", var)?),
            (None, None) => return Err(config_error("password", "is required (or password_env)")),
        };
        if self.connect_timeout_secs == 0 {
            return Err(config_error("connect_timeout_secs", "must be at least 1"));
        }
        if self.read_timeout_secs == 0 {
            return Err(config_error("read_timeout_secs", "must be at least 1"));
        }
        if self.max_response_bytes == 0 {
            return Err(config_error("max_response_bytes", "must be at least 1"));
        }
        Ok(ResolvedConfig {
            site,
            username,
            password,
            max_response_bytes: self.max_response_bytes,
        })
    }
}

fn read_env(field: &str, var: &str) -> Result<String> {
    std::env::var(var).map_err(|_| {
        config_error(
            field,
            &format!("names the variable {var}, which is not set"),
        )
    })
}

fn config_error(field: &str, message: &str) -> DirectoryError {
    DirectoryError::config(format!("{field} {message}"))
}

/// A checked configuration with its credentials in hand.
pub(crate) struct ResolvedConfig {
    pub site: SiteUrls,
    pub username: String,
    pub password: SecretString,
    pub max_response_bytes: u64,
}

/// The URLs one site URL gives (spec §1.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SiteUrls {
    /// The site URL without a trailing `/`.
    pub site: String,
    /// The last path segment, sent at login as `appName`.
    pub app_name: String,
    /// The site URL minus its last segment, plus `/x/fileupload`.
    pub upload: String,
}

impl SiteUrls {
    pub fn parse(text: &str) -> Result<Self> {
        let url = Url::parse(text.trim())
            .map_err(|error| config_error("url", &format!("is not a URL: {error}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(config_error("url", "must start with https:// or http://"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(config_error("url", "must not carry credentials"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(config_error("url", "must not have a query or a fragment"));
        }
        let site = url.as_str().trim_end_matches('/').to_owned();
        let (parent, app_name) = site
            .rsplit_once('/')
            .filter(|(parent, name)| !name.is_empty() && !parent.ends_with('/'))
            .ok_or_else(|| {
                config_error(
                    "url",
                    "must end with the site name, as in https://host/site",
                )
            })?;
        Ok(Self {
            upload: format!("{parent}/x/fileupload"),
            app_name: app_name.to_owned(),
            site,
        })
    }

    /// `{site}/api/{path}?informat=json&format=json`.
    pub fn api(&self, path: &str) -> String {
        format!("{}/api/{path}?informat=json&format=json", self.site)
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn the_app_name_is_the_last_segment_and_uploads_go_to_its_parent() {
        let urls = SiteUrls::parse("https://example.smartabase.com/site/").unwrap();
        assert_eq!(urls.site, "https://example.smartabase.com/site");
        assert_eq!(urls.app_name, "site");
        assert_eq!(urls.upload, "https://example.smartabase.com/x/fileupload");
        assert_eq!(
            urls.api("v1/usersearch"),
            "https://example.smartabase.com/site/api/v1/usersearch?informat=json&format=json"
        );
        let deep = SiteUrls::parse("http://127.0.0.1:8080/a/ankle").unwrap();
        assert_eq!(deep.app_name, "ankle");
        assert_eq!(deep.upload, "http://127.0.0.1:8080/a/x/fileupload");
    }

    #[test]
    fn a_url_without_a_site_name_is_refused_naming_the_field() {
        for bad in [
            "https://example.smartabase.com",
            "https://example.smartabase.com/",
            "ftp://host/site",
            "not a url",
            "https://user:pw@host/site",
            "https://host/site?x=1",
        ] {
            let error = SiteUrls::parse(bad).unwrap_err();
            assert!(error.to_string().contains("url "), "{bad}: {error}");
        }
    }

    #[test]
    fn credentials_come_from_the_table_or_the_environment() {
        let mut config: AmsConfig = serde_json::from_value(serde_json::json!({
            "url": "https://host/site",
            "username_env": "ROSTER_AMS_TEST_USER_UNSET",
            "password_env": "ROSTER_AMS_TEST_PASSWORD_UNSET",
        }))
        .unwrap();
        assert_eq!(config.read_timeout_secs, DEFAULT_READ_TIMEOUT_SECS);
        let error = config.resolve().err().unwrap();
        assert!(error.to_string().contains("username_env"), "{error}");
        config.username = Some("coach".into());
        let error = config.resolve().err().unwrap();
        assert!(error.to_string().contains("password_env"), "{error}");
        config.password = Some(SecretString::from("s3cret-pw"));
        let resolved = config.resolve().unwrap();
        assert_eq!(resolved.username, "coach");
        assert_eq!(resolved.password.expose_secret(), "s3cret-pw");
        assert!(!format!("{config:?}").contains("s3cret-pw"));
    }

    #[test]
    fn zero_limits_are_refused_naming_the_field() {
        let mut config = AmsConfig::new("https://host/site", "u", SecretString::from("p"));
        config.max_response_bytes = 0;
        let error = config.resolve().err().unwrap();
        assert!(error.to_string().contains("max_response_bytes"), "{error}");
    }
}
