//! `roster completions SHELL`

use clap::CommandFactory;

use crate::cli::args::Cli;
use crate::cli::error::{CliResult, Exit};

/// Prints the completion script for `shell` on stdout.
pub fn run(shell: clap_complete::Shell) -> CliResult<Exit> {
    clap_complete::generate(shell, &mut Cli::command(), "roster", &mut std::io::stdout());
    Ok(Exit::Success)
}
