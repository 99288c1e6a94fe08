//! Hostile input: bad desired-state files and bad configurations, each given to the real
//! `roster` binary with four live simulators configured. Every case must end with a
//! non-zero exit and a short message naming the file and the line or key, and no request
//! may reach any simulator (their counters stay where they were).
//!
//! The small files live in `tests/hostile_input/`; the 50 MB fields and the files in the
//! wrong encoding are written at test time into a temporary folder.

mod common;

use std::path::{Path, PathBuf};

use common::{code, run_env, stderr, stdout, Sites};

/// The most a refusal may print: a message, not the file.
const MAX_MESSAGE_BYTES: usize = 4096;

fn corpus(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile_input")
        .join(path)
}

/// Plans `desired` on every site and checks the refusal: exit 1, each of `expected` in the
/// message, a short message, and no request sent.
async fn refused_desired(sites: &Sites, desired: &Path, expected: &[&str]) {
    let before = sites.fleet.total_requests();
    let output = sites
        .roster(&[
            "plan",
            "--desired",
            desired.to_str().unwrap(),
            "--all-sites",
        ])
        .await;
    let name = desired.file_name().unwrap().to_string_lossy();
    let message = stderr(&output);
    assert_eq!(code(&output), 1, "{name}: refused\n{message}");
    for part in expected {
        assert!(message.contains(part), "{name}: names {part:?}:\n{message}");
    }
    assert!(
        message.len() + output.stdout.len() < MAX_MESSAGE_BYTES,
        "{name}: a short message ({} bytes)",
        message.len() + output.stdout.len()
    );
    assert!(stdout(&output).is_empty(), "{name}: no plan printed");
    assert_eq!(
        sites.fleet.total_requests(),
        before,
        "{name}: no request reached any simulator"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_desired_state_files_are_refused_before_any_request() {
    let sites = Sites::start(4).await;
    let cases: &[(&str, &[&str])] = &[
        (
            "unclosed_quote.csv",
            &["unclosed_quote.csv:2", "ragged row"],
        ),
        (
            "ragged_rows.csv",
            &["ragged_rows.csv:2", "ragged_rows.csv:3"],
        ),
        (
            "mixed_delimiters.csv",
            &["mixed_delimiters.csv:2", "ragged row"],
        ),
        (
            "byte_order_mark.csv",
            &["byte_order_mark.csv", "byte order mark"],
        ),
        (
            "duplicate_keys.csv",
            &[
                "duplicate_keys.csv:4",
                "column email",
                "duplicate key: line 2",
            ],
        ),
        (
            "duplicate_columns.csv",
            &[
                "duplicate_columns.csv:1",
                "column email",
                "column given twice",
            ],
        ),
        (
            "duplicate_json_keys.json",
            &[
                "duplicate_json_keys.json:1",
                "column first_name",
                "given twice",
            ],
        ),
        (
            "invalid_emails.csv",
            &[
                "invalid_emails.csv:3",
                "invalid_emails.csv:4",
                "not-an-email",
            ],
        ),
        (
            "invalid_dates.csv",
            &["invalid_dates.csv:2", "invalid_dates.csv:3", "column dob"],
        ),
        (
            "invalid_booleans.csv",
            &["invalid_booleans.csv:2", "column active"],
        ),
        (
            "unknown_columns.csv",
            &["unknown_columns.csv:1", "shoe_size"],
        ),
        ("truncated.json", &["truncated.json:4", "not valid JSON"]),
        (
            "not_an_array.json",
            &["not_an_array.json:1", "expected an array"],
        ),
        (
            "broken_line.jsonl",
            &["broken_line.jsonl:2", "not valid JSON"],
        ),
    ];
    for (file, expected) in cases {
        refused_desired(&sites, &corpus(&format!("desired/{file}")), expected).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_fields_and_wrong_encodings_are_refused_before_any_request() {
    let sites = Sites::start(4).await;
    let fifty_mb = 50 * 1024 * 1024;
    let written = |name: &str, bytes: Vec<u8>| {
        let path = sites.dir.path().join(name);
        std::fs::write(&path, bytes).expect("test file written");
        path
    };

    let mut csv = b"email,first_name\nann@example.org,".to_vec();
    csv.resize(csv.len() + fifty_mb, b'A');
    csv.push(b'\n');
    let path = written("huge_field.csv", csv);
    refused_desired(
        &sites,
        &path,
        &["huge_field.csv:2", "column first_name", "at most"],
    )
    .await;

    let mut json = b"[{\"email\": \"ann@example.org\",\n  \"last_name\": \"".to_vec();
    json.resize(json.len() + fifty_mb, b'B');
    json.extend_from_slice(b"\"}]\n");
    let path = written("huge_field.json", json);
    refused_desired(
        &sites,
        &path,
        &["huge_field.json:1", "column last_name", "at most"],
    )
    .await;

    let latin1 = b"email,first_name\nrenee@example.org,Ren\xe9e\n".to_vec();
    let path = written("latin1.csv", latin1);
    refused_desired(&sites, &path, &["latin1.csv:2", "invalid UTF-8"]).await;

    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "email\nann@example.org\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    let path = written("utf16.csv", utf16);
    refused_desired(&sites, &path, &["utf16.csv", "UTF-16"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_configurations_are_refused_before_any_request() {
    let sites = Sites::start(4).await;
    let ams = sites.fleet.ams.credentials();
    let env = [
        ("ROSTER_TEST_AMS_URL", ams.site_url.as_str()),
        ("ROSTER_TEST_AMS_USERNAME", ams.username.as_str()),
        ("ROSTER_TEST_AMS_PASSWORD", ams.password.as_str()),
    ];
    let desired = sites.file("good.csv", "email\nann@example.org\n");
    let cases: &[(&str, &[&str])] = &[
        ("malformed.toml", &["malformed.toml:4", "unclosed table"]),
        (
            "unknown_kind.toml",
            &["sites.ams.kind", "smartabase-classic"],
        ),
        ("unknown_key.toml", &["sites.ams", "pasword"]),
        ("typo_in_policy_key.toml", &["sites.ams", "orphan_polcy"]),
        (
            "missing_env.toml",
            &["sites.ams.password_env", "ROSTER_TEST_NOT_SET_ANYWHERE"],
        ),
        ("insecure_http.toml", &["sites.ams.url", "plain http"]),
        ("missing_url.toml", &["[sites.ams]", "url"]),
        (
            "bad_policy.toml",
            &["sites.ams.orphan_policy", "obliterate"],
        ),
        ("bad_max_deletes.toml", &["sites.ams.max_deletes", "lots"]),
        ("wrong_type.toml", &["defaults.concurrency", "eight"]),
    ];
    for (file, expected) in cases {
        let config = sites.dir.path().join(file);
        std::fs::copy(corpus(&format!("configs/{file}")), &config).expect("config copied");
        for args in [
            vec![
                "plan",
                "--desired",
                desired.to_str().unwrap(),
                "--all-sites",
            ],
            vec!["config", "check"],
        ] {
            let before = sites.fleet.total_requests();
            let output = run_env(sites.dir.path(), Some(&config), &env, &args).await;
            let message = stderr(&output);
            assert_ne!(code(&output), 0, "{file} ({}): refused\n{message}", args[0]);
            for part in expected.iter().chain([file]) {
                assert!(
                    message.contains(part),
                    "{file} ({}): names {part:?}:\n{message}",
                    args[0]
                );
            }
            assert_eq!(
                sites.fleet.total_requests(),
                before,
                "{file}: no request reached any simulator"
            );
        }
    }
}
