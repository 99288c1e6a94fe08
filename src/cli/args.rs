//! The command line, as clap derives it. Help texts teach: each command says what it does,
//! shows an example, and the top level lists the exit codes.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0  success (with --detailed-exitcode: success and no changes)
  1  error: bad input, bad configuration, a site failed, or items failed
  2  changes present (plan --detailed-exitcode only)
  3  a guard refused: max_deletes exceeded, or the site changed since the saved plan

Configuration is read from --config, $ROSTER_CONFIG, or ./roster.toml; a .env file beside it
is loaded. Try `roster demo` to see everything work against the built-in simulators.";

/// Provision users and groups across Teamworks AMS, REDCap, Periscope Data and /user/save
/// APIs: read the desired users, show the difference as a plan, apply exactly that plan.
#[derive(Debug, Parser)]
#[command(name = "roster", version, after_help = EXIT_CODES, propagate_version = true)]
pub struct Cli {
    /// The configuration file.
    #[arg(long, global = true, env = "ROSTER_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Print results only: no progress bars, no status lines.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run plan and apply across four built-in simulated sites (no configuration needed).
    Demo(DemoArgs),
    /// Start the four simulators on loopback until Ctrl-C and print a ready-to-use roster.toml.
    Sim(SimArgs),
    /// List the configured sites.
    Sites,
    /// Show what a site's backend can do (its capabilities).
    Describe {
        /// The site name from roster.toml.
        site: String,
    },
    /// Log in to a site and list one page of users, to check configuration and credentials.
    Check {
        /// The site name from roster.toml.
        site: String,
    },
    /// Users of a site.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Groups of a site.
    #[command(subcommand)]
    Groups(GroupsCommand),
    /// Show what would change to make sites match a desired-state file.
    ///
    /// Example: roster plan --desired staff.csv --site club --site trials --out plan.json
    Plan(PlanArgs),
    /// Apply a saved plan, or plan and apply a desired-state file.
    ///
    /// Examples: roster apply plan.json --yes
    ///           roster apply --desired staff.csv --all-sites --dry-run
    Apply(ApplyArgs),
    /// Copy one user from a site to other sites, as one plan.
    ///
    /// Example: roster copy-user --from club --user email=ann@example.org --to trials,bi --yes
    CopyUser(CopyUserArgs),
    /// Profile pictures (Teamworks AMS).
    #[command(subcommand)]
    Avatars(AvatarsCommand),
    /// The configuration file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Users each simulated site starts with.
    #[arg(long, default_value_t = 40)]
    pub users: usize,
    /// Keep the demo's files (desired state, plan, journal) in this folder.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Seed for the generated people.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Users each simulator starts with.
    #[arg(long, default_value_t = 50)]
    pub users: usize,
    /// Latency added to every response, in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub latency: u64,
    /// Fraction of requests that fail (0.0 to 1.0).
    #[arg(long, default_value_t = 0.0, value_name = "F")]
    pub fault_rate: f64,
    /// Requests per second each simulator accepts before rate limiting.
    #[arg(long, value_name = "RPS")]
    pub rate_limit: Option<u32>,
    /// Write roster.toml and .env (the simulators' credentials) into this folder.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Columns sized to the terminal, for people (waits for every row)
    Table,
    /// A header row, lists joined with `;` (the desired-state convention)
    Csv,
    /// One array of objects
    Json,
    /// One object per line
    Jsonl,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// The site name from roster.toml.
    pub site: String,
    /// Keep only matching rows: username=, email=, group=, about=, or any attribute (repeatable).
    #[arg(long = "filter", value_name = "KEY=VALUE")]
    pub filters: Vec<String>,
    /// Columns to show, comma-separated (default: a useful set).
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    pub columns: Vec<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List the users of a site.
    ///
    /// csv, json and jsonl rows are written as the site's answers arrive, so an export of a
    /// million users needs little more memory than one answer.
    ///
    /// Example: roster users list club --filter group=Academy --columns username,email -o csv
    List(ListArgs),
}

#[derive(Debug, Subcommand)]
pub enum GroupsCommand {
    /// List the groups of a site.
    List(ListArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    Csv,
    Json,
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EmptyCells {
    /// An empty cell leaves the field as it is.
    Ignore,
    /// An empty cell clears the field.
    Clear,
}

/// Where the desired state comes from and how to read it.
#[derive(Debug, Args)]
pub struct DesiredArgs {
    /// The desired-state file: CSV (comma, semicolon or tab), JSON array, or JSONL.
    #[arg(long, value_name = "FILE")]
    pub desired: Option<PathBuf>,
    /// The file's format (default: from its extension).
    #[arg(long, value_enum)]
    pub format: Option<InputFormat>,
    /// CSV delimiter (default: detected from the header).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<char>,
    /// Read a column of yours as a canonical field: --map "E-mail=email" (repeatable).
    #[arg(long = "map", value_name = "HEADER=FIELD")]
    pub mappings: Vec<String>,
    /// Accept an extra column as a platform attribute (repeatable).
    #[arg(long = "attribute", value_name = "NAME")]
    pub attributes: Vec<String>,
    /// What an empty cell means.
    #[arg(long, value_enum, default_value_t = EmptyCells::Ignore)]
    pub empty_cells: EmptyCells,
    /// A site to plan for (repeatable).
    #[arg(long = "site", value_name = "SITE")]
    pub sites: Vec<String>,
    /// Plan for every configured site.
    #[arg(long, conflicts_with = "sites")]
    pub all_sites: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub desired: DesiredArgs,
    /// Save the plan as JSON, for `roster apply PLAN.json`.
    #[arg(long, value_name = "PLAN.json")]
    pub out: Option<std::path::PathBuf>,
    /// Exit 0 when there is nothing to change, 2 when there is.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Ask sites that can (Periscope test mode) to validate each change without applying it.
    #[arg(long)]
    pub validate_remote: bool,
    /// Print the plan as JSON instead of for people.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A plan saved by `roster plan --out`; refused if a site changed since. Passwords are
    /// not saved in a plan: they are read back from the desired-state file it was made from
    /// (or from `--desired FILE`).
    #[arg(value_name = "PLAN.json", conflicts_with_all = ["sites", "all_sites"])]
    pub plan: Option<PathBuf>,
    #[command(flatten)]
    pub desired: DesiredArgs,
    /// Apply without asking.
    #[arg(long, short)]
    pub yes: bool,
    /// Show what would be done and send no write.
    #[arg(long)]
    pub dry_run: bool,
    /// Most deletes and deactivations allowed per site: a count, or a percentage like 5%.
    #[arg(long, value_name = "N|P%")]
    pub max_deletes: Option<String>,
    /// Writes in flight per site.
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Stop after this many failed items; the rest are reported not attempted.
    #[arg(long, value_name = "N")]
    pub max_failures: Option<usize>,
    /// The journal (JSONL) to append to; re-running with the same journal resumes safely.
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Write every item's outcome here (CSV, or JSON/JSONL by extension).
    #[arg(long, value_name = "FILE")]
    pub results: Option<PathBuf>,
    /// Write the failed rows here, in the desired-state format, to replay them.
    #[arg(long, value_name = "FILE")]
    pub failed: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CopyUserArgs {
    /// The site to copy from.
    #[arg(long, value_name = "SITE")]
    pub from: String,
    /// The user: email=…, username=…, id=…, or a bare email or username.
    #[arg(long, value_name = "KEY")]
    pub user: String,
    /// The sites to copy to, comma-separated.
    #[arg(long, value_delimiter = ',', required = true, value_name = "S1,S2,...")]
    pub to: Vec<String>,
    /// The fields to copy, comma-separated (default: every copyable field).
    #[arg(long, value_delimiter = ',', value_name = "F1,F2,...")]
    pub fields: Vec<String>,
    /// Apply without asking.
    #[arg(long, short)]
    pub yes: bool,
    /// Show the plan only.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum AvatarsCommand {
    /// Upload profile pictures and attach them to users.
    ///
    /// Files are matched to users by name (ann.smith.png → username ann.smith), or by a
    /// mapping CSV with columns `user` and `file`.
    Upload {
        /// The site name from roster.toml (an AMS site).
        site: String,
        /// The folder of pictures.
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
        /// What file names (or the mapping's `user` column) hold: username, email, uuid, about.
        #[arg(long, default_value = "username")]
        key: String,
        /// A CSV mapping users to files, instead of matching by file name.
        #[arg(long, value_name = "FILE")]
        mapping: Option<PathBuf>,
        /// Write one row per file here (CSV).
        #[arg(long, value_name = "FILE")]
        results: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration and the environment it names, contacting no site.
    Check,
}
