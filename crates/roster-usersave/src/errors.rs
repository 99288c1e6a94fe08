//! Reading error replies: the message out of the profile's error envelope, and the
//! `DirectoryError` kind and class a status means.

use std::time::Duration;

use roster_core::{DirectoryError, ErrorKind};
use serde_json::Value;

use crate::http::{after_send_class, Reply};
use crate::profile::ErrorEnvelope;

/// How long to wait after a rate-limit answer that does not say: the SDK's pause.
pub(crate) const DEFAULT_RATE_LIMIT_WAIT: Duration = Duration::from_secs(61);
/// Most bytes of a reply body an error carries.
const EXCERPT_BYTES: usize = 1024;

/// The messages an error body carries, most specific first (LumApps: `errors[0].message`,
/// then `error.message`).
pub(crate) fn messages(body: &[u8], envelope: ErrorEnvelope) -> Vec<String> {
    let text = || {
        let text = String::from_utf8_lossy(body).trim().to_owned();
        if text.is_empty() {
            Vec::new()
        } else {
            vec![text]
        }
    };
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        return text();
    };
    let found: Vec<String> = match envelope {
        ErrorEnvelope::Google => {
            let error = &json["error"];
            let first = error["errors"][0]["message"].as_str();
            let top = error["message"].as_str();
            let plain = error.as_str();
            [first, top, plain]
                .into_iter()
                .flatten()
                .map(str::to_owned)
                .collect()
        }
        ErrorEnvelope::Plain => {
            let candidates = [
                json["error"].as_str(),
                json["error"]["message"].as_str(),
                json["message"].as_str(),
            ];
            candidates
                .into_iter()
                .flatten()
                .map(str::to_owned)
                .collect()
        }
        ErrorEnvelope::Text => return text(),
    };
    let mut unique = Vec::new();
    for message in found {
        if !unique.contains(&message) {
            unique.push(message);
        }
    }
    if unique.is_empty() {
        text()
    } else {
        unique
    }
}

/// At most 1 KiB of a reply body, cut on a character boundary.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if text.len() <= EXCERPT_BYTES {
        return text.into_owned();
    }
    let mut end = EXCERPT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// The error a non-2xx reply means. `repeatable` says whether the call was safe to repeat:
/// a server error is then Temporary, otherwise Ambiguous (the write may have happened).
pub(crate) fn from_reply(
    reply: &Reply,
    envelope: ErrorEnvelope,
    repeatable: bool,
) -> DirectoryError {
    let message = messages(&reply.body, envelope)
        .into_iter()
        .next()
        .map(|message| excerpt(message.as_bytes()))
        .unwrap_or_else(|| format!("HTTP {}", reply.status));
    let rate_limited = reply.status == 429
        || (reply.status == 400
            && String::from_utf8_lossy(&reply.body).contains("RATE_LIMIT_EXCEEDED"));
    if rate_limited {
        let wait = reply.retry_after.unwrap_or(DEFAULT_RATE_LIMIT_WAIT);
        return DirectoryError::new(ErrorKind::RateLimited {
            retry_after: Some(wait),
        });
    }
    match reply.status {
        401 => DirectoryError::new(ErrorKind::Unauthorized { message }),
        403 => DirectoryError::new(ErrorKind::Forbidden { message }),
        404 => DirectoryError::not_found(message),
        409 => DirectoryError::already_exists(message),
        400..=499 => DirectoryError::invalid(None, message),
        500..=599 => DirectoryError::new(ErrorKind::Server {
            status: reply.status,
            body: excerpt(&reply.body),
        })
        .with_class(after_send_class(repeatable))
        .with_retry_after(reply.retry_after),
        status => DirectoryError::new(ErrorKind::Server {
            status,
            body: excerpt(&reply.body),
        }),
    }
}

/// A reply that should have been a JSON object or list and was not.
pub(crate) fn decode(what: &str, detail: impl std::fmt::Display) -> DirectoryError {
    DirectoryError::new(ErrorKind::Decode {
        message: format!("{what}: {detail}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_envelope() {
        let google = br#"{"error":{"code":404,"errors":[{"domain":"global","message":"User not found: x@y","reason":"notFound"}],"message":"User not found: x@y"}}"#;
        assert_eq!(
            messages(google, ErrorEnvelope::Google),
            ["User not found: x@y"]
        );
        assert_eq!(
            messages(br#"{"error":"invalid_client"}"#, ErrorEnvelope::Google),
            ["invalid_client"]
        );
        assert_eq!(
            messages(br#"{"message":"nope"}"#, ErrorEnvelope::Plain),
            ["nope"]
        );
        assert_eq!(
            messages(b"plain words", ErrorEnvelope::Google),
            ["plain words"]
        );
        assert!(messages(b"", ErrorEnvelope::Text).is_empty());
    }

    #[test]
    fn excerpts_are_short() {
        let long = "é".repeat(2000);
        let cut = excerpt(long.as_bytes());
        assert!(cut.len() <= EXCERPT_BYTES + "…".len());
        assert!(cut.ends_with('…'));
    }
}
