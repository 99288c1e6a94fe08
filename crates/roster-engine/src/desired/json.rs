//! JSON (one array of objects) and JSONL (one object per line).

use serde_json::{Map, Value};

use super::mapping::Columns;
use super::problems::Problems;
use super::validate::{set_cell, Cell};
use super::{DesiredUser, InputOptions};

pub(crate) fn read_array(
    text: &str,
    options: &InputOptions,
    columns: &Columns<'_>,
    problems: &mut Problems,
) -> Vec<DesiredUser> {
    let items = match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => items,
        Ok(_) => {
            problems.add(1, None, None, "expected an array of objects");
            return Vec::new();
        }
        Err(error) => {
            problems.add(
                error.line() as u64,
                None,
                None,
                format!("not valid JSON: {error}"),
            );
            return Vec::new();
        }
    };
    let lines = item_lines(text);
    items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| {
            let line = lines.get(index).copied().unwrap_or(0);
            read_object(item, line, options, columns, problems)
        })
        .collect()
}

pub(crate) fn read_lines(
    text: &str,
    options: &InputOptions,
    columns: &Columns<'_>,
    problems: &mut Problems,
) -> Vec<DesiredUser> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .filter_map(|(index, line)| {
            let number = index as u64 + 1;
            match serde_json::from_str::<Value>(line) {
                Ok(item) => read_object(&item, number, options, columns, problems),
                Err(error) => {
                    problems.add(number, None, None, format!("not valid JSON: {error}"));
                    None
                }
            }
        })
        .collect()
}

fn read_object(
    item: &Value,
    line: u64,
    options: &InputOptions,
    columns: &Columns<'_>,
    problems: &mut Problems,
) -> Option<DesiredUser> {
    let Some(object): Option<&Map<String, Value>> = item.as_object() else {
        problems.add(line, None, None, "expected an object");
        return None;
    };
    let mut user = DesiredUser {
        line,
        ..DesiredUser::default()
    };
    for (name, value) in object {
        match columns.resolve(name) {
            Ok(column) => set_cell(
                &mut user,
                &column,
                Cell::Json(value),
                options.empty_cells,
                problems,
            ),
            Err(message) => problems.add(line, Some(name), None, message),
        }
    }
    Some(user)
}

/// The line each top-level array element starts on, found by scanning outside strings.
fn item_lines(text: &str) -> Vec<u64> {
    let mut lines = Vec::new();
    let (mut line, mut depth) = (1u64, 0usize);
    let (mut in_string, mut escaped, mut expecting_item) = (false, false, false);
    for byte in text.bytes() {
        if byte == b'\n' {
            line += 1;
        }
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        if expecting_item && !byte.is_ascii_whitespace() && byte != b']' {
            lines.push(line);
            expecting_item = false;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth == 1 {
                    expecting_item = true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => expecting_item = true,
            _ => {}
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_lines_follow_the_array_layout() {
        let text = "[\n  {\"email\": \"a,]@x.org\"},\n\n  {\"email\": \"b@x.org\",\n \"groups\": [\"x\"]}\n]";
        assert_eq!(item_lines(text), vec![2, 4]);
    }
}
