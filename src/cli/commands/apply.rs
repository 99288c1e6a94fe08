//! `roster apply`: a saved plan, or plan-and-apply a desired-state file.

use std::path::{Path, PathBuf};

use roster_engine::{MaxDeletes, Plan, RunOptions};

use crate::cli::args::ApplyArgs;
use crate::cli::commands::{desired, plan, report_files, run};
use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult, Exit};
use crate::cli::sites::{self, OpenSite};
use crate::cli::ui::Ui;

/// The journal used when none is given: re-running in the same folder resumes safely.
pub const DEFAULT_JOURNAL: &str = "roster.journal.jsonl";

/// Plans (or loads the plan), asks, applies, reports.
pub async fn run(config: &Config, args: &ApplyArgs, ui: &Ui) -> CliResult<Exit> {
    let (plan, mut sites) = match &args.plan {
        Some(path) => {
            let (mut plan, sites) = load_plan(config, path)?;
            restore_passwords(&mut plan, args, ui)?;
            (plan, sites)
        }
        None => {
            let desired = desired::read(&args.desired)?;
            let mut sites =
                sites::open_many(config, &args.desired.sites, args.desired.all_sites, false)?;
            override_policies(&mut sites, args)?;
            (plan::make(&desired, &sites, ui).await, sites)
        }
    };
    if let Some(concurrency) = args.concurrency {
        for site in &mut sites {
            site.site.policy.concurrency = concurrency.max(1);
        }
    }
    print!("{plan}");
    if plan.has_errors() {
        return Err(CliError::new(
            "the plan has errors (above); nothing was applied",
        ));
    }
    if plan.is_empty() {
        ui.success("nothing to change");
        return Ok(Exit::Success);
    }
    if !args.yes && !args.dry_run {
        run::confirm()?;
    }
    let journal = args
        .journal
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_JOURNAL));
    let options = RunOptions {
        max_failures: args.max_failures,
        dry_run: args.dry_run,
        journal: Some(journal.clone()),
    };
    let report = run::apply_with_progress(&plan, &sites, &options, ui).await?;
    let exit = run::summarize(&report, ui);
    if let Some(path) = &args.results {
        report_files::write_results(path, &report)?;
        ui.info(format!("results: {}", path.display()));
    }
    if let Some(path) = &args.failed {
        let source = args
            .desired
            .desired
            .clone()
            .unwrap_or_else(|| PathBuf::from(&plan.source));
        let rows = report_files::write_failed_rows(path, &source, &report)?;
        ui.info(format!(
            "{rows} failed row(s) written to {}; replay with --desired {}",
            path.display(),
            path.display()
        ));
    }
    if !args.dry_run {
        ui.info(format!("journal: {}", journal.display()));
    }
    Ok(exit)
}

/// A saved plan and the sites it names.
fn load_plan(config: &Config, path: &Path) -> CliResult<(Plan, Vec<OpenSite>)> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| CliError::new(format!("cannot read {}: {error}", path.display())))?;
    let plan = Plan::from_json(&text).map_err(|error| {
        CliError::new(format!("{}: not a roster plan: {error}", path.display()))
            .hint("save a plan with `roster plan --desired FILE --site S --out PLAN.json`")
    })?;
    let names: Vec<String> = plan.sites.iter().map(|s| s.site.clone()).collect();
    let sites = sites::open_many(config, &names, false, false)?;
    Ok((plan, sites))
}

/// A saved plan holds no password: take them back from the desired-state file the plan was
/// made from (`--desired FILE`, else the file the plan names), so its creates can run. A
/// create still without one fails with that reason; nothing else is affected.
fn restore_passwords(plan: &mut Plan, args: &ApplyArgs, ui: &Ui) -> CliResult {
    let given = args.desired.desired.is_some();
    let source = args
        .desired
        .desired
        .clone()
        .unwrap_or_else(|| PathBuf::from(&plan.source));
    if !given && !source.is_file() {
        return Ok(());
    }
    let read_args = crate::cli::args::DesiredArgs {
        desired: Some(source.clone()),
        format: args.desired.format,
        delimiter: args.desired.delimiter,
        mappings: args.desired.mappings.clone(),
        attributes: args.desired.attributes.clone(),
        empty_cells: args.desired.empty_cells,
        sites: Vec::new(),
        all_sites: false,
    };
    let desired = desired::read(&read_args)?;
    let missing = plan.restore_passwords(&desired);
    if missing > 0 {
        ui.warn(format!(
            "{missing} create(s) in the plan have no password in {}; they will fail",
            source.display()
        ));
    }
    Ok(())
}

/// `--max-deletes` overrides every site's limit for this run.
fn override_policies(sites: &mut [OpenSite], args: &ApplyArgs) -> CliResult {
    if let Some(text) = &args.max_deletes {
        let max = MaxDeletes::parse(text)
            .map_err(|why| CliError::new(format!("--max-deletes: {why}")))?;
        for site in sites {
            site.site.policy.max_deletes = Some(max);
        }
    }
    Ok(())
}
