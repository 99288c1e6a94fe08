//! The directory a `/user/save` simulator holds: users, groups (feeds), group types and
//! memberships as wire objects in the profile's field names, plus the site's credentials.
//! The same structure is the state-file and dump format.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// A stored wire object and its position in creation order (the listing order and what a
/// cursor points at).
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Creation order, unique within its collection.
    pub seq: u64,
    /// The object, keys in the profile's names.
    pub obj: Map<String, Value>,
}

/// Who may call the site.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Access {
    /// Organization (customer) id.
    pub customer_id: String,
    /// Known instances (sites inside the organization).
    pub instances: Vec<String>,
    /// OAuth applications `(client_id, client_secret)`.
    pub clients: Vec<(String, String)>,
    /// The user the credentials act for.
    pub acting_user_email: String,
    /// Token accepted by a `static_bearer` profile.
    pub static_token: String,
    /// Username for a `basic` profile.
    pub basic_username: String,
    /// Password for a `basic` profile.
    pub basic_password: String,
}

/// The whole directory of one simulated organization.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Store {
    /// Credentials.
    pub access: Access,
    /// Users in creation order.
    #[serde(with = "records")]
    pub users: Vec<Record>,
    /// Groups (feeds) in creation order.
    #[serde(with = "records")]
    pub groups: Vec<Record>,
    /// Group (feed) types in creation order.
    #[serde(with = "records", default)]
    pub group_types: Vec<Record>,
    /// Explicit members per group id (built-in groups hold everyone implicitly).
    #[serde(default)]
    pub members: BTreeMap<String, BTreeSet<String>>,
    /// Next id to hand out (16-digit decimal).
    pub next_id: u64,
    /// Next creation-order position.
    #[serde(default)]
    pub next_seq: u64,
}

impl Store {
    /// A fresh id, as a 16-digit decimal string.
    pub fn new_id(&mut self) -> String {
        let id = self.next_id;
        self.next_id += 1;
        id.to_string()
    }

    /// A fresh creation-order position.
    pub fn new_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// Makes `next_seq` / `next_id` larger than anything loaded.
    pub fn normalise(&mut self) {
        let max_seq = self
            .users
            .iter()
            .chain(&self.groups)
            .chain(&self.group_types)
            .map(|r| r.seq + 1)
            .max();
        self.next_seq = self.next_seq.max(max_seq.unwrap_or(0));
    }
}

/// Records are written as a plain list of objects; positions come from the order.
mod records {
    use super::*;

    pub fn serialize<S: Serializer>(records: &[Record], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(records.iter().map(|r| &r.obj))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Record>, D::Error> {
        let list = Vec::<Map<String, Value>>::deserialize(d)?;
        Ok(list
            .into_iter()
            .enumerate()
            .map(|(i, obj)| Record { seq: i as u64, obj })
            .collect())
    }
}
