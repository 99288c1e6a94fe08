//! The CLI: arguments, configuration, output, and one module per command.

pub mod args;
mod commands;
pub mod config;
pub mod error;
mod output;
mod remote_validation;
pub mod sites;
pub mod ui;

use args::{AvatarsCommand, Cli, Command, ConfigCommand, GroupsCommand, UsersCommand};
use error::{CliResult, Exit};
use ui::Ui;

/// Runs one command; the exit code on success, or the error to print.
pub async fn run(cli: Cli, ui: Ui) -> CliResult<Exit> {
    let config_path = config::locate(cli.config.as_deref());
    let load = || config::load(&config_path);
    match cli.command {
        Command::Demo(args) => commands::demo::run(&args, &ui).await,
        Command::Sim(args) => commands::sim::run(&args, &ui).await,
        Command::Completions { shell } => commands::completions::run(shell),
        Command::Config(ConfigCommand::Check) => commands::config_check::run(&config_path, &ui),
        Command::Sites => commands::sites::run(&config_path),
        Command::Describe { site } => commands::describe::run(&load()?, &site),
        Command::Check { site } => commands::check::run(&load()?, &site, &ui).await,
        Command::Users(UsersCommand::List(args)) => {
            commands::list::users(&load()?, &args, &ui).await
        }
        Command::Groups(GroupsCommand::List(args)) => {
            commands::list::groups(&load()?, &args, &ui).await
        }
        Command::Plan(args) => commands::plan::run(&load()?, &args, &ui).await,
        Command::Apply(args) => commands::apply::run(&load()?, &args, &ui).await,
        Command::CopyUser(args) => commands::copy_user::run(&load()?, &args, &ui).await,
        Command::Avatars(AvatarsCommand::Upload {
            site,
            dir,
            key,
            mapping,
            results,
        }) => {
            let request = commands::avatars::UploadRequest {
                site: &site,
                dir: &dir,
                key: &key,
                mapping: mapping.as_deref(),
                results: results.as_deref(),
            };
            commands::avatars::upload(&load()?, request, &ui).await
        }
    }
}
