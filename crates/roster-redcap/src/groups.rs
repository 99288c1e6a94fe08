//! Groups are Data Access Groups (spec §2.4, §2.5, §5.4): list, create (with the unique name
//! predicted before anything is sent), rename, delete, the DAG switch, and membership through
//! the user-DAG mapping.

use std::collections::{BTreeMap, BTreeSet};

use roster_core::{DirectoryError, ErrorKind, Group, NewGroup, Operation, Result};
use serde_json::Value;

use crate::api::Content;
use crate::dag_names::predict_new_name;
use crate::directory::RedcapDirectory;
use crate::mapping::group_from_row;
use crate::observed::RoleDetail;
use crate::reply::Repeat;
use crate::rows::{DagImportRow, DagMappingImportRow, DagRow};
use crate::users::not_found_if_listed;

/// Longest DAG label REDCap accepts.
const MAX_LABEL_CHARS: usize = 100;

impl RedcapDirectory {
    async fn dags(&self) -> Result<Vec<DagRow>> {
        self.api.export(Content::Dag).await
    }

    pub(crate) async fn list_groups_impl(&self) -> Result<Vec<Group>> {
        let dags = self
            .dags()
            .await
            .map_err(self.fail(Operation::ListGroups))?;
        Ok(dags.iter().map(group_from_row).collect())
    }

    /// The label is `attributes.label`, else the name. REDCap derives the unique name from
    /// the label and the other DAGs, so the name is predicted first and a request whose name
    /// REDCap would not give is refused without sending (else a plan would create the DAG
    /// again on every run).
    pub(crate) async fn create_group_impl(&self, group: &NewGroup) -> Result<Group> {
        let fail = self.fail(Operation::CreateGroup);
        let label = match group.attributes.get("label") {
            Some(Value::String(label)) => label.clone(),
            Some(other) => {
                return Err(fail(DirectoryError::invalid(
                    Some("label"),
                    format!("a DAG label is text, got {other}"),
                )))
            }
            None => group.name.clone(),
        };
        check_label(&label).map_err(&fail)?;
        let dags = self.dags().await.map_err(&fail)?;
        if dags.iter().any(|dag| dag.unique_group_name == group.name) {
            return Err(fail(DirectoryError::already_exists(format!(
                "DAG {}",
                group.name
            ))));
        }
        let labels: Vec<String> = dags
            .iter()
            .map(|dag| dag.data_access_group_name.clone())
            .collect();
        let predicted = predict_new_name(&labels, &label);
        if predicted != group.name {
            return Err(fail(DirectoryError::invalid(
                Some("name"),
                format!(
                    "REDCap derives DAG names from labels: a DAG labelled {label:?} would be \
                     named {predicted:?}, not {:?}; ask for that name, or set the label",
                    group.name
                ),
            )));
        }
        let row = DagImportRow {
            data_access_group_name: label,
            unique_group_name: String::new(),
        };
        self.api
            .import(Content::Dag, &[row], Repeat::Unsafe)
            .await
            .map_err(&fail)?;
        let known: BTreeSet<String> = dags
            .into_iter()
            .map(|dag| dag.data_access_group_id)
            .collect();
        let after = self.dags().await.map_err(&fail)?;
        after
            .iter()
            .find(|dag| {
                dag.unique_group_name == predicted && !known.contains(&dag.data_access_group_id)
            })
            .or_else(|| {
                after
                    .iter()
                    .find(|dag| !known.contains(&dag.data_access_group_id))
            })
            .map(group_from_row)
            .ok_or_else(|| {
                fail(crate::reply::decode_error(
                    "the server accepted the DAG, but the DAG export does not list it",
                ))
            })
    }

    /// Members are unassigned first (what the API does to them otherwise is unknown), then
    /// the DAG is deleted.
    pub(crate) async fn delete_group_impl(&self, name: &str) -> Result<()> {
        let fail = self.fail(Operation::DeleteGroup);
        let snapshot = self.read_users(RoleDetail::None).await.map_err(&fail)?;
        let members: Vec<DagMappingImportRow> = snapshot
            .users
            .iter()
            .filter(|(_, row)| row.data_access_group == name)
            .map(|(username, _)| DagMappingImportRow {
                username: username.clone(),
                redcap_data_access_group: String::new(),
            })
            .collect();
        for chunk in members.chunks(self.batch_max) {
            self.api
                .import(Content::UserDagMapping, chunk, Repeat::Safe)
                .await
                .map_err(&fail)?;
        }
        self.observed.forget();
        self.api
            .delete(Content::Dag, "dags", &[name.to_owned()])
            .await
            .map(drop)
            .map_err(|error| fail(not_found_if_listed(error)))
    }

    /// Adds `add` to the DAG `group` and takes `remove` out of it; someone in `remove` who is
    /// in another DAG stays there. One user-DAG mapping import per `batch_max` users.
    pub(crate) async fn set_membership_impl(
        &self,
        group: &str,
        add: &[String],
        remove: &[String],
    ) -> Result<()> {
        let fail = self.fail(Operation::SetMembership);
        let removing: BTreeSet<String> = remove.iter().map(|id| id.trim().to_lowercase()).collect();
        let mut failed = BTreeMap::new();
        let mut rows: Vec<DagMappingImportRow> = Vec::new();
        let mut seen = BTreeSet::new();
        for username in add.iter().map(|id| id.trim().to_lowercase()) {
            if !removing.contains(&username) && seen.insert(username.clone()) {
                rows.push(DagMappingImportRow {
                    username,
                    redcap_data_access_group: group.to_owned(),
                });
            }
        }
        if !removing.is_empty() {
            let snapshot = self.read_users(RoleDetail::None).await.map_err(&fail)?;
            for username in removing {
                match snapshot.users.get(&username) {
                    None => {
                        failed.insert(username, "not in the project".to_owned());
                    }
                    Some(row) if row.data_access_group == group || add_contains(add, &username) => {
                        rows.push(DagMappingImportRow {
                            username,
                            redcap_data_access_group: String::new(),
                        });
                    }
                    Some(_) => {}
                }
            }
        }
        let mut results = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(self.batch_max) {
            results.extend(
                self.api
                    .import_each(Content::UserDagMapping, chunk, Repeat::Safe)
                    .await,
            );
        }
        self.observed.forget();
        for (row, result) in rows.iter().zip(results) {
            if let Err(error) = result {
                if !matches!(error.kind(), ErrorKind::Invalid { .. }) {
                    return Err(fail(error));
                }
                if error
                    .to_string()
                    .contains(&format!("Unique group name \"{group}\""))
                {
                    return Err(fail(DirectoryError::not_found(format!("DAG {group}"))));
                }
                failed.insert(row.username.clone(), error.to_string());
            }
        }
        if failed.is_empty() {
            Ok(())
        } else {
            Err(fail(DirectoryError::new(ErrorKind::Partial { failed })))
        }
    }

    /// Renames the DAG `name` to `label`. REDCap derives the unique name from the label, so
    /// the DAG comes back under its new name (and siblings with the same base may shift).
    pub async fn rename_group(&self, name: &str, label: &str) -> Result<Group> {
        let fail = |error: DirectoryError| error.at_site(self.site());
        check_label(label).map_err(&fail)?;
        let dags = self.dags().await.map_err(&fail)?;
        let Some(id) = dags
            .iter()
            .find(|dag| dag.unique_group_name == name)
            .map(|dag| dag.data_access_group_id.clone())
        else {
            return Err(fail(DirectoryError::not_found(format!("DAG {name}"))));
        };
        let row = DagImportRow {
            data_access_group_name: label.to_owned(),
            unique_group_name: name.to_owned(),
        };
        self.api
            .import(Content::Dag, &[row], Repeat::Safe)
            .await
            .map_err(&fail)?;
        self.observed.forget();
        let after = self.dags().await.map_err(&fail)?;
        after
            .iter()
            .find(|dag| dag.data_access_group_id == id)
            .map(group_from_row)
            .ok_or_else(|| {
                fail(DirectoryError::not_found(format!(
                    "DAG {name} after renaming"
                )))
            })
    }

    /// Moves the token's own user into the DAG `dag`, or out of every DAG with `None`
    /// (`content=dag&action=switch`). Only DAGs the DAG Switcher allows for that user work;
    /// REDCap reports refusals with HTTP 200 and `ERROR: …`, which come back as `Invalid`.
    pub async fn switch_dag(&self, dag: Option<&str>) -> Result<()> {
        self.api
            .switch_dag(dag.unwrap_or_default())
            .await
            .map_err(|error| error.at_site(self.site()))
    }
}

fn add_contains(add: &[String], username: &str) -> bool {
    add.iter()
        .any(|id| id.trim().eq_ignore_ascii_case(username))
}

fn check_label(label: &str) -> Result<()> {
    if label.trim().is_empty() {
        return Err(DirectoryError::invalid(
            Some("label"),
            "a DAG label cannot be blank",
        ));
    }
    if label.chars().count() > MAX_LABEL_CHARS {
        return Err(DirectoryError::invalid(
            Some("label"),
            format!("a DAG label has at most {MAX_LABEL_CHARS} characters"),
        ));
    }
    Ok(())
}
