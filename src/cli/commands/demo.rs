//! `roster demo`: the whole job on four built-in simulated sites, in seconds, with nothing to
//! configure: plan, apply with progress, the results, the journal, and a second plan that
//! shows nothing left to change.

use std::path::{Path, PathBuf};

use roster::simulated::{simulated_config, SITES};
use roster_engine::RunOptions;
use roster_sim::common::seed_people;
use roster_sim::{Fleet, SimOptions};

use crate::cli::args::DemoArgs;
use crate::cli::commands::{plan, run};
use crate::cli::config;
use crate::cli::error::{CliError, CliResult, Exit};
use crate::cli::sites;
use crate::cli::ui::Ui;

const SEED: u64 = 42;

/// Runs the demo; exits non-zero if anything did not converge.
pub async fn run(args: &DemoArgs, ui: &Ui) -> CliResult<Exit> {
    let work = args.keep.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("roster-demo-{}", std::process::id()))
    });
    ui.info("starting four simulated sites: Teamworks AMS, REDCap, Periscope Data, LumApps …");
    let options = SimOptions {
        seed: SEED,
        users: args.users,
        ..SimOptions::default()
    };
    let fleet = Fleet::start(options)
        .await
        .map_err(|error| CliError::new(format!("cannot start the simulators: {error}")))?;
    let config_path = simulated_config(&fleet)
        .write_to(&work)
        .map_err(|error| CliError::new(format!("cannot write to {}: {error}", work.display())))?;
    let desired_path = write_desired(&work, args.users)?;
    ui.success(format!(
        "sites ready; configuration in {}",
        config_path.display()
    ));
    ui.info(format!("desired state: {}", desired_path.display()));

    let config = config::load(&config_path)?;
    let names: Vec<String> = SITES.iter().map(|s| (*s).to_owned()).collect();
    let sites = sites::open_many(&config, &names, false, false)?;
    let desired_args = crate::cli::args::DesiredArgs {
        desired: Some(desired_path.clone()),
        format: None,
        delimiter: None,
        mappings: Vec::new(),
        attributes: vec!["dob".into(), "sex".into()],
        empty_cells: crate::cli::args::EmptyCells::Ignore,
        sites: names.clone(),
        all_sites: false,
    };
    let desired = super::desired::read(&desired_args)?;

    let first = plan::make(&desired, &sites, ui).await;
    print!("{first}");
    if first.has_errors() {
        return Err(CliError::new(
            "the demo plan has errors; this is a bug in roster",
        ));
    }
    let journal = work.join("roster.journal.jsonl");
    let options = RunOptions {
        journal: Some(journal.clone()),
        ..RunOptions::default()
    };
    let report = run::apply_with_progress(&first, &sites, &options, ui).await?;
    let exit = run::summarize(&report, ui);
    ui.info(format!("journal: {}", journal.display()));

    ui.info("planning again: every site should now match the desired state …");
    let second = plan::make(&desired, &sites, ui).await;
    print!("{second}");
    let duplicates = fleet.duplicate_identities();
    if second.is_empty() && duplicates == 0 && exit == Exit::Success {
        ui.success(format!(
            "no changes left on {} sites; {} requests served, no duplicate users",
            sites.len(),
            fleet.total_requests()
        ));
        Ok(Exit::Success)
    } else {
        Err(CliError::new(format!(
            "the demo did not converge (changes left: {}, duplicate users: {duplicates})",
            !second.is_empty()
        )))
    }
}

/// A small desired state: three new people, and a new surname for one who is already on
/// every site. Written as a person would write it: a header row, one user per line.
fn write_desired(dir: &Path, users: usize) -> CliResult<PathBuf> {
    let mut text = String::from("username,email,first_name,last_name,password,dob,sex\n");
    for (username, first, last, dob, sex) in [
        ("ines.moreau", "Inès", "Moreau", "1994-03-12", "FEMALE"),
        ("tariq.haddad", "Tariq", "Haddad", "1989-11-02", "MALE"),
        ("yuki.sato", "Yuki", "Satō", "2001-06-30", "FEMALE"),
    ] {
        text.push_str(&format!(
            "{username},{username}@example.org,{first},{last},Demo-Passw0rd-{username},{dob},{sex}\n"
        ));
    }
    if let Some(person) = seed_people(SEED, users).into_iter().next() {
        text.push_str(&format!(
            "{},{},{},{}-Smith,,,\n",
            person.username, person.email, person.first_name, person.last_name
        ));
    }
    let path = dir.join("desired.csv");
    std::fs::write(&path, text)
        .map_err(|error| CliError::new(format!("cannot write {}: {error}", path.display())))?;
    Ok(path)
}
