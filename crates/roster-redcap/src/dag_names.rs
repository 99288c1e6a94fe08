//! REDCap's unique DAG names (spec §2.4): derived from the labels on every request, in export
//! order, so a name depends on its label and on the DAGs listed before it.

use md5::{Digest, Md5};

/// The name a DAG labelled `label` gets when no earlier DAG shares its base: the label
/// HTML-decoded and trimmed, stripped to ASCII letters, digits, `_` and spaces, spaces made
/// `_`, cut to 18 characters, lower-cased, one trailing `_` dropped; when nothing is left, the
/// first 10 hex digits of the label's MD5.
///
/// ```
/// assert_eq!(roster_redcap::base_group_name("Site #1 (Boston)"), "site_1_boston");
/// assert_eq!(roster_redcap::base_group_name("New DAG"), "new_dag");
/// ```
pub fn base_group_name(label: &str) -> String {
    let decoded = html_decode(label);
    let kept: String = decoded
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ' ')
        .map(|c| {
            if c == ' ' {
                '_'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .take(18)
        .collect();
    let base = kept.strip_suffix('_').unwrap_or(&kept).to_owned();
    if base.is_empty() {
        let digest = Md5::digest(label.as_bytes());
        digest
            .iter()
            .take(5)
            .map(|byte| format!("{byte:02x}"))
            .collect()
    } else {
        base
    }
}

/// The unique names of DAGs whose labels are given in export order: the k-th DAG sharing a
/// base gets a suffix (`b`…`z`, then `aa`…`zz`, then `??`).
///
/// ```
/// assert_eq!(
///     roster_redcap::unique_group_names(["New DAG", "New DAG", "Test DAG"]),
///     vec!["new_dag", "new_dagb", "test_dag"]
/// );
/// ```
pub fn unique_group_names<'a>(labels: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut bases: Vec<String> = Vec::new();
    labels
        .into_iter()
        .map(|label| {
            let base = base_group_name(label);
            let earlier = bases.iter().filter(|seen| **seen == base).count();
            let name = format!("{base}{}", suffix(earlier));
            bases.push(base);
            name
        })
        .collect()
}

/// The unique name a new DAG labelled `label` will get, given the labels of the existing DAGs
/// in export order. The export is sorted by trimmed label, case-insensitively, and a new DAG
/// comes after existing ones with an equal label.
pub(crate) fn predict_new_name(existing_labels: &[String], label: &str) -> String {
    let key = sort_key(label);
    let position = existing_labels
        .iter()
        .take_while(|existing| sort_key(existing) <= key)
        .count();
    let mut labels: Vec<&str> = existing_labels.iter().map(String::as_str).collect();
    labels.insert(position, label);
    unique_group_names(labels).swap_remove(position)
}

fn sort_key(label: &str) -> String {
    label.trim().to_lowercase()
}

fn suffix(earlier: usize) -> String {
    let letter = |offset: usize| char::from(b'a' + offset as u8);
    match earlier {
        0 => String::new(),
        1..=25 => letter(earlier).to_string(),
        26..=701 => format!("{}{}", letter(earlier / 26 - 1), letter(earlier % 26)),
        _ => "??".to_owned(),
    }
}

/// Decodes the HTML entities a label may hold (named ones REDCap's labels use, and numeric
/// ones), as the server does before deriving the name.
fn html_decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let decoded = after
            .find(';')
            .filter(|end| *end <= 10)
            .and_then(|end| entity(&after[1..end]).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_examples_hold() {
        assert_eq!(base_group_name("Test DAG"), "test_dag");
        assert_eq!(base_group_name("  Suite Group Ω "), "suite_group");
        assert_eq!(base_group_name("Tom &amp; Jerry"), "tom__jerry");
        assert_eq!(
            base_group_name("A very long label for a site"),
            "a_very_long_label"
        );
        assert_eq!(base_group_name("Zürich"), "zrich");
        let hashed = base_group_name("Ωμέγα");
        assert_eq!(hashed.len(), 10);
        assert!(hashed.chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn suffixes_count_earlier_dags_with_the_same_base() {
        assert_eq!(suffix(1), "b");
        assert_eq!(suffix(25), "z");
        assert_eq!(suffix(26), "aa");
        assert_eq!(suffix(27), "ab");
        assert_eq!(suffix(701), "zz");
        assert_eq!(suffix(702), "??");
    }

    #[test]
    fn a_new_dag_is_named_from_its_place_in_the_export() {
        let existing = vec!["New DAG".to_owned(), "Test DAG".to_owned()];
        assert_eq!(predict_new_name(&existing, "New DAG"), "new_dagb");
        assert_eq!(predict_new_name(&existing, "Site A"), "site_a");
        assert_eq!(predict_new_name(&[], "Site A"), "site_a");
    }
}
