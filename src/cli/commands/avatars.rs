//! `roster avatars upload SITE`: profile pictures for AMS users, one result row per file.

use std::path::{Path, PathBuf};

use roster_ams::{AvatarResult, AvatarSource, AvatarStatus};
use roster_core::UserKeyKind;

use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult, Exit};
use crate::cli::sites::{self, Backend};
use crate::cli::ui::Ui;

/// What `avatars upload` was asked to do.
pub struct UploadRequest<'a> {
    pub site: &'a str,
    pub dir: &'a Path,
    pub key: &'a str,
    pub mapping: Option<&'a Path>,
    pub results: Option<&'a Path>,
}

/// Reads a mapping CSV (`user`, `file`); files are relative to `dir`.
fn read_mapping(path: &Path, dir: &Path) -> CliResult<Vec<(String, PathBuf)>> {
    let file = path.display();
    let mut reader =
        csv::Reader::from_path(path).map_err(|error| CliError::new(format!("{file}: {error}")))?;
    let headers = reader
        .headers()
        .map_err(|error| CliError::new(format!("{file}: {error}")))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| {
                CliError::new(format!("{file}: line 1: no `{name}` column"))
                    .hint("the mapping needs the columns `user` and `file`")
            })
    };
    let (user, file_column) = (column("user")?, column("file")?);
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record =
            record.map_err(|error| CliError::new(format!("{file}: line {}: {error}", n + 2)))?;
        let key = record.get(user).unwrap_or_default().trim().to_owned();
        let name = record.get(file_column).unwrap_or_default().trim();
        if key.is_empty() || name.is_empty() {
            return Err(CliError::new(format!(
                "{file}: line {}: `user` and `file` must not be empty",
                n + 2
            )));
        }
        rows.push((key, dir.join(name)));
    }
    Ok(rows)
}

/// Uploads, attaches and reports; exits 1 when any file failed.
pub async fn upload(config: &Config, request: UploadRequest<'_>, ui: &Ui) -> CliResult<Exit> {
    let site = sites::open(config, request.site, None)?;
    let Backend::Ams(ams) = &site.backend else {
        return Err(CliError::new(format!(
            "site `{}` is a {} site; profile pictures can be uploaded to AMS sites only",
            request.site, site.kind
        )));
    };
    if !request.dir.is_dir() {
        return Err(CliError::new(format!(
            "{}: not a folder",
            request.dir.display()
        )));
    }
    let source = match request.mapping {
        Some(mapping) => AvatarSource::Mapping(read_mapping(mapping, request.dir)?),
        None => AvatarSource::Directory(request.dir.to_path_buf()),
    };
    ui.info(format!("{}: uploading profile pictures …", request.site));
    let rows = ams
        .upload_avatars(source, UserKeyKind::parse(request.key))
        .await?;
    let failed = rows
        .iter()
        .filter(|row| row.status != AvatarStatus::Success)
        .count();
    for row in &rows {
        print_row(row);
    }
    if let Some(path) = request.results {
        write_results(path, &rows)?;
        ui.info(format!("results written to {}", path.display()));
    }
    if failed == 0 {
        ui.success(format!("{} picture(s) uploaded and attached", rows.len()));
        Ok(Exit::Success)
    } else {
        ui.failure(format!("{failed} of {} picture(s) failed", rows.len()));
        Ok(Exit::Error)
    }
}

fn print_row(row: &AvatarResult) {
    let status = if row.status == AvatarStatus::Success {
        "SUCCESS"
    } else {
        "FAILED"
    };
    println!(
        "{status:<8} {:<28} {:<24} {}",
        row.file_name,
        row.user_key,
        row.reason
            .as_deref()
            .or(row.file_id.as_deref())
            .unwrap_or_default()
    );
}

fn write_results(path: &Path, rows: &[AvatarResult]) -> CliResult {
    let mut writer = csv::Writer::from_path(path)
        .map_err(|error| CliError::new(format!("{}: {error}", path.display())))?;
    for row in rows {
        writer
            .serialize(row)
            .map_err(|error| CliError::new(format!("{}: {error}", path.display())))?;
    }
    writer
        .flush()
        .map_err(|error| CliError::new(format!("{}: {error}", path.display())))
}
