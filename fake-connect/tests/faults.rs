//! Injected faults and HTTPS, seen from a client: what a refusal, a delay and a dropped
//! connection look like on the wire, that a dropped create was still made, and an oversized
//! answer.

use std::time::{Duration, Instant};

use fake_connect::{FakeConnect, Fault, Options, TlsIdentity};
use reqwest::StatusCode;
use serde_json::{json, Value};

const ADMIN: &str = "admin-key";
const INTEGRATIONS: &str = "/__api__/v1/oauth/integrations";

fn body(name: &str) -> Value {
    json!({"template": "msgraph", "name": name, "config": {"tenant_id": "t", "client_id": "c"}})
}

async fn post(client: &reqwest::Client, server: &FakeConnect, name: &str) -> reqwest::Result<reqwest::Response> {
    client
        .post(format!("{}{INTEGRATIONS}", server.url()))
        .header("Authorization", format!("Key {ADMIN}"))
        .json(&body(name))
        .send()
        .await
}

#[tokio::test]
async fn every_nth_request_is_refused_with_retry_after() {
    let s = FakeConnect::spawn(Options::new(ADMIN));
    s.faults().set(vec![Fault::refuse(2, 429, Some("7")), Fault::refuse(3, 503, None).only("POST")]);
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for i in 0..6 {
        let res = post(&client, &s, &format!("n{i}")).await.unwrap();
        let status = res.status();
        let retry_after = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
        if status != StatusCode::OK {
            let err: Value = res.json().await.unwrap();
            assert!(err["error"].as_str().is_some_and(|m| !m.is_empty()), "{err}");
            assert!(err["payload"].is_null(), "{err}");
        }
        statuses.push((status.as_u16(), retry_after));
    }
    let seven = || Some("7".to_string());
    assert_eq!(statuses, [(200, None), (429, seven()), (503, None), (429, seven()), (200, None), (429, seven())]);
    // Refused requests were not acted on, and the log says how each was answered.
    assert_eq!(s.store().len(), 2);
    let logged: Vec<u16> = s.store().requests().iter().map(|r| r.status).collect();
    assert_eq!(logged, [200, 429, 503, 429, 200, 429]);
    assert_eq!(s.faults().fired(), 5);

    s.faults().clear();
    assert_eq!(post(&client, &s, "calm").await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn a_dropped_create_was_still_made() {
    let s = FakeConnect::spawn(Options::new(ADMIN));
    s.faults().set(vec![Fault::drop_after_acting(1).only("POST")]);
    let client = reqwest::Client::new();
    let e = post(&client, &s, "lost").await.unwrap_err();
    assert!(!e.is_connect(), "the connection was made and the request read: {e:?}");
    // Made, though nobody was told; the log shows no answer (status 0).
    let all = s.store().integrations();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["name"], "lost");
    assert_eq!(s.store().requests()[0].status, 0);

    // Reads are untouched by a POST-only fault.
    let res = client.get(format!("{}{INTEGRATIONS}", s.url())).header("Authorization", format!("Key {ADMIN}")).send();
    assert_eq!(res.await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn delays_slow_down_chosen_requests() {
    let s = FakeConnect::spawn(Options::new(ADMIN));
    s.faults().set(vec![Fault::delay(2, Duration::from_millis(200))]);
    let client = reqwest::Client::new();
    let mut took = Vec::new();
    for i in 0..2 {
        let start = Instant::now();
        post(&client, &s, &format!("n{i}")).await.unwrap();
        took.push(start.elapsed());
    }
    assert!(took[0] < Duration::from_millis(150), "{took:?}");
    assert!(took[1] >= Duration::from_millis(200), "{took:?}");
}

#[tokio::test]
async fn serves_https_with_the_given_certificate() {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    let cert = leaf.signed_by(&key, &issuer).unwrap();

    let s = FakeConnect::spawn_with(
        Options::new(ADMIN),
        Some(TlsIdentity { cert_chain_pem: cert.pem(), key_pem: key.serialize_pem() }),
    );
    assert!(s.url().starts_with("https://127.0.0.1:"), "{}", s.url());

    let untrusting = reqwest::Client::new();
    let e = post(&untrusting, &s, "x").await.unwrap_err();
    assert!(e.is_connect(), "{e:?}");

    let ca = reqwest::Certificate::from_pem(ca_cert.pem().as_bytes()).unwrap();
    let trusting = reqwest::Client::builder().add_root_certificate(ca).build().unwrap();
    assert_eq!(post(&trusting, &s, "x").await.unwrap().status(), StatusCode::OK);
    // Faults work over TLS too.
    s.faults().set(vec![Fault::drop_after_acting(1)]);
    assert!(post(&trusting, &s, "y").await.is_err());
    assert_eq!(s.store().len(), 2);
}

#[tokio::test]
async fn oversized_answers_stream_that_many_bytes_without_acting() {
    let s = FakeConnect::spawn(Options::new(ADMIN));
    let size = (3 << 20) + 5;
    s.faults().set(vec![Fault::oversized(1, size)]);
    let client = reqwest::Client::new();
    let mut res = post(&client, &s, "never").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.content_length(), None, "streamed, so a client cannot refuse it by its length");
    let (mut total, mut chunks, mut head) = (0u64, 0, Vec::new());
    while let Some(chunk) = res.chunk().await.unwrap() {
        total += chunk.len() as u64;
        chunks += 1;
        head.extend_from_slice(&chunk[..chunk.len().min(4 - head.len().min(4))]);
    }
    assert_eq!(total, size);
    assert!(chunks > 1, "sent in chunks");
    assert_eq!(head, b"[\"xx");
    assert!(s.store().is_empty(), "the create was not made");
    assert_eq!(s.store().requests()[0].status, 200);

    // Tiny sizes are still JSON.
    s.faults().set(vec![Fault::oversized(1, 0)]);
    let res = post(&client, &s, "never").await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap(), json!([""]));
}
