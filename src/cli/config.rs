//! `roster.toml`: one table per site with its backend kind, URL, credentials and policy.
//!
//! Credentials never sit in the file: a key ending in `_env` names an environment variable
//! (`password_env = "AMS_PASSWORD"` becomes `password`), and `${VAR}` inside a string is
//! replaced by the variable's value. A `.env` file beside the config is loaded first. Every
//! problem is reported with the file, the key and why, before any site is contacted.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use toml::{Table, Value};

use super::error::CliError;

/// Keys of a site table that belong to roster's policy, not to the backend.
const POLICY_KEYS: &[&str] = &[
    "kind",
    "key_order",
    "orphan_policy",
    "protected",
    "max_deletes",
    "concurrency",
    "requests_per_second",
    "batch_size",
    "max_attempts",
    "allow_insecure_http",
    "ignore_fields",
];

/// The backends roster knows.
pub const KINDS: &[&str] = &["ams", "redcap", "periscope", "usersave"];

/// A loaded configuration.
#[derive(Debug)]
pub struct Config {
    pub path: PathBuf,
    pub sites: BTreeMap<String, SiteConfig>,
}

/// One site: its backend kind, its policy, and the backend's own settings.
#[derive(Debug)]
pub struct SiteConfig {
    pub name: String,
    pub kind: String,
    pub policy: SitePolicy,
    /// The backend's table with `_env` keys and `${VAR}` resolved: holds secrets.
    pub backend: BackendTable,
}

/// roster's per-site policy, with defaults from `[defaults]`.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SitePolicy {
    /// Keys to match desired rows with users, in order.
    #[serde(default)]
    pub key_order: Vec<String>,
    /// `preserve` (default), `deactivate` or `delete`.
    #[serde(default = "default_orphan_policy")]
    pub orphan_policy: String,
    /// Users never touched, as `email=…`, `username=…` or bare values.
    #[serde(default)]
    pub protected: Vec<String>,
    /// Most deletes and deactivations per run: a count or "P%".
    #[serde(default)]
    pub max_deletes: Option<Value>,
    /// Writes in flight at once.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    #[serde(default)]
    pub requests_per_second: Option<u32>,
    #[serde(default)]
    pub batch_size: Option<usize>,
    #[serde(default)]
    pub max_attempts: Option<usize>,
    #[serde(default)]
    pub allow_insecure_http: bool,
    /// Desired-state fields this site does not manage (`password`, `dob`, …).
    #[serde(default)]
    pub ignore_fields: Vec<String>,
}

fn default_orphan_policy() -> String {
    "preserve".into()
}

fn default_concurrency() -> usize {
    8
}

/// A backend's settings, secrets included; `Debug` shows only the key names.
pub struct BackendTable(Table);

impl BackendTable {
    /// Deserialises the table into a backend's config type.
    pub fn parse<T: serde::de::DeserializeOwned>(
        &self,
        file: &Path,
        site: &str,
    ) -> Result<T, CliError> {
        // A key the backend does not know is refused, not ignored: a typo such as
        // `pasword_env` or `orphan_polcy` would otherwise change nothing, silently.
        let mut unknown = Vec::new();
        let parsed = serde_ignored::deserialize(Value::Table(self.0.clone()), |path| {
            unknown.push(path.to_string())
        });
        let file = file.display();
        match parsed {
            Err(error) => {
                let error: toml::de::Error = error;
                Err(
                    CliError::new(format!("{file}: [sites.{site}]: {}", error.message()))
                        .hint("see docs/cli.md for the keys each backend takes"),
                )
            }
            Ok(_) if !unknown.is_empty() => Err(CliError::new(
                unknown
                    .iter()
                    .map(|key| {
                        format!(
                            "{file}: sites.{site}.{key}: unknown key (neither `{key}` nor \
                             `{key}_env` is a setting of this site)"
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
            .hint(
                "check the spelling; the policy keys and each backend's keys are in docs/cli.md",
            )),
            Ok(config) => Ok(config),
        }
    }
}

impl fmt::Debug for BackendTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// Where the configuration is: `--config`, `$ROSTER_CONFIG` (both via clap), or ./roster.toml.
pub fn locate(explicit: Option<&Path>) -> PathBuf {
    explicit.map_or_else(|| PathBuf::from("roster.toml"), Path::to_path_buf)
}

/// Reads and validates the configuration; every problem found is reported at once.
pub fn load(path: &Path) -> Result<Config, CliError> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        CliError::new(format!("cannot read {}: {error}", path.display()))
            .hint("pass --config PATH, set ROSTER_CONFIG, or run `roster sim` to get a sample roster.toml")
    })?;
    if let Some(dir) = path.parent() {
        let env_file = dir.join(".env");
        if env_file.is_file() {
            dotenvy::from_path(&env_file).map_err(|error| {
                CliError::new(format!("cannot load {}: {error}", env_file.display()))
            })?;
        }
    }
    parse(path, &text, &|name| std::env::var(name).ok())
}

/// Parses configuration text, resolving variables with `env`.
pub fn parse(
    path: &Path,
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, CliError> {
    let file = path.display();
    let root: Table = text.parse().map_err(|error: toml::de::Error| {
        let at = error
            .span()
            .map(|span| {
                let line = text[..span.start].matches('\n').count() + 1;
                format!(":{line}")
            })
            .unwrap_or_default();
        CliError::new(format!("{file}{at}: {}", error.message().trim()))
    })?;
    let mut problems = Vec::new();
    for key in root.keys() {
        if key != "sites" && key != "defaults" {
            problems.push(format!(
                "{file}: unknown top-level key `{key}` (expected [defaults] and [sites.NAME])"
            ));
        }
    }
    let defaults = match root.get("defaults") {
        None => Table::new(),
        Some(Value::Table(table)) => table.clone(),
        Some(_) => {
            problems.push(format!("{file}: `defaults` must be a table"));
            Table::new()
        }
    };
    let mut sites = BTreeMap::new();
    match root.get("sites") {
        Some(Value::Table(tables)) => {
            for (name, value) in tables {
                match value {
                    Value::Table(table) => match site(path, name, table, &defaults, env) {
                        Ok(site) => {
                            sites.insert(name.clone(), site);
                        }
                        Err(mut site_problems) => problems.append(&mut site_problems),
                    },
                    _ => problems.push(format!("{file}: sites.{name} must be a table")),
                }
            }
        }
        None => problems.push(format!("{file}: no [sites.NAME] table")),
        Some(_) => problems.push(format!("{file}: `sites` must be a table of sites")),
    }
    if problems.is_empty() {
        Ok(Config {
            path: path.to_path_buf(),
            sites,
        })
    } else {
        Err(CliError::new(problems.join("\n")).hint(
            "fix the keys above; `roster config check` re-checks without contacting any site",
        ))
    }
}

fn site(
    path: &Path,
    name: &str,
    table: &Table,
    defaults: &Table,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<SiteConfig, Vec<String>> {
    let file = path.display();
    let mut problems = Vec::new();
    let mut policy_table = defaults.clone();
    let mut backend = Table::new();
    for (key, value) in table {
        if POLICY_KEYS.contains(&key.as_str()) {
            policy_table.insert(key.clone(), value.clone());
            continue;
        }
        backend.insert(key.clone(), value.clone());
    }
    let backend = resolve_secrets(
        &format!("{file}: sites.{name}"),
        &backend,
        env,
        &mut problems,
    );
    let kind = policy_table
        .remove("kind")
        .and_then(|v| v.as_str().map(str::to_owned));
    let kind = match kind {
        Some(kind) if KINDS.contains(&kind.as_str()) => kind,
        Some(other) => {
            problems.push(format!(
                "{file}: sites.{name}.kind: unknown backend `{other}` (one of {})",
                KINDS.join(", ")
            ));
            String::new()
        }
        None => {
            problems.push(format!(
                "{file}: sites.{name}.kind: missing (one of {})",
                KINDS.join(", ")
            ));
            String::new()
        }
    };
    let policy: Option<SitePolicy> = match Value::Table(policy_table.clone()).try_into() {
        Ok(policy) => Some(policy),
        Err(error) => {
            let error: toml::de::Error = error;
            let at = policy_key_at_fault(&policy_table)
                .map(|key| {
                    let table = if table.contains_key(&key) {
                        format!("sites.{name}")
                    } else {
                        "defaults".to_owned()
                    };
                    format!("{table}.{key}")
                })
                .unwrap_or_else(|| format!("sites.{name}"));
            problems.push(format!("{file}: {at}: {}", error.message().trim()));
            None
        }
    };
    if let Some(policy) = &policy {
        if !["preserve", "deactivate", "delete"].contains(&policy.orphan_policy.as_str()) {
            problems.push(format!(
                "{file}: sites.{name}.orphan_policy: `{}` is not one of preserve, deactivate, delete",
                policy.orphan_policy
            ));
        }
        for (key, value) in &backend {
            if key == "url" || key.ends_with("_url") {
                if let Some(url) = value.as_str() {
                    if let Err(why) = check_url(url, policy.allow_insecure_http) {
                        problems.push(format!("{file}: sites.{name}.{key}: {why}"));
                    }
                }
            }
        }
    }
    match policy {
        Some(policy) if problems.is_empty() => Ok(SiteConfig {
            name: name.to_owned(),
            kind,
            policy,
            backend: BackendTable(backend),
        }),
        _ => Err(problems),
    }
}

/// The first policy key whose value alone cannot be read, so a message can name it (the
/// parser's own message names the type only).
fn policy_key_at_fault(policy: &Table) -> Option<String> {
    policy.iter().find_map(|(key, value)| {
        let alone = Table::from_iter([(key.clone(), value.clone())]);
        let read: Result<SitePolicy, toml::de::Error> = Value::Table(alone).try_into();
        read.is_err().then(|| key.clone())
    })
}

/// Resolves a backend table: `key_env = "VAR"` becomes `key = <value of VAR>` and `${VAR}`
/// inside strings is replaced, at any depth; each unset variable is one problem.
fn resolve_secrets(
    at: &str,
    table: &Table,
    env: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<String>,
) -> Table {
    let mut resolved = Table::new();
    for (key, value) in table {
        if let Some(target) = key.strip_suffix("_env") {
            match value.as_str().map(|var| (var, env(var))) {
                Some((_, Some(secret))) => {
                    resolved.insert(target.to_owned(), Value::String(secret));
                }
                Some((var, None)) => {
                    problems.push(format!("{at}.{key}: environment variable {var} is not set"))
                }
                None => problems.push(format!(
                    "{at}.{key}: must be the name of an environment variable"
                )),
            }
            continue;
        }
        let value = match value {
            Value::Table(inner) => Ok(Value::Table(resolve_secrets(
                &format!("{at}.{key}"),
                inner,
                env,
                problems,
            ))),
            other => interpolate(other, env),
        };
        match value {
            Ok(value) => {
                resolved.insert(key.clone(), value);
            }
            Err(var) => problems.push(format!("{at}.{key}: environment variable {var} is not set")),
        }
    }
    resolved
}

/// Replaces `${VAR}` in strings (recursively in arrays and tables); the error names the
/// first variable that is not set.
fn interpolate(value: &Value, env: &dyn Fn(&str) -> Option<String>) -> Result<Value, String> {
    Ok(match value {
        Value::String(text) => Value::String(interpolate_str(text, env)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| interpolate(v, env))
                .collect::<Result<_, _>>()?,
        ),
        Value::Table(table) => Value::Table(
            table
                .iter()
                .map(|(k, v)| Ok((k.clone(), interpolate(v, env)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

fn interpolate_str(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start + 2..].find('}') else {
            break;
        };
        let var = &rest[start + 2..start + 2 + len];
        out.push_str(&rest[..start]);
        out.push_str(&env(var).ok_or_else(|| var.to_owned())?);
        rest = &rest[start + 3 + len..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Plain `http://` only to loopback, unless the site allows it.
pub fn check_url(url: &str, allow_insecure_http: bool) -> Result<(), String> {
    let Some(rest) = url.strip_prefix("http://") else {
        return if url.starts_with("https://") {
            Ok(())
        } else {
            Err(format!("`{url}` is not an http(s) URL"))
        };
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, host)| host);
    let host = if host.starts_with('[') {
        host.split(']').next().map(|h| &h[1..]).unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or_default()
    };
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if loopback || allow_insecure_http {
        Ok(())
    } else {
        Err(format!(
            "plain http to `{host}` would send credentials unencrypted; use https, or set allow_insecure_http = true for this site"
        ))
    }
}
