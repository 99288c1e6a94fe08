//! AMS value conventions and their canonical forms (spec §3.3, §3.4).

use chrono::NaiveDate;

const AMS_DATE: &str = "%d/%m/%Y";
const ISO_DATE: &str = "%Y-%m-%d";

/// `accountExpiration` holds this when the account never lapses (INFERRED, spec §3.1).
pub const NEVER_EXPIRES: &str = "01/01/1970";

/// `DD/MM/YYYY` → `YYYY-MM-DD`; `None` when the text is not an AMS date.
pub fn ams_date_to_iso(text: &str) -> Option<String> {
    NaiveDate::parse_from_str(text.trim(), AMS_DATE)
        .ok()
        .map(|date| date.format(ISO_DATE).to_string())
}

/// `YYYY-MM-DD` → `DD/MM/YYYY`; `None` when the text is not an ISO date.
pub fn iso_date_to_ams(text: &str) -> Option<String> {
    NaiveDate::parse_from_str(text.trim(), ISO_DATE)
        .ok()
        .map(|date| date.format(AMS_DATE).to_string())
}

/// The canonical sex names, in code order.
const SEXES: [(&str, &str); 3] = [("0", "MALE"), ("1", "FEMALE"), ("2", "UNSPECIFIED")];

/// `"0"` → `MALE`, `"1"` → `FEMALE`, `"2"` → `UNSPECIFIED`.
pub fn sex_name(code: &str) -> Option<&'static str> {
    SEXES
        .iter()
        .find(|(known, _)| *known == code.trim())
        .map(|(_, name)| *name)
}

/// `MALE` / `FEMALE` / `UNSPECIFIED` (any case) → the code `person/save` takes.
pub fn sex_code(name: &str) -> Option<&'static str> {
    SEXES
        .iter()
        .find(|(_, known)| known.eq_ignore_ascii_case(name.trim()))
        .map(|(code, _)| *code)
}

/// Phone type code → name. EMERGENCY's code was never recorded; 2 is the project's choice
/// (spec §6.7). Unknown codes are kept as their number.
pub fn phone_type_name(code: i64) -> String {
    match code {
        0 => "HOME".into(),
        1 => "MOBILE".into(),
        2 => "EMERGENCY".into(),
        4 => "OTHER".into(),
        other => other.to_string(),
    }
}

/// Address type code → name; unknown codes are kept as their number.
pub fn address_type_name(code: i64) -> String {
    match code {
        0 => "PRIMARY".into(),
        1 => "ALTERNATIVE".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert_both_ways_and_refuse_other_shapes() {
        assert_eq!(ams_date_to_iso("01/12/1990").as_deref(), Some("1990-12-01"));
        assert_eq!(iso_date_to_ams("2000-01-31").as_deref(), Some("31/01/2000"));
        assert_eq!(iso_date_to_ams("31/01/2000"), None);
        assert_eq!(iso_date_to_ams("2000-02-30"), None);
        assert_eq!(ams_date_to_iso("2000-01-31"), None);
        assert_eq!(ams_date_to_iso(""), None);
    }

    #[test]
    fn sex_codes_and_names_match_the_recorded_table() {
        assert_eq!(sex_name("0"), Some("MALE"));
        assert_eq!(sex_name("1"), Some("FEMALE"));
        assert_eq!(sex_name("2"), Some("UNSPECIFIED"));
        assert_eq!(sex_name("7"), None);
        assert_eq!(sex_code("Female"), Some("1"));
        assert_eq!(sex_code("UNSPECIFIED"), Some("2"));
        assert_eq!(sex_code("other"), None);
    }

    #[test]
    fn contact_types_are_named() {
        assert_eq!(phone_type_name(1), "MOBILE");
        assert_eq!(phone_type_name(9), "9");
        assert_eq!(address_type_name(1), "ALTERNATIVE");
    }
}
