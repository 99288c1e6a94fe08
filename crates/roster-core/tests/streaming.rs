//! Streaming listings: `for_each_user` hands users over one at a time, stops when the sink
//! says so, passes through every layer, and is repeated by the retry layer only while no user
//! has been handed over.
#![cfg(feature = "mock")]

mod common;

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use common::{fast, unavailable};
use roster_core::{
    attempts, BackendInfo, Capabilities, DirectoryExt, Group, MemoryDirectory, MockUserDirectory,
    NewGroup, NewUser, Operation, Result, User, UserDirectory, UserKey, UserPatch, UserQuery,
    UserSink,
};

fn people(n: usize) -> Vec<User> {
    (0..n)
        .map(|i| User {
            email: Some(format!("person{i}@example.org")),
            ..User::default()
        })
        .collect()
}

/// Collects what a listing hands over.
async fn streamed(directory: &dyn UserDirectory, query: &UserQuery) -> Result<Vec<User>> {
    let mut users = Vec::new();
    directory
        .for_each_user(query, &mut |user| {
            users.push(user);
            ControlFlow::Continue(())
        })
        .await?;
    Ok(users)
}

#[tokio::test]
async fn the_default_hands_over_what_list_users_returns_in_order() {
    let site = MemoryDirectory::new("m").with_users(people(5));
    let listed = site.list_users(&UserQuery::all()).await.unwrap();
    let handed_over = streamed(&site, &UserQuery::all()).await.unwrap();
    assert_eq!(handed_over, listed);
    assert_eq!(handed_over.len(), 5);

    let one = UserQuery::all().with("email", "person3@example.org");
    let filtered = streamed(&site, &one).await.unwrap();
    assert_eq!(filtered.len(), 1);
    assert_eq!(filtered[0].email.as_deref(), Some("person3@example.org"));
}

#[tokio::test]
async fn a_sink_that_breaks_ends_the_listing_without_an_error() {
    let site = MemoryDirectory::new("m").with_users(people(10));
    let mut seen = 0;
    let result = site
        .for_each_user(&UserQuery::all(), &mut |_user| {
            seen += 1;
            if seen == 3 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .await;
    assert!(result.is_ok());
    assert_eq!(seen, 3, "no user is handed over after the break");
}

#[tokio::test]
async fn every_layer_passes_the_listing_through_once() {
    let site = Arc::new(MemoryDirectory::new("m").with_users(people(7)));
    let stacked = Arc::clone(&site)
        .limited(2, None)
        .throttled(1000)
        .retried(fast())
        .traced();
    let (listed, attempts) = attempts::counted(streamed(&stacked, &UserQuery::all())).await;
    assert_eq!(listed.unwrap().len(), 7);
    assert_eq!(attempts, 1);
    assert_eq!(site.calls_of(Operation::ListUsers), 1);
}

#[tokio::test]
async fn a_listing_that_fails_before_any_user_is_repeated() {
    let mut mock = MockUserDirectory::new();
    let mut failures = 2;
    mock.expect_list_users().times(3).returning(move |_| {
        if failures > 0 {
            failures -= 1;
            Err(unavailable())
        } else {
            Ok(people(4))
        }
    });
    let retried = mock.retried(fast());
    let (listed, attempts) = attempts::counted(streamed(&retried, &UserQuery::all())).await;
    assert_eq!(listed.expect("the third attempt lists").len(), 4);
    assert_eq!(attempts, 3);
}

/// Hands over `before_failing` users, then fails with a temporary error, every time.
struct FailsMidway {
    info: BackendInfo,
    before_failing: usize,
    listings: AtomicUsize,
}

#[async_trait]
impl UserDirectory for FailsMidway {
    fn describe(&self) -> &BackendInfo {
        &self.info
    }
    async fn list_users(&self, _query: &UserQuery) -> Result<Vec<User>> {
        unreachable!("the test lists by streaming")
    }
    async fn for_each_user(&self, _query: &UserQuery, sink: &mut dyn UserSink) -> Result<()> {
        self.listings.fetch_add(1, Ordering::SeqCst);
        for user in people(self.before_failing) {
            if sink.accept(user).is_break() {
                return Ok(());
            }
        }
        Err(unavailable())
    }
    async fn get_user(&self, _key: &UserKey) -> Result<Option<User>> {
        unreachable!()
    }
    async fn create_user(&self, _user: &NewUser) -> Result<User> {
        unreachable!()
    }
    async fn update_user(&self, _id: &str, _patch: &UserPatch) -> Result<User> {
        unreachable!()
    }
    async fn delete_user(&self, _id: &str) -> Result<()> {
        unreachable!()
    }
    async fn list_groups(&self) -> Result<Vec<Group>> {
        unreachable!()
    }
    async fn create_group(&self, _group: &NewGroup) -> Result<Group> {
        unreachable!()
    }
    async fn delete_group(&self, _name: &str) -> Result<()> {
        unreachable!()
    }
    async fn set_membership(&self, _g: &str, _add: &[String], _remove: &[String]) -> Result<()> {
        unreachable!()
    }
}

fn fails_midway(before_failing: usize) -> FailsMidway {
    FailsMidway {
        info: BackendInfo::new("test", "midway", Capabilities::full()),
        before_failing,
        listings: AtomicUsize::new(0),
    }
}

#[tokio::test]
async fn a_listing_that_fails_after_handing_users_over_is_not_repeated() {
    let retried = fails_midway(3).retried(fast());
    let mut handed_over = 0;
    let (result, attempts) =
        attempts::counted(retried.for_each_user(&UserQuery::all(), &mut |_user| {
            handed_over += 1;
            ControlFlow::Continue(())
        }))
        .await;
    assert!(result.unwrap_err().is_temporary());
    assert_eq!(handed_over, 3, "no user is handed over twice");
    assert_eq!(attempts, 1);
    assert_eq!(retried.inner().listings.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_listing_that_fails_empty_is_repeated_up_to_the_limit() {
    let retried = fails_midway(0).retried(fast());
    let (result, attempts) = attempts::counted(streamed(&retried, &UserQuery::all())).await;
    assert!(result.unwrap_err().is_temporary());
    assert_eq!(attempts, 4);
    assert_eq!(retried.inner().listings.load(Ordering::SeqCst), 4);
}
