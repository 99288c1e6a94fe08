//! Group objects on the wire ↔ the canonical [`Group`], following the profile's field names.

use roster_core::{DirectoryError, Group, NewGroup};
use serde_json::Value;

use crate::builder::unset_error;
use crate::ordered_map::WireObject;
use crate::profile::fields::attribute_field;
use crate::profile::GroupFields;
use crate::template::{placeholders, Vars};
use crate::users::wire_id;

/// A group as listed, with whether it is one of the built-in groups.
#[derive(Clone, Debug)]
pub(crate) struct ListedGroup {
    pub group: Group,
    pub implicit: bool,
}

impl ListedGroup {
    /// The group's id (every listed group has one).
    pub fn id(&self) -> &str {
        self.group.id.as_deref().unwrap_or_default()
    }
}

/// The canonical group a wire object describes.
pub(crate) fn from_wire(
    fields: &GroupFields,
    object: &WireObject,
) -> Result<ListedGroup, DirectoryError> {
    let id =
        wire_id(&fields.id, object).ok_or_else(|| crate::errors::decode("group", "no id field"))?;
    let name = object
        .text(&fields.name)
        .ok_or_else(|| crate::errors::decode("group", format!("no `{}` field", fields.name)))?;
    let mut group = Group {
        name: name.to_owned(),
        id: Some(id),
        ..Group::default()
    };
    for (canonical, spelling) in fields.attributes.iter() {
        if let Some(value) = object
            .get(attribute_field(spelling).wire)
            .filter(|v| !v.is_null())
        {
            group.attributes.insert(canonical.to_owned(), value.clone());
        }
    }
    let implicit = fields.implicit.as_ref().is_some_and(|implicit| {
        object
            .text(&implicit.field)
            .is_some_and(|value| implicit.values.iter().any(|v| v == value))
    });
    Ok(ListedGroup { group, implicit })
}

/// The writable wire fields `group` sets through its attributes (read-only ones are skipped,
/// unknown ones refused).
fn given_fields(
    fields: &GroupFields,
    group: &NewGroup,
) -> Result<Vec<(String, Value)>, DirectoryError> {
    let mut given = Vec::new();
    for (canonical, value) in &group.attributes {
        let spelling = fields.attributes.get(canonical).ok_or_else(|| {
            DirectoryError::invalid(Some(canonical), "this site's groups have no such field")
        })?;
        let field = attribute_field(spelling);
        if !field.read_only {
            given.push((field.wire.to_owned(), value.clone()));
        }
    }
    Ok(given)
}

/// True when building the create body of `group` needs the placeholder `name` filled (the
/// template uses it and no given attribute replaces that field).
pub(crate) fn create_needs(
    fields: &GroupFields,
    group: &NewGroup,
    name: &str,
) -> Result<bool, DirectoryError> {
    let given = given_fields(fields, group)?;
    Ok(fields.create_defaults.iter().any(|(wire, template)| {
        !given.iter().any(|(field, _)| field == wire)
            && template
                .as_str()
                .is_some_and(|text| placeholders(text).contains(&name))
    }))
}

/// The body of a group create: the profile's template in order (given attributes replace
/// their entries), the name when the template lacks it, then the other given attributes.
/// `vars` must hold `name` and `slug`.
pub(crate) fn create_body(
    fields: &GroupFields,
    group: &NewGroup,
    vars: &Vars,
) -> Result<WireObject, DirectoryError> {
    let mut given = given_fields(fields, group)?;
    let mut body = WireObject::new();
    for (wire, template) in fields.create_defaults.iter() {
        let value = match given.iter().position(|(field, _)| field == wire) {
            Some(index) => Some(given.remove(index).1),
            None => vars.fill_value(template).map_err(unset_error)?,
        };
        if let Some(value) = value {
            body.insert(wire, value);
        }
    }
    if !body.contains_key(&fields.name) {
        body.insert(fields.name.clone(), Value::String(group.name.clone()));
    }
    for (field, value) in given {
        body.insert(field, value);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    #[test]
    fn reads_a_feed_and_spots_built_in_ones() {
        let fields = Profile::lumapps().group;
        let feed: WireObject = serde_json::from_str(
            r#"{"id":"7","uid":"7","name":"Sales","type":"9","functionalInnerId":"sales","heritable":true,"status":"enabled"}"#,
        )
        .unwrap();
        let listed = from_wire(&fields, &feed).unwrap();
        assert_eq!(listed.id(), "7");
        assert!(!listed.implicit);
        assert_eq!(listed.group.attributes["feed_type"], "9");
        assert_eq!(listed.group.attributes["heritable"], true);
        let all: WireObject =
            serde_json::from_str(r#"{"id":"1","name":"ALL","functionalInnerId":"LUMAPPS_ALL"}"#)
                .unwrap();
        assert!(from_wire(&fields, &all).unwrap().implicit);
    }

    #[test]
    fn the_create_body_follows_the_template() {
        let fields = Profile::lumapps().group;
        let vars = Vars::default()
            .with("customer_id", Some("42"))
            .with("group_type", Some("9"))
            .with("name", Some("Sales"))
            .with("slug", Some("sales"));
        let body = create_body(&fields, &NewGroup::named("Sales"), &vars).unwrap();
        assert_eq!(
            String::from_utf8(body.to_json_bytes()).unwrap(),
            r#"{"customer":"42","name":"Sales","functionalInnerId":"sales","type":"9","heritable":true,"status":"enabled"}"#
        );
        let mut typed = NewGroup::named("Sales");
        typed
            .attributes
            .insert("feed_type".into(), Value::from("11"));
        assert!(!create_needs(&fields, &typed, "group_type").unwrap());
        assert!(create_needs(&fields, &NewGroup::named("x"), "group_type").unwrap());
    }
}
