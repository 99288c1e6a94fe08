//! Avatar and document uploads: `/x/fileupload` and `getUploadStatus` (spec §6.8).

use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::Response;

use super::auth::Caller;
use super::state::{Inner, StoredFile};
use super::wire::{empty, v2_response};
use crate::common::OrderedJson;

/// The fields of one upload form.
#[derive(Default)]
pub struct UploadForm {
    session_token: Option<String>,
    filename: Option<String>,
    processor_key: Option<String>,
    file: Option<(String, Vec<u8>)>,
}

impl UploadForm {
    /// Reads the multipart body; `None` when it is not valid multipart.
    pub async fn read(mut multipart: Multipart) -> Option<Self> {
        let mut form = UploadForm::default();
        while let Some(field) = multipart.next_field().await.ok()? {
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let bytes = field.bytes().await.ok()?.to_vec();
            let text = || String::from_utf8_lossy(&bytes).into_owned();
            match name.as_str() {
                "session-token" => form.session_token = Some(text()),
                "filename" => form.filename = Some(text()),
                "processorkey" => form.processor_key = Some(text()),
                "filedata" => form.file = Some((file_name.unwrap_or_default(), bytes)),
                _ => {}
            }
        }
        Some(form)
    }
}

/// `POST /x/fileupload`, once the caller is authenticated.
pub fn file_upload(inner: &mut Inner, caller: &Caller, form: Option<UploadForm>) -> Response {
    let Some(form) = form else {
        return empty(StatusCode::BAD_REQUEST);
    };
    let (Some(session_token), Some(filename), Some(processor_key), Some((_, bytes))) = (
        form.session_token,
        form.filename,
        form.processor_key,
        form.file,
    ) else {
        return empty(StatusCode::BAD_REQUEST);
    };
    let issued_to_caller = inner
        .sessions
        .values()
        .any(|s| s.user_id == caller.user_id && s.skype_name == session_token.trim());
    if !issued_to_caller {
        return empty(StatusCode::UNAUTHORIZED);
    }
    if processor_key != "avatar-key" && processor_key != "document-key" {
        return empty(StatusCode::BAD_REQUEST);
    }
    let id = inner.next_file_id;
    inner.next_file_id += 1;
    let (stem, ext) = match filename.rfind('.') {
        Some(dot) if dot > 0 => (&filename[..dot], &filename[dot..]),
        _ => (filename.as_str(), ""),
    };
    let name = format!("{stem}_{}{ext}", inner.now_ms());
    inner.files.insert(
        id,
        StoredFile {
            id,
            name,
            original_name: filename.clone(),
            processor_key,
            bytes,
        },
    );
    inner.last_upload.insert(caller.upload_key(), id);
    empty(StatusCode::OK)
}

/// `POST /{site}/api/v2/fileupload/getUploadStatus`: the caller's last upload, kept until the
/// next one (CHOSEN).
pub fn upload_status(inner: &Inner, caller: &Caller) -> Response {
    let last = inner
        .last_upload
        .get(&caller.upload_key())
        .and_then(|id| inner.files.get(id));
    let body = match last {
        Some(file) => OrderedJson::object()
            .with(
                "uploadStatus",
                OrderedJson::object()
                    .with("error", false)
                    .with("message", ""),
            )
            .with(
                "data",
                vec![OrderedJson::object().with(
                    "value",
                    OrderedJson::object()
                        .with("id", serde_json::Value::from(file.id))
                        .with("name", file.name.as_str()),
                )],
            ),
        None => OrderedJson::object()
            .with(
                "uploadStatus",
                OrderedJson::object()
                    .with("error", true)
                    .with("message", "No upload found"),
            )
            .with("data", Vec::<OrderedJson>::new()),
    };
    v2_response(StatusCode::OK, &body, caller.token.as_deref())
}
