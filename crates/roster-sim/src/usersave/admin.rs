//! Test-only routes under `/__sim/<profile name>/` (spec §6.10), a prefix the real API never
//! uses:
//!
//! | route | body | effect |
//! |---|---|---|
//! | `POST revoke-tokens` | — | every token is revoked (next call `401`) |
//! | `POST token-ttl` | `{"seconds":n}` | lifetime of tokens issued from now on |
//! | `POST faults` | `{"path":"user/list","fault":"server_error"\|"too_many_requests"\|"rate_limit_exceeded","count":n}` | the next calls of that endpoint fail |
//! | `POST forbidden` | `{"user":"<id or e-mail>","forbidden":true}` | `user/get` of that user answers `403` |
//! | `POST membership-mode` | `{"atomic":true}` | a batch with an unknown user applies nothing |
//! | `GET state` | — | the directory, in the state-file format |
//! | `POST reset` | — | back to the starting state |

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::dispatch::App;
use super::state::ScriptedFault;

#[derive(Deserialize)]
struct Ttl {
    seconds: u64,
}

#[derive(Deserialize)]
struct Faults {
    path: String,
    fault: ScriptedFault,
    #[serde(default = "one")]
    count: usize,
}

fn one() -> usize {
    1
}

#[derive(Deserialize)]
struct Forbidden {
    user: String,
    #[serde(default = "yes")]
    forbidden: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
struct MembershipMode {
    atomic: bool,
}

fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, Response> {
    serde_json::from_slice(body)
        .map_err(|e| (StatusCode::BAD_REQUEST, e.to_string()).into_response())
}

/// Answers one test route (`rest` is the path after `/__sim/<name>/`).
pub fn handle(app: &App, method: &Method, rest: &str, body: &Bytes) -> Response {
    let state = &app.state;
    let done = || StatusCode::NO_CONTENT.into_response();
    let result = match (method.as_str(), rest) {
        ("POST", "revoke-tokens") => {
            state.revoke_tokens();
            Ok(done())
        }
        ("POST", "token-ttl") => parse::<Ttl>(body).map(|t| {
            state.set_token_ttl(Duration::from_secs(t.seconds));
            done()
        }),
        ("POST", "faults") => parse::<Faults>(body).map(|f| {
            state.fail_next(&f.path, f.count, f.fault);
            done()
        }),
        ("POST", "forbidden") => parse::<Forbidden>(body).map(|f| {
            state.set_forbidden(&f.user, f.forbidden);
            done()
        }),
        ("POST", "membership-mode") => parse::<MembershipMode>(body).map(|m| {
            state.set_atomic_membership(m.atomic);
            done()
        }),
        ("GET", "state") => Ok(axum::Json(state.dump()).into_response()),
        ("POST", "reset") => {
            state.reset();
            Ok(done())
        }
        _ => Ok(StatusCode::NOT_FOUND.into_response()),
    };
    result.unwrap_or_else(|e| e)
}
