//! Raw-HTTP tests of the AMS simulator against the AMS spec (§1-§3 and the simulator
//! contract, §6).

use std::time::Duration;

use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::StatusCode;
use roster_sim::ams::{AmsSeed, AmsSim, AmsState, BadLoginMode, LoginProfile, Person};
use roster_sim::{FaultKind, FaultOptions, SimHandle, SimOptions};
use serde_json::{json, Value};

const Q: &str = "?informat=json&format=json";

fn options(users: usize) -> SimOptions {
    SimOptions {
        users,
        ..SimOptions::default()
    }
}

async fn start(users: usize) -> SimHandle<AmsState> {
    AmsSim::start(options(users)).await.expect("sim starts")
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("request sent");
    Reply {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.text().await.expect("body"),
    }
}

/// A POST as the Python client sends it: JSON headers, optionally the session headers.
fn post(url: &str, token: Option<&str>, body: &str) -> reqwest::RequestBuilder {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .header("X-APP-ID", "external.example.postman")
        .body(body.to_owned());
    if let Some(token) = token {
        request = request
            .header("session-header", token)
            .header("Cookie", format!("JSESSIONID={token}"));
    }
    request
}

async fn login(sim: &SimHandle<AmsState>) -> (String, Value) {
    let creds = sim.credentials();
    let body = json!({"username": creds.username, "password": creds.password,
        "loginProperties": {"appName": "club", "clientTime": "2025-05-16T08:28:06"}});
    let reply = send(
        post(
            &format!("{}/api/v2/user/loginUser{Q}", creds.site_url),
            None,
            &body.to_string(),
        )
        .basic_auth(&creds.username, Some(&creds.password)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let token = reply.headers["session-header"].to_str().unwrap().to_owned();
    (token, reply.json())
}

fn api(sim: &SimHandle<AmsState>, path: &str) -> String {
    format!("{}/api/{path}{Q}", sim.url())
}

/// POSTs `body` to the API `path` (see `api`) with the session `token`, as the Python client does.
async fn call(sim: &SimHandle<AmsState>, path: &str, token: &str, body: &str) -> Reply {
    send(post(&api(sim, path), Some(token), body)).await
}

/// A `v2/person/get` body: the recorded filter on `ids`, with `limit` and `offset`.
fn id_filter(ids: Value, limit: &str, offset: &str) -> Value {
    json!({"filter": {"comparisons": {"op": "0", "branches": [
        {"leaf": {"negated": false, "comp": "1", "fieldName": "id", "valueInteger": ids}}]},
        "limit": limit, "offset": offset}})
}

/// Asserts that `keys` appear in `text` in this order.
fn assert_key_order(text: &str, keys: &[&str]) {
    let mut last = 0;
    for key in keys {
        let needle = format!("\"{key}\"");
        let at = text[last..]
            .find(&needle)
            .unwrap_or_else(|| panic!("{key} missing or out of order in {text}"));
        last += at + needle.len();
    }
}

const V2_KEYS: &[&str] = &[
    "active",
    "admin",
    "pending",
    "communicationPreferences",
    "sex",
    "avatarId",
    "id",
    "organisationId",
    "ownerId",
    "plan",
    "state",
    "emailAddress",
    "firstName",
    "knownAs",
    "language",
    "lastName",
    "middleNames",
    "sidebarWidth",
    "skypeName",
    "timezone",
    "username",
    "uuid",
    "addresses",
    "favoriteDashboards",
    "favoriteEvents",
    "frontPageButtons",
    "phoneNumbers",
    "accountExpiration",
    "dateOfBirth",
    "__mtime__",
];

fn assert_v2_headers(reply: &Reply) {
    assert_eq!(
        reply.headers[CONTENT_TYPE],
        "application/json;charset=utf-8"
    );
    assert_eq!(reply.headers["content-disposition"], "attachment");
}

#[tokio::test]
async fn login_reply_has_the_recorded_headers_and_shape() {
    let sim = start(5).await;
    let creds = sim.credentials();
    let body = json!({"username": creds.username, "password": creds.password,
        "loginProperties": {"appName": "club", "clientTime": "2025-05-16T08:28:06"}});
    // The R client's login URL has no query string: both forms are accepted.
    let reply = send(post(
        &format!("{}/api/v2/user/loginUser", creds.site_url),
        None,
        &body.to_string(),
    ))
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_v2_headers(&reply);
    let token = reply.headers["session-header"].to_str().unwrap();
    assert_eq!(token.len(), 24);
    assert!(token
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-'));
    assert_eq!(
        reply.headers["set-cookie"].to_str().unwrap(),
        format!("JSESSIONID={token}; Path=/; Secure; HttpOnly")
    );
    assert!(
        reply
            .body
            .starts_with("{\"isAthlete\":false,\"isCoach\":true,\"isAdmin\":"),
        "{}",
        reply.body
    );
    assert_key_order(
        &reply.body,
        &[
            "isAthlete",
            "isCoach",
            "isAdmin",
            "user",
            "applicationId",
            "loginActions",
            "restrictionPolicyIds",
            "permissions",
        ],
    );
    assert_key_order(&reply.body, V2_KEYS);
    assert!(!reply.body.contains("password"));
    let body = reply.json();
    let skype = body["user"]["skypeName"].as_str().unwrap();
    assert_eq!(skype.len(), 19);
    assert!(skype.parse::<i64>().unwrap() > 0);
    assert_eq!(body["user"]["state"], 0);
    assert_eq!(body["applicationId"], 1044);
    assert_eq!(body["loginActions"], json!([]));
    assert!(body["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("Account Write")));
    // A second login gives a new token and a new upload token; the first stays valid.
    let (token2, body2) = login(&sim).await;
    assert_ne!(token2, token);
    assert_ne!(body2["user"]["skypeName"], body["user"]["skypeName"]);
    let reply = call(&sim, "v1/listgroups", token, "{\"name\": \"\"}").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(sim.counters().get("loginUser"), 2);
}

#[tokio::test]
async fn bad_logins_are_401_with_an_empty_body() {
    let mut seed = AmsSim::generated_seed(&options(3));
    seed.persons[1].active = false; // read.only can no longer log in
    let sim = AmsSim::start_with_seed(options(3), seed).await.unwrap();
    let url = format!("{}/api/v2/user/loginUser{Q}", sim.url());
    let creds = sim.credentials();
    for (user, password) in [
        (creds.username.as_str(), "wrong"),
        ("nobody", creds.password.as_str()),
        ("read.only", creds.password.as_str()),
    ] {
        let body =
            json!({"username": user, "password": password, "loginProperties": {"appName": "club"}});
        let reply = send(post(&url, None, &body.to_string())).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{user}");
        assert_eq!(reply.body, "");
        assert!(!reply.headers.contains_key("session-header"));
    }
    assert_eq!(sim.state().session_count(), 0);
    // Basic is used when the body lacks credentials.
    let reply =
        send(post(&url, None, "{}").basic_auth(&creds.username, Some(&creds.password))).await;
    assert_eq!(reply.status, StatusCode::OK);
    // The optional mode: 200 with a session header and an rpc-exception body.
    sim.state().set_bad_login_mode(BadLoginMode::RpcException);
    let reply = send(post(
        &url,
        None,
        &json!({"username": "x", "password": "y"}).to_string(),
    ))
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.headers.contains_key("session-header"));
    assert_eq!(
        reply.body,
        r#"{"__is_rpc_exception__":true,"type":"java.lang.SecurityException","value":{"detailMessage":"Invalid username or password","cause":null}}"#
    );
}

#[tokio::test]
async fn data_routes_accept_any_one_valid_credential() {
    let sim = start(3).await;
    let creds = sim.credentials();
    let (token, _) = login(&sim).await;
    let url = api(&sim, "v1/listgroups");
    let body = "{\"name\": \"api.admin\"}";
    // No credential: 401, empty body.
    let reply = send(post(&url, None, body)).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::UNAUTHORIZED, "")
    );
    // Session header and cookie (the Python client): the token is echoed.
    let reply = send(post(&url, Some(&token), body)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers["session-header"], token.as_str());
    // Cookie only.
    let reply = send(post(&url, None, body).header("Cookie", format!("JSESSIONID={token}"))).await;
    assert_eq!(reply.status, StatusCode::OK);
    // Basic only (the R client): accepted, no session header.
    let reply =
        send(post(&url, None, body).basic_auth(&creds.username, Some(&creds.password))).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(!reply.headers.contains_key("session-header"));
    // An invalid token next to valid Basic credentials is still accepted.
    let reply = send(
        post(&url, Some("AAAAAAAAAAAAAAAAAAAAAAAA"), body)
            .basic_auth(&creds.username, Some(&creds.password)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    // Wrong Basic password alone: 401.
    let reply = send(post(&url, None, body).basic_auth(&creds.username, Some("nope"))).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // Session lifetime knob.
    sim.state().set_session_ttl(Some(Duration::ZERO));
    tokio::time::sleep(Duration::from_millis(5)).await;
    let reply = send(post(&url, Some(&token), body)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn usersearch_without_filter_lists_everyone_in_v1_bytes() {
    let sim = start(12).await;
    let (token, _) = login(&sim).await;
    for body in [
        "{\"identification\": []}",
        "{\"identification\":{}}",
        "{\"identification\": null}",
        "{}",
    ] {
        let reply = call(&sim, "v1/usersearch", &token, body).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(
            !reply.headers.contains_key(CONTENT_TYPE),
            "v1 replies carry no Content-Type"
        );
        assert!(
            reply
                .body
                .starts_with("{\"results\": [{\"search\": {},\"results\": [{\"userId\": "),
            "{}",
            reply.body
        );
        assert!(!reply.body.contains("groupsAndRoles"));
        assert!(!reply.body.contains("\"active\""));
        let ids: Vec<i64> = reply.json()["results"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["userId"].as_i64().unwrap())
            .collect();
        assert_eq!(ids.len(), 14, "inactive users included");
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(reply.headers["session-header"], token.as_str());
    }
    assert_eq!(sim.counters().get("usersearch"), 4);
}

#[tokio::test]
async fn usersearch_filters_echo_each_entry_with_groups_and_roles() {
    let sim = start(12).await;
    let (token, _) = login(&sim).await;
    let person = sim.state().persons()[4].clone();
    let body = json!({"identification": [
        {"username": person.username.to_uppercase()},
        {"email": person.email_address},
        {"emailAddress": person.email_address.to_uppercase()},
        {"userId": person.id},
        {"userId": person.id.to_string()},
        {"firstName": person.first_name, "lastName": person.last_name},
        {"username": "nobody.here"},
        {"shoeSize": 42},
    ]});
    let reply = call(&sim, "v1/usersearch", &token, &body.to_string()).await;
    assert_eq!(reply.status, StatusCode::OK);
    let blocks = reply.json()["results"].as_array().unwrap().clone();
    assert_eq!(blocks.len(), 8);
    for block in &blocks[..6] {
        let users = block["results"].as_array().unwrap();
        assert!(users.iter().any(|u| u["userId"] == person.id), "{block}");
        let gr = &users[0]["groupsAndRoles"];
        assert!(
            gr["coachGroups"].is_array() && gr["athleteGroups"].is_array() && gr["role"].is_array()
        );
    }
    assert_eq!(
        blocks[0]["search"],
        json!({"username": person.username.to_uppercase()})
    );
    assert_eq!(blocks[6]["results"], json!([]));
    assert_eq!(blocks[7]["results"], json!([]));
    // groupsAndRoles sits between sex and uuid.
    assert_key_order(
        &reply.body,
        &[
            "userId",
            "firstName",
            "lastName",
            "dob",
            "middleName",
            "emailAddress",
            "knownAs",
            "organisationalId",
            "username",
            "sex",
            "groupsAndRoles",
            "coachGroups",
            "athleteGroups",
            "role",
            "uuid",
        ],
    );
    let groups = &blocks[0]["results"][0]["groupsAndRoles"]["athleteGroups"];
    assert!(!groups.as_array().unwrap().is_empty());
    assert!(groups[0]["id"].is_i64() && groups[0]["name"].is_string());
}

#[tokio::test]
async fn groups_and_members() {
    let sim = start(24).await;
    let (token, _) = login(&sim).await;
    let groups = sim.state().groups();
    let reply = call(&sim, "v1/listgroups", &token, "{\"name\": \"api.admin\"}").await;
    let names: Vec<String> = groups.iter().map(|g| format!("\"{}\"", g.name)).collect();
    assert_eq!(reply.body, format!("{{\"name\": [{}]}}", names.join(",")));
    assert!(!reply.headers.contains_key(CONTENT_TYPE));
    // groupmembers: a list (Python) or a string (R); unknown groups are empty.
    let first = &groups[0];
    for body in [json!({"name": [first.name]}), json!({"name": first.name})] {
        let reply = call(&sim, "v1/groupmembers", &token, &body.to_string()).await;
        assert_eq!(reply.status, StatusCode::OK);
        let json = reply.json();
        assert_eq!(json["results"][0]["search"], json!({"name": first.name}));
        let ids: Vec<i64> = json["results"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["userId"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, first.athletes);
        assert!(!reply.body.contains("groupsAndRoles"));
    }
    let reply = call(
        &sim,
        "v1/groupmembers",
        &token,
        "{\"name\": [\"No Such Group\"]}",
    )
    .await;
    assert_eq!(
        reply.body,
        "{\"results\": [{\"search\": {\"name\": \"No Such Group\"},\"results\": []}]}"
    );
}

#[tokio::test]
async fn person_get_reads_the_recorded_filter() {
    let sim = start(10).await;
    let (token, _) = login(&sim).await;
    let persons = sim.state().persons();
    let ids: Vec<String> = persons.iter().map(|p| p.id.to_string()).collect();
    let body = id_filter(json!(ids), "-1", "-1");
    let reply = call(&sim, "v2/person/get", &token, &body.to_string()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_v2_headers(&reply);
    assert!(reply.body.starts_with("{\"objects\":[{\"active\":"));
    assert!(reply
        .body
        .ends_with(&format!("],\"totalCount\":{}}}", persons.len())));
    assert!(!reply.body.contains("password"));
    assert_key_order(&reply.body, V2_KEYS);
    // Numbers and strings, unknown ids skipped, ascending order whatever the request order.
    let body = id_filter(
        json!([persons[3].id, "999999", persons[1].id.to_string()]),
        "-1",
        "-1",
    );
    let json = call(&sim, "v2/person/get", &token, &body.to_string())
        .await
        .json();
    assert_eq!(json["totalCount"], 2);
    assert_eq!(json["objects"][0]["id"], persons[1].id);
    assert_eq!(json["objects"][1]["id"], persons[3].id);
    // No filter: everyone; positive limit and offset apply after sorting.
    let json = call(&sim, "v2/person/get", &token, "{}").await.json();
    assert_eq!(json["totalCount"], persons.len());
    let body = id_filter(json!(ids), "2", "1");
    let json = call(&sim, "v2/person/get", &token, &body.to_string())
        .await
        .json();
    assert_eq!(json["totalCount"], 2);
    assert_eq!(json["objects"][0]["id"], persons[1].id);
    // Any other filter shape is a save-style error.
    let body = json!({"filter": {"comparisons": {"op": "0", "branches": [{"leaf": {"fieldName": "username", "valueString": ["x"]}}]}}});
    let reply = call(&sim, "v2/person/get", &token, &body.to_string()).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_v2_headers(&reply);
    assert_eq!(reply.json()["__is_rpc_exception__"], true);
}

fn create_body(username: &str) -> String {
    json!({"person": {"id": "-1", "firstName": "Test", "lastName": "User",
        "username": username, "emailAddress": "test.user.2025@example.com",
        "dateOfBirth": "2000-01-01", "password": "S3cret!pw", "active": true,
        "knownAs": "", "middleNames": "", "language": "", "sidebarWidth": "",
        "uuid": "test-uuid-123", "sex": "Male"}})
    .to_string()
}

#[tokio::test]
async fn person_save_creates_with_the_recorded_defaults() {
    let sim = start(5).await;
    sim.state().set_fixed_clock(Some(1_747_406_918_247));
    let (token, login_body) = login(&sim).await;
    let caller = login_body["user"]["id"].as_i64().unwrap();
    let before_max = sim.state().persons().iter().map(|p| p.id).max().unwrap();
    let reply = call(
        &sim,
        "v2/person/save",
        &token,
        &create_body("test.user.2025@example.com"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_v2_headers(&reply);
    let expected = format!(
        r#"{{"active":true,"admin":false,"pending":false,"communicationPreferences":null,"sex":"0","avatarId":0,"id":{},"organisationId":0,"ownerId":{caller},"plan":0,"state":0,"emailAddress":"test.user.2025@example.com","firstName":"Test","knownAs":"","language":"English","lastName":"User","middleNames":"","sidebarWidth":"","skypeName":null,"timezone":null,"username":"test.user.2025@example.com","uuid":"test-uuid-123","addresses":null,"favoriteDashboards":null,"favoriteEvents":null,"frontPageButtons":null,"phoneNumbers":null,"accountExpiration":"01/01/1970","dateOfBirth":"01/01/2000","__mtime__":1747406918247}}"#,
        before_max + 1
    );
    assert_eq!(reply.body, expected);
    // Later reads reflect the save, and the new user can log in.
    let search = json!({"identification": [{"username": "test.user.2025@example.com"}]});
    let json = call(&sim, "v1/usersearch", &token, &search.to_string())
        .await
        .json();
    assert_eq!(json["results"][0]["results"][0]["userId"], before_max + 1);
    let login_body = json!({"username": "test.user.2025@example.com", "password": "S3cret!pw"});
    let reply = send(post(
        &format!("{}/api/v2/user/loginUser{Q}", sim.url()),
        None,
        &login_body.to_string(),
    ))
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(sim.state().duplicate_identities(), 0);
    assert_eq!(sim.counters().get("person/save"), 1);
}

#[tokio::test]
async fn person_save_updates_from_the_full_fetched_record() {
    let sim = start(5).await;
    sim.state().set_fixed_clock(Some(1_800_000_000_000));
    let (token, _) = login(&sim).await;
    let target = sim.state().persons()[3].clone();
    // What the Python client sends: the person/get object, ids as strings, a few fields changed.
    let mut person = serde_json::to_value(&target).unwrap();
    for key in [
        "id",
        "avatarId",
        "organisationId",
        "ownerId",
        "plan",
        "state",
    ] {
        person[key] = json!(person[key].to_string());
    }
    person["firstName"] = json!("Rile");
    person["emailAddress"] = json!("r@x.com");
    person["active"] = json!(false);
    person["sex"] = json!("Female");
    person["dateOfBirth"] = json!("1985-10-02");
    person["__mtime__"] = json!(1);
    let reply = call(
        &sim,
        "v2/person/save",
        &token,
        &json!({"person": person}).to_string(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let saved = reply.json();
    assert_eq!(saved["id"], target.id);
    assert_eq!(saved["firstName"], "Rile");
    assert_eq!(saved["active"], false);
    assert_eq!(saved["sex"], "1");
    assert_eq!(saved["dateOfBirth"], "02/10/1985");
    assert_eq!(saved["__mtime__"], 1_800_000_000_000i64);
    assert_eq!(saved["lastName"], target.last_name);
    let stored = sim.state().person(target.id).unwrap();
    assert_eq!(stored.email_address, "r@x.com");
    assert_eq!(
        stored.password, target.password,
        "password unchanged when absent"
    );
    // A deactivated user is still listed.
    let json = call(&sim, "v1/usersearch", &token, "{\"identification\": []}")
        .await
        .json();
    assert!(json["results"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["userId"] == target.id));
}

#[tokio::test]
async fn failed_saves_change_nothing() {
    let sim = start(5).await;
    let (token, _) = login(&sim).await;
    let before = sim.state().persons();
    let existing = before[2].username.to_uppercase();
    let mut missing = serde_json::from_str::<Value>(&create_body("new.one")).unwrap();
    missing["person"]
        .as_object_mut()
        .unwrap()
        .remove("lastName");
    let mut bad_date = serde_json::from_str::<Value>(&create_body("new.two")).unwrap();
    bad_date["person"]["dateOfBirth"] = json!("31/02/2000");
    let mut bad_sex = serde_json::from_str::<Value>(&create_body("new.three")).unwrap();
    bad_sex["person"]["sex"] = json!("robot");
    let mut rename = serde_json::to_value(&before[3]).unwrap();
    rename["username"] = json!(before[4].username);
    let cases = [
        (
            create_body(&existing),
            format!("Username already exists: {existing}"),
        ),
        (
            missing.to_string(),
            "Missing required field: lastName".to_owned(),
        ),
        (
            bad_date.to_string(),
            "Invalid date of birth: 31/02/2000".to_owned(),
        ),
        (bad_sex.to_string(), "Invalid sex: robot".to_owned()),
        (
            json!({"person": {"id": "424242", "firstName": "X"}}).to_string(),
            "Person not found: 424242".to_owned(),
        ),
        (
            "{\"notAPerson\": {}}".to_owned(),
            "Invalid request: a person object is required".to_owned(),
        ),
        (
            json!({"person": rename}).to_string(),
            format!("Username already exists: {}", before[4].username),
        ),
    ];
    for (body, message) in &cases {
        let reply = call(&sim, "v2/person/save", &token, body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_v2_headers(&reply);
        assert_eq!(
            reply.body,
            format!(
                r#"{{"__is_rpc_exception__":true,"type":"java.lang.IllegalArgumentException","value":{{"detailMessage":"{message}","cause":null}}}}"#
            )
        );
    }
    assert_eq!(sim.state().persons(), before);
    assert_eq!(sim.state().duplicate_identities(), 0);
    // The other possible real behaviour: the same body with HTTP 200.
    sim.state().set_save_error_status(200);
    let reply = call(&sim, "v2/person/save", &token, &cases[0].0).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["__is_rpc_exception__"], true);
    assert_eq!(sim.state().persons(), before);
}

#[tokio::test]
async fn saves_need_account_write() {
    let sim = start(3).await;
    let creds = sim.credentials();
    let before = sim.state().persons();
    let reply = send(
        post(&api(&sim, "v2/person/save"), None, &create_body("x.y"))
            .basic_auth("read.only", Some(&creds.password)),
    )
    .await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::FORBIDDEN, "Access Denied")
    );
    assert_eq!(sim.state().persons(), before);
    // Reads are open to any authenticated user.
    let reply = send(
        post(&api(&sim, "v1/listgroups"), None, "{}")
            .basic_auth("read.only", Some(&creds.password)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
}

fn upload_form(token: &str, processor: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("session-token", token.to_owned())
        .text("filename", "Riley.Jones.png")
        .text("processorkey", processor.to_owned())
        .part(
            "filedata",
            reqwest::multipart::Part::bytes(vec![0x89, b'P', b'N', b'G'])
                .file_name("Riley.Jones.png")
                .mime_str("image/png")
                .unwrap(),
        )
}

#[tokio::test]
async fn avatar_upload_flow() {
    let sim = start(3).await;
    sim.state().set_fixed_clock(Some(1_747_654_002_120));
    let creds = sim.credentials();
    let (token, login_body) = login(&sim).await;
    let skype = login_body["user"]["skypeName"].as_str().unwrap().to_owned();
    let upload_url = sim.url().rsplit_once('/').unwrap().0.to_owned() + "/x/fileupload";
    let status_url = api(&sim, "v2/fileupload/getUploadStatus");
    let client = reqwest::Client::new();
    // Nothing uploaded yet.
    let reply = send(
        post(&status_url, Some(&token), "{}").basic_auth(&creds.username, Some(&creds.password)),
    )
    .await;
    assert_eq!(
        reply.body,
        r#"{"uploadStatus":{"error":true,"message":"No upload found"},"data":[]}"#
    );
    // A token that was not issued to this user: 401; an unknown processor key: 400.
    let with_headers = |form| {
        client
            .post(&upload_url)
            .header("session-header", &token)
            .header("Cookie", format!("JSESSIONID={token}"))
            .basic_auth(&creds.username, Some(&creds.password))
            .multipart(form)
    };
    assert_eq!(
        send(with_headers(upload_form("123", "avatar-key")))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(with_headers(upload_form(&skype, "photo-key")))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert!(sim.state().files().is_empty());
    // The real upload, then its status.
    let reply = send(with_headers(upload_form(&skype, "avatar-key"))).await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, ""));
    let reply = send(
        post(&status_url, Some(&token), "{}").basic_auth(&creds.username, Some(&creds.password)),
    )
    .await;
    assert_v2_headers(&reply);
    let file = &sim.state().files()[0];
    assert_eq!(
        reply.body,
        format!(
            r#"{{"uploadStatus":{{"error":false,"message":""}},"data":[{{"value":{{"id":{},"name":"Riley.Jones_1747654002120.png"}}}}]}}"#,
            file.id
        )
    );
    assert!(
        file.id
            > sim
                .state()
                .persons()
                .iter()
                .map(|p| p.avatar_id)
                .max()
                .unwrap()
    );
    // The status is not consumed.
    let again = send(post(&status_url, Some(&token), "{}")).await;
    assert_eq!(again.body, reply.body);
    // Unauthenticated uploads are refused before the form is read.
    let reply = send(
        client
            .post(&upload_url)
            .multipart(upload_form(&skype, "avatar-key")),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(sim.counters().get("fileupload"), 4);
}

#[tokio::test]
async fn routing_errors() {
    let sim = start(2).await;
    let (token, _) = login(&sim).await;
    let base = format!("http://{}", sim.addr());
    let reply = send(post(
        &format!("{base}/other/api/v1/usersearch{Q}"),
        Some(&token),
        "{}",
    ))
    .await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::NOT_FOUND, "")
    );
    let reply = send(reqwest::Client::new().get(api(&sim, "v1/usersearch"))).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    let reply = call(&sim, "v1/currentgroup", &token, "{\"name\": \"\"}").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = send(post(&format!("{base}/nothing"), Some(&token), "{}")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(sim.counters().get("usersearch"), 0);
}

#[tokio::test]
async fn projection_of_the_recorded_person_get_reproduces_the_recorded_usersearch() {
    let recorded_get = include_str!("fixtures/ams_recorded_person_get.json").trim_end();
    let recorded_search = include_str!("fixtures/ams_recorded_usersearch.txt");
    let objects: Vec<Person> = serde_json::from_value(
        serde_json::from_str::<Value>(recorded_get).unwrap()["objects"].clone(),
    )
    .unwrap();
    let mut persons = objects;
    persons[5].password = Some("Connector-pw".into()); // python.connector logs in
    let seed = AmsSeed {
        site: "ankle".into(),
        application_id: 1044,
        persons,
        groups: Vec::new(),
        roles: Vec::new(),
        passwords: Default::default(),
        logins: vec![LoginProfile {
            user_id: 120_855,
            is_athlete: true,
            is_coach: true,
            permissions: None,
        }],
        admin_username: "python.connector".into(),
        admin_password: "Connector-pw".into(),
        knobs: Default::default(),
    };
    let sim = AmsSim::start_with_seed(options(0), seed).await.unwrap();
    assert!(sim.url().ends_with("/ankle"));
    let (token, login_body) = login(&sim).await;
    assert_eq!(login_body["isAthlete"], true);
    let reply = call(&sim, "v1/usersearch", &token, "{\"identification\": []}").await;
    assert_eq!(reply.body, recorded_search);
    let ids: Vec<String> = sim
        .state()
        .persons()
        .iter()
        .map(|p| p.id.to_string())
        .collect();
    let body = id_filter(json!(ids), "-1", "-1");
    let reply = call(&sim, "v2/person/get", &token, &body.to_string()).await;
    assert_eq!(reply.body, recorded_get);
}

#[tokio::test]
async fn knobs_answer_like_the_platform() {
    // Every request fails with the server-error answer.
    let sim = AmsSim::start(SimOptions {
        faults: FaultOptions {
            rate: 1.0,
            kinds: vec![FaultKind::ServerError],
            ..FaultOptions::default()
        },
        ..options(3)
    })
    .await
    .unwrap();
    let reply = send(post(
        &format!("{}/api/v2/user/loginUser{Q}", sim.url()),
        None,
        "{}",
    ))
    .await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
    );
    assert_eq!(
        sim.counters().total(),
        0,
        "the request never reached the endpoint"
    );

    // Rate limit: 1 request per second, the second one is refused with Retry-After.
    let sim = AmsSim::start(SimOptions {
        rate_limit: Some(1),
        ..options(3)
    })
    .await
    .unwrap();
    let url = api(&sim, "v1/listgroups");
    let first = send(post(&url, None, "{}")).await;
    assert_eq!(first.status, StatusCode::UNAUTHORIZED);
    let second = send(post(&url, None, "{}")).await;
    assert_eq!(second.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(second.headers["retry-after"], "1");

    // Apply then fail: the save happens, the reply is a 500.
    let faulty = |kind| SimOptions {
        faults: FaultOptions {
            rate: 1.0,
            kinds: vec![kind],
            ..FaultOptions::default()
        },
        ..options(3)
    };
    let sim = AmsSim::start(faulty(FaultKind::ApplyThenFail))
        .await
        .unwrap();
    let creds = sim.credentials();
    let before = sim.state().person_count();
    let reply = send(
        post(&api(&sim, "v2/person/save"), None, &create_body("x.z"))
            .basic_auth(&creds.username, Some(&creds.password)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(sim.state().person_count(), before + 1);
    assert_eq!(sim.counters().get("person/save"), 1);

    // Connection reset: the client sees a broken reply, nothing is applied.
    let sim = AmsSim::start(faulty(FaultKind::ConnectionReset))
        .await
        .unwrap();
    let creds = sim.credentials();
    let result = post(&api(&sim, "v2/person/save"), None, &create_body("x.z"))
        .basic_auth(&creds.username, Some(&creds.password))
        .send()
        .await;
    let broken = match result {
        Err(_) => true,
        Ok(response) => response.bytes().await.is_err(),
    };
    assert!(broken);
    assert_eq!(sim.state().person_count(), before);
}

#[tokio::test]
async fn same_seed_same_site() {
    let a = start(30).await;
    let b = start(30).await;
    let c = AmsSim::start(SimOptions {
        seed: 7,
        ..options(30)
    })
    .await
    .unwrap();
    assert_eq!(a.state().persons(), b.state().persons());
    assert_eq!(a.state().groups(), b.state().groups());
    assert_eq!(a.credentials().password, b.credentials().password);
    assert_ne!(a.state().persons(), c.state().persons());
    let (ta, _) = login(&a).await;
    let (tb, _) = login(&b).await;
    assert_eq!(ta, tb, "the token generator is seeded");
    let body = "{\"identification\": []}";
    let ra = call(&a, "v1/usersearch", &ta, body).await;
    let rb = call(&b, "v1/usersearch", &tb, body).await;
    assert_eq!(ra.body, rb.body);
    assert_eq!(a.state().person_count(), 32);
    assert!(a.state().persons().iter().any(|p| !p.active));
    assert_eq!(a.state().duplicate_identities(), 0);
}

#[tokio::test]
async fn state_file_round_trip() {
    let seed = AmsSim::generated_seed(&options(4));
    let path = std::env::temp_dir().join(format!("roster-sim-ams-{}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_vec(&seed).unwrap()).unwrap();
    let sim = AmsSim::start(SimOptions {
        state_file: Some(path.clone()),
        ..options(99)
    })
    .await
    .unwrap();
    std::fs::remove_file(&path).ok();
    let from_file = AmsSim::start_with_seed(options(4), seed).await.unwrap();
    assert_eq!(sim.state().persons(), from_file.state().persons());
    // The logins survive the file: passwords are kept apart from the persons.
    let (token, _) = login(&sim).await;
    assert_eq!(token.len(), 24);
}
