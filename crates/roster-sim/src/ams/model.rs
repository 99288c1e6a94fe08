//! The AMS data model: persons in the v2 (`person/get`) shape, groups, roles and login
//! accounts, plus the seed document that holds them all.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One person record, in the v2 key order of a recorded `person/get` object (the serialised
/// field order is the wire order). `password` is write-only: it is never serialised.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Person {
    pub active: bool,
    pub admin: bool,
    pub pending: bool,
    pub communication_preferences: Option<String>,
    /// `"0"` male, `"1"` female, `"2"` unspecified.
    pub sex: String,
    pub avatar_id: i64,
    pub id: i64,
    pub organisation_id: i64,
    pub owner_id: i64,
    pub plan: i64,
    pub state: i64,
    pub email_address: String,
    pub first_name: String,
    pub known_as: String,
    pub language: String,
    pub last_name: String,
    pub middle_names: String,
    pub sidebar_width: Option<String>,
    pub skype_name: Option<String>,
    pub timezone: Option<String>,
    pub username: String,
    pub uuid: Option<String>,
    pub addresses: Option<Vec<Address>>,
    pub favorite_dashboards: Option<Vec<Value>>,
    pub favorite_events: Option<Vec<Value>>,
    pub front_page_buttons: Option<Vec<Value>>,
    pub phone_numbers: Option<Vec<Phone>>,
    /// `DD/MM/YYYY`; `01/01/1970` means "never".
    pub account_expiration: String,
    /// `DD/MM/YYYY`.
    pub date_of_birth: String,
    #[serde(rename = "__mtime__")]
    pub mtime: i64,
    /// Only read from seed files; never written to a reply.
    #[serde(default, skip_serializing)]
    pub password: Option<String>,
}

impl Default for Person {
    /// The defaults a seed file may leave out: an active, never-expiring person.
    fn default() -> Self {
        Self {
            active: true,
            admin: false,
            pending: false,
            communication_preferences: None,
            sex: "2".into(),
            avatar_id: -1,
            id: 0,
            organisation_id: -1,
            owner_id: 0,
            plan: -1,
            state: -1,
            email_address: String::new(),
            first_name: String::new(),
            known_as: String::new(),
            language: "English".into(),
            last_name: String::new(),
            middle_names: String::new(),
            sidebar_width: None,
            skype_name: None,
            timezone: None,
            username: String::new(),
            uuid: None,
            addresses: None,
            favorite_dashboards: None,
            favorite_events: None,
            front_page_buttons: None,
            phone_numbers: None,
            account_expiration: "01/01/1970".into(),
            date_of_birth: "01/01/2000".into(),
            mtime: 0,
            password: None,
        }
    }
}

/// A phone entry, v2 key order `type, countryCode, number, prefix`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Phone {
    /// HOME 0, MOBILE 1, EMERGENCY 2, OTHER 4.
    #[serde(rename = "type")]
    pub kind: i64,
    pub country_code: String,
    pub number: String,
    pub prefix: String,
}

/// An address entry, v2 key order `type, address, city, country, postcode, suburb`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Address {
    /// PRIMARY 0, ALTERNATIVE 1.
    #[serde(rename = "type")]
    pub kind: i64,
    pub address: String,
    pub city: String,
    pub country: String,
    pub postcode: String,
    pub suburb: String,
}

/// A group with its athlete and coach members (person ids).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub athletes: Vec<i64>,
    #[serde(default)]
    pub coaches: Vec<i64>,
}

/// A role with the ids of the persons who hold it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Role {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub members: Vec<i64>,
}

/// The login reply flags of one person who can log in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginProfile {
    pub user_id: i64,
    #[serde(default = "yes")]
    pub is_athlete: bool,
    #[serde(default)]
    pub is_coach: bool,
    /// `None` = the recorded permission list.
    #[serde(default)]
    pub permissions: Option<Vec<String>>,
}

fn yes() -> bool {
    true
}

/// How the simulator answers a login with bad credentials (spec §6.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadLoginMode {
    /// `401` with an empty body (the default: best evidence).
    #[default]
    Unauthorized,
    /// `200` with a `session-header` and an rpc-exception body.
    RpcException,
}

/// A whole AMS site: the document `AmsSim::start_with_seed` takes and a state file holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmsSeed {
    /// The site name: the last segment of the site URL.
    pub site: String,
    #[serde(default = "default_application_id")]
    pub application_id: i64,
    /// Persons in the v2 shape; a person with a `password` can log in.
    pub persons: Vec<Person>,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Login flags per person; persons with a password and no entry get the defaults.
    #[serde(default)]
    pub logins: Vec<LoginProfile>,
    /// Passwords by username (case-insensitive), for persons who can log in. A person's own
    /// `password` field works too, but is never written out, so seeds written to a file
    /// keep their passwords here.
    #[serde(default)]
    pub passwords: std::collections::BTreeMap<String, String>,
    /// The username and password [`super::AmsCredentials`] reports.
    pub admin_username: String,
    pub admin_password: String,
    /// Test knobs (spec §6.2).
    #[serde(default)]
    pub knobs: AmsTestKnobs,
}

/// The simulator-only switches of spec §6.2.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmsTestKnobs {
    /// Fixed clock in epoch milliseconds; `None` = the system clock.
    #[serde(default)]
    pub fixed_clock_ms: Option<i64>,
    /// Seed of the token and upload-token generator.
    #[serde(default)]
    pub token_seed: u64,
    /// Session lifetime in seconds; `None` = sessions never expire.
    #[serde(default)]
    pub session_ttl_secs: Option<u64>,
    #[serde(default)]
    pub bad_login: BadLoginMode,
    /// Status of a `person/save` error reply: 400 (default) or 200.
    #[serde(default)]
    pub save_error_status: Option<u16>,
}

fn default_application_id() -> i64 {
    1044
}

/// The permission list of the recorded login reply.
pub const RECORDED_PERMISSIONS: &[&str] = &[
    "Calendar",
    "Enter Data For Group",
    "Reports",
    "Edit Athlete Accounts",
    "Import Data",
    "Enter Data",
    "Profile Data",
    "Athlete History",
    "Resources - Upload",
    "Import Profile Data",
    "Groups",
    "Enter Appointment",
    "Account Read",
    "Account Write",
    "Resources",
    "Reports - Export",
    "Accounts Audit Export",
];
