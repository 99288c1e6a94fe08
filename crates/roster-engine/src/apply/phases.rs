//! One site's run: its items phase by phase, in order, each phase with bounded concurrency.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Instant;

use futures::StreamExt;
use roster_core::attempts::counted;

use super::control::RunControl;
use super::outcome::{ItemOutcome, ItemStatus};
use super::read_ahead;
use super::send::{send_one, Sent};
use crate::plan::{Action, Phase, PlanItem, SitePlan};
use crate::progress::ProgressEvent;
use crate::site::Site;

/// Membership changes per `set_membership` call: bounded so one call is never huge.
const MEMBERSHIP_CHUNK: usize = 500;

/// A piece of work sent as one request (or one resolved sequence of requests).
enum Unit<'a> {
    One(&'a PlanItem),
    Batch(Vec<&'a PlanItem>),
    Membership {
        group: &'a str,
        adding: bool,
        items: Vec<(&'a PlanItem, String)>,
    },
}

impl<'a> Unit<'a> {
    /// The item of a unit sent on its own.
    fn single(&self) -> Option<&'a PlanItem> {
        match self {
            Unit::One(item) => Some(item),
            _ => None,
        }
    }
}

pub(crate) struct SiteRun<'a> {
    pub site: &'a Site,
    pub plan: &'a SitePlan,
    pub control: &'a RunControl,
    /// Create item id → the id the site gave the user.
    created: Mutex<HashMap<u32, String>>,
    outcomes: Mutex<Vec<ItemOutcome>>,
}

impl<'a> SiteRun<'a> {
    pub fn new(site: &'a Site, plan: &'a SitePlan, control: &'a RunControl) -> Self {
        Self {
            site,
            plan,
            control,
            created: Mutex::new(HashMap::new()),
            outcomes: Mutex::new(Vec::new()),
        }
    }

    fn outcome(&self, item: &PlanItem, status: ItemStatus, reason: Option<String>) -> ItemOutcome {
        ItemOutcome {
            site: self.plan.site.clone(),
            item: Some(item.id),
            key: item.key.clone(),
            action: item.action.name().to_owned(),
            status,
            reason,
            attempts: 0,
            duration_ms: 0,
        }
    }

    pub(crate) fn finish(&self, item: &PlanItem, outcome: ItemOutcome, user_id: Option<String>) {
        if let (Some(id), Action::CreateUser { .. }) = (&user_id, &item.action) {
            self.created
                .lock()
                .expect("created")
                .insert(item.id, id.clone());
        }
        self.control.finished(Some(item), &outcome, user_id);
        self.outcomes.lock().expect("outcomes").push(outcome);
    }

    fn skip(&self, item: &PlanItem, status: ItemStatus, reason: String) {
        let outcome = self.outcome(item, status, Some(reason));
        self.finish(item, outcome, None);
    }

    /// Records what a sent item came to.
    pub(crate) fn sent(
        &self,
        item: &PlanItem,
        result: Result<Sent, String>,
        attempts: u32,
        started: Instant,
    ) {
        let (status, reason, user_id) = match result {
            Ok(sent) => (ItemStatus::Succeeded, sent.note, sent.user_id),
            Err(reason) => (ItemStatus::Failed, Some(reason), None),
        };
        let outcome = ItemOutcome {
            attempts: attempts.max(1),
            duration_ms: started.elapsed().as_millis() as u64,
            ..self.outcome(item, status, reason)
        };
        self.finish(item, outcome, user_id);
    }

    /// Runs every phase in order and returns every outcome.
    pub async fn run(self) -> Vec<ItemOutcome> {
        let total = self.plan.items.len() + self.plan.disputed.len();
        self.control.emit(ProgressEvent::Planned {
            site: self.plan.site.clone(),
            total,
        });
        for dispute in &self.plan.disputed {
            let outcome = ItemOutcome {
                site: self.plan.site.clone(),
                item: None,
                key: dispute.key.clone(),
                action: "disputed".into(),
                status: ItemStatus::Skipped,
                reason: Some(dispute.reason.clone()),
                attempts: 0,
                duration_ms: 0,
            };
            self.control.finished(None, &outcome, None);
            self.outcomes.lock().expect("outcomes").push(outcome);
        }
        let concurrency = self.site.policy.concurrency.max(1);
        for phase in Phase::ALL {
            let ready = self.ready_items(phase);
            if let Some(reason) = self.control.stopped() {
                for item in ready {
                    self.skip(item, ItemStatus::NotAttempted, reason.clone());
                }
                continue;
            }
            let units = self.units(phase, ready);
            self.run_groups(self.groups(units, concurrency), concurrency)
                .await;
        }
        let outcomes = self.outcomes.into_inner().expect("outcomes");
        let count = |status| outcomes.iter().filter(|o| o.status == status).count();
        self.control.emit(ProgressEvent::SiteDone {
            site: self.plan.site.clone(),
            succeeded: count(ItemStatus::Succeeded),
            failed: count(ItemStatus::Failed),
            skipped: count(ItemStatus::Skipped),
            not_attempted: count(ItemStatus::NotAttempted),
        });
        outcomes
    }

    /// The phase's items that still need sending; the others get their outcome here.
    fn ready_items(&self, phase: Phase) -> Vec<&'a PlanItem> {
        let site = self.plan.site.as_str();
        let mut ready = Vec::new();
        for item in self.plan.items.iter().filter(|i| i.action.phase() == phase) {
            if let Some(reason) = &item.held {
                self.skip(item, ItemStatus::Skipped, reason.clone());
            } else if let Some(user_id) = self.control.resume.succeeded(site, item.id) {
                if let (Some(id), Action::CreateUser { .. }) = (user_id, &item.action) {
                    self.created
                        .lock()
                        .expect("created")
                        .insert(item.id, id.clone());
                }
                self.skip(
                    item,
                    ItemStatus::Skipped,
                    "already applied by an earlier run of this plan".into(),
                );
            } else {
                ready.push(item);
            }
        }
        ready
    }

    fn units(&self, phase: Phase, items: Vec<&'a PlanItem>) -> Vec<Unit<'a>> {
        let batch = self
            .site
            .policy
            .effective_batch(self.site.capabilities().batch_max);
        match phase {
            Phase::MembershipAdds | Phase::MembershipRemoves => self.membership_units(items),
            Phase::UserCreates | Phase::Updates | Phase::Removals
                if batch > 1 && !self.control.dry_run =>
            {
                // Creates in doubt after a crash are looked up one by one before re-sending.
                let (doubtful, batchable): (Vec<_>, Vec<_>) = items
                    .into_iter()
                    .partition(|item| self.control.resume.in_doubt(&self.plan.site, item.id));
                let mut units: Vec<Unit<'a>> = doubtful.into_iter().map(Unit::One).collect();
                units.extend(
                    batchable
                        .chunks(batch)
                        .map(|chunk| Unit::Batch(chunk.to_vec())),
                );
                units
            }
            _ => items.into_iter().map(Unit::One).collect(),
        }
    }

    fn membership_units(&self, items: Vec<&'a PlanItem>) -> Vec<Unit<'a>> {
        let mut by_group: BTreeMap<(&str, bool), Vec<(&PlanItem, String)>> = BTreeMap::new();
        for item in items {
            let (group, adding, user_id) = match &item.action {
                Action::AddMember {
                    group,
                    user_id,
                    created_by,
                } => {
                    let id = user_id.clone().or_else(|| {
                        created_by
                            .and_then(|c| self.created.lock().expect("created").get(&c).cloned())
                    });
                    (group, true, id)
                }
                Action::RemoveMember { group, user_id } => (group, false, Some(user_id.clone())),
                _ => unreachable!("only membership items run in membership phases"),
            };
            match user_id {
                Some(id) => by_group
                    .entry((group.as_str(), adding))
                    .or_default()
                    .push((item, id)),
                None if self.control.dry_run => by_group
                    .entry((group.as_str(), adding))
                    .or_default()
                    .push((item, String::new())),
                None => self.skip(
                    item,
                    ItemStatus::Skipped,
                    "the user was not created, so it cannot join the group".into(),
                ),
            }
        }
        let mut units = Vec::new();
        for ((group, adding), members) in by_group {
            for chunk in members.chunks(MEMBERSHIP_CHUNK) {
                units.push(Unit::Membership {
                    group,
                    adding,
                    items: chunk.to_vec(),
                });
            }
        }
        units
    }

    /// The units in the groups they are sent in: all at once, or, where single updates are
    /// among them, [`read_ahead::ROUNDS`] rounds at a time so each group's records can be
    /// read ahead.
    fn groups(&self, units: Vec<Unit<'a>>, concurrency: usize) -> Vec<Vec<Unit<'a>>> {
        let updates_alone = units
            .iter()
            .filter_map(Unit::single)
            .any(|item| read_ahead::updated_id(item).is_some());
        if !updates_alone || self.control.dry_run {
            return vec![units];
        }
        let size = read_ahead::ROUNDS * concurrency;
        let mut groups = Vec::with_capacity(units.len().div_ceil(size));
        let mut units = units.into_iter().peekable();
        while units.peek().is_some() {
            groups.push(units.by_ref().take(size).collect());
        }
        groups
    }

    /// Sends the groups one after another. Each group's updates are announced while the group
    /// before it is sent, so the site can read their records ahead without the writes
    /// waiting for it.
    async fn run_groups(&self, groups: Vec<Vec<Unit<'a>>>, concurrency: usize) {
        let directory = self.site.directory.as_ref();
        let announced: Vec<Vec<&PlanItem>> = groups
            .iter()
            .map(|group| match self.control.dry_run {
                true => Vec::new(),
                false => group.iter().filter_map(Unit::single).collect(),
            })
            .collect();
        let mut next_announcement = announced.iter().skip(1);
        if let Some(first) = announced.first() {
            read_ahead::announce(directory, first).await;
        }
        for group in groups {
            let sent = futures::stream::iter(group)
                .for_each_concurrent(concurrency, |unit| self.run_unit(unit));
            match next_announcement.next() {
                Some(next) => {
                    futures::join!(sent, read_ahead::announce(directory, next));
                }
                None => sent.await,
            }
        }
    }

    async fn run_unit(&self, unit: Unit<'a>) {
        let items: Vec<&PlanItem> = match &unit {
            Unit::One(item) => vec![item],
            Unit::Batch(items) => items.clone(),
            Unit::Membership { items, .. } => items.iter().map(|(item, _)| *item).collect(),
        };
        if let Some(reason) = self.control.stopped() {
            for item in items {
                self.skip(item, ItemStatus::NotAttempted, reason.clone());
            }
            return;
        }
        if self.control.dry_run {
            for item in items {
                self.dry_run(item).await;
            }
            return;
        }
        match unit {
            Unit::One(item) => {
                self.control.attempted(&self.plan.site, item);
                let started = Instant::now();
                let in_doubt = self.control.resume.in_doubt(&self.plan.site, item.id);
                let (result, attempts) =
                    counted(send_one(self.site.directory.as_ref(), item, in_doubt)).await;
                self.sent(item, result, attempts, started);
            }
            Unit::Batch(items) => super::batch::run(self, items).await,
            Unit::Membership {
                group,
                adding,
                items,
            } => super::membership::run(self, group, adding, items).await,
        }
    }

    /// A dry run sends nothing; a site that can validate remotely is asked to.
    async fn dry_run(&self, item: &PlanItem) {
        let validator = self
            .site
            .validator
            .as_ref()
            .filter(|_| self.site.capabilities().remote_dry_run);
        let Some(validator) = validator else {
            self.skip(item, ItemStatus::Skipped, "dry run: nothing sent".into());
            return;
        };
        let started = Instant::now();
        let (result, attempts) = counted(validator.validate(item)).await;
        let (status, reason) = match result {
            Ok(()) => (
                ItemStatus::Skipped,
                "dry run: the site accepts it".to_owned(),
            ),
            Err(error) => (
                ItemStatus::Failed,
                format!("dry run: the site refuses it: {error}"),
            ),
        };
        let outcome = ItemOutcome {
            attempts: attempts.max(1),
            duration_ms: started.elapsed().as_millis() as u64,
            ..self.outcome(item, status, Some(reason))
        };
        self.finish(item, outcome, None);
    }
}
