//! How failed calls become [`DirectoryError`]s: by HTTP status only (the real error bodies are
//! unknown), with the body kept as a short text excerpt, and with post-send failures classed
//! by whether the call is safe to repeat.

use std::time::Duration;

use roster_core::{DirectoryError, ErrorClass, ErrorKind};

/// Most bytes of an error body kept in the error.
const EXCERPT_BYTES: usize = 1024;

/// How long to wait after a `429` that did not say.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Whether a call may be sent again after it was sent and its answer was lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Reads, absolute writes (PUT user), deletes, and anything in test mode.
    Safe,
    /// Creates and group renames: a repeat may duplicate or miss.
    Unsafe,
}

impl Repeat {
    /// The class of a failure after the request went out.
    fn class_after_send(self) -> ErrorClass {
        match self {
            Repeat::Safe => ErrorClass::Temporary,
            Repeat::Unsafe => ErrorClass::Ambiguous,
        }
    }
}

/// What the failed call was, for reading its status.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CallKind<'a> {
    pub repeat: Repeat,
    /// A create, where a `400`/`422` about an existing name means "already exists".
    pub creating: bool,
    /// The user or group the call was about, for the error text.
    pub subject: &'a str,
}

/// The error for a non-2xx answer.
pub(crate) fn status_error(
    status: u16,
    body: &[u8],
    retry_after: Option<&str>,
    call: CallKind<'_>,
    secret: &str,
) -> DirectoryError {
    let excerpt = excerpt(body, secret);
    let subject = call.subject.to_owned();
    match status {
        401 => DirectoryError::new(ErrorKind::Unauthorized {
            message: or_status(excerpt, "bad site name or API key"),
        }),
        403 => DirectoryError::new(ErrorKind::Forbidden {
            message: or_status(
                excerpt,
                "wrong site, or the user and group API is not on the site's plan",
            ),
        }),
        404 => DirectoryError::not_found(subject),
        409 => DirectoryError::already_exists(subject),
        400 | 422 if call.creating && mentions_existing(&excerpt) => {
            DirectoryError::already_exists(subject)
        }
        400 | 422 => DirectoryError::invalid(None, or_status(excerpt, "refused by the site")),
        429 => {
            let wait = retry_after
                .and_then(parse_retry_after)
                .unwrap_or(DEFAULT_RETRY_AFTER);
            DirectoryError::new(ErrorKind::RateLimited {
                retry_after: Some(wait),
            })
        }
        500.. => DirectoryError::new(ErrorKind::Server {
            status,
            body: excerpt,
        })
        .with_class(call.repeat.class_after_send()),
        _ => DirectoryError::new(ErrorKind::Server {
            status,
            body: excerpt,
        }),
    }
}

fn or_status(excerpt: String, fallback: &str) -> String {
    if excerpt.trim().is_empty() {
        fallback.to_owned()
    } else {
        excerpt
    }
}

fn mentions_existing(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.contains("exist") || lower.contains("taken")
}

/// `Retry-After` as delay-seconds or as an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// The start of a body as text, with the API key scrubbed should a server echo it.
pub(crate) fn excerpt(body: &[u8], secret: &str) -> String {
    let mut end = body.len().min(EXCERPT_BYTES);
    // Cut on a character boundary so the excerpt stays readable text.
    while end > 0 && end < body.len() && std::str::from_utf8(&body[..end]).is_err() {
        end -= 1;
    }
    scrub(String::from_utf8_lossy(&body[..end]).into_owned(), secret)
}

/// `text` with `secret` blanked out.
pub(crate) fn scrub(text: String, secret: &str) -> String {
    if secret.is_empty() {
        text
    } else {
        text.replace(secret, "[redacted]")
    }
}

/// The error for a request that got no answer.
pub(crate) fn transport_error(error: &reqwest::Error, repeat: Repeat) -> DirectoryError {
    let message = describe(error);
    if error.is_builder() {
        return DirectoryError::config(message);
    }
    if error.is_connect() {
        // Nothing reached the server: always safe to repeat.
        let kind = if error.is_timeout() {
            ErrorKind::Timeout {
                request_sent: false,
            }
        } else {
            ErrorKind::Transport { message }
        };
        return DirectoryError::new(kind).with_class(ErrorClass::Temporary);
    }
    let kind = if error.is_timeout() {
        ErrorKind::Timeout { request_sent: true }
    } else {
        ErrorKind::Transport { message }
    };
    DirectoryError::new(kind).with_class(repeat.class_after_send())
}

/// The error text and its causes, without the URL (it names the site's host and paths).
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(url.as_str(), "the site");
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A `Decode` error: the answer could not be read as the spec describes.
pub(crate) fn decode_error(message: impl Into<String>) -> DirectoryError {
    DirectoryError::new(ErrorKind::Decode {
        message: message.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CREATE: CallKind<'static> = CallKind {
        repeat: Repeat::Unsafe,
        creating: true,
        subject: "bo@example.com",
    };
    const UPDATE: CallKind<'static> = CallKind {
        repeat: Repeat::Safe,
        creating: false,
        subject: "bo@example.com",
    };

    fn error(status: u16, body: &str, call: CallKind<'_>) -> DirectoryError {
        status_error(status, body.as_bytes(), None, call, "k-123")
    }

    #[test]
    fn four_hundreds_about_existing_names_are_already_exists_on_create_only() {
        let body = r#"{"error":"User already exists: bo@example.com"}"#;
        assert!(matches!(
            error(400, body, CREATE).kind(),
            ErrorKind::AlreadyExists { .. }
        ));
        assert!(matches!(
            error(422, "name taken", CREATE).kind(),
            ErrorKind::AlreadyExists { .. }
        ));
        assert!(matches!(
            error(400, body, UPDATE).kind(),
            ErrorKind::Invalid { .. }
        ));
    }

    #[test]
    fn server_errors_are_temporary_only_when_safe_to_repeat() {
        assert_eq!(error(503, "", UPDATE).class(), ErrorClass::Temporary);
        assert_eq!(error(500, "", CREATE).class(), ErrorClass::Ambiguous);
        assert_eq!(error(405, "", UPDATE).class(), ErrorClass::Permanent);
    }

    #[test]
    fn retry_after_reads_seconds_and_dates_and_defaults_to_thirty_seconds() {
        let wait = |header| {
            status_error(429, b"", header, UPDATE, "")
                .retry_after()
                .unwrap()
        };
        assert_eq!(wait(Some("7")), Duration::from_secs(7));
        assert_eq!(wait(None), Duration::from_secs(30));
        assert_eq!(
            wait(Some("Sun, 06 Nov 1994 08:49:37 GMT")),
            Duration::ZERO,
            "a date in the past means now"
        );
    }

    #[test]
    fn excerpts_are_short_whole_characters_and_scrubbed() {
        let long = "é".repeat(2000);
        let cut = excerpt(long.as_bytes(), "");
        assert!(cut.len() <= EXCERPT_BYTES);
        assert!(cut.chars().all(|c| c == 'é'));
        assert_eq!(
            excerpt(b"bad key example_site:k-123", "k-123"),
            "bad key example_site:[redacted]"
        );
    }
}
