//! Building a site plan: correlate, diff, capability checks, guards.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use roster_core::{Capabilities, Change, NewGroup, NewUser, User};
use serde_json::Value;

use super::fingerprint::observed_fingerprint;
use super::model::{Action, PlanError, PlanItem, SitePlan};
use crate::correlate::correlate;
use crate::desired::{DesiredState, DesiredUser};
use crate::diff::{diff, UserDiff};
use crate::digest::Compared;
use crate::guards;
use crate::observe::Observed;
use crate::parallel;
use crate::policy::{GroupOrphanPolicy, OrphanPolicy, SitePolicy};

/// Who a site is, for planning: its name, backend kind, capabilities and policy.
#[derive(Clone, Copy, Debug)]
pub struct SiteView<'a> {
    /// The site's name.
    pub name: &'a str,
    /// The backend kind.
    pub backend: &'a str,
    /// What the site can do.
    pub capabilities: &'a Capabilities,
    /// How the site is managed.
    pub policy: &'a SitePolicy,
}

/// Plan errors grouped by (message, suggestion), each with the rows concerned.
#[derive(Default)]
struct Errors(BTreeMap<(String, String), Vec<String>>);

impl Errors {
    fn add(&mut self, message: impl Into<String>, suggestion: impl Into<String>, row: String) {
        self.0
            .entry((message.into(), suggestion.into()))
            .or_default()
            .push(row);
    }

    fn into_vec(self) -> Vec<PlanError> {
        self.0
            .into_iter()
            .map(|((message, suggestion), rows)| PlanError {
                message,
                rows,
                suggestion,
            })
            .collect()
    }
}

struct Builder<'a> {
    site: SiteView<'a>,
    plan: SitePlan,
    errors: Errors,
    /// Groups the site has.
    existing_groups: HashSet<&'a str>,
    /// Groups some row wants a user in.
    wanted_groups: BTreeSet<String>,
    protected: guards::Protected,
}

impl Builder<'_> {
    fn push(&mut self, key: String, action: Action, note: Option<String>) -> u32 {
        let id = self.plan.items.len() as u32;
        self.plan.items.push(PlanItem {
            id,
            key,
            action,
            held: None,
            note,
        });
        id
    }

    fn caps(&self) -> &Capabilities {
        self.site.capabilities
    }

    /// The capability check of a row that is created or updated.
    fn check_row(&mut self, row: &DesiredUser, label: &str, changes_active_to_false: bool) {
        if changes_active_to_false && !self.caps().deactivate_user {
            let suggestion = if self.caps().delete_user {
                "remove these rows and use orphan policy `delete`, or drop the `active` column"
            } else {
                "drop the `active` column for this site"
            };
            let row_name = format!("{label} (line {})", row.line);
            self.errors
                .add("the site cannot deactivate users", suggestion, row_name);
        }
    }

    /// Checks of the `groups` column every row goes through, changed or not: a column the
    /// site cannot honour is an error even where it happens to match.
    fn check_groups_column(&mut self, desired: &DesiredState) {
        let read_membership = self.caps().read_membership;
        let max = self.caps().max_groups_per_user;
        for row in &desired.users {
            let row_name = || format!("{} (line {})", row.label(), row.line);
            if !row.groups.is_leave() && !read_membership {
                self.errors.add(
                    "the site cannot report group membership, so `groups` cannot be managed",
                    "drop the `groups` column for this site",
                    row_name(),
                );
            }
            if let (Change::Set(groups), Some(max)) = (&row.groups, max) {
                if groups.len() > max as usize {
                    self.errors.add(
                        format!("the site allows at most {max} group(s) per user"),
                        format!("give these rows at most {max} group(s)"),
                        row_name(),
                    );
                }
            }
        }
    }

    fn membership(
        &mut self,
        key: &str,
        row_name: &str,
        user: Member,
        add: Vec<String>,
        remove: Vec<String>,
    ) {
        if add.is_empty() && remove.is_empty() {
            return;
        }
        if !self.caps().write_membership {
            self.errors.add(
                "the site cannot change group membership",
                "drop the `groups` column for this site, or change membership on the site itself",
                row_name.to_owned(),
            );
            return;
        }
        // With one group per user, joining a group moves the user out of the old one; a
        // separate removal afterwards would be redundant (and on some sites undo the move).
        let moves = self.caps().max_groups_per_user == Some(1) && !add.is_empty();
        let moved_from = moves.then(|| remove.join(", "));
        for group in add {
            self.wanted_groups.insert(group.clone());
            let note = moved_from
                .as_ref()
                .filter(|from| !from.is_empty())
                .map(|from| format!("one group per user: joining moves the user out of {from}"));
            let action = Action::AddMember {
                group,
                user_id: user.id.clone(),
                created_by: user.created_by,
            };
            self.push(key.to_owned(), action, note);
        }
        if moves {
            return;
        }
        if let Some(id) = user.id {
            for group in remove {
                let action = Action::RemoveMember {
                    group,
                    user_id: id.clone(),
                };
                self.push(key.to_owned(), action, None);
            }
        }
    }

    /// A linked user that needs changes.
    fn linked(&mut self, row: &DesiredUser, actual: &User, d: UserDiff) {
        let key = actual.label().to_owned();
        let row_name = format!("{key} (line {})", row.line);
        self.check_row(row, &key, d.patch.active == Change::Set(false));
        if !d.changes.is_empty() {
            if !self.caps().update_user {
                self.errors.add(
                    "the site cannot update users",
                    "drop the changed columns for this site",
                    row_name.clone(),
                );
            }
            let action = Action::UpdateUser {
                id: actual.id.clone(),
                changes: d.changes,
                patch: d.patch,
            };
            self.push(key.clone(), action, None);
        }
        let member = Member {
            id: Some(actual.id.clone()),
            created_by: None,
        };
        self.membership(&key, &row_name, member, d.add_groups, d.remove_groups);
    }

    fn unmatched(&mut self, row: &DesiredUser) {
        let key = row.label();
        let row_name = format!("{key} (line {})", row.line);
        self.check_row(row, &key, row.active == Change::Set(false));
        if !self.caps().create_user {
            self.errors.add(
                "the site cannot create users",
                "create these users on the site itself, or remove their rows",
                row_name.clone(),
            );
        }
        let user = new_user(row);
        let action = Action::CreateUser {
            user,
            line: row.line,
            password: row.password.is_some(),
        };
        let created_by = self.push(key.clone(), action, None);
        if let Change::Set(groups) = &row.groups {
            let member = Member {
                id: None,
                created_by: Some(created_by),
            };
            self.membership(&key, &row_name, member, groups.to_vec(), Vec::new());
        }
    }

    fn orphan(&mut self, actual: &User) {
        if self.protected.contains(actual) {
            self.plan.protected += 1;
            return;
        }
        let caps = self.caps().clone();
        let key = actual.label().to_owned();
        let action = match self.site.policy.orphans {
            OrphanPolicy::Preserve => return,
            OrphanPolicy::Deactivate => {
                if actual.active == Some(false) {
                    return;
                }
                if !caps.deactivate_user {
                    let suggestion = if caps.delete_user {
                        "use orphan policy `delete` (or `preserve`) for this site"
                    } else {
                        "use orphan policy `preserve` for this site"
                    };
                    self.errors
                        .add("the site cannot deactivate users", suggestion, key);
                    return;
                }
                Action::DeactivateUser {
                    id: actual.id.clone(),
                }
            }
            OrphanPolicy::Delete => {
                if !caps.delete_user {
                    let suggestion = if caps.deactivate_user {
                        "use orphan policy `deactivate` (or `preserve`) for this site"
                    } else {
                        "use orphan policy `preserve` for this site"
                    };
                    self.errors
                        .add("the site cannot delete users", suggestion, key);
                    return;
                }
                Action::DeleteUser {
                    id: actual.id.clone(),
                }
            }
        };
        self.push(key, action, Some("orphan: not in the desired state".into()));
    }

    /// Creates the groups rows ask for that the site does not have; deletes the site's
    /// groups no row names when the policy asks for it.
    fn groups(&mut self, observed: &Observed, desired: &DesiredState) {
        if !self.caps().list_groups {
            if !self.wanted_groups.is_empty() {
                self.plan.notes.push(
                    "the site cannot list groups: the groups rows name are assumed to exist".into(),
                );
            }
            return;
        }
        let missing: Vec<String> = self
            .wanted_groups
            .iter()
            .filter(|group| !self.existing_groups.contains(group.as_str()))
            .cloned()
            .collect();
        for group in missing {
            if !self.caps().create_group {
                self.errors.add(
                    "groups the rows name do not exist and the site cannot create groups",
                    "create these groups on the site first, or remove them from the rows",
                    group,
                );
                continue;
            }
            let action = Action::CreateGroup {
                group: NewGroup::named(group.clone()),
            };
            self.push(group, action, None);
        }
        if self.site.policy.orphan_groups != GroupOrphanPolicy::Delete {
            return;
        }
        if !observed.complete || desired.users.iter().any(|row| row.groups.is_leave()) {
            self.plan.notes.push(
                "group deletes disabled: not every row manages its groups, or the listing is incomplete".into(),
            );
            return;
        }
        let named: HashSet<&str> = desired
            .users
            .iter()
            .filter_map(|row| match &row.groups {
                Change::Set(groups) => Some(groups.iter().map(String::as_str)),
                _ => None,
            })
            .flatten()
            .collect();
        for group in &observed.groups {
            if named.contains(group.name.as_str()) {
                continue;
            }
            if !self.caps().delete_group {
                self.errors.add(
                    "the site cannot delete groups",
                    "use orphan group policy `preserve` for this site",
                    group.name.clone(),
                );
                continue;
            }
            let action = Action::DeleteGroup {
                group: group.name.clone(),
            };
            self.push(
                group.name.clone(),
                action,
                Some("no row names this group".into()),
            );
        }
    }
}

/// Who a membership item is about: an existing user, or one this plan creates.
struct Member {
    id: Option<String>,
    created_by: Option<u32>,
}

/// The user to create for a row: the fields it sets (a cleared field is simply not sent).
fn new_user(row: &DesiredUser) -> NewUser {
    let set = |change: &Change<String>| match change {
        Change::Set(value) => Some(value.trim().to_owned()),
        _ => None,
    };
    NewUser {
        username: set(&row.username),
        email: set(&row.email),
        first_name: set(&row.first_name),
        last_name: set(&row.last_name),
        active: match row.active {
            Change::Set(flag) => Some(flag),
            _ => None,
        },
        groups: BTreeSet::new(),
        attributes: row
            .attributes
            .iter()
            .filter_map(|(name, change)| match change {
                Change::Set(value) => Some((name.clone(), value.clone())),
                _ => None,
            })
            .collect::<BTreeMap<String, Value>>(),
        password: row.password.clone(),
    }
}

/// Plans one site: what must change for the observed state to become the desired state.
pub fn plan_site(desired: &DesiredState, observed: &Observed, site: SiteView<'_>) -> SitePlan {
    let policy = site.policy;
    let mut builder = Builder {
        site,
        plan: SitePlan {
            site: site.name.to_owned(),
            backend: site.backend.to_owned(),
            fingerprint: observed_fingerprint(&observed.users, &observed.groups),
            observed_users: observed.users.len(),
            complete_listing: observed.complete,
            key_order: policy.key_order.clone(),
            ..SitePlan::default()
        },
        errors: Errors::default(),
        existing_groups: observed.groups.iter().map(|g| g.name.as_str()).collect(),
        wanted_groups: BTreeSet::new(),
        protected: guards::Protected::new(&policy.protected),
    };
    let compared = Compared::new(&desired.users, &observed.users, &policy.key_order);
    let correlation = correlate(
        &desired.users,
        &observed.users,
        &policy.key_order,
        &compared,
    );
    let protected_users = builder.protected.flags(&observed.users);
    // Diffing a million linked pairs is the bulk of the work: it runs on every core, the
    // digests settle the unchanged pairs without visiting the users, and only the few pairs
    // that need changes come back.
    let diffed = parallel::map_chunks(&correlation.linked, |_, pairs| {
        let mut changed = Vec::new();
        let (mut unchanged, mut protected) = (0, 0);
        for &(row, actual, certainly_unchanged) in pairs {
            if protected_users.as_ref().is_some_and(|flags| flags[actual]) {
                protected += 1;
            } else if certainly_unchanged {
                unchanged += 1;
            } else {
                let d = diff(&desired.users[row], &observed.users[actual]);
                if d.is_empty() {
                    unchanged += 1;
                } else {
                    changed.push((row, actual, d));
                }
            }
        }
        (changed, unchanged, protected)
    });
    drop(compared);
    for (changed, unchanged, protected) in diffed {
        builder.plan.unchanged += unchanged;
        builder.plan.protected += protected;
        for (row, actual, d) in changed {
            builder.linked(&desired.users[row], &observed.users[actual], d);
        }
    }
    for &row in &correlation.unmatched {
        builder.unmatched(&desired.users[row]);
    }
    if policy.orphans != OrphanPolicy::Preserve && !correlation.orphans.is_empty() {
        match guards::orphan_actions_blocked(desired.users.len(), observed.complete) {
            Some(reason) => builder.plan.notes.push(reason),
            None => {
                for &actual in &correlation.orphans {
                    builder.orphan(&observed.users[actual]);
                }
            }
        }
    }
    builder.check_groups_column(desired);
    builder.groups(observed, desired);
    if builder
        .plan
        .items
        .iter()
        .any(|i| matches!(i.action, Action::DeactivateUser { .. }))
    {
        builder
            .plan
            .notes
            .push("deactivation is sent as an update setting active = false".into());
    }
    builder.plan.disputed = correlation.disputed;
    builder.plan.errors = builder.errors.into_vec();
    guards::hold_excess_removals(&mut builder.plan, policy);
    builder.plan
}
