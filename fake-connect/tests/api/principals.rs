//! Users and groups (`GET /v1/users[/{guid}]`, `GET /v1/groups[/{guid}]`), the profiles about
//! them, and permissions naming them. A module of `api.rs`, so its exchanges are recorded as the
//! `api` test program's (which the contract test knows sends malformed requests on purpose).

use std::collections::BTreeSet;

use fake_connect::Store;

use super::*;

const USERS: &str = "/__api__/v1/users";
const GROUPS: &str = "/__api__/v1/groups";

/// The fields of the document's `User`, as an administrator reads them.
const USER_FIELDS: [&str; 12] = [
    "guid",
    "username",
    "email",
    "first_name",
    "last_name",
    "user_role",
    "created_time",
    "updated_time",
    "active_time",
    "confirmed",
    "locked",
    "external_id",
];

async fn get(s: &FakeConnect, path: &str) -> Answer {
    call(s, Method::GET, path, Some(ADMIN), None).await
}

fn guids(page: &Value) -> Vec<String> {
    page["results"].as_array().expect("results").iter().map(|r| r["guid"].as_str().unwrap().to_string()).collect()
}

fn keys(item: &Value) -> BTreeSet<&str> {
    item.as_object().expect("an object").keys().map(String::as_str).collect()
}

#[tokio::test]
async fn users_are_the_keys_users_and_those_added() {
    let s = server();
    let a = get(&s, USERS).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.json_type);
    assert_eq!(keys(&a.body), BTreeSet::from(["current_page", "total", "results"]));
    assert_eq!((a.body["current_page"].clone(), a.body["total"].clone()), (json!(1), json!(2)));
    let mut listed = guids(&a.body);
    listed.sort();
    assert_eq!(listed, [Store::ADMIN_USER_GUID, Store::PUBLISHER_USER_GUID]);

    // Each key's user is the one /v1/user names.
    for (key, guid, role) in
        [(ADMIN, Store::ADMIN_USER_GUID, "administrator"), (PUBLISHER, Store::PUBLISHER_USER_GUID, "publisher")]
    {
        let me = call(&s, Method::GET, "/__api__/v1/user", Some(key), None).await;
        assert_eq!((me.body["guid"].as_str(), me.body["user_role"].as_str()), (Some(guid), Some(role)));
        assert_eq!(get(&s, &format!("{USERS}/{guid}")).await.body["username"], me.body["username"]);
    }

    let jane = s.store().add_user("jane.doe");
    let a = get(&s, &format!("{USERS}/{jane}")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(keys(&a.body), BTreeSet::from(USER_FIELDS));
    let u = &a.body;
    assert_eq!((u["guid"].as_str(), u["username"].as_str()), (Some(jane.as_str()), Some("jane.doe")));
    assert_eq!((u["first_name"].as_str(), u["last_name"].as_str()), (Some("Jane"), Some("Doe")));
    assert_eq!(u["email"], "jane.doe@fake-connect.invalid");
    assert_eq!(
        (u["user_role"].as_str(), u["confirmed"].as_bool(), u["locked"].as_bool()),
        (Some("viewer"), Some(true), Some(false))
    );
    assert!(u["active_time"].is_null());
    assert_eq!(u["created_time"].as_str().map(str::len), Some("2025-08-06T23:06:42Z".len()));
    let boss = s.store().add_user_with_role("boss", "publisher");
    assert_eq!(get(&s, &format!("{USERS}/{boss}")).await.body["user_role"], "publisher");
    assert_eq!(get(&s, USERS).await.body["total"], 4);
    assert_eq!(s.store().users().len(), 4);
    assert!(s.store().users().iter().all(|u| keys(u) == BTreeSet::from(USER_FIELDS)));
}

#[tokio::test]
async fn publishers_list_users_and_groups_without_others_external_ids() {
    let s = server();
    let jane = s.store().add_user("jane.doe");
    let group = s.store().add_group("Analysts");
    let a = call(&s, Method::GET, USERS, Some(PUBLISHER), None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    for user in a.body["results"].as_array().unwrap() {
        let own = user["guid"] == Store::PUBLISHER_USER_GUID;
        assert_eq!(user.get("external_id").is_some(), own, "{user}");
    }
    let a = call(&s, Method::GET, &format!("{USERS}/{jane}"), Some(PUBLISHER), None).await;
    assert_eq!((a.status, a.body.get("external_id")), (StatusCode::OK, None));
    let a = call(&s, Method::GET, &format!("{GROUPS}/{group}"), Some(PUBLISHER), None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(call(&s, Method::GET, GROUPS, Some(PUBLISHER), None).await.body["total"], 1);

    // Read only: nothing else on these paths.
    let a = call(&s, Method::POST, USERS, Some(PUBLISHER), Some(json!({"username": "x"}))).await;
    assert_error(&a, StatusCode::FORBIDDEN, 22);
    let a = call(&s, Method::POST, GROUPS, Some(ADMIN), Some(json!({"name": "x"}))).await;
    assert_error(&a, StatusCode::METHOD_NOT_ALLOWED, 2);
    let a = call(&s, Method::DELETE, &format!("{USERS}/{jane}"), Some(ADMIN), None).await;
    assert_error(&a, StatusCode::METHOD_NOT_ALLOWED, 2);
    assert_eq!(call(&s, Method::GET, USERS, None, None).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_prefix_search_answers_its_first_page_only() {
    let s = server();
    let store = s.store();
    for i in 1..=25 {
        store.add_user(&format!("searcher{i:02}"));
    }
    store.add_user("jane.doe");
    store.add_user("other");

    let a = get(&s, &format!("{USERS}?prefix=SEARCH&page_size=10")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!((a.body["current_page"].clone(), a.body["total"].clone()), (json!(1), json!(25)));
    let first = a.body["results"].as_array().unwrap();
    assert_eq!(first.len(), 10);
    assert!(first.iter().all(|u| u["username"].as_str().unwrap().starts_with("searcher")), "{}", a.body);

    // Later pages are empty, and still count every match.
    for page in [2, 3] {
        let a = get(&s, &format!("{USERS}?prefix=search&page_size=10&page_number={page}")).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(a.body, json!({"current_page": page, "total": 25, "results": []}));
    }
    // The default page size: 20 of the 25.
    let a = get(&s, &format!("{USERS}?prefix=searcher")).await;
    assert_eq!((guids(&a.body).len(), a.body["total"].clone()), (20, json!(25)));

    // First name, last name and email are searched too, without case.
    for prefix in ["jan", "DOE", "jane.doe%40fake"] {
        let a = get(&s, &format!("{USERS}?prefix={prefix}")).await;
        assert_eq!(a.body["total"], 1, "{prefix}: {}", a.body);
        assert_eq!(a.body["results"][0]["username"], "jane.doe", "{prefix}");
    }
    // "Example" is the last name of a user named without a separator.
    assert_eq!(get(&s, &format!("{USERS}?prefix=examp")).await.body["total"], 26);
    assert_eq!(
        get(&s, &format!("{USERS}?prefix=nobody")).await.body,
        json!({"current_page": 1, "total": 0, "results": []})
    );

    // Groups alike, over the name.
    for i in 1..=12 {
        store.add_group(&format!("Team {i:02}"));
    }
    store.add_group("Analysts");
    let a = get(&s, &format!("{GROUPS}?prefix=team&page_size=5")).await;
    assert_eq!((guids(&a.body).len(), a.body["total"].clone()), (5, json!(12)));
    let a = get(&s, &format!("{GROUPS}?prefix=TEAM&page_size=5&page_number=2")).await;
    assert_eq!(a.body, json!({"current_page": 2, "total": 12, "results": []}));
    // Group names may repeat (groups from identity providers): both are found.
    let twin = store.add_group("Analysts");
    let found = guids(&get(&s, &format!("{GROUPS}?prefix=analysts")).await.body);
    assert_eq!(found.len(), 2);
    assert!(found.contains(&twin));
}

#[tokio::test]
async fn a_listing_without_prefix_pages_exactly() {
    let s = server();
    let store = s.store();
    for i in 1..=23 {
        store.add_user(&format!("user{i:02}"));
        store.add_group(&format!("group{i:02}"));
    }
    for (path, total) in [(USERS, 25), (GROUPS, 23)] {
        let mut seen = Vec::new();
        for (page, expected) in [(1, 10), (2, 10), (3, total - 20), (4, 0)] {
            let a = get(&s, &format!("{path}?page_size=10&page_number={page}")).await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.body);
            assert_eq!((a.body["current_page"].clone(), a.body["total"].clone()), (json!(page), json!(total)));
            let got = guids(&a.body);
            assert_eq!(got.len(), expected, "{path} page {page}: {}", a.body);
            seen.extend(got);
        }
        let all: BTreeSet<&String> = seen.iter().collect();
        assert_eq!((seen.len(), all.len()), (total, total), "{path}: every item once");

        // Default page: 20; descending order is the ascending one reversed.
        let asc = guids(&get(&s, &format!("{path}?page_size=500")).await.body);
        let mut desc = guids(&get(&s, &format!("{path}?page_size=500&asc_order=false")).await.body);
        desc.reverse();
        assert_eq!(asc, desc, "{path}");
        assert_eq!(guids(&get(&s, path).await.body), asc[..20], "{path}");
        assert_eq!(guids(&get(&s, &format!("{path}?asc_order=true")).await.body), asc[..20], "{path}");
    }
    // Users are listed by username unless asked otherwise; groups by name.
    let names: Vec<String> = get(&s, &format!("{USERS}?page_size=500")).await.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let a = get(&s, &format!("{USERS}?sort=user_role&user_role=administrator%7Cpublisher")).await;
    let roles: Vec<&str> =
        a.body["results"].as_array().unwrap().iter().map(|u| u["user_role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["administrator", "publisher"]);
    assert_eq!(get(&s, &format!("{USERS}?user_role=viewer")).await.body["total"], 23);
}

#[tokio::test]
async fn page_size_is_at_most_500() {
    let s = server();
    for path in [USERS, GROUPS] {
        assert_eq!(get(&s, &format!("{path}?page_size=500")).await.status, StatusCode::OK);
        for query in ["page_size=501", "page_size=0", "page_number=0", "page_number=x", "asc_order=maybe", "colour=red"]
        {
            let a = get(&s, &format!("{path}?{query}")).await;
            assert_error(&a, StatusCode::BAD_REQUEST, 25);
        }
    }
    let a = get(&s, &format!("{USERS}?page_size=501")).await;
    assert!(a.body["error"].as_str().unwrap().contains("500"), "{}", a.body);
    for query in ["sort=shoe_size", "user_role=owner", "account_status=locked"] {
        assert_error(&get(&s, &format!("{USERS}?{query}")).await, StatusCode::BAD_REQUEST, 25);
    }
}

#[tokio::test]
async fn missing_users_and_groups_are_404() {
    let s = server();
    let group = s.store().add_group("Analysts");
    let absent = "5e8c9d0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a";
    for path in
        [format!("{USERS}/{absent}"), format!("{GROUPS}/{absent}"), format!("{USERS}/{group}"), format!("{USERS}/nope")]
    {
        assert_error(&get(&s, &path).await, StatusCode::NOT_FOUND, 4);
    }
    let a = get(&s, &format!("{GROUPS}/{group}")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body, json!({"guid": group, "name": "Analysts", "owner_guid": Store::ADMIN_USER_GUID, "gid": null}));
    assert_eq!(s.store().groups(), [a.body]);
}

#[tokio::test]
async fn groups_disabled_answers_400_on_the_group_operations() {
    let s = server();
    let group = s.store().add_group("Analysts");
    let user = s.store().add_user("jane.doe");
    s.store().set_profile(Profile::NoGroups);
    for path in [GROUPS.to_string(), format!("{GROUPS}?prefix=a"), format!("{GROUPS}/{group}")] {
        assert_error(&get(&s, &path).await, StatusCode::BAD_REQUEST, 2);
    }
    assert_eq!(get(&s, USERS).await.status, StatusCode::OK);

    // No groups, so no permission for one; users still do.
    let mut body = azure_openai(None);
    body["permissions"] = json!([{"group_guid": group}]);
    let a = call(&s, Method::POST, INTEGRATIONS, Some(ADMIN), Some(body.clone())).await;
    assert_error(&a, StatusCode::BAD_REQUEST, 262);
    body["permissions"] = json!([{"user_guid": user}]);
    assert_eq!(create(&s, body).await["permissions"][0]["user_guid"], user);

    s.store().set_profile(Profile::Derives);
    assert_eq!(get(&s, GROUPS).await.body["total"], 1);
}

#[tokio::test]
async fn a_server_without_permissions_answers_none_and_ignores_them() {
    let s = server();
    let user = s.store().add_user("jane.doe");
    s.store().set_profile(Profile::NoPermissions);
    let absent = "5e8c9d0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a";
    let mut body = azure_openai(None);
    // Not read at all: neither a valid entry, nor a stale guid, nor a malformed one.
    body["permissions"] = json!([{"user_guid": user}, {"user_guid": absent}, {"role": "x"}]);
    let created = create(&s, body).await;
    for field in ["permissions", "environment_variables", "content_count"] {
        assert!(created.get(field).is_none(), "{field}: {created}");
    }
    let guid = created["guid"].as_str().unwrap();
    let path = format!("{INTEGRATIONS}/{guid}");
    let a = call(&s, Method::PATCH, &path, Some(ADMIN), Some(json!({"permissions": {"not": "a list"}}))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let a = call(&s, Method::PATCH, &path, Some(ADMIN), Some(json!({"permissions": [{"user_guid": user}]}))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.body.get("permissions").is_none(), "{}", a.body);
    for listed in [get(&s, INTEGRATIONS).await.body[0].clone(), get(&s, &path).await.body] {
        assert!(listed.get("permissions").is_none() && listed.get("content_count").is_none(), "{listed}");
    }

    // Nothing was stored: a server that has permissions shows none.
    s.store().set_profile(Profile::Derives);
    let a = get(&s, &path).await;
    assert_eq!((a.body["permissions"].clone(), a.body["content_count"].clone()), (json!([]), json!(0)));
}

#[tokio::test]
async fn permissions_naming_unknown_users_or_groups_are_refused() {
    let s = server();
    let user = s.store().add_user("jane.doe");
    let group = s.store().add_group("Analysts");
    let stale = "5e8c9d0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a";

    let mut body = azure_openai(None);
    body["permissions"] = json!([{"user_guid": user}, {"user_guid": stale}]);
    let a = call(&s, Method::POST, INTEGRATIONS, Some(ADMIN), Some(body.clone())).await;
    assert_error(&a, StatusCode::BAD_REQUEST, 261);
    assert!(a.body["error"].as_str().unwrap().contains(stale), "{}", a.body);
    // A group's guid is not a user's.
    body["permissions"] = json!([{"user_guid": group}]);
    let a = call(&s, Method::POST, INTEGRATIONS, Some(ADMIN), Some(body.clone())).await;
    assert_error(&a, StatusCode::BAD_REQUEST, 261);
    assert!(s.store().is_empty(), "a refused create stores nothing");

    // The keys' users are users like any other.
    body["permissions"] = json!([{"user_guid": Store::PUBLISHER_USER_GUID}, {"group_guid": group}]);
    let created = create(&s, body).await;
    let path = format!("{INTEGRATIONS}/{}", created["guid"].as_str().unwrap());
    let a = call(&s, Method::PATCH, &path, Some(ADMIN), Some(json!({"permissions": [{"group_guid": stale}]}))).await;
    assert_error(&a, StatusCode::BAD_REQUEST, 262);
    assert!(a.body["error"].as_str().unwrap().contains(stale), "{}", a.body);
    let a = call(&s, Method::PATCH, &path, Some(ADMIN), Some(json!({"permissions": [{"group_guid": user}]}))).await;
    assert_error(&a, StatusCode::BAD_REQUEST, 262);
    assert_eq!(get(&s, &path).await.body["permissions"], created["permissions"], "a refused PATCH changes nothing");
}
