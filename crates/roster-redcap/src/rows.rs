//! The rows REDCap exports and imports (spec §2), decoded leniently: rights as ints or numeric
//! strings, `[]` as an empty map, unknown keys kept, version-dependent keys optional.

use std::collections::BTreeMap;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Rights and form rights by name.
pub(crate) type IntMap = BTreeMap<String, i64>;

/// One row of the user export (`content=user`).
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct UserRow {
    #[serde(deserialize_with = "text")]
    pub username: String,
    #[serde(default, deserialize_with = "text")]
    pub email: String,
    #[serde(default, deserialize_with = "text")]
    pub firstname: String,
    #[serde(default, deserialize_with = "text")]
    pub lastname: String,
    #[serde(default, deserialize_with = "text")]
    pub expiration: String,
    #[serde(default, deserialize_with = "text")]
    pub data_access_group: String,
    /// Read so that it is not taken for a right; the unique name is what roster uses.
    #[serde(default, rename = "data_access_group_id")]
    pub _data_access_group_id: Value,
    /// REDCap 16 and later; the DAG's label is a group attribute instead.
    #[serde(default, rename = "data_access_group_label")]
    pub _data_access_group_label: Value,
    #[serde(default, deserialize_with = "int_map")]
    pub forms: IntMap,
    #[serde(default, deserialize_with = "int_map")]
    pub forms_export: IntMap,
    /// The rights, and any key this version of the backend does not know.
    #[serde(flatten)]
    pub rest: BTreeMap<String, Value>,
}

impl UserRow {
    /// The integer rights of the row (role rights when the user is in a role).
    pub(crate) fn rights(&self) -> IntMap {
        self.rest
            .iter()
            .filter_map(|(name, value)| as_int(value).map(|right| (name.clone(), right)))
            .collect()
    }

    /// Keys that are neither known fields nor integer rights, kept as they came.
    pub(crate) fn unknown(&self) -> BTreeMap<String, Value> {
        self.rest
            .iter()
            .filter(|(_, value)| as_int(value).is_none())
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect()
    }
}

/// One row of the role export (`content=userRole`); rights come as strings there.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct RoleRow {
    #[serde(deserialize_with = "text")]
    pub unique_role_name: String,
    #[serde(default, deserialize_with = "text")]
    pub role_label: String,
    #[serde(default, deserialize_with = "int_map")]
    pub forms: IntMap,
    #[serde(default, deserialize_with = "int_map")]
    pub forms_export: IntMap,
    #[serde(flatten)]
    pub rest: BTreeMap<String, Value>,
}

/// One row of the user-role mapping export (`content=userRoleMapping`).
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct RoleMappingRow {
    #[serde(deserialize_with = "text")]
    pub username: String,
    #[serde(default, deserialize_with = "text")]
    pub unique_role_name: String,
}

/// One row of the DAG export (`content=dag`).
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct DagRow {
    #[serde(deserialize_with = "text")]
    pub data_access_group_name: String,
    #[serde(deserialize_with = "text")]
    pub unique_group_name: String,
    #[serde(default, deserialize_with = "text")]
    pub data_access_group_id: String,
}

/// One row of a user import. Every row carries `data_access_group`, because REDCap clears
/// the DAG of a user whose row omits it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct UserImportRow {
    pub username: String,
    pub expiration: String,
    pub data_access_group: String,
    #[serde(flatten)]
    pub rights: IntMap,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forms: Option<IntMap>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forms_export: Option<IntMap>,
}

/// One row of a user-role mapping import; `""` unassigns the role.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct RoleMappingImportRow {
    pub username: String,
    pub unique_role_name: String,
}

/// One row of a user-DAG mapping import; `""` unassigns the DAG.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct DagMappingImportRow {
    pub username: String,
    pub redcap_data_access_group: String,
}

/// One row of a DAG import: an empty unique name creates, an existing one renames.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct DagImportRow {
    pub data_access_group_name: String,
    pub unique_group_name: String,
}

/// One row of a role import: an empty unique name creates, an existing one updates.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct RoleImportRow {
    pub unique_role_name: String,
    pub role_label: String,
    #[serde(flatten)]
    pub rights: IntMap,
    #[serde(skip_serializing_if = "IntMap::is_empty")]
    pub forms: IntMap,
    #[serde(skip_serializing_if = "IntMap::is_empty")]
    pub forms_export: IntMap,
}

/// An integer from a JSON integer, a whole float or a numeric string; never from a boolean.
pub(crate) fn as_int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64().or_else(|| {
            number
                .as_f64()
                .filter(|float| float.fract() == 0.0)
                .map(|float| float as i64)
        }),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// Text from a string, a number (ids), or null (as `""`).
fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::String(text) => Ok(text),
        Value::Number(number) => Ok(number.to_string()),
        Value::Null => Ok(String::new()),
        other => Err(de::Error::custom(format!("expected text, got {other}"))),
    }
}

/// `{name: int}`, with numeric strings accepted and PHP's `[]` for an empty map.
fn int_map<'de, D: Deserializer<'de>>(deserializer: D) -> Result<IntMap, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Object(object) => object
            .into_iter()
            .map(|(name, value)| match as_int(&value) {
                Some(right) => Ok((name, right)),
                None => Err(de::Error::custom(format!(
                    "the right {name} is not an integer: {value}"
                ))),
            })
            .collect(),
        Value::Array(items) if items.is_empty() => Ok(IntMap::new()),
        Value::Null => Ok(IntMap::new()),
        // CSV-style "form_a:1,form_b:0", should a server flatten it in JSON too.
        Value::String(text) => text
            .split(',')
            .filter(|pair| !pair.trim().is_empty())
            .map(|pair| {
                let (name, right) = pair.split_once(':').unwrap_or((pair, ""));
                right
                    .trim()
                    .parse()
                    .map(|right| (name.trim().to_owned(), right))
                    .map_err(|_| de::Error::custom(format!("not a form right: {pair}")))
            })
            .collect(),
        other => Err(de::Error::custom(format!(
            "expected an object of rights, got {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_rows_decode_ints_strings_and_empty_maps() {
        let row: UserRow = serde_json::from_str(
            r#"{"username":"alice","email":"a@example.org","firstname":"Al","lastname":"Ice",
                "expiration":"","data_access_group":"test_dag","data_access_group_id":1,
                "design":1,"user_rights":"2","forms":[],"forms_export":{"form_1":"1"},
                "future_key":"text"}"#,
        )
        .expect("decode");
        assert_eq!(row.data_access_group, "test_dag");
        assert_eq!(
            row.rights(),
            IntMap::from([("design".into(), 1), ("user_rights".into(), 2)])
        );
        assert!(row.forms.is_empty());
        assert_eq!(row.forms_export, IntMap::from([("form_1".into(), 1)]));
        assert_eq!(
            row.unknown(),
            BTreeMap::from([("future_key".into(), Value::String("text".into()))])
        );
    }

    #[test]
    fn booleans_are_not_rights() {
        assert_eq!(as_int(&Value::Bool(true)), None);
        assert_eq!(as_int(&serde_json::json!(1.0)), Some(1));
        assert_eq!(as_int(&serde_json::json!("2")), Some(2));
        assert!(serde_json::from_str::<UserRow>(r#"{"username":"a","forms":{"f":true}}"#).is_err());
    }

    #[test]
    fn import_rows_keep_the_spec_field_order() {
        let row = UserImportRow {
            username: "alice".into(),
            expiration: String::new(),
            data_access_group: "site_a".into(),
            rights: IntMap::from([("design".into(), 0)]),
            forms: Some(IntMap::from([("form_1".into(), 1)])),
            forms_export: None,
        };
        assert_eq!(
            serde_json::to_string(&row).expect("encode"),
            r#"{"username":"alice","expiration":"","data_access_group":"site_a","design":0,"forms":{"form_1":1}}"#
        );
    }
}
