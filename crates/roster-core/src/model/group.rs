use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A group as a site reports it (an AMS group, a REDCap DAG, a Periscope group, a LumApps feed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// The group's name, its identity across platforms.
    pub name: String,
    /// The backend-native id, where the platform has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Platform fields: Periscope `access`, REDCap `unique_group_name`, LumApps `feed_type`, …
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, Value>,
}

/// A group to create.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewGroup {
    /// The group's name.
    pub name: String,
    /// Platform fields the group is created with (Periscope `access`, …).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, Value>,
}

impl NewGroup {
    /// A group with just a name.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            attributes: BTreeMap::new(),
        }
    }
}
