//! Plans and applies a small desired state against an in-memory site and prints the plan,
//! its JSON form and the run report: the engine's whole API in one page.
//!
//! `cargo run -p roster-engine --example sample_plan`

use std::sync::Arc;

use roster_core::{Group, MemoryDirectory, SharedDirectory, User, UserKey};
use roster_engine::apply::ApplyHooks;
use roster_engine::{
    apply, layered, plan, DesiredState, InputFormat, InputOptions, MaxDeletes, OrphanPolicy,
    RunOptions, Site, SitePolicy,
};

const DESIRED: &str = "\
email;first_name;last_name;groups;password
ada@example.org;Augusta Ada;King;coaches;
grace@example.org;Grace;Hopper;\"coaches;staff\";
alan@example.org;Alan;Turing;analysts;initial-Secret-1
alan@example.org;Alan;Turing;analysts;
";

fn user(id: &str, email: &str, first: &str, last: &str, groups: &[&str]) -> User {
    User {
        id: id.into(),
        username: Some(email.split('@').next().unwrap_or_default().into()),
        email: Some(email.into()),
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        active: Some(true),
        groups: Some(groups.iter().map(|g| g.to_string()).collect()),
        ..User::default()
    }
}

#[tokio::main]
async fn main() {
    // The desired state refuses the duplicate row (and would refuse any other problem).
    let options = InputOptions::default();
    match DesiredState::read_bytes("users.csv", DESIRED.as_bytes(), InputFormat::Csv, &options) {
        Ok(_) => unreachable!("the duplicate row is refused"),
        Err(error) => println!("{error}"),
    }
    let text: String = DESIRED
        .lines()
        .take(4)
        .map(|line| format!("{line}\n"))
        .collect();
    let desired =
        DesiredState::read_bytes("users.csv", text.as_bytes(), InputFormat::Csv, &options)
            .expect("valid input");

    let memory = MemoryDirectory::new("club").with_groups(["coaches", "staff"].map(|name| Group {
        name: name.into(),
        ..Group::default()
    }));
    let memory = Arc::new(memory.with_users([
        user("1", "ada@example.org", "Ada", "Lovelace", &["staff"]),
        user("2", "Grace@Example.org", "Grace", "Hopper", &["coaches"]),
        user("3", "charles@example.org", "Charles", "Babbage", &["staff"]),
        user("4", "root@example.org", "Site", "Admin", &[]),
    ]));
    let policy = SitePolicy {
        orphans: OrphanPolicy::Deactivate,
        protected: vec![UserKey::Email("root@example.org".into())],
        max_deletes: Some(MaxDeletes::Percent(50.0)),
        ..SitePolicy::default()
    };
    let backend: SharedDirectory = memory;
    let sites = [Site::new(layered(backend, &policy, None), policy)];

    let planned = plan(&desired, &sites).await;
    println!("{planned}");
    println!("{}", planned.to_json());
    let report = apply(
        &planned,
        &sites,
        &RunOptions::default(),
        ApplyHooks::default(),
    )
    .await
    .expect("the plan applies");
    println!("{report}");
    println!("after apply: {}", plan(&desired, &sites).await);
}
