//! `apply` re-reads every site of a plan at once (for the fingerprint check), as `plan` reads
//! them: one after another, a fan-out to many sites waited for the sum of their listings.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use roster_core::{
    BackendInfo, Change, Group, MemoryDirectory, NewGroup, NewUser, Result, User, UserDirectory,
    UserKey, UserPatch, UserQuery,
};
use roster_engine::desired::DesiredUser;
use roster_engine::{
    apply, plan, ApplyHooks, DesiredState, ItemStatus, RunOptions, Site, SitePolicy,
};

/// Listings in flight now, and the most seen at once, across every site.
#[derive(Default)]
struct Listings {
    now: AtomicUsize,
    most: AtomicUsize,
}

/// A memory directory whose listing yields once while it counts as in flight, so listings
/// started together overlap and listings run one after another do not.
struct Counted {
    inner: MemoryDirectory,
    listings: Arc<Listings>,
}

#[async_trait]
impl UserDirectory for Counted {
    fn describe(&self) -> &BackendInfo {
        self.inner.describe()
    }
    async fn list_users(&self, query: &UserQuery) -> Result<Vec<User>> {
        let now = self.listings.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.listings.most.fetch_max(now, Ordering::SeqCst);
        tokio::task::yield_now().await;
        self.listings.now.fetch_sub(1, Ordering::SeqCst);
        self.inner.list_users(query).await
    }
    async fn get_user(&self, key: &UserKey) -> Result<Option<User>> {
        self.inner.get_user(key).await
    }
    async fn create_user(&self, user: &NewUser) -> Result<User> {
        self.inner.create_user(user).await
    }
    async fn update_user(&self, id: &str, patch: &UserPatch) -> Result<User> {
        self.inner.update_user(id, patch).await
    }
    async fn delete_user(&self, id: &str) -> Result<()> {
        self.inner.delete_user(id).await
    }
    async fn list_groups(&self) -> Result<Vec<Group>> {
        self.inner.list_groups().await
    }
    async fn create_group(&self, group: &NewGroup) -> Result<Group> {
        self.inner.create_group(group).await
    }
    async fn delete_group(&self, name: &str) -> Result<()> {
        self.inner.delete_group(name).await
    }
    async fn set_membership(&self, group: &str, add: &[String], remove: &[String]) -> Result<()> {
        self.inner.set_membership(group, add, remove).await
    }
}

#[tokio::test]
async fn apply_rereads_every_site_at_once() {
    let listings = Arc::new(Listings::default());
    let sites: Vec<Site> = (0..3)
        .map(|n| {
            let directory = Counted {
                inner: MemoryDirectory::new(format!("site-{n}")),
                listings: listings.clone(),
            };
            Site::new(Arc::new(directory), SitePolicy::default())
        })
        .collect();
    let desired = DesiredState {
        source: "test".into(),
        users: vec![DesiredUser {
            line: 2,
            email: Change::Set("ada@example.org".into()),
            first_name: Change::Set("Ada".into()),
            ..DesiredUser::default()
        }],
    };
    let plan = plan(&desired, &sites).await;
    listings.most.store(0, Ordering::SeqCst);

    let report = apply(&plan, &sites, &RunOptions::default(), ApplyHooks::default())
        .await
        .expect("the plan applies");

    assert_eq!(report.count(ItemStatus::Succeeded), 3);
    assert_eq!(
        listings.most.load(Ordering::SeqCst),
        3,
        "the three sites should be re-read at the same time"
    );
}
