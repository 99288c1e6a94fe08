//! Swapping a real backend for the mock.
//!
//! Program code takes `&dyn UserDirectory` (or `Arc<dyn UserDirectory>`), never a concrete
//! backend. In production it gets, say, an AMS directory; in a test it gets
//! `MockUserDirectory` (feature `mock`), scripted per call, and the test asserts both what the
//! program did with the answers and which calls it made.
#![cfg(feature = "mock")]

use roster_core::{
    BackendInfo, Capabilities, MockUserDirectory, User, UserDirectory, UserPatch, UserQuery,
};

/// Program code under test: deactivates every user of `group` who is still active, and says
/// how many it deactivated. It knows nothing of the platform behind `directory`.
async fn deactivate_group(
    directory: &dyn UserDirectory,
    group: &str,
) -> roster_core::Result<usize> {
    if !directory.describe().capabilities.deactivate_user {
        return Ok(0);
    }
    let query = UserQuery::all().with("group", group);
    let mut count = 0;
    for user in directory.list_users(&query).await? {
        if user.active != Some(false) {
            directory
                .update_user(&user.id, &UserPatch::deactivate())
                .await?;
            count += 1;
        }
    }
    Ok(count)
}

fn user(id: &str, active: bool) -> User {
    User {
        id: id.into(),
        active: Some(active),
        ..User::default()
    }
}

#[tokio::test]
async fn the_program_deactivates_only_active_members() {
    let mut mock = MockUserDirectory::new();
    mock.expect_describe().return_const(BackendInfo::new(
        "mock",
        "test-site",
        Capabilities::full(),
    ));
    mock.expect_list_users()
        .withf(|query| query.groups == ["Alumni"])
        .times(1)
        .returning(|_| Ok(vec![user("1", true), user("2", false), user("3", true)]));
    mock.expect_update_user()
        .withf(|id, patch| (id == "1" || id == "3") && *patch == UserPatch::deactivate())
        .times(2)
        .returning(|id, _| Ok(user(id, false)));

    assert_eq!(deactivate_group(&mock, "Alumni").await.unwrap(), 2);
}

#[tokio::test]
async fn the_program_sends_nothing_where_deactivation_is_unsupported() {
    let mut mock = MockUserDirectory::new();
    let caps = Capabilities {
        deactivate_user: false,
        ..Capabilities::full()
    };
    mock.expect_describe()
        .return_const(BackendInfo::new("mock", "test-site", caps));
    // No other expectation: any list or update call would fail the test.
    assert_eq!(deactivate_group(&mock, "Alumni").await.unwrap(), 0);
}
