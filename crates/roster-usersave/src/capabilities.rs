//! What a profile can do: each capability follows from the endpoints it names.

use roster_core::Capabilities;

use crate::profile::fields::attribute_field;
use crate::profile::{Profile, UpdateStyle};

/// The capabilities of a site spoken with `profile`. For the LumApps profile this is the
/// spec's table: everything but deleting users, membership batched per group, pages of 100.
pub(crate) fn of(profile: &Profile) -> Capabilities {
    let endpoints = &profile.endpoints;
    let user = &profile.user;
    let list_groups = endpoints.list_groups.is_some();
    let update_user = endpoints.save_user.is_some()
        && (profile.update_style == UpdateStyle::Partial || endpoints.get_user.is_some());
    Capabilities {
        list_users: endpoints.list_users.is_some(),
        get_user: endpoints.get_user.is_some(),
        create_user: endpoints.create_user.is_some() || endpoints.save_user.is_some(),
        update_user,
        delete_user: endpoints.delete_user.is_some(),
        deactivate_user: update_user
            && (user.status_field.is_some() || user.active_field.is_some()),
        list_groups,
        create_group: endpoints.save_group.is_some(),
        // Groups are named by name: finding the id takes the group list.
        delete_group: endpoints.delete_group.is_some() && list_groups,
        read_membership: list_groups
            && (endpoints.user_groups.is_some() || endpoints.list_members.is_some()),
        write_membership: list_groups && endpoints.membership.is_some(),
        max_groups_per_user: None,
        // User writes are one per call; membership batches live inside `set_membership`.
        batch_max: 1,
        server_side_filter: endpoints
            .get_user
            .as_ref()
            .is_some_and(|get| get.email_param.is_some()),
        remote_dry_run: false,
        avatar_upload: false,
        page_size: profile.page_size(),
        read_only_fields: read_only_fields(profile),
        writable_attributes: Some(writable_attributes(profile)),
    }
}

/// The profile's attributes roster can write; any other attribute has no wire field here.
fn writable_attributes(profile: &Profile) -> Vec<String> {
    profile
        .user
        .attributes
        .iter()
        .filter(|(_, spelling)| !attribute_field(spelling).read_only)
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// Canonical fields the site reports but roster cannot write: the profile's read-only
/// attributes, the raw `status`, and the canonical fields the profile has no wire field for.
fn read_only_fields(profile: &Profile) -> Vec<String> {
    let user = &profile.user;
    let missing = [
        ("username", user.username.is_none()),
        ("first_name", user.first_name.is_none()),
        ("last_name", user.last_name.is_none()),
    ];
    let mut fields: Vec<String> = missing
        .into_iter()
        .filter(|(_, missing)| *missing)
        .map(|(name, _)| name.to_owned())
        .collect();
    fields.extend(
        user.attributes
            .iter()
            .filter(|(_, spelling)| attribute_field(spelling).read_only)
            .map(|(name, _)| name.to_owned()),
    );
    if user.status_field.is_some() {
        fields.push("status".to_owned());
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lumapps_has_the_spec_table() {
        let caps = of(&Profile::lumapps());
        let expected = Capabilities {
            delete_user: false,
            page_size: Some(100),
            read_only_fields: [
                "username",
                "full_name",
                "created_at",
                "updated_at",
                "is_super_admin",
                "uid",
                "status",
            ]
            .map(String::from)
            .to_vec(),
            writable_attributes: Some(vec!["is_hidden".into(), "account_type".into()]),
            ..Capabilities::full()
        };
        assert_eq!(caps, expected);
    }
}
