//! User objects on the wire ↔ the canonical [`User`], following the profile's field names.

use roster_core::{Change, DirectoryError, NewUser, User, UserPatch};
use secrecy::ExposeSecret;
use serde_json::Value;

use crate::builder::unset_error;
use crate::ordered_map::WireObject;
use crate::profile::fields::attribute_field;
use crate::profile::UserFields;
use crate::template::Vars;

/// The object's id: the first of the profile's id fields that is present.
pub(crate) fn wire_id(id_fields: &[String], object: &WireObject) -> Option<String> {
    id_fields.iter().find_map(|field| match object.get(field)? {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    })
}

/// The canonical user a wire object describes (`groups` left for the caller).
pub(crate) fn from_wire(fields: &UserFields, object: &WireObject) -> Result<User, DirectoryError> {
    let id =
        wire_id(&fields.id, object).ok_or_else(|| crate::errors::decode("user", "no id field"))?;
    let text = |field: &Option<String>| {
        field
            .as_deref()
            .and_then(|name| object.text(name))
            .map(str::to_owned)
    };
    let mut user = User {
        email: object.text(&fields.email).map(str::to_owned),
        first_name: text(&fields.first_name),
        last_name: text(&fields.last_name),
        username: text(&fields.username),
        ..User::default()
    };
    user.active = read_active(fields, object, &mut user);
    for (canonical, spelling) in fields.attributes.iter() {
        let wire = attribute_field(spelling).wire;
        let Some(value) = object.get(wire).filter(|value| !value.is_null()) else {
            continue;
        };
        // An alias of the id (LumApps `uid`) is only worth reporting when it differs.
        if fields.id.iter().any(|field| field == wire) && value.as_str() == Some(id.as_str()) {
            continue;
        }
        user.attributes.insert(canonical.to_owned(), value.clone());
    }
    user.id = id;
    Ok(user)
}

/// `active` from the status or active field; an unknown status is kept as attribute `status`.
fn read_active(fields: &UserFields, object: &WireObject, user: &mut User) -> Option<bool> {
    if let Some(field) = &fields.status_field {
        return match object.get(field) {
            None | Some(Value::Null) => Some(true),
            Some(value) => {
                let text = value.as_str();
                if text.is_some() && text == fields.active_value.as_deref() {
                    Some(true)
                } else if text.is_some() && text == fields.inactive_value.as_deref() {
                    Some(false)
                } else {
                    user.attributes.insert("status".into(), value.clone());
                    None
                }
            }
        };
    }
    let field = fields.active_field.as_ref()?;
    match object.get(field) {
        Some(Value::Bool(flag)) => Some(*flag != fields.invert),
        // An absent "disabled" flag means enabled; an absent "active" flag says nothing.
        _ if fields.invert => Some(true),
        _ => None,
    }
}

/// How a cleared field is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ClearBy {
    /// Leave the field out of the whole object (read-modify-write).
    Removing,
    /// Send this value (partial updates: `null` or `""`).
    Sending(Value),
}

/// Applies `patch` to `object` with the profile's field names.
pub(crate) fn apply_patch(
    fields: &UserFields,
    object: &mut WireObject,
    patch: &UserPatch,
    clear: ClearBy,
) -> Result<(), DirectoryError> {
    let mut write = |field: &str, value: Option<Value>| match (value, &clear) {
        (Some(value), _) => object.insert(field, value),
        (None, ClearBy::Removing) => {
            object.remove(field);
        }
        (None, ClearBy::Sending(cleared)) => object.insert(field, cleared.clone()),
    };
    let texts = [
        ("email", Some(&fields.email), &patch.email),
        ("first_name", fields.first_name.as_ref(), &patch.first_name),
        ("last_name", fields.last_name.as_ref(), &patch.last_name),
        ("username", fields.username.as_ref(), &patch.username),
    ];
    for (canonical, wire, change) in texts {
        if change.is_leave() {
            continue;
        }
        let wire = wire.ok_or_else(|| no_such_field(canonical))?;
        write(wire, text_change(change));
    }
    match &patch.active {
        Change::Leave => {}
        Change::Set(active) => {
            let (field, value) = active_value(fields, *active)?;
            write(field, Some(value));
        }
        Change::Clear => {
            let field = fields
                .status_field
                .as_ref()
                .or(fields.active_field.as_ref())
                .ok_or_else(|| no_such_field("active"))?;
            write(field, None);
        }
    }
    for (canonical, change) in &patch.attributes {
        let value = match change {
            Change::Leave => continue,
            Change::Set(value) => Some(value.clone()),
            Change::Clear => None,
        };
        let wire = writable_attribute(fields, canonical)?;
        write(wire, value);
    }
    Ok(())
}

/// The body of a create: e-mail and names, the profile's create defaults (a given attribute
/// replaces its default), the other given attributes, the inactive status when asked for, and
/// the password in every password field.
pub(crate) fn create_body(
    fields: &UserFields,
    user: &NewUser,
    vars: &Vars,
) -> Result<WireObject, DirectoryError> {
    let email = user
        .email
        .as_deref()
        .filter(|email| !email.trim().is_empty())
        .ok_or_else(|| DirectoryError::invalid(Some("email"), "a new user needs an e-mail"))?;
    let mut body = WireObject::new();
    body.insert(fields.email.clone(), Value::String(email.to_owned()));
    let names = [
        (&fields.first_name, &user.first_name),
        (&fields.last_name, &user.last_name),
        (&fields.username, &user.username),
    ];
    // A username is dropped where the platform has none: the e-mail is its login.
    for (wire, value) in names {
        if let (Some(wire), Some(value)) = (wire, value) {
            body.insert(wire.clone(), Value::String(value.clone()));
        }
    }
    let mut given = Vec::new();
    for (canonical, value) in &user.attributes {
        let spelling = fields
            .attributes
            .get(canonical)
            .ok_or_else(|| no_such_field(canonical))?;
        let field = attribute_field(spelling);
        // Server-managed fields (copied from another site, say) cannot be set: skip them.
        if !field.read_only {
            given.push((field.wire.to_owned(), value.clone()));
        }
    }
    for (wire, default) in fields.create_defaults.iter() {
        let value = match given.iter().position(|(field, _)| field == wire) {
            Some(index) => Some(given.remove(index).1),
            None => vars.fill_value(default).map_err(unset_error)?,
        };
        if let Some(value) = value {
            body.insert(wire, value);
        }
    }
    // The rest in the profile's attribute order, so bodies do not depend on map order.
    for (_, spelling) in fields.attributes.iter() {
        let wire = attribute_field(spelling).wire;
        if let Some(index) = given.iter().position(|(field, _)| field == wire) {
            let (field, value) = given.remove(index);
            body.insert(field, value);
        }
    }
    if user.active == Some(false) {
        let (field, value) = active_value(fields, false)?;
        body.insert(field, value);
    }
    if let Some(password) = &user.password {
        if fields.password_fields.is_empty() {
            return Err(DirectoryError::invalid(
                Some("password"),
                "this site takes no password on create",
            ));
        }
        for field in &fields.password_fields {
            body.insert(
                field.clone(),
                Value::String(password.expose_secret().to_owned()),
            );
        }
    }
    Ok(body)
}

/// The wire field and value that say `active`.
fn active_value(fields: &UserFields, active: bool) -> Result<(&str, Value), DirectoryError> {
    if let Some(field) = &fields.status_field {
        let value = if active {
            &fields.active_value
        } else {
            &fields.inactive_value
        };
        let value = value.clone().ok_or_else(|| no_such_field("active"))?;
        return Ok((field, Value::String(value)));
    }
    match &fields.active_field {
        Some(field) => Ok((field, Value::Bool(active != fields.invert))),
        None => Err(no_such_field("active")),
    }
}

fn writable_attribute<'a>(
    fields: &'a UserFields,
    canonical: &str,
) -> Result<&'a str, DirectoryError> {
    let spelling = fields
        .attributes
        .get(canonical)
        .ok_or_else(|| no_such_field(canonical))?;
    let field = attribute_field(spelling);
    if field.read_only {
        return Err(DirectoryError::invalid(
            Some(canonical),
            "read-only: the server manages it",
        ));
    }
    Ok(field.wire)
}

fn text_change(change: &Change<String>) -> Option<Value> {
    match change {
        Change::Set(text) => Some(Value::String(text.clone())),
        _ => None,
    }
}

fn no_such_field(canonical: &str) -> DirectoryError {
    DirectoryError::invalid(Some(canonical), "this site has no such field")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;
    use roster_core::Change;

    fn fields() -> UserFields {
        Profile::lumapps().user
    }

    fn object(json: &str) -> WireObject {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn reads_a_lumapps_user() {
        let user = from_wire(
            &fields(),
            &object(
                r#"{"id":"5678","uid":"5678","email":"a@acme.com","firstName":"Ann","lastName":"Lee",
                    "fullName":"Ann Lee","accountType":"external","status":"disabled","isHidden":true,
                    "customer":"1","createdAt":"2019-03-12T11:48:55.684166"}"#,
            ),
        )
        .unwrap();
        assert_eq!(user.id, "5678");
        assert_eq!(user.email.as_deref(), Some("a@acme.com"));
        assert_eq!(user.username, None);
        assert_eq!(user.active, Some(false));
        assert_eq!(user.attributes["is_hidden"], Value::Bool(true));
        assert_eq!(user.attributes["full_name"], "Ann Lee");
        assert_eq!(user.attributes["created_at"], "2019-03-12T11:48:55.684166");
        assert!(
            !user.attributes.contains_key("uid"),
            "uid equal to id is not repeated"
        );
        assert!(
            !user.attributes.contains_key("customer"),
            "unmapped fields stay on the wire"
        );
    }

    #[test]
    fn status_absent_is_active_and_unknown_is_kept() {
        let absent = from_wire(&fields(), &object(r#"{"uid":"1","email":"a@b"}"#)).unwrap();
        assert_eq!((absent.id.as_str(), absent.active), ("1", Some(true)));
        let odd = from_wire(&fields(), &object(r#"{"id":"1","status":"LIVE"}"#)).unwrap();
        assert_eq!(odd.active, None);
        assert_eq!(odd.attributes["status"], "LIVE");
        assert!(from_wire(&fields(), &object(r#"{"email":"a@b"}"#)).is_err());
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let mut wire = object(
            r#"{"id":"1","email":"a@b","firstName":"A","lastName":"B","status":"enabled","lang":"fr"}"#,
        );
        let patch = UserPatch {
            last_name: Change::Clear,
            active: Change::Set(false),
            attributes: [("is_hidden".to_owned(), Change::Set(Value::Bool(true)))].into(),
            ..UserPatch::default()
        };
        apply_patch(&fields(), &mut wire, &patch, ClearBy::Removing).unwrap();
        assert_eq!(
            String::from_utf8(wire.to_json_bytes()).unwrap(),
            r#"{"id":"1","email":"a@b","firstName":"A","status":"disabled","lang":"fr","isHidden":true}"#
        );
        let read_only = UserPatch {
            attributes: [("full_name".to_owned(), Change::Set(Value::from("x")))].into(),
            ..UserPatch::default()
        };
        let error = apply_patch(&fields(), &mut wire, &read_only, ClearBy::Removing).unwrap_err();
        assert!(error.to_string().contains("full_name"), "{error}");
    }
}
