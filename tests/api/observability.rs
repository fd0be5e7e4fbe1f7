//! Issue 6, logs and metrics: request ids, one line per request, nothing
//! secret in the logs of a whole flow, and `/metrics`.

use linkbroker::domain::TokenFormat;

use crate::both_backends;
use crate::helpers::{browser, hidden_field, location, query_param, spawn_app, spawn_app_with, Backend, TestApp, ADA};
use crate::process::serve_binary;

both_backends!(
    request_ids_are_honoured_or_generated_and_echoed,
    logs_of_a_full_flow_hold_no_secret,
    metrics_count_requests_links_refreshes_and_invalid_grants,
    metrics_are_hidden_from_peers_outside_the_allow_list,
    authorize_error_pages_log_their_reason,
);

async fn metrics_are_hidden_from_peers_outside_the_allow_list(backend: Backend) {
    let Some(app) = spawn_app_with(backend, &[("LINKBROKER_METRICS_ALLOW", "10.0.0.0/8")]).await else { return };
    let r = app.api.get(app.url("/metrics")).header("X-Forwarded-For", "10.1.2.3").send().await.unwrap();
    assert_eq!(r.status(), 404, "loopback is not in the list, and X-Forwarded-For does not count");
}

async fn request_ids_are_honoured_or_generated_and_echoed(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let r = app.api.get(app.url("/healthz")).header("X-Request-Id", "lb-test-42").send().await.unwrap();
    assert_eq!(r.headers()["x-request-id"], "lb-test-42");
    let r = app.api.get(app.url("/healthz")).header("X-Request-Id", "bad id\twith tab").send().await.unwrap();
    let generated = r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(generated.len(), 32, "an unsafe id is replaced: {generated}");
    let a = app.api.get(app.url("/nope")).send().await.unwrap();
    let b = app.api.get(app.url("/nope")).send().await.unwrap();
    assert_eq!(a.status(), 404);
    assert_ne!(a.headers()["x-request-id"], b.headers()["x-request-id"], "each request gets its own id");
}

/// Drives authorize → Amazon → callback → consent → token → refresh →
/// userinfo against the real binary with JSON logs at `debug`, then looks
/// for every secret value of the flow in everything the process printed.
async fn logs_of_a_full_flow_hold_no_secret(backend: Backend) {
    let lwa_secret = "lwa-secret-0f9a8b7c6d5e4f3a2b1c";
    let env =
        [("LINKBROKER_LOG", "debug"), ("LINKBROKER_LOG_FORMAT", "json"), ("LINKBROKER_LWA_CLIENT_SECRET", lwa_secret)];
    let Some(served) = serve_binary(backend, &env).await else { return };
    let app = &served.app;
    let client = app.client(&["profile"], false, TokenFormat::Opaque).await;
    app.amazon_user(&ADA).await;

    let state = "alexa-state-7c1e5d0b9a";
    let b = browser();
    let resp = app.authorize(&b, &TestApp::alexa_params(&client, state)).await;
    assert_eq!(resp.status(), 302);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let cookie_value = cookie.split_once('=').unwrap().1.to_string();
    let upstream_state = query_param(&location(&resp).unwrap(), "state").unwrap();
    let upstream_code = "amazon-code-3e4f5a6b7c8d";
    let resp = b
        .get(app.url(&format!("/oauth/callback?code={upstream_code}&state={upstream_state}")))
        .header("X-Request-Id", "flow-callback-1")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let page = b.get(app.url(&location(&resp).unwrap())).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_field(&page, "csrf").unwrap();
    let request = hidden_field(&page, "request").unwrap();
    let resp = b
        .post(app.url("/oauth/consent"))
        .form(&[("request", request.as_str()), ("csrf", csrf.as_str()), ("decision", "approve")])
        .send()
        .await
        .unwrap();
    let code = query_param(&location(&resp).unwrap(), "code").expect("a code");
    let (status, first) = app.exchange(&client, &code).await;
    assert_eq!(status, 200, "{first}");
    let (status, second) = app.refresh(&client, first["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(app.userinfo(second["access_token"].as_str().unwrap()).await.0, 200);
    // The token as a query parameter (Login with Amazon's way) stays out of
    // the logs too: query strings are never logged.
    let by_query = format!("/user/profile?access_token={}", second["access_token"].as_str().unwrap());
    assert_eq!(app.api.get(app.url(&by_query)).send().await.unwrap().status(), 200);
    let refused = app.api.get(app.url("/oauth/userinfo?access_token=made-up-query-token-5a4b3c")).send().await;
    assert_eq!(refused.unwrap().status(), 401);
    // A failed client authentication must not log the wrong secret either.
    let wrong_secret = "wrong-secret-9d8c7b6a5f4e3d2c1b0a";
    let (status, _, _) =
        app.token(&[("grant_type", "refresh_token"), ("refresh_token", "x")], Some((&client.id, wrong_secret))).await;
    assert_eq!(status, 401);

    let logs = served.stop();
    let secrets = [
        ("client secret", client.secret.as_str()),
        ("wrong client secret", wrong_secret),
        ("LWA client secret", lwa_secret),
        ("Alexa state", state),
        ("upstream state", upstream_state.as_str()),
        ("upstream code", upstream_code),
        ("upstream access token", "Atza|upstream-access"),
        ("browser cookie", cookie_value.as_str()),
        ("CSRF token", csrf.as_str()),
        ("authorization code", code.as_str()),
        ("access token", first["access_token"].as_str().unwrap()),
        ("refresh token", first["refresh_token"].as_str().unwrap()),
        ("second access token", second["access_token"].as_str().unwrap()),
        ("successor refresh token", second["refresh_token"].as_str().unwrap()),
        ("made-up token in a query", "made-up-query-token-5a4b3c"),
    ];
    for (what, value) in secrets {
        assert!(!logs.contains(value), "the {what} appears in the logs:\n{logs}");
    }
    // The logs are there and structured: one JSON object per line, and one
    // request line per request with its id, route, status and latency.
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let callback = lines
        .iter()
        .find(|l| l["message"] == "request" && l["route"] == "/oauth/callback")
        .unwrap_or_else(|| panic!("no request line for the callback:\n{logs}"));
    assert_eq!(callback["method"], "GET");
    assert_eq!(callback["status"], 303);
    assert!(callback["latency_ms"].is_string() || callback["latency_ms"].is_number());
    assert_eq!(callback["span"]["request_id"], "flow-callback-1", "{callback}");
    let token_lines = lines.iter().filter(|l| l["message"] == "request" && l["route"] == "/oauth/token").count();
    assert_eq!(token_lines, 3, "one line per token request");
}

async fn metrics_count_requests_links_refreshes_and_invalid_grants(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, first) = app.linked().await;
    let t = first["refresh_token"].as_str().unwrap();
    let (_, s) = app.refresh(&client, t).await;
    let (_, u) = app.refresh(&client, s["refresh_token"].as_str().unwrap()).await;
    let (_, _) = app.refresh(&client, u["refresh_token"].as_str().unwrap()).await;
    // One miss, then a hit within the cache's 2 s.
    let access = u["access_token"].as_str().unwrap();
    assert_eq!(app.userinfo(access).await.0, 200);
    assert_eq!(app.userinfo(access).await.0, 200);
    // Two steps behind: theft, the link is revoked.
    assert_eq!(app.refresh(&client, t).await.0, 400);
    assert_eq!(app.refresh(&client, "never-issued").await.0, 400);
    app.api.get(app.url("/no/such/path/123")).send().await.unwrap();

    let r = app.api.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = r.text().await.unwrap();
    let value = |series: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.trim().parse().ok()))
            .unwrap_or_else(|| panic!("no series {series} in:\n{text}"))
    };
    assert_eq!(value("linkbroker_links_created_total"), 1.0);
    assert_eq!(value("linkbroker_refreshes_total"), 3.0);
    assert_eq!(value("linkbroker_refresh_reuse_detected_total"), 1.0);
    assert_eq!(value(r#"linkbroker_invalid_grant_total{grant_type="refresh_token",reason="refresh_reused"}"#), 1.0);
    assert_eq!(value(r#"linkbroker_invalid_grant_total{grant_type="refresh_token",reason="unknown_token"}"#), 1.0);
    assert_eq!(value(r#"linkbroker_http_requests_total{method="POST",route="/oauth/token",status="200"}"#), 4.0);
    assert_eq!(value(r#"linkbroker_http_requests_total{method="GET",route="unmatched",status="404"}"#), 1.0);
    assert!(!text.contains("/no/such/path"), "unmatched paths must not become label values");
    assert!(
        value(r#"linkbroker_http_request_duration_seconds_count{method="POST",route="/oauth/token",status="400"}"#)
            >= 2.0
    );
    assert_eq!(value(r#"linkbroker_upstream_request_duration_seconds_count{outcome="ok",provider="lwa"}"#), 1.0);
    assert!(value(r#"linkbroker_db_pool_connections{state="open"}"#) >= 1.0);
    assert!(text.contains(r#"linkbroker_db_pool_connections{state="idle"}"#));
    assert!(value(r#"linkbroker_access_cache_lookups_total{result="hit"}"#) >= 1.0);
    assert!(value(r#"linkbroker_access_cache_lookups_total{result="miss"}"#) >= 1.0);
}

/// "Unable to link" in the Alexa app is all a user sees: the operator's log
/// must say why authorize refused (an unknown client, an unregistered or
/// trailing-slash redirect URI), and nothing secret.
async fn authorize_error_pages_log_their_reason(backend: Backend) {
    let Some(served) = serve_binary(backend, &[]).await else { return };
    let app = &served.app;
    let client = app.alexa_client().await;
    let b = browser();
    let unknown = [
        ("response_type", "code"),
        ("client_id", "no-such-client-4f3e"),
        ("redirect_uri", crate::helpers::ALEXA_REDIRECT),
        ("state", "state-secret-1a2b"),
    ];
    assert_eq!(app.authorize(&b, &unknown).await.status(), 400);
    let slash = format!("{}/", crate::helpers::ALEXA_REDIRECT);
    let trailing = [
        ("response_type", "code"),
        ("client_id", client.id.as_str()),
        ("redirect_uri", slash.as_str()),
        ("state", "state-secret-1a2b"),
    ];
    assert_eq!(app.authorize(&b, &trailing).await.status(), 400);
    let elsewhere = [
        ("response_type", "code"),
        ("client_id", client.id.as_str()),
        ("redirect_uri", "https://evil.example/cb"),
        ("state", "s"),
    ];
    assert_eq!(app.authorize(&b, &elsewhere).await.status(), 400);
    let logs = served.stop();
    assert!(logs.contains("no such client") && logs.contains("no-such-client-4f3e"), "{logs}");
    assert!(logs.contains("only by a trailing slash"), "{logs}");
    assert!(logs.contains("https://evil.example/cb") && logs.contains(crate::helpers::ALEXA_REDIRECT), "{logs}");
    assert!(!logs.contains("state-secret-1a2b"), "the state is not logged: {logs}");
}
