//! Hostile servers: each LumApps call the backend reads (the token endpoint, user and feed
//! listings, lookups, saves, deletes and membership) is answered with generated malformed,
//! truncated, wrong-typed, deeply nested, long and oversized replies, under every status
//! class, while the other calls answer correctly. The backend must never panic, must fail
//! with an error whose kind fits the reply, must never quote a secret, and must stop reading
//! a body at `max_body_bytes`.

use std::future::Future;

use proptest::test_runner::TestCaseError;
use roster_core::{
    Change, ErrorKind, NewGroup, NewUser, Result, UserDirectory, UserKey, UserPatch, UserQuery,
};
use roster_testkit::hostile::{self, HostileServer, Material, Reply, Request, Sent};
use roster_usersave::{UsersaveConfig, UsersaveDirectory};

const CUSTOMER: &str = "4664706704080896";
const CLIENT_SECRET: &str = "client-secret-hostile-77";
const ACCESS_TOKEN: &str = "access-token-hostile-42";
/// The password of the user [`bo`] creates.
const NEW_PASSWORD: &str = "NewUser-hostile-pw";
/// What no error may quote: the client secret and the token it buys.
const SECRETS: [&str; 2] = [CLIENT_SECRET, ACCESS_TOKEN];
const PREFIX: &str = "/_ah/api/lumsites/v1/";
const CAP: usize = 64 * 1024;
const CASES: u32 = 64;

const ANN: &str = r#"{"id":"5678","uid":"5678","email":"ann@acme.com","firstName":"Ann","lastName":"Lee","fullName":"Ann Lee","accountType":"external","status":"enabled","isHidden":false}"#;
const SALES: &str = r#"{"id":"7","uid":"7","name":"Sales","type":"9","functionalInnerId":"sales","heritable":true,"status":"enabled"}"#;
const ALL: &str = r#"{"id":"1","uid":"1","name":"ALL","functionalInnerId":"LUMAPPS_ALL"}"#;
const FEED_TYPES: &str = r#"{"items":[{"id":"9","uid":"9","name":"Groups","customer":"4664706704080896"}],"more":false}"#;
const NOT_FOUND: &str = r#"{"error":{"code":404,"errors":[{"domain":"global","message":"User not found: bo@acme.com","reason":"notFound"}],"message":"User not found: bo@acme.com"}}"#;

/// One call: `"token"`, or the API path after the prefix (`"user/list"`, `"feed/save"`, …).
fn call_of(request: &Request) -> String {
    let path = request.path();
    if path.ends_with("/application-token") {
        return "token".to_owned();
    }
    path.strip_prefix(PREFIX).unwrap_or(path).to_owned()
}

/// The correct reply of each call, for an organization with Ann in Sales. Only Ann exists:
/// a lookup of anyone else is a 404.
fn correct(call: &str, request: &Request) -> Reply {
    let listing = |items: &[&str]| format!(r#"{{"items":[{}],"more":false}}"#, items.join(","));
    let body = match call {
        "token" => format!(r#"{{"access_token":"{ACCESS_TOKEN}","expires_in":3600}}"#),
        "user/list" => listing(&[ANN]),
        "user/get" if request.query().contains("bo%40acme.com") => {
            return Reply::new(404, hostile::Body::Sized(NOT_FOUND.into()))
                .with_header("content-type", "application/json")
        }
        "user/get" | "user/save" => ANN.to_owned(),
        "feed/list" => listing(&[SALES, ALL]),
        "feed/get" | "feed/save" => SALES.to_owned(),
        "feedtype/list" => FEED_TYPES.to_owned(),
        "feed/user/subscription/list" => listing(&[SALES]),
        // Deletes and membership saves answer nothing.
        _ => String::new(),
    };
    Reply::json(body)
}

fn material(call: &str) -> Material {
    let sample = match call {
        "token" => format!(r#"{{"access_token":"{ACCESS_TOKEN}","expires_in":3600}}"#),
        "user/list" => format!(r#"{{"items":[{ANN}],"more":true,"cursor":"c2"}}"#),
        "user/get" | "user/save" => ANN.to_owned(),
        "feed/list" => format!(r#"{{"items":[{SALES},{ALL}],"more":false}}"#),
        "feed/get" | "feed/save" => SALES.to_owned(),
        "feedtype/list" => FEED_TYPES.to_owned(),
        "feed/user/subscription/list" => format!(r#"{{"items":[{SALES}]}}"#),
        _ => String::new(),
    };
    let mut words = SECRETS.to_vec();
    words.extend([NEW_PASSWORD, "ann@acme.com", "RATE_LIMIT_EXCEEDED"]);
    Material::new(&[&sample, NOT_FOUND], &words)
}

/// The organization on `server`: `hostile_call` answers `reply`, every other call correctly.
fn answer(server: &HostileServer, hostile_call: &'static str, reply: Reply) {
    server.respond(move |request| {
        let call = call_of(request);
        if call == hostile_call {
            reply.clone()
        } else {
            correct(&call, request)
        }
    });
}

fn directory(server: &HostileServer) -> UsersaveDirectory {
    let mut config = UsersaveConfig::lumapps(
        server.base_url(),
        CUSTOMER,
        "client",
        CLIENT_SECRET,
        "admin@acme.com",
    );
    config.max_body_bytes = Some(CAP);
    UsersaveDirectory::new("intranet", config).expect("a valid configuration")
}

/// Runs `operation` on a fresh directory for `cases` generated replies of `call`, and checks
/// what it returns, with `secrets` kept out of errors. A 404 may be an answer too: lookups
/// read it as "no such user", and a delete as "already gone".
fn survives_keeping<T, F>(
    call: &'static str,
    cases: u32,
    secrets: &[&str],
    operation: impl Fn(UsersaveDirectory) -> F,
) where
    T: std::fmt::Debug,
    F: Future<Output = Result<T>>,
{
    survives_judged(call, cases, operation, |outcome, sent| {
        let ok_allowed = sent.is_success() || sent == Sent::Status(404);
        hostile::check(outcome, sent, ok_allowed, secrets)
    });
}

/// Runs `operation` as [`survives_keeping`] does, with the outcome judged by `verdict`.
fn survives_judged<T, F>(
    call: &'static str,
    cases: u32,
    operation: impl Fn(UsersaveDirectory) -> F,
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

fn survives<T, F>(call: &'static str, cases: u32, operation: impl Fn(UsersaveDirectory) -> F)
where
    T: std::fmt::Debug,
    F: Future<Output = Result<T>>,
{
    survives_keeping(call, cases, &SECRETS, operation);
}

fn bo() -> NewUser {
    NewUser {
        email: Some("bo@acme.com".into()),
        first_name: Some("Bo".into()),
        password: Some(NEW_PASSWORD.into()),
        groups: ["Sales".to_owned()].into_iter().collect(),
        ..NewUser::default()
    }
}

fn rename() -> UserPatch {
    UserPatch {
        first_name: Change::Set("Anne".into()),
        ..UserPatch::default()
    }
}

#[test]
fn token_replies() {
    // The token itself is what this reply carries: only the client secret is known before.
    survives_keeping("token", CASES, &[CLIENT_SECRET], |site| async move {
        site.list_groups().await
    });
}

#[test]
fn listing_users_reads_every_page() {
    survives("user/list", CASES, |site| async move {
        site.list_users(&UserQuery::all()).await
    });
}

#[test]
fn listing_users_reads_the_feeds() {
    survives("feed/list", CASES, |site| async move {
        site.list_users(&UserQuery::all()).await
    });
}

#[test]
fn getting_a_user_reads_the_lookup_and_the_subscriptions() {
    survives("user/get", CASES / 2, |site| async move {
        site.get_user(&UserKey::Email("ann@acme.com".into())).await
    });
    survives(
        "feed/user/subscription/list",
        CASES / 2,
        |site| async move { site.get_user(&UserKey::Id("5678".into())).await },
    );
}

#[test]
fn creating_a_user_reads_the_save_reply() {
    let secrets = [CLIENT_SECRET, ACCESS_TOKEN, NEW_PASSWORD];
    survives_keeping("user/save", CASES, &secrets, |site| async move {
        site.create_user(&bo()).await
    });
}

#[test]
fn updating_a_user_reads_the_record_and_the_save_reply() {
    for call in ["user/get", "user/save"] {
        survives(call, CASES / 2, |site| async move {
            site.update_user("5678", &rename()).await
        });
    }
}

#[test]
fn listing_groups_reads_every_page() {
    survives("feed/list", CASES, |site| async move {
        site.list_groups().await
    });
}

/// Without a configured group type, a create looks for the site's only one; a listing that
/// shows none, or several, is the configuration's to settle, and says so.
fn group_type_verdict<T: std::fmt::Debug>(
    outcome: &Result<T>,
    sent: Sent,
) -> std::result::Result<(), TestCaseError> {
    match outcome {
        Err(error)
            if sent.is_success()
                && matches!(error.kind(), ErrorKind::Config { message } if message.starts_with("group_type")) =>
        {
            hostile::quotes_no_secret(error, &SECRETS)
        }
        _ => hostile::check(outcome, sent, sent.is_success(), &SECRETS),
    }
}

#[test]
fn group_writes_read_their_replies() {
    survives_judged(
        "feedtype/list",
        CASES / 4,
        |site| async move { site.create_group(&NewGroup::named("Support")).await },
        group_type_verdict,
    );
    survives("feed/save", CASES / 4, |site| async move {
        site.create_group(&NewGroup::named("Support")).await
    });
    survives("feed/delete", CASES / 4, |site| async move {
        site.delete_group("Sales").await
    });
    survives("feed/get", CASES / 4, |site| async move {
        site.rename_group("Sales", "Revenue").await
    });
}

#[test]
fn membership_reads_the_batch_reply() {
    survives("feed/subscribers/save", CASES, |site| async move {
        site.set_membership("Sales", &["5678".to_owned()], &["9999".to_owned()])
            .await
    });
}

/// Bodies over the cap, whatever their framing, are refused with a Decode error that names
/// the cap, after one request and without being read to the end.
#[test]
fn replies_over_the_cap_are_refused_unread() {
    let runtime = hostile::runtime();
    let server = runtime.block_on(HostileServer::start());
    for call in ["token", "feed/list"] {
        for (framing, reply) in hostile::oversized(CAP) {
            answer(&server, call, reply);
            let before = server.requests();
            let error = runtime
                .block_on(directory(&server).list_groups())
                .expect_err(framing);
            hostile::assert_refused_at_cap(&error, CAP, "max_body_bytes");
            let expected = if call == "token" { 1 } else { 2 };
            assert_eq!(server.requests() - before, expected, "{call} {framing}");
        }
    }
    runtime.block_on(server.endless_settled());
    assert!(server.endless_started() > 0);
    assert_eq!(
        server.endless_completed(),
        0,
        "an endless body was read whole"
    );
}
