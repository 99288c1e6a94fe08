//! Wire tests of the Periscope simulator against the spec's "Simulator contract" (§6).

use roster_sim::common::{FaultKind, FaultOptions};
use roster_sim::periscope::{ListShape, PeriscopeSim, PeriscopeState};
use roster_sim::{SimHandle, SimOptions};
use serde_json::{json, Value};

struct Sim {
    handle: SimHandle<PeriscopeState>,
    http: reqwest::Client,
    auth: String,
}

struct Answer {
    status: u16,
    content_type: Option<String>,
    retry_after: Option<String>,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

impl Sim {
    async fn start() -> Sim {
        Self::with(SimOptions {
            users: 5,
            ..SimOptions::default()
        })
        .await
    }

    async fn with(options: SimOptions) -> Sim {
        let handle = PeriscopeSim::start(options).await.expect("start");
        let auth = handle.credentials().auth_header();
        Sim {
            handle,
            http: reqwest::Client::new(),
            auth,
        }
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        email: Option<&str>,
        body: Option<&str>,
    ) -> Answer {
        self.raw(method, path, Some(&self.auth.clone()), email, body)
            .await
    }

    /// An authenticated GET of `path`, with the `HTTP-X-EMAIL` header when `email` is given.
    async fn get(&self, path: &str, email: Option<&str>) -> Answer {
        self.call("GET", path, email, None).await
    }

    /// An authenticated POST of the JSON `body` to `path`, without `HTTP-X-EMAIL`.
    async fn post(&self, path: &str, body: &str) -> Answer {
        self.call("POST", path, None, Some(body)).await
    }

    /// An authenticated PUT of the JSON `body` to `path`, with `HTTP-X-EMAIL` when given.
    async fn put(&self, path: &str, email: Option<&str>, body: &str) -> Answer {
        self.call("PUT", path, email, Some(body)).await
    }

    /// An authenticated DELETE of `path`, with `HTTP-X-EMAIL` when given.
    async fn delete(&self, path: &str, email: Option<&str>) -> Answer {
        self.call("DELETE", path, email, None).await
    }

    async fn raw(
        &self,
        method: &str,
        path: &str,
        auth: Option<&str>,
        email: Option<&str>,
        body: Option<&str>,
    ) -> Answer {
        let url = format!("{}{}", self.handle.url(), path);
        let mut request = self
            .http
            .request(method.parse().unwrap(), url)
            .header("Content-Type", "application/json");
        if let Some(auth) = auth {
            request = request.header("HTTP-X-PARTNER-AUTH", auth);
        }
        if let Some(email) = email {
            request = request.header("HTTP-X-EMAIL", email);
        }
        if let Some(body) = body {
            request = request.body(body.to_owned());
        }
        let response = request.send().await.expect("send");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        Answer {
            status: response.status().as_u16(),
            content_type: header("content-type"),
            retry_after: header("retry-after"),
            text: response.text().await.unwrap(),
        }
    }
}

const ADMIN: &str = "admin@example.com";

#[tokio::test]
async fn list_users_is_an_enveloped_sorted_array_of_confirmed_fields() {
    let sim = Sim::start().await;
    let answer = sim.get("/api/v1/users", None).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
    let users = answer.json()["users"].as_array().unwrap().clone();
    assert_eq!(users.len(), 6, "admin + 5 seeded people");
    let emails: Vec<String> = users
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_lowercase())
        .collect();
    let mut sorted = emails.clone();
    sorted.sort();
    assert_eq!(emails, sorted);
    for user in &users {
        let keys: Vec<_> = user.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys.len(), 4);
        assert!(user["groups"]
            .as_array()
            .unwrap()
            .contains(&json!("All Users")));
    }
    // Key order on the wire is email, first_name, last_name, groups.
    assert!(answer.text.starts_with(r#"{"users":[{"email":"#));
    let admin = sim.get("/api/v1/users", Some(ADMIN)).await;
    assert_eq!(
        admin.text,
        r#"{"email":"admin@example.com","first_name":"Ada","last_name":"Admin","groups":["Administrators","All Users"]}"#
    );
    // Query parameters on GET are ignored in plain mode.
    let again = sim.get("/api/v1/users?next_page_start=x&foo=1", None).await;
    assert_eq!(again.text, answer.text);
}

#[tokio::test]
async fn get_user_by_email_header_matches_case_insensitively_and_404s() {
    let sim = Sim::start().await;
    let answer = sim.get("/api/v1/users", Some("ADMIN@Example.COM")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["email"], "admin@example.com");
    let missing = sim.get("/api/v1/users", Some("ann@example.com")).await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.text,
        r#"{"error":"User not found: ann@example.com"}"#
    );
    assert_eq!(
        sim.handle
            .counters()
            .get("GET /api/v1/users (HTTP-X-EMAIL)"),
        2
    );
}

#[tokio::test]
async fn worked_example_6_8() {
    let sim = Sim::start().await;
    // Finance is not seeded: create it first, as the bulk engine would.
    let finance = sim
        .post(
            "/api/v1/groups?test_mode=false",
            r#"{"name":"Finance","access":"View","created_by_email":"admin@example.com"}"#,
        )
        .await;
    assert_eq!(finance.status, 201);
    assert_eq!(finance.text, r#"{"name":"Finance","access":"View"}"#);

    let created = sim
        .post("/api/v1/users?test_mode=false", r#"{"email":"bo@example.com","first_name":"Bo","last_name":"Ng","groups":["Analysts"],"invited_by_email":"admin@example.com"}"#)
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        created.text,
        r#"{"email":"bo@example.com","first_name":"Bo","last_name":"Ng","groups":["All Users","Analysts"]}"#
    );

    let updated = sim
        .put(
            "/api/v1/users?test_mode=false",
            Some("bo@example.com"),
            r#"{"groups":["Finance"]}"#,
        )
        .await;
    assert_eq!(updated.status, 200);
    assert_eq!(
        updated.text,
        r#"{"email":"bo@example.com","first_name":"Bo","last_name":"Ng","groups":["All Users","Finance"]}"#
    );

    let duplicate = sim
        .post("/api/v1/users?test_mode=true", r#"{"email":"bo@example.com","first_name":"Bo","last_name":"Ng","groups":[],"invited_by_email":"admin@example.com"}"#)
        .await;
    assert_eq!(duplicate.status, 409);
    assert_eq!(
        duplicate.text,
        r#"{"error":"User already exists: bo@example.com"}"#
    );
    assert_eq!(sim.handle.state().duplicate_identities(), 0);
}

#[tokio::test]
async fn create_user_validates_in_the_contract_order() {
    let sim = Sim::start().await;
    let post = |body: &'static str| sim.post("/api/v1/users?test_mode=false", body);
    let cases: Vec<(&str, u16, &str)> = vec![
        (
            r#"{"first_name":"A","last_name":"B","invited_by_email":"admin@example.com"}"#,
            400,
            r#"{"error":"email is required"}"#,
        ),
        (
            r#"{"email":"nope","first_name":"A","last_name":"B","invited_by_email":"admin@example.com"}"#,
            400,
            r#"{"error":"Invalid email: nope"}"#,
        ),
        (
            r#"{"email":"a@x.org","last_name":"B","invited_by_email":"admin@example.com"}"#,
            400,
            r#"{"error":"first_name is required"}"#,
        ),
        (
            r#"{"email":"a@x.org","first_name":"A","last_name":"","invited_by_email":"admin@example.com"}"#,
            400,
            r#"{"error":"last_name is required"}"#,
        ),
        (
            r#"{"email":"a@x.org","first_name":"A","last_name":"B"}"#,
            400,
            r#"{"error":"invited_by_email is required"}"#,
        ),
        (
            r#"{"email":"a@x.org","first_name":"A","last_name":"B","invited_by_email":"nobody@x.org"}"#,
            400,
            r#"{"error":"invited_by_email must be a site administrator"}"#,
        ),
        (
            r#"{"email":"a@x.org","first_name":"A","last_name":"B","invited_by_email":"admin@example.com","groups":["Nope"]}"#,
            400,
            r#"{"error":"Unknown group: Nope"}"#,
        ),
        (
            r#"{"email":"ADMIN@example.com","first_name":"A","last_name":"B","invited_by_email":"admin@example.com"}"#,
            409,
            r#"{"error":"User already exists: ADMIN@example.com"}"#,
        ),
        (r#"[1,2]"#, 400, r#"{"error":"Invalid JSON body"}"#),
        (r#"{"email":"#, 400, r#"{"error":"Invalid JSON body"}"#),
    ];
    for (body, status, text) in cases {
        let answer = post(body).await;
        assert_eq!(
            (answer.status, answer.text.as_str()),
            (status, text),
            "{body}"
        );
    }
    assert_eq!(sim.handle.state().users().len(), 6, "nothing created");
    // Unknown body fields are ignored; All Users is always added.
    let ok = post(r#"{"email":"Zed@X.org","first_name":"Zed","last_name":"Q","invited_by_email":"admin@example.com","role":"x"}"#).await;
    assert_eq!(ok.status, 201);
    assert_eq!(
        ok.text,
        r#"{"email":"Zed@X.org","first_name":"Zed","last_name":"Q","groups":["All Users"]}"#
    );
}

#[tokio::test]
async fn update_user_rules() {
    let sim = Sim::start().await;
    let garbage = sim
        .put("/api/v1/users?test_mode=false", Some(ADMIN), "not json")
        .await;
    assert_eq!(
        (garbage.status, garbage.text.as_str()),
        (400, r#"{"error":"Invalid JSON body"}"#)
    );
    let put = |email: Option<&'static str>, body: &'static str| {
        sim.put("/api/v1/users?test_mode=false", email, body)
    };
    assert_eq!(
        put(None, "{}").await.text,
        r#"{"error":"HTTP-X-EMAIL header is required"}"#
    );
    let missing = put(Some("ghost@x.org"), "{}").await;
    assert_eq!(
        (missing.status, missing.text.as_str()),
        (404, r#"{"error":"User not found: ghost@x.org"}"#)
    );
    let before = sim.get("/api/v1/users", Some(ADMIN)).await.text;
    let same = put(Some(ADMIN), "{}").await;
    assert_eq!((same.status, same.text.clone()), (200, before.clone()));
    let renamed = put(Some(ADMIN), r#"{"email":"other@example.com"}"#).await;
    assert_eq!(
        (renamed.status, renamed.text.as_str()),
        (400, r#"{"error":"email cannot be changed"}"#)
    );
    let recased = put(
        Some(ADMIN),
        r#"{"email":"Admin@Example.com","invited_by_email":"x"}"#,
    )
    .await;
    assert_eq!(recased.status, 200);
    let unknown = put(Some(ADMIN), r#"{"first_name":"Changed","groups":["Nope"]}"#).await;
    assert_eq!(
        (unknown.status, unknown.text.as_str()),
        (400, r#"{"error":"Unknown group: Nope"}"#)
    );
    assert_eq!(
        sim.get("/api/v1/users", Some(ADMIN)).await.text,
        before,
        "nothing changed"
    );
    // groups replaces the set, All Users stays.
    let replaced = put(Some(ADMIN), r#"{"first_name":"Ida","groups":[]}"#).await;
    assert_eq!(
        replaced.text,
        r#"{"email":"admin@example.com","first_name":"Ida","last_name":"Admin","groups":["All Users"]}"#
    );
}

#[tokio::test]
async fn delete_user_answers_the_removed_user() {
    let sim = Sim::start().await;
    assert_eq!(
        sim.delete("/api/v1/users?test_mode=false", None)
            .await
            .status,
        400
    );
    let victim = sim.handle.state().users()[1].clone();
    let answer = sim
        .delete("/api/v1/users?test_mode=false", Some(&victim.email))
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["email"], victim.email.as_str());
    assert!(sim.handle.state().user(&victim.email).is_none());
    let again = sim
        .delete("/api/v1/users?test_mode=false", Some(&victim.email))
        .await;
    assert_eq!(again.status, 404);
}

#[tokio::test]
async fn groups_list_get_and_percent_decoding() {
    let sim = Sim::start().await;
    let list = sim.get("/api/v1/groups", None).await;
    assert_eq!(list.status, 200);
    let names: Vec<String> = list.json()["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_owned())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert!(list
        .text
        .contains(r#"{"name":"Administrators","access":"SQL"}"#));
    assert!(list.text.contains(r#"{"name":"All Users","access":"SQL"}"#));
    let all = sim.get("/api/v1/groups/All%20Users", None).await;
    assert_eq!(all.text, r#"{"name":"All Users","access":"SQL"}"#);
    let missing = sim.get("/api/v1/groups/No%20Such", None).await;
    assert_eq!(
        (missing.status, missing.text.as_str()),
        (404, r#"{"error":"Group not found: No Such"}"#)
    );
    // Slash and plus inside one segment.
    let odd = sim
        .post(
            "/api/v1/groups?test_mode=false",
            r#"{"name":"R+D/Ops","access":"sql","created_by_email":"admin@example.com"}"#,
        )
        .await;
    assert_eq!(odd.text, r#"{"name":"R+D/Ops","access":"sql"}"#);
    assert_eq!(sim.get("/api/v1/groups/R+D%2FOps", None).await.status, 200);
    let undecodable = sim.get("/api/v1/groups/%FF", None).await;
    assert_eq!(
        (undecodable.status, undecodable.text.as_str()),
        (400, r#"{"error":"Invalid group name in path"}"#)
    );
}

#[tokio::test]
async fn group_create_update_delete_rules() {
    let sim = Sim::start().await;
    let post = |body: &'static str| sim.post("/api/v1/groups?test_mode=false", body);
    assert_eq!(
        post(r#"{"access":"SQL","created_by_email":"admin@example.com"}"#)
            .await
            .text,
        r#"{"error":"name is required"}"#
    );
    assert_eq!(
        post(r#"{"name":"X","access":"Edit","created_by_email":"admin@example.com"}"#)
            .await
            .text,
        r#"{"error":"Invalid access: Edit"}"#
    );
    assert_eq!(
        post(r#"{"name":"X","access":"View","created_by_email":"ghost@x.org"}"#)
            .await
            .text,
        r#"{"error":"created_by_email must be a site administrator"}"#
    );
    let dup =
        post(r#"{"name":"analysts","access":"View","created_by_email":"admin@example.com"}"#).await;
    assert_eq!(
        (dup.status, dup.text.as_str()),
        (409, r#"{"error":"Group already exists: analysts"}"#)
    );
    let created =
        post(r#"{"name":"Finance","access":"discovery","created_by_email":"admin@example.com"}"#)
            .await;
    assert_eq!(
        (created.status, created.text.as_str()),
        (201, r#"{"name":"Finance","access":"discovery"}"#)
    );

    // Put admin in Finance, then rename Finance: membership follows.
    sim.put(
        "/api/v1/users?test_mode=false",
        Some(ADMIN),
        r#"{"groups":["Administrators","Finance"]}"#,
    )
    .await;
    let put = |path: &'static str, body: &'static str| sim.put(path, None, body);
    assert_eq!(
        put("/api/v1/groups/Nope?test_mode=false", "{}")
            .await
            .status,
        404
    );
    assert_eq!(
        put(
            "/api/v1/groups/Finance?test_mode=false",
            r#"{"access":"Edit"}"#
        )
        .await
        .text,
        r#"{"error":"Invalid access: Edit"}"#
    );
    assert_eq!(
        put(
            "/api/v1/groups/Finance?test_mode=false",
            r#"{"access":"SQL","updated_by_email":"ghost@x.org"}"#
        )
        .await
        .text,
        r#"{"error":"updated_by_email must be a site administrator"}"#
    );
    let taken = put(
        "/api/v1/groups/Finance?test_mode=false",
        r#"{"name":"ANALYSTS"}"#,
    )
    .await;
    assert_eq!(
        (taken.status, taken.text.as_str()),
        (409, r#"{"error":"Group already exists: ANALYSTS"}"#)
    );
    let renamed = put(
        "/api/v1/groups/Finance?test_mode=false",
        r#"{"name":"Money","access":"SQL","updated_by_email":"admin@example.com"}"#,
    )
    .await;
    assert_eq!(
        (renamed.status, renamed.text.as_str()),
        (200, r#"{"name":"Money","access":"SQL"}"#)
    );
    let admin = sim.get("/api/v1/users", Some(ADMIN)).await.json();
    assert_eq!(
        admin["groups"],
        json!(["Administrators", "All Users", "Money"])
    );

    // Built-in groups.
    let builtin = put(
        "/api/v1/groups/Administrators?test_mode=false",
        r#"{"name":"Admins"}"#,
    )
    .await;
    assert_eq!(
        (builtin.status, builtin.text.as_str()),
        (400, r#"{"error":"Built-in group cannot be modified"}"#)
    );
    assert_eq!(
        put(
            "/api/v1/groups/Administrators?test_mode=false",
            r#"{"access":"View"}"#
        )
        .await
        .status,
        400
    );
    assert_eq!(
        put(
            "/api/v1/groups/All%20Users?test_mode=false",
            r#"{"name":"Everyone"}"#
        )
        .await
        .status,
        400
    );
    let all_access = put(
        "/api/v1/groups/All%20Users?test_mode=false",
        r#"{"access":"View"}"#,
    )
    .await;
    assert_eq!(all_access.text, r#"{"name":"All Users","access":"View"}"#);
    let no_delete = sim
        .delete("/api/v1/groups/All%20Users?test_mode=false", None)
        .await;
    assert_eq!(
        (no_delete.status, no_delete.text.as_str()),
        (400, r#"{"error":"Built-in group cannot be deleted"}"#)
    );

    let deleted = sim
        .delete("/api/v1/groups/Money?test_mode=false", None)
        .await;
    assert_eq!(
        (deleted.status, deleted.text.as_str(), deleted.content_type),
        (204, "", None)
    );
    let admin = sim.get("/api/v1/users", Some(ADMIN)).await.json();
    assert_eq!(admin["groups"], json!(["Administrators", "All Users"]));
    assert_eq!(
        sim.delete("/api/v1/groups/Money?test_mode=false", None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn test_mode_answers_like_the_real_call_and_changes_nothing() {
    let sim = Sim::start().await;
    let before = sim.handle.state().dump();
    let user = r#"{"email":"bo@example.com","first_name":"Bo","last_name":"Ng","groups":["Analysts"],"invited_by_email":"admin@example.com"}"#;
    let created = sim.post("/api/v1/users?test_mode=true", user).await;
    assert_eq!(created.status, 201);
    assert_eq!(
        created.text,
        r#"{"email":"bo@example.com","first_name":"Bo","last_name":"Ng","groups":["All Users","Analysts"]}"#
    );
    let victim = sim.handle.state().users()[2].email.clone();
    for (method, path, email, body) in [
        (
            "PUT",
            "/api/v1/users?test_mode=TRUE",
            Some(ADMIN),
            Some(r#"{"first_name":"X","groups":[]}"#),
        ),
        (
            "DELETE",
            "/api/v1/users?test_mode=True",
            Some(victim.as_str()),
            None,
        ),
        (
            "POST",
            "/api/v1/groups?test_mode=true",
            None,
            Some(r#"{"name":"Finance","access":"View","created_by_email":"admin@example.com"}"#),
        ),
        (
            "PUT",
            "/api/v1/groups/Analysts?test_mode=true",
            None,
            Some(r#"{"name":"Renamed"}"#),
        ),
        (
            "DELETE",
            "/api/v1/groups/Analysts?test_mode=true",
            None,
            None,
        ),
    ] {
        let answer = sim.call(method, path, email, body).await;
        assert!(answer.status < 300, "{method} {path}: {}", answer.text);
    }
    assert_eq!(sim.handle.state().dump(), before);
    let invalid = sim.delete("/api/v1/users?test_mode=yes", Some(ADMIN)).await;
    assert_eq!(
        (invalid.status, invalid.text.as_str()),
        (400, r#"{"error":"Invalid test_mode"}"#)
    );
    // Absent test_mode means a real change.
    let real = sim.post("/api/v1/users", user).await;
    assert_eq!(real.status, 201);
    assert!(sim.handle.state().user("bo@example.com").is_some());
}

#[tokio::test]
async fn authentication_failures() {
    let sim = Sim::start().await;
    let creds = sim.handle.credentials();
    for auth in [
        None,
        Some("no-colon".to_owned()),
        Some(format!("{}:wrong", creds.site_name)),
        Some(format!("other:{}x", creds.api_key)),
    ] {
        let answer = sim
            .raw("GET", "/api/v1/users", auth.as_deref(), None, None)
            .await;
        assert_eq!(
            (answer.status, answer.text.as_str()),
            (401, r#"{"error":"Unauthorized"}"#),
            "{auth:?}"
        );
    }
    // Lower-case header name works the same.
    let lower = sim
        .http
        .get(format!("{}/api/v1/groups", sim.handle.url()))
        .header("http-x-partner-auth", sim.auth.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(lower.status(), 200);
    sim.handle.state().add_site("other_site", "other-key");
    let wrong_site = sim
        .raw(
            "GET",
            "/api/v1/users",
            Some(&format!("{}:other-key", creds.site_name)),
            None,
            None,
        )
        .await;
    assert_eq!(
        (wrong_site.status, wrong_site.text.as_str()),
        (403, r#"{"error":"Forbidden"}"#)
    );
    assert_eq!(
        sim.raw(
            "GET",
            "/api/v1/users",
            Some("other_site:other-key"),
            None,
            None
        )
        .await
        .text,
        r#"{"users":[]}"#
    );
    sim.handle
        .state()
        .set_user_api_enabled(&creds.site_name, false);
    let disabled = sim.get("/api/v1/users", None).await;
    assert_eq!(
        (disabled.status, disabled.text.as_str()),
        (
            403,
            r#"{"error":"User and Group Management API is not enabled for this site"}"#
        )
    );
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    let sim = Sim::start().await;
    let missing = sim.get("/api/v1/nothing", None).await;
    assert_eq!(
        (missing.status, missing.text.as_str()),
        (404, r#"{"error":"Not found"}"#)
    );
    let wrong = sim.call("PATCH", "/api/v1/users", None, Some("{}")).await;
    assert_eq!(
        (wrong.status, wrong.text.as_str()),
        (405, r#"{"error":"Method not allowed"}"#)
    );
    assert_eq!(sim.post("/api/v1/groups/Analysts", "{}").await.status, 405);
}

#[tokio::test]
async fn pagination_bare_envelope_and_merge_knobs() {
    let sim = Sim::start().await;
    sim.handle.state().set_list_shape(ListShape {
        paginate: Some(4),
        ..ListShape::default()
    });
    let first = sim.get("/api/v1/users", None).await.json();
    assert_eq!(first["items_this_page"], 4);
    let token = first["next_page_start"].as_str().unwrap().to_owned();
    let second = sim
        .get(&format!("/api/v1/users?next_page_start={token}"), None)
        .await
        .json();
    assert_eq!(second["items_this_page"], 2);
    assert_eq!(second["next_page_start"], Value::Null);
    assert_eq!(
        sim.get("/api/v1/users?next_page_start=zzz", None)
            .await
            .status,
        400
    );

    sim.handle.state().set_list_shape(ListShape {
        bare: true,
        ..ListShape::default()
    });
    assert!(sim.get("/api/v1/groups", None).await.json().is_array());

    sim.handle.state().set_list_shape(ListShape {
        groups_merge: true,
        ..ListShape::default()
    });
    let merged = sim
        .put(
            "/api/v1/users?test_mode=false",
            Some(ADMIN),
            r#"{"groups":["Analysts"]}"#,
        )
        .await
        .json();
    assert_eq!(
        merged["groups"],
        json!(["Administrators", "All Users", "Analysts"])
    );

    // Through the HTTP test routes as well.
    let http = reqwest::Client::new();
    let url = sim.handle.url();
    http.post(format!("{url}/__sim/periscope/faults"))
        .json(&json!({"status":429,"count":1}))
        .send()
        .await
        .unwrap();
    let limited = sim.get("/api/v1/users", None).await;
    assert_eq!(
        (limited.status, limited.retry_after.as_deref()),
        (429, Some("1"))
    );
    http.post(format!("{url}/__sim/periscope/faults"))
        .json(&json!({"status":503,"count":1}))
        .send()
        .await
        .unwrap();
    assert_eq!(sim.get("/api/v1/users", None).await.status, 503);
    http.post(format!("{url}/__sim/periscope/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(sim.handle.state().list_shape(), ListShape::default());
    assert_eq!(
        sim.get("/api/v1/users", Some(ADMIN)).await.json()["groups"],
        json!(["Administrators", "All Users"])
    );
}

#[tokio::test]
async fn knobs_answer_like_the_platform() {
    let limited = Sim::with(SimOptions {
        rate_limit: Some(1),
        ..SimOptions::default()
    })
    .await;
    let _ = limited.get("/api/v1/users", None).await;
    let answer = limited.get("/api/v1/users", None).await;
    assert_eq!(
        (answer.status, answer.text.as_str()),
        (429, r#"{"error":"Rate limit exceeded"}"#)
    );
    assert_eq!(answer.retry_after.as_deref(), Some("1"));

    let failing = Sim::with(SimOptions {
        faults: FaultOptions {
            rate: 1.0,
            kinds: vec![FaultKind::ServerError],
            ..FaultOptions::default()
        },
        ..SimOptions::default()
    })
    .await;
    let answer = failing.get("/api/v1/users", None).await;
    assert_eq!(
        (answer.status, answer.text.as_str()),
        (503, r#"{"error":"Service unavailable"}"#)
    );
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
}

#[tokio::test]
async fn same_seed_same_site_and_state_files_load() {
    let options = SimOptions {
        seed: 7,
        users: 30,
        ..SimOptions::default()
    };
    let a = PeriscopeSim::start(options.clone()).await.unwrap();
    let b = PeriscopeSim::start(options).await.unwrap();
    assert_eq!(a.state().dump(), b.state().dump());
    assert_eq!(a.credentials(), b.credentials());
    let c = PeriscopeSim::start(SimOptions {
        seed: 8,
        users: 30,
        ..SimOptions::default()
    })
    .await
    .unwrap();
    assert_ne!(a.state().dump(), c.state().dump());
    assert_eq!(a.state().users().len(), 31);

    let path = std::env::temp_dir().join(format!("periscope-state-{}.json", std::process::id()));
    let file = json!({"sites":[{"site_name":"acme","api_key":"k1","users":[
        {"email":"Boss@Acme.io","first_name":"B","last_name":"Oss","groups":["Administrators"],"sso_id":17}
    ],"groups":[{"name":"Administrators","access":"SQL"},{"name":"All Users","access":"SQL"},{"name":"Ops","access":"View","id":4}]}]});
    std::fs::write(&path, file.to_string()).unwrap();
    let loaded = Sim::with(SimOptions {
        state_file: Some(path.clone()),
        ..SimOptions::default()
    })
    .await;
    std::fs::remove_file(&path).unwrap();
    assert_eq!(loaded.handle.credentials().auth_header(), "acme:k1");
    let users = loaded.get("/api/v1/users", None).await;
    assert_eq!(
        users.text,
        r#"{"users":[{"email":"Boss@Acme.io","first_name":"B","last_name":"Oss","groups":["Administrators","All Users"],"sso_id":17}]}"#
    );
    assert!(
        loaded.get("/api/v1/groups/Ops", None).await.text
            == r#"{"name":"Ops","access":"View","id":4}"#
    );
}

#[tokio::test]
async fn vendor_examples_are_accepted_as_sent() {
    let sim = Sim::start().await;
    // CREATE User example (inviting admin and groups made valid by the seed).
    let create = r#"{"first_name": "MyFirstName", "last_name": "MyLastName", "email": "newuseremail@website.com", "groups": ["Administrators"], "invited_by_email": "admin@example.com"}"#;
    assert_eq!(
        sim.post("/api/v1/users?test_mode=false", create)
            .await
            .status,
        201
    );
    let update = r#"{"first_name": "newFirstName", "last_name": "newLastName"}"#;
    let answer = sim
        .put(
            "/api/v1/users?test_mode=true",
            Some("newuseremail@website.com"),
            update,
        )
        .await;
    assert_eq!(answer.json()["first_name"], "newFirstName");
    let deleted = sim
        .delete(
            "/api/v1/users?test_mode=False",
            Some("newuseremail@website.com"),
        )
        .await;
    assert_eq!(deleted.status, 200);
    assert!(deleted.json().is_object());
    assert_eq!(sim.handle.counters().get("POST /api/v1/users"), 1);
    assert_eq!(sim.handle.counters().get("DELETE /api/v1/users"), 1);
}

#[tokio::test]
async fn site_name_and_admin_are_configurable() {
    use roster_sim::periscope::PeriscopeConfig;
    let config = PeriscopeConfig {
        site_name: "acme_bi".into(),
        admin_email: "boss@acme.io".into(),
    };
    let handle = PeriscopeSim::start_with(
        SimOptions {
            users: 2,
            ..SimOptions::default()
        },
        config,
    )
    .await
    .unwrap();
    let creds = handle.credentials();
    assert_eq!(
        (creds.site_name.as_str(), creds.admin_email.as_str()),
        ("acme_bi", "boss@acme.io")
    );
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1/users", handle.url()))
        .header("HTTP-X-PARTNER-AUTH", creds.auth_header())
        .header("HTTP-X-EMAIL", "boss@acme.io")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_generated_seed_can_be_adjusted_and_served() {
    let options = SimOptions {
        users: 3,
        ..SimOptions::default()
    };
    let mut seed = PeriscopeSim::generated_seed(&options);
    seed.sites[0].api_key = "fixed-key".into();
    let handle = PeriscopeSim::start_with_seed(options.clone(), seed.clone())
        .await
        .unwrap();
    assert_eq!(handle.credentials().auth_header(), "example_site:fixed-key");
    assert_eq!(handle.state().dump(), serde_json::to_value(&seed).unwrap());
    let empty = roster_sim::periscope::Directory { sites: vec![] };
    assert!(PeriscopeSim::start_with_seed(options, empty).await.is_err());
}
