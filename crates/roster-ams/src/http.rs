//! Sends AMS requests: the recorded header set, the session, one renewal after a 401, a cap on
//! reply sizes, and the translation of failures into [`DirectoryError`]s (spec §5.1, §5.7).

use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE, COOKIE, USER_AGENT};
use reqwest::{Client, RequestBuilder, Response, StatusCode};
use roster_core::{DirectoryError, ErrorKind, Operation, Result};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::sync::Mutex;

use crate::config::SiteUrls;
use crate::failure::{self, Repeat};
use crate::session::{Session, SessionSlot};

const APP_ID: &str = "external.example.postman";
pub(crate) const SESSION_HEADER: &str = "session-header";
pub(crate) const JSON: &str = "application/json";

/// What a request carries.
pub enum Payload<'a> {
    /// A JSON body, already encoded.
    Json(Vec<u8>),
    /// One avatar file for `/x/fileupload` (spec §2.7).
    Avatar(&'a AvatarFile),
}

/// A validated image, ready to upload.
pub struct AvatarFile {
    pub file_name: String,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

/// One endpoint: the name errors give it, its URL, and whether a repeat is safe.
pub struct Endpoint<'a> {
    pub name: &'a str,
    pub url: String,
    pub repeat: Repeat,
}

/// The HTTP side of one site.
pub struct Transport {
    client: Client,
    urls: SiteUrls,
    username: String,
    password: SecretString,
    max_response_bytes: u64,
    slot: Mutex<SessionSlot>,
}

/// A reply with status 200 and no rpc exception.
pub struct Reply {
    pub body: Vec<u8>,
    /// The session the reply answered, whose tokens an error about the reply must not quote.
    pub session: Arc<Session>,
}

/// What one attempt gave.
enum Attempt {
    Reply {
        status: StatusCode,
        headers: HeaderMap,
        body: Vec<u8>,
    },
    /// 401: the session is no longer accepted.
    Unauthorized,
}

impl Transport {
    pub fn new(
        client: Client,
        urls: SiteUrls,
        username: String,
        password: SecretString,
        max_response_bytes: u64,
    ) -> Self {
        Self {
            client,
            urls,
            username,
            password,
            max_response_bytes,
            slot: Mutex::new(SessionSlot::default()),
        }
    }

    pub fn urls(&self) -> &SiteUrls {
        &self.urls
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    pub fn password(&self) -> &SecretString {
        &self.password
    }

    /// `POST {site}/api/{path}` with a JSON body, its reply decoded as `T`.
    pub async fn post_api<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
        repeat: Repeat,
    ) -> Result<T> {
        let endpoint = Endpoint {
            // "v2/person/get" is called "person/get" in errors, as the Python client does.
            name: path.split_once('/').map_or(path, |(_, rest)| rest),
            url: self.urls.api(path),
            repeat,
        };
        let encoded = serde_json::to_vec(body).expect("request bodies serialise");
        let reply = self.send(&endpoint, &Payload::Json(encoded)).await?;
        serde_json::from_slice(&reply.body).map_err(|error| {
            // Serde quotes the values it could not read, and the reply may echo a secret.
            let message = format!("unexpected reply: {error}");
            failure::decode(
                endpoint.name,
                failure::scrub(message, &self.secrets(&reply.session)),
            )
        })
    }

    /// What an error must never quote: the password and the tokens of `session`.
    pub fn secrets<'a>(&'a self, session: &'a Session) -> [&'a str; 3] {
        let upload_token = session
            .upload_token
            .as_ref()
            .map(ExposeSecret::expose_secret);
        [
            self.password.expose_secret(),
            session.token.expose_secret(),
            upload_token.unwrap_or_default(),
        ]
    }

    /// The session every call uses, logging in first when there is none.
    pub async fn session(&self) -> Result<Arc<Session>> {
        let mut slot = self.slot.lock().await;
        if let Some(current) = &slot.current {
            return Ok(current.clone());
        }
        self.log_in(&mut slot).await
    }

    /// A session to use instead of `stale`: another task's newer one, or a fresh login.
    pub async fn renew(&self, stale: &Session) -> Result<Arc<Session>> {
        let mut slot = self.slot.lock().await;
        if let Some(newer) = slot.newer_than(stale) {
            return Ok(newer);
        }
        self.log_in(&mut slot).await
    }

    /// Sends `payload` to `endpoint` with the current session; after a 401, logs in again
    /// once and sends it once more.
    pub async fn send(&self, endpoint: &Endpoint<'_>, payload: &Payload<'_>) -> Result<Reply> {
        let mut session = self.session().await?;
        let mut attempt = self.attempt(endpoint, payload, &session).await?;
        if let Attempt::Unauthorized = attempt {
            session = self.renew(&session).await?;
            attempt = self.attempt(endpoint, payload, &session).await?;
        }
        let secrets = self.secrets(&session);
        match attempt {
            Attempt::Unauthorized => Err(failure::from_status(
                StatusCode::UNAUTHORIZED,
                &HeaderMap::new(),
                b"",
                endpoint.repeat,
                &secrets,
            )),
            Attempt::Reply {
                status,
                headers,
                body,
            } => {
                if status != StatusCode::OK {
                    return Err(failure::from_status(
                        status,
                        &headers,
                        &body,
                        endpoint.repeat,
                        &secrets,
                    ));
                }
                if let Some((kind, detail)) = failure::rpc_exception(&body) {
                    return Err(failure::from_rpc(&kind, &detail, &secrets));
                }
                Ok(Reply {
                    body,
                    session: session.clone(),
                })
            }
        }
    }

    /// One request with `session`'s headers.
    async fn attempt(
        &self,
        endpoint: &Endpoint<'_>,
        payload: &Payload<'_>,
        session: &Session,
    ) -> Result<Attempt> {
        let request = self.data_request(&endpoint.url, session);
        let request = match payload {
            Payload::Json(body) => request.header(CONTENT_TYPE, JSON).body(body.clone()),
            Payload::Avatar(file) => request.multipart(avatar_form(file, session)?),
        };
        let response = request
            .send()
            .await
            .map_err(|error| failure::from_transport(&error, endpoint.repeat, endpoint.name))?;
        if response.status() == StatusCode::UNAUTHORIZED {
            return Ok(Attempt::Unauthorized);
        }
        let status = response.status();
        let headers = response.headers().clone();
        let body = self
            .read_body(response, endpoint.name, endpoint.repeat)
            .await?;
        Ok(Attempt::Reply {
            status,
            headers,
            body,
        })
    }

    /// The smartabasepy header set: JSON headers, the session (header and cookie) and Basic.
    fn data_request(&self, url: &str, session: &Session) -> RequestBuilder {
        let token = session.token.expose_secret();
        self.common_request(url)
            .header(SESSION_HEADER, sensitive(token))
            .header(COOKIE, sensitive(&format!("JSESSIONID={token}")))
    }

    /// Headers every request carries, login included.
    pub(crate) fn common_request(&self, url: &str) -> RequestBuilder {
        self.client
            .post(url)
            .header(
                USER_AGENT,
                concat!("roster-ams/", env!("CARGO_PKG_VERSION")),
            )
            .header(ACCEPT, JSON)
            .header("X-APP-ID", APP_ID)
            .basic_auth(&self.username, Some(self.password.expose_secret()))
    }

    /// Logs in and stores the new session in `slot`.
    async fn log_in(&self, slot: &mut SessionSlot) -> Result<Arc<Session>> {
        let session = Arc::new(
            self.login_request(slot.logins + 1)
                .await
                .map_err(|error| error.in_operation(Operation::Login))?,
        );
        slot.logins += 1;
        slot.current = Some(session.clone());
        Ok(session)
    }

    /// The body, refused when it is larger than the configured cap.
    pub(crate) async fn read_body(
        &self,
        mut response: Response,
        name: &str,
        repeat: Repeat,
    ) -> Result<Vec<u8>> {
        let cap = self.max_response_bytes;
        let too_large = || {
            failure::decode(
                name,
                format!("the reply is larger than the limit of {cap} bytes (max_response_bytes)"),
            )
        };
        if response.content_length().is_some_and(|length| length > cap) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| failure::from_transport(&error, repeat, name))?
        {
            if (body.len() + chunk.len()) as u64 > cap {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// The multipart form of spec §2.7, fields in the recorded order.
fn avatar_form(file: &AvatarFile, session: &Session) -> Result<reqwest::multipart::Form> {
    let upload_token = session.upload_token.as_ref().ok_or_else(|| {
        failure::decode(
            "loginUser",
            "the login reply has no upload token (user.skypeName)",
        )
    })?;
    let data = reqwest::multipart::Part::bytes(file.bytes.clone())
        .file_name(file.file_name.clone())
        .mime_str(file.mime)
        .expect("image MIME types parse");
    Ok(reqwest::multipart::Form::new()
        .text("session-token", upload_token.expose_secret().to_owned())
        .text("filename", file.file_name.clone())
        .text("processorkey", "avatar-key")
        .part("filedata", data))
}

pub(crate) fn unauthorized(message: &str) -> DirectoryError {
    DirectoryError::new(ErrorKind::Unauthorized {
        message: message.to_owned(),
    })
}

/// A header value kept out of debug output.
fn sensitive(text: &str) -> HeaderValue {
    // Tokens come from a header value of the login reply, so they are valid header text.
    let mut value = HeaderValue::from_str(text).expect("a session token is header text");
    value.set_sensitive(true);
    value
}
