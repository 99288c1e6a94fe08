//! What a Periscope site can do (spec §4).

use roster_core::Capabilities;

/// The spec's capability table: no active flag (delete instead), membership written per
/// user, one user per request, lookups by exact e-mail only, and a validate-only test mode.
pub fn capabilities() -> Capabilities {
    Capabilities {
        list_users: true,
        get_user: true,
        create_user: true,
        update_user: true,
        delete_user: true,
        deactivate_user: false,
        list_groups: true,
        create_group: true,
        delete_group: true,
        read_membership: true,
        write_membership: true,
        max_groups_per_user: None,
        batch_max: 1,
        server_side_filter: false,
        remote_dry_run: true,
        avatar_upload: false,
        page_size: None,
        // There is no username apart from the e-mail: a desired username is not managed here.
        read_only_fields: vec!["username".to_owned()],
        // Attributes are the site's other fields, copied as they are: none is written.
        writable_attributes: Some(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_periscope_shape_of_the_behavior_suite() {
        assert_eq!(capabilities(), roster_testkit::shapes::periscope());
    }
}
