//! `roster sites`

use std::path::Path;

use crate::cli::config;
use crate::cli::error::{CliResult, Exit};

/// Lists the configured sites with their backend kind and policy, one per line.
pub fn run(path: &Path) -> CliResult<Exit> {
    let config = config::load(path)?;
    let width = config
        .sites
        .keys()
        .map(String::len)
        .max()
        .unwrap_or(4)
        .max(4);
    println!(
        "{:<width$}  {:<9}  {:<10}  KEY ORDER",
        "SITE", "KIND", "ORPHANS"
    );
    for site in config.sites.values() {
        println!(
            "{:<width$}  {:<9}  {:<10}  {}",
            site.name,
            site.kind,
            site.policy.orphan_policy,
            if site.policy.key_order.is_empty() {
                "(backend default)".to_owned()
            } else {
                site.policy.key_order.join(", ")
            }
        );
    }
    Ok(Exit::Success)
}
