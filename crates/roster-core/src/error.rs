use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The result of a directory call.
pub type Result<T, E = DirectoryError> = std::result::Result<T, E>;

/// Whether a failed call may be repeated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// Repeating the call cannot help (bad input, missing rights, unsupported).
    Permanent,
    /// Repeating the call may succeed and is safe (rate limit, 503, timeout before sending).
    Temporary,
    /// The write may have happened (e.g. a timeout after the request was sent): look before
    /// repeating.
    Ambiguous,
}

/// The directory operation an error happened in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Signing in or fetching a token.
    Login,
    /// `list_users`.
    ListUsers,
    /// `get_user`.
    GetUser,
    /// `create_user`.
    CreateUser,
    /// `update_user` (deactivation included).
    UpdateUser,
    /// `delete_user`.
    DeleteUser,
    /// `list_groups`.
    ListGroups,
    /// `create_group`.
    CreateGroup,
    /// `delete_group`.
    DeleteGroup,
    /// `set_membership`.
    SetMembership,
    /// `apply_batch`.
    ApplyBatch,
    /// `prepare_updates`: reading ahead the records of users about to be updated.
    PrepareUpdates,
    /// Uploading or attaching a profile picture.
    UploadAvatar,
}

impl Operation {
    /// The snake_case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Operation::Login => "login",
            Operation::ListUsers => "list_users",
            Operation::GetUser => "get_user",
            Operation::CreateUser => "create_user",
            Operation::UpdateUser => "update_user",
            Operation::DeleteUser => "delete_user",
            Operation::ListGroups => "list_groups",
            Operation::CreateGroup => "create_group",
            Operation::DeleteGroup => "delete_group",
            Operation::SetMembership => "set_membership",
            Operation::ApplyBatch => "apply_batch",
            Operation::PrepareUpdates => "prepare_updates",
            Operation::UploadAvatar => "upload_avatar",
        }
    }

    /// True for calls that change the site.
    pub fn is_write(&self) -> bool {
        !matches!(
            self,
            Operation::Login
                | Operation::ListUsers
                | Operation::GetUser
                | Operation::ListGroups
                | Operation::PrepareUpdates
        )
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What went wrong, independent of where.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ErrorKind {
    /// The user, group or id named does not exist.
    #[error("not found: {what}")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// A user or group with the same key exists already.
    #[error("already exists: {what}")]
    AlreadyExists {
        /// What clashed.
        what: String,
    },
    /// The credentials were refused.
    #[error("unauthorized: {message}")]
    Unauthorized {
        /// The site's words, without secrets.
        message: String,
    },
    /// The account lacks a permission.
    #[error("forbidden: {message}")]
    Forbidden {
        /// The site's words, without secrets.
        message: String,
    },
    /// Too many requests; wait and repeat.
    #[error("rate limited{}", retry_hint(.retry_after))]
    RateLimited {
        /// How long the site asked to wait, if it said.
        retry_after: Option<Duration>,
    },
    /// The request was refused as invalid.
    #[error("invalid {}: {message}", .field.as_deref().unwrap_or("request"))]
    Invalid {
        /// The canonical field at fault, when known.
        field: Option<String>,
        /// Why.
        message: String,
    },
    /// The backend cannot do this.
    #[error("unsupported by this backend: {operation}")]
    Unsupported {
        /// What was asked.
        operation: String,
    },
    /// The change conflicts with the site's state (an ambiguous name, a changed record, …).
    #[error("conflict: {message}")]
    Conflict {
        /// Why.
        message: String,
    },
    /// No answer in time.
    #[error("timed out {}", if *.request_sent { "after the request was sent" } else { "before the request was sent" })]
    Timeout {
        /// True when the request left, so a write may have happened.
        request_sent: bool,
    },
    /// The connection failed.
    #[error("transport error: {message}")]
    Transport {
        /// What failed.
        message: String,
    },
    /// The site answered with an error status.
    #[error("server error {status}: {body}")]
    Server {
        /// The HTTP status.
        status: u16,
        /// An excerpt of the body, without secrets.
        body: String,
    },
    /// The answer could not be read.
    #[error("could not decode the response: {message}")]
    Decode {
        /// Why.
        message: String,
    },
    /// The site's configuration is wrong; nothing was sent.
    #[error("configuration error: {message}")]
    Config {
        /// Which setting and why.
        message: String,
    },
    /// Some items of a multi-item write failed; the others were applied.
    #[error("{} item(s) failed", .failed.len())]
    Partial {
        /// Item (user id) → why it failed.
        failed: BTreeMap<String, String>,
    },
}

fn retry_hint(retry_after: &Option<Duration>) -> String {
    retry_after
        .map(|after| format!(" (retry after {} ms)", after.as_millis()))
        .unwrap_or_default()
}

impl ErrorKind {
    /// The class a kind has unless the backend says otherwise.
    pub fn default_class(&self) -> ErrorClass {
        match self {
            ErrorKind::RateLimited { .. } | ErrorKind::Transport { .. } => ErrorClass::Temporary,
            ErrorKind::Timeout { request_sent } => {
                if *request_sent {
                    ErrorClass::Ambiguous
                } else {
                    ErrorClass::Temporary
                }
            }
            ErrorKind::Server { status, .. } if *status >= 500 => ErrorClass::Temporary,
            _ => ErrorClass::Permanent,
        }
    }
}

/// A failed directory call: what went wrong, whether it may be repeated, and where.
///
/// Messages never contain secrets: backends put only excerpts of response bodies here, and
/// never request headers or credentials.
#[derive(Clone, Debug, PartialEq)]
pub struct DirectoryError {
    kind: ErrorKind,
    class: ErrorClass,
    operation: Option<Operation>,
    site: Option<String>,
    retry_after: Option<Duration>,
}

impl DirectoryError {
    /// An error of `kind` with the kind's default class.
    pub fn new(kind: ErrorKind) -> Self {
        let retry_after = match &kind {
            ErrorKind::RateLimited { retry_after } => *retry_after,
            _ => None,
        };
        Self {
            class: kind.default_class(),
            kind,
            operation: None,
            site: None,
            retry_after,
        }
    }

    /// Overrides the class (a backend marks a post-send failure Temporary when its spec says
    /// the call is safe to repeat, Ambiguous otherwise).
    pub fn with_class(mut self, class: ErrorClass) -> Self {
        self.class = class;
        self
    }

    /// Records the operation, unless one is already recorded.
    pub fn in_operation(mut self, operation: Operation) -> Self {
        self.operation.get_or_insert(operation);
        self
    }

    /// Records the site name, unless one is already recorded.
    pub fn at_site(mut self, site: impl Into<String>) -> Self {
        if self.site.is_none() {
            self.site = Some(site.into());
        }
        self
    }

    /// Records how long the server asked us to wait.
    pub fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        if retry_after.is_some() {
            self.retry_after = retry_after;
        }
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Whether it may be repeated.
    pub fn class(&self) -> ErrorClass {
        self.class
    }

    /// The operation it happened in, if recorded.
    pub fn operation(&self) -> Option<Operation> {
        self.operation
    }

    /// The site it happened at, if recorded.
    pub fn site(&self) -> Option<&str> {
        self.site.as_deref()
    }

    /// How long the server asked us to wait, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// True when a repeat may succeed and is safe.
    pub fn is_temporary(&self) -> bool {
        self.class == ErrorClass::Temporary
    }

    /// True when the write may have happened.
    pub fn is_ambiguous(&self) -> bool {
        self.class == ErrorClass::Ambiguous
    }

    /// Shorthand for `NotFound`.
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound { what: what.into() })
    }

    /// Shorthand for `AlreadyExists`.
    pub fn already_exists(what: impl Into<String>) -> Self {
        Self::new(ErrorKind::AlreadyExists { what: what.into() })
    }

    /// Shorthand for `Invalid`.
    pub fn invalid(field: Option<&str>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid {
            field: field.map(str::to_owned),
            message: message.into(),
        })
    }

    /// Shorthand for `Unsupported`, naming the operation.
    pub fn unsupported(operation: Operation) -> Self {
        Self::new(ErrorKind::Unsupported {
            operation: operation.to_string(),
        })
        .in_operation(operation)
    }

    /// Shorthand for `Config`.
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config {
            message: message.into(),
        })
    }
}

impl fmt::Display for DirectoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(site) = &self.site {
            write!(f, "{site}: ")?;
        }
        if let Some(operation) = self.operation {
            write!(f, "{operation}: ")?;
        }
        write!(f, "{}", self.kind)
    }
}

impl std::error::Error for DirectoryError {}

impl From<ErrorKind> for DirectoryError {
    fn from(kind: ErrorKind) -> Self {
        Self::new(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_kind_unless_overridden() {
        assert_eq!(
            DirectoryError::new(ErrorKind::Timeout { request_sent: true }).class(),
            ErrorClass::Ambiguous
        );
        assert_eq!(
            DirectoryError::new(ErrorKind::Timeout {
                request_sent: false
            })
            .class(),
            ErrorClass::Temporary
        );
        let server = ErrorKind::Server {
            status: 503,
            body: String::new(),
        };
        assert!(DirectoryError::new(server.clone()).is_temporary());
        assert!(DirectoryError::new(server)
            .with_class(ErrorClass::Ambiguous)
            .is_ambiguous());
        assert_eq!(
            DirectoryError::not_found("x").class(),
            ErrorClass::Permanent
        );
    }

    #[test]
    fn display_names_site_operation_and_what() {
        let error = DirectoryError::new(ErrorKind::RateLimited {
            retry_after: Some(Duration::from_millis(1500)),
        })
        .in_operation(Operation::CreateUser)
        .at_site("club");
        assert_eq!(
            error.to_string(),
            "club: create_user: rate limited (retry after 1500 ms)"
        );
        assert_eq!(error.retry_after(), Some(Duration::from_millis(1500)));
    }
}
