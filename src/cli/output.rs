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
    let mut writer = RowWriter::stdout(columns, format);
    for row in rows {
        if let Err(error) = writer.write(row) {
            return output_failed(error);
        }
    }
    writer.finish().or_else(output_failed)
}

/// What a failed write to stdout means: nothing when the reader went away (`| head`), a
/// clear error otherwise.
pub fn output_failed(error: std::io::Error) -> CliResult {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(CliError::new(format!("cannot write the output: {error}")))
    }
}

/// Buffered stdout; not the locked handle, which cannot move between the runtime's threads
/// while a listing is awaited.
type Stdout = std::io::BufWriter<std::io::Stdout>;

/// Rows written to stdout as they come: CSV, JSON and JSONL never hold more than one row, so
/// an export of a million users costs no more memory than one user. Only a table, which is
/// laid out to fit the terminal, waits for every row.
pub struct RowWriter {
    columns: Vec<String>,
    format: Format,
    rows: usize,
}

enum Format {
    Table(Table, Stdout),
    Csv(csv::Writer<Stdout>),
    Json(Stdout),
    Jsonl(Stdout),
}

impl RowWriter {
    /// A writer of `columns` in `format` to stdout.
    pub fn stdout(columns: &[String], format: OutputFormat) -> Self {
        let out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout());
        let format = match format {
            OutputFormat::Table => {
                let mut table = Table::new();
                table
                    .load_preset(presets::NOTHING)
                    .set_content_arrangement(ContentArrangement::Dynamic)
                    .set_header(columns.iter().map(|c| c.to_uppercase()));
                if let Some((_, width)) = console::Term::stdout().size_checked() {
                    table.set_width(width);
                }
                Format::Table(table, out)
            }
            OutputFormat::Csv => Format::Csv(csv::Writer::from_writer(out)),
            OutputFormat::Json => Format::Json(out),
            OutputFormat::Jsonl => Format::Jsonl(out),
        };
        Self {
            columns: columns.to_vec(),
            format,
            rows: 0,
        }
    }

    /// Writes one row.
    pub fn write<R: Row>(&mut self, row: &R) -> std::io::Result<()> {
        let columns = &self.columns;
        match &mut self.format {
            Format::Table(table, _) => {
                table.add_row(columns.iter().map(|c| cell(&row.column(c))));
            }
            Format::Csv(writer) => {
                if self.rows == 0 {
                    writer.write_record(columns).map_err(csv_io)?;
                }
                writer
                    .write_record(columns.iter().map(|c| cell(&row.column(c))))
                    .map_err(csv_io)?;
            }
            Format::Json(out) => {
                out.write_all(if self.rows == 0 { b"[\n  " } else { b",\n  " })?;
                serde_json::to_writer(&mut *out, &object(row, columns))?;
            }
            Format::Jsonl(out) => {
                serde_json::to_writer(&mut *out, &object(row, columns))?;
                out.write_all(b"\n")?;
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// How many rows were written.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Ends the output (a table is printed now) and flushes it.
    pub fn finish(self) -> std::io::Result<()> {
        match self.format {
            Format::Table(table, mut out) => {
                writeln!(out, "{table}")?;
                out.flush()
            }
            Format::Csv(mut writer) => {
                if self.rows == 0 {
                    writer.write_record(&self.columns).map_err(csv_io)?;
                }
                writer.flush()
            }
            Format::Json(mut out) => {
                out.write_all(if self.rows == 0 { b"[]\n" } else { b"\n]\n" })?;
                out.flush()
            }
            Format::Jsonl(mut out) => out.flush(),
        }
    }
}

/// The I/O error inside a CSV error, so a closed pipe is still seen as one.
fn csv_io(error: csv::Error) -> std::io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

fn object<R: Row>(row: &R, columns: &[String]) -> Map<String, Value> {
    columns.iter().map(|c| (c.clone(), row.column(c))).collect()
}
