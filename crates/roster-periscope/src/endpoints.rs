//! The URLs of the API: `/api/v1/users` and `/api/v1/groups[/<name>]`, with `test_mode` sent
//! explicitly on every write and never on a read.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::Url;
use roster_core::DirectoryError;

/// Everything but the RFC 3986 unreserved characters is encoded in a group name segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Builds the URLs of one site.
pub(crate) struct Endpoints {
    base_url: String,
}

impl Endpoints {
    /// `base_url` without a trailing `/`.
    pub fn new(base_url: String) -> Self {
        Self { base_url }
    }

    /// `GET /api/v1/users`, or a later page of it.
    pub fn users_read(&self, next_page_start: Option<&str>) -> Result<Url, DirectoryError> {
        let mut url = self.parse("/api/v1/users")?;
        if let Some(token) = next_page_start {
            url.query_pairs_mut().append_pair("next_page_start", token);
        }
        Ok(url)
    }

    /// `POST|PUT|DELETE /api/v1/users?test_mode=…`.
    pub fn users_write(&self, test_mode: bool) -> Result<Url, DirectoryError> {
        self.parse(&format!("/api/v1/users?test_mode={test_mode}"))
    }

    /// `GET /api/v1/groups`, or a later page of it.
    pub fn groups_read(&self, next_page_start: Option<&str>) -> Result<Url, DirectoryError> {
        let mut url = self.parse("/api/v1/groups")?;
        if let Some(token) = next_page_start {
            url.query_pairs_mut().append_pair("next_page_start", token);
        }
        Ok(url)
    }

    /// `POST /api/v1/groups?test_mode=…`.
    pub fn groups_write(&self, test_mode: bool) -> Result<Url, DirectoryError> {
        self.parse(&format!("/api/v1/groups?test_mode={test_mode}"))
    }

    /// `GET /api/v1/groups/<name>`.
    pub fn group_read(&self, name: &str) -> Result<Url, DirectoryError> {
        self.parse(&format!("/api/v1/groups/{}", segment(name)))
    }

    /// `PUT|DELETE /api/v1/groups/<name>?test_mode=…`.
    pub fn group_write(&self, name: &str, test_mode: bool) -> Result<Url, DirectoryError> {
        self.parse(&format!(
            "/api/v1/groups/{}?test_mode={test_mode}",
            segment(name)
        ))
    }

    fn parse(&self, path_and_query: &str) -> Result<Url, DirectoryError> {
        let text = format!("{}{path_and_query}", self.base_url);
        Url::parse(&text)
            .map_err(|error| DirectoryError::config(format!("bad URL {text}: {error}")))
    }
}

fn segment(name: &str) -> String {
    utf8_percent_encode(name, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoints() -> Endpoints {
        Endpoints::new("https://api.periscopedata.com".into())
    }

    #[test]
    fn group_names_are_one_encoded_segment() {
        let url = endpoints().group_write("All Users/x+y Ω", false).unwrap();
        assert_eq!(
            url.as_str(),
            "https://api.periscopedata.com/api/v1/groups/All%20Users%2Fx%2By%20%CE%A9?test_mode=false"
        );
        assert_eq!(
            endpoints().group_read("a-b.c_d~e").unwrap().path(),
            "/api/v1/groups/a-b.c_d~e"
        );
    }

    #[test]
    fn writes_say_test_mode_and_reads_do_not() {
        assert_eq!(
            endpoints().users_write(true).unwrap().query(),
            Some("test_mode=true")
        );
        assert_eq!(endpoints().users_read(None).unwrap().query(), None);
        assert_eq!(
            endpoints().users_read(Some("a b&c")).unwrap().query(),
            Some("next_page_start=a+b%26c")
        );
    }
}
