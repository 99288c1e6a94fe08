//! Following `next_page_start` through a list, and refusing a list that would never end.

use std::collections::BTreeSet;

/// Consecutive empty pages that still name a next one before the list is refused. A server
/// may well send an empty page now and then; a run of them that goes on is a loop.
pub(crate) const MAX_EMPTY_PAGES: usize = 5;

/// Where a paged list goes next.
pub(crate) struct PageCursor {
    /// `user` or `group`, for messages.
    what: &'static str,
    next: Option<String>,
    seen: BTreeSet<String>,
    empty_run: usize,
}

impl PageCursor {
    /// Before the first page of a list of `what`s.
    pub(crate) fn new(what: &'static str) -> Self {
        Self {
            what,
            next: None,
            seen: BTreeSet::new(),
            empty_run: 0,
        }
    }

    /// The token of the page to read now (`None` for the first).
    pub(crate) fn token(&self) -> Option<&str> {
        self.next.as_deref()
    }

    /// Takes a page of `items` entities that names `token` as the next: `Ok(true)` to read
    /// on, `Ok(false)` at the end, and a message when the list repeats a token or sends
    /// [`MAX_EMPTY_PAGES`] empty pages in a row that still name another.
    pub(crate) fn advance(&mut self, items: usize, token: Option<String>) -> Result<bool, String> {
        let Some(token) = token else {
            return Ok(false);
        };
        if !self.seen.insert(token.clone()) {
            return Err(format!(
                "the {} list repeats page token {token:?}",
                self.what
            ));
        }
        self.empty_run = if items == 0 { self.empty_run + 1 } else { 0 };
        if self.empty_run >= MAX_EMPTY_PAGES {
            return Err(format!(
                "the {} list sent {MAX_EMPTY_PAGES} empty pages in a row, each naming another",
                self.what
            ));
        }
        self.next = Some(token);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_ends_where_no_next_page_is_named() {
        let mut cursor = PageCursor::new("user");
        assert_eq!(cursor.token(), None);
        assert_eq!(cursor.advance(3, Some("a".into())), Ok(true));
        assert_eq!(cursor.token(), Some("a"));
        assert_eq!(cursor.advance(3, None), Ok(false));
    }

    #[test]
    fn a_repeated_token_is_refused() {
        let mut cursor = PageCursor::new("group");
        assert_eq!(cursor.advance(1, Some("a".into())), Ok(true));
        assert_eq!(cursor.advance(1, Some("b".into())), Ok(true));
        let refused = cursor.advance(1, Some("a".into())).unwrap_err();
        assert_eq!(refused, "the group list repeats page token \"a\"");
    }

    #[test]
    fn a_few_empty_pages_are_followed_but_an_endless_run_is_refused() {
        let mut cursor = PageCursor::new("user");
        for page in 0..MAX_EMPTY_PAGES - 1 {
            assert_eq!(cursor.advance(0, Some(format!("e{page}"))), Ok(true));
        }
        // A page with users resets the run.
        assert_eq!(cursor.advance(2, Some("full".into())), Ok(true));
        for page in 0..MAX_EMPTY_PAGES - 1 {
            assert_eq!(cursor.advance(0, Some(format!("f{page}"))), Ok(true));
        }
        let refused = cursor.advance(0, Some("last".into())).unwrap_err();
        assert!(refused.contains("5 empty pages in a row"), "{refused}");
    }
}
