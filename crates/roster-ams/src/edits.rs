//! Turning a [`UserPatch`] into record edits and a [`NewUser`] into a create body, refused
//! before anything is sent when AMS could not take them (spec §5.3, §5.4).

use std::collections::BTreeMap;

use roster_core::model::value_as_text;
use roster_core::{Change, DirectoryError, NewUser, Result, UserPatch};
use serde_json::Value;

use crate::attributes::{Conversion, Writable, READ_ONLY, WRITABLE};
use crate::codes;
use crate::record::PersonRecord;
use crate::wire::NewPerson;

/// One record edit: a wire key and its new value.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    pub key: &'static str,
    pub value: Value,
}

/// The record edits a patch stands for, checked before anything is sent.
pub fn patch_edits(patch: &UserPatch) -> Result<Vec<Edit>> {
    let mut edits = Vec::new();
    let required = [
        ("username", "username", &patch.username),
        ("first_name", "firstName", &patch.first_name),
        ("last_name", "lastName", &patch.last_name),
    ];
    for (name, key, change) in required {
        match change {
            Change::Leave => {}
            Change::Set(value) if value.trim().is_empty() => {
                return Err(cannot_clear(name));
            }
            Change::Set(value) => edits.push(Edit {
                key,
                value: Value::String(value.clone()),
            }),
            Change::Clear => return Err(cannot_clear(name)),
        }
    }
    match &patch.email {
        Change::Leave => {}
        Change::Set(email) => edits.push(Edit {
            key: "emailAddress",
            value: Value::String(email.clone()),
        }),
        Change::Clear => edits.push(Edit {
            key: "emailAddress",
            value: Value::String(String::new()),
        }),
    }
    match patch.active {
        Change::Leave => {}
        Change::Set(active) => edits.push(Edit {
            key: "active",
            value: Value::Bool(active),
        }),
        Change::Clear => return Err(cannot_clear("active")),
    }
    for (name, change) in &patch.attributes {
        let writable = writable(name)?;
        let value = match change {
            Change::Leave => continue,
            Change::Set(value) => wire_value(writable, value)?,
            Change::Clear if writable.clearable => String::new(),
            Change::Clear => return Err(cannot_clear(name)),
        };
        edits.push(Edit {
            key: writable.key,
            value: Value::String(value),
        });
    }
    Ok(edits)
}

/// The create body for `user` (spec §5.3), refused before sending when a field AMS needs is
/// missing or a value does not convert.
pub fn new_person<'a>(user: &NewUser, password: &'a str) -> Result<NewPerson<'a>> {
    let required = |name: &str, value: &Option<String>| -> Result<String> {
        value
            .as_deref()
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| DirectoryError::invalid(Some(name), "is required to create an AMS user"))
    };
    let username = required("username", &user.username)?;
    let first_name = required("first_name", &user.first_name)?;
    let last_name = required("last_name", &user.last_name)?;
    let email = required("email", &user.email)?;
    if password.is_empty() {
        return Err(DirectoryError::invalid(
            Some("password"),
            "is required to create an AMS user",
        ));
    }
    let mut values: BTreeMap<&str, String> = BTreeMap::new();
    for (name, value) in &user.attributes {
        let writable = writable(name)?;
        values.insert(writable.name, wire_value(writable, value)?);
    }
    let mut take = |name: &str| values.remove(name).unwrap_or_default();
    let date_of_birth = take("dob");
    if date_of_birth.is_empty() {
        return Err(DirectoryError::invalid(
            Some("dob"),
            "is required to create an AMS user",
        ));
    }
    let sex = take("sex");
    Ok(NewPerson {
        id: "-1",
        first_name,
        last_name,
        username,
        email,
        date_of_birth,
        password,
        active: user.active.unwrap_or(true),
        known_as: take("known_as"),
        middle_names: take("middle_names"),
        language: take("language"),
        sidebar_width: take("sidebar_width"),
        uuid: take("uuid"),
        sex: Some(sex).filter(|code| !code.is_empty()),
    })
}

fn writable(name: &str) -> Result<&'static Writable> {
    if let Some(writable) = WRITABLE.iter().find(|w| w.name == name) {
        return Ok(writable);
    }
    let message = if READ_ONLY.contains(&name) {
        "is read-only on AMS"
    } else {
        "is not an AMS attribute (writable: dob, sex, uuid, known_as, middle_names, language, sidebar_width)"
    };
    Err(DirectoryError::invalid(Some(name), message))
}

/// The wire text of a writable attribute's canonical value.
fn wire_value(writable: &Writable, value: &Value) -> Result<String> {
    let text = value_as_text(value)
        .ok_or_else(|| DirectoryError::invalid(Some(writable.name), "must be text"))?;
    match writable.conversion {
        Conversion::Text => Ok(text),
        Conversion::Date => codes::iso_date_to_ams(&text).ok_or_else(|| {
            DirectoryError::invalid(
                Some(writable.name),
                format!("{text:?} is not a date YYYY-MM-DD"),
            )
        }),
        Conversion::Sex => codes::sex_code(&text).map(str::to_owned).ok_or_else(|| {
            DirectoryError::invalid(
                Some(writable.name),
                format!("{text:?} is not MALE, FEMALE or UNSPECIFIED"),
            )
        }),
    }
}

fn cannot_clear(name: &str) -> DirectoryError {
    DirectoryError::invalid(Some(name), "cannot be cleared on AMS")
}

/// True when the saved record holds what the edit sent.
pub fn reads_back(saved: &PersonRecord, edit: &Edit) -> bool {
    match &edit.value {
        Value::String(sent) => saved.text(edit.key).unwrap_or_default() == *sent,
        other => saved.get::<Value>(edit.key).as_ref() == Some(other),
    }
}

#[cfg(test)]
mod tests {
    use roster_core::ErrorKind;
    use serde_json::json;

    use super::*;

    #[test]
    fn a_patch_becomes_converted_edits() {
        let patch = UserPatch {
            email: Change::Set("r@x.com".into()),
            active: Change::Set(false),
            attributes: [
                ("dob".to_owned(), Change::Set(json!("1985-10-02"))),
                ("sex".to_owned(), Change::Set(json!("Female"))),
                ("known_as".to_owned(), Change::Clear),
                ("uuid".to_owned(), Change::Leave),
            ]
            .into_iter()
            .collect(),
            ..UserPatch::default()
        };
        let edits = patch_edits(&patch).unwrap();
        let pairs: Vec<(&str, Value)> = edits.into_iter().map(|e| (e.key, e.value)).collect();
        assert_eq!(
            pairs,
            [
                ("emailAddress", json!("r@x.com")),
                ("active", json!(false)),
                ("dateOfBirth", json!("02/10/1985")),
                ("knownAs", json!("")),
                ("sex", json!("1")),
            ]
        );
    }

    #[test]
    fn patches_ams_cannot_apply_are_refused_naming_the_field() {
        let refused = |patch: UserPatch, field: &str| {
            let error = patch_edits(&patch).unwrap_err();
            match error.kind() {
                ErrorKind::Invalid {
                    field: Some(named), ..
                } => assert_eq!(named, field),
                other => panic!("expected Invalid({field}), got {other:?}"),
            }
        };
        let attribute = |name: &str, change: Change<Value>| UserPatch {
            attributes: [(name.to_owned(), change)].into_iter().collect(),
            ..UserPatch::default()
        };
        refused(
            UserPatch {
                username: Change::Clear,
                ..UserPatch::default()
            },
            "username",
        );
        refused(
            UserPatch {
                last_name: Change::Set(" ".into()),
                ..UserPatch::default()
            },
            "last_name",
        );
        refused(attribute("dob", Change::Clear), "dob");
        refused(attribute("dob", Change::Set(json!("02/10/1985"))), "dob");
        refused(attribute("sex", Change::Set(json!("x"))), "sex");
        refused(attribute("role", Change::Set(json!("Coach"))), "role");
        refused(
            attribute("shoe_size", Change::Set(json!("44"))),
            "shoe_size",
        );
    }

    fn new_user() -> NewUser {
        NewUser {
            username: Some("test.user".into()),
            email: Some("test.user@example.com".into()),
            first_name: Some("Test".into()),
            last_name: Some("User".into()),
            attributes: [
                ("dob".to_owned(), json!("2000-01-01")),
                ("uuid".to_owned(), json!("test-uuid-123")),
                ("sex".to_owned(), json!("MALE")),
            ]
            .into_iter()
            .collect(),
            ..NewUser::default()
        }
    }

    #[test]
    fn the_create_body_has_the_recorded_keys_in_order() {
        let body = serde_json::to_string(&new_person(&new_user(), "pw").unwrap()).unwrap();
        assert_eq!(
            body,
            r#"{"id":"-1","firstName":"Test","lastName":"User","username":"test.user","emailAddress":"test.user@example.com","dateOfBirth":"01/01/2000","password":"pw","active":true,"knownAs":"","middleNames":"","language":"","sidebarWidth":"","uuid":"test-uuid-123","sex":"0"}"#
        );
        let mut no_sex = new_user();
        no_sex.attributes.remove("sex");
        let body = serde_json::to_string(&new_person(&no_sex, "pw").unwrap()).unwrap();
        assert!(body.ends_with(r#""uuid":"test-uuid-123"}"#), "{body}");
    }

    #[test]
    fn a_create_without_a_required_field_names_it() {
        for field in ["username", "email", "first_name", "last_name", "dob"] {
            let mut user = new_user();
            match field {
                "username" => user.username = None,
                "email" => user.email = Some(String::new()),
                "first_name" => user.first_name = None,
                "last_name" => user.last_name = None,
                _ => {
                    user.attributes.remove("dob");
                }
            }
            let error = new_person(&user, "pw").err().unwrap();
            assert!(
                matches!(error.kind(), ErrorKind::Invalid { field: Some(f), .. } if f == field),
                "{field}: {error}"
            );
        }
        let error = new_person(&new_user(), "").err().unwrap();
        assert!(error.to_string().contains("password"));
    }
}
