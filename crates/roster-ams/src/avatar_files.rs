//! The files of an avatar upload: which file goes to which user, and whether each one is an
//! image AMS takes (spec §2.7 "Client-side checks").

use std::path::{Path, PathBuf};

use roster_core::{DirectoryError, Result};

use crate::http::AvatarFile;

/// Extensions AMS takes for avatars, with their MIME types.
const ALLOWED: [(&str, &str); 3] = [
    ("jpeg", "image/jpeg"),
    ("jpg", "image/jpeg"),
    ("png", "image/png"),
];

/// Image extensions picked up from a directory; those not in [`ALLOWED`] become failed rows
/// that say so, rather than being silently skipped.
const PICKED_UP: [&str; 8] = ["png", "jpg", "jpeg", "svg", "gif", "webp", "tiff", "heic"];

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_SIGNATURE: &[u8] = b"\xff\xd8\xff";

/// Where the avatar files come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AvatarSource {
    /// Explicit rows: the user's key value and the image file for them.
    Mapping(Vec<(String, PathBuf)>),
    /// Every image in a directory, each for the user whose key value is the file's stem
    /// (`Riley.Jones.png` → `Riley.Jones`), in file-name order.
    Directory(PathBuf),
}

/// One planned upload: the user's key value and the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvatarRow {
    pub user_key: String,
    pub path: PathBuf,
    pub file_name: String,
}

/// The rows a source stands for. An unreadable directory is an error for the whole call.
pub fn rows(source: &AvatarSource) -> Result<Vec<AvatarRow>> {
    match source {
        AvatarSource::Mapping(pairs) => Ok(pairs
            .iter()
            .map(|(user_key, path)| AvatarRow {
                user_key: user_key.clone(),
                file_name: file_name(path),
                path: path.clone(),
            })
            .collect()),
        AvatarSource::Directory(directory) => directory_rows(directory),
    }
}

fn directory_rows(directory: &Path) -> Result<Vec<AvatarRow>> {
    let unreadable = |error: std::io::Error| {
        DirectoryError::invalid(
            Some("directory"),
            format!("cannot read {}: {error}", directory.display()),
        )
    };
    let mut rows = Vec::new();
    for entry in std::fs::read_dir(directory).map_err(unreadable)? {
        let path = entry.map_err(unreadable)?.path();
        let picked = extension(&path).is_some_and(|ext| PICKED_UP.contains(&ext.as_str()));
        if !path.is_file() || !picked {
            continue;
        }
        let Some(stem) = path.file_stem().and_then(|stem| stem.to_str()) else {
            continue;
        };
        rows.push(AvatarRow {
            user_key: stem.to_owned(),
            file_name: file_name(&path),
            path,
        });
    }
    rows.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    Ok(rows)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .map(|ext| ext.to_string_lossy().to_ascii_lowercase())
}

/// The file ready to upload, or why it cannot be: not a PNG or JPEG by name, missing,
/// unreadable, or content that is not the image its name says.
pub fn load(row: &AvatarRow) -> std::result::Result<AvatarFile, String> {
    let ext = extension(&row.path).unwrap_or_default();
    let Some((_, mime)) = ALLOWED.iter().find(|(allowed, _)| *allowed == ext) else {
        return Err(format!(
            "Invalid file type '.{ext}'. Allowed: .jpeg, .jpg, .png"
        ));
    };
    let bytes = std::fs::read(&row.path).map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => format!("File '{}' not found", row.file_name),
        _ => format!("Cannot read '{}': {error}", row.file_name),
    })?;
    let signature = if *mime == "image/png" {
        PNG_SIGNATURE
    } else {
        JPEG_SIGNATURE
    };
    if !bytes.starts_with(signature) {
        return Err(format!(
            "'{}' is not a {} image",
            row.file_name,
            if *mime == "image/png" { "PNG" } else { "JPEG" }
        ));
    }
    Ok(AvatarFile {
        file_name: row.file_name.clone(),
        mime,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("roster-ams-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_directory_gives_one_row_per_image_named_after_its_stem() {
        let dir = scratch("rows");
        for name in ["b.user.png", "a.user.JPG", "notes.txt", "c.svg"] {
            std::fs::write(dir.join(name), b"x").unwrap();
        }
        let rows = rows(&AvatarSource::Directory(dir.clone())).unwrap();
        let keys: Vec<_> = rows
            .iter()
            .map(|r| (r.user_key.as_str(), r.file_name.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                ("a.user", "a.user.JPG"),
                ("b.user", "b.user.png"),
                ("c", "c.svg")
            ]
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn files_are_checked_by_name_and_content() {
        let dir = scratch("load");
        std::fs::write(dir.join("ok.png"), [PNG_SIGNATURE, b"rest"].concat()).unwrap();
        std::fs::write(dir.join("fake.jpg"), b"GIF89a").unwrap();
        let row = |name: &str| AvatarRow {
            user_key: "u".into(),
            path: dir.join(name),
            file_name: name.into(),
        };
        assert_eq!(load(&row("ok.png")).unwrap().mime, "image/png");
        assert_eq!(
            load(&row("fake.jpg")).err().unwrap(),
            "'fake.jpg' is not a JPEG image"
        );
        assert_eq!(
            load(&row("c.svg")).err().unwrap(),
            "Invalid file type '.svg'. Allowed: .jpeg, .jpg, .png"
        );
        assert_eq!(
            load(&row("gone.png")).err().unwrap(),
            "File 'gone.png' not found"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_unreadable_directory_is_an_error_naming_it() {
        let error = rows(&AvatarSource::Directory(PathBuf::from(
            "/no/such/avatar/dir",
        )))
        .unwrap_err();
        assert!(error.to_string().contains("directory"), "{error}");
    }
}
