//! API calls as the profile spells them: URL, constant headers, credentials, the one renewal
//! after a 401, and error replies turned into `DirectoryError`s.

use reqwest::header::{HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use roster_core::DirectoryError;
use secrecy::{ExposeSecret, SecretString};

use crate::auth::Credentials;
use crate::errors;
use crate::http::{Http, Reply};
use crate::profile::ErrorEnvelope;

/// One call to the API. Not `Debug`: a create body carries the new user's password.
pub(crate) struct ApiRequest {
    pub method: reqwest::Method,
    /// Relative to the API prefix, placeholders filled.
    pub path: String,
    pub query: Vec<(String, String)>,
    /// A JSON body.
    pub body: Option<Vec<u8>>,
    /// Safe to repeat once sent (reads, whole-object saves with an id, idempotent batches).
    pub repeatable: bool,
    /// Secrets the body carries (a new user's password), kept out of the reply.
    pub secrets: Vec<SecretString>,
}

/// The API of one site.
pub(crate) struct Api {
    pub http: Http,
    /// `base_url` and the API prefix, without a trailing `/`.
    pub root: String,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub credentials: Credentials,
    pub envelope: ErrorEnvelope,
}

impl Api {
    /// Sends `request` and returns the reply whatever its status, after renewing the token
    /// and repeating the call once on a 401 where the auth style says so.
    pub async fn send(&self, request: &ApiRequest) -> Result<Reply, DirectoryError> {
        let presented = self.credentials.current(&self.http).await?;
        let reply = self.send_once(request, &presented).await?;
        if reply.status != 401 {
            return Ok(reply);
        }
        match self.credentials.renewed(&self.http, &presented).await? {
            Some(fresh) => {
                tracing::debug!(path = %request.path, "401: repeating once with a new token");
                self.send_once(request, &fresh).await
            }
            None => Ok(reply),
        }
    }

    /// Sends `request`; any non-2xx reply is an error.
    pub async fn send_ok(&self, request: &ApiRequest) -> Result<Reply, DirectoryError> {
        let reply = self.send(request).await?;
        if reply.is_success() {
            Ok(reply)
        } else {
            Err(self.error(&reply, request.repeatable))
        }
    }

    /// The error a non-2xx reply means.
    pub fn error(&self, reply: &Reply, repeatable: bool) -> DirectoryError {
        errors::from_reply(reply, self.envelope, repeatable)
    }

    async fn send_once(
        &self,
        request: &ApiRequest,
        presented: &crate::auth::Presented,
    ) -> Result<Reply, DirectoryError> {
        let url = format!("{}/{}", self.root, request.path.trim_start_matches('/'));
        tracing::debug!(method = %request.method, %url, "request");
        let mut builder = self
            .http
            .client
            .request(request.method.clone(), url)
            .header(ACCEPT, "application/json");
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        if !request.query.is_empty() {
            builder = builder.query(&request.query);
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let mut secrets: Vec<&str> = request
            .secrets
            .iter()
            .map(|secret| secret.expose_secret())
            .collect();
        secrets.extend(presented.secrets());
        self.http
            .execute(presented.apply(builder), request.repeatable, &secrets)
            .await
    }
}
