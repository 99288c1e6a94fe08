//! Login (spec §6.3) and the authentication of every other route (§6.4).

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use base64::Engine;
use serde::Serialize;
use serde_json::Value;

use super::model::{BadLoginMode, Person};
use super::state::{Inner, Session};
use super::wire::{empty, rpc_exception, v2_response};

/// Who is calling, once authenticated.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user_id: i64,
    /// The valid session token the request presented, echoed in `session-header`.
    pub token: Option<String>,
    /// The Basic username, when Basic credentials were valid.
    pub basic_username: Option<String>,
}

impl Caller {
    /// The key of this caller's "last upload": the session token, else the Basic username.
    pub fn upload_key(&self) -> String {
        self.token
            .clone()
            .or_else(|| {
                self.basic_username
                    .clone()
                    .map(|u| format!("basic:{}", u.to_lowercase()))
            })
            .unwrap_or_default()
    }
}

/// The username and password of an `Authorization: Basic` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

fn cookie_session(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix("JSESSIONID=").map(str::to_owned))
}

/// The active person whose username and password match.
fn check_password<'a>(inner: &'a Inner, username: &str, password: &str) -> Option<&'a Person> {
    inner
        .find_username(username)
        .filter(|p| p.active && p.password.as_deref() == Some(password) && !password.is_empty())
}

/// Authenticates a data request: a valid `session-header`, `JSESSIONID` cookie or Basic
/// credential is enough, even if another one is invalid (CHOSEN).
pub fn authenticate(inner: &mut Inner, headers: &HeaderMap) -> Option<Caller> {
    let header_token = headers
        .get("session-header")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut valid_session: Option<(String, Session)> = None;
    for token in header_token.into_iter().chain(cookie_session(headers)) {
        if let Some(session) = inner.session(&token) {
            valid_session = Some((token, session));
            break;
        }
    }
    let basic = basic_credentials(headers)
        .and_then(|(u, p)| check_password(inner, &u, &p).map(|person| (u, person.id)));
    match (valid_session, basic) {
        (Some((token, session)), basic) => Some(Caller {
            user_id: session.user_id,
            token: Some(token),
            basic_username: basic.map(|(u, _)| u),
        }),
        (None, Some((username, id))) => Some(Caller {
            user_id: id,
            token: None,
            basic_username: Some(username),
        }),
        (None, None) => None,
    }
}

/// The login reply body, in the recorded key order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoginReply<'a> {
    is_athlete: bool,
    is_coach: bool,
    is_admin: bool,
    user: &'a Person,
    application_id: i64,
    login_actions: [Value; 0],
    restriction_policy_ids: [Value; 0],
    permissions: Vec<String>,
}

/// `POST /{site}/api/v2/user/loginUser`.
pub fn login(inner: &mut Inner, headers: &HeaderMap, body: &[u8]) -> Response {
    let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let from_body = match (
        parsed.get("username").and_then(Value::as_str),
        parsed.get("password").and_then(Value::as_str),
    ) {
        (Some(u), Some(p)) => Some((u.to_owned(), p.to_owned())),
        _ => None,
    };
    let Some((username, password)) = from_body.or_else(|| basic_credentials(headers)) else {
        return bad_login(inner);
    };
    let Some(person) = check_password(inner, &username, &password).cloned() else {
        return bad_login(inner);
    };
    let token = inner.new_token();
    let skype_name = inner.new_skype_name();
    inner.sessions.insert(
        token.clone(),
        Session {
            skype_name: skype_name.clone(),
            user_id: person.id,
            created: std::time::Instant::now(),
        },
    );
    let profile = inner.logins.get(&person.id).cloned();
    let mut user = person.clone();
    user.state = 0;
    user.skype_name = Some(skype_name);
    let reply = LoginReply {
        is_athlete: profile.as_ref().map(|p| p.is_athlete).unwrap_or(true),
        is_coach: profile.as_ref().map(|p| p.is_coach).unwrap_or(false),
        is_admin: person.admin,
        user: &user,
        application_id: inner.application_id,
        login_actions: [],
        restriction_policy_ids: [],
        permissions: inner.permissions_of(person.id),
    };
    let mut response = v2_response(StatusCode::OK, &reply, Some(&token));
    set_session_cookie(&mut response, &token);
    response
}

fn set_session_cookie(response: &mut Response, token: &str) {
    if let Ok(cookie) =
        HeaderValue::from_str(&format!("JSESSIONID={token}; Path=/; Secure; HttpOnly"))
    {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
}

fn bad_login(inner: &mut Inner) -> Response {
    match inner.bad_login {
        BadLoginMode::Unauthorized => empty(StatusCode::UNAUTHORIZED),
        BadLoginMode::RpcException => {
            // The alternative real behaviour: a session header, and the error in a 200 body.
            let token = inner.new_token();
            v2_response(
                StatusCode::OK,
                &rpc_exception(
                    "java.lang.SecurityException",
                    "Invalid username or password",
                ),
                Some(&token),
            )
        }
    }
}
