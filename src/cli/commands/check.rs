//! `roster check SITE`

use roster_core::UserQuery;

use crate::cli::config::Config;
use crate::cli::error::{CliResult, Exit};
use crate::cli::sites;
use crate::cli::ui::Ui;

/// Logs in and lists users: proves the URL, the credentials and the permissions.
pub async fn run(config: &Config, name: &str, ui: &Ui) -> CliResult<Exit> {
    let site = sites::open(config, name, None)?;
    ui.info(format!("{name}: logging in and listing users …"));
    let users = site.site.directory.list_users(&UserQuery::all()).await?;
    ui.success(format!(
        "{name}: {} backend answered; {} users listed",
        site.kind,
        users.len()
    ));
    Ok(Exit::Success)
}
