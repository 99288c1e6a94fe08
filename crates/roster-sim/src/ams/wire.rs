//! AMS reply bytes: the v1 style (hand-laid-out, no Content-Type) and the v2 style (compact
//! JSON with the recorded headers), the rpc-exception body, and the usersearch projection of
//! a v2 person (spec §1.3, §3.2, §6.5).

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde_json::Value;

use super::codes::{address_type_name, phone_type_name, sex_name};
use super::model::{Group, Person, Role};
use crate::common::{to_styled_vec, JsonStyle, OrderedJson};

/// The `groupsAndRoles` of one person: coach groups, athlete groups and roles.
pub struct GroupsAndRoles<'a> {
    pub coach: Vec<&'a Group>,
    pub athlete: Vec<&'a Group>,
    pub roles: Vec<&'a Role>,
}

impl<'a> GroupsAndRoles<'a> {
    /// The memberships of person `id`, each list in seed order.
    pub fn of(id: i64, groups: &'a [Group], roles: &'a [Role]) -> Self {
        Self {
            coach: groups.iter().filter(|g| g.coaches.contains(&id)).collect(),
            athlete: groups.iter().filter(|g| g.athletes.contains(&id)).collect(),
            roles: roles.iter().filter(|r| r.members.contains(&id)).collect(),
        }
    }

    fn to_json(&self) -> OrderedJson {
        let pairs = |items: Vec<(i64, &str)>| -> OrderedJson {
            items
                .into_iter()
                .map(|(id, name)| {
                    OrderedJson::object()
                        .with("id", Value::from(id))
                        .with("name", name)
                })
                .collect::<Vec<_>>()
                .into()
        };
        OrderedJson::object()
            .with(
                "coachGroups",
                pairs(self.coach.iter().map(|g| (g.id, g.name.as_str())).collect()),
            )
            .with(
                "athleteGroups",
                pairs(
                    self.athlete
                        .iter()
                        .map(|g| (g.id, g.name.as_str()))
                        .collect(),
                ),
            )
            .with(
                "role",
                pairs(self.roles.iter().map(|r| (r.id, r.name.as_str())).collect()),
            )
    }
}

/// The usersearch (v1) object of a person, in the recorded key order (spec §3.2).
pub fn project_user(person: &Person, groups_and_roles: Option<&GroupsAndRoles<'_>>) -> OrderedJson {
    let mut user = OrderedJson::object()
        .with("userId", Value::from(person.id))
        .with("firstName", person.first_name.as_str())
        .with("lastName", person.last_name.as_str())
        .with("dob", person.date_of_birth.as_str())
        .with("middleName", person.middle_names.as_str())
        .with("emailAddress", person.email_address.as_str())
        .with("knownAs", person.known_as.as_str())
        .with("organisationalId", Value::from(person.organisation_id))
        .with("username", person.username.as_str());
    if let Some(phones) = person.phone_numbers.as_ref().filter(|l| !l.is_empty()) {
        let items: Vec<OrderedJson> = phones
            .iter()
            .map(|p| {
                OrderedJson::object()
                    .with("type", phone_type_name(p.kind))
                    .with("countryCode", p.country_code.as_str())
                    .with("prefix", p.prefix.as_str())
                    .with("number", p.number.as_str())
            })
            .collect();
        user.push("phoneNumbers", items);
    }
    if let Some(addresses) = person.addresses.as_ref().filter(|l| !l.is_empty()) {
        let items: Vec<OrderedJson> = addresses
            .iter()
            .map(|a| {
                OrderedJson::object()
                    .with("type", address_type_name(a.kind))
                    .with("address", a.address.as_str())
                    .with("suburb", a.suburb.as_str())
                    .with("city", a.city.as_str())
                    .with("country", a.country.as_str())
                    .with("postcode", a.postcode.as_str())
            })
            .collect();
        user.push("addresses", items);
    }
    user.push("sex", sex_name(&person.sex));
    if let Some(gr) = groups_and_roles {
        user.push("groupsAndRoles", gr.to_json());
    }
    user.push("uuid", person.uuid.clone().unwrap_or_default());
    user
}

/// One `{"search": <entry>,"results": [...]}` block.
pub fn search_block(search: Value, users: Vec<OrderedJson>) -> OrderedJson {
    OrderedJson::object()
        .with("search", search)
        .with("results", users)
}

/// A v1 reply: `": "` after keys, bare commas, and **no Content-Type** header.
pub fn v1_response(body: &OrderedJson, session_token: Option<&str>) -> Response {
    let mut response = Response::new(Body::from(to_styled_vec(body, JsonStyle::SpacedKeys)));
    echo_session(&mut response, session_token);
    response
}

/// A v2 reply: compact JSON, `application/json;charset=utf-8`, `Content-Disposition: attachment`.
pub fn v2_response<T: Serialize + ?Sized>(
    status: StatusCode,
    body: &T,
    session_token: Option<&str>,
) -> Response {
    let mut response = Response::new(Body::from(to_styled_vec(body, JsonStyle::Compact)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment"),
    );
    echo_session(&mut response, session_token);
    response
}

/// The GWT-RPC style error body.
pub fn rpc_exception(kind: &str, message: &str) -> OrderedJson {
    OrderedJson::object()
        .with("__is_rpc_exception__", true)
        .with("type", kind)
        .with(
            "value",
            OrderedJson::object()
                .with("detailMessage", message)
                .with("cause", Value::Null),
        )
}

/// A status with an empty body (401, 404, 405 and the like).
pub fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

/// A plain-text reply without Content-Type (the `403 Access Denied` of spec §6.4).
pub fn bare_text(status: StatusCode, text: &'static str, session_token: Option<&str>) -> Response {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    echo_session(&mut response, session_token);
    response
}

fn echo_session(response: &mut Response, token: Option<&str>) {
    if let Some(value) = token.and_then(|t| HeaderValue::from_str(t).ok()) {
        response.headers_mut().insert("session-header", value);
    }
}
