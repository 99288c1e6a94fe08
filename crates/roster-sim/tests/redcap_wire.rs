//! Raw-HTTP tests of the REDCap simulator against the REDCap spec (§1, §2 and the simulator
//! contract, §6). The PyCap script of §7.2 runs separately (tests/conformance).

use std::collections::BTreeMap;

use reqwest::header::CONTENT_TYPE;
use reqwest::StatusCode;
use roster_sim::redcap::{
    ProjectStatus, RedcapSeed, RedcapSim, RedcapState, SeedAccount, SeedDag, SeedProject, SeedRole,
    SeedUser, ADMIN_TOKEN,
};
use roster_sim::{FaultKind, FaultOptions, SimHandle, SimOptions};
use serde_json::{json, Value};

const ADMIN: &str = ADMIN_TOKEN;
const DAGGED: &str = "D0000000000000000000000000000000";
const NO_EXPORT: &str = "E0000000000000000000000000000000";
const NO_IMPORT: &str = "F0000000000000000000000000000001";
const READ_ONLY_RIGHTS: &str = "A0000000000000000000000000000002";
const NO_DELETE: &str = "B0000000000000000000000000000003";
const NO_DAG_RIGHT: &str = "C0000000000000000000000000000004";
const SUPER_EXPIRED: &str = "C0000000000000000000000000000005";
const SUSPENDED: &str = "C0000000000000000000000000000006";
const EXPIRED: &str = "C0000000000000000000000000000007";

fn rights(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

const FULL: &[(&str, i64)] = &[
    ("user_rights", 1),
    ("data_access_groups", 1),
    ("api_export", 1),
    ("api_import", 1),
    ("record_delete", 1),
    ("design", 1),
];

fn seed_user(username: &str, token: Option<&str>, pairs: &[(&str, i64)]) -> SeedUser {
    SeedUser {
        username: username.into(),
        token: token.map(str::to_owned),
        dag: None,
        role: None,
        expiration: String::new(),
        rights: rights(pairs),
        forms: BTreeMap::new(),
        forms_export: BTreeMap::new(),
        dag_switcher: Vec::new(),
    }
}

fn account(username: &str, email: &str, first: &str) -> SeedAccount {
    SeedAccount {
        username: username.into(),
        email: email.into(),
        firstname: first.into(),
        lastname: "Tester".into(),
        super_user: false,
        suspended: false,
    }
}

/// A small project with one token per privilege case.
fn test_seed() -> RedcapSeed {
    let mut accounts = vec![
        account("admin", "ad/min@example.org", "Ada"),
        account("alice", "alice@example.org", "Zoë"),
        account("bob", "bob@example.org", "Bob"),
        account("carol", "carol@example.org", "Carol"),
    ];
    let mut superuser = account("root", "root@example.org", "Root");
    superuser.super_user = true;
    accounts.push(superuser);
    let mut suspended = account("gone", "gone@example.org", "Gone");
    suspended.suspended = true;
    accounts.push(suspended);
    let mut admin = seed_user("admin", Some(ADMIN), FULL);
    admin.dag_switcher = vec![None, Some("site_a".into())];
    let mut alice = seed_user("alice", None, &[]);
    alice.role = Some("U-573AEYRNR8".into());
    alice.dag = Some("site_a".into());
    let mut bob = seed_user("bob", None, &[("reports", 1)]);
    bob.forms = rights(&[("form_1", 1)]);
    let mut dagged = seed_user("dagged", Some(DAGGED), FULL);
    dagged.dag = Some("site_a".into());
    let mut root = seed_user("root", Some(SUPER_EXPIRED), FULL);
    root.expiration = "2000-01-01".into();
    let mut expired = seed_user("late", Some(EXPIRED), FULL);
    expired.expiration = "2026-01-15".into();
    let role_rights = [("reports".to_owned(), json!(1))].into();
    RedcapSeed {
        version: None,
        today: Some("2026-01-15".into()),
        rng_seed: 42,
        dag_id_start: 1,
        api_enabled: true,
        role_update_resets_rights: true,
        accounts,
        projects: vec![SeedProject {
            forms: vec!["form_1".into(), "form_2".into()],
            features: Default::default(),
            status: ProjectStatus::Normal,
            dags: vec![
                SeedDag {
                    id: 7,
                    label: "Site A".into(),
                },
                SeedDag {
                    id: 8,
                    label: "Clinic/Ward".into(),
                },
            ],
            roles: vec![SeedRole {
                unique_role_name: "U-573AEYRNR8".into(),
                label: "Example Role".into(),
                rights: role_rights,
                forms: rights(&[("form_1", 1)]),
                forms_export: BTreeMap::new(),
            }],
            users: vec![
                admin,
                alice,
                bob,
                dagged,
                root,
                expired,
                seed_user(
                    "noexport",
                    Some(NO_EXPORT),
                    &[("api_import", 1), ("user_rights", 1)],
                ),
                seed_user(
                    "noimport",
                    Some(NO_IMPORT),
                    &[
                        ("api_export", 1),
                        ("user_rights", 1),
                        ("data_access_groups", 1),
                    ],
                ),
                seed_user(
                    "readonly",
                    Some(READ_ONLY_RIGHTS),
                    &[
                        ("api_export", 1),
                        ("api_import", 1),
                        ("user_rights", 2),
                        ("record_delete", 1),
                    ],
                ),
                seed_user(
                    "nodelete",
                    Some(NO_DELETE),
                    &[("api_export", 1), ("api_import", 1), ("user_rights", 1)],
                ),
                seed_user(
                    "nodag",
                    Some(NO_DAG_RIGHT),
                    &[("api_export", 1), ("api_import", 1), ("user_rights", 1)],
                ),
                seed_user("gone", Some(SUSPENDED), FULL),
            ],
        }],
    }
}

async fn start_with(seed: RedcapSeed, version: Option<&str>) -> SimHandle<RedcapState> {
    RedcapSim::start_with_seed(
        SimOptions {
            version: version.map(str::to_owned),
            ..SimOptions::default()
        },
        seed,
    )
    .await
    .expect("sim starts")
}

async fn start() -> SimHandle<RedcapState> {
    start_with(test_seed(), None).await
}

struct Reply {
    status: StatusCode,
    content_type: String,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

async fn call(sim: &SimHandle<RedcapState>, fields: &[(&str, &str)]) -> Reply {
    let response = reqwest::Client::new()
        .post(sim.credentials().api_url)
        .form(fields)
        .send()
        .await
        .expect("request sent");
    Reply {
        status: response.status(),
        content_type: response
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default(),
        body: response.text().await.unwrap(),
    }
}

async fn export(sim: &SimHandle<RedcapState>, content: &str) -> Value {
    let reply = call(
        sim,
        &[("token", ADMIN), ("content", content), ("format", "json")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

async fn import(sim: &SimHandle<RedcapState>, content: &str, data: Value) -> Reply {
    call(
        sim,
        &[
            ("token", ADMIN),
            ("content", content),
            ("returnFormat", "json"),
            ("format", "json"),
            ("action", "import"),
            ("data", &data.to_string()),
        ],
    )
    .await
}

/// A `format=json` export of `content` as `token`, without checking the answer.
async fn export_as(sim: &SimHandle<RedcapState>, token: &str, content: &str) -> Reply {
    call(
        sim,
        &[("token", token), ("content", content), ("format", "json")],
    )
    .await
}

/// A `format=csv` export of `content` as the admin.
async fn export_csv(sim: &SimHandle<RedcapState>, content: &str) -> Reply {
    call(
        sim,
        &[("token", ADMIN), ("content", content), ("format", "csv")],
    )
    .await
}

/// `token`, `content`, `format=json` and `data`, with neither `action` nor `returnFormat`.
async fn send_data(sim: &SimHandle<RedcapState>, token: &str, content: &str, data: &str) -> Reply {
    call(
        sim,
        &[
            ("token", token),
            ("content", content),
            ("format", "json"),
            ("data", data),
        ],
    )
    .await
}

/// Like `send_data`, plus `returnFormat=json` (an import without the `action` field).
async fn import_as(sim: &SimHandle<RedcapState>, token: &str, content: &str, data: &str) -> Reply {
    call(
        sim,
        &[
            ("token", token),
            ("content", content),
            ("format", "json"),
            ("returnFormat", "json"),
            ("data", data),
        ],
    )
    .await
}

/// An `action=delete` of `content` as `token` with `format=json` (no `returnFormat`), one `item`.
async fn delete_as(
    sim: &SimHandle<RedcapState>,
    token: &str,
    content: &str,
    item: (&str, &str),
) -> Reply {
    call(
        sim,
        &[
            ("token", token),
            ("content", content),
            ("action", "delete"),
            ("format", "json"),
            item,
        ],
    )
    .await
}

/// An admin `action=delete` of `content` with `returnFormat=json`, then the `items` fields.
async fn delete(sim: &SimHandle<RedcapState>, content: &str, items: &[(&str, &str)]) -> Reply {
    let mut fields = vec![
        ("token", ADMIN),
        ("content", content),
        ("action", "delete"),
        ("returnFormat", "json"),
    ];
    fields.extend_from_slice(items);
    call(sim, &fields).await
}

/// The row of `username` in a JSON user export.
fn find_user<'a>(users: &'a Value, username: &str) -> &'a Value {
    users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .unwrap()
}

fn error(message: &str) -> String {
    json!({ "error": message }).to_string().replace('/', "\\/")
}

fn assert_error(reply: &Reply, status: StatusCode, message: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.body, error(message));
    assert_eq!(reply.content_type, "application/json; charset=utf-8");
}

const JSON: &str = "application/json; charset=utf-8";
const XML: &str = "text/xml; charset=utf-8";

#[tokio::test]
async fn transport_method_path_and_tokens() {
    let sim = start().await;
    let url = sim.credentials().api_url;
    let reply = reqwest::get(format!("{url}?format=json")).await.unwrap();
    assert_eq!(reply.status(), StatusCode::NOT_IMPLEMENTED);
    assert_eq!(
        reply.text().await.unwrap(),
        r#"{"error":"The requested method is not implemented."}"#
    );
    let reply = reqwest::Client::new()
        .post(url.replace("/api/", "/other/"))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::NOT_FOUND);
    // Missing, malformed and unknown tokens: 403, wrapped per returnFormat (default xml).
    for token in ["", "abc!", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", SUSPENDED] {
        let reply = export_as(&sim, token, "user").await;
        assert_error(
            &reply,
            StatusCode::FORBIDDEN,
            "You do not have permissions to use the API",
        );
    }
    let reply = call(&sim, &[("token", "x"), ("content", "user")]).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.content_type, XML);
    assert_eq!(
        reply.body,
        r#"<?xml version="1.0" encoding="UTF-8" ?><hash><error>You do not have permissions to use the API</error></hash>"#
    );
    let reply = call(
        &sim,
        &[
            ("token", "x"),
            ("content", "user"),
            ("format", "json"),
            ("returnFormat", "CSV"),
        ],
    )
    .await;
    assert_eq!(
        reply.body,
        "ERROR: You do not have permissions to use the API"
    );
    assert_eq!(reply.content_type, "text/csv; charset=utf-8");
}

#[tokio::test]
async fn expiry_suspension_api_and_project_status() {
    let sim = start().await;
    let reply = export_as(&sim, EXPIRED, "user").await;
    assert_error(&reply, StatusCode::FORBIDDEN, "You do not have API rights because your privileges have expired for this project as of 2026-01-15.");
    // Super users are not subject to expiry.
    let reply = export_as(&sim, SUPER_EXPIRED, "dag").await;
    assert_eq!(reply.status, StatusCode::OK);
    sim.state().set_project_status(0, ProjectStatus::Offline);
    let reply = export_as(&sim, ADMIN, "user").await;
    assert_error(
        &reply,
        StatusCode::BAD_REQUEST,
        "This project is currently OFFLINE and is not accessible to normal users.",
    );
    sim.state().set_project_status(0, ProjectStatus::Normal);
    sim.state().set_api_enabled(false);
    let reply = export_as(&sim, ADMIN, "user").await;
    assert_error(
        &reply,
        StatusCode::BAD_REQUEST,
        "The REDCap API is not enabled.",
    );
}

#[tokio::test]
async fn content_action_inference_and_data_decoding() {
    let sim = start().await;
    let reply = export_as(&sim, ADMIN, "record").await;
    assert_error(
        &reply,
        StatusCode::BAD_REQUEST,
        "The value of the parameter \"content\" is not valid",
    );
    let reply = call(
        &sim,
        &[
            ("token", ADMIN),
            ("content", "user"),
            ("action", "frobnicate"),
            ("format", "json"),
        ],
    )
    .await;
    assert_error(
        &reply,
        StatusCode::BAD_REQUEST,
        "The value of the parameter \"action\" is not valid",
    );
    // user + data + action=export is an import.
    let reply = call(
        &sim,
        &[
            ("token", ADMIN),
            ("content", "user"),
            ("action", "export"),
            ("format", "json"),
            ("data", r#"[{"username":"bob","data_access_group":""}]"#),
        ],
    )
    .await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "1"));
    // dag + data without action is an export; the data is ignored.
    let reply = send_data(
        &sim,
        ADMIN,
        "dag",
        r#"[{"data_access_group_name":"Z","unique_group_name":""}]"#,
    )
    .await;
    assert_eq!(reply.json().as_array().unwrap().len(), 2);
    // Mappings ignore the action word: data present means import.
    let reply = call(
        &sim,
        &[
            ("token", ADMIN),
            ("content", "userDagMapping"),
            ("action", "delete"),
            ("format", "json"),
            (
                "data",
                r#"[{"username":"bob","redcap_data_access_group":"site_a"}]"#,
            ),
        ],
    )
    .await;
    assert_eq!(reply.body, "1");
    // Invalid JSON data: 400 before anything else is looked at.
    let reply = import_as(&sim, ADMIN, "user", "[{").await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "The data being imported is not formatted correctly. PHP error from JSON decoder: Syntax error. The JSON must be in an array, as in [{ ... }].");
    // An empty data answers 200 with plain text, even under format=json.
    let before = sim.state().project(0);
    let reply = call(
        &sim,
        &[
            ("token", ADMIN),
            ("content", "user"),
            ("format", "json"),
            ("action", "import"),
            ("data", ""),
        ],
    )
    .await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, "The data is not in the specified format.")
    );
    // data=[]: 0 for users and roles, missing components for the others.
    assert_eq!(import(&sim, "user", json!([])).await.body, "0");
    assert_eq!(import(&sim, "userRole", json!([])).await.body, "0");
    let reply = import(&sim, "dag", json!([])).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "One or more components are missing in your input data. The following attributes are required: data_access_group_name, unique_group_name");
    assert_eq!(sim.state().project(0), before);
    let reply = call(&sim, &[("token", ADMIN), ("content", "version")]).await;
    assert_eq!(reply.body, "15.7.6");
}

#[tokio::test]
async fn privilege_gates_in_order() {
    let sim = start().await;
    assert_error(
        &export_as(&sim, NO_EXPORT, "user").await,
        StatusCode::FORBIDDEN,
        "You do not have API Export privileges",
    );
    assert_error(&export_as(&sim, DAGGED, "dag").await, StatusCode::FORBIDDEN, "You do not have permission to export/import/delete Data Access Groups because you have been assigned to a Data Access Group.");
    let reply = send_data(&sim, NO_IMPORT, "user", r#"[{"username":"bob"}]"#).await;
    assert_error(
        &reply,
        StatusCode::FORBIDDEN,
        "You do not have API Import/Update privileges",
    );
    let reply = delete_as(&sim, NO_IMPORT, "user", ("users[0]", "bob")).await;
    assert_error(
        &reply,
        StatusCode::FORBIDDEN,
        "You do not have API Import/Update privileges",
    );
    let reply = delete_as(&sim, NO_DELETE, "user", ("users[0]", "bob")).await;
    assert_error(
        &reply,
        StatusCode::FORBIDDEN,
        "You do not have Delete Record privileges",
    );
    let reply = delete_as(&sim, NO_DELETE, "userRole", ("roles[0]", "U-573AEYRNR8")).await;
    assert_error(
        &reply,
        StatusCode::FORBIDDEN,
        "You do not have Delete Record privileges",
    );
    // Endpoint gates are 400.
    let reply = send_data(&sim, READ_ONLY_RIGHTS, "user", r#"[{"username":"bob"}]"#).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "Insufficient user privileges: You must have 'API Import/Update' privileges and 'User Rights' privileges in the project in order to import/update users via the API Import Users method.");
    assert_eq!(
        export_as(&sim, READ_ONLY_RIGHTS, "userRole").await.status,
        StatusCode::OK
    );
    assert_error(&export_as(&sim, NO_DAG_RIGHT, "userDagMapping").await, StatusCode::BAD_REQUEST, "Insufficient user privileges: You must have 'API Export' privileges and 'Data Access Groups' privileges in the project.");
    let reply = send_data(
        &sim,
        READ_ONLY_RIGHTS,
        "userRole",
        r#"[{"role_label":"x"}]"#,
    )
    .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "Insufficient user privileges: You must have 'API Import/Update' privileges and 'User Rights' privileges in the project in order to import/update user roles via the API Import User Roles method.");
    assert_eq!(
        sim.state().roles(0).len(),
        1,
        "refused requests change nothing"
    );
}

#[tokio::test]
async fn user_export_keys_types_and_php_escaping() {
    let sim = start().await;
    let reply = export_as(&sim, ADMIN, "user").await;
    assert_eq!(reply.content_type, JSON);
    // PHP escaping: `/` as `\/`, non-ASCII as \uXXXX.
    assert!(
        reply.body.contains(r#""email":"ad\/min@example.org""#),
        "{}",
        reply.body
    );
    assert!(reply.body.contains(r#""firstname":"Zo\u00eb""#));
    let users = reply.json();
    let names: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let alice = find_user(&users, "alice");
    assert_eq!(alice["data_access_group"], "site_a");
    assert_eq!(alice["data_access_group_id"], 7);
    assert_eq!(alice["reports"], 1, "rights come from the role");
    assert_eq!(alice["forms"], json!({"form_1": 1, "form_2": 0}));
    let bob = find_user(&users, "bob");
    assert_eq!(bob["data_access_group_id"], "");
    let start = reply.body.find(r#"{"username":"alice""#).unwrap();
    let alice_text = &reply.body[start..];
    let keys = [
        "username",
        "email",
        "firstname",
        "lastname",
        "expiration",
        "data_access_group",
        "data_access_group_id",
        "design",
        "alerts",
        "user_rights",
        "data_access_groups",
        "reports",
        "stats_and_charts",
        "manage_survey_participants",
        "calendar",
        "data_import_tool",
        "data_comparison_tool",
        "logging",
        "email_logging",
        "file_repository",
        "data_quality_create",
        "data_quality_execute",
        "api_export",
        "api_import",
        "api_modules",
        "mobile_app",
        "mobile_app_download_data",
        "record_create",
        "record_rename",
        "record_delete",
        "lock_records_all_forms",
        "lock_records",
        "lock_records_customization",
        "forms",
        "forms_export",
    ];
    let mut at = 0;
    for key in keys {
        let needle = format!("\"{key}\":");
        at += alice_text[at..]
            .find(&needle)
            .unwrap_or_else(|| panic!("{key}"));
    }
    assert!(!reply.body.contains("data_export"));
    assert!(!reply.body.contains("data_access_group_label"));
    // A caller in a DAG sees only that DAG's users.
    let reply = export_as(&sim, DAGGED, "user").await;
    let names: Vec<String> = reply
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["alice", "dagged"]);
}

#[tokio::test]
async fn version_emulation() {
    let sim = start_with(test_seed(), Some("16.0.0")).await;
    let users = export(&sim, "user").await;
    let alice = find_user(&users, "alice");
    assert_eq!(alice["data_access_group_label"], "Site A");
    let text = serde_json::to_string(alice).unwrap();
    assert!(
        text.find("data_access_group_id").unwrap() < text.find("data_access_group_label").unwrap()
    );
    let sim = start_with(test_seed(), Some("14.0.0")).await;
    let users = export(&sim, "user").await;
    assert!(users[0].get("email_logging").is_none() && users[0].get("api_modules").is_none());
    let mut seed = test_seed();
    seed.projects[0].features.mobile_app = false;
    seed.projects[0].features.randomization = true;
    let sim = start_with(seed, None).await;
    let users = export(&sim, "user").await;
    assert!(users[0].get("mobile_app").is_none());
    assert_eq!(users[0]["random_perform"], 0);
    // Bitmask form rights only from 15.6.
    let reply = import(
        &sim,
        "user",
        json!([{"username": "bob", "forms": {"form_1": 130}}]),
    )
    .await;
    assert_eq!(reply.body, "1");
    let sim = start_with(test_seed(), Some("15.0.0")).await;
    let reply = import(
        &sim,
        "user",
        json!([{"username": "bob", "forms": {"form_1": 130}}]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn csv_and_xml_exports() {
    let sim = start().await;
    let reply = export_csv(&sim, "dag").await;
    assert_eq!(reply.content_type, "text/csv; charset=utf-8");
    assert_eq!(reply.body, "data_access_group_name,unique_group_name,data_access_group_id\nClinic/Ward,clinicward,8\n\"Site A\",site_a,7");
    let reply = call(&sim, &[("token", ADMIN), ("content", "dag")]).await;
    assert_eq!(reply.content_type, XML);
    assert!(reply.body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<dags>\n<item><data_access_group_name><![CDATA[Clinic/Ward]]></data_access_group_name>"), "{}", reply.body);
    let reply = export_csv(&sim, "user").await;
    let alice = reply
        .body
        .lines()
        .find(|l| l.starts_with("alice,"))
        .unwrap();
    assert!(alice.contains(",\"form_1:1,form_2:0\","), "{alice}");
    // Empty exports keep their documented headers.
    let mut seed = test_seed();
    seed.projects[0].dags.clear();
    seed.projects[0].users.iter_mut().for_each(|u| u.dag = None);
    seed.projects[0].users[0].dag_switcher.clear();
    let sim = start_with(seed, None).await;
    let reply = export_csv(&sim, "dag").await;
    assert_eq!(
        reply.body,
        "data_access_group_name,unique_group_name,data_access_group_id"
    );
    // No DAGs: the role mapping has no DAG column.
    let mapping = export(&sim, "userRoleMapping").await;
    assert_eq!(
        mapping[0],
        json!({"username": "admin", "unique_role_name": ""})
    );
}

#[tokio::test]
async fn user_import_validates_everything_first() {
    let sim = start().await;
    let before = sim.state().project(0);
    let data = json!([
        {"username": ""},
        {"username": "bad!"},
        {"username": "bob", "design": 2, "user_rights": 2, "alerts": 7, "data_access_group": "nope"},
        {"username": "bob", "forms": {"form_9": 1, "form_1": 5}, "forms_export": {"form_2": 4}},
        {"username": "bob", "lock_records": true},
    ]);
    let reply = import(&sim, "user", data).await;
    let expected = [
        "The username is missing for user #1 in the list of users provided.",
        "username \"bad!\" is not in a valid username format. User names can only contain letters, numbers, underscores, hyphens, periods, spaces, apostrophes, and @ symbols.",
        "data_access_group \"nope\" is not a valid unique Data Access Group name for this project.",
        "The field named \"design\" for user \"bob\"  with value \"2\" is not a valid rights value. It must be 0 or 1.",
        // Form keys are checked in name order.
        "The form named \"form_1\" with value \"5\" is not a valid form-level rights value. It must be 0, 1, 2 or 3.",
        "The form named \"form_9\" is incorrect for the user \"bob\" The form does not exist in this project.",
        "The form named \"form_2\" with value \"4\" is not a valid form-level rights value. It must be 0, 1, 2 or 3.",
        "The field named \"lock_records\" for user \"bob\"  with value \"1\" is not a valid rights value. It must be 0 or 1.",
    ]
    .join("\n");
    assert_error(&reply, StatusCode::BAD_REQUEST, &expected);
    // A user in a role rolls the whole request back, including rows before it.
    let reply = import(
        &sim,
        "user",
        json!([{"username": "bob", "design": 1}, {"username": "Alice"}]),
    )
    .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "The user \"alice\" cannot have their user privileges modified because the user belongs to a user role. Users in roles cannot have their privileges modified via the 'Import User' API method.");
    // A caller in a DAG cannot add users.
    let reply = import_as(&sim, DAGGED, "user", r#"[{"username":"newbie"}]"#).await;
    assert!(reply.json()["error"]
        .as_str()
        .unwrap()
        .starts_with("username \"newbie\" can not be added Since you have been assigned"));
    assert_eq!(
        sim.state().project(0),
        before,
        "failed imports change nothing"
    );
    assert_eq!(sim.state().duplicate_identities(), 0);
}

#[tokio::test]
async fn user_import_upserts() {
    let sim = start().await;
    // Insert: omitted rights and forms are 0, the expiration is normalised.
    let reply = import(&sim, "user", json!([{"username": "Carol", "expiration": "12/31/2030", "data_access_group": "site_a", "forms": {"form_1": 1}, "email": "ignored@x"}])).await;
    assert_eq!(reply.body, "1");
    assert_eq!(reply.content_type, JSON);
    let carol = sim.state().user(0, "carol").unwrap();
    assert_eq!(carol.username, "carol");
    assert_eq!(carol.expiration, "2030-12-31");
    assert_eq!(carol.forms, rights(&[("form_1", 1), ("form_2", 0)]));
    assert_eq!(carol.group_id, Some(7));
    let users = export(&sim, "user").await;
    let row = find_user(&users, "carol");
    assert_eq!(row["email"], "carol@example.org");
    // Update: only given rights change, an empty one becomes 0, the DAG is cleared when left out,
    // duplicate rows are applied and counted.
    let reply = import(&sim, "user", json!([{"username": "bob", "design": "1", "reports": ""}, {"username": "bob", "calendar": 1, "expiration": "garbage"}])).await;
    assert_eq!(reply.body, "2");
    let bob = sim.state().user(0, "bob").unwrap();
    assert_eq!(bob.rights["design"], 1);
    assert_eq!(bob.rights["reports"], 0);
    assert_eq!(bob.rights["calendar"], 1);
    assert_eq!(bob.expiration, "1970-01-01");
    let reply = import(&sim, "user", json!([{"username": "carol", "design": 1}])).await;
    assert_eq!(reply.body, "1");
    assert_eq!(sim.state().user(0, "carol").unwrap().group_id, None);
    // A CSV import (PyCap's DataFrame path).
    let reply = call(
        &sim,
        &[
            ("token", ADMIN),
            ("content", "user"),
            ("format", "csv"),
            ("returnFormat", "json"),
            (
                "data",
                "username,forms,data_access_group\ndave,\"form_1:1,form_2:1\",site_a\n",
            ),
        ],
    )
    .await;
    assert_eq!(reply.body, "1");
    assert_eq!(reply.content_type, "text/csv; charset=utf-8");
    assert_eq!(
        sim.state().user(0, "dave").unwrap().forms,
        rights(&[("form_1", 1), ("form_2", 1)])
    );
    assert_eq!(sim.state().duplicate_identities(), 0);
}

#[tokio::test]
async fn user_delete_is_all_or_nothing() {
    let sim = start().await;
    let before = sim.state().project(0);
    let reply = delete(&sim, "user", &[("users", "bob")]).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "The 'users' parameter is either missing or is not an array. It must be provided as an array even if it only contains one value.");
    let reply = delete(
        &sim,
        "user",
        &[
            ("users[0]", "bob"),
            ("users[1]", "ghost"),
            ("users[2]", "Alice"),
        ],
    )
    .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "One or more of the users provided are not valid usernames that do not exist in this project. Note: No users were deleted. Users that do not exist: ghost, Alice");
    assert_eq!(sim.state().project(0), before);
    // Success: the body is the bare count, with the Content-Type of the (absent) format.
    let reply = delete(&sim, "user", &[("users[0]", "bob"), ("users[]", " bob ")]).await;
    assert_eq!(
        (
            reply.status,
            reply.body.as_str(),
            reply.content_type.as_str()
        ),
        (StatusCode::OK, "1", XML)
    );
    assert!(sim.state().user(0, "bob").is_none());
    assert_eq!(sim.counters().get("user:delete"), 3);
}

#[tokio::test]
async fn roles() {
    let sim = start().await;
    let reply = export_as(&sim, ADMIN, "userRole").await;
    assert!(reply.body.starts_with(r#"[{"unique_role_name":"U-573AEYRNR8","role_label":"Example Role","design":"0","alerts":"0","user_rights":"0","data_access_groups":"0","reports":"1","#), "{}", reply.body);
    assert!(reply.body.contains(r#""record_delete":"0","lock_records_customization":"0","lock_records":"0","lock_records_all_forms":"0","forms":{"form_1":1,"form_2":0},"forms_export":{"form_1":0,"form_2":0}}]"#), "{}", reply.body);
    // The 15.7.6 CSV bug: forms_export repeats the forms pairs.
    let reply = export_csv(&sim, "userRole").await;
    assert!(
        reply
            .body
            .ends_with("\"form_1:1,form_2:0\",\"form_1:1,form_2:0\""),
        "{}",
        reply.body
    );
    // Create: a deterministic name for the seed, appended last.
    assert_eq!(
        import(
            &sim,
            "userRole",
            json!([{"role_label": "New Role", "design": 1, "forms": {"form_2": 1}}])
        )
        .await
        .body,
        "1"
    );
    let roles = sim.state().roles(0);
    let new = roles.last().unwrap().clone();
    assert_eq!(new.label, "New Role");
    assert_eq!(new.rights["design"], "1");
    let twin = start().await;
    import(&twin, "userRole", json!([{"role_label": "New Role"}])).await;
    assert_eq!(
        twin.state().roles(0).last().unwrap().unique_role_name,
        new.unique_role_name
    );
    // Update: omitted rights reset to "0", omitted forms keep their values.
    let reply = import(
        &sim,
        "userRole",
        json!([{"unique_role_name": new.unique_role_name, "role_label": "Renamed", "reports": 1}]),
    )
    .await;
    assert_eq!(reply.body, "1");
    let updated = sim.state().roles(0).last().unwrap().clone();
    assert_eq!(
        (
            updated.label.as_str(),
            updated.rights["design"].as_str(),
            updated.rights["reports"].as_str()
        ),
        ("Renamed", "0", "1")
    );
    assert_eq!(updated.forms["form_2"], 1);
    // Errors.
    let before = sim.state().project(0);
    let reply = import(&sim, "userRole", json!([{"role_label": "R", "design": "yes"}, {"role_label": "S", "forms": {"nope": 1}}, {"unique_role_name": "U-999XXXXXXX", "role_label": "T"}])).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "The field named \"design\" for user role \"R\"  with value \"yes\" is not a valid rights value.\nThe form named \"nope\" is incorrect for the user role \"S\" The form does not exist in this project.\nInvalid Unique Role Names: U-999XXXXXXX");
    let reply = delete(
        &sim,
        "userRole",
        &[("roles[0]", "U-573AEYRNR8"), ("roles[1]", "U-000")],
    )
    .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "One or more of the roles provided are not valid rolenames that do not exist in this project. Note: No roles were deleted. Roles that do not exist: U-000");
    assert_eq!(sim.state().project(0), before);
    // Delete: members become role-less and keep their own rights.
    let reply = delete(&sim, "userRole", &[("roles[0]", "U-573AEYRNR8")]).await;
    assert_eq!(reply.body, "1");
    assert_eq!(sim.state().user(0, "alice").unwrap().role_id, None);
}

#[tokio::test]
async fn role_mapping() {
    let sim = start().await;
    let mapping = export(&sim, "userRoleMapping").await;
    assert_eq!(
        mapping[1],
        json!({"username": "alice", "unique_role_name": "U-573AEYRNR8", "data_access_group": "site_a"})
    );
    let before = sim.state().project(0);
    let reply = import(&sim, "userRoleMapping", json!([{"username": "bob"}])).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "One or more components are missing in your input data. The following attributes are required: username, unique_role_name");
    let reply = import(&sim, "userRoleMapping", json!([{"username": "", "unique_role_name": "U-573AEYRNR8"}, {"username": "bob", "unique_role_name": "x"}, {"username": "bob", "unique_role_name": "y"}])).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "The username for unique role name \"U-573AEYRNR8\" \nThe username \"bob\" occurs in more than one record. \nInvalid Unique Role Names: x, y");
    let reply = import_as(
        &sim,
        DAGGED,
        "userRoleMapping",
        r#"[{"username":"bob","unique_role_name":""}]"#,
    )
    .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "Invalid usernames: bob");
    assert_eq!(sim.state().project(0), before);
    // Unknown users are added; "" unassigns; a data_access_group column moves the user.
    let reply = import(&sim, "userRoleMapping", json!([{"username": "newbie", "unique_role_name": "U-573AEYRNR8"}, {"username": "alice", "unique_role_name": "", "data_access_group": "clinicward"}])).await;
    assert_eq!(reply.body, "2");
    assert!(sim.state().user(0, "newbie").unwrap().role_id.is_some());
    let alice = sim.state().user(0, "alice").unwrap();
    assert_eq!((alice.role_id, alice.group_id), (None, Some(8)));
}

#[tokio::test]
async fn dags_and_dag_mapping() {
    let sim = start().await;
    let new = json!([{"data_access_group_name": "New DAG", "unique_group_name": ""}]);
    assert_eq!(import(&sim, "dag", new.clone()).await.body, "1");
    let reply = call(
        &sim,
        &[
            ("token", ADMIN),
            ("content", "dag"),
            ("action", "import"),
            ("format", "json"),
            ("returnFormat", "csv"),
            ("data", &new.to_string()),
        ],
    )
    .await;
    assert_eq!(reply.body, "1");
    let names: Vec<String> = sim
        .state()
        .dags(0)
        .into_iter()
        .map(|d| d.unique_name)
        .collect();
    assert_eq!(names, ["clinicward", "new_dag", "new_dagb", "site_a"]);
    // Rename changes the unique name.
    assert_eq!(
        import(
            &sim,
            "dag",
            json!([{"data_access_group_name": "Site B", "unique_group_name": "site_a"}])
        )
        .await
        .body,
        "1"
    );
    assert_eq!(sim.state().user(0, "alice").unwrap().group_id, Some(7));
    assert!(sim
        .state()
        .dags(0)
        .iter()
        .any(|d| d.unique_name == "site_b" && d.id == 7));
    // Errors.
    let before = sim.state().project(0);
    let reply = import(&sim, "dag", json!([{"data_access_group_name": "", "unique_group_name": "x"}, {"data_access_group_name": "X".repeat(101), "unique_group_name": ""}])).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, &format!("The data access group name for unique group name \"x\" \nThe data access group name \"{}\" must be less than or equal to 100 characters in length.", "X".repeat(101)));
    let reply = import(&sim, "dag", json!([{"data_access_group_name": "A"}])).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = import(&sim, "userDagMapping", json!([{"username": "nobody", "redcap_data_access_group": "site_b"}, {"username": "bob", "redcap_data_access_group": "nope"}])).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "The username \"nobody\" does not exist in the project.\nUnique group name \"nope\" does not exist in the project.");
    let reply = import_as(
        &sim,
        DAGGED,
        "userDagMapping",
        r#"[{"username":"bob","redcap_data_access_group":""}]"#,
    )
    .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "You do not have permission to import User-DAG Assignment because you have been assigned to a Data Access Group.");
    assert_eq!(sim.state().project(0), before);
    // Delete unassigns members and leaves the switcher sets.
    let reply = delete(&sim, "dag", &[("dags[0]", "site_b")]).await;
    assert_eq!(reply.body, "1");
    assert_eq!(sim.state().user(0, "alice").unwrap().group_id, None);
    assert!(!sim
        .state()
        .user(0, "admin")
        .unwrap()
        .dag_switcher
        .contains(&Some(7)));
    // Mapping export: everyone for a caller without a DAG.
    let mapping = export(&sim, "userDagMapping").await;
    assert_eq!(
        mapping[0],
        json!({"username": "admin", "redcap_data_access_group": ""})
    );
}

#[tokio::test]
async fn switch_answers_errors_with_http_200() {
    let sim = start().await;
    let switch = |token: &'static str, dag: &'static str| {
        let sim = &sim;
        async move {
            call(
                sim,
                &[
                    ("token", token),
                    ("content", "dag"),
                    ("action", "switch"),
                    ("returnFormat", "csv"),
                    ("dag", dag),
                ],
            )
            .await
        }
    };
    let reply = switch(ADMIN, "nope").await;
    assert_eq!(
        (
            reply.status,
            reply.body.as_str(),
            reply.content_type.as_str()
        ),
        (StatusCode::OK, "ERROR: Invalid DAG", XML)
    );
    assert_eq!(switch(DAGGED, "site_a").await.body, "ERROR: Invalid user");
    assert_eq!(
        switch(ADMIN, "clinicward").await.body,
        "ERROR: User/DAG assignment not permitted"
    );
    assert_eq!(switch(ADMIN, "site_a").await.body, "1");
    assert_eq!(sim.state().user(0, "admin").unwrap().group_id, Some(7));
    assert_eq!(switch(ADMIN, "").await.body, "1");
    assert_eq!(sim.state().user(0, "admin").unwrap().group_id, None);
    assert_eq!(sim.counters().get("dag:switch"), 5);
}

#[tokio::test]
async fn knobs_answer_like_the_platform() {
    let options = |kind| SimOptions {
        faults: FaultOptions {
            rate: 1.0,
            kinds: vec![kind],
            ..FaultOptions::default()
        },
        ..SimOptions::default()
    };
    let sim = RedcapSim::start_with_seed(options(FaultKind::ServerError), test_seed())
        .await
        .unwrap();
    let reply = export_as(&sim, ADMIN, "user").await;
    // A transient outage: 503, which the spec (§5.3) lets a client retry; 500 it does not.
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
    );
    assert_eq!(sim.knobs().injected().get("server_error"), 1);
    let sim = RedcapSim::start_with_seed(options(FaultKind::ApplyThenFail), test_seed())
        .await
        .unwrap();
    let reply = import(
        &sim,
        "dag",
        json!([{"data_access_group_name": "Applied", "unique_group_name": ""}]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        sim.state().dags(0).len(),
        3,
        "the write happened before the 503"
    );
    assert_eq!(sim.knobs().injected().get("apply_then_fail"), 1);
    let sim = RedcapSim::start_with_seed(
        SimOptions {
            rate_limit: Some(1),
            ..SimOptions::default()
        },
        test_seed(),
    )
    .await
    .unwrap();
    assert_eq!(export_as(&sim, ADMIN, "dag").await.status, StatusCode::OK);
    let reply = reqwest::Client::new()
        .post(sim.credentials().api_url)
        .form(&[("token", ADMIN), ("content", "dag")])
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(reply.headers()["retry-after"], "1");
    assert_eq!(sim.knobs().injected().get("rate_limited"), 1);
}

#[tokio::test]
async fn generated_seed_is_deterministic() {
    let opts = SimOptions {
        users: 25,
        ..SimOptions::default()
    };
    let a = RedcapSim::start(opts.clone()).await.unwrap();
    let b = RedcapSim::start(opts.clone()).await.unwrap();
    let c = RedcapSim::start(SimOptions { seed: 9, ..opts })
        .await
        .unwrap();
    let creds = a.credentials();
    assert_eq!(creds.token, ADMIN_TOKEN);
    assert!(creds.api_url.ends_with("/api/"));
    assert!(
        !format!("{creds:?}").contains(ADMIN_TOKEN),
        "Debug redacts the token"
    );
    let ea = export_as(&a, ADMIN, "user").await.body;
    let eb = export_as(&b, ADMIN, "user").await.body;
    let ec = export_as(&c, ADMIN, "user").await.body;
    assert_eq!(ea, eb);
    assert_ne!(ea, ec);
    assert_eq!(a.state().usernames(0).len(), 28);
    assert_eq!(
        a.state().token_for(1, "restricted"),
        b.state().token_for(1, "restricted")
    );
    assert_eq!(a.state().duplicate_identities(), 0);
    assert_eq!(a.counters().get("user:export"), 1);
    // The seed round-trips through a state file.
    let path = std::env::temp_dir().join(format!("roster-sim-redcap-{}.json", std::process::id()));
    std::fs::write(
        &path,
        serde_json::to_vec(&RedcapSim::generated_seed(&SimOptions {
            users: 25,
            ..SimOptions::default()
        }))
        .unwrap(),
    )
    .unwrap();
    let d = RedcapSim::start(SimOptions {
        state_file: Some(path.clone()),
        ..SimOptions::default()
    })
    .await
    .unwrap();
    std::fs::remove_file(&path).ok();
    let ed = export_as(&d, ADMIN, "user").await.body;
    assert_eq!(ea, ed);
}
