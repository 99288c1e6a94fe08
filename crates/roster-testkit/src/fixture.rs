use std::any::Any;

use roster_core::{NewGroup, NewUser, SharedDirectory, UserPatch};
use serde_json::Value;

/// A fresh directory under test, what keeps it alive (a simulator handle, say) and how the
/// suite should make users and groups on it.
pub struct Fixture {
    /// The directory under test.
    pub directory: SharedDirectory,
    /// How the suite makes users and groups on it.
    pub options: SuiteOptions,
    _guard: Box<dyn Any + Send + Sync>,
}

impl Fixture {
    /// A fixture with default options and nothing else to keep alive.
    pub fn new(directory: SharedDirectory) -> Self {
        Self::with_guard(directory, ())
    }

    /// A fixture that keeps `guard` alive as long as the directory is tested.
    pub fn with_guard(directory: SharedDirectory, guard: impl Any + Send + Sync) -> Self {
        Self {
            directory,
            options: SuiteOptions::default(),
            _guard: Box::new(guard),
        }
    }

    /// Replaces the options.
    pub fn with_options(mut self, options: SuiteOptions) -> Self {
        self.options = options;
        self
    }
}

/// How the suite makes test data on a given platform.
#[derive(Clone)]
pub struct SuiteOptions {
    /// Builds the n-th user the suite creates (distinct keys for distinct n). Platforms with
    /// required fields (an AMS date of birth, say) supply their own.
    pub new_user: fn(u32) -> NewUser,
    /// Builds a group the suite creates (Periscope needs an access level, say).
    pub new_group: fn(&str) -> NewGroup,
    /// An attribute the platform stores and can clear, with a value to set first. `None`
    /// clears `last_name` instead.
    pub clearable_attribute: Option<(String, Value)>,
    /// An attribute the platform stores, set at create and expected back unchanged after a
    /// partial update.
    pub kept_attribute: Option<(String, Value)>,
    /// The change the partial-update check makes; `None` sets `first_name` where writable.
    /// The check expects exactly the patch's fields to change.
    pub partial_update: Option<UserPatch>,
}

impl Default for SuiteOptions {
    fn default() -> Self {
        Self {
            new_user: sample_user,
            new_group: |name| NewGroup::named(name),
            clearable_attribute: Some(("known_as".into(), Value::String("Tess".into()))),
            kept_attribute: Some(("uuid".into(), Value::String("ext-0001".into()))),
            partial_update: None,
        }
    }
}

/// The default n-th test user: `suite.userN@example.org`, named "Test UserN".
pub fn sample_user(n: u32) -> NewUser {
    NewUser {
        username: Some(format!("suite.user{n}")),
        email: Some(format!("suite.user{n}@example.org")),
        first_name: Some("Test".into()),
        last_name: Some(format!("User{n}")),
        ..NewUser::default()
    }
}
