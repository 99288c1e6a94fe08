//! Shared setup for the end-to-end tests: the four simulators in this process, a roster.toml
//! pointing at them, and the real `roster` binary run against it.

#![allow(dead_code)] // each test file uses its own part of this module

use std::path::{Path, PathBuf};
use std::process::Output;

use roster::simulated::simulated_config;
use roster_sim::{Fleet, SimOptions};

/// Four running simulators and a configuration folder for them.
pub struct Sites {
    pub fleet: Fleet,
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
}

impl Sites {
    /// Starts the simulators with `users` seeded users each and writes roster.toml and .env.
    pub async fn start(users: usize) -> Self {
        let fleet = Fleet::start(SimOptions {
            users,
            ..SimOptions::default()
        })
        .await
        .expect("simulators start");
        let dir = tempfile::tempdir().expect("temp dir");
        let config = simulated_config(&fleet)
            .write_to(dir.path())
            .expect("config written");
        Self { fleet, dir, config }
    }

    /// A file in the test's folder with `text`.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("test file written");
        path
    }

    /// Runs `roster --config CONFIG ARGS…` in the test's folder, off the async runtime.
    pub async fn roster(&self, args: &[&str]) -> Output {
        run(self.dir.path(), Some(&self.config), args).await
    }
}

/// Runs the binary with `args` in `dir` (with `--config` when given), stdin closed.
pub async fn run(dir: &Path, config: Option<&Path>, args: &[&str]) -> Output {
    let mut command = assert_cmd::Command::cargo_bin("roster").expect("roster is built");
    command
        .current_dir(dir)
        .env_remove("ROSTER_CONFIG")
        .env("NO_COLOR", "1");
    if let Some(config) = config {
        command.arg("--config").arg(config);
    }
    command.args(args);
    tokio::task::spawn_blocking(move || command.output().expect("roster runs"))
        .await
        .expect("roster finished")
}

/// stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The exit code.
pub fn code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}
