//! Plans 1,000,000 desired users against 1,000,000 site users, 1 % of them changed, and
//! prints the wall time of each step and the peak resident memory.
//!
//! `cargo run --release -p roster-engine --example plan_bench [users] [--from-csv]`
//!
//! With `--from-csv` the desired users are first written to a CSV file and read back with
//! `DesiredState::read_path`, and the read is timed too.

use std::collections::BTreeSet;
use std::time::Instant;

use roster_core::{Capabilities, Change, Group, User};
use roster_engine::desired::{DesiredState, DesiredUser};
use roster_engine::plan::{plan_site, SiteView};
use roster_engine::{InputOptions, Observed, OrphanPolicy, SitePolicy};

const GROUPS: usize = 50;

fn group(i: usize) -> String {
    format!("group-{}", i % GROUPS)
}

fn site_users(n: usize) -> Vec<User> {
    (0..n)
        .map(|i| User {
            id: i.to_string(),
            username: Some(format!("user{i}")),
            email: Some(format!("user{i}@example.org")),
            first_name: Some(format!("First{i}")),
            last_name: Some(format!("Last{i}")),
            active: Some(true),
            groups: Some(BTreeSet::from([group(i)])),
            ..User::default()
        })
        .collect()
}

/// The same users with 1 % of the rows changed: every thousandth row is a new user (so the
/// site user it replaces becomes an orphan), the other rows of every two hundredth get a new
/// first name, and the remaining rows of every hundredth move to another group.
fn desired_users(n: usize) -> Vec<DesiredUser> {
    // A file lists users in its own order, unrelated to the site's; rows are built in that
    // order, as a reader builds them, so each row's text sits where a reader would put it.
    let mut order: Vec<usize> = (0..n).collect();
    shuffle(&mut order);
    order
        .into_iter()
        .map(|i| {
            let (new, renamed, moved) = (i % 1000 == 0, i % 200 == 0, i % 100 == 0);
            let name = if new {
                format!("new{i}")
            } else {
                format!("user{i}")
            };
            DesiredUser {
                line: i as u64 + 2,
                username: Change::Set(name.clone()),
                email: Change::Set(format!("{name}@example.org")),
                first_name: Change::Set(if renamed && !new {
                    format!("Renamed{i}")
                } else {
                    format!("First{i}")
                }),
                last_name: Change::Set(format!("Last{i}")),
                active: Change::Set(true),
                groups: Change::Set(vec![group(if moved && !renamed { i + 1 } else { i })]),
                ..DesiredUser::default()
            }
        })
        .collect()
}

/// A seeded Fisher-Yates shuffle.
fn shuffle<T>(items: &mut [T]) {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in (1..items.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        items.swap(i, (state % (i as u64 + 1)) as usize);
    }
}

/// CPU time this process has used (user + system), from `/proc/self/stat`, in seconds: less
/// sensitive than wall time to other work on a shared machine.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may contain spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// Writes the desired users as CSV and reads them back, timing the read.
fn through_csv(users: Vec<DesiredUser>) -> DesiredState {
    let text_of = |change: &Change<String>| match change {
        Change::Set(value) => value.clone(),
        _ => String::new(),
    };
    let mut csv = String::from("email,username,first_name,last_name,active,groups\n");
    for user in &users {
        let groups = match &user.groups {
            Change::Set(groups) => groups.join(";"),
            _ => String::new(),
        };
        csv.push_str(&format!(
            "{},{},{},{},true,{groups}\n",
            text_of(&user.email),
            text_of(&user.username),
            text_of(&user.first_name),
            text_of(&user.last_name)
        ));
    }
    drop(users);
    let path = std::env::temp_dir().join(format!("plan-bench-{}.csv", std::process::id()));
    std::fs::write(&path, csv).expect("write the CSV");
    let started = Instant::now();
    let state = DesiredState::read_path(&path, &InputOptions::default()).expect("valid CSV");
    println!(
        "read CSV:         {:.3} s ({} rows)",
        started.elapsed().as_secs_f64(),
        state.users.len()
    );
    let _ = std::fs::remove_file(&path);
    state
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let from_csv = args.iter().any(|arg| arg == "--from-csv");
    let n: usize = args
        .iter()
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(1_000_000);
    let started = Instant::now();
    let observed = Observed::complete(
        site_users(n),
        (0..GROUPS)
            .map(|i| Group {
                name: group(i),
                ..Group::default()
            })
            .collect(),
    );
    let users = desired_users(n);
    let desired = if from_csv {
        through_csv(users)
    } else {
        DesiredState {
            source: "generated".into(),
            users,
        }
    };
    let generated = started.elapsed();
    let rss_before = peak_rss_mib();

    let capabilities = Capabilities::full();
    let policy = SitePolicy {
        orphans: OrphanPolicy::Deactivate,
        ..SitePolicy::default()
    };
    let view = SiteView {
        name: "bench",
        backend: "memory",
        capabilities: &capabilities,
        policy: &policy,
    };
    let (started, cpu_before) = (Instant::now(), cpu_seconds());
    let plan = plan_site(&desired, &observed, view);
    let planned = started.elapsed();
    let cpu = cpu_seconds() - cpu_before;
    let counts = plan.counts();

    println!("users:            {n} desired × {n} on the site");
    println!(
        "generate inputs:  {:.3} s (not part of the plan)",
        generated.as_secs_f64()
    );
    println!("peak RSS inputs:  {rss_before:.0} MiB");
    println!("plan:             {:.3} s", planned.as_secs_f64());
    println!("plan CPU time:    {cpu:.2} s (both cores together)");
    println!("peak RSS:         {:.0} MiB", peak_rss_mib());
    println!(
        "plan items:       {} creates, {} updates, {} membership changes, {} deactivations, {} unchanged",
        counts.create, counts.update, counts.membership, counts.deactivate, counts.unchanged
    );
    println!(
        "threads:          {}",
        std::thread::available_parallelism().map_or(1, usize::from)
    );
}
