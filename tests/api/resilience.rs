//! Issue 6, graceful failure: a database that is down at startup or goes
//! away while serving gives 503s with `Retry-After` (never `invalid_grant`,
//! never a panic) and recovery without a restart; SIGTERM drains in-flight
//! requests. The outages are played with a TCP proxy in front of Postgres,
//! so these tests run on Postgres only (SQLite is a file, not a server).

use std::time::{Duration, Instant};

use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::{browser, fresh_database, location, query_param, Backend, TestApp, ADA};
use crate::process::{serve_binary, serve_binary_on, ServedBinary};
use crate::proxy::{target_of, CuttableProxy};

/// The binary on a fresh Postgres database reached through a proxy.
async fn serve_behind_proxy() -> Option<(ServedBinary, CuttableProxy)> {
    let (database_url, dir) = fresh_database(Backend::Postgres).await?;
    let proxy = CuttableProxy::start(target_of(&database_url)).await;
    let proxied = proxy.url_for(&database_url);
    let served = serve_binary_on(database_url, dir, &[("LINKBROKER_DATABASE_URL", &proxied)]).await;
    Some((served, proxy))
}

async fn status_of(app: &TestApp, path: &str) -> u16 {
    app.api.get(app.url(path)).send().await.map(|r| r.status().as_u16()).unwrap_or(0)
}

/// Polls `/readyz` until it answers 200, for at most `limit`.
async fn ready_within(app: &TestApp, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if status_of(app, "/readyz").await == 200 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_lost_while_serving_gives_503s_then_recovers() {
    let Some((served, proxy)) = serve_behind_proxy().await else { return };
    let app = &served.app;
    let (client, first) = app.linked().await;
    let t = first["refresh_token"].as_str().unwrap();

    proxy.cut();
    let (status, headers, body) =
        app.token(&[("grant_type", "refresh_token"), ("refresh_token", t)], Some((&client.id, &client.secret))).await;
    assert_eq!(status, 503, "a lost database is not the client's fault: {body}");
    assert!(headers.contains_key("retry-after"));
    assert_eq!(body["error"], "temporarily_unavailable");
    assert_eq!(app.userinfo(first["access_token"].as_str().unwrap()).await.0, 503);
    let code_exchange = app.exchange(&client, "some-code").await;
    assert_eq!(code_exchange.0, 503, "{}", code_exchange.1);
    let authorize = app.authorize(&browser(), &TestApp::alexa_params(&client, "s")).await;
    assert_eq!(authorize.status(), 503, "a page asking to retry, not an error redirect to Alexa");
    assert_eq!(status_of(app, "/readyz").await, 503);
    assert_eq!(status_of(app, "/healthz").await, 200, "alive, so the orchestrator does not restart it");

    proxy.restore();
    assert!(ready_within(app, Duration::from_secs(30)).await, "ready again without a restart");
    let (status, second) = app.refresh(&client, t).await;
    assert_eq!(status, 200, "the link survived the outage: {second}");
    assert_eq!(app.userinfo(second["access_token"].as_str().unwrap()).await.0, 200);
    let logs = served.stop();
    assert!(!logs.contains("panicked"), "{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_down_at_startup_serves_503_until_it_is_back() {
    let Some((database_url, dir)) = fresh_database(Backend::Postgres).await else { return };
    let proxy = CuttableProxy::start(target_of(&database_url)).await;
    proxy.cut();
    let proxied = proxy.url_for(&database_url);
    let served = serve_binary_on(database_url, dir, &[("LINKBROKER_DATABASE_URL", &proxied)]).await;
    let app = &served.app;

    assert_eq!(status_of(app, "/healthz").await, 200, "listening while the database is down");
    let r = app.api.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert!(r.headers().contains_key("retry-after"));
    let r = app.api.post(app.url("/oauth/token")).form(&[("grant_type", "refresh_token")]).send().await.unwrap();
    assert_eq!(r.status(), 503, "no token answers, and no invalid_grant, before the database is there");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !served.output().contains("database unreachable at startup; retrying") && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(served.output().contains("database unreachable at startup; retrying"), "{}", served.output());

    proxy.restore();
    assert!(ready_within(app, Duration::from_secs(30)).await, "{}", served.output());
    let (client, tokens) = app.linked().await;
    assert_eq!(app.refresh(&client, tokens["refresh_token"].as_str().unwrap()).await.0, 200);
    assert!(!served.stop().contains("panicked"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_in_flight_requests_finish() {
    let Some(mut served) = serve_binary(Backend::Sqlite, &[]).await else { return };
    let client = served.app.alexa_client().await;
    served.app.amazon_user(&ADA).await;
    // Amazon takes a while, so the callback is in flight when SIGTERM comes.
    served.app.lwa.reset().await;
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(
                    serde_json::json!({ "access_token": "Atza|a", "token_type": "bearer", "expires_in": 3600 }),
                )
                .set_delay(Duration::from_secs(2)),
        )
        .mount(&served.app.lwa)
        .await;
    Mock::given(method("GET"))
        .and(path("/user/profile"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({ "user_id": ADA.user_id, "name": ADA.name, "email": ADA.email })),
        )
        .mount(&served.app.lwa)
        .await;
    let web = browser();
    let resp = served.app.authorize(&web, &TestApp::alexa_params(&client, "s")).await;
    let upstream_state = query_param(&location(&resp).unwrap(), "state").unwrap();
    let callback = web.get(served.app.url(&format!("/oauth/callback?code=c&state={upstream_state}"))).send();
    let in_flight = tokio::spawn(callback);
    // SIGTERM only once the server is inside the callback, waiting on Amazon.
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let seen = served.app.lwa.received_requests().await.unwrap_or_default();
        if seen.iter().any(|r| r.url.path() == "/auth/o2/token") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    served.terminate();
    let resp = in_flight.await.unwrap().expect("the in-flight request gets its answer");
    assert_eq!(resp.status(), 303, "the login finished during the drain");
    let exit = tokio::task::block_in_place(|| served.wait_exit(Duration::from_secs(15)));
    assert!(exit.is_some_and(|s| s.success()), "exits cleanly after draining: {exit:?}");
    assert!(web.get(served.app.url("/healthz")).send().await.is_err(), "no longer accepting connections once stopped");
}
