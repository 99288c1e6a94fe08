//! Problems found in a desired-state file, collected so that all are reported at once.

use std::fmt;

use serde::Serialize;

/// One problem in a desired-state file: where, which column, which value, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputProblem {
    /// The file the problem is in.
    pub file: String,
    /// 1-based; 0 when the problem is about the whole file.
    pub line: u64,
    /// The canonical column name, when the problem is about one cell or column.
    pub column: Option<String>,
    /// The offending value; never a password.
    pub value: Option<String>,
    /// What is wrong, and often what to do.
    pub message: String,
}

impl InputProblem {
    /// A problem with the whole file.
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line: 0,
            column: None,
            value: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for InputProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(column) = &self.column {
            write!(f, ": column {column}")?;
        }
        if let Some(value) = &self.value {
            write!(f, ": {value:?}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem found in a desired-state file; nothing was read when there is one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct InputError {
    /// Sorted by line.
    pub problems: Vec<InputProblem>,
}

impl InputError {
    /// An error with one problem.
    pub fn single(problem: InputProblem) -> Self {
        Self {
            problems: vec![problem],
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} problem(s) in the desired state:",
            self.problems.len()
        )?;
        for problem in &self.problems {
            writeln!(f, "  {problem}")?;
        }
        Ok(())
    }
}

/// The most characters of a value a message quotes.
const QUOTED_CHARS: usize = 120;

/// The start of `value`, marked when cut, so one long cell cannot flood the report.
fn excerpt(value: &str) -> String {
    match value.char_indices().nth(QUOTED_CHARS) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_owned(),
    }
}

/// Collects problems for one source.
pub(crate) struct Problems {
    file: String,
    found: Vec<InputProblem>,
}

impl Problems {
    pub fn new(file: &str) -> Self {
        Self {
            file: file.to_owned(),
            found: Vec::new(),
        }
    }

    pub fn add(
        &mut self,
        line: u64,
        column: Option<&str>,
        value: Option<&str>,
        message: impl Into<String>,
    ) {
        self.found.push(InputProblem {
            file: self.file.clone(),
            line,
            column: column.map(str::to_owned),
            value: value.map(excerpt),
            message: message.into(),
        });
    }

    /// True when a problem was already found on `line`.
    pub fn has_line(&self, line: u64) -> bool {
        self.found.iter().any(|problem| problem.line == line)
    }

    pub fn finish(mut self) -> Result<(), InputError> {
        if self.found.is_empty() {
            return Ok(());
        }
        self.found.sort_by_key(|problem| problem.line);
        Err(InputError {
            problems: self.found,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_value_is_quoted_in_part() {
        let mut problems = Problems::new("f");
        let long = format!("{}@example.org", "é".repeat(500));
        problems.add(3, Some("email"), Some(&long), "not a valid email address");
        let error = problems.finish().unwrap_err();
        let quoted = error.problems[0].value.as_deref().unwrap();
        assert_eq!(quoted.chars().count(), QUOTED_CHARS + 1);
        assert!(quoted.ends_with('…'));
        problems = Problems::new("f");
        problems.add(3, Some("email"), Some("short"), "x");
        assert_eq!(
            problems.finish().unwrap_err().problems[0].value.as_deref(),
            Some("short")
        );
    }
}
