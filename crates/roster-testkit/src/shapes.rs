//! The capability shapes of the four platforms, as their specs' capability tables give them,
//! so the in-memory directory can stand in for each.

use roster_core::Capabilities;

/// Teamworks AMS: no delete (deactivate instead), no group writes, no membership writes.
pub fn ams() -> Capabilities {
    Capabilities {
        delete_user: false,
        create_group: false,
        delete_group: false,
        write_membership: false,
        avatar_upload: true,
        ..Capabilities::full()
    }
}

/// REDCap: groups are DAGs, one per user; imports carry up to 500 users; no server filter;
/// account fields (email, names) are read-only.
pub fn redcap() -> Capabilities {
    Capabilities {
        read_only_fields: vec!["email".into(), "first_name".into(), "last_name".into()],
        max_groups_per_user: Some(1),
        batch_max: 500,
        server_side_filter: false,
        ..Capabilities::full()
    }
}

/// Periscope: no active flag (delete instead), no username apart from the e-mail,
/// validate-only test mode.
pub fn periscope() -> Capabilities {
    Capabilities {
        deactivate_user: false,
        server_side_filter: false,
        remote_dry_run: true,
        read_only_fields: vec!["username".into()],
        writable_attributes: Some(Vec::new()),
        ..Capabilities::full()
    }
}

/// LumApps (the /user/save default profile): no delete (deactivate by status), paged lists.
pub fn lumapps() -> Capabilities {
    Capabilities {
        delete_user: false,
        page_size: Some(100),
        ..Capabilities::full()
    }
}

/// Every platform shape with its name.
pub fn all() -> Vec<(&'static str, Capabilities)> {
    vec![
        ("ams", ams()),
        ("redcap", redcap()),
        ("periscope", periscope()),
        ("lumapps", lumapps()),
    ]
}
