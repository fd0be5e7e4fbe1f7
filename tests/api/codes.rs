//! Authorization codes (RFC 6749 §4.1.2): looked up, checked against the
//! client, then spent, with the link they create in one transaction; a
//! replay revokes that link however it comes.

use std::sync::Arc;

use linkbroker::settings::Settings;

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};

both_backends!(
    another_client_cannot_burn_an_intercepted_code,
    a_replay_racing_the_first_redemption_revokes_the_link,
    a_replay_after_the_code_row_was_purged_revokes_the_link,
    a_failed_link_write_leaves_the_code_unspent_for_the_retry,
);

async fn raw_pool(app: &TestApp) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(&app.database_url).await.unwrap()
}

async fn another_client_cannot_burn_an_intercepted_code(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    let thief = app.alexa_client().await;
    let code = app.code_for(&client).await;
    let (status, body) = app.exchange(&thief, &code).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
    let (status, tokens) = app.exchange(&client, &code).await;
    assert_eq!(status, 200, "the rightful client still redeems its code: {tokens}");
    assert!(!app.audit_actions().await.contains(&"code_replay".to_string()));
}

async fn a_replay_racing_the_first_redemption_revokes_the_link(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let app = Arc::new(app);
    let client = Arc::new(app.alexa_client().await);
    let code = app.code_for(&client).await;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (app, client, code) = (app.clone(), client.clone(), code.clone());
            tokio::spawn(async move { app.exchange(&client, &code).await })
        })
        .collect();
    let mut issued = Vec::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            200 => issued.push(body),
            400 => assert_eq!(body["error"], "invalid_grant", "{body}"),
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(issued.len(), 1, "one redemption wins");
    let refresh = issued[0]["refresh_token"].as_str().unwrap();
    let (status, _) = app.refresh(&client, refresh).await;
    assert_eq!(status, 400, "the replays revoked the link the winner created");
    assert!(app.audit_actions().await.contains(&"code_replay".to_string()));
}

async fn a_replay_after_the_code_row_was_purged_revokes_the_link(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    let code = app.code_for(&client).await;
    let (status, tokens) = app.exchange(&client, &code).await;
    assert_eq!(status, 200);
    app.clock.advance(86_400);
    let settings = Settings::from_sources(None, Default::default()).unwrap();
    let purged = linkbroker::housekeeping::run_once(&app.store, &settings, app.clock.now()).await.unwrap();
    assert!(purged.codes >= 1, "{purged:?}");
    let (status, body) = app.exchange(&client, &code).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    let (status, _) = app.refresh(&client, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 400, "the link remembers its code, so the late replay still revokes it");
}

async fn a_failed_link_write_leaves_the_code_unspent_for_the_retry(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    let code = app.code_for(&client).await;
    // The audit write inside the redemption fails.
    let pool = raw_pool(&app).await;
    sqlx::query("ALTER TABLE audit_log RENAME TO audit_log_away").execute(&pool).await.unwrap();
    let (status, body) = app.exchange(&client, &code).await;
    assert!(status >= 500, "a fault on our side is not invalid_grant: {status} {body}");
    sqlx::query("ALTER TABLE audit_log_away RENAME TO audit_log").execute(&pool).await.unwrap();
    let (status, tokens) = app.exchange(&client, &code).await;
    assert_eq!(status, 200, "the retry redeems the unspent code: {tokens}");
    let (status, _) = app.refresh(&client, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "and its link is not revoked as a replay");
    assert!(!app.audit_actions().await.contains(&"code_replay".to_string()));
}
