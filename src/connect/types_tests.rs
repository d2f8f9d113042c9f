//! Answers shaped exactly like the ones recorded in the public clients' fixtures (posit-sdk-py's
//! 2024 recordings, connectapi's 2024.12.0 and 2025.07.0 ones; see
//! `tests/fixtures/connect/README.md`), decoded through the client's own types, both directly
//! and over HTTP through the calls that read them.

use serde_json::{json, Value};

use super::test_server::{Reply, TestServer};
use super::{Association, Client, ClientConfig, Integration, Secret};

const INTEGRATIONS_2024: &str = include_str!("../../tests/fixtures/connect/integrations_2024.json");
const INTEGRATIONS_2024_12: &str = include_str!("../../tests/fixtures/connect/integrations_2024_12.json");
const CONNECT_2025_07: &str = include_str!("../../tests/fixtures/connect/integration_connect_2025_07.json");
const ASSOCIATIONS_2024: &str = include_str!("../../tests/fixtures/connect/associations_2024.json");
const ASSOCIATIONS_2025_07: &str = include_str!("../../tests/fixtures/connect/associations_2025_07.json");

fn integrations(text: &str) -> Vec<Integration> {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("decoding {text}: {e}"))
}

fn associations(text: &str) -> Vec<Association> {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("decoding {text}: {e}"))
}

#[test]
fn ids_are_numeric_strings_beside_the_guid() {
    for text in [INTEGRATIONS_2024, INTEGRATIONS_2024_12] {
        for i in integrations(text) {
            let id = i.id.as_deref().expect("an id");
            assert!(id.parse::<u64>().is_ok(), "{id}");
            assert_ne!(id, i.guid);
        }
    }
    let one: Integration = serde_json::from_str(CONNECT_2025_07).unwrap();
    assert_eq!((one.id.as_deref(), one.guid.as_str()), (Some("88"), "7f02c4d9"));
}

#[test]
fn older_servers_send_no_auth_type_anywhere() {
    let all = integrations(INTEGRATIONS_2024);
    assert_eq!(all.len(), 2);
    for i in &all {
        assert_eq!(i.auth_type, None, "{i:?}");
        assert!(!i.config.contains_key("auth_type"), "{i:?}");
        assert!(i.created_time.is_some() && i.updated_time.is_some());
    }
    let custom = &all[0];
    assert_eq!(custom.template.as_deref(), Some("custom"));
    assert_eq!(custom.description, "Lets dashboards read on behalf of their viewers");
    assert_eq!(custom.config["auth_mode"], "Confidential");
    assert_eq!(custom.config["token_endpoint_auth_method"], "client_secret_basic");
    assert!(!custom.config.contains_key("client_secret"));
    // The default `connect` integration of 2025.05.0+ servers, recorded with its scopes only.
    let visitor_key = &all[1];
    assert_eq!(visitor_key.template.as_deref(), Some("connect"));
    assert_eq!(Value::Object(visitor_key.config.clone()), json!({"scopes": "admin"}));
}

#[test]
fn confidential_custom_with_pkce_keeps_a_boolean_and_a_null_description_is_empty() {
    let all = integrations(INTEGRATIONS_2024_12);
    let custom = &all[0];
    assert_eq!(custom.description, "", "null reads as empty");
    assert_eq!(custom.auth_type.as_deref(), Some("Viewer"));
    assert_eq!(custom.config["auth_type"], "Viewer");
    assert_eq!(custom.config["auth_mode"], "Confidential");
    assert_eq!(custom.config["use_pkce"], json!(true), "a JSON boolean, not a string");
    assert_eq!(custom.config["token_endpoint_auth_method"], "client_secret_post");
    assert_eq!(custom.config.len(), 8);
}

#[test]
fn a_template_the_provider_does_not_know_is_kept_as_it_is() {
    let all = integrations(INTEGRATIONS_2024_12);
    let unknown = &all[1];
    // Not one of Connect's templates, let alone one of the provider's (as connectapi records a
    // `generic_service`): the client keeps it and lets the resources decide.
    assert_eq!(unknown.template.as_deref(), Some("acme_warehouse"));
    // Even a trailing space in the description is the server's to keep.
    assert_eq!(unknown.description, "For the finance team's notebooks ");
    assert_eq!(unknown.config["account_url"], "https://acme.example.org");
    assert!(!unknown.config.contains_key("auth_type"), "only at the top level: {unknown:?}");
}

#[test]
fn a_connect_integration_has_a_top_level_visitor_api_key_auth_type() {
    let one: Integration = serde_json::from_str(CONNECT_2025_07).unwrap();
    assert_eq!(one.template.as_deref(), Some("connect"));
    assert_eq!(one.auth_type.as_deref(), Some("Visitor API Key"));
    assert_eq!(Value::Object(one.config), json!({"max_role": "Publisher"}));
}

#[test]
fn associations_with_content_guid_or_only_app_guid() {
    let new = associations(ASSOCIATIONS_2025_07);
    let guids: Vec<&str> = new.iter().map(|a| a.oauth_integration_guid.as_str()).collect();
    assert_eq!(guids, ["a93c5e10", "7f02c4d9"]);
    assert_eq!(new[1].oauth_integration_name.as_deref(), Some("Connect API for publishers"));

    let old = associations(ASSOCIATIONS_2024);
    assert_eq!(old.len(), 1);
    assert_eq!(old[0].oauth_integration_guid, "5b1e7c0a-8d2f-4e63-9a41-0c7f3b2d9e18");
    assert_eq!(old[0].oauth_integration_name.as_deref(), Some("Okta for dashboards"));
}

fn client_for(url: &str) -> Client {
    let mut cfg = ClientConfig::new(url, Secret::new("k3y"), "test-agent/1.0");
    cfg.retry = super::client_tests::fast_retries(0);
    Client::new(cfg).unwrap()
}

fn answer(text: &str) -> Reply {
    Reply::json(200, serde_json::from_str(text).unwrap())
}

#[tokio::test]
async fn the_client_reads_every_recorded_shape_over_http() {
    for (text, count) in [(INTEGRATIONS_2024, 2), (INTEGRATIONS_2024_12, 2)] {
        let server = TestServer::always(answer(text)).await;
        let listed = client_for(server.url()).list_integrations().await.unwrap();
        assert_eq!(listed, integrations(text));
        assert_eq!(listed.len(), count);
    }

    let server = TestServer::always(answer(CONNECT_2025_07)).await;
    let got = client_for(server.url()).get_integration("7f02c4d9").await.unwrap().expect("found");
    assert_eq!(got.auth_type.as_deref(), Some("Visitor API Key"));

    for text in [ASSOCIATIONS_2024, ASSOCIATIONS_2025_07] {
        let server = TestServer::always(answer(text)).await;
        let got = client_for(server.url()).content_associations("9e8d7c6b").await.unwrap().expect("content exists");
        assert_eq!(got, associations(text));
    }
}
