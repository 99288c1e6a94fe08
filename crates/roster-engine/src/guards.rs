//! Guards: what keeps a plan from doing more harm than intended.

use std::collections::HashSet;

use roster_core::{User, UserKey, UserKeyKind};

use crate::{normalize, parallel};

use crate::plan::SitePlan;
use crate::policy::SitePolicy;

/// The protected users' keys, normalised and grouped by kind, so checking a million users
/// costs a few hash lookups each, however many users are protected.
pub(crate) struct Protected {
    by_kind: Vec<(UserKeyKind, HashSet<String>)>,
}

impl Protected {
    pub fn new(keys: &[UserKey]) -> Self {
        let mut by_kind: Vec<(UserKeyKind, HashSet<String>)> = Vec::new();
        for key in keys {
            let kind = key.kind();
            let value = normalize::key(&kind, key.value()).into_owned();
            match by_kind.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, values)) => {
                    values.insert(value);
                }
                None => by_kind.push((kind, HashSet::from([value]))),
            }
        }
        Self { by_kind }
    }

    /// Which of `users` are protected, computed in one pass (`None` when no user is), so
    /// the plan does not have to visit every user again to ask.
    pub fn flags(&self, users: &[User]) -> Option<Vec<bool>> {
        if self.by_kind.is_empty() {
            return None;
        }
        let parts = parallel::map_chunks(users, |_, chunk| {
            chunk
                .iter()
                .map(|user| self.contains(user))
                .collect::<Vec<_>>()
        });
        Some(parts.concat())
    }

    /// True when `user` is protected: never touched.
    pub fn contains(&self, user: &User) -> bool {
        self.by_kind.iter().any(|(kind, values)| {
            normalize::user_key(user, kind)
                .is_some_and(|value| values.contains(normalize::key(kind, &value).as_ref()))
        })
    }
}

/// Why orphan actions must not run on this site, if they must not.
pub(crate) fn orphan_actions_blocked(
    desired_rows: usize,
    complete_listing: bool,
) -> Option<String> {
    if !complete_listing {
        return Some(
            "orphan actions disabled: the site's listing is incomplete, so a user missing from it is not known to be an orphan"
                .into(),
        );
    }
    if desired_rows == 0 {
        return Some(
            "orphan actions disabled: the desired state is empty, which would make every user an orphan"
                .into(),
        );
    }
    None
}

/// Holds back every deletion and deactivation when there are more than `max_deletes` allows:
/// either all of them run or none does.
pub(crate) fn hold_excess_removals(plan: &mut SitePlan, policy: &SitePolicy) {
    let Some(max) = policy.max_deletes else {
        return;
    };
    let removals = plan.items.iter().filter(|i| i.action.is_removal()).count();
    let limit = max.limit(plan.observed_users);
    if removals <= limit {
        return;
    }
    let reason = format!(
        "max_deletes exceeded on site {}: {removals} deletions/deactivations of {} users, the limit is {max} ({limit}); none of them is applied. To allow them, set max_deletes for this site to at least {removals} (or {}%)",
        plan.site,
        plan.observed_users,
        (removals as f64 * 100.0 / plan.observed_users.max(1) as f64).ceil(),
    );
    for item in plan.items.iter_mut().filter(|i| i.action.is_removal()) {
        item.held = Some(reason.clone());
    }
    plan.notes.push(reason);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protected_keys_match_by_kind_with_emails_case_insensitive() {
        let protected = Protected::new(&[
            UserKey::Email("Root@X.org".into()),
            UserKey::Attribute {
                name: "uuid".into(),
                value: "42".into(),
            },
        ]);
        let mut user = User {
            email: Some("root@x.org".into()),
            ..User::default()
        };
        assert!(protected.contains(&user));
        user.email = Some("other@x.org".into());
        assert!(!protected.contains(&user));
        user.attributes.insert("uuid".into(), serde_json::json!(42));
        assert!(protected.contains(&user));
    }
}
