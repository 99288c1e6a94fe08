//! Counting attempts across layers.
//!
//! The engine reports how many attempts each item took, but repeats belong to the retry layer,
//! deep inside the directory stack. The layer records each attempt in a task-local counter that
//! the caller opens with [`counted`]; outside such a scope recording does nothing.

use std::cell::Cell;
use std::future::Future;

tokio::task_local! {
    static ATTEMPTS: Cell<u32>;
}

/// Runs `call` and returns its output with the number of attempts recorded while it ran
/// (0 when no retry layer was involved: the caller then counts one).
pub async fn counted<F: Future>(call: F) -> (F::Output, u32) {
    ATTEMPTS
        .scope(Cell::new(0), async move {
            let output = call.await;
            (output, ATTEMPTS.with(Cell::get))
        })
        .await
}

/// Records one attempt in the enclosing [`counted`] scope, if any.
pub fn record() {
    let _ = ATTEMPTS.try_with(|count| count.set(count.get() + 1));
}
