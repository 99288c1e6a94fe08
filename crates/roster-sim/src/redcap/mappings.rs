//! `content=userRoleMapping` and `content=userDagMapping` (spec §2.3, §2.5).

use std::collections::{BTreeMap, HashSet};

use axum::response::Response;

use super::data::text_of;
use super::output::{count, export as write_export, Cell, Row, XmlShape};
use super::pipeline::{joined, ApiError, Call};
use super::state::{full_forms, Inner, ProjectUser};
use super::users::visible;

const ITEMS: XmlShape = XmlShape {
    root: "items",
    cdata: true,
};

/// Role mapping export: one row per visible user, ascending username; the DAG column only
/// when the project has DAGs.
pub fn role_export(inner: &Inner, call: &Call<'_>) -> Response {
    let project = &inner.projects[call.project];
    let with_dag = !project.dags.is_empty();
    let rows: Vec<Row> = visible(project, call.caller_dag)
        .map(|user| {
            let role = user
                .role_id
                .and_then(|id| project.role(id))
                .map(|r| r.unique_role_name.clone())
                .unwrap_or_default();
            let mut row: Row = vec![
                ("username", Cell::Text(user.username.clone())),
                ("unique_role_name", Cell::Text(role)),
            ];
            if with_dag {
                let dag = user.group_id.and_then(|id| project.dag_unique_name(id));
                row.push(("data_access_group", Cell::Text(dag.unwrap_or_default())));
            }
            row
        })
        .collect();
    write_export(call.format, &rows, ITEMS, "username,unique_role_name")
}

/// Role mapping import: unknown users are added to the project, then mapped.
pub fn role_import(inner: &mut Inner, call: &Call<'_>) -> Result<Response, ApiError> {
    let first_ok = call
        .rows
        .first()
        .is_some_and(|r| r.contains_key("username") && r.contains_key("unique_role_name"));
    if !first_ok {
        return Err(ApiError::bad("One or more components are missing in your input data. The following attributes are required: username, unique_role_name"));
    }
    let project = &inner.projects[call.project];
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    let mut unknown_roles: Vec<String> = Vec::new();
    let mut outside: Vec<String> = Vec::new();
    for row in &call.rows {
        let username = row
            .get("username")
            .map(text_of)
            .unwrap_or_default()
            .trim()
            .to_owned();
        let role = row
            .get("unique_role_name")
            .map(text_of)
            .unwrap_or_default()
            .trim()
            .to_owned();
        if username.is_empty() {
            errors.push(format!("The username for unique role name \"{role}\" "));
            continue;
        }
        if username.chars().count() > 255 {
            errors.push(format!("The username \"{username}\" must be less than or equal to 255 characters in length."));
        }
        if !seen.insert(username.to_lowercase()) {
            errors.push(format!(
                "The username \"{username}\" occurs in more than one record. "
            ));
        }
        if !role.is_empty()
            && project.role_by_name(&role).is_none()
            && !unknown_roles.contains(&role)
        {
            unknown_roles.push(role);
        }
        if let Some(dag) = call.caller_dag {
            let inside = project
                .users
                .get(&username.to_lowercase())
                .is_some_and(|u| u.group_id == Some(dag));
            if !inside {
                outside.push(username);
            }
        }
    }
    if !unknown_roles.is_empty() {
        errors.push(format!(
            "Invalid Unique Role Names: {}",
            unknown_roles.join(", ")
        ));
    }
    if !outside.is_empty() {
        errors.push(format!("Invalid usernames: {}", outside.join(", ")));
    }
    joined(errors)?;
    let project = &mut inner.projects[call.project];
    for row in &call.rows {
        let username = row
            .get("username")
            .map(text_of)
            .unwrap_or_default()
            .trim()
            .to_lowercase();
        let role = row
            .get("unique_role_name")
            .map(text_of)
            .unwrap_or_default()
            .trim()
            .to_owned();
        let role_id = project.role_by_name(&role).map(|r| r.role_id);
        let group = row.get("data_access_group").map(text_of).map(|name| {
            if name.is_empty() {
                Some(None)
            } else {
                // Unknown DAG names are ignored silently.
                project.dag_id(&name).map(Some)
            }
        });
        let forms = project.forms.clone();
        let user = project
            .users
            .entry(username.clone())
            .or_insert_with(|| new_member(&username, &forms));
        user.role_id = role_id;
        if let Some(Some(group_id)) = group {
            user.group_id = group_id;
        }
    }
    Ok(count(call.format, call.rows.len()))
}

/// A user added by a role mapping: every right 0.
fn new_member(username: &str, forms: &[String]) -> ProjectUser {
    ProjectUser {
        username: username.to_owned(),
        expiration: String::new(),
        group_id: None,
        role_id: None,
        rights: BTreeMap::new(),
        forms: full_forms(forms, &BTreeMap::new()),
        forms_export: full_forms(forms, &BTreeMap::new()),
        dag_switcher: Default::default(),
    }
}

/// DAG mapping export: visible users (super users see everyone), ascending username.
pub fn dag_export(inner: &Inner, call: &Call<'_>) -> Response {
    let project = &inner.projects[call.project];
    let filter = if call.super_user {
        None
    } else {
        call.caller_dag
    };
    let rows: Vec<Row> = visible(project, filter)
        .map(|user| {
            let dag = user.group_id.and_then(|id| project.dag_unique_name(id));
            vec![
                ("username", Cell::Text(user.username.clone())),
                (
                    "redcap_data_access_group",
                    Cell::Text(dag.unwrap_or_default()),
                ),
            ]
        })
        .collect();
    write_export(
        call.format,
        &rows,
        ITEMS,
        "username,redcap_data_access_group",
    )
}

/// DAG mapping import: users must already be in the project.
pub fn dag_import(inner: &mut Inner, call: &Call<'_>) -> Result<Response, ApiError> {
    let first_ok = call
        .rows
        .first()
        .is_some_and(|r| r.contains_key("username") && r.contains_key("redcap_data_access_group"));
    if !first_ok {
        return Err(ApiError::bad("One or more components are missing in your input data. The following attributes are required: username, redcap_data_access_group"));
    }
    if call.caller_dag.is_some() && !call.super_user {
        return Err(ApiError::bad("You do not have permission to import User-DAG Assignment because you have been assigned to a Data Access Group."));
    }
    let project = &inner.projects[call.project];
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    let mut targets = Vec::new();
    for row in &call.rows {
        let username = row
            .get("username")
            .map(text_of)
            .unwrap_or_default()
            .trim()
            .to_owned();
        let dag = row
            .get("redcap_data_access_group")
            .map(text_of)
            .unwrap_or_default()
            .trim()
            .to_owned();
        if username.is_empty() {
            errors.push(format!("The username for unique group name \"{dag}\" "));
            continue;
        }
        if username.chars().count() > 255 {
            errors.push(format!("The username \"{username}\" must be less than or equal to 255 characters in length."));
            continue;
        }
        let lower = username.to_lowercase();
        if !project.users.contains_key(&lower) {
            errors.push(format!(
                "The username \"{username}\" does not exist in the project."
            ));
            continue;
        }
        if !seen.insert(lower.clone()) {
            errors.push(format!(
                "The username \"{username}\" occurs in more than one record. "
            ));
            continue;
        }
        let group = if dag.is_empty() {
            None
        } else {
            match project.dag_id(&dag) {
                Some(id) => Some(id),
                None => {
                    errors.push(format!(
                        "Unique group name \"{dag}\" does not exist in the project."
                    ));
                    continue;
                }
            }
        };
        targets.push((lower, group));
    }
    joined(errors)?;
    let project = &mut inner.projects[call.project];
    for (username, group) in targets {
        if let Some(user) = project.users.get_mut(&username) {
            user.group_id = group;
        }
    }
    Ok(count(call.format, call.rows.len()))
}
