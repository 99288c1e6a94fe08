//! `roster copy-user`: one user from a source site onto many target sites, as one plan.

use std::path::PathBuf;

use roster_engine::{CopyFields, RunOptions};

use crate::cli::args::CopyUserArgs;
use crate::cli::commands::apply::DEFAULT_JOURNAL;
use crate::cli::commands::run;
use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult, Exit};
use crate::cli::sites;
use crate::cli::ui::Ui;

/// Reads the user, plans it on every target, asks, applies.
pub async fn run(config: &Config, args: &CopyUserArgs, ui: &Ui) -> CliResult<Exit> {
    let source = sites::open(config, &args.from, None)?;
    let targets = sites::open_many(config, &args.to, false, false)?;
    let key = sites::parse_key(&args.user);
    let fields = (!args.fields.is_empty())
        .then(|| CopyFields(args.fields.iter().map(|f| f.trim().to_owned()).collect()));
    ui.info(format!(
        "reading {key} from {} and {} target site(s) …",
        args.from,
        targets.len()
    ));
    let engine_targets: Vec<_> = targets.iter().map(|t| t.site.clone()).collect();
    let copy = roster_engine::copy_user(&*source.site.directory, &key, &engine_targets, fields)
        .await
        .map_err(run::engine_error)?;
    let names: Vec<&str> = copy.fields.0.iter().map(String::as_str).collect();
    ui.info(format!(
        "copying the fields: {} (adjust with --fields)",
        names.join(", ")
    ));
    print!("{}", copy.plan);
    if copy.plan.has_errors() {
        return Err(CliError::new(
            "the plan has errors (above); nothing was copied",
        ));
    }
    if copy.plan.is_empty() {
        ui.success("every target already has this user as on the source");
        return Ok(Exit::Success);
    }
    if !args.yes && !args.dry_run {
        run::confirm()?;
    }
    let options = RunOptions {
        dry_run: args.dry_run,
        journal: Some(PathBuf::from(DEFAULT_JOURNAL)),
        ..RunOptions::default()
    };
    let report = run::apply_with_progress(&copy.plan, &targets, &options, ui).await?;
    Ok(run::summarize(&report, ui))
}
