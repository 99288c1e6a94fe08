//! Membership writes: adds and removes for one group in as few calls as the batch size allows;
//! an unknown user is reported on its own while the rest of the batch is applied.

use std::collections::BTreeMap;

use roster_core::{DirectoryError, ErrorKind, Operation, Result};
use serde_json::Value;

use super::requests::{needed, with_body};
use super::UsersaveDirectory;
use crate::errors;
use crate::http::Reply;
use crate::ordered_map::WireObject;
use crate::profile::{Endpoint, MemberRef, MembershipEndpoint};
use crate::users;

/// One user to add or remove.
#[derive(Clone, Debug)]
struct Entry {
    add: bool,
    /// What the body lists (id or e-mail, per the profile).
    reference: String,
    /// The canonical id, for the report.
    user_id: String,
}

impl UsersaveDirectory {
    pub(super) async fn set_membership_inner(
        &self,
        group: &str,
        add: &[String],
        remove: &[String],
    ) -> Result<()> {
        let endpoint = needed(&self.profile.endpoints.membership, Operation::SetMembership)?;
        if add.is_empty() && remove.is_empty() {
            return Ok(());
        }
        let group = self.find_writable_group(group).await?;
        let mut failed = BTreeMap::new();
        let entries = self.entries(endpoint, add, remove, &mut failed).await?;
        for chunk in entries.chunks(endpoint.max_batch) {
            self.send_chunk(endpoint, group.id(), chunk.to_vec(), &mut failed)
                .await?;
        }
        if failed.is_empty() {
            Ok(())
        } else {
            Err(DirectoryError::new(ErrorKind::Partial { failed }))
        }
    }

    /// Adds first, then removes, each as the profile refers to users. Users whose e-mail
    /// cannot be found (when the body lists e-mails) go straight to `failed`.
    async fn entries(
        &self,
        endpoint: &MembershipEndpoint,
        add: &[String],
        remove: &[String],
        failed: &mut BTreeMap<String, String>,
    ) -> Result<Vec<Entry>> {
        let sides = add
            .iter()
            .map(|id| (true, id))
            .chain(remove.iter().map(|id| (false, id)));
        let mut entries = Vec::with_capacity(add.len() + remove.len());
        for (is_add, id) in sides {
            let reference = match endpoint.member_ref {
                MemberRef::Id => id.clone(),
                MemberRef::Email => match self.email_of(id).await? {
                    Some(email) => email,
                    None => {
                        failed.insert(id.clone(), "user not found".into());
                        continue;
                    }
                },
            };
            entries.push(Entry {
                add: is_add,
                reference,
                user_id: id.clone(),
            });
        }
        Ok(entries)
    }

    async fn email_of(&self, id: &str) -> Result<Option<String>> {
        let endpoint = needed(&self.profile.endpoints.get_user, Operation::SetMembership)?;
        let object = self
            .fetch_optional(&self.request(endpoint, Some(id))?)
            .await?;
        Ok(object
            .map(|object| users::from_wire(&self.profile.user, &object))
            .transpose()?
            .and_then(|user| user.email))
    }

    /// Sends one chunk. When the server names an unknown user, that user is marked failed and
    /// the whole rest of the chunk is sent again: right whether the server applied the entries
    /// before the unknown one or nothing, since adds and removes are idempotent.
    async fn send_chunk(
        &self,
        endpoint: &MembershipEndpoint,
        group_id: &str,
        mut chunk: Vec<Entry>,
        failed: &mut BTreeMap<String, String>,
    ) -> Result<()> {
        // Each round removes one entry, so the loop ends after at most `chunk.len()` rounds.
        while !chunk.is_empty() {
            let target = Endpoint::plain(endpoint.method, &endpoint.path, None);
            let request = self.request(&target, Some(group_id))?;
            let body = chunk_body(endpoint, group_id, &chunk);
            // Adds and removes are idempotent: safe to repeat.
            let reply = self.api.send(&with_body(request, &body, true)).await?;
            if reply.is_success() {
                return Ok(());
            }
            let Some((reference, message)) = self.missing_member(endpoint, &reply) else {
                return Err(self.api.error(&reply, true));
            };
            let Some(index) = chunk
                .iter()
                .position(|entry| entry.reference.eq_ignore_ascii_case(&reference))
            else {
                // The server named someone this chunk did not send: do not guess.
                return Err(self.api.error(&reply, true));
            };
            let entry = chunk.remove(index);
            tracing::debug!(user = %entry.user_id, "membership: unknown user left out, resending the rest");
            failed.insert(entry.user_id, message);
        }
        Ok(())
    }

    /// The entry the server says is not a user, with the server's message.
    fn missing_member(
        &self,
        endpoint: &MembershipEndpoint,
        reply: &Reply,
    ) -> Option<(String, String)> {
        let rule = endpoint.missing_member.as_ref()?;
        if reply.status != rule.status {
            return None;
        }
        errors::messages(&reply.body, self.api.envelope)
            .into_iter()
            .find_map(|message| {
                let reference = message
                    .strip_prefix(&rule.message_prefix)?
                    .trim()
                    .to_owned();
                Some((reference, errors::excerpt(message.as_bytes())))
            })
    }
}

/// `{group_field: id, add_field: [...], remove_field: [...]}`, both lists always present.
fn chunk_body(endpoint: &MembershipEndpoint, group_id: &str, chunk: &[Entry]) -> WireObject {
    let list = |add: bool| {
        Value::Array(
            chunk
                .iter()
                .filter(|entry| entry.add == add)
                .map(|entry| Value::String(entry.reference.clone()))
                .collect(),
        )
    };
    let mut body = WireObject::new();
    if let Some(field) = &endpoint.group_field {
        body.insert(field.clone(), Value::String(group_id.to_owned()));
    }
    body.insert(endpoint.add_field.clone(), list(true));
    body.insert(endpoint.remove_field.clone(), list(false));
    body
}
