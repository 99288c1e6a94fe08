//! The REDCap API calls this backend makes, each with the exact form of spec §5.1: the token,
//! `content`, an explicit `action`, `format=json`, `returnFormat=json`, then the payload.

use std::ops::ControlFlow;

use roster_core::Result;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::each_row::{each_row, Each};
use crate::reply::{self, Repeat};
use crate::transport::{RawReply, Transport};

/// What a call is about (`content`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Content {
    User,
    UserRole,
    UserRoleMapping,
    Dag,
    UserDagMapping,
}

impl Content {
    fn as_str(self) -> &'static str {
        match self {
            Content::User => "user",
            Content::UserRole => "userRole",
            Content::UserRoleMapping => "userRoleMapping",
            Content::Dag => "dag",
            Content::UserDagMapping => "userDagMapping",
        }
    }

    /// What the rows of its export are, for decode errors.
    fn rows(self) -> &'static str {
        match self {
            Content::User => "user export",
            Content::UserRole => "role export",
            Content::UserRoleMapping => "user-role mapping export",
            Content::Dag => "DAG export",
            Content::UserDagMapping => "user-DAG mapping export",
        }
    }
}

/// The calls, over one site's transport.
pub(crate) struct Api {
    transport: Transport,
}

impl Api {
    pub(crate) fn new(transport: Transport) -> Self {
        Self { transport }
    }

    /// Every row of an export, parsed. Exports are read-only, so always safe to repeat.
    pub(crate) async fn export<T: DeserializeOwned + Send>(
        &self,
        content: Content,
    ) -> Result<Vec<T>> {
        let mut rows = Vec::new();
        self.export_each(content, &mut |row| {
            rows.push(row);
            ControlFlow::Continue(())
        })
        .await?;
        Ok(rows)
    }

    /// One export, its rows handed to `each` as they are decoded from the body, so the rows
    /// are never all held at once; `Break` stops handing them over.
    pub(crate) async fn export_each<T: DeserializeOwned>(
        &self,
        content: Content,
        each: &mut Each<'_, T>,
    ) -> Result<()> {
        let body = self.export_raw(content, "json").await?;
        self.each_exported_row(content, &body, each)
    }

    /// Hands each row of the JSON export `body` of `content` to `each` as it is decoded.
    pub(crate) fn each_exported_row<T: DeserializeOwned>(
        &self,
        content: Content,
        body: &str,
        each: &mut Each<'_, T>,
    ) -> Result<()> {
        each_row(body, each).map_err(|error| {
            // Serde quotes the values it could not read: excerpt its message like the body.
            reply::decode_error(format!(
                "the {} is not a JSON array of rows ({}): {}",
                content.rows(),
                self.transport.excerpt(&error.to_string()),
                self.transport.excerpt(body)
            ))
        })
    }

    /// An export in `format` (`json`, `csv` or `xml`), as the server wrote it.
    pub(crate) async fn export_raw(&self, content: Content, format: &str) -> Result<String> {
        let form = [
            ("token", self.transport.token()),
            ("content", content.as_str()),
            ("action", "export"),
            ("format", format),
            ("returnFormat", "json"),
        ];
        self.send(&form, Repeat::Safe).await
    }

    /// Imports `rows` (compact JSON) and returns the count the server reports.
    pub(crate) async fn import<R: Serialize>(
        &self,
        content: Content,
        rows: &[R],
        repeat: Repeat,
    ) -> Result<usize> {
        let data = serde_json::to_string(rows)
            .map_err(|error| reply::decode_error(format!("could not encode the rows: {error}")))?;
        let form = [
            ("token", self.transport.token()),
            ("content", content.as_str()),
            ("action", "import"),
            ("format", "json"),
            ("returnFormat", "json"),
            ("data", data.as_str()),
        ];
        let body = self.send(&form, repeat).await?;
        let count = self.count(&body)?;
        if count != rows.len() {
            tracing::warn!(
                content = content.as_str(),
                sent = rows.len(),
                counted = count,
                "the server counted another number of rows than were sent"
            );
        }
        Ok(count)
    }

    /// Deletes `names`, sent as `list[0]`, `list[1]`, … (`users`, `roles` or `dags`). A delete
    /// that may have happened is not repeated blindly.
    pub(crate) async fn delete(
        &self,
        content: Content,
        list: &str,
        names: &[String],
    ) -> Result<usize> {
        let keys: Vec<String> = (0..names.len()).map(|i| format!("{list}[{i}]")).collect();
        let mut form = vec![
            ("token", self.transport.token()),
            ("content", content.as_str()),
            ("action", "delete"),
            ("format", "json"),
            ("returnFormat", "json"),
        ];
        form.extend(
            keys.iter()
                .map(String::as_str)
                .zip(names.iter().map(String::as_str)),
        );
        let body = self.send(&form, Repeat::Unsafe).await?;
        let count = self.count(&body)?;
        if count != names.len() {
            tracing::warn!(
                content = content.as_str(),
                sent = names.len(),
                counted = count,
                "the server counted another number of deletes than names were sent"
            );
        }
        Ok(count)
    }

    /// Switches the token's user to `dag` (`""` = no DAG).
    pub(crate) async fn switch_dag(&self, dag: &str) -> Result<()> {
        let form = [
            ("token", self.transport.token()),
            ("content", Content::Dag.as_str()),
            ("action", "switch"),
            ("format", "json"),
            ("returnFormat", "json"),
            ("dag", dag),
        ];
        let body = self.send(&form, Repeat::Safe).await?;
        self.count(&body).map(drop)
    }

    /// Posts and returns the body of a successful reply; an error in any of the forms of
    /// spec §5.2 rules 1-3 becomes a `DirectoryError`.
    async fn send(&self, form: &[(&str, &str)], repeat: Repeat) -> Result<String> {
        let reply: RawReply = self.transport.post(form, repeat).await?;
        // The form's second and third fields are `content` and `action`; the first, the
        // token, is never logged.
        tracing::debug!(
            content = form.get(1).map(|field| field.1),
            action = form.get(2).map(|field| field.1),
            status = reply.status,
            bytes = reply.body.len(),
            "REDCap API call"
        );
        if reply.status != 200 {
            return Err(self.transport.status_error(&reply, repeat));
        }
        if let Some(message) = reply::reported_error(&reply.body) {
            return Err(reply::ok_status_error(self.transport.excerpt(&message)));
        }
        Ok(reply.body)
    }

    /// Spec §5.2 rule 4: imports, deletes and switches answer with a bare decimal count.
    fn count(&self, body: &str) -> Result<usize> {
        body.trim().parse().map_err(|_| {
            reply::decode_error(format!(
                "expected a count, got: {}",
                self.transport.excerpt(body)
            ))
        })
    }
}
