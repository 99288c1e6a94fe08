//! `roster describe SITE`

use crate::cli::config::Config;
use crate::cli::error::{CliResult, Exit};
use crate::cli::sites;

/// Prints the site's backend kind and its capabilities table.
pub fn run(config: &Config, name: &str) -> CliResult<Exit> {
    let site = sites::open(config, name, None)?;
    let info = site.site.directory.describe();
    println!("site     {}", info.site);
    println!("backend  {}\n", info.kind);
    print!("{}", info.capabilities);
    Ok(Exit::Success)
}
