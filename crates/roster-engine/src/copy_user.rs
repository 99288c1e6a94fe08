//! Copy a user: read one user from a source site and make it the desired state on each
//! target site.

use std::collections::BTreeSet;

use roster_core::{Change, User, UserDirectory, UserKey};
use serde::{Deserialize, Serialize};

use crate::desired::{DesiredState, DesiredUser};
use crate::error::EngineError;
use crate::fanout::plan_each;
use crate::plan::Plan;
use crate::site::Site;

/// The fields a copy takes from the source user: visible, and adjustable before copying.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyFields(pub BTreeSet<String>);

impl CopyFields {
    /// Every field the user has, except its id and any password.
    pub fn of(user: &User) -> Self {
        let mut fields = BTreeSet::new();
        let named = [
            ("username", user.username.is_some()),
            ("email", user.email.is_some()),
            ("first_name", user.first_name.is_some()),
            ("last_name", user.last_name.is_some()),
            ("active", user.active.is_some()),
            ("groups", user.groups.is_some()),
        ];
        for (name, present) in named {
            if present {
                fields.insert(name.to_owned());
            }
        }
        fields.extend(user.attributes.keys().cloned());
        Self(fields)
    }

    /// Without `field`.
    pub fn without(mut self, field: &str) -> Self {
        self.0.remove(field);
        self
    }

    /// With `field` (when the source user has it).
    pub fn with(mut self, field: &str) -> Self {
        self.0.insert(field.to_owned());
        self
    }
}

/// A copy's plan and the fields it copies.
#[derive(Clone, Debug)]
pub struct CopyPlan {
    /// The plan for every target site.
    pub plan: Plan,
    /// The fields copied.
    pub fields: CopyFields,
}

/// The desired row for one target: the chosen fields the target can take.
fn desired_for(
    user: &User,
    fields: &CopyFields,
    target: &Site,
    source: &str,
) -> (DesiredState, Vec<String>) {
    let caps = target.capabilities();
    let mut left_out = Vec::new();
    let wants = |name: &str| fields.0.contains(name);
    let text = |name: &str, value: &Option<String>| match value {
        Some(value) if wants(name) => Change::Set(value.clone()),
        _ => Change::Leave,
    };
    let mut row = DesiredUser {
        line: 1,
        username: text("username", &user.username),
        email: text("email", &user.email),
        first_name: text("first_name", &user.first_name),
        last_name: text("last_name", &user.last_name),
        ..DesiredUser::default()
    };
    if let (Some(active), true) = (user.active, wants("active")) {
        if caps.deactivate_user {
            row.active = Change::Set(active);
        } else {
            left_out.push("active (the site cannot deactivate users)".to_owned());
        }
    }
    if let (Some(groups), true) = (&user.groups, wants("groups")) {
        if caps.read_membership && caps.write_membership {
            row.groups = Change::Set(groups.iter().cloned().collect());
        } else {
            left_out.push("groups (the site cannot write membership)".to_owned());
        }
    }
    for (name, value) in &user.attributes {
        if wants(name) {
            row.attributes
                .insert(name.clone(), Change::Set(value.clone()));
        }
    }
    let state = DesiredState {
        source: source.to_owned(),
        users: vec![row],
    };
    (state, left_out)
}

/// Reads the user `key` names on `source` and plans it as the desired state on every target.
/// `fields` defaults to [`CopyFields::of`] the source user; the source's read-only fields are
/// never copied.
pub async fn copy_user(
    source: &dyn UserDirectory,
    key: &UserKey,
    targets: &[Site],
    fields: Option<CopyFields>,
) -> Result<CopyPlan, EngineError> {
    let site = source.describe().site.clone();
    let user = source
        .get_user(key)
        .await
        .map_err(|source| EngineError::Observe {
            site: site.clone(),
            source,
        })?
        .ok_or_else(|| EngineError::NoSuchUser(key.clone()))?;
    // Never what the source platform computes itself (its read-only fields: an AMS role list
    // means nothing as a REDCap role); fields a target cannot take are left out per target
    // when it is planned.
    let fields = source.describe().capabilities.read_only_fields.iter().fold(
        fields.unwrap_or_else(|| CopyFields::of(&user)),
        |fields, field| fields.without(field),
    );
    let label = format!("copy of {key} from site {site}");
    let rows: Vec<(DesiredState, Vec<String>)> = targets
        .iter()
        .map(|target| desired_for(&user, &fields, target, &label))
        .collect();
    let pairs: Vec<(&DesiredState, &Site)> =
        rows.iter().map(|(state, _)| state).zip(targets).collect();
    let mut plan = plan_each(&label, &pairs).await;
    for (site_plan, (_, left_out)) in plan.sites.iter_mut().zip(&rows) {
        for field in left_out {
            site_plan.notes.push(format!("copy: left out {field}"));
        }
    }
    Ok(CopyPlan { plan, fields })
}
