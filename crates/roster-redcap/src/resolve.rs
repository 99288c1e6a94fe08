//! Turning REDCap's all-or-nothing imports into per-row results: when a batch is refused
//! (400, nothing saved), the rows the error names are set aside with their message and the
//! rest is sent again; when the error names no row, the batch is split in halves.

use std::collections::BTreeMap;

use roster_core::{DirectoryError, ErrorClass, ErrorKind, Result};
use serde::Serialize;

use crate::api::{Api, Content};
use crate::reply::Repeat;
use crate::rows::{DagMappingImportRow, RoleMappingImportRow, UserImportRow};

/// A row an error message can name: by username, by the DAG it sets, by the role it sets.
pub(crate) trait Blame {
    fn username(&self) -> &str;
    fn group(&self) -> Option<&str> {
        None
    }
    fn role(&self) -> Option<&str> {
        None
    }
}

impl Blame for UserImportRow {
    fn username(&self) -> &str {
        &self.username
    }
    fn group(&self) -> Option<&str> {
        Some(&self.data_access_group)
    }
}

impl Blame for RoleMappingImportRow {
    fn username(&self) -> &str {
        &self.username
    }
    fn role(&self) -> Option<&str> {
        Some(&self.unique_role_name)
    }
}

impl Blame for DagMappingImportRow {
    fn username(&self) -> &str {
        &self.username
    }
    fn group(&self) -> Option<&str> {
        Some(&self.redcap_data_access_group)
    }
}

impl Api {
    /// Imports `rows` and returns one result per row, resolving all-or-nothing refusals.
    /// A refusal that is not about the rows (rights, transport, 5xx) fails every row alike.
    pub(crate) async fn import_each<R: Serialize + Blame>(
        &self,
        content: Content,
        rows: &[R],
        repeat: Repeat,
    ) -> Vec<Result<()>> {
        let mut outcome: Vec<Option<Result<()>>> = vec![None; rows.len()];
        let mut work: Vec<Vec<usize>> = vec![(0..rows.len()).collect()];
        while let Some(group) = work.pop() {
            if group.is_empty() {
                continue;
            }
            let batch: Vec<&R> = group.iter().map(|&i| &rows[i]).collect();
            let error = match self.import(content, &batch, repeat).await {
                Ok(_) => {
                    for i in group {
                        outcome[i] = Some(Ok(()));
                    }
                    continue;
                }
                Err(error) => error,
            };
            let Some(message) = rolled_back(&error) else {
                for i in group {
                    outcome[i] = Some(Err(error.clone()));
                }
                continue;
            };
            let blamed = blame(message, &group, rows);
            if !blamed.is_empty() {
                let rest = group.iter().copied().filter(|i| !blamed.contains_key(i));
                work.push(rest.collect());
                for (i, line) in blamed {
                    outcome[i] = Some(Err(row_error(&line)));
                }
            } else if group.len() > 1 {
                let (first, second) = group.split_at(group.len() / 2);
                work.push(second.to_vec());
                work.push(first.to_vec());
            } else {
                outcome[group[0]] = Some(Err(error));
            }
        }
        outcome
            .into_iter()
            .map(|result| {
                result.unwrap_or_else(|| {
                    Err(DirectoryError::new(ErrorKind::Decode {
                        message: "the import left a row without an outcome".into(),
                    }))
                })
            })
            .collect()
    }
}

/// The message of a refusal that rolled the whole request back (a 400), if it is one.
fn rolled_back(error: &DirectoryError) -> Option<&str> {
    match error.kind() {
        ErrorKind::Invalid { message, .. } if error.class() == ErrorClass::Permanent => {
            Some(message)
        }
        _ => None,
    }
}

/// The per-row error for one line of a refusal.
fn row_error(line: &str) -> DirectoryError {
    let hint = if line.contains("belongs to a user role") {
        " (set `role` to \"\" in the same change to take the user out of the role first)"
    } else {
        ""
    };
    DirectoryError::invalid(None, format!("{line}{hint}"))
}

/// The rows (positions in `rows`, among `group`) each line of `message` names.
fn blame<R: Blame>(message: &str, group: &[usize], rows: &[R]) -> BTreeMap<usize, String> {
    let mut blamed = BTreeMap::new();
    for line in message
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
    {
        for i in rows_named(line, group, rows) {
            blamed.entry(i).or_insert_with(|| line.to_owned());
        }
    }
    blamed
}

fn rows_named<R: Blame>(line: &str, group: &[usize], rows: &[R]) -> Vec<usize> {
    let matching = |wanted: &dyn Fn(&R) -> bool| -> Vec<usize> {
        group
            .iter()
            .copied()
            .filter(|&i| wanted(&rows[i]))
            .collect()
    };
    if let Some(number) = between(line, "is missing for user #", " ") {
        let position: usize = number.trim_end_matches('.').parse().unwrap_or(0);
        return group
            .get(position.wrapping_sub(1))
            .copied()
            .into_iter()
            .collect();
    }
    for marker in [
        "for user \"",
        "for the user \"",
        "The user \"",
        "username \"",
    ] {
        if let Some(name) = between(line, marker, "\"") {
            return matching(&|row: &R| row.username().eq_ignore_ascii_case(name));
        }
    }
    for marker in ["data_access_group \"", "Unique group name \""] {
        if let Some(dag) = between(line, marker, "\"") {
            return matching(&|row: &R| row.group() == Some(dag));
        }
    }
    if let Some(list) = line.strip_prefix("Invalid Unique Role Names:") {
        let roles = listed(list);
        return matching(&|row: &R| row.role().is_some_and(|role| roles.contains(&role)));
    }
    if let Some(list) = line.strip_prefix("Invalid usernames:") {
        let names = listed(list);
        return matching(&|row: &R| {
            names
                .iter()
                .any(|name| name.eq_ignore_ascii_case(row.username()))
        });
    }
    Vec::new()
}

/// The text between `start` and the next `end` in `line`.
fn between<'a>(line: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = line.find(start)? + start.len();
    let rest = &line[from..];
    Some(rest.find(end).map_or(rest, |to| &rest[..to]))
}

fn listed(list: &str) -> Vec<&str> {
    list.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(username: &str, dag: &str) -> UserImportRow {
        UserImportRow {
            username: username.into(),
            expiration: String::new(),
            data_access_group: dag.into(),
            rights: Default::default(),
            forms: None,
            forms_export: None,
        }
    }

    #[test]
    fn each_documented_message_names_its_rows() {
        let rows = vec![row("alice", "site_a"), row("bob", ""), row("carol", "nope")];
        let all = [0, 1, 2];
        let message = "The field named \"design\" for user \"bob\"  with value \"2\" is not a \
                       valid rights value. It must be 0 or 1.\n\
                       data_access_group \"nope\" is not a valid unique Data Access Group name \
                       for this project.";
        let blamed = blame(message, &all, &rows);
        assert_eq!(blamed.keys().copied().collect::<Vec<_>>(), vec![1, 2]);
        let role = "The user \"alice\" cannot have their user privileges modified because the \
                    user belongs to a user role. Users in roles cannot have their privileges \
                    modified via the 'Import User' API method.";
        assert_eq!(
            blame(role, &all, &rows).keys().copied().collect::<Vec<_>>(),
            vec![0]
        );
        let missing = "The username is missing for user #2 in the list of users provided.";
        assert_eq!(
            blame(missing, &[2, 0], &rows)
                .keys()
                .copied()
                .collect::<Vec<_>>(),
            vec![0]
        );
        let format = "username \"CAROL\" is not in a valid username format.";
        assert_eq!(
            blame(format, &all, &rows)
                .keys()
                .copied()
                .collect::<Vec<_>>(),
            vec![2]
        );
        let form = "The form named \"f\" with value \"9\" is not a valid form-level rights value.";
        assert!(blame(form, &all, &rows).is_empty());
    }

    #[test]
    fn role_and_dag_mapping_messages_name_their_rows() {
        let roles = vec![
            RoleMappingImportRow {
                username: "bob".into(),
                unique_role_name: "test role".into(),
            },
            RoleMappingImportRow {
                username: "dave".into(),
                unique_role_name: "U-573AEYRNR8".into(),
            },
        ];
        let blamed = blame("Invalid Unique Role Names: test role", &[0, 1], &roles);
        assert_eq!(blamed.keys().copied().collect::<Vec<_>>(), vec![0]);
        let dags = vec![DagMappingImportRow {
            username: "nobody".into(),
            redcap_data_access_group: "test_dag".into(),
        }];
        let blamed = blame(
            "The username \"nobody\" does not exist in the project.",
            &[0],
            &dags,
        );
        assert_eq!(blamed.len(), 1);
    }
}
