//! Sending one HTTP request and reading its reply within a size cap.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER, USER_AGENT};
use reqwest::RequestBuilder;
use roster_core::{DirectoryError, ErrorClass, ErrorKind};

/// The reqwest client and the body size cap every reply is read under.
#[derive(Clone, Debug)]
pub(crate) struct Http {
    pub client: reqwest::Client,
    pub max_body_bytes: usize,
}

/// A reply of any status, its body read in full.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    /// What the `Retry-After` header asked for, in seconds form.
    pub retry_after: Option<Duration>,
    pub body: Vec<u8>,
}

impl Reply {
    /// True for a 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

impl Http {
    /// A client with the crate's defaults: a request timeout and a short connect timeout.
    pub fn build_client(timeout: Duration) -> Result<reqwest::Client, DirectoryError> {
        reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10).min(timeout))
            .build()
            .map_err(|error| DirectoryError::config(format!("HTTP client: {error}")))
    }

    /// Sends `request` and reads the reply. `repeatable` says whether the call is safe to
    /// repeat once sent: it decides the class of a failure after sending. `secrets` (what the
    /// request carried) are blanked out of the body as it is read, so that no error or value
    /// built from a reply can quote one the server echoed.
    pub async fn execute(
        &self,
        request: RequestBuilder,
        repeatable: bool,
        secrets: &[&str],
    ) -> Result<Reply, DirectoryError> {
        // Set per request, so a caller's own client still says who is calling.
        let mut response = request
            .header(USER_AGENT, concat!("roster/", env!("CARGO_PKG_VERSION")))
            .send()
            .await
            .map_err(|error| transport_error(&error, repeatable))?;
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| transport_error(&error, repeatable))?
        {
            if body.len() + chunk.len() > self.max_body_bytes {
                return Err(DirectoryError::new(ErrorKind::Decode {
                    message: format!(
                        "response body exceeds the {} byte limit (max_body_bytes)",
                        self.max_body_bytes
                    ),
                }));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Reply {
            status,
            retry_after,
            body: redact(body, secrets),
        })
    }
}

/// `body` with every occurrence of each secret replaced by `[redacted]`.
fn redact(mut body: Vec<u8>, secrets: &[&str]) -> Vec<u8> {
    const MARK: &[u8] = b"[redacted]";
    for secret in secrets.iter().map(|secret| secret.as_bytes()) {
        if secret.is_empty() || body.len() < secret.len() {
            continue;
        }
        let mut clean = Vec::with_capacity(body.len());
        let mut rest = body.as_slice();
        while let Some(at) = rest
            .windows(secret.len())
            .position(|window| window == secret)
        {
            clean.extend_from_slice(&rest[..at]);
            clean.extend_from_slice(MARK);
            rest = &rest[at + secret.len()..];
        }
        clean.extend_from_slice(rest);
        body = clean;
    }
    body
}

/// The class of a failure after the request may have been sent.
pub(crate) fn after_send_class(repeatable: bool) -> ErrorClass {
    if repeatable {
        ErrorClass::Temporary
    } else {
        ErrorClass::Ambiguous
    }
}

/// A failure with no usable reply: refused connection, timeout, broken body.
fn transport_error(error: &reqwest::Error, repeatable: bool) -> DirectoryError {
    // The URL is left out: it says nothing a site name does not, and keeps messages short.
    let message = strip_url(error);
    if error.is_connect() {
        // Nothing reached the server.
        return if error.is_timeout() {
            DirectoryError::new(ErrorKind::Timeout {
                request_sent: false,
            })
        } else {
            DirectoryError::new(ErrorKind::Transport { message })
        }
        .with_class(ErrorClass::Temporary);
    }
    let kind = if error.is_timeout() {
        ErrorKind::Timeout { request_sent: true }
    } else {
        ErrorKind::Transport { message }
    };
    DirectoryError::new(kind).with_class(after_send_class(repeatable))
}

fn strip_url(error: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut message = match error.source() {
        Some(source) => source.to_string(),
        None => "request failed".to_owned(),
    };
    if message.is_empty() {
        message = "request failed".to_owned();
    }
    message
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?;
    text.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_blanked_out_of_bodies() {
        assert_eq!(
            redact(b"key s3cr3t and s3cr3t".to_vec(), &["s3cr3t", ""]),
            b"key [redacted] and [redacted]"
        );
        assert_eq!(redact(b"s3c".to_vec(), &["s3cr3t"]), b"s3c");
        assert_eq!(redact(Vec::new(), &["x"]), b"");
    }
}
