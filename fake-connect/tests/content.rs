//! The fake's minimal content API (`POST /v1/content`, `GET /v1/content/{guid}`) and the
//! associations of content made through it, driven over real sockets.

use std::time::Duration;

use fake_connect::{FakeConnect, Options};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const ADMIN: &str = "admin-key";
const PUBLISHER: &str = "publisher-key";
const CONTENT: &str = "/__api__/v1/content";

fn server() -> FakeConnect {
    FakeConnect::spawn(Options {
        admin_key: ADMIN.into(),
        publisher_key: Some(PUBLISHER.into()),
        latency: Duration::ZERO,
    })
}

async fn call(server: &FakeConnect, method: Method, path: &str, key: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .request(method, format!("{}{path}", server.url()))
        .header("Authorization", format!("Key {key}"));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    let text = res.text().await.expect("body");
    let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("a JSON body") };
    (status, body)
}

fn assert_error(answer: &(StatusCode, Value), status: StatusCode, code: i64) {
    assert_eq!(answer.0, status, "{}", answer.1);
    assert_eq!(answer.1["code"], code, "{}", answer.1);
    assert!(answer.1["error"].as_str().is_some_and(|m| !m.is_empty()), "{}", answer.1);
    assert!(answer.1.get("payload").is_some_and(Value::is_null), "{}", answer.1);
}

#[tokio::test]
async fn create_answers_200_with_the_fields_clients_read() {
    let s = server();
    let body = json!({"name": "contract-test_1", "title": "Contract test", "description": "made by a test"});
    let (status, c) = call(&s, Method::POST, CONTENT, ADMIN, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{c}");
    let guid = c["guid"].as_str().expect("guid");
    assert_eq!(uuid::Uuid::parse_str(guid).map(|u| u.get_version_num()), Ok(4));
    assert!(c["id"].as_str().is_some_and(|id| id.parse::<u64>().is_ok()), "{c}");
    assert_eq!(c["name"], "contract-test_1");
    assert_eq!(c["title"], "Contract test");
    assert_eq!(c["description"], "made by a test");
    assert_eq!(c["access_type"], "acl");
    assert_eq!(c["app_mode"], "unknown");
    // Never deployed: no bundle; the document's `Content` has no null time, so the time it was made.
    assert!(c["bundle_id"].is_null(), "{c}");
    assert_eq!(c["last_deployed_time"], c["created_time"]);
    assert_eq!(c["created_time"].as_str().map(str::len), Some("2025-08-06T23:06:42Z".len()));
    assert!(c["owner_guid"].as_str().is_some_and(|o| uuid::Uuid::parse_str(o).is_ok()), "{c}");

    // Title and description are optional: null and "" when not given.
    let (status, d) = call(&s, Method::POST, CONTENT, ADMIN, Some(json!({"name": "bare"}))).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert!(d["title"].is_null(), "{d}");
    assert_eq!(d["description"], "");
    assert_eq!(d["owner_guid"], c["owner_guid"], "one user owns everything the keys make");
    assert_ne!(d["id"], c["id"]);

    // What GET answers is what POST answered.
    let (status, got) = call(&s, Method::GET, &format!("{CONTENT}/{guid}"), ADMIN, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, c);
    // Publishers may read it too.
    let (status, _) = call(&s, Method::GET, &format!("{CONTENT}/{guid}"), PUBLISHER, None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn get_with_include_adds_the_owner_and_tags() {
    let s = server();
    let (_, c) = call(&s, Method::POST, CONTENT, ADMIN, Some(json!({"name": "with-includes"}))).await;
    let guid = c["guid"].as_str().unwrap();
    // posit-sdk-py asks for all three, comma-separated and percent-encoded.
    let path = format!("{CONTENT}/{guid}?include=owner%2Ctags%2Cvanity_url");
    let (status, got) = call(&s, Method::GET, &path, ADMIN, None).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got["owner"]["guid"], c["owner_guid"]);
    assert!(got["owner"]["username"].is_string(), "{got}");
    assert_eq!(got["tags"], json!([]));
    assert!(got.get("vanity_url").is_none(), "no vanity URL was set: {got}");
    let (_, only_tags) = call(&s, Method::GET, &format!("{CONTENT}/{guid}?include=tags"), ADMIN, None).await;
    assert!(only_tags.get("owner").is_none() && only_tags["tags"] == json!([]), "{only_tags}");

    let bad = call(&s, Method::GET, &format!("{CONTENT}/{guid}?include=bundles"), ADMIN, None).await;
    assert_error(&bad, StatusCode::BAD_REQUEST, 161);
    let bad = call(&s, Method::GET, &format!("{CONTENT}/{guid}?page_size=2"), ADMIN, None).await;
    assert_error(&bad, StatusCode::BAD_REQUEST, 25);
}

#[tokio::test]
async fn missing_content_is_a_connect_style_404() {
    let s = server();
    let missing = format!("{CONTENT}/{}", uuid::Uuid::new_v4());
    assert_error(&call(&s, Method::GET, &missing, ADMIN, None).await, StatusCode::NOT_FOUND, 4);
    let assoc = format!("{missing}/oauth/integrations/associations");
    assert_error(&call(&s, Method::GET, &assoc, ADMIN, None).await, StatusCode::NOT_FOUND, 4);
}

#[tokio::test]
async fn create_validation_errors() {
    let s = server();
    let cases = [
        (json!({}), 12),
        (json!({"name": null}), 12),
        (json!({"name": 7}), 87),
        (json!({"name": "ab"}), 5),
        (json!({"name": "x".repeat(65)}), 5),
        (json!({"name": "has space"}), 5),
        (json!({"name": "dotted.name"}), 5),
        (json!({"name": "ok-name", "title": 1}), 87),
        (json!({"name": "ok-name", "description": []}), 87),
        (json!({"name": "ok-name", "access_type": "everyone"}), 117),
        // Fields Connect takes but the fake does not model are refused, not silently dropped.
        (json!({"name": "ok-name", "owner_guid": "someone"}), 87),
        (json!({"name": "ok-name", "min_processes": 1}), 87),
        (json!(["ok-name"]), 87),
    ];
    for (body, code) in cases {
        let a = call(&s, Method::POST, CONTENT, ADMIN, Some(body.clone())).await;
        assert_error(&a, StatusCode::BAD_REQUEST, code);
    }
    // 64 characters is still fine, and every access type is accepted.
    for (i, access) in ["all", "logged_in", "acl"].iter().enumerate() {
        let name = format!("{}{i}", "n".repeat(63));
        let (status, c) =
            call(&s, Method::POST, CONTENT, ADMIN, Some(json!({"name": name, "access_type": access}))).await;
        assert_eq!(status, StatusCode::OK, "{c}");
        assert_eq!(c["access_type"], *access);
    }
}

#[tokio::test]
async fn a_name_is_used_once_and_publishers_cannot_create() {
    let s = server();
    let (status, _) = call(&s, Method::POST, CONTENT, ADMIN, Some(json!({"name": "twice"}))).await;
    assert_eq!(status, StatusCode::OK);
    let again = call(&s, Method::POST, CONTENT, ADMIN, Some(json!({"name": "twice"}))).await;
    assert_error(&again, StatusCode::CONFLICT, 26);
    let publisher = call(&s, Method::POST, CONTENT, PUBLISHER, Some(json!({"name": "mine"}))).await;
    assert_error(&publisher, StatusCode::FORBIDDEN, 22);
    // Content added behind the API is there too, under a name of its own.
    let guid = s.store().add_content();
    let (status, c) = call(&s, Method::GET, &format!("{CONTENT}/{guid}"), ADMIN, None).await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert!(c["name"].as_str().is_some_and(|n| n.len() >= 3), "{c}");
}

#[tokio::test]
async fn associations_of_content_made_over_http() {
    let s = server();
    let integration = s.store().insert(
        "azure-openai",
        "OpenAI",
        "d",
        json!({"auth_type": "Viewer", "tenant_id": "t", "client_id": "c", "client_secret": "s",
               "scopes": "https://cognitiveservices.azure.com/.default offline_access"}),
    );
    let (_, c) = call(&s, Method::POST, CONTENT, ADMIN, Some(json!({"name": "uses-openai"}))).await;
    let content = c["guid"].as_str().unwrap();
    let path = format!("{CONTENT}/{content}/oauth/integrations/associations");

    let (status, list) = call(&s, Method::GET, &path, ADMIN, None).await;
    assert_eq!((status, list), (StatusCode::OK, json!([])));
    let (status, body) =
        call(&s, Method::PUT, &path, ADMIN, Some(json!([{"oauth_integration_guid": integration}]))).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));

    let (_, list) = call(&s, Method::GET, &path, ADMIN, None).await;
    let one = &list[0];
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(one["oauth_integration_guid"], integration);
    assert_eq!(one["oauth_integration_name"], "OpenAI");
    assert_eq!(one["oauth_integration_template"], "azure-openai");
    assert_eq!(one["oauth_integration_auth_type"], "Viewer");
    // 2025.07.0 (the fake's default version) names the content twice.
    assert_eq!(one["app_guid"], content);
    assert_eq!(one["content_guid"], content);

    let by_integration = format!("/__api__/v1/oauth/integrations/{integration}/associations");
    let (_, list) = call(&s, Method::GET, &by_integration, ADMIN, None).await;
    assert_eq!(list[0]["content_guid"], content, "{list}");

    // Older servers have only app_guid.
    s.store().set_server_version("2024.12.0");
    let (_, list) = call(&s, Method::GET, &path, ADMIN, None).await;
    assert_eq!(list[0]["app_guid"], content);
    assert!(list[0].get("content_guid").is_none(), "{list}");

    let (status, _) = call(&s, Method::PUT, &path, ADMIN, Some(json!([]))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(s.store().associations(content), Some(vec![]));
}
