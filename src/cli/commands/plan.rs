//! `roster plan`: what would change, per site, without changing anything.

use roster_engine::{Plan, RunOptions};

use crate::cli::args::PlanArgs;
use crate::cli::commands::{desired, run};
use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult, Exit};
use crate::cli::sites::{self, OpenSite};
use crate::cli::ui::Ui;

/// Plans `desired` on the sites, prints it, saves it with `--out`.
pub async fn run(config: &Config, args: &PlanArgs, ui: &Ui) -> CliResult<Exit> {
    let desired = desired::read(&args.desired)?;
    let sites = sites::open_many(
        config,
        &args.desired.sites,
        args.desired.all_sites,
        args.validate_remote,
    )?;
    let plan = make(&desired, &sites, ui).await;
    if args.json {
        println!("{}", plan.to_json());
    } else {
        print!("{plan}");
    }
    if args.validate_remote {
        validate_remotely(&plan, &sites, ui).await?;
    }
    if let Some(path) = &args.out {
        std::fs::write(path, plan.to_json())
            .map_err(|error| CliError::new(format!("cannot write {}: {error}", path.display())))?;
        ui.success(format!(
            "plan saved to {}; apply it with `roster apply {}`",
            path.display(),
            path.display()
        ));
    }
    if plan.has_errors() {
        return Err(CliError::new(
            "the plan has errors (above); nothing can be applied until they are fixed",
        ));
    }
    Ok(if args.detailed_exitcode && !plan.is_empty() {
        Exit::Changes
    } else {
        Exit::Success
    })
}

/// Reads every site and plans; says what it is doing while it does.
pub async fn make(desired: &roster_engine::DesiredState, sites: &[OpenSite], ui: &Ui) -> Plan {
    ui.info(format!(
        "{} desired user(s) from {}; reading {} site(s) …",
        desired.users.len(),
        desired.source,
        sites.len()
    ));
    let engine_sites: Vec<_> = sites.iter().map(|s| s.site.clone()).collect();
    let plan = roster_engine::plan(desired, &engine_sites).await;
    ui.success("plan ready");
    plan
}

/// Asks sites that can (Periscope test mode) to validate each change, applying nothing.
async fn validate_remotely(plan: &Plan, sites: &[OpenSite], ui: &Ui) -> CliResult {
    let able: Vec<&str> = sites
        .iter()
        .filter(|s| s.site.capabilities().remote_dry_run)
        .map(|s| s.name.as_str())
        .collect();
    if able.is_empty() {
        ui.warn("--validate-remote: none of these sites can validate changes remotely");
        return Ok(());
    }
    if plan.has_errors() {
        return Ok(());
    }
    ui.info(format!(
        "asking {} to validate each change (nothing is saved) …",
        able.join(", ")
    ));
    let options = RunOptions {
        dry_run: true,
        ..RunOptions::default()
    };
    let report = run::apply_with_progress(plan, sites, &options, ui).await?;
    let refused: Vec<_> = report
        .outcomes
        .iter()
        .filter(|o| o.status == roster_engine::ItemStatus::Failed)
        .collect();
    for outcome in &refused {
        ui.failure(format!(
            "{}: {} {}: {}",
            outcome.site,
            outcome.action,
            outcome.key,
            outcome.reason.as_deref().unwrap_or("refused")
        ));
    }
    if refused.is_empty() {
        ui.success("the sites accept every change");
        Ok(())
    } else {
        Err(CliError::new(format!(
            "{} change(s) refused by remote validation",
            refused.len()
        )))
    }
}
