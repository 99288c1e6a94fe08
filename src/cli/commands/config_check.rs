//! `roster config check`

use std::path::Path;

use crate::cli::config;
use crate::cli::error::{CliResult, Exit};
use crate::cli::ui::Ui;

/// Validates the file and the environment it names; contacts no site.
pub fn run(path: &Path, ui: &Ui) -> CliResult<Exit> {
    let config = config::load(path)?;
    for site in config.sites.values() {
        crate::cli::sites::validate(&config.path, site)?;
        ui.success(format!(
            "sites.{}: {} backend, settings complete",
            site.name, site.kind
        ));
    }
    ui.success(format!(
        "{}: {} site(s), no problems found",
        path.display(),
        config.sites.len()
    ));
    Ok(Exit::Success)
}
