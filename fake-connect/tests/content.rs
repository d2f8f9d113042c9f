//! The fake's content API (content items, their permissions, vanity paths and environment) and
//! the associations of content made through it, driven over real sockets.

use std::time::Duration;

use fake_connect::{FakeConnect, Options, Profile, Store};
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
    // A publisher without a permission on it does not see it.
    let hidden = call(&s, Method::GET, &format!("{CONTENT}/{guid}"), PUBLISHER, None).await;
    assert_error(&hidden, StatusCode::NOT_FOUND, 4);
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
async fn a_name_is_used_once_per_owner() {
    let s = server();
    let (status, _) = call(&s, Method::POST, CONTENT, ADMIN, Some(json!({"name": "twice"}))).await;
    assert_eq!(status, StatusCode::OK);
    let again = call(&s, Method::POST, CONTENT, ADMIN, Some(json!({"name": "twice"}))).await;
    assert_error(&again, StatusCode::CONFLICT, 26);
    // A publisher creates content of their own: the same name is theirs to use.
    let (status, mine) = call(&s, Method::POST, CONTENT, PUBLISHER, Some(json!({"name": "twice"}))).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["owner_guid"], Store::PUBLISHER_USER_GUID);
    assert_eq!(mine["app_role"], "owner");
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

async fn create(s: &FakeConnect, key: &str, name: &str) -> String {
    let (status, c) = call(s, Method::POST, CONTENT, key, Some(json!({"name": name}))).await;
    assert_eq!(status, StatusCode::OK, "{c}");
    c["guid"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn list_filters_and_shows_publishers_their_own() {
    let s = server();
    let store = s.store();
    let admins = create(&s, ADMIN, "report").await;
    let alice = store.add_user_with_role("alice", "publisher");
    let hers = store.add_content_owned_by(&alice, "report");
    let shared = store.add_content_owned_by(&alice, "shared");
    store.set_content_permission(&shared, "user", Store::PUBLISHER_USER_GUID, "viewer").unwrap();
    let own = create(&s, PUBLISHER, "own").await;

    let guids = |list: &Value| {
        let mut g: Vec<String> = list.as_array().unwrap().iter().map(|c| c["guid"].as_str().unwrap().into()).collect();
        g.sort();
        g
    };
    let sorted = |mut v: Vec<&String>| {
        v.sort();
        v.into_iter().cloned().collect::<Vec<_>>()
    };
    let (status, all) = call(&s, Method::GET, CONTENT, ADMIN, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(guids(&all), sorted(vec![&admins, &hers, &shared, &own]));
    let (_, named) = call(&s, Method::GET, &format!("{CONTENT}?name=report"), ADMIN, None).await;
    assert_eq!(guids(&named), sorted(vec![&admins, &hers]));
    let (_, one) = call(&s, Method::GET, &format!("{CONTENT}?name=report&owner_guid={alice}"), ADMIN, None).await;
    assert_eq!(guids(&one), vec![hers.clone()]);
    let (_, seen) = call(&s, Method::GET, CONTENT, PUBLISHER, None).await;
    assert_eq!(guids(&seen), sorted(vec![&shared, &own]));
    let viewer_row = seen.as_array().unwrap().iter().find(|c| c["guid"] == shared.as_str()).unwrap();
    assert_eq!(viewer_row["app_role"], "viewer");

    let (_, with_owner) =
        call(&s, Method::GET, &format!("{CONTENT}?owner_guid={alice}&include=owner"), ADMIN, None).await;
    assert_eq!(with_owner[0]["owner"]["username"], "alice", "{with_owner}");
    assert_error(
        &call(&s, Method::GET, &format!("{CONTENT}?owner_guid=alice"), ADMIN, None).await,
        StatusCode::BAD_REQUEST,
        25,
    );
    assert_error(&call(&s, Method::GET, &format!("{CONTENT}?page=2"), ADMIN, None).await, StatusCode::BAD_REQUEST, 25);

    // Content deleted behind the API is gone.
    assert!(store.remove_content(&hers));
    assert_error(&call(&s, Method::GET, &format!("{CONTENT}/{hers}"), ADMIN, None).await, StatusCode::NOT_FOUND, 4);
    assert!(!store.remove_content(&hers));
}

#[tokio::test]
async fn patch_changes_the_modelled_fields_and_refuses_the_rest() {
    let s = server();
    let guid = create(&s, ADMIN, "before").await;
    let path = format!("{CONTENT}/{guid}");
    let body = json!({"name": "after", "title": "After", "description": "changed", "access_type": "logged_in"});
    let (status, c) = call(&s, Method::PATCH, &path, ADMIN, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!((c["name"].as_str(), c["title"].as_str()), (Some("after"), Some("After")));
    assert_eq!((c["description"].as_str(), c["access_type"].as_str()), (Some("changed"), Some("logged_in")));
    let (_, c) = call(&s, Method::PATCH, &path, ADMIN, Some(json!({"title": null}))).await;
    assert!(c["title"].is_null(), "{c}");

    create(&s, ADMIN, "taken").await;
    let refusals = [
        (json!({"name": "taken"}), 26),
        (json!({"access_type": "public"}), 117),
        (json!({"max_processes": 3}), 87),
        (json!({"vanity_url": "/x/"}), 87),
        (json!({"owner_guid": uuid::Uuid::new_v4().to_string()}), 156),
    ];
    for (body, code) in refusals {
        assert_error(&call(&s, Method::PATCH, &path, ADMIN, Some(body)).await, StatusCode::BAD_REQUEST, code);
    }
    // A new owner: a publisher; their entry (if any) goes.
    let store = s.store();
    let bob = store.add_user_with_role("bob", "publisher");
    let viewer = store.add_user("vera");
    store.set_content_permission(&guid, "user", &bob, "owner").unwrap();
    let to_viewer = call(&s, Method::PATCH, &path, ADMIN, Some(json!({"owner_guid": viewer}))).await;
    assert_error(&to_viewer, StatusCode::BAD_REQUEST, 156);
    let (status, c) = call(&s, Method::PATCH, &path, ADMIN, Some(json!({"owner_guid": bob}))).await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["owner_guid"], bob.as_str());
    assert_eq!(store.content_permissions(&guid), Some(vec![]));
}

#[tokio::test]
async fn publishers_change_what_they_own_or_collaborate_on() {
    let s = server();
    let store = s.store();
    let alice = store.add_user_with_role("alice", "publisher");
    let theirs = store.add_content_owned_by(&alice, "theirs");
    let hidden = store.add_content_owned_by(&alice, "hidden");
    store.set_content_permission(&theirs, "user", Store::PUBLISHER_USER_GUID, "viewer").unwrap();
    let own = create(&s, PUBLISHER, "own").await;

    let title = || Some(json!({"title": "t"}));
    let env = || Some(json!([{"name": "A", "value": "1"}]));
    let vanity = |p: &str| Some(json!({"path": p}));
    // Own: every change.
    assert_eq!(call(&s, Method::PATCH, &format!("{CONTENT}/{own}"), PUBLISHER, title()).await.0, StatusCode::OK);
    assert_eq!(
        call(&s, Method::PATCH, &format!("{CONTENT}/{own}/environment"), PUBLISHER, env()).await.0,
        StatusCode::OK
    );
    assert_eq!(
        call(&s, Method::PUT, &format!("{CONTENT}/{own}/vanity"), PUBLISHER, vanity("own")).await.0,
        StatusCode::OK
    );
    // A viewer entry: reads, but 403 on changes.
    assert_eq!(
        call(&s, Method::GET, &format!("{CONTENT}/{theirs}/permissions"), PUBLISHER, None).await.0,
        StatusCode::OK
    );
    for (method, suffix, body) in [
        (Method::PATCH, "", title()),
        (Method::PATCH, "/environment", env()),
        (Method::PUT, "/vanity", vanity("theirs")),
        (
            Method::POST,
            "/permissions",
            Some(json!({"principal_guid": alice, "principal_type": "user", "role": "viewer"})),
        ),
    ] {
        let a = call(&s, method, &format!("{CONTENT}/{theirs}{suffix}"), PUBLISHER, body).await;
        assert_error(&a, StatusCode::FORBIDDEN, 22);
    }
    // Made a collaborator behind the API: the same changes go through.
    store.set_content_permission(&theirs, "user", Store::PUBLISHER_USER_GUID, "owner").unwrap();
    assert_eq!(call(&s, Method::PATCH, &format!("{CONTENT}/{theirs}"), PUBLISHER, title()).await.0, StatusCode::OK);
    assert_eq!(
        call(&s, Method::PUT, &format!("{CONTENT}/{theirs}/environment"), PUBLISHER, env()).await.0,
        StatusCode::OK
    );
    // Owner changes stay an administrator's.
    let a =
        call(&s, Method::PATCH, &format!("{CONTENT}/{theirs}"), PUBLISHER, Some(json!({"owner_guid": alice}))).await;
    assert_error(&a, StatusCode::FORBIDDEN, 22);
    // No entry at all: the item does not exist for them.
    let a = call(&s, Method::GET, &format!("{CONTENT}/{hidden}/environment"), PUBLISHER, None).await;
    assert_error(&a, StatusCode::NOT_FOUND, 4);
    let a = call(&s, Method::PATCH, &format!("{CONTENT}/{hidden}"), PUBLISHER, title()).await;
    assert_error(&a, StatusCode::NOT_FOUND, 4);
    // Integrations stay an administrator's.
    let a = call(&s, Method::POST, "/__api__/v1/oauth/integrations", PUBLISHER, Some(json!({"name": "x"}))).await;
    assert_error(&a, StatusCode::FORBIDDEN, 22);
}

#[tokio::test]
async fn permissions_are_upserted_per_principal() {
    let s = server();
    let store = s.store();
    let guid = create(&s, ADMIN, "shared").await;
    let path = format!("{CONTENT}/{guid}/permissions");
    let bob = store.add_user("bob");
    let team = store.add_group("team");

    let entry =
        |who: &str, kind: &str, role: &str| Some(json!({"principal_guid": who, "principal_type": kind, "role": role}));
    let (status, first) = call(&s, Method::POST, &path, ADMIN, entry(&bob, "user", "viewer")).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["content_guid"], guid.as_str());
    assert_eq!((first["principal_type"].as_str(), first["role"].as_str()), (Some("user"), Some("viewer")));
    let (status, again) = call(&s, Method::POST, &path, ADMIN, entry(&bob, "user", "owner")).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!((again["id"].clone(), again["role"].as_str()), (first["id"].clone(), Some("owner")));
    let (status, group) = call(&s, Method::POST, &path, ADMIN, entry(&team, "group", "viewer")).await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    let (_, list) = call(&s, Method::GET, &path, ADMIN, None).await;
    assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");

    let one = format!("{path}/{}", first["id"].as_str().unwrap());
    assert_eq!(call(&s, Method::GET, &one, ADMIN, None).await.1, again);
    let (status, put) = call(&s, Method::PUT, &one, ADMIN, entry(&bob, "user", "viewer")).await;
    assert_eq!((status, put["role"].as_str()), (StatusCode::OK, Some("viewer")));
    assert_error(
        &call(&s, Method::PUT, &one, ADMIN, entry(&team, "group", "viewer")).await,
        StatusCode::BAD_REQUEST,
        155,
    );

    let unknown = uuid::Uuid::new_v4().to_string();
    let refusals = [
        (entry(&unknown, "user", "viewer"), 261),
        (entry(&unknown, "group", "viewer"), 262),
        (entry(Store::ADMIN_USER_GUID, "user", "viewer"), 34),
        (entry(&bob, "team", "viewer"), 152),
        (entry(&bob, "user", "editor"), 23),
        (Some(json!({"principal_guid": bob, "principal_type": "user", "role": "viewer", "note": "x"})), 87),
    ];
    for (body, code) in refusals {
        let a = call(&s, Method::POST, &path, ADMIN, body).await;
        assert_error(&a, StatusCode::BAD_REQUEST, code);
        if code == 261 || code == 262 {
            assert!(a.1["error"].as_str().unwrap().contains(&unknown), "{}", a.1);
        }
    }
    // Groups disabled: a group is refused as an unknown one.
    store.set_profile(Profile::NoGroups);
    assert_error(
        &call(&s, Method::POST, &path, ADMIN, entry(&team, "group", "owner")).await,
        StatusCode::BAD_REQUEST,
        262,
    );
    store.set_profile(Profile::default());

    let (status, body) = call(&s, Method::DELETE, &one, ADMIN, None).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    assert_error(&call(&s, Method::DELETE, &one, ADMIN, None).await, StatusCode::NOT_FOUND, 4);
    assert_error(&call(&s, Method::GET, &one, ADMIN, None).await, StatusCode::NOT_FOUND, 4);
    assert_eq!(store.content_permissions(&guid).map(|l| l.len()), Some(1));
}

#[tokio::test]
async fn vanity_paths_are_normalised_unique_and_never_nested() {
    let s = server();
    let store = s.store();
    let a = create(&s, ADMIN, "first").await;
    let b = create(&s, ADMIN, "second").await;
    let va = format!("{CONTENT}/{a}/vanity");
    let vb = format!("{CONTENT}/{b}/vanity");

    assert_error(&call(&s, Method::GET, &va, ADMIN, None).await, StatusCode::NOT_FOUND, 4);
    let (status, v) = call(&s, Method::PUT, &va, ADMIN, Some(json!({"path": "finance/budget"}))).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!((v["path"].as_str(), v["content_guid"].as_str()), (Some("/finance/budget/"), Some(a.as_str())));
    assert_eq!(call(&s, Method::GET, &va, ADMIN, None).await.1, v);
    let (_, c) = call(&s, Method::GET, &format!("{CONTENT}/{a}?include=vanity_url"), ADMIN, None).await;
    assert_eq!(c["vanity_url"], format!("{}/finance/budget/", s.url()));

    for (body, status, code) in [
        (json!({"path": "/finance/budget/"}), StatusCode::CONFLICT, 51),
        (json!({"path": "/finance/", "force": true}), StatusCode::CONFLICT, 51),
        (json!({"path": "/finance/budget/q1", "force": true}), StatusCode::CONFLICT, 51),
        (json!({"path": "/__api__/"}), StatusCode::BAD_REQUEST, 52),
        (json!({"path": "/connect/x"}), StatusCode::BAD_REQUEST, 52),
        (json!({"path": "/"}), StatusCode::BAD_REQUEST, 52),
        (json!({"path": "a b"}), StatusCode::BAD_REQUEST, 52),
        (json!({}), StatusCode::BAD_REQUEST, 12),
        (json!({"path": "/x/", "force": "yes"}), StatusCode::BAD_REQUEST, 87),
        (json!({"path": "/x/", "redirect": true}), StatusCode::BAD_REQUEST, 87),
    ] {
        assert_error(&call(&s, Method::PUT, &vb, ADMIN, Some(body)).await, status, code);
    }
    // Siblings are fine; force moves a path.
    assert_eq!(call(&s, Method::PUT, &vb, ADMIN, Some(json!({"path": "/finance/report/"}))).await.0, StatusCode::OK);
    let (status, moved) =
        call(&s, Method::PUT, &vb, ADMIN, Some(json!({"path": "/finance/budget/", "force": true}))).await;
    assert_eq!((status, moved["content_guid"].as_str()), (StatusCode::OK, Some(b.as_str())));
    assert_eq!(store.content_vanity(&a), None);
    assert_error(&call(&s, Method::GET, &va, ADMIN, None).await, StatusCode::NOT_FOUND, 4);

    let (status, _) = call(&s, Method::DELETE, &vb, ADMIN, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_error(&call(&s, Method::DELETE, &vb, ADMIN, None).await, StatusCode::NOT_FOUND, 4);
    // Behind the API.
    assert!(store.set_content_vanity(&a, Some("/drifted/")));
    assert_eq!(call(&s, Method::GET, &va, ADMIN, None).await.1["path"], "/drifted/");
}

#[tokio::test]
async fn forcing_a_path_needs_rights_on_its_holder_and_the_profile_can_bar_publishers() {
    let s = server();
    let store = s.store();
    let alice = store.add_user_with_role("alice", "publisher");
    let hers = store.add_content_owned_by(&alice, "hers");
    store.set_content_vanity(&hers, Some("/sales/"));
    let own = create(&s, PUBLISHER, "own").await;
    let path = format!("{CONTENT}/{own}/vanity");
    let take = Some(json!({"path": "/sales/", "force": true}));
    assert_error(&call(&s, Method::PUT, &path, PUBLISHER, take.clone()).await, StatusCode::FORBIDDEN, 22);
    store.set_content_permission(&hers, "user", Store::PUBLISHER_USER_GUID, "owner").unwrap();
    assert_eq!(call(&s, Method::PUT, &path, PUBLISHER, take).await.0, StatusCode::OK);

    store.set_profile(Profile::PublishersNoVanity);
    let again = Some(json!({"path": "/sales2/"}));
    assert_error(&call(&s, Method::PUT, &path, PUBLISHER, again.clone()).await, StatusCode::FORBIDDEN, 22);
    assert_error(&call(&s, Method::DELETE, &path, PUBLISHER, None).await, StatusCode::FORBIDDEN, 22);
    assert_eq!(call(&s, Method::GET, &path, PUBLISHER, None).await.0, StatusCode::OK);
    assert_eq!(call(&s, Method::PUT, &path, ADMIN, again).await.0, StatusCode::OK);
}

#[tokio::test]
async fn environment_answers_names_and_keeps_values() {
    let s = server();
    let store = s.store();
    let guid = create(&s, ADMIN, "with-env").await;
    let path = format!("{CONTENT}/{guid}/environment");
    assert_eq!(call(&s, Method::GET, &path, ADMIN, None).await, (StatusCode::OK, json!([])));
    let body = json!([{"name": "ZED", "value": "z"}, {"name": "API_TOKEN", "value": "secret"}]);
    assert_eq!(call(&s, Method::PUT, &path, ADMIN, Some(body)).await, (StatusCode::OK, json!(["API_TOKEN", "ZED"])));
    let body = json!([{"name": "ZED", "value": null}, {"name": "MORE", "value": "m"}]);
    assert_eq!(call(&s, Method::PATCH, &path, ADMIN, Some(body)).await, (StatusCode::OK, json!(["API_TOKEN", "MORE"])));
    let env = store.content_env(&guid);
    assert_eq!(env.get("API_TOKEN").map(String::as_str), Some("secret"));
    assert_eq!(env.len(), 2);

    let dup = json!([{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]);
    assert_error(&call(&s, Method::PATCH, &path, ADMIN, Some(dup)).await, StatusCode::BAD_REQUEST, 149);
    let empty = json!([{"name": "", "value": "1"}]);
    assert_error(&call(&s, Method::PUT, &path, ADMIN, Some(empty)).await, StatusCode::BAD_REQUEST, 266);
    assert_eq!(store.content_env(&guid).len(), 2, "a refused body changes nothing");

    // Behind the API.
    assert!(store.set_content_env(&guid, "DRIFT", Some("d")));
    assert!(store.set_content_env(&guid, "MORE", None));
    assert_eq!(call(&s, Method::GET, &path, ADMIN, None).await.1, json!(["API_TOKEN", "DRIFT"]));
    assert_eq!(call(&s, Method::PUT, &path, ADMIN, Some(json!([]))).await.1, json!([]));
}
