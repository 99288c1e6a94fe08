//! Hostile servers: each Periscope call the backend reads (user and group lists, lookups and
//! writes) is answered with generated malformed, truncated, wrong-typed, deeply nested, long
//! and oversized replies, under every status class, while the other calls answer correctly.
//! The backend must never panic, must fail with an error whose kind fits the reply, must never
//! quote the API key, and must stop reading a body at `max_body_bytes`.

use std::future::Future;

use roster_core::{
    Change, NewGroup, NewUser, Result, SecretString, UserDirectory, UserKey, UserOp, UserPatch,
    UserQuery,
};
use roster_periscope::{GroupUpdate, PeriscopeConfig, PeriscopeDirectory};
use roster_testkit::hostile::{self, HostileServer, Material, Reply, Request, Sent};

const SITE_NAME: &str = "example_site";
const API_KEY: &str = "k-hostile-0123-very-secret";
const SECRETS: [&str; 1] = [API_KEY];
const ADMIN: &str = "admin@example.com";
const CAP: usize = 64 * 1024;
const CASES: u32 = 64;

const ANN: &str = r#"{"email":"ann@example.com","first_name":"Ann","last_name":"Lee","groups":["All Users","Analysts"]}"#;
const USERS: &str = r#"{"users":[{"email":"admin@example.com","first_name":"Ada","last_name":"Admin","groups":["Administrators","All Users"]},{"email":"ann@example.com","first_name":"Ann","last_name":"Lee","groups":["All Users","Analysts"]}],"next_page_start":null}"#;
/// A listing without groups, so a group query reads each user alone.
const USERS_WITHOUT_GROUPS: &str =
    r#"[{"email":"ann@example.com","first_name":"Ann","last_name":"Lee"}]"#;
const GROUPS: &str = r#"{"groups":[{"name":"Administrators","access":"SQL"},{"name":"All Users","access":"SQL"},{"name":"Analysts","access":"View"}]}"#;
const ANALYSTS: &str = r#"{"name":"Analysts","access":"View"}"#;
const NOT_FOUND: &str = r#"{"error":"User not found: ann@example.com"}"#;

/// One call, named by method and resource: `"GET users"`, `"GET user"` (a lookup with
/// `HTTP-X-EMAIL`), `"PUT users"`, `"PUT group"` (a named group), …
fn call_of(request: &Request) -> String {
    let path = request.path();
    let resource = if path == "/api/v1/users" {
        if request.method == "GET" && request.header("HTTP-X-EMAIL").is_some() {
            "user"
        } else {
            "users"
        }
    } else if path == "/api/v1/groups" {
        "groups"
    } else if path.starts_with("/api/v1/groups/") {
        "group"
    } else {
        "unknown"
    };
    format!("{} {resource}", request.method)
}

/// How the correct site answers writes: with the entity written, or without it (the real
/// answer bodies are unknown), so that the backend reads the entity back.
#[derive(Clone, Copy)]
enum Writes {
    Echo,
    Terse,
}

fn correct(call: &str, writes: Writes, users: &'static str) -> Reply {
    let body = match (call, writes) {
        ("GET users", _) => users,
        ("GET user", _) => ANN,
        ("GET groups", _) => GROUPS,
        ("GET group", _) => ANALYSTS,
        ("POST users" | "PUT users", Writes::Echo) => ANN,
        ("POST groups" | "PUT group", Writes::Echo) => ANALYSTS,
        _ => r#"{"success":true}"#,
    };
    Reply::json(body)
}

fn material(call: &str) -> Material {
    let sample = correct(call, Writes::Echo, USERS);
    let hostile::Body::Sized(sample) = sample.body else {
        unreachable!("correct replies are sized")
    };
    let sample = String::from_utf8(sample).expect("samples are text");
    Material::new(
        &[&sample, NOT_FOUND, ANN],
        &[API_KEY, SITE_NAME, "ann@example.com", "All Users"],
    )
}

/// The site on `server`: `hostile_call` answers `reply`, every other call correctly.
fn answer(
    server: &HostileServer,
    hostile_call: &'static str,
    reply: Reply,
    writes: Writes,
    users: &'static str,
) {
    server.respond(move |request| {
        let call = call_of(request);
        if call == hostile_call {
            reply.clone()
        } else {
            correct(&call, writes, users)
        }
    });
}

fn directory(server: &HostileServer) -> PeriscopeDirectory {
    let mut config = PeriscopeConfig::new(SITE_NAME, SecretString::from(API_KEY));
    config.base_url = server.base_url().to_owned();
    config.invited_by_email = Some(ADMIN.into());
    config.created_by_email = Some(ADMIN.into());
    config.default_group_access = Some("View".into());
    config.max_body_bytes = CAP;
    PeriscopeDirectory::new("bi", config).expect("a valid configuration")
}

/// What the site around the hostile call looks like.
#[derive(Clone, Copy)]
struct Around {
    writes: Writes,
    users: &'static str,
}

const ECHOING: Around = Around {
    writes: Writes::Echo,
    users: USERS,
};

/// Runs `operation` on a fresh directory for `cases` generated replies of `call`, and checks
/// what it returns. A 404 may be an answer too: lookups read it as "no such user".
fn survives<T, F>(
    call: &'static str,
    around: Around,
    cases: u32,
    operation: impl Fn(PeriscopeDirectory) -> F,
) where
    T: std::fmt::Debug,
    F: Future<Output = Result<T>>,
{
    hostile::against_replies(
        cases,
        &material(call),
        |server, reply| answer(server, call, reply, around.writes, around.users),
        directory,
        operation,
        |outcome, sent| {
            let ok_allowed = sent.is_success() || sent == Sent::Status(404);
            hostile::check(outcome, sent, ok_allowed, &SECRETS)
        },
    );
}

fn bo() -> NewUser {
    NewUser {
        email: Some("bo@example.com".into()),
        first_name: Some("Bo".into()),
        groups: ["Analysts".to_owned()].into_iter().collect(),
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
fn listing_users_reads_every_page() {
    survives("GET users", ECHOING, CASES, |site| async move {
        site.list_users(&UserQuery::all()).await
    });
}

#[test]
fn listing_group_members_reads_each_user() {
    let around = Around {
        writes: Writes::Echo,
        users: USERS_WITHOUT_GROUPS,
    };
    survives("GET user", around, CASES, |site| async move {
        site.list_users(&UserQuery::all().with("group", "Analysts"))
            .await
    });
}

#[test]
fn getting_a_user_reads_the_lookup() {
    survives("GET user", ECHOING, CASES, |site| async move {
        site.get_user(&UserKey::Email("ann@example.com".into()))
            .await
    });
}

#[test]
fn creating_a_user_reads_the_answer_or_reads_back() {
    survives("POST users", ECHOING, CASES / 2, |site| async move {
        site.create_user(&bo()).await
    });
    let terse = Around {
        writes: Writes::Terse,
        users: USERS,
    };
    survives("GET user", terse, CASES / 2, |site| async move {
        site.create_user(&bo()).await
    });
}

#[test]
fn updating_a_user_reads_the_answer() {
    survives("PUT users", ECHOING, CASES, |site| async move {
        site.update_user("ann@example.com", &rename()).await
    });
}

#[test]
fn deleting_a_user_reads_the_answer() {
    survives("DELETE users", ECHOING, CASES, |site| async move {
        site.delete_user("ann@example.com").await
    });
}

#[test]
fn listing_groups_reads_every_page() {
    survives("GET groups", ECHOING, CASES, |site| async move {
        site.list_groups().await
    });
}

#[test]
fn group_writes_read_their_answers() {
    survives("POST groups", ECHOING, CASES / 2, |site| async move {
        site.create_group(&NewGroup::named("Auditors")).await
    });
    survives("DELETE group", ECHOING, CASES / 2, |site| async move {
        site.delete_group("Analysts").await
    });
}

#[test]
fn membership_reads_the_user_before_and_after_writing() {
    for call in ["GET user", "PUT users"] {
        survives(call, ECHOING, CASES / 2, |site| async move {
            site.set_membership("Reviewers", &["ann@example.com".to_owned()], &[])
                .await
        });
    }
}

#[test]
fn extras_read_their_answers() {
    survives("GET group", ECHOING, CASES / 4, |site| async move {
        site.get_group("Analysts").await
    });
    let update = GroupUpdate {
        name: Some("Analysts 2".into()),
        access: Some("SQL".into()),
    };
    survives("PUT group", ECHOING, CASES / 4, |site| {
        let update = update.clone();
        async move { site.update_group("Analysts", &update).await }
    });
    survives("POST users", ECHOING, CASES / 4, |site| async move {
        site.validate(&UserOp::Create(bo())).await
    });
}

/// Bodies over the cap, whatever their framing, are refused with a Decode error that names
/// the cap, after one request and without being read to the end.
#[test]
fn replies_over_the_cap_are_refused_unread() {
    let runtime = hostile::runtime();
    let server = runtime.block_on(HostileServer::start());
    for (framing, reply) in hostile::oversized(CAP) {
        answer(&server, "GET users", reply, Writes::Echo, USERS);
        let before = server.requests();
        let error = runtime
            .block_on(directory(&server).list_users(&UserQuery::all()))
            .expect_err(framing);
        hostile::assert_refused_at_cap(&error, CAP, "max_body_bytes");
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
