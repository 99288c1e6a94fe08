#![warn(missing_docs)]
//! The behavior suite every roster backend must pass.
//!
//! One macro, [`behavior_suite!`], expands into one `#[tokio::test]` per check, so each check
//! is seen to run by name (`cargo test` prints `memory_ams::delete_removes_the_user ... ok`).
//! Each check first asks the directory's [`Capabilities`](roster_core::Capabilities) whether it
//! applies, and when it does not it says so on stderr and passes: an unsupported operation is
//! checked instead by [`checks::unsupported_operations_say_so`].
//!
//! ```ignore
//! async fn fresh() -> roster_testkit::Fixture {
//!     roster_testkit::Fixture::new(std::sync::Arc::new(roster_core::MemoryDirectory::new("t")))
//! }
//! roster_testkit::behavior_suite!(memory_full, fresh);
//! ```
//!
//! The test crate needs `tokio` (with `macros` and `rt-multi-thread`) as a dev-dependency.

pub mod checks;
mod fixture;
#[cfg(feature = "hostile")]
pub mod hostile;
pub mod shapes;

pub use fixture::{Fixture, SuiteOptions};

/// Expands to a module `$name` with one test per behavior check, each on a fresh fixture
/// from `$fixture`, an async fn (or closure) returning a [`Fixture`].
#[macro_export]
macro_rules! behavior_suite {
    ($name:ident, $fixture:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $crate::behavior_suite!(@checks $fixture;
                list_returns_every_user_across_pages,
                get_finds_a_user_by_each_key_kind,
                create_returns_the_fields_it_was_given,
                duplicate_create_is_already_exists,
                partial_update_leaves_every_other_field,
                clearing_a_field_removes_it,
                deactivate_keeps_the_user_listed,
                delete_removes_the_user,
                get_of_a_missing_user_is_none,
                groups_create_list_delete,
                membership_add_and_remove,
                one_group_per_user_is_enforced,
                unicode_names_round_trip,
                unsupported_operations_say_so
            );
        }
    };
    (@checks $fixture:expr; $($check:ident),*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $check() {
            let fixture = ($fixture)().await;
            $crate::checks::$check(&fixture).await;
        }
    )*};
}
