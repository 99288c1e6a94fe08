//! Field names of users and groups on the wire, and how they map to the canonical model.

use serde::Deserialize;
use serde_json::Value;

use crate::OrderedMap;

/// How a user object is spelled on the wire.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserFields {
    /// Candidate id fields, the first present wins (LumApps: `id`, then `uid`).
    #[serde(default = "default_id_fields")]
    pub id: Vec<String>,
    pub email: String,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    /// Absent: the platform has no username apart from the e-mail.
    #[serde(default)]
    pub username: Option<String>,
    /// A text status field with an active and an inactive value; absent status = active.
    #[serde(default)]
    pub status_field: Option<String>,
    #[serde(default)]
    pub active_value: Option<String>,
    #[serde(default)]
    pub inactive_value: Option<String>,
    /// A boolean active field instead of a status field.
    #[serde(default)]
    pub active_field: Option<String>,
    /// The boolean field means "inactive" (e.g. `disabled: true`).
    #[serde(default)]
    pub invert: bool,
    /// Fields that all carry the password on create (LumApps: `password`, `rePassword`).
    #[serde(default)]
    pub password_fields: Vec<String>,
    /// Fields every create carries unless the new user sets them; placeholders allowed.
    #[serde(default)]
    pub create_defaults: OrderedMap<Value>,
    /// Query parameters on every user listing (LumApps: `showHidden=true`).
    #[serde(default)]
    pub list_constant_params: OrderedMap<String>,
    /// One listing pass per value of the status field; empty = one unfiltered pass.
    #[serde(default)]
    pub list_status_passes: Vec<String>,
    /// Canonical attribute → wire field; a trailing `!` marks a read-only field.
    #[serde(default)]
    pub attributes: OrderedMap<String>,
}

/// How a group object is spelled on the wire.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupFields {
    #[serde(default = "default_id_fields")]
    pub id: Vec<String>,
    #[serde(default = "default_name_field")]
    pub name: String,
    /// The create body as a template, in order: `{name}`, `{slug}`, `{group_type}`,
    /// `{customer_id}`, `{instance_id}` are filled in; the name field is added when absent.
    #[serde(default)]
    pub create_defaults: OrderedMap<Value>,
    /// Canonical attribute → wire field; a trailing `!` marks a read-only field.
    #[serde(default)]
    pub attributes: OrderedMap<String>,
    /// Built-in groups: never reported, never written.
    #[serde(default)]
    pub implicit: Option<ImplicitGroups>,
}

/// Groups recognised as built-in by the value of one field.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImplicitGroups {
    pub field: String,
    pub values: Vec<String>,
}

/// A mapped attribute: its wire field and whether it may be written.
pub(crate) struct AttributeField<'a> {
    pub wire: &'a str,
    pub read_only: bool,
}

/// Splits a profile attribute spelling (`"fullName!"`) into field and read-only flag.
pub(crate) fn attribute_field(spelling: &str) -> AttributeField<'_> {
    match spelling.strip_suffix('!') {
        Some(wire) => AttributeField {
            wire,
            read_only: true,
        },
        None => AttributeField {
            wire: spelling,
            read_only: false,
        },
    }
}

fn default_id_fields() -> Vec<String> {
    vec!["id".into()]
}

fn default_name_field() -> String {
    "name".into()
}
