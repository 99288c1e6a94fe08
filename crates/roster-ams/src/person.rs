//! Reading a person record (v2) into the canonical [`User`] (spec §3.1).

use std::collections::{BTreeMap, BTreeSet};

use roster_core::model::value_as_text;
use roster_core::{Result, User};
use serde::Serialize;
use serde_json::Value;

use crate::attributes::{Conversion, WRITABLE};
use crate::codes;
use crate::failure;
use crate::record::PersonRecord;
use crate::wire::GroupsAndRoles;

/// Group memberships and roles of one user, from a filtered usersearch.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Membership {
    pub athlete_groups: BTreeSet<String>,
    pub coach_groups: Vec<String>,
    pub roles: Vec<String>,
}

impl Membership {
    pub fn from_wire(wire: Option<&GroupsAndRoles>) -> Self {
        let names = |list: Option<&Vec<crate::wire::Named>>| -> Vec<String> {
            list.map(|items| items.iter().map(|item| item.name.clone()).collect())
                .unwrap_or_default()
        };
        let Some(wire) = wire else {
            return Self::default();
        };
        Self {
            athlete_groups: names(wire.athlete_groups.as_ref()).into_iter().collect(),
            coach_groups: names(wire.coach_groups.as_ref()),
            roles: names(wire.role.as_ref()),
        }
    }
}

/// The canonical user a person record stands for. `membership` is `None` when this call did
/// not read memberships; the user's `groups` are then `None` too.
pub fn to_user(record: &PersonRecord, membership: Option<&Membership>) -> Result<User> {
    let id = record
        .id()
        .ok_or_else(|| failure::decode("person/get", "a person has no integer id"))?;
    let mut attributes = BTreeMap::new();
    let mut put = |name: &str, value: Option<String>| {
        if let Some(value) = value.filter(|value| !value.is_empty()) {
            attributes.insert(name.to_owned(), Value::String(value));
        }
    };
    let text = |key: &str| record.text(key);
    put(
        "dob",
        text("dateOfBirth").map(|date| codes::ams_date_to_iso(&date).unwrap_or(date)),
    );
    put(
        "sex",
        text("sex").map(|code| codes::sex_name(&code).map_or(code, str::to_owned)),
    );
    for writable in WRITABLE.iter().filter(|w| w.conversion == Conversion::Text) {
        put(writable.name, text(writable.key));
    }
    put("timezone", text("timezone"));
    put(
        "avatar_id",
        text("avatarId").filter(|id| !matches!(id.as_str(), "-1" | "0")),
    );
    put("organisation_id", text("organisationId"));
    put("owner_id", text("ownerId"));
    put(
        "admin",
        record.get::<bool>("admin").map(|admin| admin.to_string()),
    );
    put(
        "expiration",
        text("accountExpiration")
            .filter(|date| date != codes::NEVER_EXPIRES)
            .map(|date| codes::ams_date_to_iso(&date).unwrap_or(date)),
    );
    put(
        "phone_numbers",
        contact_text(record, "phoneNumbers", phone_entry),
    );
    put(
        "addresses",
        contact_text(record, "addresses", address_entry),
    );
    if let Some(membership) = membership {
        put("coach_groups", Some(membership.coach_groups.join("; ")));
        put("role", Some(membership.roles.join("; ")));
    }
    let plain = |key: &str| text(key).filter(|value| !value.is_empty());
    Ok(User {
        id: id.to_string(),
        username: plain("username"),
        email: plain("emailAddress"),
        first_name: plain("firstName"),
        last_name: plain("lastName"),
        active: record.get::<bool>("active"),
        groups: membership.map(|membership| membership.athlete_groups.clone()),
        attributes,
    })
}

/// A phone number in the usersearch form: type name, then `countryCode, prefix, number`.
#[derive(Serialize)]
struct PhoneText {
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "countryCode")]
    country_code: String,
    prefix: String,
    number: String,
}

/// An address in the usersearch form.
#[derive(Serialize)]
struct AddressText {
    #[serde(rename = "type")]
    kind: String,
    address: String,
    suburb: String,
    city: String,
    country: String,
    postcode: String,
}

fn field(entry: &Value, key: &str) -> String {
    entry.get(key).and_then(value_as_text).unwrap_or_default()
}

fn entry_type(entry: &Value, name: fn(i64) -> String) -> String {
    match entry.get("type") {
        Some(Value::Number(code)) => code.as_i64().map(name).unwrap_or_else(|| code.to_string()),
        Some(other) => value_as_text(other).unwrap_or_default(),
        None => String::new(),
    }
}

/// Serialised straight from the struct, so the text keeps the usersearch key order.
fn phone_entry(entry: &Value) -> String {
    serde_json::to_string(&PhoneText {
        kind: entry_type(entry, codes::phone_type_name),
        country_code: field(entry, "countryCode"),
        prefix: field(entry, "prefix"),
        number: field(entry, "number"),
    })
    .expect("a phone serialises")
}

fn address_entry(entry: &Value) -> String {
    serde_json::to_string(&AddressText {
        kind: entry_type(entry, codes::address_type_name),
        address: field(entry, "address"),
        suburb: field(entry, "suburb"),
        city: field(entry, "city"),
        country: field(entry, "country"),
        postcode: field(entry, "postcode"),
    })
    .expect("an address serialises")
}

/// A contact list as JSON text in the usersearch form; `None` when null or empty.
fn contact_text(record: &PersonRecord, key: &str, entry: fn(&Value) -> String) -> Option<String> {
    let items = record.get::<Vec<Value>>(key)?;
    if items.is_empty() {
        return None;
    }
    let entries: Vec<String> = items.iter().map(entry).collect();
    Some(format!("[{}]", entries.join(",")))
}

#[cfg(test)]
mod tests {
    use roster_core::ErrorKind;
    use serde_json::json;

    use super::*;
    use crate::wire::{GroupsAndRoles, Named};

    /// A recorded person/get object (spec §2.5).
    const RILEY: &str = r#"{"active":true,"admin":false,"pending":false,"communicationPreferences":"3","sex":"0","avatarId":93831,"id":72827,"organisationId":-1,"ownerId":72788,"plan":-1,"state":-1,"emailAddress":"riley.jones@newdomain.com","firstName":"Riley","knownAs":"","language":"English","lastName":"Jones","middleNames":"","sidebarWidth":"250px","skypeName":null,"timezone":null,"username":"Riley.Jones","uuid":"new123","addresses":null,"favoriteDashboards":null,"favoriteEvents":[],"frontPageButtons":[],"phoneNumbers":[{"type":1,"countryCode":"1","number":"4567891","prefix":"333"}],"accountExpiration":"01/01/1970","dateOfBirth":"01/12/1990","__mtime__":1747137396964}"#;

    fn riley() -> PersonRecord {
        serde_json::from_str(RILEY).unwrap()
    }

    #[test]
    fn a_recorded_person_maps_onto_the_canonical_user() {
        let membership = Membership::from_wire(Some(&GroupsAndRoles {
            coach_groups: Some(vec![Named {
                name: "Demo Group".into(),
            }]),
            athlete_groups: Some(vec![
                Named {
                    name: "Demo Group".into(),
                },
                Named {
                    name: "All Users".into(),
                },
            ]),
            role: Some(vec![
                Named {
                    name: "Demo Role".into(),
                },
                Named {
                    name: "Coach".into(),
                },
            ]),
        }));
        let user = to_user(&riley(), Some(&membership)).unwrap();
        assert_eq!(user.id, "72827");
        assert_eq!(user.username.as_deref(), Some("Riley.Jones"));
        assert_eq!(user.email.as_deref(), Some("riley.jones@newdomain.com"));
        assert_eq!(user.active, Some(true));
        assert_eq!(
            user.groups,
            Some(BTreeSet::from([
                "All Users".to_owned(),
                "Demo Group".to_owned()
            ]))
        );
        let expected = json!({
            "dob": "1990-12-01",
            "sex": "MALE",
            "uuid": "new123",
            "language": "English",
            "sidebar_width": "250px",
            "avatar_id": "93831",
            "organisation_id": "-1",
            "owner_id": "72788",
            "admin": "false",
            "phone_numbers": r#"[{"type":"MOBILE","countryCode":"1","prefix":"333","number":"4567891"}]"#,
            "coach_groups": "Demo Group",
            "role": "Demo Role; Coach",
        });
        assert_eq!(serde_json::to_value(&user.attributes).unwrap(), expected);
    }

    #[test]
    fn without_memberships_groups_are_unknown() {
        let user = to_user(&riley(), None).unwrap();
        assert_eq!(user.groups, None);
        assert!(!user.attributes.contains_key("role"));
    }

    #[test]
    fn a_person_without_an_id_is_a_decode_error() {
        let record: PersonRecord = serde_json::from_str(r#"{"username":"x"}"#).unwrap();
        let error = to_user(&record, None).unwrap_err();
        assert!(matches!(error.kind(), ErrorKind::Decode { .. }));
    }

    #[test]
    fn odd_values_map_leniently_without_panicking() {
        let record: PersonRecord = serde_json::from_str(
            r#"{"id":"72827","sex":7,"dateOfBirth":"sometime","active":"yes","phoneNumbers":"none","addresses":[{"type":"PRIMARY","city":null},{"type":99}],"avatarId":"x","accountExpiration":"31/12/2030"}"#,
        )
        .unwrap();
        let user = to_user(&record, None).unwrap();
        assert_eq!(user.id, "72827");
        assert_eq!(user.active, None);
        assert_eq!(user.attributes["sex"], json!("7"));
        assert_eq!(user.attributes["dob"], json!("sometime"));
        assert_eq!(user.attributes["expiration"], json!("2030-12-31"));
        assert_eq!(user.attributes["avatar_id"], json!("x"));
        assert!(!user.attributes.contains_key("phone_numbers"));
        assert_eq!(
            user.attributes["addresses"],
            json!(
                r#"[{"type":"PRIMARY","address":"","suburb":"","city":"","country":"","postcode":""},{"type":"99","address":"","suburb":"","city":"","country":"","postcode":""}]"#
            )
        );
    }
}
