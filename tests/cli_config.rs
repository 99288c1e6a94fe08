//! Configuration mistakes are reported with the file, the key and why, and nothing is sent.

mod common;

use common::{code, run, stderr};

async fn check(config: &str, env: &[(&str, &str)]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.toml");
    std::fs::write(&path, config).unwrap();
    let dotenv: String = env.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    std::fs::write(dir.path().join(".env"), dotenv).unwrap();
    let output = run(dir.path(), Some(&path), &["config", "check"]).await;
    (code(&output), stderr(&output))
}

#[tokio::test]
async fn every_problem_is_named_with_file_and_key() {
    let (code, text) = check(
        r#"
[sites.club]
kind = "ams"
url = "http://ams.example.org/club"
username = "api"
password_env = "ROSTER_TEST_UNSET_PASSWORD"
orphan_policy = "obliterate"

[sites.bi]
kind = "tableau"
"#,
        &[],
    )
    .await;
    assert_eq!(code, 1);
    assert!(text.contains("roster.toml: sites.club.password_env: environment variable ROSTER_TEST_UNSET_PASSWORD is not set"), "{text}");
    assert!(
        text.contains("sites.club.orphan_policy: `obliterate` is not one of"),
        "{text}"
    );
    assert!(
        text.contains("sites.bi.kind: unknown backend `tableau`"),
        "{text}"
    );
    assert!(
        text.contains("contacting") || text.contains("config check"),
        "{text}"
    );
}

#[tokio::test]
async fn plain_http_is_refused_except_to_loopback() {
    let site = |url: &str, allow: bool| {
        format!(
            "[sites.trials]\nkind = \"redcap\"\nurl = \"{url}\"\ntoken_env = \"T\"\nallow_insecure_http = {allow}\n"
        )
    };
    let token = [("T", "0123456789ABCDEF0123456789ABCDEF")];
    let (code, text) = check(&site("http://redcap.example.org/api/", false), &token).await;
    assert_eq!(code, 1);
    assert!(text.contains("sites.trials.url: plain http"), "{text}");
    let (code, text) = check(&site("http://127.0.0.1:9/api/", false), &token).await;
    assert_eq!(code, 0, "{text}");
    let (code, text) = check(&site("http://redcap.example.org/api/", true), &token).await;
    assert_eq!(code, 0, "{text}");
}

#[tokio::test]
async fn a_syntax_error_names_the_line() {
    let (code, text) = check("[sites.club]\nkind = \"ams\"\nurl = \n", &[]).await;
    assert_eq!(code, 1);
    assert!(text.contains("roster.toml:3"), "{text}");
}

#[tokio::test]
async fn a_missing_file_says_how_to_get_one() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), None, &["sites"]).await;
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("roster sim"),
        "{}",
        stderr(&output)
    );
}
