//! Sending one call: the headers every request carries, the per-request timeout, and reading
//! the answer under the body size cap.

use std::time::Duration;

use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use reqwest::{Client, Method, Response, Url};
use roster_core::{DirectoryError, ExposeSecret, SecretString};

use crate::errors::{decode_error, scrub, status_error, transport_error, CallKind, Repeat};

/// The header that carries `site_name:api_key`.
const AUTH_HEADER: &str = "HTTP-X-PARTNER-AUTH";
/// The header that selects one user.
const EMAIL_HEADER: &str = "HTTP-X-EMAIL";
const USER_AGENT_VALUE: &str = concat!("roster/", env!("CARGO_PKG_VERSION"));

/// One request to send.
pub(crate) struct Call<'a> {
    pub method: Method,
    pub url: Url,
    /// The user the call is about, sent as `HTTP-X-EMAIL`.
    pub email: Option<&'a str>,
    /// A JSON body.
    pub body: Option<Vec<u8>>,
    pub kind: CallKind<'a>,
}

/// A 2xx answer's body.
pub(crate) struct Reply {
    pub body: Vec<u8>,
}

/// An answer of any status.
enum Answer {
    Success(Reply),
    Failure {
        status: u16,
        body: Vec<u8>,
        retry_after: Option<String>,
    },
}

/// The HTTP side of one site.
pub(crate) struct Http {
    client: Client,
    auth: HeaderValue,
    /// Only to scrub it from error excerpts.
    api_key: SecretString,
    timeout: Duration,
    max_body_bytes: usize,
}

impl Http {
    pub fn new(
        client: Client,
        auth: HeaderValue,
        api_key: SecretString,
        timeout: Duration,
        max_body_bytes: usize,
    ) -> Self {
        Self {
            client,
            auth,
            api_key,
            timeout,
            max_body_bytes,
        }
    }

    /// Sends `call`; a non-2xx answer is an error.
    pub async fn send(&self, call: Call<'_>) -> Result<Reply, DirectoryError> {
        let kind = call.kind;
        match self.exchange(call).await? {
            Answer::Success(reply) => Ok(reply),
            Answer::Failure {
                status,
                body,
                retry_after,
            } => Err(status_error(
                status,
                &body,
                retry_after.as_deref(),
                kind,
                self.api_key.expose_secret(),
            )),
        }
    }

    /// A Decode error for an answer that could not be read. The message may quote the answer,
    /// and a server may echo the API key, so the key is blanked out of it.
    pub fn undecodable(&self, message: String) -> DirectoryError {
        decode_error(scrub(message, self.api_key.expose_secret()))
    }

    /// Sends a lookup; a `404` is `None`.
    pub async fn lookup(&self, call: Call<'_>) -> Result<Option<Reply>, DirectoryError> {
        let kind = call.kind;
        match self.exchange(call).await? {
            Answer::Success(reply) => Ok(Some(reply)),
            Answer::Failure { status: 404, .. } => Ok(None),
            Answer::Failure {
                status,
                body,
                retry_after,
            } => Err(status_error(
                status,
                &body,
                retry_after.as_deref(),
                kind,
                self.api_key.expose_secret(),
            )),
        }
    }

    async fn exchange(&self, call: Call<'_>) -> Result<Answer, DirectoryError> {
        let repeat = call.kind.repeat;
        let mut request = self
            .client
            .request(call.method.clone(), call.url.clone())
            .timeout(self.timeout)
            .header(AUTH_HEADER, self.auth.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json")
            .header(USER_AGENT, USER_AGENT_VALUE);
        if let Some(email) = call.email {
            let value = HeaderValue::from_bytes(email.as_bytes()).map_err(|_| {
                DirectoryError::invalid(Some("email"), format!("{email:?} cannot go in a header"))
            })?;
            request = request.header(EMAIL_HEADER, value);
        }
        if let Some(body) = call.body {
            request = request.body(body);
        }
        let response = request
            .send()
            .await
            .map_err(|error| transport_error(&error, repeat))?;
        let status = response.status().as_u16();
        tracing::debug!(method = %call.method, path = call.url.path(), status, "periscope call");
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let body = self.read_body(response, repeat).await?;
        if (200..300).contains(&status) {
            Ok(Answer::Success(Reply { body }))
        } else {
            Ok(Answer::Failure {
                status,
                body,
                retry_after,
            })
        }
    }

    /// The whole body, refused once it passes the cap.
    async fn read_body(
        &self,
        mut response: Response,
        repeat: Repeat,
    ) -> Result<Vec<u8>, DirectoryError> {
        let too_big = || {
            decode_error(format!(
                "the response body is larger than the {} byte limit (`max_body_bytes`)",
                self.max_body_bytes
            ))
        };
        if response
            .content_length()
            .is_some_and(|length| length > self.max_body_bytes as u64)
        {
            return Err(too_big());
        }
        // Sized from the announced length (already checked against the cap), so a large
        // list is not copied through ever-doubling buffers.
        let announced = response.content_length().unwrap_or(0) as usize;
        let mut body = Vec::with_capacity(announced);
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| transport_error(&error, repeat))?
        {
            if body.len() + chunk.len() > self.max_body_bytes {
                return Err(too_big());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}
