//! Normalisation shared by correlation and diff: keys and values compare in one canonical
//! form (trimmed text, lower-case email, ISO dates) so cosmetic differences are not changes.

use std::borrow::Cow;

use roster_core::model::value_as_text;
use roster_core::{User, UserKeyKind};
use serde_json::Value;

/// A key value in the form keys are compared in: trimmed, and lower-case for emails.
/// Borrows when the value is already in that form, which it nearly always is.
pub(crate) fn key<'a>(kind: &UserKeyKind, value: &'a str) -> Cow<'a, str> {
    let trimmed = trim(value);
    if *kind == UserKeyKind::Email && trimmed.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(trimmed.to_ascii_lowercase())
    } else {
        Cow::Borrowed(trimmed)
    }
}

/// A site user's value for a key kind, as given (not normalised). Borrows wherever the model
/// holds the key as text, so looking up a million users allocates nothing.
pub(crate) fn user_key<'a>(user: &'a User, kind: &UserKeyKind) -> Option<Cow<'a, str>> {
    match kind {
        UserKeyKind::Id => Some(Cow::Borrowed(&user.id)),
        UserKeyKind::Username => user.username.as_deref().map(Cow::Borrowed),
        UserKeyKind::Email => user.email.as_deref().map(Cow::Borrowed),
        UserKeyKind::Attribute(name) if name == "about" => user.about().map(Cow::Owned),
        UserKeyKind::Attribute(name) => match user.attributes.get(name)? {
            Value::String(text) => Some(Cow::Borrowed(text)),
            other => value_as_text(other).map(Cow::Owned),
        },
    }
}

/// `str::trim`, with a shortcut for the usual text that has nothing to trim: keys are
/// normalised millions of times per plan.
fn trim(value: &str) -> &str {
    let bytes = value.as_bytes();
    let clean = |byte: Option<&u8>| byte.is_none_or(|b| b.is_ascii_graphic());
    if clean(bytes.first()) && clean(bytes.last()) {
        value
    } else {
        value.trim()
    }
}

/// True when two texts are the same after trimming.
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    a == b || trim(a) == trim(b)
}

/// True when two emails are the same address (trimmed, case-insensitive).
pub(crate) fn same_email(a: &str, b: &str) -> bool {
    a == b || trim(a).eq_ignore_ascii_case(trim(b))
}

/// True when two attribute values mean the same: equal JSON, or equal as trimmed text (a
/// CSV cell `"42"` against a site's number `42`), or the same calendar date (`2001-02-03`
/// against `2001-02-03T00:00:00`).
pub(crate) fn same_value(a: &Value, b: &Value) -> bool {
    if a == b {
        return true;
    }
    match (scalar_text(a), scalar_text(b)) {
        (Some(a), Some(b)) => a.trim() == b.trim() || same_date(&a, &b),
        _ => false,
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn same_date(a: &str, b: &str) -> bool {
    matches!((date_part(a), date_part(b)), (Some(a), Some(b)) if a == b)
}

/// The `YYYY-MM-DD` of a date or of a date-time (`T` or space after the date), if `text` is
/// one.
pub(crate) fn date_part(text: &str) -> Option<&str> {
    let text = text.trim();
    let day = text.get(..10)?;
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    let rest = &text[10..];
    (rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')).then_some(day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn emails_lower_case_and_borrow_when_already_normal() {
        assert_eq!(key(&UserKeyKind::Email, " Ada@X.org "), "ada@x.org");
        assert!(matches!(
            key(&UserKeyKind::Email, "ada@x.org"),
            Cow::Borrowed(_)
        ));
        assert_eq!(key(&UserKeyKind::Username, "Ada"), "Ada");
        assert_eq!(key(&UserKeyKind::Username, "\u{a0}Ada "), "Ada");
        assert!(same_text(" Ada", "Ada") && !same_text("Ada", "ada"));
        assert!(same_email("ADA@x.org ", "ada@x.org"));
    }

    #[test]
    fn values_compare_as_text_and_dates() {
        assert!(same_value(&json!("42"), &json!(42)));
        assert!(same_value(
            &json!("2001-02-03"),
            &json!("2001-02-03T00:00:00")
        ));
        assert!(!same_value(&json!("2001-02-03"), &json!("2001-02-04")));
        assert!(!same_value(&json!({"a": 1}), &json!("a")));
    }
}
