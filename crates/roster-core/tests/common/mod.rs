//! What the retry and streaming tests share: a retry policy that does not keep a test
//! waiting, and a failure it repeats.

use std::time::Duration;

use roster_core::layers::RetryPolicy;
use roster_core::{DirectoryError, ErrorKind};

/// Four attempts, milliseconds apart, no jitter.
pub fn fast() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        min_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        jitter: false,
    }
}

/// A temporary failure: the site answered 503.
pub fn unavailable() -> DirectoryError {
    DirectoryError::new(ErrorKind::Server {
        status: 503,
        body: "busy".into(),
    })
}
