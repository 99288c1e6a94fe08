//! Running the `roster` binary against a simulator: the binary built beside the examples, and
//! a `roster.toml` for one Periscope site (one list request holds every user, so a listing of
//! a million users measures decoding and output, not request overhead).

use std::path::{Path, PathBuf};
use std::process::Command;

use roster::sim::periscope::PeriscopeState;
use roster::sim::SimHandle;

use super::fail;

/// The site name in the configuration [`periscope_config`] writes.
pub const SITE: &str = "periscope";

/// The `roster` binary of the same build as this example (`target/<profile>/roster`).
pub fn roster_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|error| fail(error));
    let binary = exe
        .parent()
        .and_then(Path::parent)
        .map(|profile| profile.join("roster"))
        .filter(|binary| binary.is_file())
        .unwrap_or_else(|| {
            fail("the roster binary is not built: run `cargo build --release --bin roster --examples` first")
        });
    binary
}

/// `roster --config CONFIG ARGS…`, quiet, without colour.
pub fn roster(config: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(roster_binary());
    command
        .env("NO_COLOR", "1")
        .env_remove("ROSTER_CONFIG")
        .arg("--config")
        .arg(config)
        .arg("-q")
        .args(args);
    command
}

/// Writes `roster.toml` and `.env` into `dir` for `sim` as site [`SITE`], with a response
/// cap large enough for every user in one reply; returns the config's path.
pub fn periscope_config(dir: &Path, sim: &SimHandle<PeriscopeState>) -> PathBuf {
    let creds = sim.credentials();
    let toml = format!(
        "[sites.{SITE}]\nkind = \"periscope\"\nbase_url = \"{}\"\nsite_name = \"{}\"\n\
         api_key_env = \"BENCH_PERISCOPE_API_KEY\"\ninvited_by_email = \"{}\"\n\
         key_order = [\"email\"]\nignore_fields = [\"password\", \"dob\", \"sex\"]\n\
         # A million users come in one reply of a few hundred megabytes.\n\
         max_body_bytes = {}\n",
        sim.url(),
        creds.site_name,
        creds.admin_email,
        4usize << 30,
    );
    let path = dir.join("roster.toml");
    std::fs::write(&path, toml).unwrap_or_else(|error| fail(error));
    std::fs::write(
        dir.join(".env"),
        format!("BENCH_PERISCOPE_API_KEY={}\n", creds.api_key),
    )
    .unwrap_or_else(|error| fail(error));
    path
}
