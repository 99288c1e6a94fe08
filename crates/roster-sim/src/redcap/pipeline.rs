//! The request pipeline of spec §1.8: formats, method, token, expiry, data, content and
//! action, privilege gates, project status, then the endpoint.

use axum::http::{Method, StatusCode};
use axum::response::Response;

use super::data::{decode, DataRow};
use super::output::{error, plain};
use super::request::{ApiRequest, Format};
use super::state::Inner;
use super::{dags, mappings, roles, users};
use crate::common::Counters;

/// The message of a refused token.
pub const NO_API_PERMISSION: &str = "You do not have permissions to use the API";

/// A failed request: its status and message, wrapped per `returnFormat` on the way out.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    /// A 400.
    pub fn bad(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    /// A 403.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            message: message.into(),
        }
    }
}

/// Several validation messages become one, joined by `\n`.
pub fn joined(errors: Vec<String>) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::bad(errors.join("\n")))
    }
}

/// The contents this simulator serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Content {
    User,
    UserRole,
    UserRoleMapping,
    Dag,
    UserDagMapping,
    Version,
}

impl Content {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "user" => Content::User,
            "userRole" => Content::UserRole,
            "userRoleMapping" => Content::UserRoleMapping,
            "dag" => Content::Dag,
            "userDagMapping" => Content::UserDagMapping,
            "version" => Content::Version,
            _ => return None,
        })
    }
}

/// The resolved action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Export,
    Import,
    Delete,
    Switch,
}

impl Action {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "export" => Action::Export,
            "import" => Action::Import,
            "delete" => Action::Delete,
            "switch" => Action::Switch,
            _ => return None,
        })
    }

    fn word(self) -> &'static str {
        match self {
            Action::Export => "export",
            Action::Import => "import",
            Action::Delete => "delete",
            Action::Switch => "switch",
        }
    }
}

/// Action inference (spec §1.3).
fn resolve_action(content: Content, action: Option<&str>, has_data: bool) -> Option<Action> {
    match content {
        Content::User | Content::UserRole => match action {
            None if has_data => Some(Action::Import),
            None => Some(Action::Export),
            Some(word) => {
                let action = Action::parse(word)?;
                if has_data && action != Action::Delete {
                    Some(Action::Import)
                } else {
                    Some(action)
                }
            }
        },
        Content::UserRoleMapping | Content::UserDagMapping => Some(if has_data {
            Action::Import
        } else {
            Action::Export
        }),
        // `dag` without an action is an export even when `data` is present.
        Content::Dag => match action {
            None => Some(Action::Export),
            Some(word) => Action::parse(word),
        },
        Content::Version => Some(Action::Export),
    }
}

/// What an endpoint handler gets.
pub struct Call<'a> {
    pub project: usize,
    /// The caller's lower-case username.
    pub caller: String,
    /// The caller's DAG, if assigned to one.
    pub caller_dag: Option<i64>,
    pub super_user: bool,
    pub format: Format,
    pub request: &'a ApiRequest,
    /// Decoded `data` (imports only).
    pub rows: Vec<DataRow>,
}

/// Serves one request to `/api/`.
pub fn handle(
    inner: &mut Inner,
    counters: &Counters,
    method: &Method,
    request: &ApiRequest,
) -> Response {
    let format = Format::of_format(request.field("format"));
    let return_format =
        Format::of_return_format(request.field("returnFormat"), request.field("format"));
    let content = request.field("content").and_then(Content::parse);
    let action = content
        .and_then(|c| resolve_action(c, request.field("action"), request.field("data").is_some()));
    let counter = match (content, action) {
        (Some(Content::Version), _) => "version".to_owned(),
        (Some(_), Some(a)) => format!(
            "{}:{}",
            request.field("content").unwrap_or_default(),
            a.word()
        ),
        _ => "invalid".to_owned(),
    };
    counters.hit(&counter);
    match run(inner, method, request, format) {
        Ok(response) => response,
        Err(e) => error(return_format, e.status, &e.message),
    }
}

fn run(
    inner: &mut Inner,
    method: &Method,
    request: &ApiRequest,
    format: Format,
) -> Result<Response, ApiError> {
    // 1. The API itself.
    if !inner.api_enabled {
        return Err(ApiError::bad("The REDCap API is not enabled."));
    }
    // 2. Method and token.
    if method != Method::POST {
        return Err(ApiError {
            status: StatusCode::NOT_IMPLEMENTED,
            message: "The requested method is not implemented.".into(),
        });
    }
    let token = request.field("token").unwrap_or_default();
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ApiError::forbidden(NO_API_PERMISSION));
    }
    let (project, caller) = inner
        .tokens
        .get(token)
        .cloned()
        .ok_or_else(|| ApiError::forbidden(NO_API_PERMISSION))?;
    let account = inner.accounts.get(&caller).cloned();
    if account.as_ref().is_some_and(|a| a.suspended) {
        return Err(ApiError::forbidden(NO_API_PERMISSION));
    }
    let super_user = account.is_some_and(|a| a.super_user);
    let Some(user) = inner.projects[project].users.get(&caller).cloned() else {
        return Err(ApiError::forbidden(NO_API_PERMISSION));
    };
    // 3. Expiry.
    if !super_user
        && !user.expiration.is_empty()
        && user.expiration <= inner.today().format("%Y-%m-%d").to_string()
    {
        return Err(ApiError::forbidden(format!(
            "You do not have API rights because your privileges have expired for this project as of {}.",
            user.expiration
        )));
    }
    // 4. Data.
    let data = request.field("data");
    let rows = match data {
        Some(text) if !text.trim().is_empty() && format != Format::Xml => decode(text, format).map_err(|m| {
            ApiError::bad(format!(
                "The data being imported is not formatted correctly. PHP error from JSON decoder: {m}. The JSON must be in an array, as in [{{ ... }}]."
            ))
        })?,
        _ => Vec::new(),
    };
    // 5. Content and action.
    let content = request
        .field("content")
        .and_then(Content::parse)
        .ok_or_else(|| ApiError::bad("The value of the parameter \"content\" is not valid"))?;
    let action = resolve_action(content, request.field("action"), data.is_some())
        .ok_or_else(|| ApiError::bad("The value of the parameter \"action\" is not valid"))?;
    if content == Content::Version {
        return Ok(plain(format, &inner.version.to_string()));
    }
    // 6. API-level gates.
    let p = &inner.projects[project];
    let right = |key: &str| p.effective_right(&user, key);
    if content == Content::Dag && user.group_id.is_some() && action != Action::Switch {
        return Err(ApiError::forbidden("You do not have permission to export/import/delete Data Access Groups because you have been assigned to a Data Access Group."));
    }
    match action {
        Action::Export if right("api_export") != 1 => {
            return Err(ApiError::forbidden("You do not have API Export privileges"))
        }
        Action::Import if right("api_import") != 1 => {
            return Err(ApiError::forbidden(
                "You do not have API Import/Update privileges",
            ))
        }
        Action::Delete if content == Content::User && right("api_import") != 1 => {
            return Err(ApiError::forbidden(
                "You do not have API Import/Update privileges",
            ))
        }
        Action::Delete
            if matches!(content, Content::User | Content::UserRole)
                && right("record_delete") != 1 =>
        {
            return Err(ApiError::forbidden(
                "You do not have Delete Record privileges",
            ))
        }
        _ => {}
    }
    // 7. Project status.
    use super::seed_model::ProjectStatus;
    match p.status {
        ProjectStatus::Normal => {}
        ProjectStatus::Deleted => {
            return Err(ApiError::bad(
                "The REDCap project no longer exists because it was deleted.",
            ))
        }
        ProjectStatus::Completed => {
            return Err(ApiError::bad(
                "The REDCap project is no longer accessible because it was marked as Completed.",
            ))
        }
        ProjectStatus::Offline => {
            return Err(ApiError::bad(
                "This project is currently OFFLINE and is not accessible to normal users.",
            ))
        }
    }
    // 8. Endpoint gates.
    endpoint_gate(
        content,
        action,
        right("user_rights"),
        right("data_access_groups"),
    )?;
    // Imports with an empty `data` answer 200 with plain text.
    if action == Action::Import && data.is_some_and(|d| d.trim().is_empty()) {
        return Ok(plain(format, "The data is not in the specified format."));
    }
    if action == Action::Import && format == Format::Xml {
        return Err(ApiError::bad(
            "XML import is not supported by this simulator",
        ));
    }
    let call = Call {
        project,
        caller,
        caller_dag: user.group_id,
        super_user,
        format,
        request,
        rows,
    };
    match (content, action) {
        (Content::User, Action::Export) => Ok(users::export(inner, &call)),
        (Content::User, Action::Import) => users::import(inner, &call),
        (Content::User, Action::Delete) => users::delete(inner, &call),
        (Content::UserRole, Action::Export) => Ok(roles::export(inner, &call)),
        (Content::UserRole, Action::Import) => roles::import(inner, &call),
        (Content::UserRole, Action::Delete) => roles::delete(inner, &call),
        (Content::UserRoleMapping, Action::Export) => Ok(mappings::role_export(inner, &call)),
        (Content::UserRoleMapping, Action::Import) => mappings::role_import(inner, &call),
        (Content::UserDagMapping, Action::Export) => Ok(mappings::dag_export(inner, &call)),
        (Content::UserDagMapping, Action::Import) => mappings::dag_import(inner, &call),
        (Content::Dag, Action::Export) => Ok(dags::export(inner, &call)),
        (Content::Dag, Action::Import) => dags::import(inner, &call),
        (Content::Dag, Action::Delete) => dags::delete(inner, &call),
        (Content::Dag, Action::Switch) => Ok(dags::switch(inner, &call)),
        // An action word this content has no method for (CHOSEN: fail loudly).
        _ => Err(ApiError::bad(
            "The value of the parameter \"action\" is not valid",
        )),
    }
}

fn endpoint_gate(
    content: Content,
    action: Action,
    user_rights: i64,
    dag_rights: i64,
) -> Result<(), ApiError> {
    const EXPORT_USERS: &str = "Insufficient user privileges: You must have 'API Export' privileges and 'User Rights' privileges (Full Access or Read Only) in the project.";
    const IMPORT_USERS: &str = "Insufficient user privileges: You must have 'API Import/Update' privileges and 'User Rights' privileges in the project in order to import/update users via the API Import Users method.";
    const IMPORT_ROLES: &str = "Insufficient user privileges: You must have 'API Import/Update' privileges and 'User Rights' privileges in the project in order to import/update user roles via the API Import User Roles method.";
    const EXPORT_DAGS: &str = "Insufficient user privileges: You must have 'API Export' privileges and 'Data Access Groups' privileges in the project.";
    const IMPORT_DAGS: &str = "Insufficient user privileges: You must have 'API Import/Update' privileges and 'Data Access Groups' privileges in the project.";
    let refused = match (content, action) {
        (Content::User | Content::UserRole | Content::UserRoleMapping, Action::Export) => {
            (user_rights == 0).then_some(EXPORT_USERS)
        }
        (Content::User, Action::Import | Action::Delete) => {
            (user_rights != 1).then_some(IMPORT_USERS)
        }
        (Content::UserRole, Action::Import | Action::Delete)
        | (Content::UserRoleMapping, Action::Import) => (user_rights != 1).then_some(IMPORT_ROLES),
        (Content::Dag | Content::UserDagMapping, Action::Export) => {
            (dag_rights != 1).then_some(EXPORT_DAGS)
        }
        (Content::Dag, Action::Import | Action::Delete)
        | (Content::UserDagMapping, Action::Import) => (dag_rights != 1).then_some(IMPORT_DAGS),
        _ => None,
    };
    match refused {
        Some(message) => Err(ApiError::bad(message)),
        None => Ok(()),
    }
}
