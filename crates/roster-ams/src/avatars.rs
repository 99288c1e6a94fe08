//! Avatar upload (spec §2.7, §5.6): match files to users, check them, upload each one
//! (`/x/fileupload`, then `getUploadStatus` for its file id), then attach each uploaded file
//! to its user with a read-modify-write that changes `avatarId` only.

use roster_core::{DirectoryError, Operation, Result, UserKeyKind};
use serde::{Deserialize, Serialize};

use crate::avatar_files::{self, AvatarRow, AvatarSource};
use crate::directory::AmsDirectory;
use crate::edits::Edit;
use crate::failure::{self, Repeat};
use crate::http::{AvatarFile, Endpoint, Payload};
use crate::wire::{SearchUser, UploadStatusReply};

/// How one file fared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AvatarStatus {
    /// Uploaded and attached to the user's profile.
    Success,
    /// Not attached; the row's `reason` says why.
    Failed,
}

/// One row of an avatar upload's report, one per file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvatarResult {
    /// The user's key value the file was given for.
    pub user_key: String,
    /// The file's name, without its directory.
    pub file_name: String,
    /// The matched user's id, once matched.
    pub user_id: Option<String>,
    /// The uploaded file's id, once uploaded.
    pub file_id: Option<String>,
    /// The name the server gave the file, once uploaded.
    pub server_file_name: Option<String>,
    /// `SUCCESS` or `FAILED`.
    pub status: AvatarStatus,
    /// Why it failed; `None` on success.
    pub reason: Option<String>,
}

impl AvatarResult {
    fn new(row: &AvatarRow) -> Self {
        Self {
            user_key: row.user_key.clone(),
            file_name: row.file_name.clone(),
            user_id: None,
            file_id: None,
            server_file_name: None,
            status: AvatarStatus::Failed,
            reason: None,
        }
    }

    /// Blanks `secrets` out of every text the site supplied: a site could echo a credential
    /// back as a file id or name, and reports never quote one.
    fn scrub(&mut self, secrets: &[&str]) {
        for text in [
            &mut self.file_id,
            &mut self.server_file_name,
            &mut self.reason,
        ] {
            if let Some(value) = text.take() {
                *text = Some(failure::scrub(value, secrets));
            }
        }
    }

    fn fail(&mut self, reason: impl Into<String>) {
        self.status = AvatarStatus::Failed;
        self.reason = Some(reason.into());
    }
}

/// Key kinds a usersearch projection can match files on.
fn supported(key: &UserKeyKind) -> bool {
    match key {
        UserKeyKind::Username | UserKeyKind::Email | UserKeyKind::Id => true,
        UserKeyKind::Attribute(name) => name == "uuid" || name == "about",
    }
}

/// The value a projected user has for `key`.
fn key_value(user: &SearchUser, key: &UserKeyKind) -> Option<String> {
    match key {
        UserKeyKind::Username => user.username.clone(),
        UserKeyKind::Email => user.email.clone(),
        UserKeyKind::Id => Some(user.user_id.to_string()),
        UserKeyKind::Attribute(name) if name == "uuid" => user.uuid.clone(),
        UserKeyKind::Attribute(_) => match (&user.first_name, &user.last_name) {
            (Some(first), Some(last)) => Some(format!("{first} {last}")),
            _ => None,
        },
    }
}

/// Usernames and emails compare without regard to case, as AMS does.
fn key_matches(user: &SearchUser, key: &UserKeyKind, wanted: &str) -> bool {
    let Some(value) = key_value(user, key) else {
        return false;
    };
    match key {
        UserKeyKind::Username | UserKeyKind::Email => value.eq_ignore_ascii_case(wanted.trim()),
        _ => value == wanted.trim(),
    }
}

impl AmsDirectory {
    /// Uploads profile pictures and attaches each to its user, keeping every other profile
    /// field. Files are matched to users by `key` (username, email, id, `uuid` or `about`).
    ///
    /// Returns one row per file, in source order. A file that is not a PNG or JPEG, a missing
    /// file, an unknown user or a failed upload or attach is a `FAILED` row, not an error;
    /// errors are kept for an unsupported key, an unreadable directory and a failed user
    /// lookup.
    pub async fn upload_avatars(
        &self,
        source: AvatarSource,
        key: UserKeyKind,
    ) -> Result<Vec<AvatarResult>> {
        self.avatars(&source, &key)
            .await
            .map_err(|error| self.tag(error, Operation::UploadAvatar))
    }

    async fn avatars(&self, source: &AvatarSource, key: &UserKeyKind) -> Result<Vec<AvatarResult>> {
        if !supported(key) {
            return Err(DirectoryError::invalid(
                Some("user_key"),
                format!("avatars match users by username, email, id, uuid or about, not {key}"),
            ));
        }
        let rows = avatar_files::rows(source)?;
        let mut results: Vec<AvatarResult> = rows.iter().map(AvatarResult::new).collect();
        let mut ready: Vec<(usize, AvatarFile)> = Vec::new();
        for (index, row) in rows.iter().enumerate() {
            match avatar_files::load(row) {
                Ok(file) => ready.push((index, file)),
                Err(reason) => results[index].fail(reason),
            }
        }
        if ready.is_empty() {
            return Ok(results);
        }
        let people = self.search(&[]).await?;
        ready.retain(|(index, _)| {
            let result = &mut results[*index];
            let matches: Vec<&SearchUser> = people
                .iter()
                .filter(|user| key_matches(user, key, &result.user_key))
                .collect();
            match matches.as_slice() {
                [user] => {
                    result.user_id = Some(user.user_id.to_string());
                    true
                }
                [] => {
                    result.fail(format!("User not found for {key} value"));
                    false
                }
                many => {
                    result.fail(format!("{} users match {key} value", many.len()));
                    false
                }
            }
        });
        // Every upload first, then every attach, as the reference client does.
        let mut uploaded = Vec::new();
        for (index, file) in &ready {
            match self.upload_one(file).await {
                Ok((file_id, server_name)) => {
                    results[*index].file_id = Some(file_id);
                    results[*index].server_file_name = Some(server_name);
                    uploaded.push(*index);
                }
                Err(error) => results[*index].fail(format!("Upload failed: {error}")),
            }
        }
        for index in uploaded {
            let result = &mut results[index];
            let user_id = result.user_id.clone().unwrap_or_default();
            let edit = Edit {
                key: "avatarId",
                value: serde_json::Value::String(result.file_id.clone().unwrap_or_default()),
            };
            match self.edit_person(&user_id, &[edit]).await {
                Ok(_) => {
                    result.status = AvatarStatus::Success;
                    result.reason = None;
                }
                Err(error) => result.fail(error.to_string()),
            }
        }
        let session = self.transport.session().await?;
        let secrets = self.transport.secrets(&session);
        for result in &mut results {
            result.scrub(&secrets);
        }
        Ok(results)
    }

    /// One file: `/x/fileupload`, then `getUploadStatus` for its id and server name. The two
    /// must not interleave with another upload of the same session, so uploads take turns.
    async fn upload_one(&self, file: &AvatarFile) -> Result<(String, String)> {
        let _turn = self.upload_turn.lock().await;
        let session = self.transport.session().await?;
        if session.upload_token.is_none() {
            // The upload token comes with a login; a session without one needs a fresh login.
            self.transport.renew(&session).await?;
        }
        let endpoint = Endpoint {
            name: "fileupload",
            url: self.transport.urls().upload.clone(),
            repeat: Repeat::Unsafe,
        };
        let uploaded = self
            .transport
            .send(&endpoint, &Payload::Avatar(file))
            .await?;
        let reply: UploadStatusReply = self
            .transport
            .post_api(
                "v2/fileupload/getUploadStatus",
                &serde_json::json!({}),
                Repeat::Safe,
            )
            .await?;
        uploaded_file(
            reply,
            &file.file_name,
            &self.transport.secrets(&uploaded.session),
        )
    }
}

/// The file id and server name from a getUploadStatus reply, or why the upload failed (in
/// the site's words, without `secrets`).
fn uploaded_file(
    reply: UploadStatusReply,
    file_name: &str,
    secrets: &[&str],
) -> Result<(String, String)> {
    let status = reply.upload_status;
    if status.as_ref().and_then(|status| status.error) != Some(false) {
        let message = status
            .and_then(|status| status.message)
            .filter(|message| !message.is_empty())
            .map(|message| failure::scrub(message, secrets))
            .unwrap_or_else(|| "Unknown error".into());
        return Err(DirectoryError::invalid(
            Some("filedata"),
            format!("the site did not take '{file_name}': {message}"),
        ));
    }
    let file = reply
        .data
        .unwrap_or_default()
        .into_iter()
        .next()
        .and_then(|data| data.value);
    let id = file.as_ref().and_then(|file| match &file.id {
        Some(serde_json::Value::Number(id)) => Some(id.to_string()),
        Some(serde_json::Value::String(id)) if !id.is_empty() => Some(id.clone()),
        _ => None,
    });
    let Some(id) = id else {
        return Err(failure::decode(
            "fileupload/getUploadStatus",
            "no file id returned",
        ));
    };
    let name = file.and_then(|file| file.name).unwrap_or_default();
    Ok((id, name))
}
