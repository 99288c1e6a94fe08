//! The rights keys of the user and role exports, by emulated version and enabled features
//! (spec §2.1, §2.2, §6.4).

use serde::{Deserialize, Serialize};

/// An emulated REDCap version, e.g. `15.7.6`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// The version the spec's behaviour was read from.
    pub const DEFAULT: Version = Version(15, 7, 6);

    /// Parses `major.minor.patch` (missing parts are 0); `None` when it is not a version.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().split('.').map(|p| p.parse::<u32>());
        let major = parts.next()?.ok()?;
        let minor = parts.next().transpose().ok()?.unwrap_or(0);
        let patch = parts.next().transpose().ok()?.unwrap_or(0);
        Some(Version(major, minor, patch))
    }

    /// `data_access_group_label` in the user export.
    pub fn has_dag_label(self) -> bool {
        self >= Version(16, 0, 0)
    }

    /// `email_logging` exists.
    pub fn has_email_logging(self) -> bool {
        self >= Version(14, 4, 0)
    }

    /// `api_modules` exists.
    pub fn has_api_modules(self) -> bool {
        self >= Version(14, 0, 3)
    }

    /// The bitmask form rights are accepted.
    pub fn has_form_bitmask(self) -> bool {
        self >= Version(15, 6, 0)
    }

    /// The role CSV export repeats the `forms` pairs in `forms_export` (CHOSEN: before 16).
    pub fn has_role_csv_bug(self) -> bool {
        self < Version(16, 0, 0)
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// Project and system features that add or remove rights keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Features {
    pub mobile_app: bool,
    pub mycap: bool,
    pub drw: bool,
    pub dde: bool,
    pub randomization: bool,
}

impl Default for Features {
    fn default() -> Self {
        Self {
            mobile_app: true,
            mycap: false,
            drw: false,
            dde: false,
            randomization: false,
        }
    }
}

/// The emulation context the key lists depend on.
#[derive(Clone, Copy, Debug)]
pub struct Emulation {
    pub version: Version,
    pub features: Features,
}

impl Emulation {
    /// The core rights of the user export, in order (before the optional module rights).
    pub fn user_core_rights(&self) -> Vec<&'static str> {
        let mut keys = self.head_rights();
        keys.extend([
            "lock_records_all_forms",
            "lock_records",
            "lock_records_customization",
        ]);
        keys
    }

    /// The core rights of the role export, in order: the `lock_*` keys are reversed.
    pub fn role_core_rights(&self) -> Vec<&'static str> {
        let mut keys = self.head_rights();
        keys.extend([
            "lock_records_customization",
            "lock_records",
            "lock_records_all_forms",
        ]);
        keys
    }

    /// Optional module rights that come before `forms` (roles) or after the core (users).
    pub fn module_rights_before_forms(&self) -> Vec<&'static str> {
        if self.features.mycap {
            vec!["mycap_participants"]
        } else {
            Vec::new()
        }
    }

    /// Optional module rights that come after `forms_export` in the role export.
    pub fn module_rights_after_forms(&self) -> Vec<&'static str> {
        let mut keys = Vec::new();
        if self.features.drw {
            keys.push("data_quality_resolution");
        }
        if self.features.dde {
            keys.push("double_data");
        }
        if self.features.randomization {
            keys.extend(["random_setup", "random_dashboard", "random_perform"]);
        }
        keys
    }

    /// Every optional module right, in user-export order.
    pub fn module_rights(&self) -> Vec<&'static str> {
        let mut keys = self.module_rights_before_forms();
        keys.extend(self.module_rights_after_forms());
        keys
    }

    /// Every right a user row can carry.
    pub fn all_user_rights(&self) -> Vec<&'static str> {
        let mut keys = self.user_core_rights();
        keys.extend(self.module_rights());
        keys
    }

    fn head_rights(&self) -> Vec<&'static str> {
        let mut keys = vec![
            "design",
            "alerts",
            "user_rights",
            "data_access_groups",
            "reports",
            "stats_and_charts",
            "manage_survey_participants",
            "calendar",
            "data_import_tool",
            "data_comparison_tool",
            "logging",
        ];
        if self.version.has_email_logging() {
            keys.push("email_logging");
        }
        keys.extend([
            "file_repository",
            "data_quality_create",
            "data_quality_execute",
            "api_export",
            "api_import",
        ]);
        if self.version.has_api_modules() {
            keys.push("api_modules");
        }
        if self.features.mobile_app {
            keys.extend(["mobile_app", "mobile_app_download_data"]);
        }
        keys.extend(["record_create", "record_rename", "record_delete"]);
        keys
    }
}

/// The largest value a user right accepts, or `None` when it is not range-checked.
pub fn user_right_max(key: &str, module_rights: &[&str]) -> Option<i64> {
    match key {
        "user_rights" | "lock_records" => Some(2),
        "alerts" | "email_logging" => None,
        k if module_rights.contains(&k) => None,
        _ => Some(1),
    }
}

/// Accepted `forms` values (legacy 0-3, plus the bitmask values from 15.6).
pub fn valid_form_right(value: i64, version: Version) -> bool {
    matches!(value, 0..=3)
        || (version.has_form_bitmask() && matches!(value, 128 | 129 | 130 | 138 | 146 | 154))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_lists_follow_the_version() {
        let old = Emulation {
            version: Version::parse("14.0.0").unwrap(),
            features: Features::default(),
        };
        assert!(!old.user_core_rights().contains(&"email_logging"));
        assert!(!old.user_core_rights().contains(&"api_modules"));
        let now = Emulation {
            version: Version::DEFAULT,
            features: Features::default(),
        };
        let keys = now.user_core_rights();
        assert_eq!(keys.len(), 26);
        assert_eq!(keys.last(), Some(&"lock_records_customization"));
        assert_eq!(
            now.role_core_rights().last(),
            Some(&"lock_records_all_forms")
        );
        assert!(Version::parse("16.0.0").unwrap().has_dag_label());
        assert!(!Version::DEFAULT.has_dag_label());
    }
}
