//! Users and groups for people (a table that fits the terminal) and for scripts (CSV, JSON,
//! JSONL with stable column names). Rows are written one at a time, never collected as text.

use std::io::Write;

use comfy_table::{presets, ContentArrangement, Table};
use roster_core::{Group, User};
use serde_json::{Map, Value};

use super::args::OutputFormat;
use super::error::{CliError, CliResult};

/// The default columns of `users list`.
pub const USER_COLUMNS: &[&str] = &[
    "id",
    "username",
    "email",
    "first_name",
    "last_name",
    "active",
    "groups",
];
/// The default columns of `groups list`.
pub const GROUP_COLUMNS: &[&str] = &["name", "id"];

/// Something that can be shown as a row of named columns.
pub trait Row {
    /// The value of `column` (a canonical field or an attribute name), `Null` when absent.
    fn column(&self, column: &str) -> Value;
}

impl Row for User {
    fn column(&self, column: &str) -> Value {
        let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
        match column {
            "id" => Value::String(self.id.clone()),
            "username" => text(&self.username),
            "email" => text(&self.email),
            "first_name" => text(&self.first_name),
            "last_name" => text(&self.last_name),
            "active" => self.active.map_or(Value::Null, Value::Bool),
            "groups" => self.groups.as_ref().map_or(Value::Null, |groups| {
                Value::Array(groups.iter().cloned().map(Value::String).collect())
            }),
            attribute => self
                .attributes
                .get(attribute)
                .cloned()
                .unwrap_or(Value::Null),
        }
    }
}

impl Row for Group {
    fn column(&self, column: &str) -> Value {
        match column {
            "name" => Value::String(self.name.clone()),
            "id" => self.id.clone().map_or(Value::Null, Value::String),
            attribute => self
                .attributes
                .get(attribute)
                .cloned()
                .unwrap_or(Value::Null),
        }
    }
}

/// A cell as text: strings bare, lists joined with `;` (the desired-state convention).
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

/// Writes `rows` to stdout in `format` with `columns`.
pub fn write_rows<R: Row>(rows: &[R], columns: &[String], format: OutputFormat) -> CliResult {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = match format {
        OutputFormat::Table => write_table(&mut out, rows, columns),
        OutputFormat::Csv => write_csv(&mut out, rows, columns),
        OutputFormat::Json => write_json(&mut out, rows, columns),
        OutputFormat::Jsonl => write_jsonl(&mut out, rows, columns),
    };
    result
        .and_then(|()| out.flush())
        .or_else(|error| {
            if error.kind() == std::io::ErrorKind::BrokenPipe {
                Ok(())
            } else {
                Err(error)
            }
        })
        .map_err(|error| CliError::new(format!("cannot write the output: {error}")))
}

fn object<R: Row>(row: &R, columns: &[String]) -> Map<String, Value> {
    columns.iter().map(|c| (c.clone(), row.column(c))).collect()
}

fn write_table<R: Row>(
    out: &mut impl Write,
    rows: &[R],
    columns: &[String],
) -> std::io::Result<()> {
    let mut table = Table::new();
    table
        .load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(columns.iter().map(|c| c.to_uppercase()));
    if let Some((_, width)) = console::Term::stdout().size_checked() {
        table.set_width(width);
    }
    for row in rows {
        table.add_row(columns.iter().map(|c| cell(&row.column(c))));
    }
    writeln!(out, "{table}")
}

fn write_csv<R: Row>(out: &mut impl Write, rows: &[R], columns: &[String]) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(columns)?;
    for row in rows {
        writer.write_record(columns.iter().map(|c| cell(&row.column(c))))?;
    }
    writer.flush()
}

fn write_json<R: Row>(out: &mut impl Write, rows: &[R], columns: &[String]) -> std::io::Result<()> {
    out.write_all(b"[")?;
    for (n, row) in rows.iter().enumerate() {
        out.write_all(if n == 0 { b"\n  " } else { b",\n  " })?;
        serde_json::to_writer(&mut *out, &object(row, columns))?;
    }
    out.write_all(if rows.is_empty() { b"]\n" } else { b"\n]\n" })
}

fn write_jsonl<R: Row>(
    out: &mut impl Write,
    rows: &[R],
    columns: &[String],
) -> std::io::Result<()> {
    for row in rows {
        serde_json::to_writer(&mut *out, &object(row, columns))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
