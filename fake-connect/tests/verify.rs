//! `POST /v1/oauth/integrations/{guid}/verify`, the simulated token exchange: 200 with no body
//! for a Service Account whose secret the fake accepts (any not starting with `wrong`), 400 code
//! 241 with the identity provider's refusal otherwise, 400 code 240 for any other auth type, 404
//! for a missing integration.

use std::time::Duration;

use fake_connect::{FakeConnect, Options};
use reqwest::StatusCode;
use serde_json::{json, Value};

const ADMIN: &str = "admin-key";
const INTEGRATIONS: &str = "/__api__/v1/oauth/integrations";

fn server() -> FakeConnect {
    FakeConnect::spawn(Options { admin_key: ADMIN.into(), publisher_key: None, latency: Duration::ZERO })
}

async fn post(s: &FakeConnect, path: &str, body: Option<Value>) -> (StatusCode, String) {
    let mut req =
        reqwest::Client::new().post(format!("{}{path}", s.url())).header("Authorization", format!("Key {ADMIN}"));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.expect("request");
    (res.status(), res.text().await.expect("body"))
}

async fn create(s: &FakeConnect, auth_type: &str, secret: &str) -> String {
    let body = json!({"template": "azure-openai", "name": format!("{auth_type} {secret}"), "config": {
        "tenant_id": "t", "client_id": "c", "client_secret": secret, "auth_type": auth_type}});
    let (status, text) = post(s, INTEGRATIONS, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str::<Value>(&text).unwrap()["guid"].as_str().unwrap().to_string()
}

async fn verify(s: &FakeConnect, guid: &str) -> (StatusCode, Value) {
    let (status, text) = post(s, &format!("{INTEGRATIONS}/{guid}/verify"), None).await;
    (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() })
}

#[tokio::test]
async fn a_service_account_with_an_accepted_secret_verifies_with_no_body() {
    let s = server();
    let guid = create(&s, "Service Account", "good-secret").await;
    assert_eq!(verify(&s, &guid).await, (StatusCode::OK, Value::Null));
}

#[tokio::test]
async fn a_refused_secret_is_400_code_241_in_the_identity_provider_s_words() {
    let s = server();
    let guid = create(&s, "Service Account", "wrong-secret").await;
    let (status, body) = verify(&s, &guid).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], 241);
    assert!(body["error"].as_str().unwrap().contains("AADSTS7000215"), "{body}");
    assert!(!body.to_string().contains("wrong-secret"), "the secret is never echoed: {body}");
}

#[tokio::test]
async fn a_viewer_integration_is_400_code_240_and_a_missing_one_404() {
    let s = server();
    let guid = create(&s, "Viewer", "good-secret").await;
    let (status, body) = verify(&s, &guid).await;
    assert_eq!((status, body["code"].as_i64()), (StatusCode::BAD_REQUEST, Some(240)));
    assert!(body["error"].as_str().unwrap().contains("Service Account"), "{body}");

    let (status, body) = verify(&s, "00000000-0000-0000-0000-000000000000").await;
    assert_eq!((status, body["code"].as_i64()), (StatusCode::NOT_FOUND, Some(4)));
}
