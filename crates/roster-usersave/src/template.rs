//! Placeholders in profile strings: `{customer_id}`, `{name}`, `{id}`, …

use std::collections::BTreeMap;

use serde_json::Value;

/// Every placeholder a profile may use.
pub(crate) const KNOWN: [&str; 8] = [
    "customer_id",
    "instance_id",
    "acting_user_email",
    "client_id",
    "group_type",
    "name",
    "slug",
    "id",
];

/// Values for placeholders; a name without a value is "unset".
#[derive(Clone, Debug, Default)]
pub(crate) struct Vars {
    values: BTreeMap<&'static str, String>,
}

/// A placeholder inside a longer text had no value.
#[derive(Debug, PartialEq)]
pub(crate) struct Unset(pub String);

impl Vars {
    /// Sets `name` when `value` is present.
    pub fn with(mut self, name: &'static str, value: Option<&str>) -> Self {
        if let Some(value) = value {
            self.values.insert(name, value.to_owned());
        }
        self
    }

    /// Fills the placeholders of `text`. A text that is exactly one unset placeholder gives
    /// `None` (the field or parameter is left out); an unset placeholder inside a longer text
    /// is an error.
    pub fn fill(&self, text: &str) -> Result<Option<String>, Unset> {
        if let Some(name) = sole_placeholder(text) {
            return Ok(self.values.get(name).cloned());
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some((before, name, after)) = next_placeholder(rest) {
            out.push_str(before);
            let value = self
                .values
                .get(name)
                .ok_or_else(|| Unset(name.to_owned()))?;
            out.push_str(value);
            rest = after;
        }
        out.push_str(rest);
        Ok(Some(out))
    }

    /// Fills the placeholders of a JSON value: strings are filled, anything else is kept.
    pub fn fill_value(&self, value: &Value) -> Result<Option<Value>, Unset> {
        match value {
            Value::String(text) => Ok(self.fill(text)?.map(Value::String)),
            other => Ok(Some(other.clone())),
        }
    }
}

/// Every placeholder name in `text`.
pub(crate) fn placeholders(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some((_, name, after)) = next_placeholder(rest) {
        names.push(name);
        rest = after;
    }
    names
}

fn sole_placeholder(text: &str) -> Option<&str> {
    match next_placeholder(text) {
        Some(("", name, "")) => Some(name),
        _ => None,
    }
}

/// The first `{name}` of `text` (name in `a-z_`): the text before, the name, the text after.
fn next_placeholder(text: &str) -> Option<(&str, &str, &str)> {
    let mut search_from = 0;
    while let Some(open) = text[search_from..].find('{').map(|at| at + search_from) {
        let close = text[open..].find('}').map(|at| at + open)?;
        let name = &text[open + 1..close];
        if !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return Some((&text[..open], name, &text[close + 1..]));
        }
        search_from = open + 1;
    }
    None
}

/// A URL-friendly form of a group name: lower-case ASCII letters and digits, other runs of
/// characters as one `-` (the SDK derives `functionalInnerId` the same way).
pub(crate) fn slug(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        Vars::default()
            .with("customer_id", Some("42"))
            .with("instance_id", None)
    }

    #[test]
    fn fills_embedded_and_sole_placeholders() {
        let vars = vars();
        assert_eq!(
            vars.fill("/v2/organizations/{customer_id}/token"),
            Ok(Some("/v2/organizations/42/token".into()))
        );
        assert_eq!(vars.fill("{customer_id}"), Ok(Some("42".into())));
        assert_eq!(vars.fill("{instance_id}"), Ok(None));
        assert_eq!(
            vars.fill("a/{instance_id}"),
            Err(Unset("instance_id".into()))
        );
        assert_eq!(
            vars.fill("{not a placeholder}"),
            Ok(Some("{not a placeholder}".into()))
        );
        assert_eq!(
            vars.fill_value(&Value::Bool(true)),
            Ok(Some(Value::Bool(true)))
        );
    }

    #[test]
    fn lists_placeholders_and_slugs_names() {
        assert_eq!(placeholders("{a}/x/{b_c}"), ["a", "b_c"]);
        assert_eq!(slug("Suite Group Ω"), "suite-group");
        assert_eq!(slug("  Sales & Marketing "), "sales-marketing");
    }
}
