//! The fake's HTTP API, driven over real sockets the way the provider drives it.

use std::time::{Duration, Instant};

use fake_connect::{FakeConnect, Options, Profile};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[path = "api/principals.rs"]
mod principals;

const ADMIN: &str = "admin-key";
const PUBLISHER: &str = "publisher-key";
const INTEGRATIONS: &str = "/__api__/v1/oauth/integrations";

fn server() -> FakeConnect {
    FakeConnect::spawn(Options {
        admin_key: ADMIN.into(),
        publisher_key: Some(PUBLISHER.into()),
        latency: Duration::ZERO,
    })
}

/// An answer: status, whether it said it was JSON, and the body (Null when empty).
struct Answer {
    status: StatusCode,
    json_type: bool,
    body: Value,
}

async fn call(server: &FakeConnect, method: Method, path: &str, key: Option<&str>, body: Option<Value>) -> Answer {
    let client = reqwest::Client::new();
    let mut req = client.request(method, format!("{}{path}", server.url()));
    if let Some(key) = key {
        req = req.header("Authorization", format!("Key {key}"));
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.expect("request");
    answer(res).await
}

async fn answer(res: reqwest::Response) -> Answer {
    let status = res.status();
    let json_type =
        res.headers().get("content-type").is_some_and(|v| v.to_str().unwrap().starts_with("application/json"));
    let text = res.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
    };
    Answer { status, json_type, body }
}

async fn raw_body(server: &FakeConnect, method: Method, path: &str, body: &'static str) -> Answer {
    let res = reqwest::Client::new()
        .request(method, format!("{}{path}", server.url()))
        .header("Authorization", format!("Key {ADMIN}"))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request");
    answer(res).await
}

fn azure_openai(secret: Option<&str>) -> Value {
    let mut config = json!({
        "auth_type": "Viewer",
        "tenant_id": "tenant-1",
        "client_id": "client-1",
        "scopes": "https://cognitiveservices.azure.com/.default offline_access",
    });
    if let Some(s) = secret {
        config["client_secret"] = json!(s);
    }
    json!({"template": "azure-openai", "name": "OpenAI", "description": "d", "config": config})
}

async fn create(server: &FakeConnect, body: Value) -> Value {
    let a = call(server, Method::POST, INTEGRATIONS, Some(ADMIN), Some(body)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body
}

fn assert_error(a: &Answer, status: StatusCode, code: i64) {
    assert_eq!(a.status, status, "{}", a.body);
    assert!(a.json_type, "error without a JSON content type");
    assert_eq!(a.body["code"], code, "{}", a.body);
    assert!(a.body["error"].as_str().is_some_and(|m| !m.is_empty()), "{}", a.body);
    assert!(a.body.get("payload").is_some_and(Value::is_null), "{}", a.body);
}

#[tokio::test]
async fn missing_or_wrong_key_is_401() {
    let s = server();
    let a = call(&s, Method::GET, INTEGRATIONS, None, None).await;
    assert_error(&a, StatusCode::UNAUTHORIZED, 24);
    let a = call(&s, Method::GET, INTEGRATIONS, Some("nope"), None).await;
    assert_error(&a, StatusCode::UNAUTHORIZED, 24);
    let a = call(&s, Method::POST, INTEGRATIONS, Some("nope"), Some(azure_openai(None))).await;
    assert_error(&a, StatusCode::UNAUTHORIZED, 24);
    let bearer =
        reqwest::Client::new().get(format!("{}{INTEGRATIONS}", s.url())).bearer_auth(ADMIN).send().await.unwrap();
    assert_eq!(bearer.status(), StatusCode::UNAUTHORIZED);
    assert!(s.store().is_empty());
}

#[tokio::test]
async fn publisher_reads_but_cannot_change() {
    let s = server();
    let guid = s.store().insert("msgraph", "g", "", json!({"tenant_id": "t", "client_id": "c"}));
    let a = call(&s, Method::GET, INTEGRATIONS, Some(PUBLISHER), None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body.as_array().unwrap().len(), 1);
    let one = format!("{INTEGRATIONS}/{guid}");
    assert_eq!(call(&s, Method::GET, &one, Some(PUBLISHER), None).await.status, StatusCode::OK);

    let a = call(&s, Method::POST, INTEGRATIONS, Some(PUBLISHER), Some(azure_openai(None))).await;
    assert_error(&a, StatusCode::FORBIDDEN, 22);
    let a = call(&s, Method::PATCH, &one, Some(PUBLISHER), Some(json!({"name": "x"}))).await;
    assert_error(&a, StatusCode::FORBIDDEN, 22);
    let a = call(&s, Method::DELETE, &one, Some(PUBLISHER), None).await;
    assert_error(&a, StatusCode::FORBIDDEN, 22);
    assert_eq!(s.store().get(&guid).unwrap()["name"], "g");
}

#[tokio::test]
async fn server_settings_reports_the_version_without_a_key() {
    let s = server();
    let a = call(&s, Method::GET, "/__api__/server_settings", None, None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.json_type);
    assert_eq!(a.body["version"], "2025.07.0");
    let a = call(&s, Method::GET, "/__api__/server_settings", Some("wrong"), None).await;
    assert_error(&a, StatusCode::UNAUTHORIZED, 24);
    s.store().set_server_version("2024.11.0");
    let a = call(&s, Method::GET, "/__api__/server_settings", Some(ADMIN), None).await;
    assert_eq!(a.body["version"], "2024.11.0");
}

/// `GET /v1/user` needs a key (unlike `server_settings`) and says whose it is, so a client can
/// check the key and its rights.
#[tokio::test]
async fn current_user_needs_a_key_and_names_the_role() {
    let s = server();
    let a = call(&s, Method::GET, "/__api__/v1/user", None, None).await;
    assert_error(&a, StatusCode::UNAUTHORIZED, 24);
    let a = call(&s, Method::GET, "/__api__/v1/user", Some("wrong"), None).await;
    assert_error(&a, StatusCode::UNAUTHORIZED, 24);
    let a = call(&s, Method::GET, "/__api__/v1/user", Some(ADMIN), None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["user_role"], "administrator");
    assert!(a.body["guid"].is_string() && a.body["username"].is_string(), "{}", a.body);
    let a = call(&s, Method::GET, "/__api__/v1/user", Some(PUBLISHER), None).await;
    assert_eq!(a.body["user_role"], "publisher");
}

#[tokio::test]
async fn create_answers_200_with_server_keys_and_no_secret() {
    let s = server();
    let a = call(&s, Method::POST, INTEGRATIONS, Some(ADMIN), Some(azure_openai(Some("s3cret")))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.json_type);
    let item = a.body;
    assert_eq!(item["id"], "1");
    let guid = item["guid"].as_str().unwrap();
    assert_eq!(uuid_version(guid), Some('4'), "{guid}");
    let created = item["created_time"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 20, "{created}");
    assert_eq!(item["updated_time"], item["created_time"]);
    assert_eq!(item["name"], "OpenAI");
    assert_eq!(item["description"], "d");
    assert_eq!(item["template"], "azure-openai");
    assert_eq!(item["auth_type"], "Viewer");
    assert_eq!(item["permissions"], json!([]));
    assert_eq!(item["environment_variables"], json!(["AZURE_TENANT_ID", "AZURE_CLIENT_ID"]), "the template's");
    assert_eq!(item["content_count"], 0);
    assert_eq!(
        item["config"],
        json!({
            "auth_type": "Viewer",
            "auth_mode": "Confidential",
            "use_pkce": false,
            "tenant_id": "tenant-1",
            "client_id": "client-1",
            "scopes": "https://cognitiveservices.azure.com/.default offline_access",
        })
    );
    assert!(!item.to_string().contains("s3cret"));
    assert_eq!(s.store().secret(guid).as_deref(), Some("s3cret"));

    // Nothing else gives the secret away either.
    for path in [INTEGRATIONS.to_string(), format!("{INTEGRATIONS}/{guid}")] {
        let a = call(&s, Method::GET, &path, Some(ADMIN), None).await;
        assert!(!a.body.to_string().contains("s3cret"), "{path}");
    }
    let b = create(&s, azure_openai(None)).await;
    assert_eq!(b["id"], "2");
}

fn uuid_version(guid: &str) -> Option<char> {
    let parts: Vec<&str> = guid.split('-').collect();
    (parts.len() == 5 && guid.len() == 36).then(|| parts[2].chars().next()).flatten()
}

#[tokio::test]
async fn public_viewer_and_service_account_modes() {
    let s = server();
    let public = create(&s, azure_openai(None)).await;
    assert_eq!(public["config"]["auth_mode"], "Public");
    assert_eq!(public["config"]["use_pkce"], true);

    let mut sa = azure_openai(Some("x"));
    sa["config"]["auth_type"] = json!("Service Account");
    let sa = create(&s, sa).await;
    assert_eq!(sa["auth_type"], "Service Account");
    assert_eq!(sa["config"]["auth_mode"], "Confidential");
    assert_eq!(sa["config"]["use_pkce"], false);

    // Keys the client sent itself are kept as sent.
    let mut explicit = azure_openai(Some("x"));
    explicit["config"]["auth_mode"] = json!("Public");
    explicit["config"]["use_pkce"] = json!(true);
    let explicit = create(&s, explicit).await;
    assert_eq!(explicit["config"]["auth_mode"], "Public");
    assert_eq!(explicit["config"]["use_pkce"], true);

    // Not the Azure family: no use_pkce, and `connect` gets nothing added.
    let custom = create(&s, json!({"template": "custom", "name": "c", "config": {"client_id": "x"}})).await;
    assert_eq!(custom["config"], json!({"client_id": "x", "auth_mode": "Public"}));
    let connect = create(&s, json!({"template": "connect", "name": "k", "config": {"max_role": "Publisher"}})).await;
    assert_eq!(connect["config"], json!({"max_role": "Publisher"}));
    assert_eq!(connect["auth_type"], "Visitor API Key");
}

#[tokio::test]
async fn list_returns_all_in_creation_order_and_names_may_repeat() {
    let s = server();
    let empty = call(&s, Method::GET, INTEGRATIONS, Some(ADMIN), None).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.json_type);
    assert_eq!(empty.body, json!([]));
    let a = create(&s, azure_openai(None)).await;
    let b = create(&s, azure_openai(Some("x"))).await;
    let list = call(&s, Method::GET, INTEGRATIONS, Some(ADMIN), None).await.body;
    assert_eq!(list, json!([a, b]));
    assert_eq!(list[0]["name"], list[1]["name"]);
    assert_eq!(s.store().integrations(), list.as_array().unwrap().clone());
}

#[tokio::test]
async fn get_missing_is_404_with_a_json_body() {
    let s = server();
    let a =
        call(&s, Method::GET, &format!("{INTEGRATIONS}/1c3e1b34-9bd2-4a4b-9c3f-6b0b2b7b7d6a"), Some(ADMIN), None).await;
    assert_error(&a, StatusCode::NOT_FOUND, 4);
    let a = call(&s, Method::GET, &format!("{INTEGRATIONS}/not-a-guid"), Some(ADMIN), None).await;
    assert_error(&a, StatusCode::NOT_FOUND, 4);
    let created = create(&s, azure_openai(None)).await;
    let path = format!("{INTEGRATIONS}/{}", created["guid"].as_str().unwrap());
    let a = call(&s, Method::GET, &path, Some(ADMIN), None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body, created);
    let assoc = call(&s, Method::GET, &format!("{path}/associations"), Some(ADMIN), None).await;
    assert_eq!((assoc.status, assoc.body), (StatusCode::OK, json!([])));
}

#[tokio::test]
async fn patch_merges_config_and_replaces_the_secret() {
    let s = server();
    let created = create(&s, azure_openai(None)).await;
    let guid = created["guid"].as_str().unwrap().to_string();
    let path = format!("{INTEGRATIONS}/{guid}");
    // A key added in the dashboard, which the patch below removes with null.
    s.store().edit(&guid, "config.extra", json!("keep me"));

    let a = call(
        &s,
        Method::PATCH,
        &path,
        Some(ADMIN),
        Some(json!({"name": "Renamed", "config": {"client_id": "client-2", "client_secret": "new", "extra": null}})),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.json_type);
    let item = a.body;
    assert_eq!(item["name"], "Renamed");
    assert_eq!(item["description"], "d", "untouched fields stay");
    assert_eq!(item["guid"], guid.as_str());
    assert_eq!(item["id"], created["id"]);
    assert_eq!(item["created_time"], created["created_time"]);
    assert_eq!(
        item["config"],
        json!({
            "auth_type": "Viewer",
            "tenant_id": "tenant-1",
            "client_id": "client-2",
            "scopes": "https://cognitiveservices.azure.com/.default offline_access",
            "auth_mode": "Confidential",
            "use_pkce": false,
        })
    );
    assert_eq!(s.store().secret(&guid).as_deref(), Some("new"));
    assert_eq!(s.store().get(&guid).unwrap(), item);

    // Removing the secret makes it Public again.
    let a = call(&s, Method::PATCH, &path, Some(ADMIN), Some(json!({"config": {"client_secret": null}}))).await;
    assert_eq!(a.body["config"]["auth_mode"], "Public");
    assert_eq!(a.body["config"]["use_pkce"], true);
    assert_eq!(s.store().secret(&guid), None);

    // An empty patch is fine and changes nothing but the time.
    let a = call(&s, Method::PATCH, &path, Some(ADMIN), Some(json!({}))).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["name"], "Renamed");

    let a = call(&s, Method::PATCH, &format!("{INTEGRATIONS}/missing"), Some(ADMIN), Some(json!({"name": "x"}))).await;
    assert_error(&a, StatusCode::NOT_FOUND, 4);
}

#[tokio::test]
async fn patch_bumps_updated_time() {
    let s = server();
    let created = create(&s, azure_openai(None)).await;
    let path = format!("{INTEGRATIONS}/{}", created["guid"].as_str().unwrap());
    // Times have whole seconds: wait until the clock moves on.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let a = call(&s, Method::PATCH, &path, Some(ADMIN), Some(json!({"description": "new"}))).await;
    assert!(a.body["updated_time"].as_str().unwrap() > created["updated_time"].as_str().unwrap());
    assert_eq!(a.body["created_time"], created["created_time"]);
}

#[tokio::test]
async fn delete_answers_204_then_404() {
    let s = server();
    let created = create(&s, azure_openai(Some("x"))).await;
    let path = format!("{INTEGRATIONS}/{}", created["guid"].as_str().unwrap());
    let a = call(&s, Method::DELETE, &path, Some(ADMIN), None).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert_eq!(a.body, Value::Null);
    assert!(s.store().is_empty());
    assert_error(&call(&s, Method::GET, &path, Some(ADMIN), None).await, StatusCode::NOT_FOUND, 4);
    assert_error(&call(&s, Method::DELETE, &path, Some(ADMIN), None).await, StatusCode::NOT_FOUND, 4);
}

#[tokio::test]
async fn create_validation_errors() {
    let s = server();
    let cases: Vec<(Value, i64, &str)> = vec![
        (json!({"template": "nope", "name": "n", "config": {}}), 227, "template"),
        (json!({"name": "n", "config": {}}), 12, "template"),
        (json!({"template": "azure-openai", "config": {"tenant_id": "t", "client_id": "c"}}), 12, "name"),
        (json!({"template": "azure-openai", "name": "  ", "config": {"tenant_id": "t", "client_id": "c"}}), 12, "name"),
        (json!({"template": "azure-openai", "name": "n", "config": {"client_id": "c"}}), 228, "tenant_id"),
        (json!({"template": "msgraph", "name": "n", "config": {"tenant_id": "t"}}), 228, "client_id"),
        (json!({"template": "azure", "name": "n", "config": {"tenant_id": "t", "client_id": "c"}}), 228, "scopes"),
        (
            json!({"template": "sharepoint", "name": "n", "config": {"tenant_id": "t", "client_id": "c", "auth_type": "Visitor API Key"}}),
            228,
            "must be one of (Viewer, Service Account)",
        ),
        (
            json!({"template": "azure-openai", "name": "n", "config": {"tenant_id": "t", "client_id": "c", "auth_type": "Service Account"}}),
            228,
            "client_secret",
        ),
        (
            json!({"template": "azure-openai", "name": "n", "config": {"tenant_id": "t", "client_id": "c", "client_secret": ""}}),
            228,
            "client_secret",
        ),
        (
            json!({"template": "azure-openai", "name": "n", "config": {"tenant_id": "t", "client_id": "c", "use_pkce": "true"}}),
            228,
            "use_pkce",
        ),
        (
            json!({"template": "connect", "name": "n", "config": {"max_role": "Owner"}}),
            228,
            "The config key max_role must be one of (Viewer, Publisher, Admin)",
        ),
        (json!({"template": "azure-openai", "name": "n", "config": "x"}), 87, "config"),
        (json!({"template": "custom", "name": "n", "config": {"scopes": ["a"]}}), 228, "scopes"),
        (json!({"template": "azure-openai", "name": 7}), 87, "name"),
        (json!({"template": "custom", "name": "n", "permissions": {}}), 87, "permissions"),
        (json!([1, 2]), 87, "JSON object"),
    ];
    for (body, code, needle) in cases {
        let a = call(&s, Method::POST, INTEGRATIONS, Some(ADMIN), Some(body.clone())).await;
        assert_error(&a, StatusCode::BAD_REQUEST, code);
        let message = a.body["error"].as_str().unwrap();
        assert!(message.contains(needle), "{body} -> {message}");
    }
    let a = raw_body(&s, Method::POST, INTEGRATIONS, "{not json").await;
    assert_error(&a, StatusCode::BAD_REQUEST, 87);
    let a = raw_body(&s, Method::POST, INTEGRATIONS, "").await;
    assert_error(&a, StatusCode::BAD_REQUEST, 87);
    assert!(s.store().is_empty(), "no refused create may leave an integration");
}

#[tokio::test]
async fn patch_validation_errors_leave_the_integration_unchanged() {
    let s = server();
    let created = create(&s, azure_openai(Some("keep"))).await;
    let guid = created["guid"].as_str().unwrap().to_string();
    let path = format!("{INTEGRATIONS}/{guid}");
    let cases: Vec<(Value, i64, &str)> = vec![
        (json!({"template": "msgraph"}), 229, "template"),
        (json!({"template": "azure-openai", "name": "x"}), 229, "template"),
        (json!({"name": null}), 12, "name"),
        (json!({"name": ""}), 12, "name"),
        (json!({"name": "x", "config": {"tenant_id": null}}), 228, "tenant_id"),
        (json!({"config": {"auth_type": "Service Account", "client_secret": null}}), 228, "client_secret"),
        (json!({"config": {"auth_type": "Admin"}}), 228, "auth_type"),
        (json!({"config": []}), 87, "config"),
        (json!("x"), 87, "JSON object"),
    ];
    for (body, code, needle) in cases {
        let a = call(&s, Method::PATCH, &path, Some(ADMIN), Some(body.clone())).await;
        assert_error(&a, StatusCode::BAD_REQUEST, code);
        let message = a.body["error"].as_str().unwrap();
        assert!(message.contains(needle), "{body} -> {message}");
    }
    let a = raw_body(&s, Method::PATCH, &path, "nope").await;
    assert_error(&a, StatusCode::BAD_REQUEST, 87);
    assert_eq!(s.store().get(&guid).unwrap(), created);
    assert_eq!(s.store().secret(&guid).as_deref(), Some("keep"));
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods() {
    let s = server();
    let a = call(&s, Method::GET, "/__api__/v1/nothing", Some(ADMIN), None).await;
    assert_error(&a, StatusCode::NOT_FOUND, 2);
    let a = call(&s, Method::GET, "/elsewhere", None, None).await;
    assert_error(&a, StatusCode::NOT_FOUND, 2);
    let a = call(&s, Method::PUT, INTEGRATIONS, Some(ADMIN), Some(json!({}))).await;
    assert_error(&a, StatusCode::METHOD_NOT_ALLOWED, 2);
    let a = call(&s, Method::POST, &format!("{INTEGRATIONS}/x"), Some(ADMIN), Some(json!({}))).await;
    assert_error(&a, StatusCode::METHOD_NOT_ALLOWED, 2);
}

#[tokio::test]
async fn templates_describe_the_azure_family_and_the_tested_others() {
    let s = server();
    let a = call(&s, Method::GET, "/__api__/v1/oauth/templates", Some(PUBLISHER), None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.json_type);
    let ids: Vec<&str> = a.body.as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["azure", "azure-openai", "msgraph", "sharepoint", "custom", "snowflake", "github", "connect"]);
    let a = call(&s, Method::GET, "/__api__/v1/oauth/templates/msgraph", Some(ADMIN), None).await;
    let scopes = a.body["fields"].as_array().unwrap().iter().find(|f| f["name"] == "scopes").unwrap();
    assert_eq!(scopes["default"], "https://graph.microsoft.com/.default offline_access");
    let secret = a.body["fields"].as_array().unwrap().iter().find(|f| f["name"] == "client_secret").unwrap();
    assert_eq!(secret["secret"], true);
    for field in a.body["fields"].as_array().unwrap() {
        for key in ["name", "label", "default", "validation", "secret"] {
            assert!(field.get(key).is_some(), "{field} lacks {key}");
        }
    }
    assert!(a.body["options"].is_array());
    let a = call(&s, Method::GET, "/__api__/v1/oauth/templates/nope", Some(ADMIN), None).await;
    assert_error(&a, StatusCode::NOT_FOUND, 4);
}

#[tokio::test]
async fn null_names_lists_an_integration_made_elsewhere() {
    let s = server();
    s.store().set_profile(Profile::NullNames);
    s.store().set_profile(Profile::NullNames);
    assert_eq!(s.store().len(), 1, "stored once, however often the profile is set");
    let elsewhere = format!("{INTEGRATIONS}/{}", Profile::NULL_NAMES_GUID);
    let a = call(&s, Method::GET, &elsewhere, Some(ADMIN), None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let item = a.body;
    assert_eq!((&item["name"], &item["description"], &item["template"]), (&Value::Null, &Value::Null, &Value::Null));
    assert_eq!(item["auth_type"], "Viewer");
    assert_eq!(item["config"]["client_id"], "made-elsewhere");

    let created = create(&s, azure_openai(None)).await;
    let list = call(&s, Method::GET, INTEGRATIONS, Some(PUBLISHER), None).await.body;
    assert_eq!(list, json!([item, created]), "in every list, first as made first");
    // A content item may use it, and its associations carry the nulls.
    let content = s.store().add_content();
    s.store().set_associations(&content, vec![Profile::NULL_NAMES_GUID.to_string()]).unwrap();
    let path = format!("/__api__/v1/content/{content}/oauth/integrations/associations");
    let associations = call(&s, Method::GET, &path, Some(ADMIN), None).await.body;
    assert_eq!(associations[0]["oauth_integration_name"], Value::Null);
    assert_eq!(associations[0]["oauth_integration_template"], Value::Null);
    // It can be changed and deleted like any other.
    let a = call(&s, Method::PATCH, &elsewhere, Some(ADMIN), Some(json!({"description": "seen"}))).await;
    assert_eq!((a.status, &a.body["description"], &a.body["name"]), (StatusCode::OK, &json!("seen"), &Value::Null));
    assert_eq!(call(&s, Method::DELETE, &elsewhere, Some(ADMIN), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.store().len(), 1);
}

#[tokio::test]
async fn strict_values_refuse_what_is_not_a_string_or_a_boolean() {
    let s = server();
    let lenient = create(&s, azure_openai(Some("held"))).await;
    let path = format!("{INTEGRATIONS}/{}", lenient["guid"].as_str().unwrap());
    s.store().set_profile(Profile::StrictValues);
    for (key, value, said) in [
        ("client_secret", Value::Null, "null"),
        ("scopes", json!(3), "a number"),
        ("tenant_id", json!({"id": "t"}), "an object"),
        ("use_pkce", json!(["x"]), "an array"),
    ] {
        let mut body = azure_openai(None);
        body["config"][key] = value.clone();
        let a = call(&s, Method::POST, INTEGRATIONS, Some(ADMIN), Some(body)).await;
        assert_error(&a, StatusCode::BAD_REQUEST, 228);
        assert_eq!(a.body["error"], format!("The config key {key} must be a string or a boolean, not {said}"));
        let a = call(&s, Method::PATCH, &path, Some(ADMIN), Some(json!({"config": {key: value}}))).await;
        assert_error(&a, StatusCode::BAD_REQUEST, 228);
    }
    assert_eq!(s.store().len(), 1, "no refused create made anything");
    assert_eq!(s.store().secret(lenient["guid"].as_str().unwrap()).as_deref(), Some("held"));
    let mut fine = azure_openai(Some("s"));
    fine["config"]["use_pkce"] = json!(false);
    create(&s, fine).await;

    // The default profile takes null as "not sent" on create and "remove" on a PATCH.
    s.store().set_profile(Profile::Derives);
    let a = call(&s, Method::PATCH, &path, Some(ADMIN), Some(json!({"config": {"client_secret": null}}))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(s.store().secret(lenient["guid"].as_str().unwrap()), None);
    let mut body = azure_openai(None);
    body["config"]["client_secret"] = Value::Null;
    let created = create(&s, body).await;
    assert_eq!(created["config"]["auth_mode"], "Public");
}

#[tokio::test]
async fn permissions_are_answered_as_the_document_has_them() {
    let s = server();
    let user = s.store().add_user("jane.doe");
    let group = s.store().add_group("Analysts");
    let mut body = azure_openai(None);
    body["permissions"] = json!([{"user_guid": user}]);
    let created = create(&s, body).await;
    let entry = &created["permissions"][0];
    assert_eq!((&entry["user_guid"], &entry["group_guid"]), (&json!(user), &Value::Null));
    assert_eq!(entry["integration_guid"], created["guid"]);
    assert!(entry["id"].is_string() && entry["guid"].is_string(), "{entry}");
    let path = format!("{INTEGRATIONS}/{}", created["guid"].as_str().unwrap());
    let a = call(&s, Method::PATCH, &path, Some(ADMIN), Some(json!({"permissions": [{"group_guid": group}]}))).await;
    assert_eq!(a.body["permissions"].as_array().map(|p| p.len()), Some(1), "a PATCH replaces the list");
    assert_eq!(a.body["permissions"][0]["group_guid"], group);
    let a = call(&s, Method::PATCH, &path, Some(ADMIN), Some(json!({"permissions": [{"user_guid": "me"}]}))).await;
    assert_error(&a, StatusCode::BAD_REQUEST, 87);
}

#[tokio::test]
async fn requests_are_recorded_with_bodies_and_statuses() {
    let s = server();
    let created = create(&s, azure_openai(Some("sent"))).await;
    let path = format!("{INTEGRATIONS}/{}", created["guid"].as_str().unwrap());
    call(&s, Method::GET, &format!("{path}?x=1"), None, None).await;
    call(&s, Method::PATCH, &path, Some(ADMIN), Some(json!({"name": "m"}))).await;
    let log = s.store().requests();
    let seen: Vec<(&str, &str, u16)> = log.iter().map(|r| (r.method.as_str(), r.path.as_str(), r.status)).collect();
    assert_eq!(
        seen,
        [("POST", INTEGRATIONS, 200), ("GET", format!("{path}?x=1").as_str(), 401), ("PATCH", path.as_str(), 200),]
    );
    assert_eq!(log[0].body.as_ref().unwrap()["config"]["client_secret"], "sent");
    assert_eq!(log[1].body, None);
    assert!(log[2].body.as_ref().unwrap()["config"].is_null());
    s.store().clear_requests();
    assert!(s.store().requests().is_empty());
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let s = FakeConnect::spawn(Options { latency: Duration::from_millis(150), ..Options::new(ADMIN) });
    let start = Instant::now();
    let a = call(&s, Method::GET, INTEGRATIONS, None, None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(start.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn concurrent_creates_get_distinct_ids() {
    let s = server();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let url = format!("{}{INTEGRATIONS}", s.url());
        tasks.push(tokio::spawn(async move {
            let mut body = azure_openai(None);
            body["name"] = json!(format!("n{i}"));
            let res = reqwest::Client::new()
                .post(url)
                .header("Authorization", format!("Key {ADMIN}"))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut ids: Vec<String> = s.store().integrations().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20);
}

#[test]
fn usable_from_synchronous_code_and_stops_on_drop() {
    let s = server();
    let addr = s.url().trim_start_matches("http://").to_string();
    // A bare HTTP/1.1 exchange over std's blocking socket: no async runtime in this test.
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "GET {INTEGRATIONS} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Key {ADMIN}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.to_ascii_lowercase().contains("content-type: application/json"), "{text}");
    assert!(text.ends_with("[]"), "{text}");

    // An idle keep-alive connection must not keep the server alive.
    let _idle = std::net::TcpStream::connect(&addr).unwrap();
    drop(s);
    assert!(std::net::TcpStream::connect(&addr).is_err(), "still listening after drop");
}

#[test]
fn the_binary_prints_its_url_and_serves() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-connect"))
        .args(["--port", "0", "--api-key", "k", "--latency-ms", "1"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start fake-connect");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(stream, "GET /__api__/server_settings HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("\"version\":\"2025.07.0\""), "{text}");
    child.kill().unwrap();
    child.wait().unwrap();
}
