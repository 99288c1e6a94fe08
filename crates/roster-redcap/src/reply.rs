//! Reading REDCap's answers: which ones are errors (spec §5.2, including the errors that come
//! with HTTP 200), what kind and class each error is, and the names an all-or-nothing error
//! lists.

use std::time::Duration;

use roster_core::{DirectoryError, ErrorClass, ErrorKind};

/// Longest excerpt of a response body an error carries.
const EXCERPT_CHARS: usize = 300;

/// Whether a call may be repeated when it fails after the request was sent (spec §5.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Repeating yields the same state: exports, full-row updates, mapping imports, renames.
    Safe,
    /// The write may have happened and a repeat is not neutral: creates and deletes.
    Unsafe,
}

impl Repeat {
    /// The class of a failure after the request was sent.
    pub(crate) fn after_send(self) -> ErrorClass {
        match self {
            Repeat::Safe => ErrorClass::Temporary,
            Repeat::Unsafe => ErrorClass::Ambiguous,
        }
    }
}

/// The error a response reports in its body, if any: a JSON object with an `error` key, a
/// body starting with `ERROR:`, or the XML wrapper `<error>…</error>`.
pub(crate) fn reported_error(body: &str) -> Option<String> {
    let trimmed = body.trim_start();
    if let Some(rest) = trimmed.strip_prefix("ERROR:") {
        return Some(rest.trim().to_owned());
    }
    if trimmed.starts_with('{') {
        if let Ok(serde_json::Value::Object(object)) = serde_json::from_str(trimmed) {
            return object.get("error").map(|error| match error {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            });
        }
    }
    if trimmed.starts_with("<?xml") || trimmed.starts_with("<hash>") {
        let start = trimmed.find("<error>")? + "<error>".len();
        let end = trimmed[start..].find("</error>")? + start;
        return Some(xml_unescape(&trimmed[start..end]));
    }
    None
}

fn xml_unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// At most [`EXCERPT_CHARS`] characters of `body`, with the token blanked out should the
/// server ever echo it.
pub(crate) fn excerpt(body: &str, token: &str) -> String {
    let cleaned = if token.is_empty() {
        body.trim().to_owned()
    } else {
        body.trim().replace(token, "[token]")
    };
    let mut chars = cleaned.chars();
    let mut short: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    if chars.next().is_some() {
        short.push('…');
    }
    short
}

/// The error for a response with a status other than 200 (spec §5.2 classes).
pub(crate) fn status_error(
    status: u16,
    message: String,
    retry_after: Option<Duration>,
    repeat: Repeat,
) -> DirectoryError {
    let error = match status {
        400 => DirectoryError::new(ErrorKind::Invalid {
            field: None,
            message,
        }),
        401 => DirectoryError::new(ErrorKind::Unauthorized { message }),
        403 => DirectoryError::new(ErrorKind::Forbidden { message }),
        429 => DirectoryError::new(ErrorKind::RateLimited { retry_after }),
        // 500 and 501 come from a server that processed and refused the request; spec §5.3
        // says never to repeat them.
        500 | 501 => DirectoryError::new(ErrorKind::Server {
            status,
            body: message,
        })
        .with_class(ErrorClass::Permanent),
        502.. => DirectoryError::new(ErrorKind::Server {
            status,
            body: message,
        })
        .with_class(repeat.after_send()),
        _ => DirectoryError::new(ErrorKind::Server {
            status,
            body: message,
        })
        .with_class(ErrorClass::Permanent),
    };
    error.with_retry_after(retry_after)
}

/// An error REDCap reported with HTTP 200 (the `dag` switch errors, say).
pub(crate) fn ok_status_error(message: String) -> DirectoryError {
    DirectoryError::new(ErrorKind::Invalid {
        field: None,
        message,
    })
}

/// A body that is not what the call returns on success.
pub(crate) fn decode_error(message: impl Into<String>) -> DirectoryError {
    DirectoryError::new(ErrorKind::Decode {
        message: message.into(),
    })
}

/// The names an all-or-nothing delete lists as missing: `… do not exist: a, b` (users,
/// roles, DAGs). `None` when the message is another error.
pub(crate) fn names_that_do_not_exist(message: &str) -> Option<Vec<String>> {
    let (_, list) = message.split_once("do not exist: ")?;
    let names: Vec<String> = list
        .lines()
        .next()
        .unwrap_or_default()
        .split(',')
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .collect();
    (!names.is_empty()).then_some(names)
}

/// The message text of an Invalid error, for matching the server's wording.
pub(crate) fn invalid_message(error: &DirectoryError) -> Option<&str> {
    match error.kind() {
        ErrorKind::Invalid { message, .. } => Some(message),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_found_in_json_csv_and_xml_bodies() {
        assert_eq!(
            reported_error(r#"{"error":"You do not have API Import\/Update privileges"}"#)
                .as_deref(),
            Some("You do not have API Import/Update privileges")
        );
        assert_eq!(
            reported_error("ERROR: Invalid DAG").as_deref(),
            Some("Invalid DAG")
        );
        assert_eq!(
            reported_error(
                r#"<?xml version="1.0" encoding="UTF-8" ?><hash><error>a &amp; b</error></hash>"#
            )
            .as_deref(),
            Some("a & b")
        );
        assert_eq!(reported_error("1"), None);
        assert_eq!(reported_error(r#"[{"username":"a"}]"#), None);
        assert_eq!(reported_error(r#"{"other":1}"#), None);
    }

    #[test]
    fn statuses_map_to_kinds_and_classes() {
        let class = |status, repeat| status_error(status, "m".into(), None, repeat).class();
        assert_eq!(class(400, Repeat::Safe), ErrorClass::Permanent);
        assert_eq!(class(403, Repeat::Safe), ErrorClass::Permanent);
        assert_eq!(class(500, Repeat::Safe), ErrorClass::Permanent);
        assert_eq!(class(501, Repeat::Safe), ErrorClass::Permanent);
        assert_eq!(class(503, Repeat::Safe), ErrorClass::Temporary);
        assert_eq!(class(503, Repeat::Unsafe), ErrorClass::Ambiguous);
        assert_eq!(class(404, Repeat::Safe), ErrorClass::Permanent);
        let limited = status_error(
            429,
            "m".into(),
            Some(Duration::from_secs(3)),
            Repeat::Unsafe,
        );
        assert_eq!(limited.class(), ErrorClass::Temporary);
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(3)));
    }

    #[test]
    fn missing_names_are_read_from_delete_errors() {
        let message = "One or more of the users provided are not valid usernames that do not \
                       exist in this project. Note: No users were deleted. Users that do not \
                       exist: carol, ghost";
        assert_eq!(
            names_that_do_not_exist(message),
            Some(vec!["carol".to_owned(), "ghost".to_owned()])
        );
        assert_eq!(names_that_do_not_exist("The Role Label is blank."), None);
    }

    #[test]
    fn excerpts_are_short_and_never_show_the_token() {
        let token = "0123456789ABCDEF0123456789ABCDEF";
        let body = format!("bad token {token} {}", "x".repeat(1000));
        let short = excerpt(&body, token);
        assert!(!short.contains(token));
        assert!(short.chars().count() <= EXCERPT_CHARS + 1);
    }
}
