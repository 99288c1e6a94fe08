//! Sending creates, updates and removals in batches of up to `batch_max` per request.

use std::time::Instant;

use roster_core::attempts::counted;

use super::phases::SiteRun;
use super::send::{check_password, resolve, to_op, Sent};
use crate::plan::{Action, PlanItem};

pub(crate) async fn run(run: &SiteRun<'_>, items: Vec<&PlanItem>) {
    let site = run.plan.site.as_str();
    let started = Instant::now();
    let mut sendable = Vec::with_capacity(items.len());
    for item in items {
        run.control.attempted(site, item);
        match check_password(item) {
            Ok(()) => sendable.push(item),
            Err(reason) => run.sent(item, Err(reason), 0, started),
        }
    }
    if sendable.is_empty() {
        return;
    }
    let ops: Vec<_> = sendable.iter().map(|item| to_op(item)).collect();
    let directory = run.site.directory.as_ref();
    let (result, attempts) = counted(directory.apply_batch(&ops)).await;
    match result {
        Ok(results) if results.len() == sendable.len() => {
            for (item, result) in sendable.into_iter().zip(results) {
                // One item's share of the request failed in a way that may pass or may have
                // landed (a 503 or lost reply for the whole request, reported per item):
                // settle it alone, as for a batch whose reply was lost.
                if let Err(error) = &result {
                    if error.is_ambiguous() || error.is_temporary() {
                        let (settled, more) = counted(resolve(directory, item)).await;
                        run.sent(item, settled, attempts + more.max(1), started);
                        continue;
                    }
                }
                let result = result
                    .map(|user| Sent {
                        user_id: match (&item.action, user) {
                            (Action::CreateUser { .. }, Some(user)) => Some(user.id),
                            _ => None,
                        },
                        note: None,
                    })
                    .map_err(|error| error.to_string());
                run.sent(item, result, attempts, started);
            }
        }
        Ok(results) => {
            let reason = format!(
                "the site answered {} results for a batch of {}",
                results.len(),
                sendable.len()
            );
            for item in sendable {
                let (result, more) = counted(resolve(directory, item)).await;
                let result = result.map_err(|error| format!("{reason}; then: {error}"));
                run.sent(item, result, attempts + more.max(1), started);
            }
        }
        // The batch may have landed in part: settle each item on its own.
        Err(error) if error.is_ambiguous() => {
            for item in sendable {
                let (result, more) = counted(resolve(directory, item)).await;
                run.sent(item, result, attempts + more.max(1), started);
            }
        }
        Err(error) => {
            for item in sendable {
                run.sent(item, Err(error.to_string()), attempts, started);
            }
        }
    }
}
