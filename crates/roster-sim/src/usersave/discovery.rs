//! The discovery document (spec §6.9): served unauthenticated so the official SDK can be
//! handed a description of exactly the methods this simulator implements.

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::profile::Profile;
use super::reply::JSON_UTF8;

fn query(kind: &str) -> Value {
    json!({"location": "query", "type": kind})
}

fn repeated(kind: &str) -> Value {
    json!({"location": "query", "type": kind, "repeated": true})
}

fn required(kind: &str) -> Value {
    json!({"location": "query", "type": kind, "required": true})
}

fn method(verb: &str, path: &str, id: &str, parameters: Value) -> Value {
    json!({"id": id, "httpMethod": verb, "path": path, "parameters": parameters})
}

/// `GET <discovery_path>`: the `lumsites:v1` description; `rootUrl`/`baseUrl` use the host the
/// request was sent to.
pub fn document(profile: &Profile, headers: &HeaderMap) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    let prefix = profile.api_prefix.trim_end_matches('/');
    let list_users = json!({
        "action": query("string"), "callId": query("string"), "currentInstance": query("string"),
        "cursor": query("string"), "email": query("string"), "feeds": repeated("string"),
        "fields": query("string"), "firstName": query("string"), "ids": repeated("string"),
        "instance": query("string"), "lang": query("string"), "lastName": query("string"),
        "maxResults": {"location": "query", "type": "integer", "format": "int32", "default": "30"},
        "query": query("string"), "queryFields": repeated("string"),
        "reactedEntityKey": query("string"), "reactedEntityKind": query("string"),
        "registeredSince": {"location": "query", "type": "integer", "format": "int32"},
        "showHidden": query("boolean"), "sortOrder": query("string"), "status": query("string"),
        "types": repeated("string"),
    });
    let list_feeds = json!({
        "action": query("string"), "callId": query("string"), "cursor": query("string"),
        "exceptFeeds": repeated("string"), "fields": query("string"), "hasGroup": query("boolean"),
        "herited": {"location": "query", "type": "boolean", "default": "true"},
        "instance": query("string"),
        "maxResults": {"location": "query", "type": "integer", "format": "int32", "default": "30"},
        "query": query("string"), "restrictToFeeds": repeated("string"), "type": query("string"),
    });
    let doc = json!({
        "kind": "discovery#restDescription",
        "discoveryVersion": "v1",
        "id": "lumsites:v1",
        "name": "lumsites",
        "version": "v1",
        "protocol": "rest",
        "rootUrl": format!("http://{host}/_ah/api/"),
        "baseUrl": format!("http://{host}{prefix}/"),
        "basePath": format!("{prefix}/"),
        "servicePath": "lumsites/v1/",
        "resources": {
            "user": {"methods": {
                "list": method("GET", "user/list", "lumsites.user.list", list_users),
                "get": method("GET", "user/get", "lumsites.user.get", json!({
                    "email": query("string"), "uid": query("string"), "fields": query("string")})),
                "save": method("POST", "user/save", "lumsites.user.save", json!({"fields": query("string")})),
            }},
            "feedtype": {"methods": {
                "list": method("GET", "feedtype/list", "lumsites.feedtype.list", json!({
                    "customer": query("string"), "instance": query("string"),
                    "herited": {"location": "query", "type": "boolean", "default": "true"},
                    "cursor": query("string"), "maxResults": {"location": "query", "type": "integer", "format": "int32"},
                    "fields": query("string")})),
            }},
            "feed": {
                "methods": {
                    "list": method("GET", "feed/list", "lumsites.feed.list", list_feeds),
                    "search": method("POST", "feed/search", "lumsites.feed.search", json!({"fields": query("string")})),
                    "get": method("GET", "feed/get", "lumsites.feed.get", json!({
                        "uid": required("string"), "fields": query("string")})),
                    "save": method("POST", "feed/save", "lumsites.feed.save", json!({"fields": query("string")})),
                    "delete": method("DELETE", "feed/delete", "lumsites.feed.delete", json!({"uid": required("string")})),
                },
                "resources": {
                    "subscribers": {"methods": {
                        "save": method("POST", "feed/subscribers/save", "lumsites.feed.subscribers.save", json!({})),
                    }},
                    "user": {"resources": {"subscription": {"methods": {
                        "list": method("GET", "feed/user/subscription/list", "lumsites.feed.user.subscription.list", json!({
                            "userId": required("string"), "cursor": query("string"),
                            "maxResults": {"location": "query", "type": "integer", "format": "int32"},
                            "fields": query("string")})),
                    }}}},
                },
            },
        },
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, JSON_UTF8)],
        doc.to_string(),
    )
        .into_response()
}
