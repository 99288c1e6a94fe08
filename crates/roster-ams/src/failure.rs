//! How AMS replies and transport failures become [`DirectoryError`]s (spec §5.7).

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;
use roster_core::{DirectoryError, ErrorClass, ErrorKind};

use crate::wire::RpcProbe;

/// How much of a reply body an error keeps (spec §5.7: the first 200 bytes).
const EXCERPT_BYTES: usize = 200;

/// Whether a call may be sent again after a failure that happened once it was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repeat {
    /// Reads, and saves of an existing id: repeating cannot do harm.
    Safe,
    /// Creates and raw uploads: the first attempt may have landed.
    Unsafe,
}

impl Repeat {
    /// The class of a failure after the request was sent.
    fn class(self) -> ErrorClass {
        match self {
            Repeat::Safe => ErrorClass::Temporary,
            Repeat::Unsafe => ErrorClass::Ambiguous,
        }
    }
}

/// The first bytes of a body as text, with `secrets` blanked out.
pub fn excerpt(body: &[u8], secrets: &[&str]) -> String {
    let head = &body[..body.len().min(EXCERPT_BYTES)];
    // Drop a character the cut split in two; other bad bytes show as replacement characters.
    let end = match std::str::from_utf8(head) {
        Err(error) if error.error_len().is_none() => error.valid_up_to(),
        _ => head.len(),
    };
    let text = String::from_utf8_lossy(&head[..end]).into_owned();
    scrub(text, secrets)
}

/// Blanks every secret out of `text`.
pub fn scrub(mut text: String, secrets: &[&str]) -> String {
    for secret in secrets.iter().filter(|secret| !secret.is_empty()) {
        text = text.replace(secret, "<redacted>");
    }
    text
}

/// `error` with `secrets` blanked out of every text it carries; class, operation, site and
/// retry hint kept.
pub fn scrub_error(error: DirectoryError, secrets: &[&str]) -> DirectoryError {
    let clean = |text: String| scrub(text, secrets);
    let kind = match error.kind().clone() {
        ErrorKind::NotFound { what } => ErrorKind::NotFound { what: clean(what) },
        ErrorKind::AlreadyExists { what } => ErrorKind::AlreadyExists { what: clean(what) },
        ErrorKind::Unauthorized { message } => ErrorKind::Unauthorized {
            message: clean(message),
        },
        ErrorKind::Forbidden { message } => ErrorKind::Forbidden {
            message: clean(message),
        },
        ErrorKind::Invalid { field, message } => ErrorKind::Invalid {
            field,
            message: clean(message),
        },
        ErrorKind::Conflict { message } => ErrorKind::Conflict {
            message: clean(message),
        },
        ErrorKind::Transport { message } => ErrorKind::Transport {
            message: clean(message),
        },
        ErrorKind::Server { status, body } => ErrorKind::Server {
            status,
            body: clean(body),
        },
        ErrorKind::Decode { message } => ErrorKind::Decode {
            message: clean(message),
        },
        other => other,
    };
    let mut scrubbed = DirectoryError::new(kind)
        .with_class(error.class())
        .with_retry_after(error.retry_after());
    if let Some(operation) = error.operation() {
        scrubbed = scrubbed.in_operation(operation);
    }
    if let Some(site) = error.site() {
        scrubbed = scrubbed.at_site(site);
    }
    scrubbed
}

/// An rpc exception, if the body is one: `(type, detailMessage)`.
pub fn rpc_exception(body: &[u8]) -> Option<(String, String)> {
    let probe: RpcProbe = serde_json::from_slice(body).ok()?;
    if probe.is_rpc_exception != Some(true) {
        return None;
    }
    let detail = probe
        .value
        .and_then(|value| value.detail_message)
        .unwrap_or_default();
    Some((probe.kind.unwrap_or_default(), detail))
}

/// The error an rpc exception stands for: a taken username is AlreadyExists, anything else
/// Invalid; both Permanent.
pub fn from_rpc(kind: &str, detail: &str, secrets: &[&str]) -> DirectoryError {
    let detail = scrub(detail.to_owned(), secrets);
    if detail.starts_with("Username already exists") {
        return DirectoryError::already_exists(detail);
    }
    let message = if kind.is_empty() {
        detail
    } else {
        scrub(format!("{kind}: {detail}"), secrets)
    };
    DirectoryError::invalid(None, message)
}

/// The error a non-200 reply stands for (401 only once the one fresh login was refused too).
pub fn from_status(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    repeat: Repeat,
    secrets: &[&str],
) -> DirectoryError {
    let code = status.as_u16();
    let text = excerpt(body, secrets);
    match code {
        401 => DirectoryError::new(ErrorKind::Unauthorized {
            message: "the site refused the session, and a fresh login too".into(),
        }),
        403 => DirectoryError::new(ErrorKind::Forbidden {
            message: format!("access denied (missing permission?): {text}"),
        }),
        429 => DirectoryError::new(ErrorKind::RateLimited {
            retry_after: retry_after(headers),
        }),
        500..=599 => DirectoryError::new(ErrorKind::Server {
            status: code,
            body: text,
        })
        .with_class(repeat.class())
        .with_retry_after(retry_after(headers)),
        _ => match rpc_exception(body) {
            Some((kind, detail)) => from_rpc(&kind, &detail, secrets),
            None if code == 400 => DirectoryError::invalid(None, text),
            // What the R client reports as an invalid or misspelled URL.
            None if code == 404 => DirectoryError::new(ErrorKind::Server {
                status: code,
                body: format!("no such endpoint (check the site URL): {text}"),
            }),
            None => DirectoryError::new(ErrorKind::Server {
                status: code,
                body: text,
            }),
        },
    }
}

/// The error a transport failure stands for. A failure to connect happened before anything
/// was sent, so it is Temporary on every call; later failures follow `repeat`.
pub fn from_transport(error: &reqwest::Error, repeat: Repeat, endpoint: &str) -> DirectoryError {
    if error.is_connect() {
        let kind = if error.is_timeout() {
            ErrorKind::Timeout {
                request_sent: false,
            }
        } else {
            ErrorKind::Transport {
                message: format!("{endpoint}: could not connect: {}", root_cause(error)),
            }
        };
        return DirectoryError::new(kind).with_class(ErrorClass::Temporary);
    }
    let kind = if error.is_timeout() {
        ErrorKind::Timeout { request_sent: true }
    } else {
        ErrorKind::Transport {
            message: format!("{endpoint}: {}", root_cause(error)),
        }
    };
    DirectoryError::new(kind).with_class(repeat.class())
}

/// The innermost cause's text: it names what failed without repeating the URL.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}

/// A reply that is not what the endpoint returns: Permanent.
pub fn decode(endpoint: &str, message: impl std::fmt::Display) -> DirectoryError {
    DirectoryError::new(ErrorKind::Decode {
        message: format!("{endpoint}: {message}"),
    })
}

/// `Retry-After` as whole seconds or an HTTP date.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    let wait = when.signed_duration_since(chrono::Utc::now());
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn excerpts_stop_at_200_bytes_on_a_character_boundary_and_hide_secrets() {
        let body = format!("{}é{}", "a".repeat(199), "b".repeat(50));
        let text = excerpt(body.as_bytes(), &[]);
        assert_eq!(text, "a".repeat(199));
        assert_eq!(
            excerpt(b"token=Q3vX and more", &["Q3vX"]),
            "token=<redacted> and more"
        );
    }

    #[test]
    fn scrubbing_an_error_keeps_everything_but_the_secret() {
        let error = from_status(
            StatusCode::SERVICE_UNAVAILABLE,
            &HeaderMap::new(),
            b"password new-pw refused",
            Repeat::Unsafe,
            &[],
        )
        .in_operation(roster_core::Operation::CreateUser)
        .at_site("club");
        let scrubbed = scrub_error(error.clone(), &["new-pw"]);
        assert_eq!(
            scrubbed.to_string(),
            "club: create_user: server error 503: password <redacted> refused"
        );
        assert_eq!(scrubbed.class(), error.class());
    }

    #[test]
    fn a_taken_username_is_already_exists_and_other_rpc_errors_are_invalid() {
        let body = br#"{"__is_rpc_exception__":true,"type":"java.lang.IllegalArgumentException","value":{"detailMessage":"Username already exists: amy","cause":null}}"#;
        let (kind, detail) = rpc_exception(body).unwrap();
        let error = from_rpc(&kind, &detail, &[]);
        assert!(matches!(error.kind(), ErrorKind::AlreadyExists { .. }));
        let other = from_rpc("java.lang.IllegalArgumentException", "Bad date", &[]);
        assert!(matches!(other.kind(), ErrorKind::Invalid { .. }));
        assert_eq!(other.class(), ErrorClass::Permanent);
        assert!(rpc_exception(br#"{"__is_rpc_exception__":false}"#).is_none());
        assert!(rpc_exception(b"not json").is_none());
    }

    #[test]
    fn server_errors_follow_the_repeat_rule_and_keep_retry_after() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        let status = StatusCode::SERVICE_UNAVAILABLE;
        let safe = from_status(status, &headers, b"busy", Repeat::Safe, &[]);
        assert_eq!(safe.class(), ErrorClass::Temporary);
        assert_eq!(safe.retry_after(), Some(Duration::from_secs(3)));
        let unsafe_ = from_status(status, &headers, b"busy", Repeat::Unsafe, &[]);
        assert_eq!(unsafe_.class(), ErrorClass::Ambiguous);
        let limited = from_status(
            StatusCode::TOO_MANY_REQUESTS,
            &headers,
            b"",
            Repeat::Unsafe,
            &[],
        );
        assert!(limited.is_temporary());
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(3)));
    }
}
