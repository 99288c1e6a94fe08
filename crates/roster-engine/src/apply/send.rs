//! Sending one item to a site, and making sure of an item whose fate is unknown.

use roster_core::{DirectoryError, ErrorKind, NewUser, UserDirectory, UserKey, UserOp, UserPatch};

use crate::plan::{Action, PlanItem};

/// What a sent item came to.
#[derive(Debug, Default)]
pub(crate) struct Sent {
    /// The id of a created user.
    pub user_id: Option<String>,
    /// A remark, e.g. "already absent".
    pub note: Option<String>,
}

impl Sent {
    fn noted(note: &str) -> Self {
        Self {
            user_id: None,
            note: Some(note.to_owned()),
        }
    }
}

fn reason(error: DirectoryError) -> String {
    error.to_string()
}

fn is_not_found(error: &DirectoryError) -> bool {
    matches!(error.kind(), ErrorKind::NotFound { .. })
}

/// A saved plan holds no passwords; a create that needs one cannot be sent from it.
pub(crate) fn check_password(item: &PlanItem) -> Result<(), String> {
    match &item.action {
        Action::CreateUser {
            user,
            password: true,
            ..
        } if user.password.is_none() => Err(
            "the password is not kept in a saved plan: give the desired-state file with it, or plan again"
                .into(),
        ),
        _ => Ok(()),
    }
}

/// The user a create would make, if the site already has it (looked up by every key).
pub(crate) async fn find_created(
    directory: &dyn UserDirectory,
    user: &NewUser,
) -> Result<Option<String>, DirectoryError> {
    for key in user.lookup_keys() {
        if let Some(found) = directory.get_user(&key).await? {
            return Ok(Some(found.id));
        }
    }
    Ok(None)
}

/// Sends one item. `in_doubt`: it may have landed in an earlier run, so a create is looked
/// up before it is sent again.
pub(crate) async fn send_one(
    directory: &dyn UserDirectory,
    item: &PlanItem,
    in_doubt: bool,
) -> Result<Sent, String> {
    match &item.action {
        Action::CreateGroup { group } => match directory.create_group(group).await {
            Ok(_) => Ok(Sent::default()),
            Err(e) if matches!(e.kind(), ErrorKind::AlreadyExists { .. }) && in_doubt => Ok(
                Sent::noted("found on the site: an earlier attempt had created it"),
            ),
            Err(e) => Err(reason(e)),
        },
        Action::CreateUser { user, .. } => {
            check_password(item)?;
            if in_doubt {
                if let Some(id) = find_created(directory, user).await.map_err(reason)? {
                    return Ok(Sent {
                        user_id: Some(id),
                        note: Some("found on the site: an earlier attempt had created it".into()),
                    });
                }
            }
            let created = directory.create_user(user).await.map_err(reason)?;
            Ok(Sent {
                user_id: Some(created.id),
                note: None,
            })
        }
        Action::UpdateUser { id, patch, .. } => directory
            .update_user(id, patch)
            .await
            .map(|_| Sent::default())
            .map_err(reason),
        Action::DeactivateUser { id } => directory
            .update_user(id, &UserPatch::deactivate())
            .await
            .map(|_| Sent::default())
            .map_err(reason),
        Action::DeleteUser { id } => match directory.delete_user(id).await {
            Ok(()) => Ok(Sent::default()),
            Err(e) if is_not_found(&e) => Ok(Sent::noted("already absent")),
            Err(e) => Err(reason(e)),
        },
        Action::DeleteGroup { group } => match directory.delete_group(group).await {
            Ok(()) => Ok(Sent::default()),
            Err(e) if is_not_found(&e) => Ok(Sent::noted("already absent")),
            Err(e) => Err(reason(e)),
        },
        Action::AddMember { .. } | Action::RemoveMember { .. } => {
            unreachable!("membership items are sent per group")
        }
    }
}

/// The batch operation for an item of the create, update or removal phases.
pub(crate) fn to_op(item: &PlanItem) -> UserOp {
    match &item.action {
        Action::CreateUser { user, .. } => UserOp::Create(user.clone()),
        Action::UpdateUser { id, patch, .. } => UserOp::Update {
            id: id.clone(),
            patch: patch.clone(),
        },
        Action::DeactivateUser { id } => UserOp::Update {
            id: id.clone(),
            patch: UserPatch::deactivate(),
        },
        Action::DeleteUser { id } => UserOp::Delete { id: id.clone() },
        other => unreachable!("{} is never batched", other.name()),
    }
}

/// After a batch whose reply was lost: finds out whether the item landed, and sends it alone
/// only when it did not (updates are safe to repeat; a create or delete is looked up first).
pub(crate) async fn resolve(
    directory: &dyn UserDirectory,
    item: &PlanItem,
) -> Result<Sent, String> {
    match &item.action {
        Action::DeleteUser { id } => {
            let still_there = directory
                .get_user(&UserKey::Id(id.clone()))
                .await
                .map_err(reason)?;
            if still_there.is_none() {
                return Ok(Sent::noted("the batch had applied it"));
            }
            send_one(directory, item, false).await
        }
        // A create in doubt is looked up first; everything else is safe to repeat.
        _ => send_one(directory, item, true).await,
    }
}
