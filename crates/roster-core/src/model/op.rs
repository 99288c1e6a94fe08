use serde::{Deserialize, Serialize};

use super::new_user::NewUser;
use super::patch::UserPatch;

/// One user write, for backends that can send several in one request (`apply_batch`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserOp {
    /// Create this user.
    Create(NewUser),
    /// Apply `patch` to the user with `id`.
    Update {
        /// The backend-native id.
        id: String,
        /// The fields to change.
        patch: UserPatch,
    },
    /// Remove the user with `id`.
    Delete {
        /// The backend-native id.
        id: String,
    },
}

impl UserOp {
    /// The operation's name, as used in errors and traces.
    pub fn operation(&self) -> crate::Operation {
        match self {
            UserOp::Create(_) => crate::Operation::CreateUser,
            UserOp::Update { .. } => crate::Operation::UpdateUser,
            UserOp::Delete { .. } => crate::Operation::DeleteUser,
        }
    }
}
