//! `content=user`: export, import (upsert) and delete (spec §2.1).

use std::collections::BTreeMap;

use axum::response::Response;
use chrono::NaiveDate;
use serde_json::Value;

use super::data::{form_pairs, right_value, text_of, DataRow};
use super::output::{count, export as write_export, Cell, Row, XmlShape};
use super::pipeline::{joined, ApiError, Call};
use super::rights::{user_right_max, valid_form_right};
use super::state::{full_forms, Inner, Project, ProjectUser};

const DAG_TAIL: &str = "Since you have been assigned to a Data Access Group, you are only able to view/edit users from your group, and you are not allowed to add new users to this project.";

/// The users a caller may see: everyone, or only their DAG's users.
pub fn visible(project: &Project, caller_dag: Option<i64>) -> impl Iterator<Item = &ProjectUser> {
    project
        .users
        .values()
        .filter(move |u| caller_dag.is_none() || u.group_id == caller_dag)
}

/// One forms map as a cell, in instrument order.
pub fn forms_cell(project: &Project, forms: &BTreeMap<String, i64>) -> Cell {
    Cell::Map(
        project
            .forms
            .iter()
            .map(|f| (f.clone(), forms.get(f).copied().unwrap_or(0)))
            .collect(),
    )
}

/// Export: one row per visible project user, ascending username, keys in §2.1 order.
pub fn export(inner: &Inner, call: &Call<'_>) -> Response {
    let project = &inner.projects[call.project];
    let emulation = inner.emulation(call.project);
    let dags = project.dag_views();
    let rows: Vec<Row> = visible(project, call.caller_dag)
        .map(|user| {
            let account = inner.accounts.get(&user.username);
            let text = |f: fn(&super::state::Account) -> &String| {
                Cell::Text(account.map(|a| f(a).clone()).unwrap_or_default())
            };
            let dag = user
                .group_id
                .and_then(|id| dags.iter().find(|d| d.id == id));
            let mut row: Row = vec![
                ("username", Cell::Text(user.username.clone())),
                ("email", text(|a| &a.email)),
                ("firstname", text(|a| &a.firstname)),
                ("lastname", text(|a| &a.lastname)),
                ("expiration", Cell::Text(user.expiration.clone())),
                (
                    "data_access_group",
                    Cell::Text(dag.map(|d| d.unique_name.clone()).unwrap_or_default()),
                ),
                (
                    "data_access_group_id",
                    dag.map(|d| Cell::Int(d.id))
                        .unwrap_or(Cell::Text(String::new())),
                ),
            ];
            if emulation.version.has_dag_label() {
                row.push((
                    "data_access_group_label",
                    Cell::Text(dag.map(|d| d.label.clone()).unwrap_or_default()),
                ));
            }
            for key in emulation.all_user_rights() {
                row.push((key, Cell::Int(project.effective_right(user, key))));
            }
            let (forms, forms_export) = project.effective_forms(user);
            row.push(("forms", forms_cell(project, &forms)));
            row.push(("forms_export", forms_cell(project, &forms_export)));
            row
        })
        .collect();
    write_export(
        call.format,
        &rows,
        XmlShape {
            root: "users",
            cdata: false,
        },
        "",
    )
}

/// Import: validate every row, then apply all or nothing.
pub fn import(inner: &mut Inner, call: &Call<'_>) -> Result<Response, ApiError> {
    let emulation = inner.emulation(call.project);
    let project = &inner.projects[call.project];
    let rights = emulation.all_user_rights();
    let modules = emulation.module_rights();
    let dags = project.dag_views();
    let caller_dag_name = call
        .caller_dag
        .and_then(|id| dags.iter().find(|d| d.id == id))
        .map(|d| d.unique_name.clone());
    let mut errors = Vec::new();
    for (n, row) in call.rows.iter().enumerate() {
        let username = row.get("username").map(text_of).unwrap_or_default();
        if username.trim().is_empty() {
            errors.push(format!(
                "The username is missing for user #{} in the list of users provided.",
                n + 1
            ));
            continue;
        }
        let trimmed = username.trim();
        if !trimmed
            .chars()
            .all(|c| c.is_alphanumeric() || c.is_whitespace() || "_'.-@".contains(c))
        {
            errors.push(format!("username \"{trimmed}\" is not in a valid username format. User names can only contain letters, numbers, underscores, hyphens, periods, spaces, apostrophes, and @ symbols."));
        }
        let dag = row
            .get("data_access_group")
            .map(text_of)
            .unwrap_or_default();
        if !dag.is_empty() && !dags.iter().any(|d| d.unique_name == dag) {
            errors.push(format!("data_access_group \"{dag}\" is not a valid unique Data Access Group name for this project."));
        }
        for key in &rights {
            let Some(value) = row.get(*key) else { continue };
            let valid = match right_value(value) {
                Ok(None) => true,
                Ok(Some(v)) => match user_right_max(key, &modules) {
                    Some(max) => (0..=max).contains(&v),
                    None => true,
                },
                Err(_) => false,
            };
            if !valid {
                errors.push(format!(
                    "The field named \"{key}\" for user \"{username}\"  with value \"{}\" is not a valid rights value. It must be 0 or 1.",
                    text_of(value)
                ));
            }
        }
        for (key, max_export) in [("forms", false), ("forms_export", true)] {
            let Some(value) = row.get(key) else { continue };
            for (form, parsed) in form_pairs(value) {
                if !project.forms.contains(&form) {
                    errors.push(format!("The form named \"{form}\" is incorrect for the user \"{username}\" The form does not exist in this project."));
                    continue;
                }
                let ok = match &parsed {
                    Ok(v) if max_export => (0..=3).contains(v),
                    Ok(v) => valid_form_right(*v, emulation.version),
                    Err(_) => false,
                };
                if !ok {
                    let shown = match parsed {
                        Ok(v) => v.to_string(),
                        Err(text) => text,
                    };
                    errors.push(format!("The form named \"{form}\" with value \"{shown}\" is not a valid form-level rights value. It must be 0, 1, 2 or 3."));
                }
            }
        }
        if let Some(own) = &caller_dag_name {
            let lower = trimmed.to_lowercase();
            if !project.users.contains_key(&lower) {
                errors.push(format!(
                    "username \"{trimmed}\" can not be added {DAG_TAIL}"
                ));
            } else if !dag.is_empty() && &dag != own {
                errors.push(format!(
                    "data_access_group \"{dag}\" can not be updated {DAG_TAIL}"
                ));
            }
        }
    }
    joined(errors)?;
    // Apply to a copy, so that a user found in a role rolls the whole request back.
    let mut updated = project.clone();
    for row in &call.rows {
        apply_row(&mut updated, row, &rights, caller_dag_name.as_deref())?;
    }
    inner.projects[call.project] = updated;
    Ok(count(call.format, call.rows.len()))
}

fn apply_row(
    project: &mut Project,
    row: &DataRow,
    rights: &[&str],
    caller_dag: Option<&str>,
) -> Result<(), ApiError> {
    let username = row
        .get("username")
        .map(text_of)
        .unwrap_or_default()
        .trim()
        .to_lowercase();
    let dag_name = match row.get("data_access_group") {
        Some(v) => text_of(v),
        // A caller in a DAG keeps the users it writes in that DAG (CHOSEN).
        None => caller_dag.unwrap_or_default().to_owned(),
    };
    let group_id = if dag_name.is_empty() {
        None
    } else {
        project.dag_id(&dag_name)
    };
    let forms_list = project.forms.clone();
    let user = match project.users.get_mut(&username) {
        Some(user) if user.role_id.is_some() => {
            return Err(ApiError::bad(format!("The user \"{username}\" cannot have their user privileges modified because the user belongs to a user role. Users in roles cannot have their privileges modified via the 'Import User' API method.")));
        }
        Some(user) => user,
        None => project
            .users
            .entry(username.clone())
            .or_insert_with(|| ProjectUser {
                username: username.clone(),
                expiration: String::new(),
                group_id: None,
                role_id: None,
                rights: BTreeMap::new(),
                forms: full_forms(&forms_list, &BTreeMap::new()),
                forms_export: full_forms(&forms_list, &BTreeMap::new()),
                dag_switcher: Default::default(),
            }),
    };
    // The DAG is always written: leaving it out removes the user from their DAG.
    user.group_id = group_id;
    if let Some(value) = row.get("expiration") {
        user.expiration = normalise_expiration(&text_of(value));
    }
    for key in rights {
        if let Some(value) = row.get(*key) {
            user.rights.insert(
                (*key).to_owned(),
                right_value(value).ok().flatten().unwrap_or(0),
            );
        }
    }
    if let Some(value) = row.get("forms") {
        user.forms = given_forms(&forms_list, value);
    }
    if let Some(value) = row.get("forms_export") {
        user.forms_export = given_forms(&forms_list, value);
    }
    Ok(())
}

/// A partial `forms` sets the instruments it leaves out to 0.
fn given_forms(forms: &[String], value: &Value) -> BTreeMap<String, i64> {
    let given: BTreeMap<String, i64> = form_pairs(value)
        .into_iter()
        .filter_map(|(k, v)| v.ok().map(|v| (k, v)))
        .collect();
    full_forms(forms, &given)
}

/// `YYYY-MM-DD`, `YYYY/MM/DD` or `MM/DD/YYYY`; anything else is the epoch (CHOSEN).
pub fn normalise_expiration(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    ["%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "1970-01-01".into())
}

/// Delete: every name must be a project user, or nothing is deleted.
pub fn delete(inner: &mut Inner, call: &Call<'_>) -> Result<Response, ApiError> {
    let names = call.request.array("users").ok_or_else(|| {
        ApiError::bad("The 'users' parameter is either missing or is not an array. It must be provided as an array even if it only contains one value.")
    })?;
    let project = &mut inner.projects[call.project];
    let mut wanted: Vec<String> = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    for name in names {
        let name = name.trim().to_owned();
        if !project.users.contains_key(&name) {
            missing.push(name);
        } else if !wanted.contains(&name) {
            wanted.push(name);
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::bad(format!(
            "One or more of the users provided are not valid usernames that do not exist in this project. Note: No users were deleted. Users that do not exist: {}",
            missing.join(", ")
        )));
    }
    for name in &wanted {
        project.users.remove(name);
    }
    Ok(count(call.format, wanted.len()))
}
