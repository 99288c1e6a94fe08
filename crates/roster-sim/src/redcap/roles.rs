//! `content=userRole`: export, import (create or update) and delete (spec §2.2).

use std::collections::BTreeMap;

use axum::response::Response;

use super::data::{form_pairs, right_value, text_of};
use super::output::{count, export as write_export, Cell, Row, XmlShape};
use super::pipeline::{joined, ApiError, Call};
use super::rights::valid_form_right;
use super::state::{full_forms, Inner, RoleRecord};
use super::users::forms_cell;

/// Export: roles in creation order; rights as strings, forms as ints.
pub fn export(inner: &Inner, call: &Call<'_>) -> Response {
    let project = &inner.projects[call.project];
    let emulation = inner.emulation(call.project);
    let csv_bug =
        call.format == super::request::Format::Csv && emulation.version.has_role_csv_bug();
    let text_right = |role: &RoleRecord, key: &str| {
        Cell::Text(role.rights.get(key).cloned().unwrap_or_else(|| "0".into()))
    };
    let rows: Vec<Row> = project
        .roles
        .iter()
        .map(|role| {
            let mut row: Row = vec![
                (
                    "unique_role_name",
                    Cell::Text(role.unique_role_name.clone()),
                ),
                ("role_label", Cell::Text(role.label.clone())),
            ];
            for key in emulation.role_core_rights() {
                row.push((key, text_right(role, key)));
            }
            for key in emulation.module_rights_before_forms() {
                row.push((key, text_right(role, key)));
            }
            row.push(("forms", forms_cell(project, &role.forms)));
            // 15.7.6 writes the `forms` pairs into the CSV `forms_export` cell as well.
            let export_forms = if csv_bug {
                &role.forms
            } else {
                &role.forms_export
            };
            row.push(("forms_export", forms_cell(project, export_forms)));
            for key in emulation.module_rights_after_forms() {
                row.push((key, text_right(role, key)));
            }
            row
        })
        .collect();
    write_export(
        call.format,
        &rows,
        XmlShape {
            root: "userRoles",
            cdata: false,
        },
        "",
    )
}

/// Import: an empty `unique_role_name` creates, an existing one updates.
pub fn import(inner: &mut Inner, call: &Call<'_>) -> Result<Response, ApiError> {
    let emulation = inner.emulation(call.project);
    let version = emulation.version;
    let mut rights: Vec<&str> = emulation.role_core_rights();
    rights.extend(emulation.module_rights());
    // `email_logging` cannot be imported for roles in 15.7.6.
    rights.retain(|k| *k != "email_logging");
    let project = &inner.projects[call.project];
    let mut errors = Vec::new();
    let mut unknown_names = Vec::new();
    for row in &call.rows {
        let name = row.get("unique_role_name").map(text_of).unwrap_or_default();
        let label = row.get("role_label").map(text_of).unwrap_or_default();
        if !name.is_empty() && project.role_by_name(&name).is_none() {
            unknown_names.push(name.clone());
        }
        if label.trim().is_empty() {
            errors.push("The Role Label is blank.".to_owned());
        }
        for key in &rights {
            if let Some(value) = row.get(*key) {
                if right_value(value).is_err() {
                    errors.push(format!(
                        "The field named \"{key}\" for user role \"{label}\"  with value \"{}\" is not a valid rights value.",
                        text_of(value)
                    ));
                }
            }
        }
        for (key, is_export) in [("forms", false), ("forms_export", true)] {
            let Some(value) = row.get(key) else { continue };
            for (form, parsed) in form_pairs(value) {
                if !project.forms.contains(&form) {
                    errors.push(format!("The form named \"{form}\" is incorrect for the user role \"{label}\" The form does not exist in this project."));
                    continue;
                }
                let ok = match &parsed {
                    Ok(v) if is_export => (0..=3).contains(v),
                    Ok(v) => valid_form_right(*v, version),
                    Err(_) => false,
                };
                if !ok {
                    let shown = parsed.map(|v| v.to_string()).unwrap_or_else(|t| t);
                    errors.push(format!("The form named \"{form}\" with value \"{shown}\" is not a valid form-level rights value. It must be 0, 1, 2 or 3."));
                }
            }
        }
    }
    if !unknown_names.is_empty() {
        errors.push(format!(
            "Invalid Unique Role Names: {}",
            unknown_names.join(", ")
        ));
    }
    joined(errors)?;
    let resets = inner.role_update_resets_rights;
    for row in &call.rows {
        let name = row.get("unique_role_name").map(text_of).unwrap_or_default();
        let label = row.get("role_label").map(text_of).unwrap_or_default();
        let given_rights: BTreeMap<String, String> = rights
            .iter()
            .filter_map(|k| {
                row.get(*k).map(|v| {
                    let n = right_value(v).ok().flatten().unwrap_or(0);
                    ((*k).to_owned(), n.to_string())
                })
            })
            .collect();
        let given_forms = |key: &str| -> Option<BTreeMap<String, i64>> {
            row.get(key).map(|v| {
                form_pairs(v)
                    .into_iter()
                    .filter_map(|(f, r)| r.ok().map(|r| (f, r)))
                    .collect()
            })
        };
        let (forms, forms_export) = (given_forms("forms"), given_forms("forms_export"));
        if name.is_empty() {
            let unique_role_name = {
                let projects = &inner.projects;
                inner
                    .rng
                    .role_name(|n| projects.iter().any(|p| p.role_by_name(n).is_some()))
            };
            let role_id = inner.next_role_id;
            inner.next_role_id += 1;
            let project = &mut inner.projects[call.project];
            let rights = rights
                .iter()
                .map(|k| {
                    (
                        (*k).to_owned(),
                        given_rights.get(*k).cloned().unwrap_or_else(|| "0".into()),
                    )
                })
                .collect();
            let role = RoleRecord {
                role_id,
                unique_role_name,
                label: label.trim().to_owned(),
                rights,
                forms: full_forms(&project.forms, &forms.unwrap_or_default()),
                forms_export: full_forms(&project.forms, &forms_export.unwrap_or_default()),
            };
            project.roles.push(role);
        } else {
            let project = &mut inner.projects[call.project];
            let role = project
                .roles
                .iter_mut()
                .find(|r| r.unique_role_name == name)
                .expect("validated above");
            role.label = label.trim().to_owned();
            for key in &rights {
                match given_rights.get(*key) {
                    Some(v) => {
                        role.rights.insert((*key).to_owned(), v.clone());
                    }
                    None if resets => {
                        role.rights.insert((*key).to_owned(), "0".into());
                    }
                    None => {}
                }
            }
            // Omitted forms keep their stored values.
            for (given, stored) in [
                (forms, &mut role.forms),
                (forms_export, &mut role.forms_export),
            ] {
                for (form, value) in given.unwrap_or_default() {
                    stored.insert(form, value);
                }
            }
        }
    }
    Ok(count(call.format, call.rows.len()))
}

/// Delete: every name must exist, or nothing is deleted; members keep their own rights.
pub fn delete(inner: &mut Inner, call: &Call<'_>) -> Result<Response, ApiError> {
    let names = call.request.array("roles").ok_or_else(|| {
        ApiError::bad("The 'roles' parameter is either missing or is not an array. It must be provided as an array even if it only contains one value.")
    })?;
    let project = &mut inner.projects[call.project];
    let mut wanted: Vec<i64> = Vec::new();
    let mut missing = Vec::new();
    for name in names {
        match project.role_by_name(name.trim()) {
            Some(role) if !wanted.contains(&role.role_id) => wanted.push(role.role_id),
            Some(_) => {}
            None => missing.push(name.trim().to_owned()),
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::bad(format!(
            "One or more of the roles provided are not valid rolenames that do not exist in this project. Note: No roles were deleted. Roles that do not exist: {}",
            missing.join(", ")
        )));
    }
    project.roles.retain(|r| !wanted.contains(&r.role_id));
    for user in project.users.values_mut() {
        if user.role_id.is_some_and(|id| wanted.contains(&id)) {
            user.role_id = None;
        }
    }
    Ok(count(call.format, wanted.len()))
}
