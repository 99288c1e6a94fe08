//! AMS code tables (spec §3.3) and date forms (§3.4).

use chrono::NaiveDate;

/// The usersearch name of a sex code; unknown codes read as `UNSPECIFIED`.
pub fn sex_name(code: &str) -> &'static str {
    match code {
        "0" => "MALE",
        "1" => "FEMALE",
        _ => "UNSPECIFIED",
    }
}

/// Parses a sex given to `person/save`: a code or a name in any case; `""` means `"2"`.
pub fn parse_sex(text: &str) -> Option<&'static str> {
    match text.trim().to_ascii_lowercase().as_str() {
        "0" | "male" => Some("0"),
        "1" | "female" => Some("1"),
        "" | "2" | "unspecified" => Some("2"),
        _ => None,
    }
}

/// The usersearch name of a phone type; unknown codes project to `OTHER` (CHOSEN).
pub fn phone_type_name(code: i64) -> &'static str {
    match code {
        0 => "HOME",
        1 => "MOBILE",
        2 => "EMERGENCY",
        _ => "OTHER",
    }
}

/// The usersearch name of an address type; unknown codes project to `ALTERNATIVE` (CHOSEN).
pub fn address_type_name(code: i64) -> &'static str {
    match code {
        0 => "PRIMARY",
        _ => "ALTERNATIVE",
    }
}

/// A phone type given as an int, a numeric string or a name.
pub fn parse_phone_type(value: &serde_json::Value) -> Option<i64> {
    parse_code(
        value,
        &[("HOME", 0), ("MOBILE", 1), ("EMERGENCY", 2), ("OTHER", 4)],
    )
}

/// An address type given as an int, a numeric string or a name.
pub fn parse_address_type(value: &serde_json::Value) -> Option<i64> {
    parse_code(value, &[("PRIMARY", 0), ("ALTERNATIVE", 1)])
}

fn parse_code(value: &serde_json::Value, names: &[(&str, i64)]) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok().or_else(|| {
            names
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(s.trim()))
                .map(|(_, code)| *code)
        }),
        _ => None,
    }
}

/// Parses `DD/MM/YYYY` or ISO `YYYY-MM-DD` into the stored `DD/MM/YYYY` form.
pub fn parse_date(text: &str) -> Option<String> {
    let text = text.trim();
    let date = NaiveDate::parse_from_str(text, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .ok()?;
    Some(date.format("%d/%m/%Y").to_string())
}

/// ISO `YYYY-MM-DD` to `DD/MM/YYYY` (for seeds written in ISO).
pub fn iso_to_ams(iso: &str) -> String {
    parse_date(iso).unwrap_or_else(|| iso.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_sexes() {
        assert_eq!(parse_date("2000-01-01").as_deref(), Some("01/01/2000"));
        assert_eq!(parse_date("24/03/2025").as_deref(), Some("24/03/2025"));
        assert_eq!(parse_date("31/02/2000"), None);
        assert_eq!(parse_sex("Male"), Some("0"));
        assert_eq!(parse_sex(""), Some("2"));
        assert_eq!(parse_sex("robot"), None);
    }
}
