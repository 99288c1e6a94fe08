//! Writes: create (`id "-1"`) and read-modify-write updates through person/save
//! (spec §5.3–§5.5).

use roster_core::{DirectoryError, NewUser, Result, User, UserPatch};
use secrecy::ExposeSecret;

use crate::directory::AmsDirectory;
use crate::edits::{self, Edit};
use crate::failure::{self, Repeat};
use crate::person;
use crate::record::PersonRecord;
use crate::wire::SaveBody;

const SAVE: &str = "v2/person/save";

impl AmsDirectory {
    /// Creates a person; refused before sending when AMS would lack a required field.
    /// A create is never safe to repeat blindly, so failures after sending are Ambiguous.
    pub(crate) async fn create(&self, user: &NewUser) -> Result<User> {
        let password = user.password.as_ref().ok_or_else(|| {
            DirectoryError::invalid(Some("password"), "is required to create an AMS user")
        })?;
        let person = edits::new_person(user, password.expose_secret())?;
        // The site may quote the new password back, in an error or a reply.
        let saved: PersonRecord = self
            .transport
            .post_api(SAVE, &SaveBody { person }, Repeat::Unsafe)
            .await
            .map_err(|error| failure::scrub_error(error, &[password.expose_secret()]))?;
        if saved.get::<i64>("id").is_none() {
            return Err(failure::decode(
                "person/save",
                "the reply has no integer id",
            ));
        }
        person::to_user(&saved, None)
    }

    /// Changes the fields `patch` names and keeps every other field.
    pub(crate) async fn update(&self, id: &str, patch: &UserPatch) -> Result<User> {
        let edits = edits::patch_edits(patch)?;
        self.edit_person(id, &edits).await
    }

    /// Reads ahead the records of the people `ids` names (ids that are not numbers name no
    /// one and are left to their update, which reports them missing).
    pub(crate) async fn read_records_ahead(&self, ids: &[String]) -> Result<()> {
        let mut numeric: Vec<i64> = ids.iter().filter_map(|id| id.trim().parse().ok()).collect();
        numeric.sort_unstable();
        numeric.dedup();
        if !numeric.is_empty() {
            self.read_ahead.keep(self.person_records(&numeric).await?);
        }
        Ok(())
    }

    /// Read-modify-write of one person: the record read ahead for it, else person/get; the
    /// edits applied to the record exactly as returned; person/save of the whole record. Safe
    /// to repeat: it carries absolute values (a repeat reads afresh). With no edits nothing is
    /// saved. The user returned has no `groups` (not read here).
    pub(crate) async fn edit_person(&self, id: &str, edits: &[Edit]) -> Result<User> {
        let missing = || DirectoryError::not_found(format!("user id {id}"));
        let numeric: i64 = id.trim().parse().map_err(|_| missing())?;
        let mut record = match self.read_ahead.take(numeric) {
            Some(record) => record,
            None => self
                .person_records(&[numeric])
                .await?
                .into_iter()
                .find(|record| record.id() == Some(numeric))
                .ok_or_else(missing)?,
        };
        if edits.is_empty() {
            return person::to_user(&record, None);
        }
        for edit in edits {
            record.set(edit.key, &edit.value);
        }
        let body = SaveBody {
            person: record.into_save_form(),
        };
        let saved: PersonRecord = self.transport.post_api(SAVE, &body, Repeat::Safe).await?;
        if saved.get::<i64>("id") != Some(numeric) {
            return Err(failure::decode(
                "person/save",
                format!("the reply is not person {numeric}"),
            ));
        }
        for edit in edits.iter().filter(|edit| !edits::reads_back(&saved, edit)) {
            tracing::warn!(
                site = %self.describe_site(),
                user_id = numeric,
                field = edit.key,
                "AMS saved a different value than the one sent"
            );
        }
        person::to_user(&saved, None)
    }
}
