//! One desired state × N sites → one plan: every site is read at once, then planned.

use std::collections::BTreeSet;

use chrono::Utc;

use crate::desired::DesiredState;
use crate::observe::observe;
use crate::plan::{plan_site, Plan, PlanError, SitePlan, SiteView};
use crate::site::Site;

/// Plans `desired` on every site. A site that cannot be read gets a plan error and nothing
/// else: no action is planned from a listing that failed.
pub async fn plan(desired: &DesiredState, sites: &[Site]) -> Plan {
    let pairs: Vec<(&DesiredState, &Site)> = sites.iter().map(|site| (desired, site)).collect();
    plan_each(&desired.source, &pairs).await
}

/// The fields of `desired` a site does not manage (read-only on its backend, or ignored by its
/// policy) and a note naming them; `None` when the site manages every field the rows name.
fn unmanaged(desired: &DesiredState, site: &Site) -> Option<(BTreeSet<String>, String)> {
    let capabilities = site.capabilities();
    let read_only: BTreeSet<String> = capabilities.read_only_fields.iter().cloned().collect();
    let ignored: BTreeSet<String> = site.policy.ignore_fields.iter().cloned().collect();
    // Attributes the backend has no writable field for, where it says which it has.
    let unknown: BTreeSet<String> = match &capabilities.writable_attributes {
        None => BTreeSet::new(),
        Some(writable) => desired
            .users
            .iter()
            .flat_map(|row| row.attributes.keys())
            .filter(|name| !writable.contains(name))
            .cloned()
            .collect(),
    };
    let candidates: BTreeSet<String> = read_only
        .iter()
        .chain(&ignored)
        .chain(&unknown)
        .cloned()
        .collect();
    let present = desired.fields_present(&candidates);
    if present.is_empty() {
        return None;
    }
    let describe = |set: &BTreeSet<String>, why: &str| {
        let names: Vec<&str> = present
            .iter()
            .filter(|f| set.contains(*f))
            .map(String::as_str)
            .collect();
        (!names.is_empty()).then(|| format!("{} ({why})", names.join(", ")))
    };
    let reasons: Vec<String> = [
        describe(&read_only, "read-only on this backend"),
        describe(&unknown, "not writable on this backend"),
        describe(
            &ignored
                .difference(&read_only)
                .filter(|f| !unknown.contains(*f))
                .cloned()
                .collect(),
            "ignore_fields",
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    let note = format!("not managed on this site: {}", reasons.join("; "));
    Some((present, note))
}

/// Plans each (desired state, site) pair; the sites are read concurrently.
pub(crate) async fn plan_each(source: &str, pairs: &[(&DesiredState, &Site)]) -> Plan {
    let observed = futures::future::join_all(pairs.iter().map(|(_, site)| observe(site))).await;
    let sites = pairs
        .iter()
        .zip(observed)
        .map(|((desired, site), observed)| {
            let info = site.directory.describe();
            // Only sites that leave fields out pay for a narrowed copy of the rows.
            let narrowed = unmanaged(desired, site);
            let narrowed_rows = narrowed
                .as_ref()
                .map(|(fields, _)| desired.without_fields(fields));
            let desired = narrowed_rows.as_ref().unwrap_or(desired);
            match observed {
                Ok(observed) => {
                    let mut plan = plan_site(
                        desired,
                        &observed,
                        SiteView {
                            name: &info.site,
                            backend: &info.kind,
                            capabilities: &info.capabilities,
                            policy: &site.policy,
                        },
                    );
                    if let Some((_, note)) = narrowed {
                        plan.notes.insert(0, note);
                    }
                    plan
                }
                Err(error) => SitePlan {
                    site: info.site.clone(),
                    backend: info.kind.clone(),
                    key_order: site.policy.key_order.clone(),
                    errors: vec![PlanError {
                        message: format!("listing the site failed: {error}"),
                        rows: Vec::new(),
                        suggestion:
                            "nothing is planned for this site; fix the cause and plan again".into(),
                    }],
                    ..SitePlan::default()
                },
            }
        })
        .collect();
    Plan {
        source: source.to_owned(),
        created_at: Utc::now(),
        sites,
    }
}
