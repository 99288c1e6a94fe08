//! Membership changes: one `set_membership` call per group (and chunk), with per-user
//! outcomes when the site reports that only some users failed.

use std::time::Instant;

use roster_core::attempts::counted;
use roster_core::ErrorKind;

use super::phases::SiteRun;
use super::send::Sent;
use crate::plan::PlanItem;

pub(crate) async fn run(
    run: &SiteRun<'_>,
    group: &str,
    adding: bool,
    items: Vec<(&PlanItem, String)>,
) {
    let site = run.plan.site.as_str();
    for (item, _) in &items {
        run.control.attempted(site, item);
    }
    let ids: Vec<String> = items.iter().map(|(_, id)| id.clone()).collect();
    let (add, remove): (&[String], &[String]) = if adding { (&ids, &[]) } else { (&[], &ids) };
    let started = Instant::now();
    let (result, attempts) = counted(run.site.directory.set_membership(group, add, remove)).await;
    for (item, id) in items {
        let result = match &result {
            Ok(()) => Ok(Sent::default()),
            Err(error) => match error.kind() {
                ErrorKind::Partial { failed } => match failed.get(&id) {
                    Some(why) => Err(why.clone()),
                    None => Ok(Sent::default()),
                },
                _ => Err(error.to_string()),
            },
        };
        run.sent(item, result, attempts, started);
    }
}
