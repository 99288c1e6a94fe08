//! User reads and writes: `GET|POST|PUT|DELETE /api/v1/users`, the user selected by the
//! `HTTP-X-EMAIL` header.

use reqwest::Method;
use roster_core::{
    Change, DirectoryError, ErrorKind, NewUser, Operation, Result, User, UserPatch, UserSink,
};

use crate::directory::PeriscopeDirectory;
use crate::errors::{decode_error, Repeat};
use crate::http::{Call, Reply};
use crate::mapping::user_from_wire;
use crate::pages::PageCursor;
use crate::wire::{each_in_page, entity, to_body, CreateUserBody, UpdateUserBody, WireUser};

impl PeriscopeDirectory {
    /// `GET /api/v1/users` with `HTTP-X-EMAIL`; `None` on `404`.
    pub(crate) async fn fetch_user(&self, email: &str) -> Result<Option<User>> {
        let call = Call {
            method: Method::GET,
            url: self.site.endpoints.users_read(None)?,
            email: Some(email),
            body: None,
            kind: self.read_kind(email),
        };
        let Some(reply) = self.site.http.lookup(call).await? else {
            return Ok(None);
        };
        let wire = entity::<WireUser>(&reply.body)
            .ok_or_else(|| decode_error("expected a user object"))?;
        Ok(Some(user_from_wire(wire, &self.site.settings)))
    }

    /// Hands every user to `sink` as it is decoded, following `next_page_start` while the site
    /// sends one; a page's body is the only thing held while it is read.
    pub(crate) async fn each_listed_user(&self, sink: &mut dyn UserSink) -> Result<()> {
        let mut cursor = PageCursor::new("user");
        loop {
            let call = Call {
                method: Method::GET,
                url: self.site.endpoints.users_read(cursor.token())?,
                email: None,
                body: None,
                kind: self.read_kind("users"),
            };
            let reply = self.site.http.send(call).await?;
            let (mut handed_over, mut stopped) = (0, false);
            let settings = &self.site.settings;
            let token = each_in_page::<WireUser>(&reply.body, &mut |wire| {
                handed_over += 1;
                let flow = sink.accept(user_from_wire(wire, settings));
                stopped = flow.is_break();
                flow
            })
            .map_err(|message| self.site.http.undecodable(message))?;
            drop(reply);
            if stopped {
                return Ok(());
            }
            let more = cursor
                .advance(handed_over, token)
                .map_err(|message| self.site.http.undecodable(message))?;
            if !more {
                return Ok(());
            }
        }
    }

    /// `POST /api/v1/users`.
    pub(crate) async fn send_create_user(&self, user: &NewUser) -> Result<User> {
        if user.password.is_some() {
            return Err(DirectoryError::new(ErrorKind::Unsupported {
                operation: "password".into(),
            }));
        }
        if user.active == Some(false) {
            return Err(DirectoryError::new(ErrorKind::Unsupported {
                operation: "deactivate_user".into(),
            }));
        }
        refuse_attributes(user.attributes.keys())?;
        let email = user
            .email
            .as_deref()
            .filter(|email| !email.trim().is_empty())
            .ok_or_else(|| {
                DirectoryError::invalid(Some("email"), "a Periscope user needs an e-mail")
            })?;
        let invited_by_email = self
            .site
            .settings
            .invited_by_email
            .as_deref()
            .ok_or_else(|| {
                DirectoryError::config("periscope `invited_by_email`: required to create users")
            })?;
        let groups: Vec<&str> = user
            .groups
            .iter()
            .map(String::as_str)
            .filter(|group| !self.site.settings.is_implicit(group))
            .collect();
        let body = CreateUserBody {
            email,
            first_name: user.first_name.as_deref(),
            last_name: user.last_name.as_deref(),
            groups: groups.clone(),
            invited_by_email,
        };
        let call = Call {
            method: Method::POST,
            url: self.site.endpoints.users_write(self.is_test_mode())?,
            email: None,
            body: Some(to_body(&body)),
            kind: self.write_kind(email, Repeat::Unsafe, true),
        };
        let reply = self.site.http.send(call).await?;
        if let Some(created) = self.user_in(&reply) {
            return Ok(created);
        }
        if self.is_test_mode() {
            // Nothing was saved, so there is nothing to read back: report what was sent.
            return Ok(User {
                id: email.to_owned(),
                email: Some(email.to_owned()),
                first_name: user.first_name.clone(),
                last_name: user.last_name.clone(),
                groups: Some(groups.into_iter().map(str::to_owned).collect()),
                ..User::default()
            });
        }
        self.reread(email).await
    }

    /// `PUT /api/v1/users` with only the fields the patch changes.
    pub(crate) async fn send_update_user(&self, id: &str, patch: &UserPatch) -> Result<User> {
        let (first_name, last_name) = updatable_names(id, patch)?;
        let body = UpdateUserBody {
            first_name,
            last_name,
            groups: None,
        };
        if body.is_empty() {
            // Nothing to send; the update still answers with the user, or NotFound.
            return self
                .fetch_user(id)
                .await?
                .ok_or_else(|| DirectoryError::not_found(id));
        }
        let reply = self.put_user(id, &body).await?;
        if let Some(updated) = self.user_in(&reply) {
            return Ok(updated);
        }
        if self.is_test_mode() {
            let mut current = self
                .fetch_user(id)
                .await?
                .ok_or_else(|| DirectoryError::not_found(id))?;
            patch.first_name.apply_to(&mut current.first_name);
            patch.last_name.apply_to(&mut current.last_name);
            return Ok(current);
        }
        self.reread(id).await
    }

    /// `PUT /api/v1/users` for the user `id` with `body`.
    pub(crate) async fn put_user(&self, id: &str, body: &UpdateUserBody<'_>) -> Result<Reply> {
        let call = Call {
            method: Method::PUT,
            url: self.site.endpoints.users_write(self.is_test_mode())?,
            email: Some(id),
            body: Some(to_body(body)),
            kind: self.write_kind(id, Repeat::Safe, false),
        };
        self.site.http.send(call).await
    }

    /// `DELETE /api/v1/users`.
    pub(crate) async fn send_delete_user(&self, id: &str) -> Result<()> {
        let call = Call {
            method: Method::DELETE,
            url: self.site.endpoints.users_write(self.is_test_mode())?,
            email: Some(id),
            body: None,
            kind: self.write_kind(id, Repeat::Safe, false),
        };
        self.site.http.send(call).await.map(drop)
    }

    /// The user a write answered with, if its body is one.
    fn user_in(&self, reply: &Reply) -> Option<User> {
        entity::<WireUser>(&reply.body).map(|wire| user_from_wire(wire, &self.site.settings))
    }

    /// Reads back a user a write answered without.
    async fn reread(&self, email: &str) -> Result<User> {
        self.fetch_user(email).await?.ok_or_else(|| {
            decode_error(format!(
                "the write was answered without the user, and {email} cannot be read back"
            ))
        })
    }
}

/// The name fields a patch sets (`""` clears one); every other field is refused, since a
/// Periscope user has no username, no active flag, a fixed e-mail and read-only attributes.
fn updatable_names<'a>(
    id: &str,
    patch: &'a UserPatch,
) -> Result<(Option<&'a str>, Option<&'a str>)> {
    if !patch.active.is_leave() {
        return Err(DirectoryError::new(ErrorKind::Unsupported {
            operation: "deactivate_user".into(),
        })
        .in_operation(Operation::UpdateUser));
    }
    if !patch.username.is_leave() {
        return Err(DirectoryError::invalid(
            Some("username"),
            "Periscope users have no username",
        ));
    }
    match &patch.email {
        Change::Leave => {}
        Change::Set(email) if email.eq_ignore_ascii_case(id) => {}
        _ => return Err(DirectoryError::invalid(
            Some("email"),
            "the e-mail is the user's identity and cannot be changed; delete and create instead",
        )),
    }
    refuse_attributes(
        patch
            .attributes
            .iter()
            .filter(|(_, change)| !change.is_leave())
            .map(|(name, _)| name),
    )?;
    let text = |change: &'a Change<String>| match change {
        Change::Leave => None,
        Change::Set(value) => Some(value.as_str()),
        Change::Clear => Some(""),
    };
    Ok((text(&patch.first_name), text(&patch.last_name)))
}

/// Attributes are read-only on Periscope: refuse any write of one, before sending.
fn refuse_attributes<'a>(mut names: impl Iterator<Item = &'a String>) -> Result<()> {
    match names.next() {
        None => Ok(()),
        Some(name) => Err(DirectoryError::invalid(
            Some(name),
            "Periscope user attributes are read-only",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_sends_only_the_names_it_changes() {
        let patch = UserPatch {
            first_name: Change::Set("Ann".into()),
            last_name: Change::Clear,
            email: Change::Set("ANN@example.com".into()),
            ..UserPatch::default()
        };
        assert_eq!(
            updatable_names("ann@example.com", &patch).unwrap(),
            (Some("Ann"), Some(""))
        );
        assert_eq!(
            updatable_names("ann@example.com", &UserPatch::default()).unwrap(),
            (None, None)
        );
    }

    #[test]
    fn fields_periscope_cannot_write_are_refused() {
        let refused = |patch: UserPatch| updatable_names("ann@example.com", &patch).unwrap_err();
        assert!(matches!(
            refused(UserPatch::deactivate()).kind(),
            ErrorKind::Unsupported { .. }
        ));
        let rename = UserPatch {
            email: Change::Set("other@example.com".into()),
            ..UserPatch::default()
        };
        assert!(matches!(
            refused(rename).kind(),
            ErrorKind::Invalid { field: Some(field), .. } if field == "email"
        ));
        let attribute = UserPatch {
            attributes: [("uuid".to_owned(), Change::Clear)].into_iter().collect(),
            ..UserPatch::default()
        };
        assert!(matches!(
            refused(attribute).kind(),
            ErrorKind::Invalid { field: Some(field), .. } if field == "uuid"
        ));
    }
}
