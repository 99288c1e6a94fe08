//! What a backend may answer to a hostile reply: a well-formed `Ok` where the reply allows
//! one, else an error whose kind fits the status and which quotes no secret.

use std::fmt::Debug;

use proptest::test_runner::TestCaseError;
use roster_core::{DirectoryError, ErrorKind};

use super::server::{Body, Reply};

/// What the server sent, as far as the verdict cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    /// An HTTP reply with this status.
    Status(u16),
    /// Bytes that are not an HTTP reply.
    NotHttp,
}

impl Sent {
    /// What `reply` puts on the wire.
    pub fn of(reply: &Reply) -> Self {
        match reply.body {
            Body::Raw(_) => Sent::NotHttp,
            _ => Sent::Status(reply.status),
        }
    }

    /// True for an HTTP reply with a 2xx status.
    pub fn is_success(self) -> bool {
        matches!(self, Sent::Status(200..=299))
    }
}

/// Checks one outcome. `ok_allowed` says whether the operation may succeed on this reply (a
/// 2xx whose body it may ignore or accept, a 404 a lookup reads as "none"); `secrets` must
/// appear in neither the error's text nor its `Debug` form.
pub fn check<T: Debug>(
    outcome: &Result<T, DirectoryError>,
    sent: Sent,
    ok_allowed: bool,
    secrets: &[&str],
) -> Result<(), TestCaseError> {
    let error = match outcome {
        Ok(_) if ok_allowed => return Ok(()),
        Ok(value) => {
            return Err(TestCaseError::fail(format!(
                "succeeded on {sent:?}: {value:?}"
            )))
        }
        Err(error) => error,
    };
    quotes_no_secret(error, secrets)?;
    if !sensible(error.kind(), sent) {
        return Err(TestCaseError::fail(format!(
            "{sent:?} gave an error of an unexpected kind: {error} | {error:?}"
        )));
    }
    Ok(())
}

/// Fails when `error`'s text or `Debug` form contains one of `secrets`.
pub fn quotes_no_secret(error: &DirectoryError, secrets: &[&str]) -> Result<(), TestCaseError> {
    let text = format!("{error} | {error:?}");
    match secrets
        .iter()
        .find(|secret| !secret.is_empty() && text.contains(*secret))
    {
        Some(secret) => Err(TestCaseError::fail(format!(
            "the error quotes the secret {secret:?}: {text}"
        ))),
        None => Ok(()),
    }
}

/// Whether `kind` is what a reply like `sent` may mean.
///
/// A reply that is not HTTP, or an informational status where a final one was due, is a
/// transport failure (a `101` the client passes on may read as a server answer). A 200 whose
/// body is wrong is a Decode error, or an error the body itself reports (AMS and REDCap send
/// some errors, a refused login among them, with a 200); another 2xx may also be a server error, where the platform only
/// ever answers 200. 401 and 403 refuse who is asking, 429 asks to wait. Other 3xx and 4xx are
/// refusals of some kind, and 5xx are server errors; a status above 599 may be read either
/// way. A body over the size cap is a Decode
/// error whatever the status. Configuration, timeout and "unsupported" errors never fit.
pub fn sensible(kind: &ErrorKind, sent: Sent) -> bool {
    let over_cap = matches!(kind, ErrorKind::Decode { .. });
    let status = match sent {
        Sent::NotHttp => return matches!(kind, ErrorKind::Transport { .. }),
        Sent::Status(status) => status,
    };
    let reported_in_body = matches!(
        kind,
        ErrorKind::Invalid { .. }
            | ErrorKind::AlreadyExists { .. }
            | ErrorKind::NotFound { .. }
            | ErrorKind::Conflict { .. }
            | ErrorKind::Partial { .. }
            | ErrorKind::Unauthorized { .. }
            | ErrorKind::Forbidden { .. }
    );
    match status {
        100..=199 => matches!(kind, ErrorKind::Transport { .. } | ErrorKind::Server { .. }),
        200 => over_cap || reported_in_body,
        // A platform that answers 200 may take another 2xx for an unexpected answer.
        201..=299 => over_cap || reported_in_body || matches!(kind, ErrorKind::Server { .. }),
        // A token endpoint reads both as refused credentials, a data endpoint as refused
        // rights: either way a refusal of who is asking.
        401 | 403 => {
            matches!(
                kind,
                ErrorKind::Unauthorized { .. } | ErrorKind::Forbidden { .. }
            ) || over_cap
        }
        429 => matches!(kind, ErrorKind::RateLimited { .. }) || over_cap,
        300..=499 => {
            over_cap
                || reported_in_body
                || matches!(
                    kind,
                    ErrorKind::Server { .. } | ErrorKind::RateLimited { .. }
                )
        }
        500..=599 => over_cap || matches!(kind, ErrorKind::Server { .. }),
        // No standard names these: any reading of them as a refusal will do.
        _ => over_cap || reported_in_body || matches!(kind, ErrorKind::Server { .. }),
    }
}

/// Asserts that `error` refuses a body for being over the cap of `cap` bytes, naming the cap
/// and the configuration key that sets it.
pub fn assert_refused_at_cap(error: &DirectoryError, cap: usize, key: &str) {
    let text = error.to_string();
    assert!(
        matches!(error.kind(), ErrorKind::Decode { .. }),
        "expected a Decode error, got {error:?}"
    );
    assert!(
        text.contains(&cap.to_string()) && text.contains(key),
        "the error should name the cap ({cap}) and `{key}`: {text}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode() -> ErrorKind {
        ErrorKind::Decode {
            message: "bad".into(),
        }
    }

    fn server(status: u16) -> ErrorKind {
        ErrorKind::Server {
            status,
            body: String::new(),
        }
    }

    #[test]
    fn kinds_follow_the_status_class() {
        assert!(sensible(&decode(), Sent::Status(200)));
        assert!(!sensible(&server(200), Sent::Status(200)));
        assert!(sensible(&server(201), Sent::Status(201)));
        assert!(sensible(&server(503), Sent::Status(503)));
        assert!(!sensible(
            &ErrorKind::Transport {
                message: String::new()
            },
            Sent::Status(503)
        ));
        assert!(!sensible(
            &ErrorKind::Unauthorized {
                message: String::new()
            },
            Sent::Status(429)
        ));
        assert!(sensible(
            &ErrorKind::Transport {
                message: String::new()
            },
            Sent::NotHttp
        ));
        assert!(!sensible(&decode(), Sent::NotHttp));
    }

    #[test]
    fn secrets_in_errors_fail_the_check() {
        let outcome: Result<(), _> = Err(DirectoryError::new(ErrorKind::Decode {
            message: "saw pw-123".into(),
        }));
        assert!(check(&outcome, Sent::Status(200), true, &["pw-123"]).is_err());
        assert!(check(&outcome, Sent::Status(200), true, &["other"]).is_ok());
        assert!(check(&Ok(()), Sent::Status(500), false, &[]).is_err());
    }
}
