//! The login request (spec §2.1): credentials in the body and as Basic, the session token
//! from the `session-header` reply header, the upload token from `user.skypeName`.

use reqwest::header::CONTENT_TYPE;
use reqwest::StatusCode;
use roster_core::Result;
use secrecy::{ExposeSecret, SecretString};

use crate::failure::{self, Repeat};
use crate::http::{unauthorized, Transport, JSON, SESSION_HEADER};
use crate::session::Session;
use crate::wire::{LoginBody, LoginProperties, LoginReply};

impl Transport {
    /// `POST {site}/api/v2/user/loginUser` (spec §2.1).
    pub(crate) async fn login_request(&self, generation: u64) -> Result<Session> {
        const NAME: &str = "loginUser";
        let body = LoginBody {
            username: self.username(),
            password: self.password().expose_secret(),
            login_properties: LoginProperties {
                app_name: &self.urls().app_name,
                client_time: chrono::Local::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
            },
        };
        let encoded = serde_json::to_vec(&body).expect("the login body serialises");
        let response = self
            .common_request(&self.urls().api("v2/user/loginUser"))
            .header(CONTENT_TYPE, JSON)
            .body(encoded)
            .send()
            .await
            .map_err(|error| failure::from_transport(&error, Repeat::Safe, NAME))?;
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED {
            return Err(unauthorized(
                "login refused: invalid site URL or credentials",
            ));
        }
        let headers = response.headers().clone();
        let body = self.read_body(response, NAME, Repeat::Safe).await?;
        let token = headers
            .get(SESSION_HEADER)
            .and_then(|value| value.to_str().ok())
            .filter(|token| !token.is_empty());
        let reply = serde_json::from_slice::<LoginReply>(&body);
        let upload_token = reply
            .as_ref()
            .ok()
            .and_then(|reply| reply.user.as_ref())
            .and_then(|user| user.skype_name.clone());
        // Even a refused login may carry tokens; no error quotes them, nor the password.
        let secrets = [
            self.password().expose_secret(),
            token.unwrap_or_default(),
            upload_token.as_deref().unwrap_or_default(),
        ];
        if status != StatusCode::OK {
            return Err(failure::from_status(
                status,
                &headers,
                &body,
                Repeat::Safe,
                &secrets,
            ));
        }
        if let Some((_, detail)) = failure::rpc_exception(&body) {
            let detail = failure::scrub(detail, &secrets);
            return Err(unauthorized(&format!("login refused: {detail}")));
        }
        let token =
            token.ok_or_else(|| failure::decode(NAME, "the reply has no session-header"))?;
        let reply = reply.map_err(|error| {
            let message = failure::scrub(format!("unexpected reply: {error}"), &secrets);
            failure::decode(NAME, message)
        })?;
        Ok(Session {
            token: SecretString::from(token.to_owned()),
            upload_token: reply
                .user
                .and_then(|user| user.skype_name)
                .filter(|token| !token.is_empty())
                .map(SecretString::from),
            generation,
        })
    }
}
