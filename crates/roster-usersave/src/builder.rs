//! Turning a [`UsersaveConfig`] into a ready [`Api`] and an effective [`Profile`]: every check
//! that can fail is done here, so a bad configuration fails before any request.

use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use roster_core::DirectoryError;
use serde_json::Value;

use crate::api::Api;
use crate::auth::{Credentials, TokenSource};
use crate::config::{
    required, resolve_secret, UsersaveConfig, DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_S,
};
use crate::http::Http;
use crate::profile::fields::attribute_field;
use crate::profile::{AuthProfile, Pagination, Profile};
use crate::template::{placeholders, Unset, Vars, KNOWN};

/// The configuration key that supplies a placeholder.
fn config_field_of(placeholder: &str) -> String {
    match placeholder {
        "acting_user_email" | "client_id" => format!("auth.{placeholder}"),
        other => other.to_owned(),
    }
}

/// A placeholder the profile needs had no value.
pub(crate) fn unset_error(Unset(name): Unset) -> DirectoryError {
    DirectoryError::config(format!(
        "{}: needed by the profile but not configured",
        config_field_of(&name)
    ))
}

/// The profile with the configuration's tuning keys applied, checked.
pub(crate) fn effective_profile(config: &UsersaveConfig) -> Result<Profile, DirectoryError> {
    let mut profile = config.profile.clone().unwrap_or_else(Profile::lumapps);
    if let Some(size) = config.page_size {
        if size == 0 {
            return Err(DirectoryError::config("page_size: must be at least 1"));
        }
        if matches!(profile.pagination, Pagination::None { .. }) {
            return Err(DirectoryError::config(
                "page_size: this profile's lists are not paged",
            ));
        }
        profile.set_page_size(size);
    }
    if let Some(statuses) = &config.list_statuses {
        if !statuses.is_empty() && profile.user.status_field.is_none() {
            return Err(DirectoryError::config(
                "list_statuses: this profile has no status field",
            ));
        }
        profile.user.list_status_passes = statuses.clone();
    }
    if let Some(batch) = config.membership_batch {
        let membership = profile.endpoints.membership.as_mut().ok_or_else(|| {
            DirectoryError::config("membership_batch: this profile has no membership endpoint")
        })?;
        membership.max_batch = batch;
    }
    if let Some(values) = &config.implicit_groups {
        let implicit = profile.group.implicit.as_mut().ok_or_else(|| {
            DirectoryError::config("implicit_groups: this profile has no built-in group marker")
        })?;
        implicit.values = values.clone();
    }
    if let Some(account_type) = &config.default_account_type {
        let wire = profile
            .user
            .attributes
            .get("account_type")
            .map(|spelling| attribute_field(spelling).wire.to_owned())
            .ok_or_else(|| {
                DirectoryError::config("default_account_type: this profile has no account type")
            })?;
        profile
            .user
            .create_defaults
            .insert(wire, Value::String(account_type.clone()));
    }
    check_profile(&profile)?;
    Ok(profile)
}

fn check_profile(profile: &Profile) -> Result<(), DirectoryError> {
    let bad =
        |message: String| DirectoryError::config(format!("profile {}: {message}", profile.name));
    if profile.page_size() == Some(0) {
        return Err(bad("pagination.page_size must be at least 1".into()));
    }
    if let Some(membership) = &profile.endpoints.membership {
        if membership.max_batch == 0 {
            return Err(bad(
                "endpoints.membership.max_batch must be at least 1".into()
            ));
        }
        if membership.group_field.is_none() && !membership.path.contains("{id}") {
            return Err(bad(
                "endpoints.membership needs a group_field or an {id} in its path".into(),
            ));
        }
    }
    let user = &profile.user;
    if user.status_field.is_some() && (user.active_value.is_none() || user.inactive_value.is_none())
    {
        return Err(bad(
            "user.status_field needs active_value and inactive_value".into(),
        ));
    }
    if user.id.is_empty() || profile.group.id.is_empty() {
        return Err(bad("user.id and group.id need at least one field".into()));
    }
    let mut texts: Vec<&str> = profile.headers.values().map(String::as_str).collect();
    if let AuthProfile::BearerFromTokenEndpoint {
        token_url, form, ..
    } = &profile.auth
    {
        texts.push(token_url);
        texts.extend(form.iter().map(|(_, value)| value.as_str()));
    }
    let defaults = user
        .create_defaults
        .iter()
        .chain(profile.group.create_defaults.iter());
    texts.extend(defaults.filter_map(|(_, value)| value.as_str()));
    for text in texts {
        if let Some(unknown) = placeholders(text)
            .into_iter()
            .find(|name| !KNOWN.contains(name))
        {
            return Err(bad(format!(
                "unknown placeholder {{{unknown}}} in {text:?}"
            )));
        }
    }
    Ok(())
}

/// The site-level placeholder values.
pub(crate) fn site_vars(config: &UsersaveConfig) -> Vars {
    Vars::default()
        .with("customer_id", config.customer_id.as_deref())
        .with("instance_id", config.instance_id.as_deref())
        .with(
            "acting_user_email",
            config.auth.acting_user_email.as_deref(),
        )
        .with("client_id", config.auth.client_id.as_deref())
        .with("group_type", config.group_type.as_deref())
}

/// `base_url` checked and without a trailing `/`.
fn base_url(config: &UsersaveConfig) -> Result<String, DirectoryError> {
    let text = config.base_url.trim().trim_end_matches('/');
    let url = reqwest::Url::parse(text)
        .map_err(|error| DirectoryError::config(format!("base_url: {error}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(DirectoryError::config(
            "base_url: must be http:// or https://",
        ));
    }
    Ok(text.to_owned())
}

/// The API client of a site.
pub(crate) fn api(
    config: &UsersaveConfig,
    profile: &Profile,
    vars: &Vars,
    client: Option<reqwest::Client>,
) -> Result<Api, DirectoryError> {
    let base = base_url(config)?;
    let timeout = Duration::from_secs(config.timeout_s.unwrap_or(DEFAULT_TIMEOUT_S));
    let client = match client {
        Some(client) => client,
        None => Http::build_client(timeout)?,
    };
    let http = Http {
        client,
        max_body_bytes: config.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES),
    };
    let mut headers = Vec::new();
    for (name, value) in &profile.headers {
        let Some(value) = vars.fill(value).map_err(unset_error)? else {
            continue;
        };
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| DirectoryError::config(format!("profile header {name:?}: bad name")))?;
        let value = HeaderValue::from_str(&value)
            .map_err(|_| DirectoryError::config(format!("profile header {name}: bad value")))?;
        headers.push((name, value));
    }
    Ok(Api {
        credentials: credentials(config, profile, vars, &base)?,
        root: format!("{base}/{}", profile.api_prefix.trim_matches('/'))
            .trim_end_matches('/')
            .to_owned(),
        http,
        headers,
        envelope: profile.errors.envelope,
    })
}

fn credentials(
    config: &UsersaveConfig,
    profile: &Profile,
    vars: &Vars,
    base: &str,
) -> Result<Credentials, DirectoryError> {
    let auth = &config.auth;
    match &profile.auth {
        AuthProfile::BearerFromTokenEndpoint {
            token_url,
            client_auth,
            form,
            access_token_field,
            expires_in_field,
            refresh_margin_s,
            retry_once_on_401,
        } => {
            let client_id = required(&auth.client_id, "auth.client_id")?.to_owned();
            let client_secret = resolve_secret(
                &auth.client_secret,
                &auth.client_secret_env,
                "client_secret",
            )?;
            let path = vars
                .fill(token_url)
                .map_err(unset_error)?
                .unwrap_or_default();
            let mut fields = Vec::new();
            for (name, value) in form.iter() {
                // Every form field is needed: a missing acting user is a configuration error.
                let value = vars
                    .fill(value)
                    .map_err(unset_error)?
                    .ok_or_else(|| unset_error(Unset(placeholders(value)[0].to_owned())))?;
                fields.push((name.to_owned(), value));
            }
            Ok(Credentials::TokenEndpoint(TokenSource::new(
                format!("{base}/{}", path.trim_start_matches('/')),
                client_id,
                client_secret,
                *client_auth,
                fields,
                access_token_field.clone(),
                expires_in_field.clone(),
                Duration::from_secs(*refresh_margin_s),
                *retry_once_on_401,
            )))
        }
        AuthProfile::StaticBearer => Ok(Credentials::StaticBearer(resolve_secret(
            &auth.token,
            &auth.token_env,
            "token",
        )?)),
        AuthProfile::Basic => Ok(Credentials::Basic {
            username: required(&auth.username, "auth.username")?.to_owned(),
            password: resolve_secret(&auth.password, &auth.password_env, "password")?,
        }),
    }
}
