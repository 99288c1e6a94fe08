//! Hostile servers: each AMS endpoint the backend reads is answered with generated malformed,
//! truncated, wrong-typed, deeply nested, long and oversized replies, under every status
//! class, while the other endpoints answer correctly. The backend must never panic, must
//! fail with an error whose kind fits the reply, must quote no secret, and must stop reading
//! a body at `max_response_bytes`.

use std::future::Future;
use std::path::PathBuf;

use proptest::prelude::*;
use roster_ams::{AmsConfig, AmsDirectory, AvatarSource, AvatarStatus};
use roster_core::{
    Change, NewUser, Result, UserDirectory, UserKey, UserKeyKind, UserPatch, UserQuery,
};
use roster_testkit::hostile::{self, HostileServer, Material, Reply, Request, Sent};

const USERNAME: &str = "python.connector";
const PASSWORD: &str = "Pw-hostile-7c1e";
const TOKEN: &str = "Session-hostile-Q3vXk9Pz";
const UPLOAD_TOKEN: &str = "Upload-hostile-5550123";
/// The password of the user [`amy`] creates.
const NEW_PASSWORD: &str = "NewUser-hostile-pw";
/// Everything a reply may echo and an error must never quote: the login password and the
/// tokens of the session.
const SECRETS: [&str; 3] = [PASSWORD, TOKEN, UPLOAD_TOKEN];

/// The size cap of every site in these tests.
const CAP: usize = 64 * 1024;
const CASES: u32 = 64;

const LOGIN: &str = r#"{"isAthlete":true,"isCoach":true,"isAdmin":false,"user":{"active":true,"id":120855,"skypeName":"Upload-hostile-5550123","username":"python.connector"},"applicationId":1044}"#;
const SEARCH_ALL: &str = r#"{"results":[{"search":{},"results":[{"userId":72827,"firstName":"Riley","lastName":"Jones","emailAddress":"riley.jones@newdomain.com","username":"Riley.Jones","uuid":"new123"}]}]}"#;
const SEARCH_BY_NAME: &str = r#"{"results":[{"search":{"username":"Riley.Jones"},"results":[{"userId":72827,"firstName":"Riley","lastName":"Jones","username":"Riley.Jones","groupsAndRoles":{"coachGroups":[{"id":3000,"name":"Mens Squad"}],"athleteGroups":[{"id":4000,"name":"All Accounts"}],"role":[{"id":700,"name":"Athlete"}]},"uuid":"new123"}]}]}"#;
const GROUPS: &str = r#"{"name":["US HPCS","All Accounts","Mens Squad"]}"#;
const RILEY: &str = r#"{"active":true,"admin":false,"sex":"0","avatarId":93831,"id":72827,"organisationId":-1,"ownerId":72788,"emailAddress":"riley.jones@newdomain.com","firstName":"Riley","knownAs":"","language":"English","lastName":"Jones","middleNames":"","sidebarWidth":"250px","skypeName":null,"timezone":null,"username":"Riley.Jones","uuid":"new123","addresses":null,"phoneNumbers":[{"type":1,"countryCode":"1","number":"4567891","prefix":"333"}],"accountExpiration":"01/01/1970","dateOfBirth":"01/12/1990"}"#;
const UPLOAD_STATUS: &str = r#"{"uploadStatus":{"error":false,"message":""},"data":[{"value":{"id":94196,"name":"Riley.Jones_1747654002120.png"}}]}"#;
const RPC_ERROR: &str = r#"{"__is_rpc_exception__":true,"type":"java.lang.IllegalArgumentException","value":{"detailMessage":"Username already exists: amy","cause":null}}"#;
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";

/// The endpoints, named as [`endpoint_of`] names a request.
const LOGIN_USER: &str = "loginUser";
const USERSEARCH_ALL: &str = "usersearch (all)";
const USERSEARCH_NAMED: &str = "usersearch (named)";
const GROUPMEMBERS: &str = "groupmembers";
const LISTGROUPS: &str = "listgroups";
const PERSON_GET: &str = "person/get";
const PERSON_SAVE: &str = "person/save";
const FILEUPLOAD: &str = "fileupload";
const UPLOAD_STATUS_CALL: &str = "getUploadStatus";

fn endpoint_of(request: &Request) -> &'static str {
    let path = request.path();
    let named = [
        ("/api/v2/user/loginUser", LOGIN_USER),
        ("/api/v1/groupmembers", GROUPMEMBERS),
        ("/api/v1/listgroups", LISTGROUPS),
        ("/api/v2/person/get", PERSON_GET),
        ("/api/v2/person/save", PERSON_SAVE),
        ("/x/fileupload", FILEUPLOAD),
        ("/api/v2/fileupload/getUploadStatus", UPLOAD_STATUS_CALL),
    ];
    if path.ends_with("/api/v1/usersearch") {
        return if request.body_text().contains(r#""identification":[]"#) {
            USERSEARCH_ALL
        } else {
            USERSEARCH_NAMED
        };
    }
    named
        .iter()
        .find(|(suffix, _)| path.ends_with(suffix))
        .map_or("unknown", |(_, name)| name)
}

/// The correct reply of each endpoint, for a site with the one user Riley.
fn correct(endpoint: &str) -> Reply {
    let body = match endpoint {
        LOGIN_USER => LOGIN.to_owned(),
        USERSEARCH_ALL | GROUPMEMBERS => SEARCH_ALL.to_owned(),
        USERSEARCH_NAMED => SEARCH_BY_NAME.to_owned(),
        LISTGROUPS => GROUPS.to_owned(),
        PERSON_GET => format!(r#"{{"objects":[{RILEY}],"totalCount":1}}"#),
        PERSON_SAVE => RILEY.to_owned(),
        FILEUPLOAD => String::new(),
        UPLOAD_STATUS_CALL => UPLOAD_STATUS.to_owned(),
        _ => return Reply::new(404, hostile::Body::Sized(Vec::new())),
    };
    Reply::json(body).with_header("session-header", TOKEN)
}

/// Correct samples and the secrets, for generating the replies of `endpoint`.
fn material(endpoint: &str) -> Material {
    let Reply { body, .. } = correct(endpoint);
    let hostile::Body::Sized(sample) = body else {
        unreachable!("correct replies are sized")
    };
    let sample = String::from_utf8(sample).expect("samples are text");
    let mut words = SECRETS.to_vec();
    words.extend([NEW_PASSWORD, "Riley.Jones"]);
    Material::new(&[&sample, RPC_ERROR], &words)
}

/// The site on `server`: `hostile_endpoint` answers `reply` (with the session header, so a
/// hostile login reply is read), every other endpoint answers correctly.
fn answer(server: &HostileServer, hostile_endpoint: &'static str, reply: Reply) {
    let reply = reply.with_header("session-header", TOKEN);
    server.respond(move |request| match endpoint_of(request) {
        endpoint if endpoint == hostile_endpoint => reply.clone(),
        endpoint => correct(endpoint),
    });
}

fn directory(server: &HostileServer) -> AmsDirectory {
    let mut config = AmsConfig::new(server.url("/ankle"), USERNAME, PASSWORD.into());
    config.max_response_bytes = CAP as u64;
    AmsDirectory::new("club", config).expect("a valid configuration")
}

/// Runs `operation` on a fresh site for each generated reply of `endpoint`, and checks what
/// it returns.
fn survives<T, F>(endpoint: &'static str, operation: impl Fn(AmsDirectory) -> F)
where
    T: std::fmt::Debug,
    F: Future<Output = Result<T>>,
{
    survives_keeping(endpoint, &SECRETS, operation);
}

/// [`survives`], with the secrets the operation itself holds.
fn survives_keeping<T, F>(
    endpoint: &'static str,
    secrets: &[&str],
    operation: impl Fn(AmsDirectory) -> F,
) where
    T: std::fmt::Debug,
    F: Future<Output = Result<T>>,
{
    hostile::against_replies(
        CASES,
        &material(endpoint),
        |server, reply| answer(server, endpoint, reply),
        directory,
        operation,
        |outcome, sent| hostile::check(outcome, sent, sent.is_success(), secrets),
    );
}

fn amy() -> NewUser {
    NewUser {
        username: Some("amy".into()),
        email: Some("amy@example.com".into()),
        first_name: Some("Amy".into()),
        last_name: Some("Ng".into()),
        password: Some(NEW_PASSWORD.into()),
        attributes: [("dob".to_owned(), serde_json::json!("1999-09-09"))]
            .into_iter()
            .collect(),
        ..NewUser::default()
    }
}

fn rename() -> UserPatch {
    UserPatch {
        first_name: Change::Set("Rylee".into()),
        ..UserPatch::default()
    }
}

/// A login reply is read before its upload token is known, so only the password and the
/// session header's token are known secrets then.
#[test]
fn login_replies() {
    survives_keeping(LOGIN_USER, &[PASSWORD, TOKEN], |site| async move {
        site.list_groups().await
    });
}

#[test]
fn listing_every_user_reads_usersearch() {
    survives(USERSEARCH_ALL, |site| async move {
        site.list_users(&UserQuery::all()).await
    });
}

#[test]
fn listing_every_user_reads_person_records() {
    survives(PERSON_GET, |site| async move {
        site.list_users(&UserQuery::all()).await
    });
}

#[test]
fn listing_every_user_reads_memberships() {
    survives(USERSEARCH_NAMED, |site| async move {
        site.list_users(&UserQuery::all()).await
    });
}

#[test]
fn listing_a_group_reads_groupmembers() {
    survives(GROUPMEMBERS, |site| async move {
        site.group_members("Mens Squad").await
    });
}

#[test]
fn listing_groups_reads_listgroups() {
    survives(LISTGROUPS, |site| async move { site.list_groups().await });
}

#[test]
fn getting_a_user_by_id_reads_person_get() {
    survives(PERSON_GET, |site| async move {
        site.get_user(&UserKey::Id("72827".into())).await
    });
}

#[test]
fn getting_a_user_by_username_reads_usersearch() {
    survives(USERSEARCH_NAMED, |site| async move {
        site.get_user(&UserKey::Username("Riley.Jones".into()))
            .await
    });
}

#[test]
fn creating_a_user_reads_the_save_reply() {
    let secrets = [PASSWORD, TOKEN, UPLOAD_TOKEN, NEW_PASSWORD];
    survives_keeping(PERSON_SAVE, &secrets, |site| async move {
        site.create_user(&amy()).await
    });
}

#[test]
fn updating_a_user_reads_the_record_first() {
    survives(PERSON_GET, |site| async move {
        site.update_user("72827", &rename()).await
    });
}

#[test]
fn updating_a_user_reads_the_save_reply() {
    survives(PERSON_SAVE, |site| async move {
        site.update_user("72827", &rename()).await
    });
}

/// Avatar uploads report failures per file: a hostile upload or status reply must fail that
/// file's row (unless it is a 2xx the flow can use) without quoting a secret.
#[test]
fn avatar_uploads_read_the_upload_and_status_replies() {
    let scratch = tempfile::tempdir().expect("a scratch directory");
    let file: PathBuf = scratch.path().join("Riley.Jones.png");
    std::fs::write(&file, PNG).expect("a scratch file");
    let runtime = hostile::runtime();
    let server = runtime.block_on(HostileServer::start());
    for endpoint in [FILEUPLOAD, UPLOAD_STATUS_CALL] {
        hostile::explore(CASES / 2, hostile::reply(&material(endpoint)), |reply| {
            let sent = Sent::of(&reply);
            answer(&server, endpoint, reply);
            let source = AvatarSource::Mapping(vec![("Riley.Jones".into(), file.clone())]);
            let rows = runtime
                .block_on(directory(&server).upload_avatars(source, UserKeyKind::Username))
                .map_err(|error| TestCaseError::fail(format!("{error}")))?;
            let text = format!("{rows:?}");
            for secret in SECRETS {
                prop_assert!(!text.contains(secret), "a row quotes {secret}: {text}");
            }
            if !sent.is_success() {
                prop_assert_eq!(rows[0].status, AvatarStatus::Failed, "{:?}", sent);
            }
            Ok(())
        });
    }
}

/// Bodies over the cap, whatever their framing, are refused with a Decode error that names
/// the cap, after one request and without being read to the end.
#[test]
fn replies_over_the_cap_are_refused_unread() {
    let runtime = hostile::runtime();
    let server = runtime.block_on(HostileServer::start());
    for endpoint in [LOGIN_USER, USERSEARCH_ALL] {
        for (framing, reply) in hostile::oversized(CAP) {
            answer(&server, endpoint, reply);
            let before = server.requests();
            let error = runtime
                .block_on(directory(&server).list_users(&UserQuery::all()))
                .expect_err(framing);
            hostile::assert_refused_at_cap(&error, CAP, "max_response_bytes");
            let expected = if endpoint == LOGIN_USER { 1 } else { 2 };
            assert_eq!(server.requests() - before, expected, "{endpoint} {framing}");
        }
    }
    runtime.block_on(server.endless_settled());
    assert!(server.endless_started() > 0);
    assert_eq!(
        server.endless_completed(),
        0,
        "an endless body was read whole"
    );
    assert!(server.endless_bytes() < hostile::ENDLESS_CEILING);
}
