//! Credentials on API calls: a cached bearer token from a token endpoint (renewed before it
//! expires and once after a 401), a static bearer token, or HTTP Basic.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, AUTHORIZATION};
use reqwest::RequestBuilder;
use roster_core::{DirectoryError, ErrorKind};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::errors::{self, DEFAULT_RATE_LIMIT_WAIT};
use crate::http::Http;
use crate::profile::{ClientAuth, ErrorEnvelope};

/// How API calls prove who they are.
pub(crate) enum Credentials {
    TokenEndpoint(TokenSource),
    StaticBearer(SecretString),
    Basic {
        username: String,
        password: SecretString,
    },
}

/// The credential one call carried, so a 401 can renew exactly that token.
pub(crate) struct Presented {
    header: HeaderValue,
    /// Which cached token this was (token endpoint only).
    generation: Option<u64>,
    /// The token or password the header holds, and the client secret behind a token.
    secrets: Vec<SecretString>,
}

impl Presented {
    /// Adds the credential to a request.
    pub fn apply(&self, request: RequestBuilder) -> RequestBuilder {
        request.header(AUTHORIZATION, self.header.clone())
    }

    /// What a reply to this call must not echo into an error.
    pub fn secrets(&self) -> impl Iterator<Item = &str> {
        self.secrets.iter().map(|secret| secret.expose_secret())
    }
}

impl Credentials {
    /// The credential for the next call.
    pub async fn current(&self, http: &Http) -> Result<Presented, DirectoryError> {
        match self {
            Credentials::TokenEndpoint(source) => source.current(http).await,
            Credentials::StaticBearer(token) => Ok(Presented {
                header: bearer(token)?,
                generation: None,
                secrets: vec![token.clone()],
            }),
            Credentials::Basic { username, password } => Ok(Presented {
                header: basic(username, password)?,
                generation: None,
                secrets: vec![password.clone()],
            }),
        }
    }

    /// After a 401 with `stale`: a fresh credential, when the auth style renews and repeats.
    pub async fn renewed(
        &self,
        http: &Http,
        stale: &Presented,
    ) -> Result<Option<Presented>, DirectoryError> {
        match (self, stale.generation) {
            (Credentials::TokenEndpoint(source), Some(generation)) if source.retry_once_on_401 => {
                source.renew(http, generation).await.map(Some)
            }
            _ => Ok(None),
        }
    }
}

/// A token endpoint and the token it last gave.
pub(crate) struct TokenSource {
    pub url: String,
    pub client_id: String,
    pub client_secret: SecretString,
    pub client_auth: ClientAuth,
    /// Form fields, placeholders filled.
    pub form: Vec<(String, String)>,
    pub access_token_field: String,
    pub expires_in_field: String,
    pub refresh_margin: Duration,
    pub retry_once_on_401: bool,
    cache: Mutex<Option<CachedToken>>,
}

struct CachedToken {
    token: SecretString,
    /// After this instant the token is renewed before use; `None` = no expiry given.
    fresh_until: Option<Instant>,
    generation: u64,
}

impl TokenSource {
    /// A source that has fetched nothing yet.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        url: String,
        client_id: String,
        client_secret: SecretString,
        client_auth: ClientAuth,
        form: Vec<(String, String)>,
        access_token_field: String,
        expires_in_field: String,
        refresh_margin: Duration,
        retry_once_on_401: bool,
    ) -> Self {
        Self {
            url,
            client_id,
            client_secret,
            client_auth,
            form,
            access_token_field,
            expires_in_field,
            refresh_margin,
            retry_once_on_401,
            cache: Mutex::new(None),
        }
    }

    async fn current(&self, http: &Http) -> Result<Presented, DirectoryError> {
        // The lock is held while fetching so that concurrent calls share one token request.
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.as_ref() {
            if cached
                .fresh_until
                .is_none_or(|until| Instant::now() < until)
            {
                return self.presented(cached);
            }
        }
        let generation = cache.as_ref().map_or(1, |cached| cached.generation + 1);
        let fetched = self.fetch(http, generation).await?;
        self.presented(cache.insert(fetched))
    }

    async fn renew(&self, http: &Http, stale_generation: u64) -> Result<Presented, DirectoryError> {
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.as_ref() {
            if cached.generation != stale_generation {
                // Another call renewed it meanwhile.
                return self.presented(cached);
            }
        }
        *cache = None;
        let fetched = self.fetch(http, stale_generation + 1).await?;
        self.presented(cache.insert(fetched))
    }

    fn presented(&self, cached: &CachedToken) -> Result<Presented, DirectoryError> {
        Ok(Presented {
            header: bearer(&cached.token)?,
            generation: Some(cached.generation),
            secrets: vec![cached.token.clone(), self.client_secret.clone()],
        })
    }

    async fn fetch(&self, http: &Http, generation: u64) -> Result<CachedToken, DirectoryError> {
        let mut form = self.form.clone();
        let mut request = http.client.post(&self.url);
        match self.client_auth {
            ClientAuth::Basic => {
                request =
                    request.basic_auth(&self.client_id, Some(self.client_secret.expose_secret()));
            }
            ClientAuth::Form => {
                form.push(("client_id".into(), self.client_id.clone()));
                form.push((
                    "client_secret".into(),
                    self.client_secret.expose_secret().to_owned(),
                ));
            }
        }
        tracing::debug!(url = %self.url, "fetching an access token");
        // The token is not known yet; the client secret is, and is never echoed back.
        let secrets = [self.client_secret.expose_secret()];
        let reply = http.execute(request.form(&form), true, &secrets).await?;
        if !reply.is_success() {
            return Err(token_refused(&reply));
        }
        let json: Value = serde_json::from_slice(&reply.body)
            .map_err(|error| errors::decode("token response", error))?;
        let token = json[&self.access_token_field]
            .as_str()
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                errors::decode(
                    "token response",
                    format!("no `{}` field", self.access_token_field),
                )
            })?;
        let expires_in = match &json[&self.expires_in_field] {
            Value::Number(number) => number.as_f64(),
            Value::String(text) => text.trim().parse::<f64>().ok(),
            _ => None,
        };
        let fresh_until = expires_in.map(|seconds| {
            let lifetime = Duration::from_secs_f64(seconds.max(0.0));
            Instant::now() + lifetime.saturating_sub(self.refresh_margin)
        });
        Ok(CachedToken {
            token: SecretString::from(token.to_owned()),
            fresh_until,
            generation,
        })
    }
}

/// The token endpoint said no: bad client, or an acting user who may not act.
fn token_refused(reply: &crate::http::Reply) -> DirectoryError {
    let message = errors::messages(&reply.body, ErrorEnvelope::Plain)
        .into_iter()
        .next()
        .map(|message| errors::excerpt(message.as_bytes()))
        .unwrap_or_default();
    match reply.status {
        429 => DirectoryError::new(ErrorKind::RateLimited {
            retry_after: Some(reply.retry_after.unwrap_or(DEFAULT_RATE_LIMIT_WAIT)),
        }),
        400..=499 => DirectoryError::new(ErrorKind::Unauthorized {
            message: format!("token request refused (HTTP {}): {message}", reply.status),
        }),
        // Asking for a token is safe to repeat.
        _ => errors::from_reply(reply, ErrorEnvelope::Plain, true),
    }
}

fn bearer(token: &SecretString) -> Result<HeaderValue, DirectoryError> {
    sensitive(format!("Bearer {}", token.expose_secret()))
}

fn basic(username: &str, password: &SecretString) -> Result<HeaderValue, DirectoryError> {
    use base64::Engine as _;
    let pair = format!("{username}:{}", password.expose_secret());
    sensitive(format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    ))
}

fn sensitive(value: String) -> Result<HeaderValue, DirectoryError> {
    let mut header = HeaderValue::from_str(&value)
        .map_err(|_| DirectoryError::config("auth: the credential is not a valid header value"))?;
    header.set_sensitive(true);
    Ok(header)
}
