//! The content calls against a scripted server: the method, path and body each sends, how
//! answers decode (numeric ids, nulls, fields older servers omit), what a 404 means, and that an
//! environment variable's value shows nowhere: not in a logged body, an error (even one echoing
//! it), or a `Debug` dump.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use super::client_tests::{capture_logs, fast_retries};
use super::test_server::{Reply, Seen, TestServer};
use super::*;

const C: &str = "f2f37341-e21d-3d80-c698-a935ad614066";

fn client_for(url: &str) -> Client {
    client_with_hook(url, SecretHook::default())
}

fn client_with_hook(url: &str, hook: SecretHook) -> Client {
    let mut cfg = ClientConfig::new(url, Secret::new("k3y-content"), "test-agent/1.0");
    cfg.timeout = Duration::from_secs(5);
    cfg.retry = fast_retries(2);
    cfg.on_secret = hook;
    Client::new(cfg).unwrap()
}

fn object_gone() -> Reply {
    Reply::json(404, json!({"code": 4, "error": "The requested object does not exist.", "payload": null}))
}

fn endpoint_missing() -> Reply {
    Reply::json(404, json!({"code": 2, "error": "The requested endpoint does not exist.", "payload": null}))
}

/// The recorded answer (posit-sdk-py's fixture), cut to a few of its fields plus ones it lacks.
fn content_json(guid: &str, name: &str, owner: &str) -> serde_json::Value {
    json!({"guid": guid, "name": name, "title": "Performance Data", "description": "",
           "access_type": "logged_in", "connection_timeout": null, "created_time": "2022-12-16T18:40:53Z",
           "last_deployed_time": "2024-02-24T09:56:30Z", "bundle_id": "401171", "app_mode": "quarto-static",
           "owner_guid": owner, "content_url": format!("https://connect.example/content/{guid}/"),
           "dashboard_url": format!("https://connect.example/connect/#/apps/{guid}"),
           "app_role": "viewer", "id": "8274"})
}

fn only(server: &TestServer) -> Seen {
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    seen.into_iter().next().unwrap()
}

#[tokio::test]
async fn get_content_decodes_and_404s_mean_gone_only_when_about_the_object() {
    let server = TestServer::spawn(|req| match req.target.rsplit('/').next().unwrap() {
        "here" => Reply::json(200, content_json("here", "perf", "o1")),
        "gone" => object_gone(),
        "vanished" => Reply::empty(404),
        "proxied" => Reply::raw(404, "text/html", "<html>Not Found</html>"),
        _ => endpoint_missing(),
    })
    .await;
    let client = client_for(server.url());
    let c = client.get_content("here").await.unwrap().expect("there");
    assert_eq!(server.seen()[0].method, "GET");
    assert_eq!(server.seen()[0].target, "/__api__/v1/content/here");
    assert_eq!((c.guid.as_str(), c.name.as_str(), c.title.as_deref()), ("here", "perf", Some("Performance Data")));
    assert_eq!(
        (c.access_type.as_str(), c.owner_guid.as_str(), c.app_mode.as_str()),
        ("logged_in", "o1", "quarto-static")
    );
    assert_eq!(c.content_url, "https://connect.example/content/here/");
    assert_eq!(c.dashboard_url, "https://connect.example/connect/#/apps/here");
    assert_eq!(c.vanity_url, None, "the recorded answer has none");
    assert_eq!(c.created_time.as_deref(), Some("2022-12-16T18:40:53Z"));
    assert_eq!(c.last_deployed_time.as_deref(), Some("2024-02-24T09:56:30Z"));

    assert_eq!(client.get_content("gone").await.unwrap(), None);
    assert_eq!(client.get_content("vanished").await.unwrap(), None);
    let e = client.get_content("proxied").await.unwrap_err();
    assert!(matches!(e, Error::UnexpectedResponse { status: 404, .. }), "{e:?}");
    let e = client.get_content("old").await.unwrap_err();
    assert!(e.is_missing_api() && e.code() == Some(2), "{e:?}");
    assert!(matches!(client.get_content("..").await, Err(Error::InvalidGuid { .. })));
    // The title-only read follows the same rule.
    assert_eq!(client.content_item("here").await.unwrap().unwrap().title.as_deref(), Some("Performance Data"));
    assert_eq!(client.content_item("gone").await.unwrap(), None);
}

#[test]
fn content_tolerates_nulls_and_absent_fields() {
    let c: Content = serde_json::from_value(json!({"guid": "g", "name": null, "title": null, "description": null,
        "access_type": null, "vanity_url": null, "last_deployed_time": null}))
    .unwrap();
    assert_eq!(c, Content { guid: "g".into(), ..Default::default() });
    let c: Content = serde_json::from_value(json!({"guid": "g", "vanity_url": ""})).unwrap();
    assert_eq!(c.vanity_url, None, "empty is none");
    let c: Content = serde_json::from_value(json!({"guid": "g", "vanity_url": "/sales/"})).unwrap();
    assert_eq!(c.vanity_url.as_deref(), Some("/sales/"));
    assert!(serde_json::from_value::<Content>(json!({"name": "n"})).is_err(), "a guid is required");
}

#[tokio::test]
async fn find_content_sends_both_filters_and_keeps_exact_matches() {
    let server = TestServer::always(Reply::json(
        200,
        json!([content_json("a", "perf", "o1"), content_json("b", "perf", "o2"), content_json("c", "perf-2", "o1")]),
    ))
    .await;
    let client = client_for(server.url());
    let found = client.find_content("perf", Some("o1")).await.unwrap();
    assert_eq!(found.iter().map(|c| c.guid.as_str()).collect::<Vec<_>>(), ["a"]);
    let found = client.find_content("perf", None).await.unwrap();
    assert_eq!(found.iter().map(|c| c.guid.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    let seen = server.seen();
    assert_eq!(seen[0].target, "/__api__/v1/content?name=perf&owner_guid=o1");
    assert_eq!(seen[1].target, "/__api__/v1/content?name=perf");
    // A name is a query value, not a path: whatever it holds is encoded.
    client.find_content("a&b c", None).await.unwrap();
    assert_eq!(server.seen()[2].target, "/__api__/v1/content?name=a%26b+c");
}

#[tokio::test]
async fn update_access_type_patches_the_one_field() {
    let server = TestServer::always(Reply::json(200, content_json(C, "perf", "o1"))).await;
    let c = client_for(server.url()).update_content_access_type(C, "acl").await.unwrap();
    assert_eq!(c.guid, C);
    let seen = only(&server);
    assert_eq!((seen.method.as_str(), seen.target.as_str()), ("PATCH", &*format!("/__api__/v1/content/{C}")));
    assert_eq!(seen.header("content-type"), Some("application/json"));
    assert_eq!(seen.json(), json!({"access_type": "acl"}));

    let server = TestServer::always(object_gone()).await;
    let e = client_for(server.url()).update_content_access_type(C, "acl").await.unwrap_err();
    assert!(matches!(e, Error::Api { status: 404, code: Some(4), .. }), "nothing to change: {e:?}");
}

#[tokio::test]
async fn permissions_round_trip_with_string_and_numeric_ids() {
    let base = format!("/__api__/v1/content/{C}/permissions");
    let server = {
        let base = base.clone();
        TestServer::spawn(move |req| match (req.method.as_str(), req.target.strip_prefix(&base)) {
            ("GET", Some("")) => Reply::json(
                200,
                json!([
                    {"id": "94", "content_guid": C, "principal_guid": "u1", "principal_type": "user", "role": "owner"},
                    {"id": 59, "content_guid": C, "principal_guid": "g1", "principal_type": "group", "role": "viewer"}
                ]),
            ),
            ("POST", Some("")) => Reply::json(
                200,
                json!({"id": 101, "content_guid": C, "principal_guid": "u2", "principal_type": "user", "role": "viewer"}),
            ),
            ("PUT", Some("/101")) => Reply::json(
                200,
                json!({"id": "101", "content_guid": C, "principal_guid": "u2", "principal_type": "user", "role": "owner"}),
            ),
            ("DELETE", Some("/101")) => Reply::empty(204),
            ("DELETE", Some("/102")) => object_gone(),
            ("DELETE", Some("/103")) => Reply::raw(404, "text/html", "<html>Not Found</html>"),
            _ => Reply::empty(500),
        })
        .await
    };
    let client = client_for(server.url());

    let all = client.list_content_permissions(C).await.unwrap();
    assert_eq!(
        all,
        [
            ContentPermission {
                id: "94".into(),
                content_guid: C.into(),
                principal_guid: "u1".into(),
                principal_type: "user".into(),
                role: "owner".into()
            },
            ContentPermission {
                id: "59".into(),
                content_guid: C.into(),
                principal_guid: "g1".into(),
                principal_type: "group".into(),
                role: "viewer".into()
            },
        ]
    );
    let added = client.add_content_permission(C, "u2", "user", "viewer").await.unwrap();
    assert_eq!((added.id.as_str(), added.role.as_str()), ("101", "viewer"));
    let changed = client.update_content_permission(C, "101", "u2", "user", "owner").await.unwrap();
    assert_eq!((changed.id.as_str(), changed.role.as_str()), ("101", "owner"));
    assert_eq!(client.delete_content_permission(C, "101").await.unwrap(), Deleted::Yes);
    assert_eq!(client.delete_content_permission(C, "102").await.unwrap(), Deleted::AlreadyGone);
    let e = client.delete_content_permission(C, "103").await.unwrap_err();
    assert!(matches!(e, Error::UnexpectedResponse { status: 404, .. }), "a proxy's page is not gone: {e:?}");
    assert!(matches!(client.delete_content_permission(C, "").await, Err(Error::InvalidGuid { .. })));

    let seen = server.seen();
    let post = &seen[1];
    assert_eq!((post.method.as_str(), post.target.as_str()), ("POST", base.as_str()));
    assert_eq!(
        post.json(),
        json!({"principal_guid": "u2", "principal_type": "user", "role": "viewer", "send_email": false})
    );
    let put = &seen[2];
    assert_eq!((put.method.as_str(), put.target.as_str()), ("PUT", &*format!("{base}/101")));
    assert_eq!(put.json(), json!({"principal_guid": "u2", "principal_type": "user", "role": "owner"}));
    assert_eq!((seen[3].method.as_str(), seen[3].target.as_str()), ("DELETE", &*format!("{base}/101")));
    assert_eq!(seen.len(), 6, "the invalid id was never sent");
}

#[test]
fn a_permission_needs_an_id() {
    let entry = |id: serde_json::Value| {
        serde_json::from_value::<ContentPermission>(json!({"id": id, "principal_guid": "u", "principal_type": "user",
            "role": "viewer"}))
    };
    assert!(entry(json!(null)).is_err());
    assert!(entry(json!([1])).is_err());
    assert_eq!(entry(json!(7)).unwrap().id, "7");
    let no_id = serde_json::from_value::<ContentPermission>(json!({"principal_guid": "u"}));
    assert!(no_id.is_err());
    // Older servers may omit the rest; null reads as empty.
    let p: ContentPermission =
        serde_json::from_value(json!({"id": "1", "principal_guid": "u", "role": null, "content_guid": null})).unwrap();
    assert_eq!((p.role.as_str(), p.content_guid.as_str(), p.principal_type.as_str()), ("", "", ""));
}

#[tokio::test]
async fn vanity_get_set_delete_and_a_path_in_use() {
    let base = format!("/__api__/v1/content/{C}/vanity");
    let vanity = json!({"content_guid": C, "path": "/sales/", "created_time": "2025-01-02T03:04:05Z"});
    let force = |req: &Seen| serde_json::from_slice::<serde_json::Value>(&req.body).ok()?["force"].as_bool();
    let server = TestServer::spawn(move |req| match (req.method.as_str(), force(req)) {
        ("GET", _) | ("PUT", Some(true)) => Reply::json(200, vanity.clone()),
        ("PUT", _) => Reply::json(
            409,
            json!({"code": 51, "error": "The vanity path is in use by another content item.", "payload": null}),
        ),
        ("DELETE", _) => Reply::empty(204),
        _ => Reply::empty(500),
    })
    .await;
    let client = client_for(server.url());
    let v = client.get_vanity(C).await.unwrap().expect("one");
    assert_eq!(
        v,
        Vanity { content_guid: C.into(), path: "/sales/".into(), created_time: Some("2025-01-02T03:04:05Z".into()) }
    );
    let e = client.set_vanity(C, "sales", false).await.unwrap_err();
    assert!(matches!(e, Error::Api { status: 409, .. }), "{e:?}");
    assert_eq!(e.code(), Some(VANITY_PATH_IN_USE));
    assert!(e.to_string().contains("in use by another content item") && e.to_string().contains("(code 51)"), "{e}");
    assert_eq!(client.set_vanity(C, "sales", true).await.unwrap().path, "/sales/");
    assert_eq!(client.delete_vanity(C).await.unwrap(), Deleted::Yes);

    let seen = server.seen();
    assert!(seen.iter().all(|s| s.target == base), "{seen:?}");
    assert_eq!(seen[1].method, "PUT");
    assert_eq!(seen[1].json(), json!({"path": "sales", "force": false}));
    assert_eq!(seen[2].json(), json!({"path": "sales", "force": true}));
    assert_eq!(seen[3].method, "DELETE");

    // No vanity URL (or no content): 404, which is none and already deleted.
    let server = TestServer::always(object_gone()).await;
    let client = client_for(server.url());
    assert_eq!(client.get_vanity(C).await.unwrap(), None);
    assert_eq!(client.delete_vanity(C).await.unwrap(), Deleted::AlreadyGone);
    let server = TestServer::always(endpoint_missing()).await;
    assert!(client_for(server.url()).get_vanity(C).await.unwrap_err().is_missing_api());
}

#[tokio::test]
async fn environment_bodies_and_answers() {
    let server = TestServer::always(Reply::json(200, json!(["A", "B"]))).await;
    let client = client_for(server.url());
    assert_eq!(client.content_environment_names(C).await.unwrap(), ["A", "B"]);
    let patch = [("A".to_owned(), Some(Secret::new("value-a"))), ("OLD".to_owned(), None)];
    assert_eq!(client.patch_content_environment(C, &patch).await.unwrap(), ["A", "B"]);
    let put = [("A".to_owned(), Secret::new("value-a")), ("B".to_owned(), Secret::new(""))];
    assert_eq!(client.set_content_environment(C, &put).await.unwrap(), ["A", "B"]);
    assert_eq!(client.set_content_environment(C, &[]).await.unwrap(), ["A", "B"]);

    let path = format!("/__api__/v1/content/{C}/environment");
    let seen = server.seen();
    let sent: Vec<(&str, &str)> = seen.iter().map(|s| (s.method.as_str(), s.target.as_str())).collect();
    assert_eq!(sent, [("GET", &*path), ("PATCH", &*path), ("PUT", &*path), ("PUT", &*path)]);
    assert!(seen[0].body.is_empty());
    assert_eq!(seen[1].json(), json!([{"name": "A", "value": "value-a"}, {"name": "OLD", "value": null}]));
    assert_eq!(seen[2].json(), json!([{"name": "A", "value": "value-a"}, {"name": "B", "value": ""}]));
    assert_eq!(seen[3].json(), json!([]));
    // What a caller holds prints no value.
    let dbg = format!("{patch:?} {put:#?}");
    assert!(!dbg.contains("value-a") && dbg.contains("(sensitive)"), "{dbg}");

    // Gone content is an error here: there are no names to give.
    let server = TestServer::always(object_gone()).await;
    let e = client_for(server.url()).content_environment_names(C).await.unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(404), Some(4)), "{e:?}");
}

#[tokio::test]
async fn environment_values_reach_the_hook_before_the_request() {
    let requests = Arc::new(AtomicUsize::new(0));
    let server = {
        let requests = requests.clone();
        TestServer::spawn(move |_| {
            requests.fetch_add(1, Ordering::SeqCst);
            Reply::json(200, json!(["A"]))
        })
        .await
    };
    let handed = Arc::new(Mutex::new(Vec::new()));
    let hook = {
        let handed = handed.clone();
        SecretHook::new(move |s| handed.lock().unwrap().push((s.to_owned(), requests.load(Ordering::SeqCst))))
    };
    let client = client_with_hook(server.url(), hook);
    handed.lock().unwrap().clear(); // the API key
    client
        .patch_content_environment(C, &[("A".into(), Some(Secret::new("patched-v"))), ("B".into(), None)])
        .await
        .unwrap();
    client.set_content_environment(C, &[("A".into(), Secret::new("put-v"))]).await.unwrap();
    assert_eq!(*handed.lock().unwrap(), [("patched-v".to_owned(), 0), ("put-v".to_owned(), 1)]);
}

/// A server that echoes the request body in its error (as some proxies and validators do): with
/// the hook the provider sets, the value shows in neither the error's text nor its `Debug`.
#[tokio::test]
async fn an_echoed_environment_value_never_reaches_the_error() {
    const VALUE: &str = "echoed-env-value-7f3a";
    let server = TestServer::spawn(|req| {
        let body = String::from_utf8_lossy(&req.body).into_owned();
        Reply::json(400, json!({"code": 266, "error": format!("cannot parse {body}"), "payload": {"body": body}}))
    })
    .await;
    let client = client_with_hook(server.url(), SecretHook::new(crate::untrusted::register_secret));
    let e = client.patch_content_environment(C, &[("TOKEN".into(), Some(Secret::new(VALUE)))]).await.unwrap_err();
    assert_eq!(e.code(), Some(266));
    let shown = format!("{e} {e:?} {e:#?}");
    assert!(!shown.contains(VALUE) && shown.contains("(sensitive)"), "{shown}");
    // The same as a plain-text echo, which becomes an excerpt.
    let server = TestServer::spawn(|req| Reply::raw(500, "text/plain", &String::from_utf8_lossy(&req.body))).await;
    let client = client_with_hook(server.url(), SecretHook::new(crate::untrusted::register_secret));
    let e = client.set_content_environment(C, &[("TOKEN".into(), Secret::new(VALUE))]).await.unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(matches!(e.last_attempt(), Error::UnexpectedResponse { status: 500, .. }), "{e:?}");
    assert!(!shown.contains(VALUE), "{shown}");
}

#[tokio::test]
async fn environment_values_are_masked_in_trace_logs() {
    const VALUE: &str = "traced-env-value-91c2";
    let (buf, _guard) = capture_logs(tracing::Level::TRACE);
    let server = TestServer::always(Reply::json(200, json!(["TOKEN"]))).await;
    client_for(server.url()).set_content_environment(C, &[("TOKEN".into(), Secret::new(VALUE))]).await.unwrap();
    let logs = buf.text();
    let body = logs.lines().find(|l| l.contains("request body")).unwrap_or_else(|| panic!("{logs}"));
    assert!(body.contains(r#""name":"TOKEN""#) && body.contains(r#""value":"(sensitive)""#), "{body}");
    // With no hook registering it: the body's masking alone keeps it out.
    assert!(!logs.contains(VALUE), "{logs}");
}

/// Repeatable: a gateway error on a PUT is sent again, and Connect's code survives giving up.
#[tokio::test]
async fn content_calls_are_retried_like_reads_and_keep_the_code_when_giving_up() {
    let server = TestServer::sequence(vec![Reply::empty(502), Reply::json(200, json!({"path": "/x/"}))]).await;
    assert_eq!(client_for(server.url()).set_vanity(C, "x", false).await.unwrap().path, "/x/");
    assert_eq!(server.seen().len(), 2);
    let server =
        TestServer::always(Reply::json(503, json!({"code": 277, "error": "slow down", "payload": null}))).await;
    let e = client_for(server.url()).add_content_permission(C, "u", "user", "viewer").await.unwrap_err();
    assert!(matches!(e, Error::GaveUp { .. }), "{e:?}");
    assert_eq!((e.status(), e.code()), (Some(503), Some(277)));
}
