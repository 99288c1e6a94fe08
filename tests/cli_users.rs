//! `roster users list` and `roster groups list` on the simulators: each output format, filters
//! and columns, as the platform clients export them.

mod common;

use common::{code, stderr, stdout, Sites};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_list_speaks_every_output_format() {
    let sites = Sites::start(12).await;
    let expected = sites.fleet.usersave.state().users().len();

    let csv = sites
        .roster(&[
            "users",
            "list",
            "lumapps",
            "-o",
            "csv",
            "--columns",
            "email,first_name",
        ])
        .await;
    assert_eq!(code(&csv), 0, "{}", stderr(&csv));
    let text = stdout(&csv);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("email,first_name"));
    assert_eq!(lines.count(), expected);

    let json = sites
        .roster(&["users", "list", "lumapps", "-o", "json"])
        .await;
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).expect("a JSON array");
    assert_eq!(rows.len(), expected);
    assert!(rows
        .iter()
        .all(|row| row["email"].as_str().is_some_and(|e| e.contains('@'))));

    let jsonl = sites
        .roster(&[
            "users",
            "list",
            "lumapps",
            "-o",
            "jsonl",
            "--columns",
            "id,email",
        ])
        .await;
    let lines: Vec<serde_json::Value> = stdout(&jsonl)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one object per line"))
        .collect();
    assert_eq!(lines.len(), expected);
    assert_eq!(
        lines[0].as_object().unwrap().len(),
        2,
        "only the chosen columns"
    );

    let table = sites.roster(&["users", "list", "lumapps"]).await;
    assert_eq!(code(&table), 0);
    assert!(stdout(&table).lines().next().unwrap().contains("EMAIL"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_list_filters_by_email_and_group() {
    let sites = Sites::start(12).await;
    let person = roster_sim::common::seed_people(42, 12).remove(3);
    let by_email = sites
        .roster(&[
            "users",
            "list",
            "ams",
            "-o",
            "csv",
            "--columns",
            "username",
            "--filter",
            &format!("email={}", person.email),
        ])
        .await;
    assert_eq!(code(&by_email), 0, "{}", stderr(&by_email));
    assert_eq!(
        stdout(&by_email),
        format!("username\n{}\n", person.username)
    );

    let groups = sites
        .roster(&["groups", "list", "ams", "-o", "csv", "--columns", "name"])
        .await;
    let group = stdout(&groups).lines().nth(1).expect("a group").to_owned();
    let members = sites
        .roster(&[
            "users",
            "list",
            "ams",
            "-o",
            "jsonl",
            "--columns",
            "groups",
            "--filter",
            &format!("group={group}"),
        ])
        .await;
    assert_eq!(code(&members), 0, "{}", stderr(&members));
    for line in stdout(&members).lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        let groups = row["groups"].as_array().expect("groups listed");
        assert!(
            groups.iter().any(|g| g == group.as_str()),
            "{row} is not in {group}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_filter_says_how_to_write_one() {
    let sites = Sites::start(3).await;
    let output = sites
        .roster(&["users", "list", "ams", "--filter", "nonsense"])
        .await;
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("expected KEY=VALUE"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_whose_reader_stops_early_ends_quietly() {
    // Far more CSV than a pipe holds, so the export is still writing when the reader leaves.
    let sites = Sites::start(3000).await;
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("roster"));
    command
        .current_dir(sites.dir.path())
        .env("NO_COLOR", "1")
        .arg("--config")
        .arg(&sites.config)
        .args(["users", "list", "periscope", "-o", "csv"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let output = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        let mut child = command.spawn().expect("roster runs");
        let mut reader = std::io::BufReader::new(child.stdout.take().expect("stdout piped"));
        let mut header = String::new();
        reader.read_line(&mut header).expect("a first line");
        drop(reader); // like `| head -1`
        (header, child.wait_with_output().expect("roster finishes"))
    })
    .await
    .expect("the reader thread ends");
    let (header, output) = output;
    assert!(header.starts_with("id,username,email"), "{header}");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let said = stderr(&output);
    assert!(!said.contains("cannot write"), "{said}");
    let listed: usize = said
        .lines()
        .find_map(|line| line.strip_prefix("✔ periscope: "))
        .and_then(|rest| rest.strip_suffix(" users"))
        .and_then(|count| count.parse().ok())
        .expect("the count of users written");
    assert!(
        listed < 3000,
        "the listing stopped when the reader left, at {listed}"
    );
}
