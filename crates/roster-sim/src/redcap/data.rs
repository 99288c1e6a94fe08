//! Decoding import `data` (JSON or CSV) and reading its values the way the server does.

use serde_json::{Map, Value};

use super::request::Format;

/// One imported row.
pub type DataRow = Map<String, Value>;

/// Decodes `data` in `format`. The error is the decoder message of spec §1.6.
pub fn decode(data: &str, format: Format) -> Result<Vec<DataRow>, String> {
    match format {
        Format::Json => {
            let value: Value = serde_json::from_str(data).map_err(|_| "Syntax error".to_owned())?;
            Ok(match value {
                Value::Array(items) => items
                    .into_iter()
                    .map(|item| match item {
                        Value::Object(map) => map,
                        _ => Map::new(),
                    })
                    .collect(),
                // PHP decodes an object to a map, which is read as a single row.
                Value::Object(map) => vec![map],
                _ => return Err("Syntax error".into()),
            })
        }
        Format::Csv => Ok(decode_csv(data)),
        Format::Xml => Err("XML import is not supported by this simulator".into()),
    }
}

/// RFC 4180 CSV with a header row; every cell is a string.
fn decode_csv(text: &str) -> Vec<DataRow> {
    let records = csv_records(text.trim_start_matches('\u{feff}'));
    let mut iter = records.into_iter();
    let Some(header) = iter.next() else {
        return Vec::new();
    };
    iter.filter(|r| !(r.len() == 1 && r[0].is_empty()))
        .map(|record| {
            header
                .iter()
                .zip(record.into_iter().chain(std::iter::repeat(String::new())))
                .map(|(k, v)| (k.trim().to_owned(), Value::String(v)))
                .collect()
        })
        .collect()
}

fn csv_records(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// A value as the text PHP would see (`true` → `1`, `false`/`null` → empty).
pub fn text_of(value: &Value) -> String {
    match value {
        Value::Null | Value::Bool(false) => String::new(),
        Value::Bool(true) => "1".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// A right's value: `Ok(None)` when empty, `Ok(Some(n))` when a whole number, `Err(text)`
/// when it is not numeric (JSON `true` is not).
pub fn right_value(value: &Value) -> Result<Option<i64>, String> {
    match value {
        Value::Null | Value::Bool(false) => Ok(None),
        Value::Bool(true) => Err("1".into()),
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| n.to_string()),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.fract() == 0.0)
            .map(|f| Some(f as i64))
            .ok_or_else(|| s.clone()),
        other => Err(other.to_string()),
    }
}

/// `forms`-like values: an object `{form: n}` or the CSV text `form:n,form:n`. Values that
/// are not numbers are returned as text for the caller to reject.
pub fn form_pairs(value: &Value) -> Vec<(String, Result<i64, String>)> {
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                let parsed = match right_value(v) {
                    Ok(Some(n)) => Ok(n),
                    Ok(None) => Ok(0),
                    Err(text) => Err(text),
                };
                (k.clone(), parsed)
            })
            .collect(),
        Value::String(s) => s
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once(':').unwrap_or((pair, ""));
                let v = v.trim();
                let parsed = if v.is_empty() {
                    Ok(0)
                } else {
                    v.parse::<i64>().map_err(|_| v.to_owned())
                };
                (k.trim().to_owned(), parsed)
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_values() {
        let rows = decode("username,forms\nbob,\"form_1:1,form_2:0\"\n", Format::Csv).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["forms"], "form_1:1,form_2:0");
        assert_eq!(right_value(&Value::Bool(true)), Err("1".into()));
        assert_eq!(right_value(&Value::from("2")), Ok(Some(2)));
        assert_eq!(right_value(&Value::from("")), Ok(None));
        assert!(decode("[{", Format::Json).is_err());
    }
}
