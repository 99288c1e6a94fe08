//! The user export as the server writes it, for callers who want REDCap's own JSON, CSV or
//! XML (what PyCap's `export_users(format_type=…)` returns).

use std::fmt;

use roster_core::{Operation, Result};
use serde::{Deserialize, Serialize};

use crate::api::Content;
use crate::directory::RedcapDirectory;

/// A format REDCap exports in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// An array of objects, rights as integers.
    Json,
    /// A header row, then one row per user; form rights flattened as `form:right,…`.
    Csv,
    /// `<users><item>…</item></users>`.
    Xml,
}

impl ExportFormat {
    /// The `format` value sent.
    pub fn as_str(&self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
            ExportFormat::Xml => "xml",
        }
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl RedcapDirectory {
    /// The user export in `format`, unparsed: the body exactly as the server sent it (the size
    /// cap still applies). Errors still come back as JSON, so they are recognised.
    pub async fn export_users_raw(&self, format: ExportFormat) -> Result<String> {
        self.api
            .export_raw(Content::User, format.as_str())
            .await
            .map_err(self.fail(Operation::ListUsers))
    }
}
