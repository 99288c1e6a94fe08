//! The one-command demo runs to the end and converges.

mod common;

use common::{code, run, stderr, stdout};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_converges_on_four_sites() {
    let dir = tempfile::tempdir().unwrap();
    let keep = dir.path().join("demo");
    let output = run(
        dir.path(),
        None,
        &["demo", "--users", "10", "--keep", keep.to_str().unwrap()],
    )
    .await;
    assert_eq!(code(&output), 0, "{}\n{}", stdout(&output), stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("no changes left on 4 sites"), "{err}");
    for site in ["ams", "redcap", "periscope", "lumapps"] {
        assert!(
            stdout(&output).contains(&format!("site {site} ")),
            "plan shows {site}"
        );
    }
    assert!(keep.join("roster.journal.jsonl").is_file());
    assert!(keep.join("desired.csv").is_file());
}
