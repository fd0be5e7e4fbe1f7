//! Signing in to the admin UI from tests.

use crate::helpers::{browser, hidden_field, location, TestApp};

pub const ADMIN_EMAIL: &str = "root@example.com";
pub const ADMIN_PASSWORD: &str = "correct horse battery";

pub async fn create_admin(app: &TestApp) {
    crate::helpers::manager(&app.store)
        .add_admin(&linkbroker::domain::Actor::cli(), ADMIN_EMAIL, ADMIN_PASSWORD.to_string())
        .await
        .expect("admin created");
}

/// An admin API token acting as `ADMIN_EMAIL` (who must exist).
pub async fn api_token(app: &TestApp, name: &str) -> String {
    let actor = linkbroker::domain::Actor::cli();
    let (_, token) = crate::helpers::manager(&app.store).create_api_token(&actor, ADMIN_EMAIL, name).await.unwrap();
    token.expose().to_string()
}

/// Loads the sign-in form and posts `email` / `password` from `browser`.
pub async fn post_login(app: &TestApp, b: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
    let form = b.get(app.url("/admin/login")).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_field(&form, "csrf").expect("csrf field on the sign-in form");
    b.post(app.url("/admin/login"))
        .form(&[("email", email), ("password", password), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap()
}

/// A browser with a live admin session, and that session's CSRF token.
pub async fn admin_browser(app: &TestApp) -> (reqwest::Client, String) {
    create_admin(app).await;
    let b = browser();
    let resp = post_login(app, &b, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(resp.status(), 303, "sign-in should redirect");
    assert_eq!(location(&resp).as_deref(), Some("/admin"));
    let page = b.get(app.url("/admin")).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_field(&page, "csrf").expect("csrf field in the admin bar");
    (b, csrf)
}

/// Posts an admin form with the session's CSRF token added.
pub async fn post_form(
    app: &TestApp,
    b: &reqwest::Client,
    csrf: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = vec![("csrf", csrf)];
    form.extend_from_slice(fields);
    b.post(app.url(path)).form(&form).send().await.unwrap()
}

/// An admin page's HTML, fetched with a fresh admin session.
pub async fn admin_page(app: &TestApp, path: &str) -> String {
    let (b, _) = admin_browser(app).await;
    b.get(app.url(path)).send().await.unwrap().text().await.unwrap()
}

/// A browser signed in as the admin that already exists, and its CSRF token.
pub async fn admin_browser_again(app: &TestApp) -> (reqwest::Client, String) {
    let b = browser();
    let resp = post_login(app, &b, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(resp.status(), 303, "sign-in should redirect");
    let page = b.get(app.url("/admin")).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_field(&page, "csrf").expect("csrf field in the admin bar");
    (b, csrf)
}

/// One admin API call with `token`: the status and the JSON body (null if none).
pub async fn api_call(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut req = app.api.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}
