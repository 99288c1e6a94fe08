//! `roster sim`: the four simulators on loopback until Ctrl-C.

use std::time::Duration;

use roster::simulated::simulated_config;
use roster_sim::{FaultOptions, Fleet, SimOptions};

use crate::cli::args::SimArgs;
use crate::cli::error::{CliError, CliResult, Exit};
use crate::cli::ui::Ui;

/// Starts the fleet, writes roster.toml and .env, prints the config, serves until Ctrl-C.
pub async fn run(args: &SimArgs, ui: &Ui) -> CliResult<Exit> {
    if !(0.0..=1.0).contains(&args.fault_rate) {
        return Err(CliError::new(format!(
            "--fault-rate {}: must be between 0 and 1",
            args.fault_rate
        )));
    }
    let options = SimOptions {
        seed: args.seed,
        users: args.users,
        latency: Duration::from_millis(args.latency),
        faults: FaultOptions {
            rate: args.fault_rate,
            ..FaultOptions::default()
        },
        rate_limit: args.rate_limit,
        ..SimOptions::default()
    };
    let fleet = Fleet::start(options)
        .await
        .map_err(|error| CliError::new(format!("cannot start the simulators: {error}")))?;
    let config = simulated_config(&fleet);
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("roster-sim-{}", std::process::id())));
    let path = config
        .write_to(&dir)
        .map_err(|error| CliError::new(format!("cannot write to {}: {error}", dir.display())))?;
    print!("{}", config.toml);
    ui.success(format!("AMS        {}", fleet.ams.url()));
    ui.success(format!("REDCap     {}", fleet.redcap.url()));
    ui.success(format!("Periscope  {}", fleet.periscope.url()));
    ui.success(format!("LumApps    {}", fleet.usersave.url()));
    ui.info(format!(
        "configuration: {} (credentials in {})",
        path.display(),
        dir.join(".env").display()
    ));
    ui.info(format!(
        "try: roster --config {} users list ams",
        path.display()
    ));
    ui.info("serving until Ctrl-C");
    tokio::signal::ctrl_c()
        .await
        .map_err(|error| CliError::new(format!("cannot wait for Ctrl-C: {error}")))?;
    ui.info("stopped");
    Ok(Exit::Success)
}
