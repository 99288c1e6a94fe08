//! The behavior suite against the in-memory reference directory, in full and in the capability
//! shape of each platform, so the suite itself is proven before any backend relies on it.

use std::sync::Arc;

use roster_core::{Capabilities, MemoryDirectory};
use roster_testkit::{behavior_suite, shapes, Fixture};

fn memory(caps: Capabilities) -> Fixture {
    Fixture::new(Arc::new(
        MemoryDirectory::new("memory").with_capabilities(caps),
    ))
}

async fn full() -> Fixture {
    memory(Capabilities::full())
}
async fn ams() -> Fixture {
    memory(shapes::ams())
}
async fn redcap() -> Fixture {
    memory(shapes::redcap())
}
async fn periscope() -> Fixture {
    memory(shapes::periscope())
}
async fn lumapps() -> Fixture {
    memory(shapes::lumapps())
}

behavior_suite!(memory_full, full);
behavior_suite!(memory_ams, ams);
behavior_suite!(memory_redcap, redcap);
behavior_suite!(memory_periscope, periscope);
behavior_suite!(memory_lumapps, lumapps);
