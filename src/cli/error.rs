//! The CLI's one error type: what happened, what to do next, and the exit code it maps to.

use std::fmt;

/// Exit codes, as `roster --help` documents them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    Error = 1,
    Changes = 2,
    GuardRefused = 3,
}

/// An error for people: a message naming the file, site, key or row, and a hint.
#[derive(Debug)]
pub struct CliError {
    pub message: String,
    pub hint: Option<String>,
    pub exit: Exit,
}

impl CliError {
    /// An error that exits 1.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
            exit: Exit::Error,
        }
    }

    /// Adds what to do next.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Exits with `exit` instead of 1.
    pub fn exit(mut self, exit: Exit) -> Self {
        self.exit = exit;
        self
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CliError {}

impl From<roster_core::DirectoryError> for CliError {
    fn from(error: roster_core::DirectoryError) -> Self {
        use roster_core::ErrorKind;
        let hint = match error.kind() {
            ErrorKind::Unauthorized { .. } => {
                Some("check the site's credentials in roster.toml and the environment (`roster config check`)")
            }
            ErrorKind::Forbidden { .. } => Some("the account lacks a permission this needs; ask the site's administrator"),
            ErrorKind::Transport { .. } | ErrorKind::Timeout { .. } => {
                Some("check the site's URL and your network, then try again")
            }
            ErrorKind::Unsupported { .. } => Some("`roster describe SITE` shows what this backend can do"),
            ErrorKind::RateLimited { .. } => Some("lower requests_per_second or concurrency for this site"),
            _ => None,
        };
        let cli = CliError::new(error.to_string());
        match hint {
            Some(hint) => cli.hint(hint),
            None => cli,
        }
    }
}

/// The CLI's result.
pub type CliResult<T = ()> = Result<T, CliError>;
