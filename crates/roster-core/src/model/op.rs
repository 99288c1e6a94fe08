use serde::{Deserialize, Serialize};

use super::new_user::NewUser;
use super::patch::UserPatch;

/// One user write, for backends that can send several in one request (`apply_batch`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserOp {
    Create(NewUser),
    Update { id: String, patch: UserPatch },
    Delete { id: String },
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
