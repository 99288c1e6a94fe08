//! Unique DAG names: derived from the labels on every request, never stored (spec §2.4).

use md5::{Digest, Md5};

/// The unique names of DAGs given in export order (labels as stored).
pub fn unique_names<'a>(labels_in_export_order: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut names = Vec::new();
    for label in labels_in_export_order {
        let base = base_name(label);
        let k = seen.iter().filter(|b| **b == base).count();
        names.push(format!("{base}{}", suffix(k)));
        seen.push(base);
    }
    names
}

/// Step 2-4: the name before its duplicate suffix.
fn base_name(label: &str) -> String {
    let decoded = html_decode(label);
    let kept: String = decoded
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ' ')
        .collect();
    let mut base: String = kept
        .replace(' ', "_")
        .chars()
        .take(18)
        .collect::<String>()
        .to_lowercase();
    if base.ends_with('_') {
        base.pop();
    }
    if base.is_empty() {
        let digest = Md5::digest(label.as_bytes());
        base = digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()[..10]
            .to_owned();
    }
    base
}

/// Step 5: none, `b`…`z`, then two letters, then `??`.
fn suffix(k: usize) -> String {
    match k {
        0 => String::new(),
        1..=25 => char::from(b'a' + k as u8).to_string(),
        26..=701 => {
            let first = char::from(b'a' + (k / 26) as u8 - 1);
            let second = char::from(b'a' + (k % 26) as u8);
            format!("{first}{second}")
        }
        _ => "??".into(),
    }
}

/// The HTML entities a label may carry once stored.
fn html_decode(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples() {
        assert_eq!(
            unique_names(["New DAG", "New DAG", "Test DAG", "Site #1 (Boston)"]),
            ["new_dag", "new_dagb", "test_dag", "site_1_boston"]
        );
        assert_eq!(suffix(26), "aa");
        assert_eq!(suffix(27), "ab");
        assert_eq!(suffix(701), "zz");
        assert_eq!(suffix(702), "??");
        assert_eq!(unique_names(["日本語"])[0].len(), 10);
        assert_eq!(
            unique_names(["A very long label for a site"])[0],
            "a_very_long_label"
        );
    }
}
