//! The client against `fake-connect`, a stateful stand-in for the API: the calls round-trip and
//! the server's refusals map to the right errors.

use std::time::Duration;

use fake_connect::{FakeConnect, Options};
use serde_json::json;

use super::*;

/// A well-formed guid no object has: a malformed one is outside Posit's published document (and
/// whether Connect answers it with 400 or 404 is not recorded).
const MISSING: &str = "00000000-0000-4000-8000-00000000dead";

const ADMIN: &str = "admin-key";
const PUBLISHER: &str = "publisher-key";

fn fake() -> FakeConnect {
    FakeConnect::spawn(Options {
        admin_key: ADMIN.into(),
        publisher_key: Some(PUBLISHER.into()),
        latency: Duration::ZERO,
    })
}

fn client(server: &FakeConnect, key: &str) -> Client {
    let mut cfg = ClientConfig::new(format!("{}/", server.url()), Secret::new(key), "connect-client-tests");
    cfg.timeout = Duration::from_secs(10);
    Client::new(cfg).unwrap()
}

fn service_account() -> NewIntegration {
    NewIntegration {
        permissions: None,
        template: "azure-openai".into(),
        name: "openai".into(),
        description: "for the chatbot".into(),
        config: Config::new()
            .with_value("auth_type", "Service Account")
            .with_value("tenant_id", "t-1")
            .with_value("client_id", "c-1")
            .with_secret("client_secret", "s3cret-1"),
    }
}

#[tokio::test]
async fn create_get_update_list_delete() {
    let server = fake();
    let store = server.store();
    let admin = client(&server, ADMIN);

    let settings = admin.server_settings().await.unwrap();
    assert_eq!(settings["version"], fake_connect::DEFAULT_SERVER_VERSION);

    let created = admin.create_integration(&service_account()).await.unwrap();
    assert_eq!(created.name.as_deref(), Some("openai"));
    assert_eq!(created.template.as_deref(), Some("azure-openai"));
    assert_eq!(created.auth_type.as_deref(), Some("Service Account"));
    assert!(created.id.is_some() && created.created_time.is_some());
    // The secret reached the server but is never returned.
    assert_eq!(store.secret(&created.guid).as_deref(), Some("s3cret-1"));
    assert!(!created.config.contains_key("client_secret"));
    assert_eq!(created.config["client_id"], json!("c-1"));

    let got = admin.get_integration(&created.guid).await.unwrap();
    assert_eq!(got.as_ref(), Some(&created));

    let updated = admin
        .update_integration(
            &created.guid,
            &IntegrationUpdate {
                description: Some("renamed".into()),
                config: Some(Config::new().with_secret("client_secret", "s3cret-2")),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.description, "renamed");
    assert_eq!(updated.name.as_deref(), Some("openai"));
    assert_eq!(store.secret(&created.guid).as_deref(), Some("s3cret-2"));

    let all = admin.list_integrations().await.unwrap();
    assert_eq!(all, vec![updated]);

    assert_eq!(admin.delete_integration(&created.guid).await.unwrap(), Deleted::Yes);
    assert!(store.is_empty());
    assert_eq!(admin.get_integration(&created.guid).await.unwrap(), None);
    assert_eq!(admin.delete_integration(&created.guid).await.unwrap(), Deleted::AlreadyGone);
}

#[tokio::test]
async fn refusals_map_to_errors() {
    let server = fake();

    let e = client(&server, "wrong-key").list_integrations().await.unwrap_err();
    assert!(matches!(&e, Error::Unauthorized { status: 401, message: Some(_), .. }), "{e:?}");
    assert!(!e.to_string().contains("wrong-key"), "{e}");

    let publisher = client(&server, PUBLISHER);
    assert!(publisher.list_integrations().await.unwrap().is_empty());
    let e = publisher.create_integration(&service_account()).await.unwrap_err();
    assert!(matches!(&e, Error::Forbidden { status: 403, .. }), "{e:?}");
    assert!(!format!("{e:?} {e}").contains("s3cret"), "{e:?}");

    let admin = client(&server, ADMIN);
    let bad = NewIntegration {
        permissions: None,
        template: "connect".into(),
        name: "c".into(),
        description: String::new(),
        config: Config::new().with_value("max_role", "God"),
    };
    let e = admin.create_integration(&bad).await.unwrap_err();
    assert!(
        matches!(&e, Error::Api { status: 400, code: Some(228), message, .. }
            if message.contains("max_role")),
        "{e:?}"
    );
    assert_eq!(admin.get_integration(MISSING).await.unwrap(), None);
    assert!(server.store().is_empty());
}

#[tokio::test]
async fn what_uses_an_integration_and_content_titles() {
    let server = fake();
    let store = server.store();
    let admin = client(&server, ADMIN);
    let cfg = json!({"auth_type": "Viewer", "tenant_id": "t", "client_id": "c"});
    let used = store.insert("msgraph", "used", "", cfg.clone());
    let unused = store.insert("msgraph", "unused", "", cfg);
    let titled = store.add_content_with_title(Some("Sales dashboard"));
    let untitled = store.add_content();
    for content in [&titled, &untitled] {
        store.set_associations(content, vec![used.clone()]).unwrap();
    }

    let mut users: Vec<String> = admin
        .integration_associations(&used)
        .await
        .unwrap()
        .expect("the integration exists")
        .iter()
        .map(|u| u.content().expect("a content guid").to_string())
        .collect();
    users.sort();
    let mut expected = vec![titled.clone(), untitled.clone()];
    expected.sort();
    assert_eq!(users, expected);
    assert_eq!(admin.integration_associations(&unused).await.unwrap(), Some(vec![]));
    assert_eq!(admin.integration_associations(MISSING).await.unwrap(), None, "gone");

    // Before 2025.07.0 only `app_guid` names the content.
    store.set_server_version("2024.12.0");
    let older = admin.integration_associations(&used).await.unwrap().unwrap();
    assert!(older.iter().all(|u| u.content_guid.is_none() && u.content().is_some()), "{older:?}");

    let title = |item: Option<ContentItem>| item.expect("the content exists").title;
    assert_eq!(title(admin.content_item(&titled).await.unwrap()).as_deref(), Some("Sales dashboard"));
    assert_eq!(title(admin.content_item(&untitled).await.unwrap()), None, "no title");
    assert_eq!(admin.content_item(MISSING).await.unwrap(), None, "gone");
    assert!(matches!(admin.content_item("..").await, Err(Error::InvalidGuid { .. })));

    // A server without the endpoint is an error, never "nothing uses it".
    store.set_profile(fake_connect::Profile::NoOAuthApi);
    let e = admin.integration_associations(&used).await.unwrap_err();
    assert!(e.is_missing_api(), "{e:?}");
}
