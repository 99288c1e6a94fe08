//! The canonical model every backend maps its platform onto.

mod group;
mod new_user;
mod op;
mod patch;
mod query;
mod user;

pub use group::{Group, NewGroup};
pub use new_user::NewUser;
pub use op::UserOp;
pub use patch::{Change, UserPatch};
pub use query::UserQuery;
pub use user::{value_as_text, User, UserKey, UserKeyKind};
