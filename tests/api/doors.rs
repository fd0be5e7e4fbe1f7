//! One rule, three doors: the command line, the admin UI and the admin API
//! run the same management use cases, so each action leaves the same audit
//! entry from each (the command-line half is in `cli.rs`), clients are
//! checked by the same rules, and a database fault is a 503 with nothing
//! internal shown.

use serde_json::{json, Value};

use crate::admin_support::{admin_browser, api_call as call, api_token, create_admin, post_form, ADMIN_EMAIL};
use crate::both_backends;
use crate::helpers::{location, spawn_app, Backend, TestApp};
use linkbroker::store::{AuditQuery, Store};

both_backends!(
    the_ui_audits_every_management_action,
    the_api_audits_every_management_action,
    the_api_and_the_ui_check_clients_by_the_same_rules,
    a_database_fault_while_creating_a_client_is_a_503_without_internals,
);

/// The actions every door offers, in the order the tests take them.
pub const ACTIONS: [&str; 8] = [
    "client_created",
    "client_secret_rotated",
    "client_deleted",
    "user_provisioned",
    "permission_granted",
    "permission_revoked",
    "user_disabled",
    "user_enabled",
];

/// Each of `ACTIONS` is in the audit log exactly once, by `actor`, with the
/// door in its detail.
pub async fn assert_audited(store: &Store, actor: &str, via: &str) {
    let rows = store.audit_entries(&AuditQuery { limit: 500, ..Default::default() }).await.unwrap();
    let mut seen: Vec<&str> = Vec::new();
    for row in rows.iter().filter(|r| ACTIONS.contains(&r.action.as_str())) {
        assert_eq!(row.actor, actor, "{} by the wrong actor", row.action);
        let detail: Value = serde_json::from_str(&row.detail).unwrap();
        assert_eq!(detail["via"], via, "{} without its door: {detail}", row.action);
        seen.push(&row.action);
    }
    seen.sort_unstable();
    let mut expected = ACTIONS.to_vec();
    expected.sort_unstable();
    assert_eq!(seen, expected, "every action audited once");
}

async fn the_ui_audits_every_management_action(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (b, csrf) = admin_browser(&app).await;
    let fields = [("name", "Skill"), ("redirect_uris", "https://pitangui.amazon.com/api/skill/link/V"), ("scopes", "")];
    let created = post_form(&app, &b, &csrf, "/admin/clients", &fields).await;
    assert_eq!(created.status(), 200, "the secret page");
    let id = app.store.list_clients().await.unwrap()[0].id.clone();
    assert_eq!(post_form(&app, &b, &csrf, &format!("/admin/clients/{id}/rotate"), &[]).await.status(), 200);
    assert_eq!(post_form(&app, &b, &csrf, &format!("/admin/clients/{id}/delete"), &[]).await.status(), 303);

    let resp = post_form(&app, &b, &csrf, "/admin/users", &[("email", "grace@example.com"), ("name", "Grace")]).await;
    assert_eq!(resp.status(), 303);
    let user = location(&resp).unwrap();
    for (path, fields) in [
        ("permissions", [("op", "add"), ("permission", "rides:order")]),
        ("permissions", [("op", "remove"), ("permission", "rides:order")]),
        ("status", [("op", "disable"), ("", "")]),
        ("status", [("op", "enable"), ("", "")]),
    ] {
        let resp = post_form(&app, &b, &csrf, &format!("{user}/{path}"), &fields).await;
        assert_eq!(resp.status(), 303, "{path} {fields:?}");
    }
    assert_audited(&app.store, &format!("admin:{ADMIN_EMAIL}"), "ui").await;
}

async fn the_api_audits_every_management_action(backend: Backend) {
    use reqwest::Method;
    let Some(app) = spawn_app(backend).await else { return };
    create_admin(&app).await;
    let t = api_token(&app, "doors").await;
    let client = json!({ "name": "Skill", "redirect_uris": ["https://pitangui.amazon.com/api/skill/link/V"] });
    let (status, created) = call(&app, &t, Method::POST, "/admin/api/clients", Some(client)).await;
    assert_eq!(status, 201);
    let id = created["client_id"].as_str().unwrap();
    assert_eq!(call(&app, &t, Method::POST, &format!("/admin/api/clients/{id}/rotate-secret"), None).await.0, 200);
    assert_eq!(call(&app, &t, Method::DELETE, &format!("/admin/api/clients/{id}"), None).await.0, 204);

    let (status, user) =
        call(&app, &t, Method::POST, "/admin/api/users", Some(json!({ "email": "grace@example.com" }))).await;
    assert_eq!(status, 201);
    let base = format!("/admin/api/users/{}", user["id"].as_str().unwrap());
    for (method, path) in [
        (Method::PUT, "permissions/rides:order"),
        (Method::DELETE, "permissions/rides:order"),
        (Method::POST, "disable"),
        (Method::POST, "enable"),
    ] {
        assert_eq!(call(&app, &t, method.clone(), &format!("{base}/{path}"), None).await.0, 204, "{method} {path}");
    }
    assert_audited(&app.store, &format!("admin:{ADMIN_EMAIL}"), "api").await;
}

/// Names count characters (not bytes) and redirect URIs are kept once,
/// whether a client is created or updated, from the API or the UI.
async fn the_api_and_the_ui_check_clients_by_the_same_rules(backend: Backend) {
    use reqwest::Method;
    let Some(app) = spawn_app(backend).await else { return };
    let (b, csrf) = admin_browser(&app).await;
    let t = api_token(&app, "rules").await;
    let uri = "https://pitangui.amazon.com/api/skill/link/V";
    // 150 characters, 300 bytes: a valid name.
    let name = "é".repeat(150);
    let body = json!({ "name": name, "redirect_uris": [uri, uri], "allow_plain_pkce": true });
    let (status, created) = call(&app, &t, Method::POST, "/admin/api/clients", Some(body.clone())).await;
    assert_eq!(status, 201, "{created}");
    let id = created["client_id"].as_str().unwrap().to_string();
    let stored = app.store.client(&id).await.unwrap().unwrap();
    assert_eq!((stored.name.as_str(), stored.redirect_uris.as_slice()), (name.as_str(), [uri.to_string()].as_slice()));
    assert!(stored.allow_plain_pkce);
    assert_eq!(call(&app, &t, Method::PUT, &format!("/admin/api/clients/{id}"), Some(body)).await.0, 204);
    let without = json!({ "name": "Renamed", "redirect_uris": [uri] });
    assert_eq!(call(&app, &t, Method::PUT, &format!("/admin/api/clients/{id}"), Some(without)).await.0, 204);
    assert!(app.store.client(&id).await.unwrap().unwrap().allow_plain_pkce, "a PUT without the field keeps it");

    let too_long = json!({ "name": "é".repeat(201), "redirect_uris": [uri] });
    let (status, err) = call(&app, &t, Method::POST, "/admin/api/clients", Some(too_long.clone())).await;
    assert_eq!((status, err["message"].as_str()), (400, Some("the name must be 1 to 200 characters")));
    let (status, _) = call(&app, &t, Method::PUT, &format!("/admin/api/clients/{id}"), Some(too_long)).await;
    assert_eq!(status, 400);

    // The UI form: the same rule, the same words, shown on the form; and
    // its PKCE checkbox round-trips.
    let long = "é".repeat(201);
    let resp = post_form(&app, &b, &csrf, "/admin/clients", &[("name", &long), ("redirect_uris", uri)]).await;
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("The name must be 1 to 200 characters."));
    let fields = [("name", "Plain"), ("redirect_uris", uri), ("allow_plain_pkce", "")];
    assert_eq!(post_form(&app, &b, &csrf, &format!("/admin/clients/{id}"), &fields).await.status(), 303);
    assert!(!app.store.client(&id).await.unwrap().unwrap().allow_plain_pkce, "an unticked box turns it off");
    let page = b.get(app.url(&format!("/admin/clients/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"name="allow_plain_pkce" value="1">"#), "unticked on the form");
}

/// Makes every insert into `clients` fail as a database fault would.
async fn break_client_inserts(app: &TestApp, backend: Backend) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url).await.unwrap();
    let statements: &[&str] = match backend {
        Backend::Sqlite => {
            &["CREATE TRIGGER fault BEFORE INSERT ON clients BEGIN SELECT RAISE(ABORT, 'disk I/O fault'); END"]
        }
        Backend::Postgres => &[
            "CREATE FUNCTION fault() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'disk I/O fault' USING ERRCODE = '58030'; END $$",
            "CREATE TRIGGER fault BEFORE INSERT ON clients FOR EACH ROW EXECUTE FUNCTION fault()",
        ],
    };
    for s in statements {
        sqlx::query(s).execute(&mut conn).await.unwrap();
    }
}

async fn a_database_fault_while_creating_a_client_is_a_503_without_internals(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (b, csrf) = admin_browser(&app).await;
    let t = api_token(&app, "fault").await;
    break_client_inserts(&app, backend).await;
    let uri = "https://pitangui.amazon.com/api/skill/link/V";

    let resp = app
        .api
        .post(app.url("/admin/api/clients"))
        .bearer_auth(&t)
        .json(&json!({ "name": "Skill", "redirect_uris": [uri] }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "unavailable");
    assert!(!body.to_string().contains("fault"), "no database text: {body}");

    let resp = post_form(&app, &b, &csrf, "/admin/clients", &[("name", "Skill"), ("redirect_uris", uri)]).await;
    assert_eq!(resp.status(), 503);
    let page = resp.text().await.unwrap();
    assert!(!page.contains("fault") && page.contains("try again"), "{page}");
}
