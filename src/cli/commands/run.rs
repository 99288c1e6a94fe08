//! Applying a plan with progress bars, Ctrl-C handling, and the report for people.

use std::collections::HashMap;
use std::io::{BufRead, IsTerminal, Write};

use roster_engine::apply::ApplyHooks;
use roster_engine::progress::ProgressEvent;
use roster_engine::{ApplyReport, EngineError, ItemStatus, Plan, RunOptions};
use tokio_util::sync::CancellationToken;

use crate::cli::error::{CliError, CliResult, Exit};
use crate::cli::sites::OpenSite;
use crate::cli::ui::Ui;

/// Applies `plan`, drawing one bar per site; Ctrl-C finishes in-flight items and reports the
/// rest as not attempted.
pub async fn apply_with_progress(
    plan: &Plan,
    sites: &[OpenSite],
    options: &RunOptions,
    ui: &Ui,
) -> CliResult<ApplyReport> {
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    let hooks = ApplyHooks {
        progress: Some(sender),
        cancel: cancel.clone(),
    };
    let interrupt = {
        let cancel = cancel.clone();
        let ui = ui.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                ui.warn("interrupted: finishing the requests in flight, then stopping");
                cancel.cancel();
            }
        })
    };
    let bars_ui = ui.clone();
    let bars = tokio::spawn(async move {
        let mut bars = HashMap::new();
        while let Some(event) = events.recv().await {
            match event {
                ProgressEvent::Planned { site, total } => {
                    let bar = bars_ui.bar(&site, total as u64);
                    bars.insert(site, bar);
                }
                ProgressEvent::ItemDone { outcome } => {
                    if let Some(bar) = bars.get(&outcome.site) {
                        bar.inc(1);
                    }
                }
                ProgressEvent::SiteDone {
                    site,
                    succeeded,
                    failed,
                    ..
                } => {
                    if let Some(bar) = bars.remove(&site) {
                        bar.finish_with_message(format!("{succeeded} ok, {failed} failed"));
                    }
                }
            }
        }
    });
    let engine_sites: Vec<_> = sites.iter().map(|s| s.site.clone()).collect();
    let result = roster_engine::apply(plan, &engine_sites, options, hooks).await;
    interrupt.abort();
    let _ = bars.await;
    result.map_err(engine_error)
}

/// An engine refusal, with its exit code and what to do.
pub fn engine_error(error: EngineError) -> CliError {
    match &error {
        EngineError::StateChanged { .. } => CliError::new(error.to_string())
            .hint("the saved plan no longer matches the site; run `roster plan` again")
            .exit(Exit::GuardRefused),
        EngineError::PlanHasErrors(_) => CliError::new(error.to_string())
            .hint("`roster plan` shows the errors and what to do instead"),
        EngineError::Journal(_) => CliError::new(error.to_string())
            .hint("check that the journal path is writable, or pass another with --journal FILE"),
        _ => CliError::new(error.to_string()),
    }
}

/// Prints a per-site summary and every item that did not succeed; returns the exit code.
pub fn summarize(report: &ApplyReport, ui: &Ui) -> Exit {
    let mut sites: Vec<&str> = report.outcomes.iter().map(|o| o.site.as_str()).collect();
    sites.sort_unstable();
    sites.dedup();
    println!(
        "\n{:<14} {:>9} {:>7} {:>8} {:>14}",
        "SITE", "SUCCEEDED", "FAILED", "SKIPPED", "NOT ATTEMPTED"
    );
    for site in &sites {
        let count = |status| {
            report
                .outcomes
                .iter()
                .filter(|o| o.site == *site && o.status == status)
                .count()
        };
        println!(
            "{site:<14} {:>9} {:>7} {:>8} {:>14}",
            count(ItemStatus::Succeeded),
            count(ItemStatus::Failed),
            count(ItemStatus::Skipped),
            count(ItemStatus::NotAttempted)
        );
    }
    let mut guard_held = false;
    for outcome in report
        .outcomes
        .iter()
        .filter(|o| o.status != ItemStatus::Succeeded)
    {
        let reason = outcome.reason.as_deref().unwrap_or("");
        guard_held |= reason.contains("max_deletes");
        let line = format!(
            "{}: {} {}: {:?}: {reason}",
            outcome.site, outcome.action, outcome.key, outcome.status
        );
        if outcome.status == ItemStatus::Failed {
            ui.failure(line);
        } else if !report.dry_run {
            ui.warn(line);
        }
    }
    if let Some(why) = &report.stopped {
        ui.failure(format!("the run stopped early: {why}"));
    }
    let failed = report.count(ItemStatus::Failed) + report.count(ItemStatus::NotAttempted);
    if failed > 0 {
        Exit::Error
    } else if guard_held {
        Exit::GuardRefused
    } else {
        Exit::Success
    }
}

/// Asks on the terminal; refuses when there is none to ask on.
pub fn confirm() -> CliResult {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::new(
            "refusing to apply without confirmation: standard input is not a terminal",
        )
        .hint("review the plan above, then run again with --yes (or --dry-run to send nothing)"));
    }
    eprint!("Apply these changes? Only 'yes' is accepted: ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|error| CliError::new(format!("cannot read the answer: {error}")))?;
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(CliError::new("not applied: the answer was not 'yes'"))
    }
}
