//! CSV with a header row; comma, semicolon or tab, given or detected.

use super::mapping::{Column, Columns};
use super::problems::Problems;
use super::validate::{set_cell, Cell};
use super::{DesiredUser, InputOptions};

/// The delimiter the header row uses most (outside quotes), comma when there is none.
fn detect_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    let mut quoted = false;
    let mut counts = [0usize; 3];
    for byte in header.bytes() {
        match byte {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let best = (0..3).max_by_key(|i| (counts[*i], 3 - i)).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
}

pub(crate) fn read(
    text: &str,
    options: &InputOptions,
    columns: &Columns<'_>,
    problems: &mut Problems,
) -> Vec<DesiredUser> {
    let delimiter = options.delimiter.unwrap_or_else(|| detect_delimiter(text));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(error)) => {
            problems.add(
                1,
                None,
                None,
                format!("cannot read the header row: {error}"),
            );
            return Vec::new();
        }
        None => {
            problems.add(0, None, None, "the file is empty: it needs a header row");
            return Vec::new();
        }
    };
    let mut resolved: Vec<Option<Column>> = Vec::with_capacity(header.len());
    for name in header.iter() {
        match columns.resolve(name) {
            Ok(column) if resolved.iter().flatten().any(|seen| *seen == column) => {
                problems.add(1, Some(column.name()), Some(name), "column given twice");
                resolved.push(None);
            }
            Ok(column) => resolved.push(Some(column)),
            Err(message) => {
                problems.add(1, Some(name.trim()), None, message);
                resolved.push(None);
            }
        }
    }
    let mut users = Vec::new();
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                problems.add(line, None, None, format!("cannot read the row: {error}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record.get(0).is_some_and(|cell| cell.trim().is_empty()) {
            continue; // a blank line
        }
        if record.len() != resolved.len() {
            problems.add(
                line,
                None,
                None,
                format!(
                    "ragged row: {} field(s), the header has {}",
                    record.len(),
                    resolved.len()
                ),
            );
            continue;
        }
        let mut user = DesiredUser {
            line,
            ..DesiredUser::default()
        };
        for (column, cell) in resolved.iter().zip(record.iter()) {
            if let Some(column) = column {
                set_cell(
                    &mut user,
                    column,
                    Cell::Text(cell),
                    options.empty_cells,
                    problems,
                );
            }
        }
        users.push(user);
    }
    users
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_frequent_delimiter_of_the_header_wins() {
        assert_eq!(detect_delimiter("email;username;\"a,b\"\n"), b';');
        assert_eq!(detect_delimiter("email\tusername\n"), b'\t');
        assert_eq!(detect_delimiter("email,username\n"), b',');
        assert_eq!(detect_delimiter("email\n"), b',');
    }
}
