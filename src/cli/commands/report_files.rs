//! The files `apply` writes besides the journal: every item's outcome (`--results`) and the
//! failed rows in the desired-state format, ready to replay (`--failed`).

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use roster_engine::{ApplyReport, ItemStatus};
use serde_json::Value;

use crate::cli::error::{CliError, CliResult};

fn io_error(path: &Path, error: impl std::fmt::Display) -> CliError {
    CliError::new(format!("cannot write {}: {error}", path.display()))
}

/// Writes every outcome: JSON or JSONL by the file's extension, CSV otherwise.
pub fn write_results(path: &Path, report: &ApplyReport) -> CliResult {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    let result = match extension {
        "json" => serde_json::to_vec_pretty(&report.outcomes)
            .map_err(|e| e.to_string())
            .and_then(|bytes| std::fs::write(path, bytes).map_err(|e| e.to_string())),
        "jsonl" => std::fs::File::create(path)
            .map_err(|e| e.to_string())
            .and_then(|mut file| {
                report.outcomes.iter().try_for_each(|outcome| {
                    serde_json::to_writer(&mut file, outcome).map_err(|e| e.to_string())?;
                    file.write_all(b"\n").map_err(|e| e.to_string())
                })
            }),
        _ => csv::Writer::from_path(path)
            .map_err(|e| e.to_string())
            .and_then(|mut writer| {
                writer
                    .write_record([
                        "site",
                        "key",
                        "action",
                        "status",
                        "reason",
                        "attempts",
                        "duration_ms",
                    ])
                    .map_err(|e| e.to_string())?;
                for o in &report.outcomes {
                    let status = serde_json::to_value(o.status)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default();
                    writer
                        .write_record([
                            o.site.as_str(),
                            o.key.as_str(),
                            o.action.as_str(),
                            status.as_str(),
                            o.reason.as_deref().unwrap_or(""),
                            &o.attempts.to_string(),
                            &o.duration_ms.to_string(),
                        ])
                        .map_err(|e| e.to_string())?;
                }
                writer.flush().map_err(|e| e.to_string())
            }),
    };
    result.map_err(|error| io_error(path, error))
}

/// Writes the rows of `source` (the desired-state file) whose user failed or was not
/// attempted, in the file's own format, so `--desired FAILED` replays just them. Returns how
/// many rows were written.
pub fn write_failed_rows(path: &Path, source: &Path, report: &ApplyReport) -> CliResult<usize> {
    let failed: HashSet<String> = report
        .outcomes
        .iter()
        .filter(|o| matches!(o.status, ItemStatus::Failed | ItemStatus::NotAttempted))
        .map(|o| o.key.to_lowercase())
        .collect();
    let text = std::fs::read_to_string(source).map_err(|error| {
        CliError::new(format!(
            "cannot read {} to pick the failed rows: {error}",
            source.display()
        ))
    })?;
    let is_failed = |value: &str| failed.contains(&value.trim().to_lowercase());
    let extension = source
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    match extension {
        "json" => {
            let rows: Vec<Value> = serde_json::from_str(&text).map_err(|e| io_error(path, e))?;
            let kept: Vec<&Value> = rows
                .iter()
                .filter(|row| json_row_failed(row, &is_failed))
                .collect();
            let bytes = serde_json::to_vec_pretty(&kept).map_err(|e| io_error(path, e))?;
            std::fs::write(path, bytes).map_err(|e| io_error(path, e))?;
            Ok(kept.len())
        }
        "jsonl" | "ndjson" => {
            let kept: Vec<&str> = text
                .lines()
                .filter(|line| {
                    serde_json::from_str::<Value>(line)
                        .is_ok_and(|row| json_row_failed(&row, &is_failed))
                })
                .collect();
            let body: String = kept.iter().map(|line| format!("{line}\n")).collect();
            std::fs::write(path, body).map_err(|e| io_error(path, e))?;
            Ok(kept.len())
        }
        _ => {
            let delimiter = [b',', b';', b'\t']
                .into_iter()
                .max_by_key(|d| {
                    text.lines()
                        .next()
                        .unwrap_or_default()
                        .bytes()
                        .filter(|b| b == d)
                        .count()
                })
                .unwrap_or(b',');
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .from_reader(text.as_bytes());
            let mut writer = csv::WriterBuilder::new()
                .delimiter(delimiter)
                .from_path(path)
                .map_err(|e| io_error(path, e))?;
            let headers = reader.headers().map_err(|e| io_error(path, e))?.clone();
            writer
                .write_record(&headers)
                .map_err(|e| io_error(path, e))?;
            let mut written = 0;
            for record in reader.records().flatten() {
                if record.iter().any(is_failed) {
                    writer
                        .write_record(&record)
                        .map_err(|e| io_error(path, e))?;
                    written += 1;
                }
            }
            writer.flush().map_err(|e| io_error(path, e))?;
            Ok(written)
        }
    }
}

fn json_row_failed(row: &Value, is_failed: &impl Fn(&str) -> bool) -> bool {
    row.as_object()
        .is_some_and(|object| object.values().filter_map(Value::as_str).any(is_failed))
}
