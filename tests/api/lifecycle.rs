//! Immediate effect of admin actions, key rotation and housekeeping.

use std::time::Duration;

use linkbroker::domain::Permission;
use linkbroker::domain::TokenFormat;

use crate::both_backends;
use crate::helpers::{spawn_app, spawn_app_with, Backend};

both_backends!(
    revoking_a_permission_takes_effect_within_the_cache_bound,
    disabling_a_user_stops_jwt_access_tokens_within_the_cache_bound,
    rotated_keys_sign_new_tokens_and_old_tokens_keep_verifying,
    housekeeping_purges_expired_rows_and_keeps_live_ones,
);

/// Lets the 2 s resolution-cache bound pass on the app's clock.
fn past_the_cache_bound(app: &crate::helpers::TestApp) {
    app.clock.advance(linkbroker::oauth::access_cache::TTL.as_secs() as i64 + 1);
}

async fn revoking_a_permission_takes_effect_within_the_cache_bound(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (_, tokens) = app.linked().await;
    let user = app.store.list_users().await.unwrap().remove(0);
    let perm = Permission::parse("rides:order").unwrap();
    app.store.grant_permission(&user.id, &perm, 0).await.unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(app.userinfo(access).await.1["permissions"], serde_json::json!(["rides:order"]));
    app.store.revoke_permission(&user.id, &perm).await.unwrap();
    past_the_cache_bound(&app);
    let after = app.userinfo(access).await.1;
    assert_eq!(after["permissions"], serde_json::json!([]), "within the documented 2 s resolution-cache bound");
}

async fn disabling_a_user_stops_jwt_access_tokens_within_the_cache_bound(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.client(&["profile"], false, TokenFormat::Jwt).await;
    let code = app.code_for(&client).await;
    let (_, tokens) = app.exchange(&client, &code).await;
    let jwt = tokens["access_token"].as_str().unwrap();
    assert_eq!(app.userinfo(jwt).await.0, 200);
    let user = app.store.list_users().await.unwrap().remove(0);
    app.store.set_user_disabled(&user.id, true, 0).await.unwrap();
    past_the_cache_bound(&app);
    assert_eq!(app.userinfo(jwt).await.0, 401, "a JWT is checked against its link and user within the 2 s cache bound");
}

async fn rotated_keys_sign_new_tokens_and_old_tokens_keep_verifying(backend: Backend) {
    let Some(app) = spawn_app_with(backend, &[("LINKBROKER_KEY_RELOAD_SECONDS", "1")]).await else { return };
    let client = app.client(&["profile"], false, TokenFormat::Jwt).await;
    let code = app.code_for(&client).await;
    let (_, before) = app.exchange(&client, &code).await;
    let kid_of = |jwt: &str| linkbroker::oauth::jwt::kid_of(jwt).unwrap();
    let old_kid = kid_of(before["access_token"].as_str().unwrap());

    // What `linkbroker keys rotate` does, from "another process".
    let now = linkbroker::clock::now();
    let key = linkbroker::oauth::jwt::generate_key(now);
    app.store.insert_signing_key(&key).await.unwrap();
    app.store.retire_signing_keys_except(&key.kid, now).await.unwrap();
    // The periodic reload (every second here) picks it up: wait for two
    // reloads, the first of which may have started before the insert.
    let keys = app.keys.as_ref().expect("an in-process app");
    let before_reloads = keys.reload_count();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while keys.reload_count() < before_reloads + 2 {
        assert!(std::time::Instant::now() < deadline, "the key ring reloads every LINKBROKER_KEY_RELOAD_SECONDS");
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let (_, after) = app.refresh(&client, before["refresh_token"].as_str().unwrap()).await;
    assert_eq!(kid_of(after["access_token"].as_str().unwrap()), key.kid, "new JWTs use the new key");
    assert_eq!(app.userinfo(before["access_token"].as_str().unwrap()).await.0, 200, "old tokens keep verifying");
    let jwks: serde_json::Value = app.api.get(app.url("/oauth/jwks")).send().await.unwrap().json().await.unwrap();
    let kids: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert!(kids.contains(&old_kid.as_str()) && kids.contains(&key.kid.as_str()), "{kids:?}");

    // Once every token the old key signed has expired, it is dropped.
    let settings = linkbroker::settings::Settings::from_sources(None, Default::default()).unwrap();
    let later = now + settings.access_token_ttl + 120;
    let purged = linkbroker::housekeeping::run_once(&app.store, &settings, later).await.unwrap();
    assert_eq!(purged.signing_keys, 1);
    let remaining: Vec<String> = app.store.signing_keys().await.unwrap().into_iter().map(|k| k.kid).collect();
    assert_eq!(remaining, vec![key.kid.clone()]);
}

async fn housekeeping_purges_expired_rows_and_keeps_live_ones(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, first) = app.linked().await;
    let (_, second) = app.refresh(&client, first["refresh_token"].as_str().unwrap()).await;
    let _unused_code = app.code_for(&client).await;
    let settings = linkbroker::settings::Settings::from_sources(None, Default::default()).unwrap();
    let now = app.clock.now();

    let purged = linkbroker::housekeeping::run_once(&app.store, &settings, now).await.unwrap();
    assert_eq!(purged, linkbroker::store::Purged::default(), "nothing is expired yet");
    assert_eq!(app.refresh(&client, second["refresh_token"].as_str().unwrap()).await.0, 200);

    // Two hours on: the codes have expired; the link lives.
    let purged = linkbroker::housekeeping::run_once(&app.store, &settings, now + 7200).await.unwrap();
    assert!(purged.codes >= 2, "{purged:?}");
    assert_eq!(purged.links, 0);
    // Past the inactivity TTL the link is dead, but admins still see it for
    // the retention period; after that it is deleted.
    let dead_at = now + settings.refresh_token_ttl + 86_400;
    let purged = linkbroker::housekeeping::run_once(&app.store, &settings, dead_at).await.unwrap();
    assert_eq!(purged.links, 0, "{purged:?}");
    let later = dead_at + linkbroker::housekeeping::RETENTION_SECONDS;
    let purged = linkbroker::housekeeping::run_once(&app.store, &settings, later).await.unwrap();
    assert_eq!(purged.links, 1, "{purged:?}");
}
