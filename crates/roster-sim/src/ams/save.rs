//! `person/save`: create or update one person (spec §6.7).

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use super::auth::Caller;
use super::codes::{parse_address_type, parse_date, parse_phone_type, parse_sex};
use super::model::{Address, Person, Phone};
use super::reads::as_i64;
use super::state::Inner;
use super::wire::{bare_text, rpc_exception, v2_response};

/// `POST /{site}/api/v2/person/save`.
pub fn person_save(inner: &mut Inner, caller: &Caller, body: &Value) -> Response {
    let token = caller.token.as_deref();
    if !inner
        .permissions_of(caller.user_id)
        .iter()
        .any(|p| p == "Account Write")
    {
        return bare_text(StatusCode::FORBIDDEN, "Access Denied", token);
    }
    match apply(inner, caller, body) {
        Ok(saved) => v2_response(StatusCode::OK, &saved, token),
        Err(message) => {
            let status =
                StatusCode::from_u16(inner.save_error_status).unwrap_or(StatusCode::BAD_REQUEST);
            v2_response(
                status,
                &rpc_exception("java.lang.IllegalArgumentException", &message),
                token,
            )
        }
    }
}

/// Validates and applies the save; on error nothing changes.
fn apply(inner: &mut Inner, caller: &Caller, body: &Value) -> Result<Person, String> {
    let fields = body
        .get("person")
        .and_then(Value::as_object)
        .ok_or_else(|| "Invalid request: a person object is required".to_owned())?;
    let id = match fields.get("id") {
        None | Some(Value::Null) => -1,
        Some(v) => as_i64(v).ok_or_else(|| format!("Invalid id: {v}"))?,
    };
    let now = inner.now_ms();
    if id == -1 {
        let mut person = Person {
            communication_preferences: None,
            sex: "2".into(),
            avatar_id: 0,
            id: inner.persons.last().map(|p| p.id).unwrap_or(0) + 1,
            organisation_id: 0,
            owner_id: caller.user_id,
            plan: 0,
            state: 0,
            language: "English".into(),
            sidebar_width: Some(String::new()),
            date_of_birth: String::new(),
            ..Person::default()
        };
        overwrite(&mut person, fields)?;
        for (key, present) in [
            ("username", !person.username.trim().is_empty()),
            ("firstName", !person.first_name.trim().is_empty()),
            ("lastName", !person.last_name.trim().is_empty()),
            (
                "password",
                person.password.as_deref().is_some_and(|p| !p.is_empty()),
            ),
            ("dateOfBirth", !person.date_of_birth.is_empty()),
        ] {
            if !present {
                return Err(format!("Missing required field: {key}"));
            }
        }
        if inner.find_username(&person.username).is_some() {
            return Err(format!("Username already exists: {}", person.username));
        }
        person.mtime = now;
        inner.persons.push(person.clone());
        Ok(person)
    } else {
        let index = inner
            .person_index(id)
            .ok_or_else(|| format!("Person not found: {id}"))?;
        let mut person = inner.persons[index].clone();
        overwrite(&mut person, fields)?;
        if person.username.trim().is_empty() {
            return Err("Missing required field: username".into());
        }
        if inner
            .persons
            .iter()
            .any(|p| p.id != id && p.username.eq_ignore_ascii_case(&person.username))
        {
            return Err(format!("Username already exists: {}", person.username));
        }
        person.id = id;
        person.mtime = now;
        inner.persons[index] = person.clone();
        Ok(person)
    }
}

/// Overwrites the stored fields the request supplies; unknown keys are ignored (CHOSEN).
fn overwrite(person: &mut Person, fields: &Map<String, Value>) -> Result<(), String> {
    for (key, value) in fields {
        match key.as_str() {
            "active" => person.active = boolean(key, value)?,
            "admin" => person.admin = boolean(key, value)?,
            "pending" => person.pending = boolean(key, value)?,
            "avatarId" => person.avatar_id = integer(key, value)?,
            "organisationId" => person.organisation_id = integer(key, value)?,
            "ownerId" => person.owner_id = integer(key, value)?,
            "plan" => person.plan = integer(key, value)?,
            "state" => person.state = integer(key, value)?,
            "communicationPreferences" => person.communication_preferences = optional_text(value),
            "sex" => {
                let text = optional_text(value).unwrap_or_default();
                person.sex = parse_sex(&text)
                    .ok_or_else(|| format!("Invalid sex: {text}"))?
                    .to_owned();
            }
            "emailAddress" => person.email_address = text(value),
            "firstName" => person.first_name = text(value),
            "lastName" => person.last_name = text(value),
            "knownAs" => person.known_as = text(value),
            "middleNames" => person.middle_names = text(value),
            "username" => person.username = text(value),
            "language" => {
                let language = text(value);
                person.language = if language.is_empty() {
                    "English".into()
                } else {
                    language
                };
            }
            "sidebarWidth" => person.sidebar_width = optional_text(value),
            "skypeName" => person.skype_name = optional_text(value),
            "timezone" => person.timezone = optional_text(value),
            "uuid" => person.uuid = optional_text(value),
            "accountExpiration" => {
                if let Some(date) = optional_text(value).filter(|d| !d.is_empty()) {
                    person.account_expiration =
                        parse_date(&date).ok_or_else(|| format!("Invalid date: {date}"))?;
                }
            }
            "dateOfBirth" => {
                let date = text(value);
                person.date_of_birth =
                    parse_date(&date).ok_or_else(|| format!("Invalid date of birth: {date}"))?;
            }
            "password" => {
                // Changes only when present and non-empty.
                if let Some(p) = optional_text(value).filter(|p| !p.is_empty()) {
                    person.password = Some(p);
                }
            }
            "phoneNumbers" => person.phone_numbers = phones(value)?,
            "addresses" => person.addresses = addresses(value)?,
            "favoriteDashboards" => person.favorite_dashboards = list(value),
            "favoriteEvents" => person.favorite_events = list(value),
            "frontPageButtons" => person.front_page_buttons = list(value),
            // `id` is handled by the caller; `__mtime__` is ignored (no optimistic locking).
            _ => {}
        }
    }
    Ok(())
}

fn boolean(key: &str, value: &Value) -> Result<bool, String> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(format!("Invalid value for {key}: {other}")),
    }
}

fn integer(key: &str, value: &Value) -> Result<i64, String> {
    as_i64(value).ok_or_else(|| format!("Invalid value for {key}: {value}"))
}

fn text(value: &Value) -> String {
    optional_text(value).unwrap_or_default()
}

fn optional_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn list(value: &Value) -> Option<Vec<Value>> {
    value.as_array().cloned()
}

fn field(entry: &Value, key: &str) -> String {
    entry.get(key).map(text).unwrap_or_default()
}

fn phones(value: &Value) -> Result<Option<Vec<Phone>>, String> {
    let Some(items) = value.as_array() else {
        return Ok(None);
    };
    items
        .iter()
        .map(|entry| {
            let kind = entry
                .get("type")
                .and_then(parse_phone_type)
                .ok_or_else(|| format!("Invalid phone type: {entry}"))?;
            Ok(Phone {
                kind,
                country_code: field(entry, "countryCode"),
                number: field(entry, "number"),
                prefix: field(entry, "prefix"),
            })
        })
        .collect::<Result<Vec<_>, String>>()
        .map(Some)
}

fn addresses(value: &Value) -> Result<Option<Vec<Address>>, String> {
    let Some(items) = value.as_array() else {
        return Ok(None);
    };
    items
        .iter()
        .map(|entry| {
            let kind = entry
                .get("type")
                .and_then(parse_address_type)
                .ok_or_else(|| format!("Invalid address type: {entry}"))?;
            Ok(Address {
                kind,
                address: field(entry, "address"),
                city: field(entry, "city"),
                country: field(entry, "country"),
                postcode: field(entry, "postcode"),
                suburb: field(entry, "suburb"),
            })
        })
        .collect::<Result<Vec<_>, String>>()
        .map(Some)
}
