//! The retry layer: repeats what may be repeated, stops on what may not, waits what the
//! server asks, and never duplicates an ambiguous create.
#![cfg(feature = "mock")]

mod common;

use std::time::Duration;

use common::{fast, unavailable};
use roster_core::layers::{ChaosConfig, ChaosFault, RetryPolicy};
use roster_core::{
    attempts, DirectoryError, DirectoryExt, ErrorKind, MemoryDirectory, MockUserDirectory, NewUser,
    User, UserDirectory, UserKey, UserQuery,
};

#[tokio::test]
async fn a_temporary_failure_is_sent_again_until_it_succeeds() {
    let mut mock = MockUserDirectory::new();
    let mut failures = 2;
    mock.expect_list_users().times(3).returning(move |_| {
        if failures > 0 {
            failures -= 1;
            Err(unavailable())
        } else {
            Ok(vec![User::default()])
        }
    });
    let retried = mock.retried(fast());
    let (result, attempts) = attempts::counted(retried.list_users(&UserQuery::all())).await;
    assert_eq!(result.expect("third attempt succeeds").len(), 1);
    assert_eq!(attempts, 3);
}

#[tokio::test]
async fn a_permanent_failure_is_returned_after_one_attempt() {
    let mut mock = MockUserDirectory::new();
    mock.expect_get_user()
        .times(1)
        .returning(|_| Err(DirectoryError::invalid(Some("email"), "not an email")));
    let retried = mock.retried(fast());
    let (result, attempts) = attempts::counted(retried.get_user(&UserKey::Email("x".into()))).await;
    assert!(matches!(
        result.unwrap_err().kind(),
        ErrorKind::Invalid { .. }
    ));
    assert_eq!(attempts, 1);
}

#[tokio::test]
async fn attempts_stop_at_the_policy_limit() {
    let mut mock = MockUserDirectory::new();
    mock.expect_list_groups()
        .times(4)
        .returning(|| Err(unavailable()));
    let error = mock.retried(fast()).list_groups().await.unwrap_err();
    assert!(error.is_temporary());
}

#[tokio::test(start_paused = true)]
async fn the_wait_is_what_the_server_asked_for() {
    let mut mock = MockUserDirectory::new();
    let mut limited = true;
    mock.expect_list_groups().times(2).returning(move || {
        if std::mem::take(&mut limited) {
            Err(DirectoryError::new(ErrorKind::RateLimited {
                retry_after: Some(Duration::from_secs(30)),
            }))
        } else {
            Ok(vec![])
        }
    });
    let started = tokio::time::Instant::now();
    mock.retried(fast())
        .list_groups()
        .await
        .expect("second attempt");
    // The policy alone would wait 1 ms; the server asked for 30 s (virtual time).
    assert!(started.elapsed() >= Duration::from_secs(30));
}

#[tokio::test]
async fn an_ambiguous_create_that_landed_is_found_not_sent_again() {
    let mut mock = MockUserDirectory::new();
    mock.expect_create_user().times(1).returning(|_| {
        Err(DirectoryError::new(ErrorKind::Timeout {
            request_sent: true,
        }))
    });
    mock.expect_get_user().times(1).returning(|key| {
        assert_eq!(key, &UserKey::Email("ann@example.org".into()));
        Ok(Some(User {
            id: "7".into(),
            email: Some("ann@example.org".into()),
            ..User::default()
        }))
    });
    let new = NewUser {
        email: Some("ann@example.org".into()),
        ..NewUser::default()
    };
    let user = mock.retried(fast()).create_user(&new).await.expect("found");
    assert_eq!(user.id, "7");
}

#[tokio::test]
async fn an_ambiguous_create_that_did_not_land_is_sent_again() {
    let mut mock = MockUserDirectory::new();
    let mut first = true;
    mock.expect_create_user().times(2).returning(move |new| {
        if std::mem::take(&mut first) {
            Err(DirectoryError::new(ErrorKind::Timeout {
                request_sent: true,
            }))
        } else {
            Ok(User {
                id: "8".into(),
                email: new.email.clone(),
                ..User::default()
            })
        }
    });
    mock.expect_get_user().returning(|_| Ok(None));
    let new = NewUser {
        email: Some("bo@example.org".into()),
        username: Some("bo".into()),
        ..NewUser::default()
    };
    let user = mock
        .retried(fast())
        .create_user(&new)
        .await
        .expect("created");
    assert_eq!(user.id, "8");
}

#[tokio::test]
async fn writes_applied_before_a_lost_reply_never_duplicate_users() {
    let memory = std::sync::Arc::new(MemoryDirectory::new("chaos"));
    let directory = memory
        .clone()
        .chaos(ChaosConfig::new(0.3, 7))
        .retried(RetryPolicy {
            max_attempts: 12,
            ..fast()
        });
    for n in 0..200 {
        let new = NewUser {
            email: Some(format!("user{n}@example.org")),
            ..NewUser::default()
        };
        directory.create_user(&new).await.expect("create converges");
    }
    assert_eq!(memory.users().len(), 200);
    assert_eq!(memory.duplicate_identities(), 0);
}

#[tokio::test]
async fn the_same_seed_injects_the_same_faults() {
    let outcomes = |seed| async move {
        let chaos = MemoryDirectory::new("s").chaos(ChaosConfig {
            faults: vec![ChaosFault::Unavailable],
            ..ChaosConfig::new(0.5, seed)
        });
        let mut seen = Vec::new();
        for _ in 0..50 {
            seen.push(chaos.list_groups().await.is_ok());
        }
        seen
    };
    let first = outcomes(3).await;
    assert_eq!(first, outcomes(3).await);
    assert!(first.iter().any(|ok| *ok) && first.iter().any(|ok| !ok));
}
