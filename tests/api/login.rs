use std::time::{Duration, Instant};

use linkbroker::domain::TokenFormat;
use linkbroker::domain::{Email, Permission};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::both_backends;
use crate::helpers::{
    browser, location, query_param, spawn_app, spawn_app_with, AmazonUser, Backend, TestApp, ADA, ALEXA_REDIRECT,
};

both_backends!(
    consent_approve_issues_a_code_with_state_and_iss,
    consent_deny_redirects_with_access_denied,
    consent_is_skipped_for_trusted_clients_and_known_scopes,
    callback_from_another_browser_is_refused,
    callback_state_is_single_use,
    amazon_cancel_shows_a_page_with_a_way_back,
    amazon_errors_and_timeouts_give_a_page_quickly,
    known_identity_keeps_its_user_when_the_email_changes,
    preprovisioned_user_is_claimed_by_email,
    second_amazon_account_is_never_merged_silently,
    signup_existing_refuses_unknown_emails,
    new_users_get_default_permissions,
    consent_form_needs_its_csrf_token,
);

async fn consent_approve_issues_a_code_with_state_and_iss(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    app.amazon_user(&ADA).await;
    let b = browser();
    let resp = app.login_until_callback(&b, &TestApp::alexa_params(&client, "state-1")).await;
    assert_eq!(resp.status(), 303);
    let consent = b.get(app.url(&location(&resp).unwrap())).send().await.unwrap();
    let html = consent.text().await.unwrap();
    assert!(html.contains("Test Skill"), "consent shows the client's name");
    assert!(html.contains("Ada@Example.com"), "consent shows the Amazon account as Amazon reports it");
    assert!(html.contains(r#"name="decision" value="approve""#) && html.contains(r#"name="decision" value="deny""#));
    let final_url = app.link(&client, &TestApp::alexa_params(&client, "state-2")).await;
    assert!(final_url.starts_with(ALEXA_REDIRECT), "{final_url}");
    assert!(query_param(&final_url, "code").is_some());
    assert_eq!(query_param(&final_url, "state").as_deref(), Some("state-2"));
    assert_eq!(query_param(&final_url, "iss"), Some(app.base.clone()));
}

async fn consent_deny_redirects_with_access_denied(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    app.amazon_user(&ADA).await;
    let b = browser();
    let resp = app.login_until_callback(&b, &TestApp::alexa_params(&client, "s")).await;
    let resp = app.consent(&b, resp, "deny").await;
    let to = location(&resp).unwrap();
    assert!(to.starts_with(ALEXA_REDIRECT));
    assert_eq!(query_param(&to, "error").as_deref(), Some("access_denied"));
    assert_eq!(query_param(&to, "state").as_deref(), Some("s"));
    assert!(query_param(&to, "code").is_none());
}

async fn consent_is_skipped_for_trusted_clients_and_known_scopes(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    app.amazon_user(&ADA).await;
    let trusted = app.client(&["profile"], true, TokenFormat::Opaque).await;
    let resp = app.login_until_callback(&browser(), &TestApp::alexa_params(&trusted, "s")).await;
    assert_eq!(resp.status(), 302, "skip-consent client goes straight back");
    assert!(query_param(&location(&resp).unwrap(), "code").is_some());

    let client = app.alexa_client().await;
    app.link(&client, &TestApp::alexa_params(&client, "first")).await;
    let again = app.login_until_callback(&browser(), &TestApp::alexa_params(&client, "second")).await;
    assert_eq!(again.status(), 302, "scopes already granted are not asked again");
    assert!(query_param(&location(&again).unwrap(), "code").is_some());
}

async fn callback_from_another_browser_is_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    app.amazon_user(&ADA).await;
    let victim = browser();
    let r = app.authorize(&victim, &TestApp::alexa_params(&client, "s")).await;
    let state = query_param(&location(&r).unwrap(), "state").unwrap();
    let attacker = browser();
    let r = attacker.get(app.url(&format!("/oauth/callback?code=c&state={state}"))).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(location(&r).is_none());
    assert!(r.text().await.unwrap().contains("another browser"));
}

async fn callback_state_is_single_use(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.client(&["profile"], true, TokenFormat::Opaque).await;
    app.amazon_user(&ADA).await;
    let b = browser();
    let r = app.authorize(&b, &TestApp::alexa_params(&client, "s")).await;
    let state = query_param(&location(&r).unwrap(), "state").unwrap();
    let cb = app.url(&format!("/oauth/callback?code=c&state={state}"));
    assert_eq!(b.get(&cb).send().await.unwrap().status(), 302);
    assert_eq!(b.get(&cb).send().await.unwrap().status(), 400);
    let r = b.get(app.url("/oauth/callback?code=c&state=made-up")).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let page = r.text().await.unwrap();
    assert!(page.contains("Sign-in expired"), "{page}");
    assert_eq!(page.matches("start linking again").count(), 1, "the way on is said once: {page}");
}

async fn amazon_cancel_shows_a_page_with_a_way_back(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    let b = browser();
    let r = app.authorize(&b, &TestApp::alexa_params(&client, "s")).await;
    let state = query_param(&location(&r).unwrap(), "state").unwrap();
    let r = b.get(app.url(&format!("/oauth/callback?error=access_denied&state={state}"))).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    assert!(html.contains("cancelled"), "{html}");
    assert!(html.contains("error=access_denied"), "the page links back to the app with access_denied");
}

async fn amazon_errors_and_timeouts_give_a_page_quickly(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({"error": "invalid_grant"})))
        .expect(1)
        .mount(&app.lwa)
        .await;
    let r = app.login_until_callback(&browser(), &TestApp::alexa_params(&client, "s")).await;
    assert_eq!(r.status(), 502);
    assert!(location(&r).is_none());
    app.lwa.verify().await;

    app.lwa.reset().await;
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&app.lwa)
        .await;
    let started = Instant::now();
    let r = app.login_until_callback(&browser(), &TestApp::alexa_params(&client, "s")).await;
    assert_eq!(r.status(), 502);
    assert!(started.elapsed() < Duration::from_secs(15), "an unresponsive Amazon must not hang the user");
    assert!(r.text().await.unwrap().contains("did not answer in time"));
}

async fn known_identity_keeps_its_user_when_the_email_changes(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.client(&["profile"], true, TokenFormat::Opaque).await;
    app.amazon_user(&ADA).await;
    let code = query_param(&app.link(&client, &TestApp::alexa_params(&client, "s")).await, "code").unwrap();
    let (_, first) = app.exchange(&client, &code).await;
    let (_, me) = app.userinfo(first["access_token"].as_str().unwrap()).await;
    app.amazon_user(&AmazonUser { email: "ada.new@example.com", ..ADA }).await;
    let code = query_param(&app.link(&client, &TestApp::alexa_params(&client, "s")).await, "code").unwrap();
    let (_, second) = app.exchange(&client, &code).await;
    let (_, me2) = app.userinfo(second["access_token"].as_str().unwrap()).await;
    assert_eq!(me["sub"], me2["sub"]);
    assert_eq!(me2["email"], "ada@example.com", "the local email is the key and does not follow upstream");
}

async fn preprovisioned_user_is_claimed_by_email(backend: Backend) {
    let Some(app) = spawn_app_with(backend, &[("LINKBROKER_SIGNUP", "existing")]).await else { return };
    let email = Email::parse("ada@example.com").unwrap();
    let user = app.store.create_user(&email, "", &[Permission::parse("rides:order").unwrap()], false, 0).await.unwrap();
    let (_, tokens) = app.linked().await;
    let (status, me) = app.userinfo(tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(me["sub"], user.id);
    assert_eq!(me["name"], "Ada Lovelace", "the name is filled in from Amazon");
    assert_eq!(me["permissions"], serde_json::json!(["rides:order"]));
}

async fn second_amazon_account_is_never_merged_silently(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    app.amazon_user(&ADA).await;
    app.link(&client, &TestApp::alexa_params(&client, "s")).await;
    app.amazon_user(&AmazonUser { user_id: "amzn1.account.OTHER", ..ADA }).await;
    let r = app.login_until_callback(&browser(), &TestApp::alexa_params(&client, "s")).await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("different Amazon account"));
    assert!(app.audit_actions().await.contains(&"identity_conflict".to_string()));
}

async fn signup_existing_refuses_unknown_emails(backend: Backend) {
    let Some(app) = spawn_app_with(backend, &[("LINKBROKER_SIGNUP", "existing")]).await else { return };
    let client = app.alexa_client().await;
    app.amazon_user(&ADA).await;
    let r = app.login_until_callback(&browser(), &TestApp::alexa_params(&client, "s")).await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("no account for ada@example.com"));
    assert!(app.store.list_users().await.unwrap().is_empty());
}

async fn new_users_get_default_permissions(backend: Backend) {
    let Some(app) = spawn_app_with(backend, &[("LINKBROKER_DEFAULT_PERMISSIONS", "lights:on, lights:off")]).await
    else {
        return;
    };
    let (_, tokens) = app.linked().await;
    let (_, me) = app.userinfo(tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(me["permissions"], serde_json::json!(["lights:off", "lights:on"]));
    assert_eq!(me["email"], "ada@example.com", "emails are normalized");
}

async fn consent_form_needs_its_csrf_token(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    app.amazon_user(&ADA).await;
    let b = browser();
    let resp = app.login_until_callback(&b, &TestApp::alexa_params(&client, "s")).await;
    let request = query_param(&app.url(&location(&resp).unwrap()), "request").unwrap();
    let forged = b
        .post(app.url("/oauth/consent"))
        .form(&[("request", request.as_str()), ("csrf", "forged"), ("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(location(&forged).is_none());
    let cross_site = b
        .post(app.url("/oauth/consent"))
        .header("Origin", "https://evil.example")
        .form(&[("request", request.as_str()), ("csrf", "x"), ("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
}
