//! One POST to the API endpoint: the form goes out, the reply comes back as text, bounded in
//! size, or the failure is classified (spec §5.2, §5.3).

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use roster_core::{DirectoryError, ErrorKind, ExposeSecret, Result, SecretString};

use crate::config::RedcapConfig;
use crate::reply::{self, Repeat};

/// What came back: the status, what the server asked us to wait, and the body.
pub(crate) struct RawReply {
    pub status: u16,
    pub retry_after: Option<Duration>,
    pub body: String,
}

/// The HTTP side of one site: the client, the endpoint and the token.
pub(crate) struct Transport {
    http: reqwest::Client,
    url: url::Url,
    token: SecretString,
    max_response_bytes: usize,
}

impl Transport {
    /// A transport for a validated configuration, with `http` or a client of its own built
    /// with the configured timeouts.
    pub(crate) fn new(
        config: &RedcapConfig,
        url: url::Url,
        token: SecretString,
        http: Option<reqwest::Client>,
    ) -> Result<Self> {
        let http = match http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(config.connect_timeout())
                .timeout(config.timeout())
                .build()
                .map_err(|error| {
                    DirectoryError::config(format!(
                        "could not build the HTTP client: {}",
                        error.without_url()
                    ))
                })?,
        };
        Ok(Self {
            http,
            url,
            token,
            max_response_bytes: config.max_response_bytes,
        })
    }

    /// The token, for the form; it goes nowhere else.
    pub(crate) fn token(&self) -> &str {
        self.token.expose_secret()
    }

    /// Posts `form` (which starts with the token) and reads the whole reply.
    pub(crate) async fn post(&self, form: &[(&str, &str)], repeat: Repeat) -> Result<RawReply> {
        let response = self
            .http
            .post(self.url.clone())
            .form(form)
            .send()
            .await
            .map_err(|error| transport_error(error, repeat))?;
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        let body = self.read_body(response, repeat).await?;
        Ok(RawReply {
            status,
            retry_after,
            body,
        })
    }

    /// Reads the body chunk by chunk so an oversized reply is refused without being held.
    async fn read_body(&self, mut response: reqwest::Response, repeat: Repeat) -> Result<String> {
        let limit = self.max_response_bytes;
        if response
            .content_length()
            .is_some_and(|length| length > limit as u64)
        {
            return Err(too_large(limit));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| transport_error(error, repeat))?
        {
            if bytes.len() + chunk.len() > limit {
                return Err(too_large(limit));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The error a reply with another status than 200 stands for.
    pub(crate) fn status_error(&self, reply: &RawReply, repeat: Repeat) -> DirectoryError {
        let message = reply::reported_error(&reply.body)
            .map(|message| reply::excerpt(&message, self.token()))
            .unwrap_or_else(|| reply::excerpt(&reply.body, self.token()));
        reply::status_error(reply.status, message, reply.retry_after, repeat)
    }

    /// An excerpt of a body for an error message.
    pub(crate) fn excerpt(&self, body: &str) -> String {
        reply::excerpt(body, self.token())
    }
}

fn too_large(limit: usize) -> DirectoryError {
    reply::decode_error(format!(
        "the response is larger than {limit} bytes (max_response_bytes)"
    ))
}

/// A failure to send or to hear back. A failure to connect happened before anything was sent
/// and may always be repeated; any later one may or may not have reached the server.
fn transport_error(error: reqwest::Error, repeat: Repeat) -> DirectoryError {
    let sent = !error.is_connect();
    let kind = if error.is_timeout() {
        ErrorKind::Timeout { request_sent: sent }
    } else {
        ErrorKind::Transport {
            message: error.without_url().to_string(),
        }
    };
    let error = DirectoryError::new(kind);
    if sent {
        error.with_class(repeat.after_send())
    } else {
        error
    }
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}
