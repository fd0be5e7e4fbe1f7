//! README "Refresh tokens": rotation that converges for honest clients and
//! revokes the link on real reuse.

use crate::both_backends;
use crate::helpers::{spawn_app, spawn_app_with, Backend};

both_backends!(
    refresh_rotates_and_issues_a_new_access_token,
    retrying_the_old_token_returns_the_same_successor,
    retry_inside_the_grace_window_after_the_successor_was_used,
    reuse_after_the_grace_window_revokes_the_link,
    a_token_two_steps_behind_revokes_the_link,
    sixteen_parallel_refreshes_converge_on_one_successor,
    sixty_four_parallel_refreshes_converge_on_one_successor,
    another_clients_refresh_token_is_refused_without_harm,
    disabled_user_cannot_refresh,
    database_outage_is_503_not_invalid_grant,
);

async fn refresh_rotates_and_issues_a_new_access_token(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, first) = app.linked().await;
    let (status, second) = app.refresh(&client, first["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{second}");
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_ne!(second["access_token"], first["access_token"]);
    assert_eq!(second["scope"], "profile");
    assert_eq!(app.userinfo(second["access_token"].as_str().unwrap()).await.0, 200);
    let (status, third) = app.refresh(&client, second["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "the chain continues: {third}");
}

async fn retrying_the_old_token_returns_the_same_successor(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, first) = app.linked().await;
    let t = first["refresh_token"].as_str().unwrap();
    let (_, a) = app.refresh(&client, t).await;
    let (status, b) = app.refresh(&client, t).await;
    assert_eq!(status, 200, "a lost response is retried: {b}");
    assert_eq!(a["refresh_token"], b["refresh_token"]);
    assert_eq!(app.userinfo(b["access_token"].as_str().unwrap()).await.0, 200);
}

async fn retry_inside_the_grace_window_after_the_successor_was_used(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, first) = app.linked().await;
    let t = first["refresh_token"].as_str().unwrap();
    let (_, s) = app.refresh(&client, t).await;
    let (status, _) = app.refresh(&client, s["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let (status, again) = app.refresh(&client, t).await;
    assert_eq!(status, 200, "inside the grace window: {again}");
    assert_eq!(again["refresh_token"], s["refresh_token"]);
    let (status, _) = app.refresh(&client, again["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "and the chain continues");
}

async fn reuse_after_the_grace_window_revokes_the_link(backend: Backend) {
    let Some(app) = spawn_app_with(backend, &[("LINKBROKER_REFRESH_GRACE_SECONDS", "30")]).await else { return };
    let (client, first) = app.linked().await;
    let t = first["refresh_token"].as_str().unwrap();
    let (_, s) = app.refresh(&client, t).await;
    let (_, u) = app.refresh(&client, s["refresh_token"].as_str().unwrap()).await;
    app.clock.advance(31);
    let (status, body) = app.refresh(&client, t).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    let (status, _) = app.refresh(&client, u["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 400, "the newest token dies with the link");
    assert_eq!(app.userinfo(u["access_token"].as_str().unwrap()).await.0, 401);
    assert!(app.audit_actions().await.contains(&"refresh_reuse_detected".to_string()));
}

async fn a_token_two_steps_behind_revokes_the_link(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, first) = app.linked().await;
    let t = first["refresh_token"].as_str().unwrap();
    let (_, s) = app.refresh(&client, t).await;
    let (_, u) = app.refresh(&client, s["refresh_token"].as_str().unwrap()).await;
    let (_, v) = app.refresh(&client, u["refresh_token"].as_str().unwrap()).await;
    let (status, body) = app.refresh(&client, t).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    assert_eq!(app.refresh(&client, v["refresh_token"].as_str().unwrap()).await.0, 400);
}

async fn sixteen_parallel_refreshes_converge_on_one_successor(backend: Backend) {
    parallel_refreshes_converge(backend, 16).await
}

async fn sixty_four_parallel_refreshes_converge_on_one_successor(backend: Backend) {
    parallel_refreshes_converge(backend, 64).await
}

/// Google refreshes in parallel: every request succeeds with one successor.
async fn parallel_refreshes_converge(backend: Backend, n: usize) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, first) = app.linked().await;
    let t = first["refresh_token"].as_str().unwrap().to_string();
    let app = std::sync::Arc::new(app);
    let client = std::sync::Arc::new(client);
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (app, client, t) = (app.clone(), client.clone(), t.clone());
            tokio::spawn(async move { app.refresh(&client, &t).await })
        })
        .collect();
    let mut successors = std::collections::HashSet::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert_eq!(status, 200, "every parallel refresh succeeds: {body}");
        successors.insert(body["refresh_token"].as_str().unwrap().to_string());
    }
    assert_eq!(successors.len(), 1, "one chain, one successor");
    let s = successors.into_iter().next().unwrap();
    let (status, _) = app.refresh(&client, &s).await;
    assert_eq!(status, 200, "the single chain continues");
}

async fn another_clients_refresh_token_is_refused_without_harm(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, first) = app.linked().await;
    let other = app.alexa_client().await;
    let t = first["refresh_token"].as_str().unwrap();
    let (status, body) = app.refresh(&other, t).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    assert_eq!(app.refresh(&client, t).await.0, 200, "the rightful client's link is untouched");
}

async fn disabled_user_cannot_refresh(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, first) = app.linked().await;
    let user = app.store.list_users().await.unwrap().remove(0);
    app.store.set_user_disabled(&user.id, true, 0).await.unwrap();
    // A made-up secret naming the disabled user's link learns nothing of it
    // and writes nothing.
    let real = first["refresh_token"].as_str().unwrap();
    let (link, rest) = real.split_once('.').unwrap();
    let generation = rest.split('.').next().unwrap();
    let forged = format!("{link}.{generation}.{}", "A".repeat(43));
    let audit_before = app.audit_actions().await.len();
    for _ in 0..3 {
        let (status, body) = app.refresh(&client, &forged).await;
        assert_eq!((status, body["error_description"].as_str()), (400, Some("the refresh token is invalid")), "{body}");
    }
    assert_eq!(app.audit_actions().await.len(), audit_before, "a forged token writes no audit row");
    let (status, body) = app.refresh(&client, real).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    assert_eq!(body["error_description"], "the user is disabled", "the genuine token is told why");
    assert!(app.audit_actions().await.contains(&"disabled_user_refused".to_string()), "the attempt is audited");
    assert_eq!(app.userinfo(first["access_token"].as_str().unwrap()).await.0, 401);
    app.store.set_user_disabled(&user.id, false, 0).await.unwrap();
    assert_eq!(
        app.refresh(&client, first["refresh_token"].as_str().unwrap()).await.0,
        200,
        "re-enabling revives a link the platform still holds"
    );
}

async fn database_outage_is_503_not_invalid_grant(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, first) = app.linked().await;
    app.store.close().await;
    let (status, headers, body) = app
        .token(
            &[("grant_type", "refresh_token"), ("refresh_token", first["refresh_token"].as_str().unwrap())],
            Some((&client.id, &client.secret)),
        )
        .await;
    assert_eq!(status, 503, "{body}");
    assert!(headers.contains_key("retry-after"));
    assert_ne!(body["error"], "invalid_grant");
}
