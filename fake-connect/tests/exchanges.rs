//! The record of exchanges `FAKE_CONNECT_EXCHANGES` asks for, read back as the contract test
//! reads it. A test binary of its own: the variable is read from the process's environment when
//! a server starts, so no test elsewhere may have it changed under it.

use std::path::{Path, PathBuf};

use fake_connect::{FakeConnect, Fault, FaultAction, Options, Profile, EXCHANGES_ENV};
use serde_json::{json, Value};

const ADMIN: &str = "admin-key";
const INTEGRATIONS: &str = "/__api__/v1/oauth/integrations";

fn fresh_dir() -> PathBuf {
    std::env::temp_dir().join(format!("fake-connect-exchanges-{}", uuid::Uuid::new_v4()))
}

/// Every line of every file in `dir`, in order.
fn lines(dir: &Path) -> Vec<Value> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    files.sort();
    let text: String = files.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect();
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

async fn send(s: &FakeConnect, method: reqwest::Method, path: &str, body: Option<Value>) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .request(method, format!("{}{path}", s.url()))
        .header("Authorization", format!("Key {ADMIN}"))
        .header("User-Agent", "exchanges-test/1");
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn every_exchange_is_written_as_it_completes_and_none_when_unset() {
    let dir = fresh_dir();
    std::env::set_var(EXCHANGES_ENV, &dir);
    let s = FakeConnect::spawn(Options::new(ADMIN));
    s.store().set_profile(Profile::StrictKeys);
    let port = s.url().rsplit(':').next().unwrap().to_string();
    let body = json!({"template": "msgraph", "name": "n", "config": {"tenant_id": "t", "client_id": "c"}});
    let created: Value = send(&s, reqwest::Method::POST, INTEGRATIONS, Some(body.clone())).await.json().await.unwrap();
    // Written before the answer goes out: no need to wait for the server to stop.
    let written = lines(&dir);
    assert_eq!(written.len(), 1, "{written:?}");
    let file = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().file_name();
    assert_eq!(file.to_string_lossy(), format!("{}-{port}.jsonl", std::process::id()));
    let line = &written[0];
    assert_eq!((&line["method"], &line["path"], &line["status"]), (&json!("POST"), &json!(INTEGRATIONS), &json!(200)));
    assert_eq!((&line["request_body"], &line["request_content_type"]), (&body, &json!("application/json")));
    assert_eq!(line["response_body"], created);
    assert_eq!(line["content_type"], "application/json");
    assert_eq!((&line["has_key"], &line["user_agent"]), (&json!(true), &json!("exchanges-test/1")));
    assert_eq!((&line["profile"], &line["fault"]), (&json!("strict-keys"), &Value::Null));
    assert!(line["program"].as_str().is_some_and(|p| p.starts_with("exchanges")), "{line}");
    assert_eq!(line["test"], "every_exchange_is_written_as_it_completes_and_none_when_unset");
    assert!(!line.to_string().contains(ADMIN), "the key is never written");

    // Answers without a body, answers that are not JSON, the query, and the faults.
    let guid = created["guid"].as_str().unwrap();
    send(&s, reqwest::Method::DELETE, &format!("{INTEGRATIONS}/{guid}"), None).await;
    s.store().set_profile(Profile::Older);
    send(&s, reqwest::Method::GET, "/__api__/v1/oauth/templates?x=1", None).await;
    s.faults().set(vec![Fault::new(1, FaultAction::DuplicateInList)]);
    s.store().insert("custom", "listed", "", json!({}));
    let listed: Value = send(&s, reqwest::Method::GET, INTEGRATIONS, None).await.json().await.unwrap();
    s.faults().set(vec![Fault::refuse(1, 429, Some("1"))]);
    send(&s, reqwest::Method::GET, INTEGRATIONS, None).await;
    s.faults().set(vec![Fault::oversized(1, 3 << 20)]);
    let streamed = send(&s, reqwest::Method::GET, INTEGRATIONS, None).await.bytes().await.unwrap();
    assert_eq!(streamed.len(), 3 << 20, "recording leaves the streamed answer whole");
    let written = lines(&dir);
    let [_, deleted, templates, duplicated, refused, oversized] = &written[..] else { panic!("{written:?}") };
    assert_eq!(
        (&deleted["status"], deleted.get("response_body"), &deleted["response_bytes"]),
        (&json!(204), None, &json!(0))
    );
    assert_eq!((&templates["path"], &templates["status"]), (&json!("/__api__/v1/oauth/templates?x=1"), &json!(404)));
    assert!(templates["response_text"].as_str().is_some_and(|t| t.contains("<html>")), "{templates}");
    assert!(templates["content_type"].as_str().is_some_and(|t| t.starts_with("text/html")), "{templates}");
    assert_eq!(templates["profile"], "older");
    assert_eq!((&duplicated["fault"], &duplicated["response_body"]), (&json!("duplicate-list"), &listed));
    assert_eq!((&refused["fault"], &refused["status"]), (&json!("refuse"), &json!(429)));
    assert_eq!((&oversized["fault"], oversized.get("response_body")), (&json!("oversized"), None));
    assert_eq!(oversized["response_bytes"], Value::Null);
    // The store's own log is unchanged by recording.
    assert_eq!(s.store().requests().len(), 6);
    drop(s);

    std::env::remove_var(EXCHANGES_ENV);
    let quiet = FakeConnect::spawn(Options::new(ADMIN));
    send(&quiet, reqwest::Method::GET, INTEGRATIONS, None).await;
    assert_eq!(lines(&dir).len(), 6, "nothing written with the variable unset");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_binary_records_into_the_directory_named() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Command, Stdio};
    let dir = fresh_dir();
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-connect"))
        .args(["--port", "0", "--api-key", "k", "--profile", "null-names"])
        .env(EXCHANGES_ENV, &dir)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start fake-connect");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    write!(stream, "GET {INTEGRATIONS} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Key k\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    let port = addr.rsplit(':').next().unwrap();
    let file = dir.join(format!("{}-{port}.jsonl", child.id()));
    child.kill().unwrap();
    child.wait().unwrap();
    let written = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let line: Value = serde_json::from_str(written.trim()).unwrap();
    assert_eq!(
        (&line["program"], &line["test"], &line["profile"]),
        (&json!("fake-connect"), &Value::Null, &json!("null-names"))
    );
    assert_eq!(line["response_body"][0]["guid"], Profile::NULL_NAMES_GUID);
    std::fs::remove_dir_all(&dir).unwrap();
}
