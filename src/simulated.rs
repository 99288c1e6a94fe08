//! A ready-to-use configuration for a running [`Fleet`] of simulators: what `roster sim`
//! prints, what `roster demo` runs on, and what the end-to-end tests use.
//!
//! Credentials go into environment variables (written to a `.env` beside the config), never
//! into the TOML, as with a real site.

use std::fmt::Write;

use roster_sim::usersave::UsersaveAuth;
use roster_sim::Fleet;

/// Site names in the generated configuration.
pub const SITES: [&str; 4] = ["ams", "redcap", "periscope", "lumapps"];

/// A `roster.toml` and the environment it names.
pub struct SimulatedConfig {
    /// The configuration file's text.
    pub toml: String,
    /// `(variable, value)` pairs the configuration reads; values are credentials.
    pub env: Vec<(String, String)>,
}

impl SimulatedConfig {
    /// The `.env` file's text.
    pub fn dotenv(&self) -> String {
        self.env
            .iter()
            .map(|(name, value)| format!("{name}={value}\n"))
            .collect()
    }

    /// Writes `roster.toml` and `.env` into `dir` and returns the config's path.
    pub fn write_to(&self, dir: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join("roster.toml");
        std::fs::write(&path, &self.toml)?;
        std::fs::write(dir.join(".env"), self.dotenv())?;
        Ok(path)
    }
}

/// The configuration of the four simulated sites: `ams`, `redcap`, `periscope`, `lumapps`.
pub fn simulated_config(fleet: &Fleet) -> SimulatedConfig {
    let mut toml = String::from(
        "# The four built-in simulators (roster sim). Credentials are in the .env beside this file.\n\
         [defaults]\nconcurrency = 8\nmax_deletes = \"10%\"\n",
    );
    let mut env = Vec::new();

    let ams = fleet.ams.credentials();
    env.push(("ROSTER_SIM_AMS_PASSWORD".to_owned(), ams.password));
    let _ = write!(
        toml,
        "\n[sites.ams]\nkind = \"ams\"\nurl = \"{}\"\nusername = \"{}\"\npassword_env = \"ROSTER_SIM_AMS_PASSWORD\"\nkey_order = [\"username\", \"email\"]\norphan_policy = \"preserve\"\n",
        ams.site_url, ams.username
    );

    let redcap = fleet.redcap.credentials();
    env.push(("ROSTER_SIM_REDCAP_TOKEN".to_owned(), redcap.token));
    let _ = write!(
        toml,
        "\n[sites.redcap]\nkind = \"redcap\"\nurl = \"{}\"\ntoken_env = \"ROSTER_SIM_REDCAP_TOKEN\"\nkey_order = [\"username\"]\n# REDCap accounts and their passwords live outside the project.\nignore_fields = [\"password\"]\n",
        redcap.api_url
    );

    let periscope = fleet.periscope.credentials();
    env.push(("ROSTER_SIM_PERISCOPE_API_KEY".to_owned(), periscope.api_key));
    let _ = write!(
        toml,
        "\n[sites.periscope]\nkind = \"periscope\"\nbase_url = \"{}\"\nsite_name = \"{}\"\napi_key_env = \"ROSTER_SIM_PERISCOPE_API_KEY\"\ninvited_by_email = \"{}\"\nkey_order = [\"email\"]\n# Periscope takes no password: sign-in is by invitation.\nignore_fields = [\"password\"]\n",
        fleet.periscope.url(),
        periscope.site_name,
        periscope.admin_email
    );

    let lumapps = fleet.usersave.credentials();
    let _ = write!(
        toml,
        "\n[sites.lumapps]\nkind = \"usersave\"\nbase_url = \"{}\"\ncustomer_id = \"{}\"\ninstance_id = \"{}\"\nkey_order = [\"email\"]\n",
        fleet.usersave.url(),
        lumapps.customer_id,
        lumapps.instance_id
    );
    if let Some(group_type) = &lumapps.group_type {
        let _ = writeln!(toml, "group_type = \"{group_type}\"");
    }
    if let UsersaveAuth::OauthApplication {
        client_id,
        client_secret,
        ..
    } = lumapps.auth
    {
        env.push(("ROSTER_SIM_LUMAPPS_CLIENT_SECRET".to_owned(), client_secret));
        let _ = write!(
            toml,
            "auth.client_id = \"{client_id}\"\nauth.client_secret_env = \"ROSTER_SIM_LUMAPPS_CLIENT_SECRET\"\nauth.acting_user_email = \"{}\"\n",
            lumapps.acting_user_email
        );
    }
    SimulatedConfig { toml, env }
}
