//! Issue 6, stateless instances: two instances on one database, as behind a
//! load balancer without sticky sessions. Every hop of a link goes to the
//! other instance than the hop before.

use linkbroker::domain::TokenFormat;

use crate::both_backends;
use crate::helpers::{
    browser, hidden_field, location, query_param, spawn_app, spawn_apps_together, Backend, TestApp, ADA, ALEXA_REDIRECT,
};

both_backends!(
    each_hop_of_a_link_can_go_to_another_instance,
    parallel_refreshes_across_two_instances_converge,
    instances_started_together_agree_on_secrets,
);

async fn each_hop_of_a_link_can_go_to_another_instance(backend: Backend) {
    let Some(a) = spawn_app(backend).await else { return };
    let b = a.spawn_sibling().await;
    assert_ne!(a.base, b.base);
    let client = a.alexa_client().await;
    a.amazon_user(&ADA).await;
    let web = browser();

    let resp = a.authorize(&web, &TestApp::alexa_params(&client, "st-1")).await;
    assert_eq!(resp.status(), 302, "authorize on A");
    let upstream_state = query_param(&location(&resp).unwrap(), "state").unwrap();
    let resp =
        web.get(b.url(&format!("/oauth/callback?code=amazon-code&state={upstream_state}"))).send().await.unwrap();
    assert_eq!(resp.status(), 303, "callback on B");
    let page = web.get(a.url(&location(&resp).unwrap())).send().await.unwrap();
    assert_eq!(page.status(), 200, "consent page on A");
    let html = page.text().await.unwrap();
    let form = [
        ("request", hidden_field(&html, "request").unwrap()),
        ("csrf", hidden_field(&html, "csrf").unwrap()),
        ("decision", "approve".to_string()),
    ];
    let resp = web.post(b.url("/oauth/consent")).form(&form).send().await.unwrap();
    let to = location(&resp).expect("consent on B redirects to Alexa");
    assert!(to.starts_with(ALEXA_REDIRECT), "{to}");
    assert_eq!(query_param(&to, "iss").as_deref(), Some(a.base.as_str()), "one issuer for all instances");
    let code = query_param(&to, "code").unwrap();

    let (status, first) = a.exchange(&client, &code).await;
    assert_eq!(status, 200, "token on A: {first}");
    let t = first["refresh_token"].as_str().unwrap();
    let (status, second) = b.refresh(&client, t).await;
    assert_eq!(status, 200, "refresh on B: {second}");
    let (status, retried) = a.refresh(&client, t).await;
    assert_eq!(status, 200, "a retry on A converges: {retried}");
    assert_eq!(retried["refresh_token"], second["refresh_token"], "both instances derive the same successor");
    let (status, me) = a.userinfo(second["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "userinfo on A for a token minted on B: {me}");
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(b.userinfo(first["access_token"].as_str().unwrap()).await.0, 200, "userinfo on B");

    // Admin: signed in on A, the session and its CSRF token work on B.
    let (admin, csrf) = crate::admin_support::admin_browser(&a).await;
    let users = admin.get(b.url("/admin/users?q=ada")).send().await.unwrap();
    assert_eq!(users.status(), 200, "admin users page on B with A's session");
    assert!(users.text().await.unwrap().contains("ada@example.com"));
    let path = format!("/admin/users/{}/permissions", me["sub"].as_str().unwrap());
    let resp =
        crate::admin_support::post_form(&b, &admin, &csrf, &path, &[("op", "add"), ("permission", "rides:order")])
            .await;
    assert_eq!(resp.status(), 303, "an admin form posted to B");
    // Within the resolution cache's 2 s, A answers with the new permission.
    a.clock.advance(linkbroker::oauth::access_cache::TTL.as_secs() as i64 + 1);
    let (_, me) = a.userinfo(second["access_token"].as_str().unwrap()).await;
    assert_eq!(me["permissions"], serde_json::json!(["rides:order"]), "the permission granted on B reaches A");
}

/// A fresh deployment whose instances all start at once: migrations (an
/// advisory lock on Postgres), the refresh-successor key and the first
/// signing key are created exactly once, so every instance derives the same
/// successor and trusts the same JWTs.
/// Parallel refreshes of one token spread over two instances all succeed
/// with one successor (the row decides, not an instance's memory).
async fn parallel_refreshes_across_two_instances_converge(backend: Backend) {
    let Some(a) = spawn_app(backend).await else { return };
    let b = std::sync::Arc::new(a.spawn_sibling().await);
    let a = std::sync::Arc::new(a);
    let (client, first) = a.linked().await;
    let client = std::sync::Arc::new(client);
    let t = first["refresh_token"].as_str().unwrap().to_string();
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let app = if i % 2 == 0 { a.clone() } else { b.clone() };
            let (client, t) = (client.clone(), t.clone());
            tokio::spawn(async move { app.refresh(&client, &t).await })
        })
        .collect();
    let mut successors = std::collections::HashSet::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert_eq!(status, 200, "{body}");
        successors.insert(body["refresh_token"].as_str().unwrap().to_string());
    }
    assert_eq!(successors.len(), 1, "one chain across instances");
    let s = successors.into_iter().next().unwrap();
    assert_eq!(b.refresh(&client, &s).await.0, 200);
}

async fn instances_started_together_agree_on_secrets(backend: Backend) {
    let Some(apps) = spawn_apps_together(backend, 4).await else { return };
    let client = apps[0].client(&["profile"], true, TokenFormat::Jwt).await;
    let code = apps[0].code_for(&client).await;
    let (status, first) = apps[1].exchange(&client, &code).await;
    assert_eq!(status, 200, "{first}");
    let t = first["refresh_token"].as_str().unwrap();
    let mut successors = std::collections::HashSet::new();
    for app in &apps {
        let (status, body) = app.refresh(&client, t).await;
        assert_eq!(status, 200, "{body}");
        successors.insert(body["refresh_token"].as_str().unwrap().to_string());
        assert_eq!(app.userinfo(first["access_token"].as_str().unwrap()).await.0, 200, "JWT from another instance");
    }
    assert_eq!(successors.len(), 1, "one successor, whichever instance answers");
}
