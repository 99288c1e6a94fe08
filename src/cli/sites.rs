//! From a site's configuration to a directory: the backend, wrapped in the layers its policy
//! asks for, plus the backend itself for platform extras (AMS avatars, Periscope validation).

use std::path::Path;
use std::sync::Arc;

use roster_ams::{AmsConfig, AmsDirectory};
use roster_core::{SharedDirectory, UserKey, UserKeyKind};
use roster_engine::{MaxDeletes, OrphanPolicy, Site, SitePolicy};
use roster_periscope::{PeriscopeConfig, PeriscopeDirectory};
use roster_redcap::{RedcapConfig, RedcapDirectory};
use roster_usersave::{UsersaveConfig, UsersaveDirectory};
use tokio::sync::Semaphore;

use super::config::{Config, SiteConfig};
use super::error::{CliError, CliResult};
use super::remote_validation::PeriscopeValidator;

/// A configured site, ready to use.
pub struct OpenSite {
    pub name: String,
    pub kind: String,
    /// The layered directory and the engine policy.
    pub site: Site,
    /// The bare backend, for platform extras.
    pub backend: Backend,
}

/// The bare backend of a site.
#[derive(Clone)]
pub enum Backend {
    Ams(Arc<AmsDirectory>),
    Redcap(Arc<RedcapDirectory>),
    Periscope(Arc<PeriscopeDirectory>),
    Usersave(Arc<UsersaveDirectory>),
}

impl Backend {
    fn shared(&self) -> SharedDirectory {
        match self {
            Backend::Ams(d) => d.clone(),
            Backend::Redcap(d) => d.clone(),
            Backend::Periscope(d) => d.clone(),
            Backend::Usersave(d) => d.clone(),
        }
    }
}

/// Builds the backend for `site` without contacting it.
fn backend(file: &Path, site: &SiteConfig) -> CliResult<Backend> {
    let name = site.name.as_str();
    let table = &site.backend;
    let at = |error: roster_core::DirectoryError| {
        CliError::new(format!("{}: [sites.{name}]: {error}", file.display()))
    };
    Ok(match site.kind.as_str() {
        "ams" => Backend::Ams(Arc::new(
            AmsDirectory::new(name, table.parse::<AmsConfig>(file, name)?).map_err(at)?,
        )),
        "redcap" => Backend::Redcap(Arc::new(
            RedcapDirectory::new(name, table.parse::<RedcapConfig>(file, name)?).map_err(at)?,
        )),
        "periscope" => Backend::Periscope(Arc::new(
            PeriscopeDirectory::new(name, table.parse::<PeriscopeConfig>(file, name)?)
                .map_err(at)?,
        )),
        "usersave" => Backend::Usersave(Arc::new(
            UsersaveDirectory::new(name, table.parse::<UsersaveConfig>(file, name)?).map_err(at)?,
        )),
        other => return Err(CliError::new(format!("unknown backend kind `{other}`"))),
    })
}

/// The engine policy a site's configuration asks for.
fn policy(file: &Path, site: &SiteConfig) -> CliResult<SitePolicy> {
    let p = &site.policy;
    let bad = |key: &str, why: String| {
        CliError::new(format!(
            "{}: sites.{}.{key}: {why}",
            file.display(),
            site.name
        ))
    };
    let mut policy = SitePolicy::default();
    if !p.key_order.is_empty() {
        policy.key_order = p.key_order.iter().map(|k| UserKeyKind::parse(k)).collect();
    }
    policy.orphans = match p.orphan_policy.as_str() {
        "deactivate" => OrphanPolicy::Deactivate,
        "delete" => OrphanPolicy::Delete,
        _ => OrphanPolicy::Preserve,
    };
    policy.protected = p.protected.iter().map(|k| parse_key(k)).collect();
    if let Some(value) = &p.max_deletes {
        let text = match value {
            toml::Value::Integer(n) => n.to_string(),
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        policy.max_deletes = Some(MaxDeletes::parse(&text).map_err(|why| bad("max_deletes", why))?);
    }
    policy.concurrency = p.concurrency.max(1);
    policy.requests_per_second = p.requests_per_second;
    if let Some(batch) = p.batch_size {
        policy.batch_size = batch;
    }
    policy.ignore_fields = p.ignore_fields.clone();
    if let Some(attempts) = p.max_attempts {
        policy.retry.max_attempts = attempts.max(1);
    }
    Ok(policy)
}

/// `email=…`, `username=…`, `id=…`, `NAME=…` (an attribute), or a bare value: an email when
/// it holds `@`, else a username.
pub fn parse_key(text: &str) -> UserKey {
    match text.split_once('=') {
        Some((kind, value)) => UserKeyKind::parse(kind.trim()).with_value(value.trim()),
        None if text.contains('@') => UserKey::Email(text.trim().to_owned()),
        None => UserKey::Username(text.trim().to_owned()),
    }
}

/// Checks that the backend accepts the site's settings, without contacting it.
pub fn validate(file: &Path, site: &SiteConfig) -> CliResult {
    backend(file, site)?;
    policy(file, site)?;
    Ok(())
}

/// Opens one configured site, sharing `global` as the cap on writes in flight across sites.
pub fn open(config: &Config, name: &str, global: Option<Arc<Semaphore>>) -> CliResult<OpenSite> {
    let site = config.sites.get(name).ok_or_else(|| {
        let known: Vec<&str> = config.sites.keys().map(String::as_str).collect();
        CliError::new(format!("no site `{name}` in {}", config.path.display()))
            .hint(format!("configured sites: {}", known.join(", ")))
    })?;
    let backend = backend(&config.path, site)?;
    let policy = policy(&config.path, site)?;
    let directory = roster_engine::layered(backend.shared(), &policy, global);
    Ok(OpenSite {
        name: name.to_owned(),
        kind: site.kind.clone(),
        site: Site::new(directory, policy),
        backend,
    })
}

/// Opens the named sites, or every site when `all`; with `validate_remote`, sites that can
/// validate changes without applying them are set up to (Periscope test mode).
pub fn open_many(
    config: &Config,
    names: &[String],
    all: bool,
    validate_remote: bool,
) -> CliResult<Vec<OpenSite>> {
    let names: Vec<String> = if all {
        config.sites.keys().cloned().collect()
    } else {
        names.to_vec()
    };
    if names.is_empty() {
        return Err(CliError::new("no site given")
            .hint("name sites with --site NAME (repeatable) or use --all-sites"));
    }
    let global = Arc::new(Semaphore::new(64));
    let mut sites = Vec::with_capacity(names.len());
    for name in &names {
        let mut site = open(config, name, Some(global.clone()))?;
        if let (true, Backend::Periscope(periscope)) = (validate_remote, &site.backend) {
            site.site = site
                .site
                .with_validator(Arc::new(PeriscopeValidator::new(periscope)));
        }
        sites.push(site);
    }
    Ok(sites)
}
