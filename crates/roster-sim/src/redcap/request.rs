//! Reading an API request: form fields, PHP bracket arrays and the formats (spec §1.2-1.5).

use std::collections::HashMap;

/// The format of success bodies and import data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    /// `xml`, and also `odm` and anything unrecognised.
    Xml,
}

impl Format {
    /// `format`: exactly `json`, `csv` or `odm` is kept (case-sensitive), else `xml`.
    pub fn of_format(format: Option<&str>) -> Self {
        match format {
            Some("json") => Format::Json,
            Some("csv") => Format::Csv,
            _ => Format::Xml,
        }
    }

    /// `returnFormat` lower-cased when non-empty, else `format`; `json` and `csv` kept, else `xml`.
    pub fn of_return_format(return_format: Option<&str>, format: Option<&str>) -> Self {
        let chosen = match return_format.filter(|r| !r.is_empty()) {
            Some(r) => r.to_lowercase(),
            None => format.unwrap_or_default().to_owned(),
        };
        match chosen.as_str() {
            "json" => Format::Json,
            "csv" => Format::Csv,
            _ => Format::Xml,
        }
    }

    /// The `Content-Type` of a body in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xml => "text/xml; charset=utf-8",
        }
    }
}

/// The fields of one request, in order of appearance.
#[derive(Debug, Default)]
pub struct ApiRequest {
    fields: HashMap<String, String>,
    arrays: HashMap<String, Vec<String>>,
}

impl ApiRequest {
    /// Parses `application/x-www-form-urlencoded` text (a body or a query string).
    pub fn parse(text: &[u8]) -> Self {
        let mut request = ApiRequest::default();
        for (key, value) in form_urlencoded::parse(text) {
            match key.find('[') {
                Some(open) if key.ends_with(']') => {
                    // `x[0]=` and `x[]=` both append, in order of appearance.
                    request
                        .arrays
                        .entry(key[..open].to_owned())
                        .or_default()
                        .push(value.into_owned());
                }
                _ => {
                    request.fields.insert(key.into_owned(), value.into_owned());
                }
            }
        }
        request
    }

    /// A scalar field (the last one wins, as in PHP).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    /// A bracket array; `None` when missing or sent as a scalar ("not an array").
    pub fn array(&self, name: &str) -> Option<&[String]> {
        self.arrays.get(name).map(Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_and_scalars() {
        let r = ApiRequest::parse(b"users%5B0%5D=a&users%5B1%5D=b&users[]=c&token=T&data=");
        assert_eq!(r.array("users").unwrap(), ["a", "b", "c"]);
        assert_eq!(r.field("token"), Some("T"));
        assert_eq!(r.field("data"), Some(""));
        assert!(ApiRequest::parse(b"users=a").array("users").is_none());
    }

    #[test]
    fn formats() {
        assert_eq!(Format::of_format(Some("JSON")), Format::Xml);
        assert_eq!(Format::of_return_format(Some("JSON"), None), Format::Json);
        assert_eq!(Format::of_return_format(Some(""), Some("csv")), Format::Csv);
        assert_eq!(Format::of_return_format(None, Some("odm")), Format::Xml);
    }
}
