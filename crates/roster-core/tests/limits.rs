//! Throttle and concurrency limits hold, checked by counting calls, not by timing them.

use std::sync::Arc;
use std::time::Duration;

use roster_core::{DirectoryExt, MemoryDirectory, UserDirectory, UserQuery};
use tokio::sync::Semaphore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_limit_caps_calls_in_flight() {
    let memory = Arc::new(MemoryDirectory::new("site").with_latency(Duration::from_millis(10)));
    let limited = Arc::new(memory.clone().limited(3, None));
    let calls: Vec<_> = (0..24)
        .map(|_| {
            let limited = limited.clone();
            tokio::spawn(async move { limited.list_users(&UserQuery::all()).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(memory.total_calls(), 24);
    assert!(
        memory.peak_in_flight() <= 3,
        "peak {}",
        memory.peak_in_flight()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_global_cap_holds_across_sites() {
    let memory = Arc::new(MemoryDirectory::new("shared").with_latency(Duration::from_millis(10)));
    let global = Arc::new(Semaphore::new(2));
    let sites = [
        Arc::new(memory.clone().limited(5, Some(global.clone()))),
        Arc::new(memory.clone().limited(5, Some(global))),
    ];
    let mut calls = Vec::new();
    for site in &sites {
        for _ in 0..12 {
            let site = site.clone();
            calls.push(tokio::spawn(async move { site.list_groups().await }));
        }
    }
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(memory.total_calls(), 24);
    assert!(
        memory.peak_in_flight() <= 2,
        "peak {}",
        memory.peak_in_flight()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttle_lets_no_more_than_the_burst_through_at_once() {
    let memory = Arc::new(MemoryDirectory::new("site"));
    // One call per second: the first passes at once, the next only a second later.
    let throttled = Arc::new(memory.clone().throttled(1));
    let calls: Vec<_> = (0..5)
        .map(|_| {
            let throttled = throttled.clone();
            tokio::spawn(async move { throttled.list_groups().await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(memory.total_calls() <= 1, "served {}", memory.total_calls());
    for call in calls {
        call.abort();
    }
}
