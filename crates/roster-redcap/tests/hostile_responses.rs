//! Hostile servers: each REDCap call the backend reads (exports, imports, deletes, the DAG
//! switch) is answered with generated malformed, truncated, wrong-typed, deeply nested, long
//! and oversized replies, under every status class, while the other calls answer correctly.
//! The backend must never panic, must fail with an error whose kind fits the reply, must never
//! quote the token, and must stop reading a body at `max_response_bytes`.

use std::future::Future;

use proptest::test_runner::TestCaseError;
use roster_core::{
    Change, ErrorClass, ErrorKind, NewGroup, NewUser, Result, SecretString, UserDirectory, UserKey,
    UserOp, UserPatch, UserQuery,
};
use roster_redcap::{ExportFormat, NewRole, RedcapConfig, RedcapDirectory};
use roster_testkit::hostile::{self, HostileServer, Material, Reply, Request, Sent};

const TOKEN: &str = "HOSTILE0123456789ABCDEF012345678";
const SECRETS: [&str; 1] = [TOKEN];
const CAP: usize = 64 * 1024;
const CASES: u32 = 64;

const USERS: &str = r#"[{"username":"alice","email":"alice@example.org","firstname":"Alice","lastname":"Ng","expiration":"","data_access_group":"test_dag","data_access_group_id":1,"design":0,"user_rights":0,"reports":1,"forms":{"form_1":1,"form_2":0},"forms_export":{"form_1":0}},{"username":"bob","email":"bob@example.org","firstname":"Bob","lastname":"Stone","expiration":"2030-01-01","data_access_group":"","data_access_group_id":"","design":1,"user_rights":1,"reports":0,"forms":{"form_1":3},"forms_export":[]}]"#;
const ROLE_MAPPING: &str = r#"[{"username":"alice","unique_role_name":"U-573AEYRNR8","data_access_group":"test_dag"},{"username":"bob","unique_role_name":"","data_access_group":""}]"#;
const ROLES: &str = r#"[{"unique_role_name":"U-573AEYRNR8","role_label":"Example Role","design":"0","reports":"1","forms":{"form_1":1,"form_2":0},"forms_export":{"form_1":0}}]"#;
const DAGS: &str = r#"[{"data_access_group_name":"Test DAG","unique_group_name":"test_dag","data_access_group_id":1}]"#;
/// What imports, deletes and the switch answer: a count.
const COUNT: &str = "1";
/// Errors REDCap sends in the body, with a 200 or another status.
const ERRORS: [&str; 3] = [
    r#"{"error":"You do not have API Import/Update privileges"}"#,
    "ERROR: Invalid DAG",
    r#"<?xml version="1.0" encoding="UTF-8" ?><hash><error>bad &amp; wrong</error></hash>"#,
];

/// One call, named by its `content` and `action`: `"user export"`, `"dag import"`, …
fn call_of(request: &Request) -> String {
    let form: Vec<(String, String)> = form_urlencoded::parse(&request.body).into_owned().collect();
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
            .to_owned()
    };
    format!("{} {}", field("content"), field("action"))
}

/// The correct reply of each call, for a project with alice (in a role and a DAG) and bob.
fn correct(call: &str) -> Reply {
    let body = match call {
        "user export" => USERS,
        "userRoleMapping export" => ROLE_MAPPING,
        "userRole export" => ROLES,
        "dag export" => DAGS,
        _ => COUNT,
    };
    Reply::json(body)
}

fn material(call: &str) -> Material {
    let sample = match call {
        "user export" => USERS,
        "userRoleMapping export" => ROLE_MAPPING,
        "userRole export" => ROLES,
        "dag export" => DAGS,
        _ => COUNT,
    };
    let mut samples = vec![sample];
    samples.extend(ERRORS);
    Material::new(&samples, &[TOKEN, "alice", "test_dag"])
}

/// The project on `server`: `hostile_call` answers `reply`, every other call correctly.
fn answer(server: &HostileServer, hostile_call: &'static str, reply: Reply) {
    server.respond(move |request| {
        let call = call_of(request);
        if call == hostile_call {
            reply.clone()
        } else {
            correct(&call)
        }
    });
}

fn directory(server: &HostileServer) -> RedcapDirectory {
    let mut config =
        RedcapConfig::new(server.url("/api/"), SecretString::from(TOKEN)).with_read_roles(true);
    config.max_response_bytes = CAP;
    RedcapDirectory::new("trial", config).expect("a valid configuration")
}

/// Runs `operation` on a fresh directory for `cases` generated replies of `call`, and checks
/// what it returns.
fn survives<T, F>(call: &'static str, cases: u32, operation: impl Fn(RedcapDirectory) -> F)
where
    T: std::fmt::Debug,
    F: Future<Output = Result<T>>,
{
    survives_judged(call, cases, operation, |outcome, sent| {
        hostile::check(outcome, sent, sent.is_success(), &SECRETS)
    });
}

/// [`survives`], with the outcome judged by `verdict`.
fn survives_judged<T, F>(
    call: &'static str,
    cases: u32,
    operation: impl Fn(RedcapDirectory) -> F,
    verdict: impl Fn(&Result<T>, Sent) -> std::result::Result<(), TestCaseError>,
) where
    T: std::fmt::Debug,
    F: Future<Output = Result<T>>,
{
    hostile::against_replies(
        cases,
        &material(call),
        |server, reply| answer(server, call, reply),
        directory,
        operation,
        verdict,
    );
}

/// Once the user row is written, a failed role step is reported as an Invalid `role` error
/// that says so, keeping whether a repeat may help (a rate limit stays Temporary).
fn role_step_verdict<T: std::fmt::Debug>(
    outcome: &Result<T>,
    sent: Sent,
) -> std::result::Result<(), TestCaseError> {
    match outcome {
        Err(error) if matches!(error.kind(), ErrorKind::Invalid { field: Some(field), .. } if field == "role") =>
        {
            hostile::quotes_no_secret(error, &SECRETS)?;
            let rate_limited = error.to_string().contains("rate limited");
            if sent == Sent::Status(429) && rate_limited && error.class() != ErrorClass::Temporary {
                return Err(TestCaseError::fail(format!(
                    "a rate limit became {error:?}"
                )));
            }
            Ok(())
        }
        _ => hostile::check(outcome, sent, sent.is_success(), &SECRETS),
    }
}

fn carol() -> NewUser {
    NewUser {
        username: Some("carol".into()),
        attributes: [("role".to_owned(), serde_json::json!("U-573AEYRNR8"))]
            .into_iter()
            .collect(),
        ..NewUser::default()
    }
}

fn expire() -> UserPatch {
    UserPatch {
        attributes: [(
            "expiration".to_owned(),
            Change::Set(serde_json::json!("2031-01-01")),
        )]
        .into_iter()
        .collect(),
        ..UserPatch::default()
    }
}

#[test]
fn listing_users_reads_the_user_export() {
    survives("user export", CASES, |site| async move {
        site.list_users(&UserQuery::all()).await
    });
}

#[test]
fn listing_users_reads_the_role_mapping_export() {
    survives("userRoleMapping export", CASES, |site| async move {
        site.list_users(&UserQuery::all()).await
    });
}

#[test]
fn listing_users_reads_the_role_export() {
    survives("userRole export", CASES, |site| async move {
        site.list_users(&UserQuery::all()).await
    });
}

#[test]
fn getting_a_user_reads_the_user_export() {
    survives("user export", CASES, |site| async move {
        site.get_user(&UserKey::Username("alice".into())).await
    });
}

#[test]
fn creating_a_user_reads_the_import_counts() {
    survives("user import", CASES / 2, |site| async move {
        site.create_user(&carol()).await
    });
    survives_judged(
        "userRoleMapping import",
        CASES / 2,
        |site| async move { site.create_user(&carol()).await },
        role_step_verdict,
    );
}

#[test]
fn updating_a_user_reads_the_import_count() {
    survives("user import", CASES, |site| async move {
        site.update_user("bob", &expire()).await
    });
}

#[test]
fn deleting_a_user_reads_the_delete_count() {
    survives("user delete", CASES, |site| async move {
        site.delete_user("bob").await
    });
}

#[test]
fn listing_groups_reads_the_dag_export() {
    survives("dag export", CASES, |site| async move {
        site.list_groups().await
    });
}

#[test]
fn group_writes_read_their_counts() {
    survives("dag import", CASES / 2, |site| async move {
        site.create_group(&NewGroup::named("site_b")).await
    });
    survives("dag delete", CASES / 2, |site| async move {
        site.delete_group("test_dag").await
    });
}

#[test]
fn membership_reads_the_mapping_import_count() {
    survives("userDagMapping import", CASES, |site| async move {
        site.set_membership("test_dag", &["bob".to_owned()], &["alice".to_owned()])
            .await
    });
}

/// A batch reports per item: every item's error is held to the same rules as a call's.
#[test]
fn batches_read_the_import_and_delete_counts() {
    let ops = || {
        vec![
            UserOp::Create(carol()),
            UserOp::Update {
                id: "bob".into(),
                patch: expire(),
            },
            UserOp::Delete { id: "alice".into() },
        ]
    };
    for call in ["user import", "user delete"] {
        survives(call, CASES / 2, |site| async move {
            let results = site.apply_batch(&ops()).await?;
            // The first failed item, so its error meets the same verdict as a call's.
            match results.into_iter().find(|result| result.is_err()) {
                Some(Err(error)) => Err(error),
                _ => Ok(()),
            }
        });
    }
}

#[test]
fn extras_read_their_replies() {
    let quarter = CASES / 4;
    survives("user export", quarter, |site| async move {
        site.export_users_raw(ExportFormat::Csv).await
    });
    survives("userRole export", quarter, |site| async move {
        site.list_roles().await
    });
    survives("userRole import", quarter, |site| async move {
        site.create_role(&NewRole::labelled("Auditor")).await
    });
    survives("userRole delete", quarter, |site| async move {
        site.delete_role("U-573AEYRNR8").await
    });
    survives("userRoleMapping import", quarter, |site| async move {
        site.assign_role("bob", Some("U-573AEYRNR8")).await
    });
    survives("dag import", quarter, |site| async move {
        site.rename_group("test_dag", "Renamed DAG").await
    });
    survives("dag switch", quarter, |site| async move {
        site.switch_dag(Some("test_dag")).await
    });
}

/// Bodies over the cap, whatever their framing, are refused with a Decode error that names
/// the cap, after one request and without being read to the end.
#[test]
fn replies_over_the_cap_are_refused_unread() {
    let runtime = hostile::runtime();
    let server = runtime.block_on(HostileServer::start());
    for (framing, reply) in hostile::oversized(CAP) {
        answer(&server, "user export", reply);
        let before = server.requests();
        let error = runtime
            .block_on(directory(&server).list_users(&UserQuery::all()))
            .expect_err(framing);
        hostile::assert_refused_at_cap(&error, CAP, "max_response_bytes");
        assert_eq!(server.requests() - before, 1, "{framing}");
    }
    runtime.block_on(server.endless_settled());
    assert!(server.endless_started() > 0);
    assert_eq!(
        server.endless_completed(),
        0,
        "an endless body was read whole"
    );
}
