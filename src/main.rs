//! The `roster` command line.

mod cli;

use std::process::ExitCode;

use clap::Parser;

use cli::args::Cli;
use cli::error::Exit;
use cli::ui::Ui;

fn main() -> ExitCode {
    let args = Cli::parse();
    let ui = Ui::new(args.quiet);
    init_logging(args.verbose, &ui);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the async runtime starts");
    match runtime.block_on(cli::run(args, ui.clone())) {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(error) => {
            ui.failure(format!("error: {error}"));
            ExitCode::from(error.exit as u8)
        }
    }
}

/// Logs go to stderr through the UI (so they never tear progress bars); `-v` raises the
/// level, `RUST_LOG` overrides it.
fn init_logging(verbose: u8, ui: &Ui) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(ui.clone())
        .with_ansi(console::colors_enabled_stderr())
        .try_init();
    let _ = Exit::Success;
}
