//! Query strings as the SDK sends them: repeated keys for lists, empty values meaning absent,
//! `true`/`false` booleans (spec §6.4).

/// The parsed query of one request.
pub struct Query {
    pairs: Vec<(String, String)>,
}

/// A query value that does not parse; the message names the parameter.
pub struct BadParam(pub String);

impl Query {
    /// Parses a raw query string (`None` = no query).
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs = form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        Query { pairs }
    }

    /// The first non-empty value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every non-empty value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A boolean (`true`/`false`, any case).
    pub fn bool(&self, name: &str) -> Result<Option<bool>, BadParam> {
        self.get(name).map(|v| parse_bool(name, v)).transpose()
    }

    /// An integer.
    pub fn int(&self, name: &str) -> Result<Option<i64>, BadParam> {
        self.get(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| BadParam(format!("Invalid integer value for {name}: '{v}'")))
            })
            .transpose()
    }
}

/// `true`/`false` in any case.
pub fn parse_bool(name: &str, value: &str) -> Result<bool, BadParam> {
    match value.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(BadParam(format!(
            "Invalid boolean value for {name}: '{value}'"
        ))),
    }
}
