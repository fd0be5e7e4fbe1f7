//! Issue 6, abuse limits: 429 with `Retry-After` per IP and per client on
//! the token endpoint and per IP on authorize; `X-Forwarded-For` believed
//! only from trusted proxies; defaults that a real load never meets; size
//! limits on headers and bodies.

use crate::both_backends;
use crate::helpers::{browser, spawn_app, spawn_app_with, Backend, TestApp};

both_backends!(
    token_endpoint_limits_each_ip,
    token_endpoint_limits_each_authenticated_client,
    authorize_limits_each_ip_with_a_page,
    forwarded_for_counts_only_from_trusted_proxies,
    default_limits_let_a_refresh_burst_through,
    oversized_headers_and_bodies_get_a_4xx,
);

async fn token_endpoint_limits_each_ip(backend: Backend) {
    let env = [("LINKBROKER_RATE_LIMIT_TOKEN_PER_IP", "3/min")];
    let Some(app) = spawn_app_with(backend, &env).await else { return };
    let client = app.alexa_client().await;
    for _ in 0..3 {
        assert_eq!(app.refresh(&client, "unknown").await.0, 400);
    }
    let (status, headers, body) = app
        .token(&[("grant_type", "refresh_token"), ("refresh_token", "unknown")], Some((&client.id, &client.secret)))
        .await;
    assert_eq!(status, 429, "{body}");
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert_eq!(body["error"], "temporarily_unavailable", "never invalid_grant: platforms would unlink");
}

async fn token_endpoint_limits_each_authenticated_client(backend: Backend) {
    let env = [("LINKBROKER_RATE_LIMIT_TOKEN_PER_CLIENT", "3/min"), ("LINKBROKER_RATE_LIMIT_TOKEN_PER_IP", "off")];
    let Some(app) = spawn_app_with(backend, &env).await else { return };
    let busy = app.alexa_client().await;
    let other = app.alexa_client().await;
    // Client ids are public: failed authentications must not use up the
    // real client's budget.
    for _ in 0..5 {
        let (status, _, _) =
            app.token(&[("grant_type", "refresh_token"), ("refresh_token", "x")], Some((&busy.id, "wrong"))).await;
        assert_eq!(status, 401);
    }
    for _ in 0..3 {
        assert_eq!(app.refresh(&busy, "unknown").await.0, 400);
    }
    let (status, body) = app.refresh(&busy, "unknown").await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(app.refresh(&other, "unknown").await.0, 400, "another client is not affected");
}

async fn authorize_limits_each_ip_with_a_page(backend: Backend) {
    let env = [("LINKBROKER_RATE_LIMIT_AUTHORIZE_PER_IP", "2/min")];
    let Some(app) = spawn_app_with(backend, &env).await else { return };
    let client = app.alexa_client().await;
    let b = browser();
    for _ in 0..2 {
        assert_eq!(app.authorize(&b, &TestApp::alexa_params(&client, "s")).await.status(), 302);
    }
    let r = app.authorize(&b, &TestApp::alexa_params(&client, "s")).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert!(r.headers().get("location").is_none(), "a page, not a redirect");
    assert!(r.text().await.unwrap().contains("Too many"));
}

async fn forwarded_for_counts_only_from_trusted_proxies(backend: Backend) {
    let limit = ("LINKBROKER_RATE_LIMIT_AUTHORIZE_PER_IP", "1/min");
    let ask = |app: &TestApp, forwarded: &str| {
        let url = app.url("/oauth/authorize?client_id=nope");
        let req = app.api.get(url).header("X-Forwarded-For", forwarded.to_string());
        async move { req.send().await.unwrap().status().as_u16() }
    };
    // Behind a trusted proxy (the test runs on loopback): each forwarded
    // client has its own budget.
    let Some(app) = spawn_app_with(backend, &[limit, ("LINKBROKER_TRUSTED_PROXIES", "127.0.0.0/8, ::1")]).await else {
        return;
    };
    assert_eq!(ask(&app, "203.0.113.1").await, 400, "unknown client page, but not limited");
    assert_eq!(ask(&app, "203.0.113.2").await, 400);
    assert_eq!(ask(&app, "198.51.100.7, 203.0.113.1").await, 429, "the rightmost untrusted entry counts");
    // HAProxy `option forwardfor` appends its own header line: the client's
    // forged first line must not choose the key.
    let two_lines = app
        .api
        .get(app.url("/oauth/authorize?client_id=nope"))
        .header("X-Forwarded-For", "198.51.100.99")
        .header("X-Forwarded-For", "203.0.113.2")
        .send()
        .await
        .unwrap();
    assert_eq!(two_lines.status(), 429, "every header line is read, the rightmost untrusted entry counts");
    // Without trusted proxies the header is the caller's word: ignored.
    let Some(app) = spawn_app_with(backend, &[limit]).await else { return };
    assert_eq!(ask(&app, "203.0.113.1").await, 400);
    assert_eq!(ask(&app, "203.0.113.2").await, 429, "a forged header does not buy a new budget");
}

async fn default_limits_let_a_refresh_burst_through(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    // Far above what one Alexa skill sends from one address in a second.
    for i in 0..300 {
        let (status, _, body) =
            app.token(&[("grant_type", "client_credentials")], Some((&client.id, &client.secret))).await;
        assert_eq!(status, 400, "request {i} was throttled: {body}");
    }
    let b = browser();
    for _ in 0..20 {
        assert_eq!(app.authorize(&b, &TestApp::alexa_params(&client, "s")).await.status(), 302);
    }
}

async fn oversized_headers_and_bodies_get_a_4xx(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let huge = "a".repeat(200 * 1024);
    match app.api.get(app.url("/healthz")).header("X-Big", &huge).send().await {
        Ok(r) => assert!(r.status().is_client_error(), "{}", r.status()),
        // Refusing to read the request at all is also acceptable.
        Err(e) => assert!(!e.is_timeout(), "{e}"),
    }
    // Past 16 KB of headers (below the parser's own limit): a 431 that says why.
    let r = app.api.get(app.url("/healthz")).header("X-Big", "a".repeat(20 * 1024)).send().await.unwrap();
    assert_eq!(r.status(), 431);
    assert!(r.text().await.unwrap().contains("at most 64 headers and 16 KB"));
    let ok = app.api.get(app.url("/healthz")).header("X-Cookie-Like", "a".repeat(8 * 1024)).send().await.unwrap();
    assert_eq!(ok.status(), 200, "8 KB of headers is fine");
    // An oversized body at the OAuth endpoints: RFC 6749 JSON, not plain text.
    for path in ["/oauth/token", "/oauth/revoke", "/oauth/introspect"] {
        let body = format!("grant_type=refresh_token&refresh_token={}", "a".repeat(128 * 1024));
        let r = app
            .api
            .post(app.url(path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 413, "{path}");
        let json: serde_json::Value = r.json().await.unwrap();
        assert_eq!(json["error"], "invalid_request", "{path}");
        assert!(json["error_description"].as_str().unwrap().contains("64 KB"), "{path}");
    }
}
