//! `roster users list SITE` and `roster groups list SITE`: the export side of every platform
//! client, with filters, column selection and four output formats.

use std::ops::ControlFlow;

use roster_core::{User, UserQuery};

use crate::cli::args::ListArgs;
use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult, Exit};
use crate::cli::output::{self, Row, RowWriter, GROUP_COLUMNS, USER_COLUMNS};
use crate::cli::sites;
use crate::cli::ui::Ui;

fn filters(args: &ListArgs) -> CliResult<Vec<(String, String)>> {
    args.filters
        .iter()
        .map(|filter| {
            filter
                .split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .ok_or_else(|| {
                    CliError::new(format!("--filter {filter:?}: expected KEY=VALUE")).hint(
                        "for example --filter group=Academy or --filter email=ann@example.org",
                    )
                })
        })
        .collect()
}

fn columns(args: &ListArgs, default: &[&str]) -> Vec<String> {
    if args.columns.is_empty() {
        default.iter().map(|c| (*c).to_owned()).collect()
    } else {
        args.columns.iter().map(|c| c.trim().to_owned()).collect()
    }
}

/// Lists users matching the filters (the backend filters server-side where it can).
pub async fn users(config: &Config, args: &ListArgs, ui: &Ui) -> CliResult<Exit> {
    let site = sites::open(config, &args.site, None)?;
    let query = filters(args)?
        .into_iter()
        .fold(UserQuery::all(), |query, (key, value)| {
            query.with(&key, value)
        });
    ui.info(format!("{}: listing users …", args.site));
    let counter = ui.counter(&args.site, "users");
    let mut out = RowWriter::stdout(&columns(args, USER_COLUMNS), args.output);
    let mut unwritten = None;
    // Each user is written as the site's answer is decoded, so the export never holds the
    // listing; when stdout fails the listing stops there.
    site.site
        .directory
        .for_each_user(&query, &mut |user: User| match out.write(&user) {
            Ok(()) => {
                counter.inc(1);
                ControlFlow::Continue(())
            }
            Err(error) => {
                unwritten = Some(error);
                ControlFlow::Break(())
            }
        })
        .await?;
    counter.finish_and_clear();
    let listed = out.rows();
    match unwritten {
        Some(error) => output::output_failed(error)?,
        None => out.finish().or_else(output::output_failed)?,
    }
    ui.success(format!("{}: {listed} users", args.site));
    Ok(Exit::Success)
}

/// Lists groups, filtered by `name=` or any group attribute.
pub async fn groups(config: &Config, args: &ListArgs, ui: &Ui) -> CliResult<Exit> {
    let site = sites::open(config, &args.site, None)?;
    let filters = filters(args)?;
    ui.info(format!("{}: listing groups …", args.site));
    let mut groups = site.site.directory.list_groups().await?;
    groups.retain(|group| {
        filters.iter().all(|(key, value)| {
            let actual = group.column(key);
            // Text compares as text; numbers and flags compare as the JSON they are.
            match actual.as_str() {
                Some(text) => text == value,
                None => serde_json::from_str::<serde_json::Value>(value).is_ok_and(|v| v == actual),
            }
        })
    });
    ui.success(format!("{}: {} groups", args.site, groups.len()));
    output::write_rows(&groups, &columns(args, GROUP_COLUMNS), args.output)?;
    Ok(Exit::Success)
}
