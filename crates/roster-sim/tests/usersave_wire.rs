//! Wire tests of the `/user/save` simulator: the LumApps profile against the spec's
//! "Simulator contract" (§6), and the generic profile (§7).

use std::time::Duration;

use roster_sim::common::{FaultKind, FaultOptions};
use roster_sim::usersave::{Profile, ScriptedFault, UsersaveAuth, UsersaveSim, UsersaveState};
use roster_sim::{SimHandle, SimOptions};
use serde_json::{json, Value};

const API: &str = "/_ah/api/lumsites/v1";
const ADMIN: &str = "admin@example.com";

struct Answer {
    status: u16,
    content_type: Option<String>,
    retry_after: Option<String>,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }
}

fn google(code: u16, message: &str, reason: &str) -> String {
    format!(
        r#"{{"error":{{"code":{code},"errors":[{{"domain":"global","message":"{message}","reason":"{reason}"}}],"message":"{message}"}}}}"#
    )
}

async fn answer(response: reqwest::Response) -> Answer {
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

/// A GET of `url` with no credentials at all.
async fn get_without_auth(http: &reqwest::Client, url: String) -> Answer {
    answer(http.get(url).send().await.unwrap()).await
}

struct Lum {
    handle: SimHandle<UsersaveState>,
    http: reqwest::Client,
    token: String,
}

impl Lum {
    async fn start() -> Lum {
        Self::with(SimOptions {
            users: 7,
            ..SimOptions::default()
        })
        .await
    }

    async fn with(options: SimOptions) -> Lum {
        let handle = UsersaveSim::start(options).await.expect("start");
        let http = reqwest::Client::new();
        let mut lum = Lum {
            handle,
            http,
            token: String::new(),
        };
        lum.token = lum.fetch_token(ADMIN).await.json()["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        lum
    }

    fn client(&self) -> (String, String, String) {
        match self.handle.credentials().auth {
            UsersaveAuth::OauthApplication {
                client_id,
                client_secret,
                token_path,
            } => (client_id, client_secret, token_path),
            other => panic!("unexpected auth {other:?}"),
        }
    }

    async fn fetch_token(&self, email: &str) -> Answer {
        let (id, secret, path) = self.client();
        self.token_form(
            &format!("{}{path}", self.handle.url()),
            Some((&id, &secret)),
            &[("grant_type", "client_credentials"), ("user_email", email)],
        )
        .await
    }

    /// POSTs the form `fields` to the token endpoint `url`, with Basic `(client id, secret)`
    /// when given.
    async fn token_form(
        &self,
        url: &str,
        basic: Option<(&str, &str)>,
        fields: &[(&str, &str)],
    ) -> Answer {
        let mut request = self.http.post(url);
        if let Some((id, secret)) = basic {
            request = request.basic_auth(id, Some(secret));
        }
        answer(request.form(fields).send().await.unwrap()).await
    }

    async fn get(&self, endpoint: &str) -> Answer {
        self.send("GET", endpoint, None, &self.token).await
    }

    async fn post(&self, endpoint: &str, body: Value) -> Answer {
        self.send("POST", endpoint, Some(body), &self.token).await
    }

    /// A DELETE of `endpoint` with the admin token.
    async fn delete(&self, endpoint: &str) -> Answer {
        self.send("DELETE", endpoint, None, &self.token).await
    }

    async fn send(&self, method: &str, endpoint: &str, body: Option<Value>, token: &str) -> Answer {
        let mut request = self
            .http
            .request(
                method.parse().unwrap(),
                format!("{}{API}/{endpoint}", self.handle.url()),
            )
            .header("authorization", format!("Bearer {token}"))
            .header("x-lumapps-analytics", "off")
            .header("User-Agent", "lumapps-sdk 2.0.0");
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await.unwrap()).await
    }

    fn feed_id(&self, inner: &str) -> String {
        let feeds = self.handle.state().groups();
        let feed = feeds
            .iter()
            .find(|f| f["functionalInnerId"] == inner)
            .unwrap();
        feed["id"].as_str().unwrap().to_owned()
    }
}

#[tokio::test]
async fn token_endpoint_answers_and_errors() {
    let lum = Lum::start().await;
    let ok = lum.fetch_token(ADMIN).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.content_type.as_deref(), Some("application/json"));
    let body = ok.json();
    let keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys.len(), 3);
    assert!(ok.text.starts_with(r#"{"access_token":""#));
    assert!(ok
        .text
        .ends_with(r#","expires_in":3600,"token_type":"Bearer"}"#));

    let (id, secret, path) = lum.client();
    let url = format!("{}{path}", lum.handle.url());
    let admin_grant = [("grant_type", "client_credentials"), ("user_email", ADMIN)];
    let wrong_org = lum
        .token_form(
            &url.replace("4664706704080896", "1"),
            Some((&id, &secret)),
            &admin_grant,
        )
        .await;
    assert_eq!(
        (wrong_org.status, wrong_org.text.as_str()),
        (404, r#"{"error":"not_found"}"#)
    );
    let bad_client = lum
        .token_form(&url, Some((&id, "nope")), &admin_grant)
        .await;
    assert_eq!(
        (bad_client.status, bad_client.text.as_str()),
        (401, r#"{"error":"invalid_client"}"#)
    );
    let no_client = lum
        .token_form(&url, None, &[("grant_type", "client_credentials")])
        .await;
    assert_eq!(no_client.status, 401);
    let json_body = answer(
        lum.http
            .post(&url)
            .basic_auth(&id, Some(&secret))
            .json(&json!({"grant_type": "client_credentials", "user_email": ADMIN}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (json_body.status, json_body.text.as_str()),
        (400, r#"{"error":"unsupported_grant_type"}"#)
    );
    let grant = lum
        .token_form(
            &url,
            Some((&id, &secret)),
            &[("grant_type", "password"), ("user_email", ADMIN)],
        )
        .await;
    assert_eq!(grant.text, r#"{"error":"unsupported_grant_type"}"#);
    for email in ["", "ghost@example.com"] {
        let refused = lum.fetch_token(email).await;
        assert_eq!(
            (refused.status, refused.text.as_str()),
            (400, r#"{"error":"invalid_request"}"#)
        );
    }
    // A disabled user cannot be acted for.
    let someone = lum.handle.state().users()[1].clone();
    let mut disabled = someone.clone();
    disabled["status"] = json!("disabled");
    assert_eq!(lum.post("user/save", disabled).await.status, 200);
    assert_eq!(
        lum.fetch_token(someone["email"].as_str().unwrap())
            .await
            .text,
        r#"{"error":"invalid_request"}"#
    );
    assert_eq!(lum.handle.counters().get("application-token"), 10);
}

#[tokio::test]
async fn api_authentication_revoke_expiry_and_organization_header() {
    let lum = Lum::start().await;
    let invalid = google(401, "Invalid Credentials", "authError");
    let missing = get_without_auth(&lum.http, format!("{}{API}/user/get", lum.handle.url())).await;
    assert_eq!(
        (missing.status, missing.text.as_str()),
        (401, invalid.as_str())
    );
    assert_eq!(
        missing.content_type.as_deref(),
        Some("application/json; charset=UTF-8")
    );
    assert_eq!(lum.send("GET", "user/get", None, "bogus").await.status, 401);
    let me = lum.get("user/get").await;
    assert_eq!(me.json()["email"], ADMIN);

    let org = |value: &'static str| {
        lum.http
            .get(format!("{}{API}/user/get", lum.handle.url()))
            .header("authorization", format!("Bearer {}", lum.token))
            .header("LumApps-Organization-Id", value)
            .send()
    };
    assert_eq!(org("4664706704080896").await.unwrap().status(), 200);
    let wrong = answer(org("1").await.unwrap()).await;
    assert_eq!(
        (wrong.status, wrong.text.as_str()),
        (403, google(403, "Forbidden", "forbidden").as_str())
    );

    // Revoke (the SDK's refresh path): the old token fails, a new one works.
    reqwest::Client::new()
        .post(format!("{}/__sim/lumapps/revoke-tokens", lum.handle.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(lum.get("user/get").await.text, invalid);
    let fresh = lum.fetch_token(ADMIN).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(lum.send("GET", "user/get", None, &fresh).await.status, 200);

    // Expiry.
    lum.handle.state().set_token_ttl(Duration::from_millis(50));
    let short = lum.fetch_token(ADMIN).await;
    assert_eq!(short.json()["expires_in"], 0);
    let short = short.json()["access_token"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert_eq!(lum.send("GET", "user/get", None, &short).await.status, 401);
}

#[tokio::test]
async fn user_list_pages_with_cursor_and_more() {
    let lum = Lum::with(SimOptions {
        users: 40,
        ..SimOptions::default()
    })
    .await;
    let everyone = lum.handle.state().users();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            None => "user/list?maxResults=7&showHidden=true&instance=".to_owned(),
            Some(c) => format!(
                "user/list?maxResults=7&showHidden=true&instance=&cursor={}",
                urlencode(c)
            ),
        };
        let page = lum.get(&path).await;
        assert_eq!(page.status, 200);
        assert_eq!(
            page.content_type.as_deref(),
            Some("application/json; charset=UTF-8")
        );
        let body = page.json();
        let items = body["items"].as_array().unwrap();
        assert!(!items.is_empty() && items.len() <= 7);
        seen.extend(items.iter().map(|u| u["id"].as_str().unwrap().to_owned()));
        pages += 1;
        if body["more"] == json!(true) {
            assert!(page.text.contains(r#""more":true,"cursor":""#));
            cursor = Some(body["cursor"].as_str().unwrap().to_owned());
        } else {
            assert_eq!(body["more"], json!(false));
            assert!(body.get("cursor").is_none());
            break;
        }
    }
    assert_eq!(pages, everyone.len().div_ceil(7));
    let all: Vec<String> = everyone
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seen, all, "creation order, no duplicates, nothing missed");
    // The SDK's own cursor form (base64 of the position).
    let second = lum
        .get("user/list?maxResults=2&showHidden=true&cursor=Mg%3D%3D")
        .await
        .json();
    assert_eq!(second["items"][0]["id"], json!(all[2]));
    // Empty result, invalid cursor, invalid page size.
    assert_eq!(
        lum.get("user/list?status=no-such-status").await.text,
        r#"{"more":false}"#
    );
    let bad = lum.get("user/list?cursor=%21%21").await;
    assert_eq!(
        (bad.status, bad.text.as_str()),
        (400, google(400, "Invalid cursor", "badRequest").as_str())
    );
    assert_eq!(lum.get("user/list?maxResults=0").await.status, 400);
    assert_eq!(lum.get("user/list?maxResults=abc").await.status, 400);
    assert_eq!(lum.get("user/list?showHidden=maybe").await.status, 400);
    // Default page size is 30.
    assert_eq!(
        lum.get("user/list?showHidden=true").await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        30
    );
    assert_eq!(lum.handle.counters().get("user/list"), pages as u64 + 7);
}

/// The `id` of every entry of a list answer's `items` (which must be present).
fn item_ids(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect()
}

fn urlencode(text: &str) -> String {
    text.replace('=', "%3D")
        .replace('+', "%2B")
        .replace('/', "%2F")
}

#[tokio::test]
async fn page_size_option_caps_pages() {
    let lum = Lum::with(SimOptions {
        users: 12,
        page_size: Some(5),
        ..SimOptions::default()
    })
    .await;
    let page = lum
        .get("user/list?maxResults=100&showHidden=true")
        .await
        .json();
    assert_eq!(page["items"].as_array().unwrap().len(), 5);
    assert_eq!(page["more"], true);
    let small = lum
        .get("user/list?maxResults=3&showHidden=true")
        .await
        .json();
    assert_eq!(small["items"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn user_list_filters() {
    let lum = Lum::with(SimOptions {
        users: 60,
        ..SimOptions::default()
    })
    .await;
    let users = lum.handle.state().users();
    let count = |pred: &dyn Fn(&Value) -> bool| users.iter().filter(|u| pred(u)).count();
    let total = |path: &str| {
        let path = path.to_owned();
        let lum = &lum;
        async move {
            lum.get(&format!("{path}&maxResults=1000")).await.json()["items"]
                .as_array()
                .map_or(0, Vec::len)
        }
    };
    let hidden = count(&|u| u["isHidden"] == true);
    assert!(hidden > 0 || users.len() < 40, "the seed hides a few users");
    assert_eq!(total("user/list?showHidden=true").await, users.len());
    assert_eq!(
        total("user/list?showHidden=false").await,
        users.len() - hidden
    );
    assert_eq!(
        total("user/list?status=disabled&showHidden=true").await,
        count(&|u| u["status"] == "disabled")
    );
    assert_eq!(
        total("user/list?status=enabled&showHidden=true").await,
        count(&|u| u["status"] == "enabled")
    );
    assert_eq!(
        total("user/list?types=google&types=okta&showHidden=true").await,
        count(&|u| u["accountType"] == "google")
    );
    assert_eq!(total("user/list?email=ADMIN%40example.com").await, 1);
    assert_eq!(total("user/list?query=admin").await, 1);
    let (a, b) = (
        users[1]["id"].as_str().unwrap(),
        users[2]["id"].as_str().unwrap(),
    );
    assert_eq!(
        total(&format!("user/list?ids={a}&ids={b}&showHidden=true")).await,
        2
    );
    // Built-in feeds hold everyone; unknown feeds nobody.
    let all = lum.feed_id("LUMAPPS_ALL");
    assert_eq!(
        total(&format!("user/list?feeds={all}&showHidden=true")).await,
        users.len()
    );
    assert_eq!(total("user/list?feeds=123&showHidden=true").await, 0);
}

#[tokio::test]
async fn user_get_by_uid_email_and_self() {
    let lum = Lum::start().await;
    let admin = lum.get("user/get").await;
    assert_eq!(admin.status, 200);
    let body = admin.json();
    assert_eq!(body["isSuperAdmin"], true);
    assert_eq!(body["id"], body["uid"]);
    assert!(admin.text.starts_with(r#"{"id":"5000000000000001","uid":"5000000000000001","email":"admin@example.com","firstName":"Ada","lastName":"Admin","fullName":"Ada Admin","accountType":"external","status":"enabled","isHidden":false,"customer":"4664706704080896","createdAt":""#));
    let by_email = lum.get("user/get?email=Admin%40Example.com").await.json();
    assert_eq!(by_email["id"], body["id"]);
    let by_uid = lum
        .get(&format!("user/get?uid={}", body["id"].as_str().unwrap()))
        .await
        .json();
    assert_eq!(by_uid["email"], ADMIN);
    let missing = lum.get("user/get?email=ghost%40example.com").await;
    assert_eq!(
        (missing.status, missing.text.as_str()),
        (404, google(404, "User not found", "notFound").as_str())
    );
    let victim = lum.handle.state().users()[3]["email"]
        .as_str()
        .unwrap()
        .to_owned();
    reqwest::Client::new()
        .post(format!("{}/__sim/lumapps/forbidden", lum.handle.url()))
        .json(&json!({"user": victim}))
        .send()
        .await
        .unwrap();
    let forbidden = lum
        .get(&format!("user/get?email={}", victim.replace('@', "%40")))
        .await;
    assert_eq!(
        (forbidden.status, forbidden.text.as_str()),
        (403, google(403, "Forbidden", "forbidden").as_str())
    );
}

#[tokio::test]
async fn user_save_create_upsert_and_full_replace() {
    let lum = Lum::start().await;
    let created = lum
        .post("user/save", json!({"email":"new@acme.com","firstName":"New","lastName":"User","accountType":"external","password":"1234567890","rePassword":"1234567890","fullName":"ignored","isSuperAdmin":true}))
        .await;
    assert_eq!(created.status, 200);
    let user = created.json();
    assert_eq!(user["id"], user["uid"]);
    assert_eq!(user["id"].as_str().unwrap().len(), 16);
    assert_eq!(
        (
            user["fullName"].as_str(),
            user["status"].as_str(),
            user["isHidden"].as_bool()
        ),
        (Some("New User"), Some("enabled"), Some(false))
    );
    assert_eq!(user["customer"], "4664706704080896");
    assert!(
        user.get("isSuperAdmin").is_none(),
        "admin rights are not writable"
    );
    assert!(!created.text.contains("password") && !created.text.contains("1234567890"));
    let created_at = user["createdAt"].as_str().unwrap();
    assert_eq!(
        created_at.len(),
        26,
        "naive UTC with microseconds: {created_at}"
    );
    assert!(
        lum.handle
            .state()
            .dump()
            .to_string()
            .find("1234567890")
            .is_none(),
        "passwords are not stored"
    );

    // Upsert by e-mail: same id, full replace (absent fields reset, extras kept verbatim).
    let upsert = lum.post("user/save", json!({"email":"NEW@acme.com","firstName":"Renamed","customProfile":{"f1":"v"},"status":"disabled","isHidden":true})).await.json();
    assert_eq!(upsert["id"], user["id"]);
    assert_eq!(upsert["createdAt"], user["createdAt"]);
    assert!(upsert.get("lastName").is_none());
    assert_eq!(upsert["fullName"], "Renamed");
    assert_eq!(upsert["customProfile"], json!({"f1":"v"}));
    let reset = lum
        .post("user/save", json!({"id": user["id"], "firstName":"Back"}))
        .await
        .json();
    assert_eq!(
        (
            reset["status"].as_str(),
            reset["isHidden"].as_bool(),
            reset["email"].as_str()
        ),
        (Some("enabled"), Some(false), Some("NEW@acme.com"))
    );
    assert!(reset.get("customProfile").is_none());
    assert_eq!(lum.handle.state().duplicate_identities(), 0);

    // Errors change nothing.
    let before = lum.handle.state().dump();
    let cases = [
        (json!({"firstName":"x"}), 400, "Invalid email: missing"),
        (json!({"email":"nope"}), 400, "Invalid email: nope"),
        (
            json!({"email":"a@b.c","status":"paused"}),
            400,
            "Invalid status: paused",
        ),
        (
            json!({"email":"a@b.c","accountType":"ldap"}),
            400,
            "Invalid accountType: ldap",
        ),
        (
            json!({"email":"a@b.c","password":"x","rePassword":"y"}),
            400,
            "PASSWORDS_DO_NOT_MATCH",
        ),
        (
            json!({"id": user["id"], "email":"admin@example.com"}),
            400,
            "EMAIL_ALREADY_USED",
        ),
        (
            json!({"id":"5999999999999999","email":"a@b.c"}),
            404,
            "User not found",
        ),
    ];
    for (body, status, message) in cases {
        let answer = lum.post("user/save", body.clone()).await;
        let reason = if status == 404 {
            "notFound"
        } else {
            "badRequest"
        };
        assert_eq!(
            (answer.status, answer.text),
            (status, google(status, message, reason)),
            "{body}"
        );
    }
    assert_eq!(
        answer(
            lum.http
                .post(format!("{}{API}/user/save", lum.handle.url()))
                .bearer_auth(&lum.token)
                .body("[1]")
                .send()
                .await
                .unwrap()
        )
        .await
        .status,
        400
    );
    assert_eq!(lum.handle.state().dump(), before);
}

#[tokio::test]
async fn only_admins_write_others() {
    let lum = Lum::start().await;
    let plain = lum
        .handle
        .state()
        .users()
        .into_iter()
        .find(|u| u["status"] == "enabled" && u.get("isSuperAdmin").is_none())
        .unwrap();
    let email = plain["email"].as_str().unwrap();
    let token = lum.fetch_token(email).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut me = lum.send("GET", "user/get", None, &token).await.json();
    me["firstName"] = json!("Self");
    assert_eq!(
        lum.send("POST", "user/save", Some(me), &token).await.status,
        200
    );
    let other = lum
        .send("POST", "user/save", Some(json!({"email":"x@y.z"})), &token)
        .await;
    assert_eq!(
        (other.status, other.text.as_str()),
        (403, google(403, "Forbidden", "forbidden").as_str())
    );
    let feed = lum
        .send(
            "POST",
            "feed/save",
            Some(json!({"name":"X","type":"1"})),
            &token,
        )
        .await;
    assert_eq!(feed.status, 403);
}

#[tokio::test]
async fn feeds_types_search_save_get_delete() {
    let lum = Lum::start().await;
    let cid = "4664706704080896";
    let types = lum.get(&format!("feedtype/list?customer={cid}")).await;
    let body = types.json();
    assert_eq!(body["more"], false);
    let ftype = body["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(body["items"][0]["name"], "Groups");
    assert_eq!(Some(ftype.clone()), lum.handle.credentials().group_type);
    assert_eq!(lum.get("feedtype/list?customer=1").await.status, 400);
    assert_eq!(
        lum.get(&format!(
            "feedtype/list?instance={}&herited=false",
            roster_sim::usersave::DEFAULT_INSTANCE_ID
        ))
        .await
        .text,
        r#"{"more":false}"#
    );

    // The SDK's built-in feed lookups.
    for (query, inner) in [("all", "LUMAPPS_ALL"), ("public", "LUMAPPS_PUBLIC")] {
        let found = lum.post("feed/search", json!({"customerId": cid, "query": query, "hasGroup": false, "fields": "items(id,functionalInnerId)"})).await.json();
        assert!(
            found["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["functionalInnerId"] == inner),
            "{found}"
        );
    }
    let paged = lum
        .post("feed/search", json!({"maxResults": "2"}))
        .await
        .json();
    assert_eq!(paged["items"].as_array().unwrap().len(), 2);
    let rest = lum
        .post(
            "feed/search",
            json!({"maxResults": 100, "cursor": paged["cursor"]}),
        )
        .await
        .json();
    assert_eq!(rest["more"], false);
    assert_eq!(
        2 + rest["items"].as_array().unwrap().len(),
        lum.handle.state().groups().len()
    );
    assert_eq!(
        lum.post("feed/search", json!({"customerId": "1"}))
            .await
            .status,
        400
    );

    let created = lum
        .post(
            "feed/save",
            json!({"customer": cid, "name":"Sales","functionalInnerId":"sales","type": ftype}),
        )
        .await;
    assert_eq!(created.status, 200);
    let feed = created.json();
    assert!(created.text.starts_with(&format!(r#"{{"id":"{0}","uid":"{0}","customer":"{cid}","name":"Sales","functionalInnerId":"sales","type":"{ftype}","heritable":true,"status":"enabled","createdAt":"#, feed["id"].as_str().unwrap())));
    let id = feed["id"].as_str().unwrap().to_owned();
    assert_eq!(lum.get(&format!("feed/get?uid={id}")).await.json(), feed);
    let listed = lum
        .get(&format!("feed/list?type={ftype}&query=sal"))
        .await
        .json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let site = lum.post("feed/save", json!({"name":"Site team","type": ftype, "instance": roster_sim::usersave::DEFAULT_INSTANCE_ID})).await.json();
    let scoped = lum
        .get(&format!(
            "feed/list?instance={}&herited=false",
            roster_sim::usersave::DEFAULT_INSTANCE_ID
        ))
        .await
        .json();
    assert_eq!(scoped["items"].as_array().unwrap().len(), 1);
    assert_eq!(scoped["items"][0]["id"], site["id"]);

    let mut renamed = feed.clone();
    renamed["name"] = json!("Sales EMEA");
    let updated = lum.post("feed/save", renamed).await.json();
    assert_eq!(
        (
            updated["id"].clone(),
            updated["name"].clone(),
            updated["createdAt"].clone()
        ),
        (
            feed["id"].clone(),
            json!("Sales EMEA"),
            feed["createdAt"].clone()
        )
    );

    for (body, message) in [
        (json!({"type": ftype}), "name is required"),
        (json!({"name": "X", "type": "42"}), "Unknown feed type: 42"),
        (json!({"name": "X"}), "type is required"),
        (
            json!({"name": "X", "type": ftype, "customer": "1"}),
            "Invalid customer",
        ),
        (
            json!({"name": "X", "type": ftype, "instance": "9"}),
            "Unknown instance: 9",
        ),
        (
            json!({"id": lum.feed_id("LUMAPPS_ALL"), "name": "X", "type": ftype}),
            "SYSTEM_FEED",
        ),
    ] {
        assert_eq!(
            lum.post("feed/save", body.clone()).await.text,
            google(400, message, "badRequest"),
            "{body}"
        );
    }
    assert_eq!(
        lum.post(
            "feed/save",
            json!({"id": "5999999999999999", "name": "X", "type": ftype})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        lum.get("feed/get").await.text,
        google(400, "uid is required", "badRequest")
    );
    assert_eq!(
        lum.get("feed/get?uid=1").await.text,
        google(404, "Feed not found", "notFound")
    );

    let gone = lum.delete(&format!("feed/delete?uid={id}")).await;
    assert_eq!(
        (gone.status, gone.text.as_str(), gone.content_type),
        (204, "", None)
    );
    assert_eq!(
        lum.delete(&format!("feed/delete?uid={id}")).await.status,
        404
    );
    let system = lum
        .delete(&format!(
            "feed/delete?uid={}",
            lum.feed_id("LUMAPPS_PUBLIC")
        ))
        .await;
    assert_eq!(system.text, google(400, "SYSTEM_FEED", "badRequest"));
}

#[tokio::test]
async fn worked_example_6_11_and_membership_rules() {
    let lum = Lum::start().await;
    let ftype = lum.handle.credentials().group_type.unwrap();
    let feed = lum
        .post("feed/save", json!({"name":"Sales","type": ftype}))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let users = lum.handle.state().users();
    let (u3, u4) = (
        users[2]["id"].as_str().unwrap().to_owned(),
        users[3]["id"].as_str().unwrap().to_owned(),
    );

    let missing = lum
        .post(
            "feed/subscribers/save",
            json!({"feed": feed, "addedUsers": [u3, "ghost@example.com", u4], "removedUsers": []}),
        )
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.content_type.as_deref(),
        Some("application/json; charset=UTF-8")
    );
    assert_eq!(
        missing.text,
        r#"{"error":{"code":404,"errors":[{"domain":"global","message":"User not found: ghost@example.com","reason":"notFound"}],"message":"User not found: ghost@example.com"}}"#
    );
    assert_eq!(
        lum.handle.state().members(&feed),
        vec![u3.clone()],
        "the prefix stays applied"
    );
    let resend = lum
        .post(
            "feed/subscribers/save",
            json!({"addedUsers": [u3, u4], "feed": feed}),
        )
        .await;
    assert_eq!(
        (resend.status, resend.text.as_str(), resend.content_type),
        (204, "", None)
    );

    let disabled = lum
        .get("user/list?status=disabled&showHidden=true&maxResults=100&feeds=1")
        .await;
    assert_eq!(disabled.text, r#"{"more":false}"#);

    // Members through user/list?feeds=, groups of a user, removal by e-mail, idempotence.
    let members = lum
        .get(&format!("user/list?feeds={feed}&showHidden=true"))
        .await
        .json();
    let ids = item_ids(&members);
    assert_eq!(ids, vec![u3.clone(), u4.clone()]);
    let subs = lum
        .get(&format!("feed/user/subscription/list?userId={u3}"))
        .await
        .json();
    let inner = item_ids(&subs);
    assert!(
        inner.contains(&feed)
            && inner.contains(&lum.feed_id("LUMAPPS_ALL"))
            && inner.contains(&lum.feed_id("LUMAPPS_PUBLIC"))
    );
    let email4 = users[3]["email"].as_str().unwrap().to_uppercase();
    assert_eq!(
        lum.post(
            "feed/subscribers/save",
            json!({"feed": feed, "addedUsers": [u3], "removedUsers": [email4, "5999999999999998"]})
        )
        .await
        .status,
        404
    );
    assert_eq!(lum.handle.state().members(&feed), vec![u3.clone()]);
    assert_eq!(
        lum.post(
            "feed/subscribers/save",
            json!({"feed": feed, "addedUsers": []})
        )
        .await
        .status,
        204
    );

    // Atomic mode applies nothing on a miss.
    lum.handle.state().set_atomic_membership(true);
    assert_eq!(
        lum.post(
            "feed/subscribers/save",
            json!({"feed": feed, "addedUsers": [u4, "ghost@example.com"]})
        )
        .await
        .status,
        404
    );
    assert_eq!(lum.handle.state().members(&feed), vec![u3.clone()]);

    assert_eq!(
        lum.post("feed/subscribers/save", json!({"addedUsers": []}))
            .await
            .text,
        google(400, "feed is required", "badRequest")
    );
    assert_eq!(
        lum.post("feed/subscribers/save", json!({"feed": "1"}))
            .await
            .status,
        404
    );
    assert_eq!(
        lum.post(
            "feed/subscribers/save",
            json!({"feed": lum.feed_id("LUMAPPS_ALL")})
        )
        .await
        .text,
        google(400, "SYSTEM_FEED", "badRequest")
    );
    assert_eq!(lum.get("feed/user/subscription/list").await.status, 400);
    assert_eq!(
        lum.get("feed/user/subscription/list?userId=ghost%40x.org")
            .await
            .status,
        404
    );
    assert_eq!(lum.handle.counters().get("feed/subscribers/save"), 8);
}

#[tokio::test]
async fn unknown_routes_and_discovery() {
    let lum = Lum::start().await;
    let not_found = google(404, "Not Found", "notFound");
    assert_eq!(lum.get("content/list").await.text, not_found);
    let wrong_method = lum.delete("user/list").await;
    assert_eq!(
        (wrong_method.status, wrong_method.text.as_str()),
        (404, not_found.as_str())
    );
    assert_eq!(
        get_without_auth(&lum.http, format!("{}/nowhere", lum.handle.url()))
            .await
            .text,
        not_found
    );

    let doc = get_without_auth(
        &lum.http,
        format!(
            "{}/_ah/api/discovery/v1/apis/lumsites/v1/rest",
            lum.handle.url()
        ),
    )
    .await;
    assert_eq!(doc.status, 200);
    let doc = doc.json();
    assert_eq!(doc["id"], "lumsites:v1");
    let host = lum.handle.url().trim_start_matches("http://").to_owned();
    assert_eq!(
        doc["baseUrl"],
        format!("http://{host}/_ah/api/lumsites/v1/")
    );
    assert_eq!(doc["rootUrl"], format!("http://{host}/_ah/api/"));
    assert_eq!(
        doc["resources"]["feed"]["resources"]["subscribers"]["methods"]["save"]["path"],
        "feed/subscribers/save"
    );
    assert_eq!(
        doc["resources"]["feed"]["methods"]["delete"]["parameters"]["uid"]["required"],
        true
    );
    assert_eq!(
        doc["resources"]["user"]["methods"]["list"]["parameters"]["feeds"]["repeated"],
        true
    );
}

#[tokio::test]
async fn scripted_faults_and_knobs_answer_like_the_platform() {
    let lum = Lum::start().await;
    let state = lum.handle.state();
    state.fail_next("user/list", 1, ScriptedFault::ServerError);
    state.fail_next("user/list", 1, ScriptedFault::TooManyRequests);
    state.fail_next("user/list", 1, ScriptedFault::RateLimitExceeded);
    let a = lum.get("user/list").await;
    assert_eq!(
        (a.status, a.text),
        (503, google(503, "Backend Error", "backendError"))
    );
    let b = lum.get("user/list").await;
    assert_eq!((b.status, b.retry_after.as_deref()), (429, Some("1")));
    let c = lum.get("user/list").await;
    assert_eq!(
        (c.status, c.text),
        (400, google(400, "RATE_LIMIT_EXCEEDED", "badRequest"))
    );
    assert_eq!(lum.get("user/list").await.status, 200);
    assert_eq!(lum.get("user/get").await.status, 200, "faults are per path");

    let limited = Lum::with(SimOptions {
        rate_limit: Some(2),
        ..SimOptions::default()
    })
    .await;
    let _ = limited.get("user/get").await;
    let answer = limited.get("user/get").await;
    assert_eq!(
        (answer.status, answer.text.as_str()),
        (
            429,
            google(429, "RATE_LIMIT_EXCEEDED", "rateLimitExceeded").as_str()
        )
    );
    assert_eq!(answer.retry_after.as_deref(), Some("1"));

    let handle = UsersaveSim::start(SimOptions {
        faults: FaultOptions {
            rate: 1.0,
            kinds: vec![FaultKind::ServerError],
            ..FaultOptions::default()
        },
        ..SimOptions::default()
    })
    .await
    .unwrap();
    let failing = answer_of(
        reqwest::get(format!("{}{API}/user/list", handle.url()))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (failing.0, failing.1),
        (503, google(503, "Backend Error", "backendError"))
    );
}

async fn answer_of(response: reqwest::Response) -> (u16, String) {
    let a = answer(response).await;
    (a.status, a.text)
}

#[tokio::test]
async fn determinism_dump_reset_and_state_files() {
    let options = SimOptions {
        seed: 11,
        users: 25,
        ..SimOptions::default()
    };
    let a = UsersaveSim::start(options.clone()).await.unwrap();
    let b = UsersaveSim::start(options.clone()).await.unwrap();
    assert_eq!(a.state().dump(), b.state().dump());
    assert_eq!(a.credentials(), b.credentials());
    let c = UsersaveSim::start(SimOptions {
        seed: 12,
        ..options.clone()
    })
    .await
    .unwrap();
    assert_ne!(a.state().dump(), c.state().dump());
    assert_eq!(a.state().users().len(), 26);

    // Change, dump to a file, start from it: same state.
    let lum = Lum::with(options).await;
    lum.post(
        "user/save",
        json!({"email":"file@acme.com","firstName":"F"}),
    )
    .await;
    let dump = lum.handle.state().dump();
    let path = std::env::temp_dir().join(format!("usersave-state-{}.json", std::process::id()));
    std::fs::write(&path, dump.to_string()).unwrap();
    let loaded = UsersaveSim::start(SimOptions {
        state_file: Some(path.clone()),
        ..SimOptions::default()
    })
    .await
    .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(loaded.state().dump(), dump);
    assert!(loaded.state().user("file@acme.com").is_some());

    reqwest::Client::new()
        .post(format!("{}/__sim/lumapps/reset", lum.handle.url()))
        .send()
        .await
        .unwrap();
    assert!(lum.handle.state().user("file@acme.com").is_none());
    let state = answer(
        reqwest::get(format!("{}/__sim/lumapps/state", lum.handle.url()))
            .await
            .unwrap(),
    )
    .await
    .json();
    assert_eq!(state, lum.handle.state().dump());
}

// ---- The generic profile (§7) ----

struct Generic {
    handle: SimHandle<UsersaveState>,
    http: reqwest::Client,
    user: String,
    password: String,
}

impl Generic {
    async fn start() -> Generic {
        let handle = UsersaveSim::start_with_profile(
            SimOptions {
                users: 5,
                ..SimOptions::default()
            },
            Profile::generic(),
        )
        .await
        .unwrap();
        let UsersaveAuth::Basic { username, password } = handle.credentials().auth else {
            panic!("basic auth")
        };
        Generic {
            handle,
            http: reqwest::Client::new(),
            user: username,
            password,
        }
    }

    /// A GET of `endpoint` with the Basic credentials.
    async fn get(&self, endpoint: &str) -> Answer {
        self.send("GET", endpoint, None).await
    }

    /// A POST of the JSON `body` to `endpoint` with the Basic credentials.
    async fn post(&self, endpoint: &str, body: Value) -> Answer {
        self.send("POST", endpoint, Some(body)).await
    }

    /// A DELETE of `endpoint` with the Basic credentials.
    async fn delete(&self, endpoint: &str) -> Answer {
        self.send("DELETE", endpoint, None).await
    }

    async fn send(&self, method: &str, endpoint: &str, body: Option<Value>) -> Answer {
        let mut request = self
            .http
            .request(
                method.parse().unwrap(),
                format!("{}/api/v2/{endpoint}", self.handle.url()),
            )
            .basic_auth(&self.user, Some(&self.password));
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await.unwrap()).await
    }
}

#[tokio::test]
async fn generic_profile_speaks_its_own_dialect() {
    let g = Generic::start().await;
    let creds = g.handle.credentials();
    assert_eq!(creds.profile, "generic");
    assert_eq!(creds.group_type, None);

    // Auth: Basic, plain error envelope.
    let denied = answer(
        g.http
            .get(format!("{}/api/v2/accounts", g.handle.url()))
            .basic_auth(&g.user, Some("wrong"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (denied.status, denied.text.as_str()),
        (401, r#"{"error":"Invalid Credentials"}"#)
    );
    // LumApps paths do not exist here.
    assert_eq!(g.get("user/list").await.text, r#"{"error":"Not Found"}"#);
    assert_eq!(
        get_without_auth(&g.http, format!("{}{API}/user/list", g.handle.url()))
            .await
            .status,
        404
    );

    // No pagination: one bare array, snake_case fields, a `disabled` flag.
    let list = g.get("accounts").await;
    assert_eq!(list.status, 200);
    let users = list.json();
    assert_eq!(users.as_array().unwrap().len(), 6);
    assert!(list.text.starts_with(r#"[{"account_id":"5000000000000001","mail":"admin@example.com","given_name":"Ada","family_name":"Admin","display_name":"Ada Admin","disabled":false,"created":""#));
    assert_eq!(
        g.get("accounts/lookup?mail=ADMIN%40example.com")
            .await
            .json()["account_id"],
        "5000000000000001"
    );
    assert_eq!(
        g.get("accounts/lookup?account_id=5000000000000001")
            .await
            .json()["mail"],
        ADMIN
    );
    assert_eq!(
        g.get("accounts/lookup?mail=x%40y.z").await.text,
        r#"{"error":"User not found"}"#
    );

    // Create; a second create with the same e-mail conflicts (no upsert).
    let created = g
        .post(
            "accounts/save",
            json!({"mail":"p@q.org","given_name":"Pat","family_name":"Q","password":"s3cret"}),
        )
        .await;
    assert_eq!(created.status, 200);
    let pat = created.json();
    assert_eq!(
        (pat["disabled"].as_bool(), pat["display_name"].as_str()),
        (Some(false), Some("Pat Q"))
    );
    assert!(!created.text.contains("s3cret"));
    let dup = g.post("accounts/save", json!({"mail":"P@Q.org"})).await;
    assert_eq!(
        (dup.status, dup.text.as_str()),
        (409, r#"{"error":"User already exists: P@Q.org"}"#)
    );
    // Partial update merges; the flag deactivates.
    let id = pat["account_id"].as_str().unwrap().to_owned();
    let merged = g
        .post("accounts/save", json!({"account_id": id, "disabled": true}))
        .await
        .json();
    assert_eq!(
        (merged["given_name"].as_str(), merged["disabled"].as_bool()),
        (Some("Pat"), Some(true))
    );
    assert_eq!(
        g.post(
            "accounts/save",
            json!({"account_id": id, "disabled": "yes"})
        )
        .await
        .text,
        r#"{"error":"Invalid disabled: yes"}"#
    );

    // Teams and membership through its own endpoints.
    let teams = g.get("teams").await.json();
    let everyone = teams
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "system")
        .unwrap()["team_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let team = g.post("teams/save", json!({"title":"Ops"})).await.json();
    let team_id = team["team_id"].as_str().unwrap().to_owned();
    assert_eq!(team["title"], "Ops");
    let missing = g
        .post(
            "teams/members",
            json!({"team_id": team_id, "add": [id, "ghost@x.org"], "remove": []}),
        )
        .await;
    assert_eq!(
        (missing.status, missing.text.as_str()),
        (422, r#"{"error":"Unknown member: ghost@x.org"}"#)
    );
    assert_eq!(
        g.post(
            "teams/members",
            json!({"team_id": team_id, "add": ["admin@example.com"]})
        )
        .await
        .status,
        204
    );
    let members = g
        .get(&format!("teams/members?team_id={team_id}"))
        .await
        .json();
    let mails: Vec<_> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["mail"].as_str().unwrap())
        .collect();
    assert_eq!(mails, vec!["admin@example.com", "p@q.org"]);
    assert_eq!(
        g.get(&format!("teams/members?team_id={everyone}"))
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        7
    );
    let of_pat = g
        .get(&format!("accounts/teams?account_id={id}"))
        .await
        .json();
    assert_eq!(
        of_pat.as_array().unwrap().len(),
        2,
        "the system team and Ops"
    );
    assert_eq!(
        g.post("teams/members", json!({"team_id": everyone, "add": [id]}))
            .await
            .text,
        r#"{"error":"SYSTEM_FEED"}"#
    );
    let renamed = g
        .post("teams/save", json!({"team_id": team_id, "kind": "team"}))
        .await
        .json();
    assert_eq!(renamed["title"], "Ops", "partial update keeps the name");

    // Deletes: users exist here.
    assert_eq!(
        g.delete(&format!("accounts/delete?account_id={id}"))
            .await
            .status,
        204
    );
    assert_eq!(
        g.delete(&format!("accounts/delete?account_id={id}"))
            .await
            .status,
        404
    );
    assert_eq!(
        g.handle.state().members(&team_id),
        vec!["5000000000000001".to_owned()]
    );
    assert_eq!(
        g.delete(&format!("teams/delete?team_id={team_id}"))
            .await
            .status,
        204
    );
    assert_eq!(
        g.get("teams/lookup?team_id=1").await.text,
        r#"{"error":"Team not found"}"#
    );
    assert_eq!(
        g.delete("teams/delete").await.text,
        r#"{"error":"team_id is required"}"#
    );
    assert_eq!(g.handle.counters().get("teams/members"), 5);
    assert_eq!(g.handle.state().duplicate_identities(), 0);
}

#[tokio::test]
async fn a_profile_can_be_written_as_json() {
    let text = serde_json::to_string(&Profile::generic()).unwrap();
    let mut profile: Profile = serde_json::from_str(&text).unwrap();
    assert_eq!(profile, Profile::generic());
    profile.auth = roster_sim::usersave::AuthStyle::StaticBearer;
    let handle = UsersaveSim::start_with_profile(SimOptions::default(), profile)
        .await
        .unwrap();
    let UsersaveAuth::StaticBearer { token } = handle.credentials().auth else {
        panic!("static bearer")
    };
    let url = format!("{}/api/v2/teams", handle.url());
    assert_eq!(
        reqwest::Client::new()
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        reqwest::Client::new()
            .get(&url)
            .bearer_auth("nope")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test]
async fn organization_and_admin_are_configurable() {
    use roster_sim::usersave::UsersaveConfig;
    let config = UsersaveConfig {
        customer_id: "1234567890123456".into(),
        admin_email: "root@corp.io".into(),
        ..UsersaveConfig::default()
    };
    let handle = UsersaveSim::start_configured(SimOptions::default(), Profile::lumapps(), config)
        .await
        .unwrap();
    let creds = handle.credentials();
    assert_eq!(creds.customer_id, "1234567890123456");
    assert_eq!(creds.acting_user_email, "root@corp.io");
    let UsersaveAuth::OauthApplication {
        client_id,
        client_secret,
        token_path,
    } = creds.auth
    else {
        panic!("oauth")
    };
    assert_eq!(
        token_path,
        "/v2/organizations/1234567890123456/application-token"
    );
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{}{token_path}", handle.url()))
        .basic_auth(client_id, Some(client_secret))
        .form(&[
            ("grant_type", "client_credentials"),
            ("user_email", "root@corp.io"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let me: Value = http
        .get(format!("{}{API}/user/get", handle.url()))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (me["email"].as_str(), me["isSuperAdmin"].as_bool()),
        (Some("root@corp.io"), Some(true))
    );
}

#[tokio::test]
async fn a_generated_seed_can_be_adjusted_and_served() {
    let options = SimOptions {
        users: 3,
        ..SimOptions::default()
    };
    let mut seed = UsersaveSim::generated_seed(&options, &Profile::lumapps());
    seed.access
        .clients
        .push(("second-app".into(), "second-secret".into()));
    let handle = UsersaveSim::start_with_seed(options, Profile::lumapps(), seed)
        .await
        .unwrap();
    let token = reqwest::Client::new()
        .post(format!(
            "{}/v2/organizations/4664706704080896/application-token",
            handle.url()
        ))
        .basic_auth("second-app", Some("second-secret"))
        .form(&[("grant_type", "client_credentials"), ("user_email", ADMIN)])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200);
    assert_eq!(handle.state().users().len(), 4);
}

#[tokio::test]
async fn feed_list_filters() {
    let lum = Lum::start().await;
    let ftype = lum.handle.credentials().group_type.unwrap();
    let synced = lum
        .post(
            "feed/save",
            json!({"name":"Synced","type": ftype,
                   "groups":[{"identityProvider":"idp1","group":"sales@corp.io"}]}),
        )
        .await
        .json();
    let ids = |body: Value| -> Vec<String> {
        body["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|f| f["id"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let total = lum.handle.state().groups().len();
    let synced_id = synced["id"].as_str().unwrap().to_owned();
    assert_eq!(
        ids(lum.get("feed/list?hasGroup=true").await.json()),
        vec![synced_id.clone()]
    );
    assert_eq!(
        ids(lum
            .get("feed/list?hasGroup=false&maxResults=100")
            .await
            .json())
        .len(),
        total - 1
    );
    let all = lum.feed_id("LUMAPPS_ALL");
    let restricted = lum
        .get(&format!(
            "feed/list?restrictToFeeds={all}&restrictToFeeds={synced_id}"
        ))
        .await
        .json();
    assert_eq!(ids(restricted), vec![all.clone(), synced_id.clone()]);
    let except = lum
        .get(&format!("feed/list?exceptFeeds={all}&maxResults=100"))
        .await
        .json();
    assert!(!ids(except.clone()).contains(&all));
    assert_eq!(ids(except).len(), total - 1);
    assert_eq!(lum.get("feed/list?hasGroup=perhaps").await.status, 400);
}
