//! The site configuration: where the project's API is, its token, and how big a batch is.

use std::time::Duration;

use roster_core::{DirectoryError, ExposeSecret, Result, SecretString};
use serde::Deserialize;

/// Most user rows in one import, and most names in one delete, unless the site says otherwise
/// (spec §4: 500 keeps delete forms well under PHP's default of 1000 input variables).
pub const DEFAULT_BATCH_MAX: usize = 500;

/// The largest `batch_max` accepted: a delete form carries one variable per name plus five
/// more, and PHP drops whatever lies beyond its default `max_input_vars` of 1000.
pub const BATCH_MAX_LIMIT: usize = 900;

/// Responses larger than this are refused unless the site says otherwise.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// One REDCap project, as a `[sites.NAME]` table of `roster.toml` gives it.
///
/// ```toml
/// [sites.trial]
/// kind = "redcap"
/// url = "https://redcap.example.org/api/"
/// token_env = "TRIAL_REDCAP_TOKEN"
/// batch_max = 500
/// ```
///
/// The token is either given directly (`token`, for programs that hold it already) or named
/// by the environment variable that holds it (`token_env`, for configuration files). It is a
/// [`SecretString`], so `Debug` output never shows it. Unknown keys are refused, so a typo
/// is a configuration error rather than a setting silently ignored.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedcapConfig {
    /// The API endpoint, conventionally ending in `/api/`.
    pub url: String,
    /// The project API token (32 letters or digits).
    #[serde(default)]
    pub token: Option<SecretString>,
    /// The environment variable holding the token, when `token` is not given.
    #[serde(default)]
    pub token_env: Option<String>,
    /// Most user rows per import and names per delete (1 to [`BATCH_MAX_LIMIT`]).
    #[serde(default = "default_batch_max")]
    pub batch_max: usize,
    /// List users with their `role` and `role_label`, at the cost of one more export (the
    /// role mapping) per listing. Turn it on when the desired state manages roles.
    #[serde(default)]
    pub read_roles: bool,
    /// Seconds to wait for a connection.
    #[serde(default = "default_connect_timeout_secs")]
    pub connect_timeout_secs: u64,
    /// Seconds a whole request may take, reply included.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Responses larger than this many bytes are refused.
    #[serde(default = "default_max_response_bytes")]
    pub max_response_bytes: usize,
}

fn default_batch_max() -> usize {
    DEFAULT_BATCH_MAX
}

fn default_connect_timeout_secs() -> u64 {
    10
}

fn default_timeout_secs() -> u64 {
    60
}

fn default_max_response_bytes() -> usize {
    DEFAULT_MAX_RESPONSE_BYTES
}

impl RedcapConfig {
    /// A configuration with the token given directly and every other setting at its default.
    pub fn new(url: impl Into<String>, token: SecretString) -> Self {
        Self {
            url: url.into(),
            token: Some(token),
            token_env: None,
            batch_max: DEFAULT_BATCH_MAX,
            read_roles: false,
            connect_timeout_secs: default_connect_timeout_secs(),
            timeout_secs: default_timeout_secs(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// The same configuration with another batch size.
    pub fn with_batch_max(mut self, batch_max: usize) -> Self {
        self.batch_max = batch_max;
        self
    }

    /// The same configuration, listing users with their roles.
    pub fn with_read_roles(mut self, read_roles: bool) -> Self {
        self.read_roles = read_roles;
        self
    }

    pub(crate) fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.connect_timeout_secs)
    }

    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    /// Checks every setting and returns the parsed URL and the token. Errors name the field
    /// and never show the token.
    pub(crate) fn validate(&self) -> Result<(url::Url, SecretString)> {
        let url = url::Url::parse(&self.url)
            .map_err(|error| DirectoryError::config(format!("url: not a valid URL ({error})")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(DirectoryError::config(
                "url: must start with https:// or http://",
            ));
        }
        if !url.path().ends_with("/api/") {
            tracing::warn!(
                url = %self.url,
                "REDCap API URLs usually end in /api/; the URL is used as given"
            );
        }
        if self.batch_max == 0 || self.batch_max > BATCH_MAX_LIMIT {
            return Err(DirectoryError::config(format!(
                "batch_max: must be between 1 and {BATCH_MAX_LIMIT}, is {}",
                self.batch_max
            )));
        }
        if self.timeout_secs == 0 || self.connect_timeout_secs == 0 {
            return Err(DirectoryError::config(
                "timeout_secs and connect_timeout_secs: must be at least 1",
            ));
        }
        if self.max_response_bytes == 0 {
            return Err(DirectoryError::config(
                "max_response_bytes: must be at least 1",
            ));
        }
        let token = self.resolve_token()?;
        check_token(&token)?;
        Ok((url, token))
    }

    fn resolve_token(&self) -> Result<SecretString> {
        match (&self.token, &self.token_env) {
            (Some(_), Some(_)) => Err(DirectoryError::config(
                "token, token_env: give one of them, not both",
            )),
            (Some(token), None) => Ok(token.clone()),
            (None, Some(variable)) => {
                std::env::var(variable)
                    .map(SecretString::from)
                    .map_err(|_| {
                        DirectoryError::config(format!(
                            "token_env: the environment variable {variable} is not set"
                        ))
                    })
            }
            (None, None) => Err(DirectoryError::config(
                "token: missing (give token, or token_env naming the variable that holds it)",
            )),
        }
    }
}

/// Spec §1.7 and §5.1: 32 characters, letters and digits only.
fn check_token(token: &SecretString) -> Result<()> {
    let text = token.expose_secret();
    if text.len() != 32 || !text.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(DirectoryError::config(
            "token: a REDCap API token is 32 letters or digits",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "0123456789ABCDEF0123456789ABCDEF";

    fn config(token: &str) -> RedcapConfig {
        RedcapConfig::new("https://redcap.example.org/api/", SecretString::from(token))
    }

    fn config_error(config: &RedcapConfig) -> String {
        config
            .validate()
            .expect_err("config must be refused")
            .to_string()
    }

    #[test]
    fn a_good_config_passes() {
        let (url, token) = config(TOKEN).validate().expect("valid");
        assert_eq!(url.as_str(), "https://redcap.example.org/api/");
        assert_eq!(token.expose_secret(), TOKEN);
    }

    #[test]
    fn bad_tokens_are_refused_without_being_shown() {
        for bad in [
            "",
            "short",
            "0123456789ABCDEF0123456789ABCDE!",
            &format!("{TOKEN}00"),
        ] {
            let message = config_error(&config(bad));
            assert!(message.contains("token"), "{message}");
            if !bad.is_empty() {
                assert!(!message.contains(bad), "the token leaked: {message}");
            }
        }
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let shown = format!("{:?}", config(TOKEN));
        assert!(!shown.contains(TOKEN), "{shown}");
        assert!(shown.contains("REDACTED"));
    }

    #[test]
    fn batch_max_and_url_are_checked() {
        let message = config_error(&config(TOKEN).with_batch_max(0));
        assert!(message.contains("batch_max"), "{message}");
        let message = config_error(&config(TOKEN).with_batch_max(BATCH_MAX_LIMIT + 1));
        assert!(message.contains("batch_max"), "{message}");
        let mut bad_url = config(TOKEN);
        bad_url.url = "ftp://redcap.example.org/api/".into();
        assert!(config_error(&bad_url).contains("url"));
        bad_url.url = "not a url".into();
        assert!(config_error(&bad_url).contains("url"));
    }

    #[test]
    fn the_token_may_come_from_the_environment() {
        let variable = "ROSTER_REDCAP_CONFIG_TEST_TOKEN";
        std::env::set_var(variable, TOKEN);
        let parsed: RedcapConfig = serde_json::from_value(serde_json::json!({
            "url": "http://127.0.0.1:9/api/",
            "token_env": variable,
        }))
        .expect("deserialise");
        let (_, token) = parsed.validate().expect("valid");
        assert_eq!(token.expose_secret(), TOKEN);
        assert_eq!(parsed.batch_max, DEFAULT_BATCH_MAX);

        let missing = RedcapConfig {
            token: None,
            token_env: Some("ROSTER_REDCAP_CONFIG_TEST_UNSET".into()),
            ..config(TOKEN)
        };
        assert!(config_error(&missing).contains("token_env"));
        let both = RedcapConfig {
            token_env: Some(variable.into()),
            ..config(TOKEN)
        };
        assert!(config_error(&both).contains("not both"));
    }

    #[test]
    fn unknown_keys_are_refused() {
        let parsed = serde_json::from_value::<RedcapConfig>(serde_json::json!({
            "url": "http://127.0.0.1:9/api/",
            "token": TOKEN,
            "bach_max": 100,
        }));
        let message = parsed.expect_err("typo").to_string();
        assert!(message.contains("bach_max"), "{message}");
        assert!(!message.contains(TOKEN), "{message}");
    }
}
