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
        Self::start_with(SimOptions {
            users,
            ..SimOptions::default()
        })
        .await
    }

    /// Starts the simulators with `options` (latency, faults, rate limit…).
    pub async fn start_with(options: SimOptions) -> Self {
        let fleet = Fleet::start(options).await.expect("simulators start");
        Self::around(fleet)
    }

    /// A configuration folder for simulators already running (e.g. started from edited seeds).
    pub fn around(fleet: Fleet) -> Self {
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

    /// Like [`Sites::roster`], with extra environment variables.
    pub async fn roster_env(&self, env: &[(&str, &str)], args: &[&str]) -> Output {
        run_env(self.dir.path(), Some(&self.config), env, args).await
    }
}

/// Runs the binary with `args` in `dir` (with `--config` when given), stdin closed.
pub async fn run(dir: &Path, config: Option<&Path>, args: &[&str]) -> Output {
    run_env(dir, config, &[], args).await
}

/// [`run`] with extra environment variables.
pub async fn run_env(
    dir: &Path,
    config: Option<&Path>,
    env: &[(&str, &str)],
    args: &[&str],
) -> Output {
    let mut command = assert_cmd::Command::cargo_bin("roster").expect("roster is built");
    command
        .current_dir(dir)
        .env_remove("ROSTER_CONFIG")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .envs(env.iter().copied());
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

/// A scale factor for the reliability proofs: `ROSTER_PROOF_SCALE=full` runs the sizes the
/// issue names, anything else (the default) the CI sizes.
pub fn full_scale() -> bool {
    std::env::var("ROSTER_PROOF_SCALE").is_ok_and(|v| v == "full")
}

/// `count` new people, `username,email,first_name,last_name,password,dob,sex` rows with a
/// header, named with `prefix` so runs do not collide with the seeded users (AMS needs a
/// password, a date of birth and a sex to create a user; the simulated configuration ignores
/// those columns on the other sites).
pub fn new_people_csv(prefix: &str, count: usize) -> String {
    let mut text = String::from("username,email,first_name,last_name,password,dob,sex\n");
    for n in 0..count {
        text.push_str(&format!(
            "{prefix}.{n:05},{prefix}.{n:05}@example.org,{},Person{n},Pw-{prefix}-{n:05}-x9,1990-01-01,FEMALE\n",
            capitalised(prefix)
        ));
    }
    text
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
