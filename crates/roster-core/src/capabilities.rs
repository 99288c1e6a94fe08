use std::fmt;

use serde::{Deserialize, Serialize};

/// What a backend can do, as one flat set of flags and limits.
///
/// The engine plans with it (a change the backend cannot make is a plan error, not a failed
/// request), the behavior suite runs only the checks it allows, and `roster describe` prints
/// it. Field names are the canonical names every platform spec uses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// List every user of the site, all pages.
    pub list_users: bool,
    /// Look one user up by key; a missing user is `None`.
    pub get_user: bool,
    /// Add a user.
    pub create_user: bool,
    /// Change the named fields and keep the rest.
    pub update_user: bool,
    /// Remove the user from the site.
    pub delete_user: bool,
    /// `active = false` through `update_user`; the user stays listed.
    pub deactivate_user: bool,
    /// List the site's groups.
    pub list_groups: bool,
    /// Create a group.
    pub create_group: bool,
    /// Delete a group.
    pub delete_group: bool,
    /// Users report their `groups`.
    pub read_membership: bool,
    /// `set_membership` works.
    pub write_membership: bool,
    /// Most groups one user may hold; `None` = no limit.
    pub max_groups_per_user: Option<u32>,
    /// Most user writes one request carries; 1 = one per request.
    pub batch_max: usize,
    /// The server filters or looks users up itself.
    pub server_side_filter: bool,
    /// The site can validate a change without applying it.
    pub remote_dry_run: bool,
    /// Profile pictures can be uploaded.
    pub avatar_upload: bool,
    /// Users per list request; `None` = every list comes whole.
    pub page_size: Option<usize>,
    /// Canonical fields (`email`, `first_name`, …) or attribute names this backend reports
    /// but cannot write (REDCap account fields, server-computed LumApps fields, …). The engine
    /// does not manage them on this site (a desired value is not a change) and says so in the
    /// plan; a backend refuses writes to them with `Invalid` or `Unsupported`.
    #[serde(default)]
    pub read_only_fields: Vec<String>,
    /// The attributes this backend can write, where it knows them (AMS person fields, REDCap
    /// role and rights, none on Periscope); `None` = any attribute not read-only. The engine
    /// leaves other attributes of the desired state out on this site and says so in the plan.
    #[serde(default)]
    pub writable_attributes: Option<Vec<String>>,
}

impl Capabilities {
    /// Everything allowed, no limits: the in-memory reference directory.
    pub fn full() -> Self {
        Self {
            list_users: true,
            get_user: true,
            create_user: true,
            update_user: true,
            delete_user: true,
            deactivate_user: true,
            list_groups: true,
            create_group: true,
            delete_group: true,
            read_membership: true,
            write_membership: true,
            max_groups_per_user: None,
            batch_max: 1,
            server_side_filter: true,
            remote_dry_run: false,
            avatar_upload: false,
            page_size: None,
            read_only_fields: Vec::new(),
            writable_attributes: None,
        }
    }

    /// Nothing allowed: a starting point for a backend that states what it can do.
    pub fn none() -> Self {
        Self {
            list_users: false,
            get_user: false,
            create_user: false,
            update_user: false,
            delete_user: false,
            deactivate_user: false,
            list_groups: false,
            create_group: false,
            delete_group: false,
            read_membership: false,
            write_membership: false,
            max_groups_per_user: None,
            batch_max: 1,
            server_side_filter: false,
            remote_dry_run: false,
            avatar_upload: false,
            page_size: None,
            read_only_fields: Vec::new(),
            writable_attributes: None,
        }
    }

    /// True when the engine may write `field` (a canonical field or attribute name) here.
    pub fn can_write_field(&self, field: &str) -> bool {
        const CANONICAL: [&str; 7] = [
            "username",
            "email",
            "first_name",
            "last_name",
            "active",
            "groups",
            "password",
        ];
        let not_read_only = !self.read_only_fields.iter().any(|f| f == field);
        let attribute_allowed = CANONICAL.contains(&field)
            || self
                .writable_attributes
                .as_ref()
                .is_none_or(|writable| writable.iter().any(|w| w == field));
        not_read_only && attribute_allowed
    }

    /// Every `(name, value)` row, in the canonical order, for tables and reports.
    pub fn rows(&self) -> Vec<(&'static str, String)> {
        let yes_no = |flag: bool| if flag { "yes" } else { "no" }.to_owned();
        let limit = |value: Option<String>| value.unwrap_or_else(|| "none".to_owned());
        vec![
            ("list_users", yes_no(self.list_users)),
            ("get_user", yes_no(self.get_user)),
            ("create_user", yes_no(self.create_user)),
            ("update_user", yes_no(self.update_user)),
            ("delete_user", yes_no(self.delete_user)),
            ("deactivate_user", yes_no(self.deactivate_user)),
            ("list_groups", yes_no(self.list_groups)),
            ("create_group", yes_no(self.create_group)),
            ("delete_group", yes_no(self.delete_group)),
            ("read_membership", yes_no(self.read_membership)),
            ("write_membership", yes_no(self.write_membership)),
            (
                "max_groups_per_user",
                limit(self.max_groups_per_user.map(|n| n.to_string())),
            ),
            ("batch_max", self.batch_max.to_string()),
            ("server_side_filter", yes_no(self.server_side_filter)),
            ("remote_dry_run", yes_no(self.remote_dry_run)),
            ("avatar_upload", yes_no(self.avatar_upload)),
            ("page_size", limit(self.page_size.map(|n| n.to_string()))),
            (
                "read_only_fields",
                limit(
                    (!self.read_only_fields.is_empty()).then(|| self.read_only_fields.join(", ")),
                ),
            ),
            (
                "writable_attributes",
                match &self.writable_attributes {
                    None => "any".to_owned(),
                    Some(names) if names.is_empty() => "none".to_owned(),
                    Some(names) => names.join(", "),
                },
            ),
        ]
    }
}

impl Default for Capabilities {
    fn default() -> Self {
        Self::none()
    }
}

impl fmt::Display for Capabilities {
    /// A two-column table: capability and value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = self.rows();
        let width = rows.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
        writeln!(f, "{:<width$}  value", "capability")?;
        writeln!(f, "{:-<width$}  -----", "")?;
        for (name, value) in rows {
            writeln!(f, "{name:<width$}  {value}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_an_aligned_table_of_every_capability() {
        let mut caps = Capabilities::full();
        caps.max_groups_per_user = Some(1);
        caps.batch_max = 500;
        let text = caps.to_string();
        assert!(text.starts_with("capability"));
        assert!(text.contains("max_groups_per_user  1\n"));
        assert!(text.contains("batch_max            500\n"));
        assert!(text.contains("page_size            none\n"));
        assert_eq!(text.lines().count(), 2 + 19);
    }
}
