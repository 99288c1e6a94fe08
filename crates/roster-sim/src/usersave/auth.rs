//! Authentication: the OAuth application-token endpoint (spec §6.2) and the check every API
//! call passes (§6.3), in the profile's style. Tokens and secrets are never logged.

use axum::body::Bytes;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;

use super::dispatch::App;
use super::fields::text;
use super::profile::AuthStyle;
use super::reply::{error, oauth_error};
use crate::common::OrderedJson;

/// `{customer_id}` from `path` when it fits the token path `template`.
pub fn match_token_path(template: &str, path: &str) -> Option<String> {
    let (want, got): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
    if want.len() != got.len() {
        return None;
    }
    let mut customer = None;
    for (w, g) in want.iter().zip(&got) {
        if *w == "{customer_id}" {
            customer = Some((*g).to_owned());
        } else if w != g {
            return None;
        }
    }
    customer
}

/// `(user, password)` from an `Authorization: Basic` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let (user, password) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// The token of an `Authorization: Bearer` header.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// `POST …/application-token`: client credentials in, a token acting as `user_email` out.
pub fn token(app: &App, customer_id: &str, headers: &HeaderMap, body: &Bytes) -> Response {
    let state = &app.state;
    let fields = &state.profile().user;
    let acting = {
        let store = state.lock();
        if customer_id != store.access.customer_id {
            return oauth_error(StatusCode::NOT_FOUND, "not_found");
        }
        let known = basic_credentials(headers).is_some_and(|(id, secret)| {
            store
                .access
                .clients
                .iter()
                .any(|(i, s)| *i == id && *s == secret)
        });
        if !known {
            return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
        }
        let form_encoded = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        let form: Vec<(String, String)> = form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let field = |name: &str| {
            form.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        if !form_encoded || field("grant_type") != Some("client_credentials") {
            return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
        }
        let user = field("user_email")
            .filter(|e| !e.is_empty())
            .and_then(|email| {
                store.users.iter().find(|r| {
                    text(&r.obj, &fields.email).is_some_and(|e| e.eq_ignore_ascii_case(email))
                })
            })
            .filter(|r| fields.is_active(&r.obj))
            .and_then(|r| fields.id(&r.obj).map(str::to_owned));
        match user {
            Some(id) => id,
            None => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request"),
        }
    };
    let token = state.issue_token(&acting);
    let body = OrderedJson::object()
        .with("access_token", token)
        .with("expires_in", state.token_ttl().as_secs())
        .with("token_type", "Bearer");
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_vec(),
    )
        .into_response()
}

/// The id of the user an API call acts as, or the profile's `401`.
pub fn authenticate(app: &App, headers: &HeaderMap) -> Result<String, Response> {
    let state = &app.state;
    let profile = state.profile();
    let denied = || {
        let mut response = error(
            profile.errors,
            StatusCode::UNAUTHORIZED,
            "Invalid Credentials",
        );
        if matches!(profile.auth, AuthStyle::Basic) {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Basic realm=\"api\""),
            );
        }
        response
    };
    let acting_user = || {
        let store = state.lock();
        let email = store.access.acting_user_email.clone();
        store
            .users
            .iter()
            .find(|r| profile.user.matches(&r.obj, &email))
            .and_then(|r| profile.user.id(&r.obj).map(str::to_owned))
            .unwrap_or_default()
    };
    match &profile.auth {
        AuthStyle::TokenEndpoint { .. } => bearer(headers)
            .and_then(|t| state.token_user(t))
            .ok_or_else(denied),
        AuthStyle::StaticBearer => {
            let expected = state.lock().access.static_token.clone();
            match bearer(headers) {
                Some(token) if token == expected => Ok(acting_user()),
                _ => Err(denied()),
            }
        }
        AuthStyle::Basic => {
            let (user, password) = {
                let store = state.lock();
                (
                    store.access.basic_username.clone(),
                    store.access.basic_password.clone(),
                )
            };
            match basic_credentials(headers) {
                Some((u, p)) if u == user && p == password => Ok(acting_user()),
                _ => Err(denied()),
            }
        }
    }
}
