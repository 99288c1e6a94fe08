//! `content=dag`: export, import (create or rename), delete and switch (spec §2.4).

use axum::response::Response;

use super::data::text_of;
use super::output::{count, export as write_export, plain, Cell, Row, XmlShape};
use super::pipeline::{joined, ApiError, Call};
use super::state::{Dag, Inner};

/// Export: ordered by trimmed label, with derived unique names.
pub fn export(inner: &Inner, call: &Call<'_>) -> Response {
    let rows: Vec<Row> = inner.projects[call.project]
        .dag_views()
        .into_iter()
        .map(|d| {
            vec![
                ("data_access_group_name", Cell::Text(d.label)),
                ("unique_group_name", Cell::Text(d.unique_name)),
                ("data_access_group_id", Cell::Int(d.id)),
            ]
        })
        .collect();
    write_export(
        call.format,
        &rows,
        XmlShape {
            root: "dags",
            cdata: true,
        },
        "data_access_group_name,unique_group_name,data_access_group_id",
    )
}

/// Import: an empty `unique_group_name` creates a DAG, an existing one renames it.
pub fn import(inner: &mut Inner, call: &Call<'_>) -> Result<Response, ApiError> {
    let first_ok = call.rows.first().is_some_and(|r| {
        r.get("data_access_group_name")
            .is_some_and(|v| !v.is_null())
            && r.get("unique_group_name").is_some_and(|v| !v.is_null())
    });
    if !first_ok {
        return Err(ApiError::bad("One or more components are missing in your input data. The following attributes are required: data_access_group_name, unique_group_name"));
    }
    let project = &inner.projects[call.project];
    let mut errors = Vec::new();
    // Unique names are resolved against the DAGs as they were before this request.
    let mut plan: Vec<(Option<i64>, String)> = Vec::new();
    for row in &call.rows {
        let label = row
            .get("data_access_group_name")
            .map(text_of)
            .unwrap_or_default();
        let unique = row
            .get("unique_group_name")
            .map(text_of)
            .unwrap_or_default();
        if label.trim().is_empty() {
            errors.push(format!(
                "The data access group name for unique group name \"{unique}\" "
            ));
            continue;
        }
        if label.chars().count() > 100 {
            errors.push(format!("The data access group name \"{label}\" must be less than or equal to 100 characters in length."));
            continue;
        }
        if unique.is_empty() {
            plan.push((None, label));
        } else {
            match project.dag_id(&unique) {
                Some(id) => plan.push((Some(id), label)),
                None => errors.push(format!("Unique group name \"{unique}\" does not exist in the project. NOTE: The unique group name is auto-generated from the name of the data access group, so there is no way to set the unique group name manually.\n\t\t\t\t\tIf you are attempting to create a new DAG, you should leave the unique_group_name and data_access_group_id fields blank in your upload file.")),
            }
        }
    }
    joined(errors)?;
    for (id, label) in plan {
        match id {
            Some(id) => {
                if let Some(dag) = inner.projects[call.project]
                    .dags
                    .iter_mut()
                    .find(|d| d.id == id)
                {
                    dag.label = label;
                }
            }
            None => {
                let id = inner.next_group_id;
                inner.next_group_id += 1;
                inner.projects[call.project].dags.push(Dag { id, label });
            }
        }
    }
    Ok(count(call.format, call.rows.len()))
}

/// Delete: every name must exist, or nothing is deleted. Members are unassigned and the
/// DAG leaves every switcher set (CHOSEN).
pub fn delete(inner: &mut Inner, call: &Call<'_>) -> Result<Response, ApiError> {
    let names = call.request.array("dags").ok_or_else(|| {
        ApiError::bad("The 'dags' parameter is either missing or is not an array. It must be provided as an array even if it only contains one value.")
    })?;
    let project = &mut inner.projects[call.project];
    let mut wanted: Vec<i64> = Vec::new();
    let mut missing = Vec::new();
    for name in names {
        match project.dag_id(name.trim()) {
            Some(id) if !wanted.contains(&id) => wanted.push(id),
            Some(_) => {}
            None => missing.push(name.trim().to_owned()),
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::bad(format!(
            "One or more of the dags provided are not valid unique group names that do not exist in this project. Note: No dags were deleted. DAGs that do not exist: {}",
            missing.join(", ")
        )));
    }
    project.dags.retain(|d| !wanted.contains(&d.id));
    for user in project.users.values_mut() {
        if user.group_id.is_some_and(|g| wanted.contains(&g)) {
            user.group_id = None;
        }
        user.dag_switcher
            .retain(|g| !g.is_some_and(|g| wanted.contains(&g)));
    }
    Ok(count(call.format, wanted.len()))
}

/// Switch the caller's DAG. Refusals are `ERROR: …` bodies with HTTP 200.
pub fn switch(inner: &mut Inner, call: &Call<'_>) -> Response {
    let project = &mut inner.projects[call.project];
    let name = call.request.field("dag").unwrap_or_default().trim();
    let target = if name.is_empty() {
        None
    } else {
        match project.dag_id(name) {
            Some(id) => Some(id),
            None => return plain(call.format, "ERROR: Invalid DAG"),
        }
    };
    let Some(user) = project.users.get_mut(&call.caller) else {
        return plain(call.format, "ERROR: Invalid user");
    };
    if user.dag_switcher.is_empty() {
        return plain(call.format, "ERROR: Invalid user");
    }
    if !user.dag_switcher.contains(&target) {
        return plain(call.format, "ERROR: User/DAG assignment not permitted");
    }
    user.group_id = target;
    plain(call.format, "1")
}
