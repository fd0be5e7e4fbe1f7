//! The consent form under real browsers' `Origin` rules: Chromium sends
//! `Origin: null` on form posts from a `Referrer-Policy: no-referrer` page.

use crate::both_backends;
use crate::helpers::{browser, hidden_field, location, query_param, spawn_app, Backend, TestApp, ADA};

both_backends!(consent_accepts_origin_null_and_refuses_a_foreign_origin);

async fn post_consent(app: &TestApp, origin: &str) -> reqwest::Response {
    post_consent_with(app, origin, None).await
}

async fn post_consent_with(app: &TestApp, origin: &str, forwarded_host: Option<&str>) -> reqwest::Response {
    let client = app.alexa_client().await;
    app.amazon_user(&ADA).await;
    let b = browser();
    let resp = app.login_until_callback(&b, &TestApp::alexa_params(&client, "st")).await;
    assert_eq!(resp.status(), 303);
    let html = b.get(app.url(&location(&resp).unwrap())).send().await.unwrap().text().await.unwrap();
    let request = hidden_field(&html, "request").unwrap();
    let csrf = hidden_field(&html, "csrf").unwrap();
    let mut post = b.post(app.url("/oauth/consent")).header("Origin", origin);
    if let Some(host) = forwarded_host {
        post = post.header("X-Forwarded-Host", host);
    }
    post.form(&[("request", request.as_str()), ("csrf", csrf.as_str()), ("decision", "approve")]).send().await.unwrap()
}

async fn consent_accepts_origin_null_and_refuses_a_foreign_origin(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };

    let from_browser = post_consent(&app, "null").await;
    let from_elsewhere = post_consent(&app, "https://evil.example").await;

    assert_eq!(from_browser.status(), 303);
    assert!(query_param(&location(&from_browser).unwrap(), "code").is_some());
    assert_eq!(from_elsewhere.status(), 403);
    // The Origin is compared with the configured public URL only: a forwarded
    // host from an untrusted peer does not make a foreign origin ours.
    let forged = post_consent_with(&app, "https://evil.example", Some("evil.example")).await;
    assert_eq!(forged.status(), 403);
    let ours = post_consent(&app, &app.base).await;
    assert_eq!(ours.status(), 303, "our own origin is accepted");
}
