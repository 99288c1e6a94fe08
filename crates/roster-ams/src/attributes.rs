//! The canonical attributes AMS stores: which ones roster may write, with their wire keys and
//! conversions, and which ones it only reads (spec §3.1).

/// How a writable attribute's canonical value becomes its wire value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    /// Sent as it is.
    Text,
    /// ISO `YYYY-MM-DD` ↔ `DD/MM/YYYY`.
    Date,
    /// `MALE` / `FEMALE` / `UNSPECIFIED` ↔ `"0"` / `"1"` / `"2"`.
    Sex,
}

/// An attribute roster may write, with its wire key.
pub struct Writable {
    pub name: &'static str,
    pub key: &'static str,
    pub conversion: Conversion,
    /// False where AMS needs a value (`dob`, `sex`) or replaces an empty one (`language`).
    pub clearable: bool,
}

pub const WRITABLE: [Writable; 7] = [
    Writable {
        name: "dob",
        key: "dateOfBirth",
        conversion: Conversion::Date,
        clearable: false,
    },
    Writable {
        name: "sex",
        key: "sex",
        conversion: Conversion::Sex,
        clearable: false,
    },
    Writable {
        name: "uuid",
        key: "uuid",
        conversion: Conversion::Text,
        clearable: true,
    },
    Writable {
        name: "known_as",
        key: "knownAs",
        conversion: Conversion::Text,
        clearable: true,
    },
    Writable {
        name: "middle_names",
        key: "middleNames",
        conversion: Conversion::Text,
        clearable: true,
    },
    Writable {
        name: "language",
        key: "language",
        conversion: Conversion::Text,
        clearable: false,
    },
    Writable {
        name: "sidebar_width",
        key: "sidebarWidth",
        conversion: Conversion::Text,
        clearable: true,
    },
];

/// Attributes AMS reports but roster never writes.
pub const READ_ONLY: [&str; 10] = [
    "timezone",
    "avatar_id",
    "organisation_id",
    "owner_id",
    "admin",
    "expiration",
    "phone_numbers",
    "addresses",
    "coach_groups",
    "role",
];
