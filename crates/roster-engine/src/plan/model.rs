//! The plan as data: what will be done on each site, item by item.

use chrono::{DateTime, Utc};
use roster_core::{NewGroup, NewUser, UserKeyKind, UserPatch};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the engine will do, on every site, and why it will not do some of it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Plan {
    /// Where the desired state came from.
    pub source: String,
    /// When the plan was made.
    pub created_at: DateTime<Utc>,
    /// One per site, in the order the sites were given.
    pub sites: Vec<SitePlan>,
}

/// The plan for one site.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SitePlan {
    /// The site's name.
    pub site: String,
    /// The backend kind, for people reading the plan.
    pub backend: String,
    /// Of the users and groups the site reported; a saved plan is applied only while it holds.
    pub fingerprint: String,
    /// How many users the site reported.
    pub observed_users: usize,
    /// False when the listing failed part-way: orphan actions are then disabled.
    pub complete_listing: bool,
    /// The keys rows were matched by, in order.
    pub key_order: Vec<UserKeyKind>,
    /// In no particular order; apply runs them by [`Phase`].
    pub items: Vec<PlanItem>,
    /// Rows that cannot be matched safely: reported, never applied.
    pub disputed: Vec<Dispute>,
    /// Changes the site cannot make; a plan with errors is not applied.
    pub errors: Vec<PlanError>,
    /// Guards that held items back, emulations the engine chose, disabled actions.
    pub notes: Vec<String>,
    /// Linked users that need no change.
    pub unchanged: usize,
    /// Users left alone because they are protected.
    pub protected: usize,
}

/// One change to make.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlanItem {
    /// Unique within the site plan; the journal refers to items by it.
    #[serde(rename = "item")]
    pub id: u32,
    /// Who or what the item is about (email, username or group name).
    pub key: String,
    /// What the item does.
    #[serde(flatten)]
    pub action: Action,
    /// Set when a guard holds the item back: it is reported as skipped with this reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held: Option<String>,
    /// An emulation or remark for the reader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What an item does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Creates a group rows name.
    CreateGroup {
        /// The group to create.
        group: NewGroup,
    },
    /// Creates a user; the password, if any, travels in `user` but is never serialised.
    CreateUser {
        /// The user to create.
        user: NewUser,
        /// The desired-state line.
        line: u64,
        /// A password is set on create (shown as `(sensitive)`).
        #[serde(default)]
        password: bool,
    },
    /// Changes the fields a row names.
    UpdateUser {
        /// The site's id of the user.
        id: String,
        /// Each changed field with its value before and after.
        changes: Vec<FieldChange>,
        /// The patch sent.
        patch: UserPatch,
    },
    /// Adds a user to a group; `created_by` names the create item when the user is new.
    AddMember {
        /// The group to join.
        group: String,
        /// The id of an existing user.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user_id: Option<String>,
        /// The create item of a user this plan creates.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        created_by: Option<u32>,
    },
    /// Removes a user from a group.
    RemoveMember {
        /// The group to leave.
        group: String,
        /// The site's id of the user.
        user_id: String,
    },
    /// `active = false` through `update_user`.
    DeactivateUser {
        /// The site's id of the user.
        id: String,
    },
    /// Removes a user from the site.
    DeleteUser {
        /// The site's id of the user.
        id: String,
    },
    /// Deletes a group no row names.
    DeleteGroup {
        /// The group to delete.
        group: String,
    },
}

impl Action {
    /// The phase the item runs in.
    pub fn phase(&self) -> Phase {
        match self {
            Action::CreateGroup { .. } => Phase::GroupCreates,
            Action::CreateUser { .. } => Phase::UserCreates,
            Action::UpdateUser { .. } => Phase::Updates,
            Action::AddMember { .. } => Phase::MembershipAdds,
            Action::RemoveMember { .. } => Phase::MembershipRemoves,
            Action::DeactivateUser { .. } | Action::DeleteUser { .. } => Phase::Removals,
            Action::DeleteGroup { .. } => Phase::GroupDeletes,
        }
    }

    /// The action's snake_case name, as in reports and the journal.
    pub fn name(&self) -> &'static str {
        match self {
            Action::CreateGroup { .. } => "create_group",
            Action::CreateUser { .. } => "create_user",
            Action::UpdateUser { .. } => "update_user",
            Action::AddMember { .. } => "add_member",
            Action::RemoveMember { .. } => "remove_member",
            Action::DeactivateUser { .. } => "deactivate_user",
            Action::DeleteUser { .. } => "delete_user",
            Action::DeleteGroup { .. } => "delete_group",
        }
    }

    /// True for deletions and deactivations of users, which `max_deletes` counts.
    pub fn is_removal(&self) -> bool {
        matches!(
            self,
            Action::DeactivateUser { .. } | Action::DeleteUser { .. }
        )
    }
}

/// The apply phases, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Groups rows need are created.
    GroupCreates,
    /// Users are created.
    UserCreates,
    /// Linked users are updated.
    Updates,
    /// Users join groups.
    MembershipAdds,
    /// Users leave groups.
    MembershipRemoves,
    /// Orphans are deactivated or deleted.
    Removals,
    /// Groups no row names are deleted.
    GroupDeletes,
}

impl Phase {
    /// Every phase, in order.
    pub const ALL: [Phase; 7] = [
        Phase::GroupCreates,
        Phase::UserCreates,
        Phase::Updates,
        Phase::MembershipAdds,
        Phase::MembershipRemoves,
        Phase::Removals,
        Phase::GroupDeletes,
    ];
}

/// One field an update changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The canonical field name.
    pub field: String,
    /// `None` = the site has no value.
    pub before: Option<Value>,
    /// `None` = the value is cleared.
    pub after: Option<Value>,
}

/// A row that cannot be matched safely.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dispute {
    /// Who the dispute is about.
    pub key: String,
    /// Desired-state lines involved.
    pub lines: Vec<u64>,
    /// Site user ids involved.
    pub user_ids: Vec<String>,
    /// Why the match is ambiguous.
    pub reason: String,
}

/// A change the site cannot make, with the rows that ask for it and what to do instead.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanError {
    /// What the site cannot do.
    pub message: String,
    /// Labels of the rows (or users) concerned.
    pub rows: Vec<String>,
    /// What to do instead.
    pub suggestion: String,
}

/// Counts of a site plan, for summaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanCounts {
    /// Users to create.
    pub create: usize,
    /// Users to update.
    pub update: usize,
    /// Membership changes.
    pub membership: usize,
    /// Users to deactivate.
    pub deactivate: usize,
    /// Users to delete.
    pub delete: usize,
    /// Groups to create or delete.
    pub groups: usize,
    /// Items held back by a guard.
    pub held: usize,
    /// Disputed rows.
    pub disputed: usize,
    /// Linked users needing no change.
    pub unchanged: usize,
}

impl SitePlan {
    /// How many items of each kind.
    pub fn counts(&self) -> PlanCounts {
        let mut counts = PlanCounts {
            disputed: self.disputed.len(),
            unchanged: self.unchanged,
            ..PlanCounts::default()
        };
        for item in &self.items {
            if item.held.is_some() {
                counts.held += 1;
            }
            match item.action {
                Action::CreateUser { .. } => counts.create += 1,
                Action::UpdateUser { .. } => counts.update += 1,
                Action::AddMember { .. } | Action::RemoveMember { .. } => counts.membership += 1,
                Action::DeactivateUser { .. } => counts.deactivate += 1,
                Action::DeleteUser { .. } => counts.delete += 1,
                Action::CreateGroup { .. } | Action::DeleteGroup { .. } => counts.groups += 1,
            }
        }
        counts
    }
}

impl Plan {
    /// True when no site has anything to do, hold back, dispute or refuse.
    pub fn is_empty(&self) -> bool {
        self.sites
            .iter()
            .all(|site| site.items.is_empty() && site.disputed.is_empty() && site.errors.is_empty())
    }

    /// True when some site has a plan error; such a plan is not applied.
    pub fn has_errors(&self) -> bool {
        self.sites.iter().any(|site| !site.errors.is_empty())
    }

    /// The plan as pretty JSON (passwords are never in it).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a plan always serialises")
    }

    /// Reads a plan saved with [`Plan::to_json`].
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}
